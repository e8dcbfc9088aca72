"""visit reference: the visit's id in an outside system, part of the visit's key

Revision ID: 0011
Revises: 0010

``audits.visit_reference`` (nullable, indexed) keeps an agency's review number. One visit
was (branch, checklist, time, auditor); it is now that and the reference where there is one,
so two visits of one store on one day with two review numbers are two audits. The old
unique constraint gives way to two partial unique indexes (a NULL never equals another in
a unique key). SQLite cannot drop a constraint in place: ``audits`` is rebuilt (copied,
dropped, renamed), which ``audit-app db upgrade`` runs with foreign keys off so that
dropping the old table does not cascade into the answers; this migration refuses to run
with them on. Seals are unchanged: the ledger seals the column only when it holds a value.
"""

import sqlalchemy as sa
from alembic import op

from audit_app.errors import AuditAppError

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_KEY = ["branch_id", "checklist_id", "visited_at", "auditor"]


class ForeignKeysOn(AuditAppError):
    """Rebuilding ``audits`` on SQLite with foreign keys on would delete every answer."""


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite" and conn.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise ForeignKeysOn(
            "migration 0011 rebuilds the audits table: run it through `audit-app db upgrade`, "
            "which turns SQLite's foreign keys off while it does; nothing was changed"
        )
    op.add_column("audits", sa.Column("visit_reference", sa.String(length=200), nullable=True))
    with op.batch_alter_table("audits", recreate="auto") as batch_op:
        batch_op.drop_constraint(
            "uq_audits_branch_id_checklist_id_visited_at_auditor", type_="unique"
        )
    op.create_index("ix_audits_visit_reference", "audits", ["visit_reference"])
    op.create_index(
        "uq_audits_visit",
        "audits",
        _KEY,
        unique=True,
        sqlite_where=sa.text("visit_reference IS NULL"),
        postgresql_where=sa.text("visit_reference IS NULL"),
    )
    op.create_index(
        "uq_audits_visit_reference",
        "audits",
        [*_KEY, "visit_reference"],
        unique=True,
        sqlite_where=sa.text("visit_reference IS NOT NULL"),
        postgresql_where=sa.text("visit_reference IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_audits_visit_reference", table_name="audits")
    op.drop_index("uq_audits_visit", table_name="audits")
    op.drop_index("ix_audits_visit_reference", table_name="audits")
    with op.batch_alter_table("audits", recreate="auto") as batch_op:
        batch_op.create_unique_constraint(
            "uq_audits_branch_id_checklist_id_visited_at_auditor", _KEY
        )
    op.drop_column("audits", "visit_reference")
