"""an index on audit_scores.scored_at: the data stamp's max() becomes an index lookup

Revision ID: 0006
Revises: 0005

``compare_queries.data_stamp`` runs on every page view and every cached comparison; its
``max(audit_scores.scored_at)`` scanned the whole table. Measured on the scale set (40,000
audits): the data stamp 7.1 -> 3.4 ms on SQLite and 10.4 -> 6.3 ms on PostgreSQL (medians of
30), and it no longer grows with the number of audits.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(op.f("ix_audit_scores_scored_at"), "audit_scores", ["scored_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_scores_scored_at"), "audit_scores")
