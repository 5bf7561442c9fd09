"""Money safeguards: authorised signatories, encrypted bank details, payment runs, fund ledger codes

org_memberships gains role (member | signatory) and position; each organisation's first member
becomes its signatory. bank_details holds encrypted account details with their confirmation and
call-back verification; payment_runs and payment_run_lines hold the batches sent to the finance
system; funds gain ledger_code and cost_centre.

Revision ID: 0007_money_safeguards
Revises: 0006_sessions_lockout
"""
from alembic import op
import sqlalchemy as sa

import grants.models.base


revision = '0007_money_safeguards'
down_revision = "0006_sessions_lockout"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payment_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('file_content', sa.LargeBinary(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('closed_at', grants.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', grants.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payment_runs_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_runs'))
    )
    op.create_table('bank_details',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('account_name_enc', sa.LargeBinary(), nullable=False),
    sa.Column('sort_code_enc', sa.LargeBinary(), nullable=False),
    sa.Column('account_number_enc', sa.LargeBinary(), nullable=False),
    sa.Column('account_ending', sa.String(length=4), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=False),
    sa.Column('confirm_token_hash', sa.String(length=64), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', grants.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('verified_at', grants.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('callback_phone', sa.String(length=40), nullable=True),
    sa.Column('callback_spoke_to', sa.String(length=200), nullable=True),
    sa.Column('callback_on', sa.Date(), nullable=True),
    sa.Column('superseded_at', grants.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', grants.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_bank_details_application_id_applications')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_bank_details_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_bank_details_entered_by_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_bank_details_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['statement_id'], ['attachments.id'], name=op.f('fk_bank_details_statement_id_attachments')),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_bank_details_verified_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_details')),
    sa.UniqueConstraint('confirm_token_hash', name=op.f('uq_bank_details_confirm_token_hash'))
    )
    with op.batch_alter_table('bank_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bank_details_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('payment_run_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('instalment_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('bank_details_id', sa.Integer(), nullable=False),
    sa.Column('amount_pence', sa.BigInteger(), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('failure_reason', sa.Text(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_payment_run_lines_application_id_applications')),
    sa.ForeignKeyConstraint(['bank_details_id'], ['bank_details.id'], name=op.f('fk_payment_run_lines_bank_details_id_bank_details')),
    sa.ForeignKeyConstraint(['instalment_id'], ['payment_instalments.id'], name=op.f('fk_payment_run_lines_instalment_id_payment_instalments')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_run_lines_payment_id_payments')),
    sa.ForeignKeyConstraint(['run_id'], ['payment_runs.id'], name=op.f('fk_payment_run_lines_run_id_payment_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_run_lines')),
    sa.UniqueConstraint('run_id', 'instalment_id', name=op.f('uq_payment_run_lines_run_id_instalment_id'))
    )
    with op.batch_alter_table('payment_run_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_run_lines_instalment_id'), ['instalment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_run_lines_run_id'), ['run_id'], unique=False)

    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ledger_code', sa.String(length=30), server_default='', nullable=False))
        batch_op.add_column(sa.Column('cost_centre', sa.String(length=30), server_default='', nullable=False))

    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=20), server_default='member', nullable=False))
        batch_op.add_column(sa.Column('position', sa.String(length=100), nullable=True))

    # Each organisation's first member (the one who created it) becomes its authorised signatory.
    op.execute(
        "UPDATE org_memberships SET role = 'signatory' WHERE id IN "
        "(SELECT MIN(id) FROM org_memberships GROUP BY organisation_id)"
    )



def downgrade():
    with op.batch_alter_table('org_memberships', schema=None) as batch_op:
        batch_op.drop_column('position')
        batch_op.drop_column('role')

    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.drop_column('cost_centre')
        batch_op.drop_column('ledger_code')

    with op.batch_alter_table('payment_run_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_run_lines_run_id'))
        batch_op.drop_index(batch_op.f('ix_payment_run_lines_instalment_id'))

    op.drop_table('payment_run_lines')
    with op.batch_alter_table('bank_details', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bank_details_organisation_id'))

    op.drop_table('bank_details')
    op.drop_table('payment_runs')
