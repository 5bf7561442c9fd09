"""Staff search indexes (PostgreSQL only); staff notes and organisation messages

PostgreSQL: the pg_trgm extension, a GIN full-text index over applications' title and
summary, and GIN trigram indexes on accent-folded organisation names and titles (the
expressions are defined in grants/models/search.py). SQLite searches with LIKE and
gets no search indexes. On every database: staff_notes (notes staff keep on an
application) and messages (the thread between an organisation and staff).

Revision ID: 0008_workday
Revises: 0007_money_safeguards
"""
from alembic import op
import sqlalchemy as sa

import grants.models.base

revision = "0008_workday"
down_revision = "0007_money_safeguards"
branch_labels = None
depends_on = None

_FOLD = ("'àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿžźżšśłđ', "
         "'aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyzzzssld'")
# Exactly the expressions of grants/models/search.py at this revision (frozen here).
_INDEXES = {
    "ix_applications_search_document":
        "ON applications USING gin (to_tsvector('english'::regconfig, "
        "(coalesce(title, '') || ' ') || coalesce(summary, '')))",
    "ix_applications_title_trgm": f"ON applications USING gin (translate(lower(title), {_FOLD}) gin_trgm_ops)",
    "ix_organisations_name_trgm":
        f"ON organisations USING gin (translate(lower(legal_name), {_FOLD}) gin_trgm_ops)",
}


def upgrade():
    op.create_table(
        "staff_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", grants.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_notes_application_id", "staff_notes", ["application_id"])
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", grants.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["attachment_id"], ["attachments.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_messages_organisation_id", "messages", ["organisation_id"])
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} {definition}")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name in reversed(_INDEXES):
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_messages_organisation_id", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_staff_notes_application_id", table_name="staff_notes")
    op.drop_table("staff_notes")
