"""Indexes that keep the large pages fast stay in step with the rules they serve."""
from grants.models import Application
from grants.models.applications import _AWARDED_STATES
from grants.services.workflow import COMMITTED_STATES


def test_award_moment_index_covers_exactly_the_awarded_states():
    """Does the register's partial index cover the same states the register lists as awards?"""
    assert set(_AWARDED_STATES) == {s.value for s in COMMITTED_STATES}
    assert "ix_applications_award_moment" in {i.name for i in Application.__table__.indexes}


def test_supersedes_link_is_indexed():
    """Is the column every decision record page searches (a later record superseding this one) indexed?"""
    from grants.models import DecisionRecord

    assert DecisionRecord.__table__.c.supersedes_id.index


def test_search_indexes_are_declared_for_postgresql_only():
    """Are the full-text and trigram indexes staff search relies on declared, and only for PostgreSQL?"""
    from grants.models import Organisation

    indexes = {i.name: i for i in list(Application.__table__.indexes) + list(Organisation.__table__.indexes)}
    for name in ("ix_applications_search_document", "ix_applications_title_trgm", "ix_organisations_name_trgm"):
        assert indexes[name]._ddl_if.dialect == "postgresql"
        assert indexes[name].dialect_options["postgresql"]["using"] == "gin"
