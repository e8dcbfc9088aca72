"""auditors and visit plans: auditors as people, plans of visits per branch

Revision ID: 0014
Revises: 0013

``auditors`` holds the people who make visits (agency or staff, not necessarily users);
``audits.auditor_id`` (nullable, indexed, no foreign key: SQLite would rebuild the table)
links a visit to its auditor while ``audits.auditor`` keeps the name as written and sealed.
``visit_plans`` and ``planned_visits`` hold the plans and their slots. Seals are unchanged:
the ledger leaves ``auditor_id`` out (merging two auditors moves the link).
"""

import unicodedata
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

NAME = 200


def upgrade() -> None:
    op.create_table(
        "auditors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=NAME), nullable=False),
        sa.Column("name_key", sa.String(length=NAME), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("organisation", sa.String(length=NAME), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into"], ["auditors.id"], name="fk_auditors_merged_into_auditors"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_auditors"),
        sa.UniqueConstraint("name_key", name="uq_auditors_name_key"),
    )
    op.create_index("ix_auditors_username", "auditors", ["username"])
    op.add_column("audits", sa.Column("auditor_id", sa.Integer(), nullable=True))
    op.create_index("ix_audits_auditor_id", "audits", ["auditor_id"])
    _backfill_auditors()
    op.create_table(
        "visit_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("checklist_id", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("requirement", sa.JSON(), nullable=False),
        sa.Column("lockout_days", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("published_by", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_visit_plans"),
    )
    op.create_index("ix_visit_plans_status", "visit_plans", ["status"])
    op.create_table(
        "planned_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("due_by", sa.Date(), nullable=False),
        sa.Column("auditor_id", sa.Integer(), nullable=True),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.Column("filled_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("unassigned", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["visit_plans.id"],
            name="fk_planned_visits_plan_id_visit_plans",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["branches.id"], name="fk_planned_visits_branch_id_branches"
        ),
        sa.ForeignKeyConstraint(
            ["auditor_id"], ["auditors.id"], name="fk_planned_visits_auditor_id_auditors"
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["audits.id"], name="fk_planned_visits_audit_id_audits"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_planned_visits"),
        sa.UniqueConstraint("audit_id", name="uq_planned_visits_audit_id"),
    )
    op.create_index("ix_planned_visits_plan_id", "planned_visits", ["plan_id"])
    op.create_index("ix_planned_visits_branch_id", "planned_visits", ["branch_id"])
    op.create_index("ix_planned_visits_auditor_id", "planned_visits", ["auditor_id"])
    op.create_index("ix_planned_visits_planned_on", "planned_visits", ["planned_on"])


def _name_key(name: str) -> str:
    """The key as ``audit_app.domain.auditors.name_key`` made it when this migration was
    written (a migration never follows later code): NFC, case folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())[:NAME]


def _backfill_auditors() -> None:
    """One auditor (staff, as a typed name is taken to be) per distinct key of the names
    written on the audits, each audit linked to it; the name kept is the first written."""
    conn = op.get_bind()
    audits = sa.table(
        "audits",
        sa.column("id", sa.Integer),
        sa.column("auditor", sa.String),
        sa.column("auditor_id", sa.Integer),
    )
    auditors = sa.table(
        "auditors",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_key", sa.String),
        sa.column("kind", sa.String),
        sa.column("organisation", sa.String),
        sa.column("email", sa.String),
        sa.column("areas", sa.JSON),
        sa.column("active", sa.Boolean),
        sa.column("created_at", sa.DateTime),
        sa.column("updated_at", sa.DateTime),
    )
    ids_of: dict[str, list[int]] = {}
    name_of: dict[str, str] = {}
    for audit_id, name in conn.execute(
        sa.select(audits.c.id, audits.c.auditor).order_by(audits.c.id)
    ):
        key = _name_key(name or "")
        if not key:
            continue
        name_of.setdefault(key, " ".join(unicodedata.normalize("NFC", name).split()))
        ids_of.setdefault(key, []).append(audit_id)
    now = datetime.now(UTC).replace(tzinfo=None)
    for key, ids in ids_of.items():
        auditor_id = conn.execute(
            sa.insert(auditors)
            .values(
                name=name_of[key],
                name_key=key,
                kind="staff",
                organisation="",
                email="",
                areas=[],
                active=True,
                created_at=now,
                updated_at=now,
            )
            .returning(auditors.c.id)
        ).scalar_one()
        for start in range(0, len(ids), 1000):
            conn.execute(
                sa.update(audits)
                .where(audits.c.id.in_(ids[start : start + 1000]))
                .values(auditor_id=auditor_id)
            )


def downgrade() -> None:
    op.drop_table("planned_visits")
    op.drop_table("visit_plans")
    op.drop_index("ix_audits_auditor_id", table_name="audits")
    with op.batch_alter_table("audits", recreate="auto") as batch_op:
        batch_op.drop_column("auditor_id")
    op.drop_table("auditors")
