"""branch month sums: per branch, checklist version, month, kind and channel, the counts and
sums of the overall scores a league table adds up, kept on write

Revision ID: 0019
Revises: 0018

``branch_month_sums`` holds, over the submitted audits with an overall score, how many there
are, the sum and sum of squares of their scores and their pass, verdict and critical-failure
counts (``storage.branch_sums``). The upgrade fills it from ``audit_scores`` in one
statement.
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branch_month_sums",
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.String(length=64), nullable=False),
        sa.Column("checklist_version", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("audits", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("judged", sa.Integer(), nullable=False),
        sa.Column("critical_failures", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_branch_month_sums_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "branch_id",
            "checklist_id",
            "checklist_version",
            "month",
            "kind",
            "channel",
            name=op.f("pk_branch_month_sums"),
        ),
        sqlite_with_rowid=False,
    )
    from audit_app.storage import branch_sums

    branch_sums.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("branch_month_sums")
