"""Server-side sign-in sessions; failed sign-ins counted per account and address

Sessions: the signed cookie names a row of sign_in_sessions (token SHA-256, user, when it last
re-authenticated, when it ended), replacing users.session_nonce. Lockout: sign_in_throttles
counts failures per (email SHA-256, client address), replacing users.failed_sign_ins and
users.locked_until. Existing sessions end at upgrade (everyone signs in again once).

Revision ID: 0006_sessions_lockout
Revises: 0005_audit_checkpoints_outbox
"""
from alembic import op
import sqlalchemy as sa

import grants.models.base


revision = "0006_sessions_lockout"
down_revision = "0005_audit_checkpoints_outbox"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("authenticated_at", grants.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", grants.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("created_at", grants.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sign_in_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_sessions_token_hash")),
    )
    with op.batch_alter_table("sign_in_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sign_in_throttles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email_hash", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", grants.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_throttles")),
        sa.UniqueConstraint("email_hash", "address", name="uq_sign_in_throttles_email_address"),
    )

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_nonce")
        batch_op.drop_column("failed_sign_ins")
        batch_op.drop_column("locked_until")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_until", grants.models.base.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("failed_sign_ins", sa.Integer(), nullable=False, server_default="0"))
        # Every session ends: a fresh random nonce per user.
        batch_op.add_column(sa.Column("session_nonce", sa.String(length=32), nullable=False,
                                      server_default="0" * 32))
    op.execute("UPDATE users SET session_nonce = substr(upper(hex(randomblob(16))), 1, 32)"
               if op.get_bind().dialect.name == "sqlite" else
               "UPDATE users SET session_nonce = md5(random()::text || id::text)")
    op.drop_table("sign_in_throttles")
    with op.batch_alter_table("sign_in_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_sessions_user_id"))
    op.drop_table("sign_in_sessions")
