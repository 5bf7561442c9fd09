"""A public summary on each decision record; grants published to the register by an officer; funding
meetings and their signed decision notices

Existing approvals get no public summary and no publication row: nothing is published until an
officer publishes it (imported historic grants marked public stay on the register).

Revision ID: 0010_notices
Revises: 0009_round_questions
"""
from alembic import op
import sqlalchemy as sa

import grants.models.base


revision = "0010_notices"
down_revision = "0009_round_questions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("decision_records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_summary", sa.Text(), nullable=True))
    op.create_table(
        "grant_publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("published_at", grants.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_grant_publications_application_id_applications")),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"],
                                name=op.f("fk_grant_publications_published_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grant_publications")),
        sa.UniqueConstraint("application_id", name=op.f("uq_grant_publications_application_id")),
    )
    op.create_table('funding_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('attendees', sa.JSON(), nullable=False),
    sa.Column('declarations', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', grants.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_funding_meetings_created_by_id_users')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_funding_meetings_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_funding_meetings'))
    )
    with op.batch_alter_table('funding_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_funding_meetings_round_id'), ['round_id'], unique=False)

    op.create_table('decision_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('financial_year', sa.String(length=7), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('fund_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('signed_by_name', sa.String(length=200), nullable=False),
    sa.Column('authority', sa.String(length=300), nullable=False),
    sa.Column('signed_at', grants.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('for_publication', sa.Boolean(), nullable=False),
    sa.Column('not_for_publication_reason', sa.Text(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', grants.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['fund_id'], ['funds.id'], name=op.f('fk_decision_notices_fund_id_funds')),
    sa.ForeignKeyConstraint(['meeting_id'], ['funding_meetings.id'], name=op.f('fk_decision_notices_meeting_id_funding_meetings')),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_decision_notices_signed_by_id_users')),
    sa.ForeignKeyConstraint(['supersedes_id'], ['decision_notices.id'], name=op.f('fk_decision_notices_supersedes_id_decision_notices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_notices')),
    sa.UniqueConstraint('financial_year', 'sequence', name=op.f('uq_decision_notices_financial_year_sequence')),
    sa.UniqueConstraint('number', name=op.f('uq_decision_notices_number'))
    )
    with op.batch_alter_table('decision_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_notices_fund_id'), ['fund_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_notices_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_notices_supersedes_id'), ['supersedes_id'], unique=False)

    op.create_table('meeting_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_meeting_items_application_id_applications')),
    sa.ForeignKeyConstraint(['meeting_id'], ['funding_meetings.id'], name=op.f('fk_meeting_items_meeting_id_funding_meetings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_items')),
    sa.UniqueConstraint('meeting_id', 'application_id', name=op.f('uq_meeting_items_meeting_id_application_id'))
    )
    with op.batch_alter_table('meeting_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_items_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meeting_items_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    op.drop_table("meeting_items")
    op.drop_table("decision_notices")
    op.drop_table("funding_meetings")
    op.drop_table("grant_publications")
    with op.batch_alter_table("decision_records", schema=None) as batch_op:
        batch_op.drop_column("public_summary")
