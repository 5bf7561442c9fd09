"""Reporting schedule per round (interim rule and threshold, fixed-date returns), organisation settings and
versioned terms of grant (carried by letters and acceptances).

Existing rounds keep the schedule monitoring actually ran: an interim report was created for awards above
the delegated limit (when interim_report_above_limit was set) and for every award paid in two halves (above the
full-payment threshold). So each round becomes rule "above" with the threshold at the lower of the two amounts
(or the full-payment threshold where the flag was off).

Award letters already sent listed the reports of the rule at the time (an interim report only above the
delegated limit); that list is stored on each letter so it still regenerates byte for byte.

Revision ID: 0003_schedule_settings_terms
Revises: 0002_funds_rounds_setup
Create Date: 2026-11-30 02:03:06.227791

"""
from datetime import date

from alembic import op
import sqlalchemy as sa

import grants.models.base
from grants.services.reporting_schedule import add_months, midpoint


# revision identifiers, used by Alembic.
revision = '0003_schedule_settings_terms'
down_revision = '0002_funds_rounds_setup'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=False),
    sa.Column('signatory_name', sa.String(length=200), nullable=False),
    sa.Column('signatory_title', sa.String(length=200), nullable=False),
    sa.Column('updated_at', grants.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_organisation_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_settings'))
    )
    op.create_table('terms_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', grants.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_terms_versions_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_terms_versions')),
    sa.UniqueConstraint('number', name=op.f('uq_terms_versions_number'))
    )
    op.create_table('round_fixed_returns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_fixed_returns_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_fixed_returns'))
    )
    with op.batch_alter_table('round_fixed_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_fixed_returns_round_id'), ['round_id'], unique=False)

    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('letterhead', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('reports', sa.JSON(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_letters_terms_version_id_terms_versions'), 'terms_versions', ['terms_version_id'], ['id'])

    with op.batch_alter_table('offer_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('terms_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_offer_responses_terms_version_id_terms_versions'), 'terms_versions', ['terms_version_id'], ['id'])

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title', sa.String(length=200), nullable=True))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interim_report_rule', sa.String(length=10), server_default='above', nullable=False))
        batch_op.add_column(sa.Column('interim_report_threshold_pence', sa.BigInteger(), server_default='250000', nullable=False))
    _store_sent_letters_reports()
    op.execute(sa.text(
        "UPDATE rounds SET interim_report_rule = 'above', interim_report_threshold_pence = CASE "
        "WHEN interim_report_above_limit AND delegated_limit_pence < full_payment_threshold_pence "
        "THEN delegated_limit_pence ELSE full_payment_threshold_pence END"))
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('interim_report_above_limit')



def _day(value):
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _store_sent_letters_reports():
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT l.id, d.amount_awarded_pence, a.start_date, a.end_date, r.interim_report_above_limit, "
        "r.delegated_limit_pence, r.final_report_months_after_end FROM letters l "
        "JOIN decision_records d ON d.id = l.decision_record_id JOIN applications a ON a.id = l.application_id "
        "JOIN rounds r ON r.id = a.round_id WHERE l.kind = 'award'")).all()
    letters = sa.table("letters", sa.column("id", sa.Integer), sa.column("reports", sa.JSON))
    for letter_id, award, start, end, interim_above_limit, limit, months in rows:
        start, end = _day(start), _day(end)
        reports = []
        if interim_above_limit and (award or 0) > limit and start and end:
            reports.append({"title": "Interim report", "due_on": midpoint(start, end).isoformat()})
        if end:
            reports.append({"title": "Final report", "due_on": add_months(end, months).isoformat()})
        conn.execute(letters.update().where(letters.c.id == letter_id).values(reports=reports))


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('interim_report_above_limit', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.execute(sa.text("UPDATE rounds SET interim_report_above_limit = (interim_report_rule <> 'never')"))
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('interim_report_threshold_pence')
        batch_op.drop_column('interim_report_rule')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_column('title')

    with op.batch_alter_table('offer_responses', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_offer_responses_terms_version_id_terms_versions'), type_='foreignkey')
        batch_op.drop_column('terms_version_id')

    with op.batch_alter_table('letters', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_letters_terms_version_id_terms_versions'), type_='foreignkey')
        batch_op.drop_column('reports')
        batch_op.drop_column('letterhead')
        batch_op.drop_column('terms_version_id')

    with op.batch_alter_table('round_fixed_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_fixed_returns_round_id'))

    op.drop_table('round_fixed_returns')
    op.drop_table('terms_versions')
    op.drop_table('organisation_settings')
