"""outcomes: standard output measures, planned outputs linked to them, imported grants

Revision ID: 0004_outcomes
Revises: 0003_schedule_settings_terms
"""
from alembic import op
import sqlalchemy as sa

import grants.models.base

revision = "0004_outcomes"
down_revision = '0003_schedule_settings_terms'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "output_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", grants.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", grants.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["objective_id"], ["objectives.id"],
                                name=op.f("fk_output_measures_objective_id_objectives")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_output_measures")),
        sa.UniqueConstraint("name", name=op.f("uq_output_measures_name")),
    )
    op.create_table(
        "imported_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.String(length=100), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("imported_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", grants.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_imported_grants_application_id_applications")),
        sa.ForeignKeyConstraint(["imported_by_id"], ["users.id"], name=op.f("fk_imported_grants_imported_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_grants")),
        sa.UniqueConstraint("application_id", name=op.f("uq_imported_grants_application_id")),
        sa.UniqueConstraint("import_id", name=op.f("uq_imported_grants_import_id")),
    )
    with op.batch_alter_table("planned_outputs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("measure_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_planned_outputs_measure_id"), ["measure_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_planned_outputs_measure_id_output_measures"),
                                    "output_measures", ["measure_id"], ["id"])


def downgrade():
    with op.batch_alter_table("planned_outputs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_planned_outputs_measure_id_output_measures"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_planned_outputs_measure_id"))
        batch_op.drop_column("measure_id")
    op.drop_table("imported_grants")
    op.drop_table("output_measures")
