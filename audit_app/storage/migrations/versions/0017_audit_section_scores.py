"""audit section scores: each scored audit's section scores in one row, for comparisons

Revision ID: 0017
Revises: 0016

``audit_section_scores`` (audit id, scores) holds an audit's section scores and weights as
one vector in the order of its checklist version's sections (``storage.section_vectors``).
The comparisons of a ten-times chain read a million ``section_scores`` rows for twelve
months; they now read 130,000 such rows. The upgrade fills the table from the section
scores already stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_section_scores",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("scores", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name=op.f("fk_audit_section_scores_audit_id_audits"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audit_id", name=op.f("pk_audit_section_scores")),
    )
    from audit_app.storage import section_vectors

    section_vectors.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table("audit_section_scores")
