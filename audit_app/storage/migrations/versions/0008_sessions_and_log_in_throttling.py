"""server-side sessions and log-in throttling

Revision ID: 0008
Revises: 0007

Sessions live on the server (only a hash of each token is kept) so that log-out, disabling a
user and a new password end them; failed log-ins are counted per name and per address in the
database, shared by every server process.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("ended_why", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["username"], ["users.username"], name=op.f("fk_sessions_username_users")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_username"), "sessions", ["username"])
    op.create_table(
        "log_in_throttle",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_log_in_throttle")),
    )


def downgrade() -> None:
    op.drop_table("log_in_throttle")
    op.drop_index(op.f("ix_sessions_username"), table_name="sessions")
    op.drop_table("sessions")
