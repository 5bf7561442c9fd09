"""Round questions: extra task-list sections and questions a round asks; answers on the application;
eligibility limits on the round (live applications per organisation, overdue monitoring reports); the minimal
financial assistance declaration (switched on per round, declared on the application)

Revision ID: 0009_round_questions
Revises: 0008_workday
"""
from alembic import op
import sqlalchemy as sa


revision = "0009_round_questions"
down_revision = "0008_workday"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_question_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["rounds.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_round_question_sections_round_id", "round_question_sections", ["round_id"])
    op.create_table(
        "round_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("hint", sa.Text(), nullable=False),
        sa.Column("required", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("word_limit", sa.Integer(), nullable=True),
        sa.Column("condition_question_id", sa.Integer(), nullable=True),
        sa.Column("condition_value", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(["condition_question_id"], ["round_questions.id"]),
        sa.ForeignKeyConstraint(["section_id"], ["round_question_sections.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_round_questions_section_id", "round_questions", ["section_id"])
    with op.batch_alter_table("applications") as batch:
        batch.add_column(sa.Column("question_answers", sa.JSON(), server_default="{}", nullable=False))
        batch.add_column(sa.Column("minimal_assistance", sa.JSON(), nullable=True))
    with op.batch_alter_table("rounds") as batch:
        batch.add_column(sa.Column("max_live_applications", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("refuse_overdue_reports", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.add_column(sa.Column("minimal_assistance_declaration", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade():
    with op.batch_alter_table("rounds") as batch:
        batch.drop_column("minimal_assistance_declaration")
        batch.drop_column("refuse_overdue_reports")
        batch.drop_column("max_live_applications")
    with op.batch_alter_table("applications") as batch:
        batch.drop_column("minimal_assistance")
        batch.drop_column("question_answers")
    op.drop_index("ix_round_questions_section_id", table_name="round_questions")
    op.drop_table("round_questions")
    op.drop_index("ix_round_question_sections_round_id", table_name="round_question_sections")
    op.drop_table("round_question_sections")
