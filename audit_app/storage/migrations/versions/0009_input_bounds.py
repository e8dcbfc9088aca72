"""input bounds: branch codes unique ignoring case and width

Revision ID: 0009
Revises: 0008

``branches.code_key`` holds the code with Unicode width and case folded away (NFKC, then
casefold), computed in Python on every insert; a unique index on it keeps ``es-cat-01``
from standing beside ``ES-CAT-01``. A database that already holds such a pair is not
changed: the upgrade is refused naming both codes, for a person to rename one (nothing is
merged or dropped by guesswork). The column is added NOT NULL with an empty default, so
SQLite adds it in place instead of rebuilding ``branches`` (which audits refer to).
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

from audit_app.errors import AuditAppError

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


class CodesCollide(AuditAppError):
    """Two stored branch codes are the same ignoring case and width."""


def _code_key(code: str) -> str:
    # Frozen here (not imported from the domain): a migration must keep meaning what it
    # meant when it ran.
    return unicodedata.normalize("NFKC", code).casefold()


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, code FROM branches ORDER BY id")).all()
    owner: dict[str, str] = {}
    clashes: list[str] = []
    for _, code in rows:
        key = _code_key(code)
        if key in owner:
            clashes.append(f"{owner[key]!r} and {code!r}")
        else:
            owner[key] = code
    if clashes:
        raise CodesCollide(
            "cannot upgrade the database (migration 0009): branch codes "
            + "; ".join(clashes)
            + " are the same ignoring case and width. Nothing was changed; rename one of "
            "each pair (or move its audits to the other) and run `audit-app db upgrade` again"
        )
    op.add_column(
        "branches",
        sa.Column("code_key", sa.String(length=128), nullable=False, server_default=""),
    )
    keys = [{"id": id_, "key": _code_key(code)} for id_, code in rows]
    if keys:
        conn.execute(sa.text("UPDATE branches SET code_key = :key WHERE id = :id"), keys)
    op.create_index("ix_branches_code_key", "branches", ["code_key"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_branches_code_key", table_name="branches")
    op.drop_column("branches", "code_key")
