"""photo evidence: photos kept in the media store, and the answers that carry them

Revision ID: 0015
Revises: 0014

``media`` has one row per photo file (named by its SHA-256 in ``AUDIT_MEDIA_DIR``) with
its size, pixels and capture time; ``answer_photos`` links answers to photos, in order.
Existing audits have no photos, so no revision or seal changes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("captured_at", sa.DateTime(), nullable=True),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
        sa.Column("stored_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_media"),
        sa.UniqueConstraint("sha256", name="uq_media_sha256"),
    )
    op.create_table(
        "answer_photos",
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"],
            ["audits.id"],
            name="fk_answer_photos_audit_id_audits",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("audit_id", "item_id", "position", name="pk_answer_photos"),
    )
    op.create_index("ix_answer_photos_sha256", "answer_photos", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_answer_photos_sha256", table_name="answer_photos")
    op.drop_table("answer_photos")
    op.drop_table("media")
