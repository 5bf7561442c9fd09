"""Any staff list as a CSV or XLSX download: formula-neutralised (exports.tabular) and recorded in the audit trail."""
from __future__ import annotations

from typing import Sequence

from flask import Response
from flask_login import current_user

from .exports import tabular
from .extensions import db
from .services import audit

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_download(name: str, fmt: str, header: Sequence[str], rows: list[Sequence], *,
                  filters: dict | None = None) -> Response:
    """Record `export.<name>` (format, rows, the filters that were set), commit, and send the file."""
    audit.record(f"export.{name}", actor=current_user, entity_type="Export",
                 after={"format": fmt, "rows": len(rows), "filters": {k: v for k, v in (filters or {}).items() if v}})
    db.session.commit()
    if fmt == "csv":
        body, mimetype = tabular.csv_bytes(header, rows), "text/csv"
    else:
        body, mimetype = tabular.xlsx_bytes([(name.replace("-", " ").capitalize(), header, rows)]), XLSX_MIMETYPE
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
