"""corrective actions, revisions with a hash chain, appeals, follow-ups

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on audits: a batch rebuild of the table would drop it, and with
    # foreign keys on SQLite would cascade-delete every answer.
    op.add_column("audits", sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
    op.add_column("audits", sa.Column("follow_up_of", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_audits_follow_up_of"), "audits", ["follow_up_of"])
    op.create_table(
        "audit_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("chain_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_audit_revisions_audit_id_audits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_revisions")),
        sa.UniqueConstraint(
            "audit_id", "revision", name=op.f("uq_audit_revisions_audit_id_revision")
        ),
        sa.UniqueConstraint("sequence", name=op.f("uq_audit_revisions_sequence")),
    )
    op.create_table(
        "corrective_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.String(length=64), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("critical", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=True),
        sa.Column("verified_by_audit", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_corrective_actions_audit_id_audits")
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["branches.id"],
            name=op.f("fk_corrective_actions_branch_id_branches"),
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_audit"],
            ["audits.id"],
            name=op.f("fk_corrective_actions_verified_by_audit_audits"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrective_actions")),
    )
    for column in ("audit_id", "branch_id", "status"):
        op.create_index(op.f(f"ix_corrective_actions_{column}"), "corrective_actions", [column])
    op.create_table(
        "action_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=True),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["corrective_actions.id"],
            name=op.f("fk_action_events_action_id_corrective_actions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_events")),
    )
    op.create_index(op.f("ix_action_events_action_id"), "action_events", ["action_id"])
    op.create_table(
        "appeals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("raised_by", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by", sa.String(length=200), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name=op.f("fk_appeals_audit_id_audits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
    )
    op.create_index(op.f("ix_appeals_audit_id"), "appeals", ["audit_id"])


def downgrade() -> None:
    op.drop_table("appeals")
    op.drop_table("action_events")
    op.drop_table("corrective_actions")
    op.drop_table("audit_revisions")
    op.drop_index(op.f("ix_audits_follow_up_of"), "audits")
    op.drop_column("audits", "follow_up_of")
    op.drop_column("audits", "revision")
