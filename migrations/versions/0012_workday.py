"""Staff search: full-text and trigram indexes (PostgreSQL only)

PostgreSQL: the pg_trgm extension, a GIN full-text index over applications' title and
summary, and GIN trigram indexes on accent-folded organisation names and titles (the
expressions are defined in grants/models/search.py). SQLite searches with LIKE and
gets nothing here.

Revision ID: 0012_workday
Revises: 0006_sessions_lockout
"""
from alembic import op

revision = "0012_workday"
down_revision = "0006_sessions_lockout"
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
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in _INDEXES.items():
        op.execute(f"CREATE INDEX {name} {definition}")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in reversed(_INDEXES):
        op.execute(f"DROP INDEX IF EXISTS {name}")
