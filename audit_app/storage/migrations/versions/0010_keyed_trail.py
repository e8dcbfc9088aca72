"""the ledger: records sealed under a trail key outside the database

Revision ID: 0010
Revises: 0009

Branches, users, checklist versions, submitted audits and their revisions, actions and their
events, appeals, the activity log and the import log get one sealed version each in
``record_seals`` (a baseline of the records as they are at this upgrade), chained by an HMAC
under the trail key the application hands over. ``trail_state`` keeps the key's fingerprint.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_seals",
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_key", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_record_seals")),
    )
    op.create_index(
        op.f("ix_record_seals_table_name_row_key"), "record_seals", ["table_name", "row_key"]
    )
    op.create_table(
        "trail_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("key_check", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trail_state")),
    )
    from audit_app.storage import ledger

    # The schema of 0010: columns added later (audits.visit_reference, 0011) are not there.
    ledger.seal_everything(op.get_bind(), later_columns=False)


def downgrade() -> None:
    op.drop_table("trail_state")
    op.drop_index(op.f("ix_record_seals_table_name_row_key"), table_name="record_seals")
    op.drop_table("record_seals")
