"""Standard output measures, and grants brought in from before the service existed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import CreatedMixin, UTCDateTime
from .funds import Objective


class OutputMeasure(CreatedMixin, db.Model):
    """A measure every grant counts the same way ("crime prevention devices fitted"), so totals add up.

    Retired, never deleted: outputs already planned against it keep their measure.
    """

    __tablename__ = "output_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    unit: Mapped[str] = mapped_column(String(100), default="")
    # The plan objective this measure usually serves (a guide, not a rule).
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    objective: Mapped[Objective | None] = relationship()

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class ImportedGrant(CreatedMixin, db.Model):
    """Marks an application row as a historic award brought in by import, not through the workflow.

    The award itself is an ordinary Application (status completed) so that
    summaries, the register and 360Giving read one query path; this row holds
    what only an import has: its stable identifier and whether it may be published.
    """

    __tablename__ = "imported_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[str] = mapped_column(String(100), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    public: Mapped[bool] = mapped_column(Boolean, default=True)
    source_name: Mapped[str] = mapped_column(String(255), default="")
    source_line: Mapped[int] = mapped_column(Integer, default=0)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
