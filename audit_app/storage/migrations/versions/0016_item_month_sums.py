"""item month sums: per branch, checklist, item, month, kind and channel, the counts and sums
item comparisons add up, kept on write

Revision ID: 0016
Revises: 0015

``item_month_sums`` holds, over the submitted audits, the scored answers, the sum and sum of
squares of their item scores and the failed answers (``storage.item_sums``). The upgrade
fills it from each audit's item-score vector (``audit_item_scores``, migration 0012), added
up in numpy.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_month_sums",
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("total_sq", sa.Float(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_item_month_sums_branch_id_branches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "branch_id",
            "checklist_id",
            "item_id",
            "month",
            "kind",
            "channel",
            name=op.f("pk_item_month_sums"),
        ),
        sqlite_with_rowid=False,
    )
    from audit_app.storage import item_sums

    item_sums.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("item_month_sums")
