"""What staff search reads: accent-folded names and the full-text document of an application.

On PostgreSQL the search uses full-text search (a tsvector over title and summary)
and trigram similarity (pg_trgm) on accent-folded, lower-cased organisation names and
titles; the GIN indexes below serve exactly those expressions, so the expressions are
defined once here for both the indexes and grants/services/search.py. SQLite has
neither; the search falls back to LIKE over the same folded text (no index).
"""
from __future__ import annotations

import sqlite3

from sqlalchemy import DDL, Index, event, func, literal_column
from sqlalchemy.engine import Engine

from ..extensions import db
from .applications import Application
from .users import Organisation

# Accented letters folded to plain ones (after lower()): "Café" finds "cafe" and the reverse.
ACCENTED = "àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿžźżšśłđ"
PLAIN = "aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyzzzssld"
assert len(ACCENTED) == len(PLAIN)

TEXT_SEARCH_CONFIG = "english"


_FOLD_TABLE = str.maketrans(ACCENTED, PLAIN)


def fold(text: str | None) -> str | None:
    """Python's fold, exactly as the SQL one: lower-case, then the accented letters above made plain."""
    return None if text is None else text.lower().translate(_FOLD_TABLE)


def folded(column, dialect: str = "postgresql"):
    """The column folded in SQL: translate(lower()) on PostgreSQL; on SQLite, fold() registered as a function.

    The letters are SQL literals, not bound parameters, so PostgreSQL sees the very
    expression its trigram index was built on.
    """
    if dialect == "postgresql":
        return func.translate(func.lower(column), literal_column(f"'{ACCENTED}'"), literal_column(f"'{PLAIN}'"))
    return func.grants_fold(column)


@event.listens_for(Engine, "connect")
def _register_fold(dbapi_connection, _record) -> None:
    """SQLite: make fold() callable from SQL (PostgreSQL folds with translate())."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("grants_fold", 1, fold, deterministic=True)


def application_document():
    """PostgreSQL: the tsvector of an application's title and summary (the GIN-indexed expression)."""
    return func.to_tsvector(
        literal_column(f"'{TEXT_SEARCH_CONFIG}'::regconfig"),
        func.coalesce(Application.title, literal_column("''")).op("||")(literal_column("' '"))
        .op("||")(func.coalesce(Application.summary, literal_column("''"))),
    )


# PostgreSQL only: created by migration 0012_workday, and by create_all in tests (after pg_trgm).
# (_table given: SQLAlchemy cannot infer it from an expression holding literal columns.)
Index("ix_applications_search_document", application_document(),
      postgresql_using="gin", _table=Application.__table__).ddl_if(dialect="postgresql")
Index("ix_applications_title_trgm", folded(Application.title).label("title_folded"),
      postgresql_using="gin", postgresql_ops={"title_folded": "gin_trgm_ops"},
      _table=Application.__table__).ddl_if(dialect="postgresql")
Index("ix_organisations_name_trgm", folded(Organisation.legal_name).label("name_folded"),
      postgresql_using="gin", postgresql_ops={"name_folded": "gin_trgm_ops"},
      _table=Organisation.__table__).ddl_if(dialect="postgresql")

event.listen(db.metadata, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))
