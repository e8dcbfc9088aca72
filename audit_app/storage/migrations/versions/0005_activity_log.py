"""the activity log: log-ins, submissions, imports, revisions

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activity_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_log")),
    )
    op.create_index(op.f("ix_activity_log_at"), "activity_log", ["at"])
    op.create_index(op.f("ix_activity_log_action"), "activity_log", ["action"])


def downgrade() -> None:
    op.drop_index(op.f("ix_activity_log_action"), table_name="activity_log")
    op.drop_index(op.f("ix_activity_log_at"), table_name="activity_log")
    op.drop_table("activity_log")
