"""funds and rounds set up in the service: legal power, plan periods, wards, round areas and organisation types

Revision ID: 0002_funds_rounds_setup
Revises: 0001
Create Date: 2026-11-30 02:30:00

Existing objectives move into one plan period (the plan `flask --app wsgi setup`
knows as current); existing rounds accept every organisation type, as before.
"""
import json

from alembic import op
import sqlalchemy as sa

import grants.models.base


revision = '0002_funds_rounds_setup'
down_revision = '0001'
branch_labels = None
depends_on = None

CURRENT_PLAN = ("Police and Crime Plan 2024–2029", "2024-04-01", "2029-03-31")
ALL_ORG_TYPES = ["registered_charity", "cio", "cic", "company_limited_by_guarantee", "constituted_group", "school",
                 "faith_group", "other"]


def upgrade():
    op.create_table('plan_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_periods')),
    sa.UniqueConstraint('name', name=op.f('uq_plan_periods_name'))
    )
    op.create_table('wards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gss_code', sa.String(length=9), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_wards_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wards')),
    sa.UniqueConstraint('area_id', 'name', name=op.f('uq_wards_area_id_name')),
    sa.UniqueConstraint('gss_code', name=op.f('uq_wards_gss_code'))
    )
    with op.batch_alter_table('wards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wards_area_id'), ['area_id'], unique=False)
    op.create_table('round_areas',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_round_areas_area_id_areas')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_areas_round_id_rounds')),
    sa.PrimaryKeyConstraint('round_id', 'area_id', name=op.f('pk_round_areas'))
    )

    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('legal_power', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('public_benefit', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('open_for_new_rounds', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowed_org_types', sa.JSON(), server_default=json.dumps(ALL_ORG_TYPES),
                                      nullable=False))
        batch_op.add_column(sa.Column('closed_early_at', grants.models.base.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('closed_early_reason', sa.Text(), nullable=True))

    # Objectives: numbered within their plan, never deleted (retired instead).
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('retired', sa.Boolean(), server_default=sa.false(), nullable=False))
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM objectives")).scalar():
        name, starts_on, ends_on = CURRENT_PLAN
        conn.execute(sa.text("INSERT INTO plan_periods (name, starts_on, ends_on) VALUES (:n, :s, :e)"),
                     {"n": name, "s": starts_on, "e": ends_on})
        plan_id = conn.execute(sa.text("SELECT id FROM plan_periods WHERE name = :n"), {"n": name}).scalar()
        conn.execute(sa.text("UPDATE objectives SET plan_id = :p"), {"p": plan_id})
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.alter_column('plan_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint('uq_objectives_number', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_objectives_plan_id_number'), ['plan_id', 'number'])
        batch_op.create_foreign_key(batch_op.f('fk_objectives_plan_id_plan_periods'), 'plan_periods',
                                    ['plan_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_objectives_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objectives_plan_id'))
        batch_op.drop_constraint(batch_op.f('fk_objectives_plan_id_plan_periods'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_objectives_plan_id_number'), type_='unique')
        batch_op.create_unique_constraint('uq_objectives_number', ['number'])
        batch_op.drop_column('retired')
        batch_op.drop_column('plan_id')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('closed_early_reason')
        batch_op.drop_column('closed_early_at')
        batch_op.drop_column('allowed_org_types')
    with op.batch_alter_table('funds', schema=None) as batch_op:
        batch_op.drop_column('open_for_new_rounds')
        batch_op.drop_column('public_benefit')
        batch_op.drop_column('legal_power')
    op.drop_table('round_areas')
    with op.batch_alter_table('wards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wards_area_id'))
    op.drop_table('wards')
    op.drop_table('plan_periods')
