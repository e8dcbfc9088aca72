"""audit item scores: each audit's item scores in one row, for item-level comparisons

Revision ID: 0012
Revises: 0011

``audit_item_scores`` (audit id, scores) holds an audit's item scores as one vector in the
order of its checklist version's items (``storage.item_vectors``). Per-item consistency on
the 5,000-branch scale set grouped 2.4 million answers (about 4 s on either engine); it now
reads 40,000 such rows. The upgrade fills the table from the answers already stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_item_scores",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_audit_item_scores_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_item_scores")),
    )
    from audit_app.storage import item_vectors

    item_vectors.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("audit_item_scores")
