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
    _seal_stored_audits()


def _seal_stored_audits() -> None:
    """Seal the audits submitted before the trail existed (revision 1, oldest submission
    first), so that an upgraded database verifies clean. Plain SQL: this step must keep
    working whatever the tables look like in later versions."""
    from audit_app.storage import trail

    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT a.id, b.code AS branch_code, a.checklist_id, a.checklist_version, "
            "a.visited_at, a.auditor, a.kind, a.channel, a.language, a.source_hash, "
            "a.created_by, a.created_at, a.submitted_at "
            "FROM audits a JOIN branches b ON b.id = a.branch_id "
            "WHERE a.status = 'submitted' ORDER BY a.submitted_at, a.id"
        ).columns(visited_at=sa.DateTime(), created_at=sa.DateTime(), submitted_at=sa.DateTime())
    ).all()
    revisions = sa.table(
        "audit_revisions",
        *(
            sa.column(name, type_)
            for name, type_ in (
                ("audit_id", sa.Integer()),
                ("revision", sa.Integer()),
                ("created_at", sa.DateTime()),
                ("created_by", sa.String()),
                ("reason", sa.Text()),
                ("content", sa.JSON()),
                ("content_hash", sa.String()),
                ("audit_hash", sa.String()),
                ("sequence", sa.Integer()),
                ("chain_hash", sa.String()),
            )
        ),
    )
    head: tuple[int, str | None] = (0, None)
    for start in range(0, len(rows), 900):
        chunk = [dict(row._mapping) for row in rows[start : start + 900]]
        found: dict[int, list[trail.AnswerRow]] = {row["id"]: [] for row in chunk}
        answers = conn.execute(
            sa.text(
                "SELECT audit_id, item_id, value, na, comment FROM answers WHERE audit_id IN :ids"
            ).bindparams(sa.bindparam("ids", expanding=True)),
            {"ids": list(found)},
        )
        for audit_id, item_id, value, na, comment in answers:
            found[audit_id].append((item_id, value, bool(na), comment))
        seals = []
        for row in chunk:
            at = row["submitted_at"] or row["created_at"]
            content = trail.revision_content(
                row, found[row["id"]], revision=1, by=row["created_by"], at=at, reason=None
            )
            seals.append(trail.Seal(row["id"], 1, at, row["created_by"], None, content))
        written = trail.chained_rows(seals, head)
        conn.execute(sa.insert(revisions), written)
        head = (written[-1]["sequence"], written[-1]["chain_hash"])


def downgrade() -> None:
    op.drop_table("appeals")
    op.drop_table("action_events")
    op.drop_table("corrective_actions")
    op.drop_table("audit_revisions")
    op.drop_index(op.f("ix_audits_follow_up_of"), "audits")
    op.drop_column("audits", "follow_up_of")
    op.drop_column("audits", "revision")
