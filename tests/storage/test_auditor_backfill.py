"""Migration 0014 on a database that already holds audits: one auditor per key of the
names written on them, every audit linked (on both engines)."""

from __future__ import annotations

import importlib
from datetime import datetime

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from audit_app.domain.audit import AuditRecord
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.storage.tables import auditors, audits
from tests.services.test_audits import BRANCHES, phone_answers, phone_visit

MIGRATION = importlib.import_module(
    "audit_app.storage.migrations.versions.0014_auditors_and_visit_plans"
)


def test_0014_gives_every_written_name_its_auditor_and_links_every_audit(
    ctx: AppContext,
) -> None:
    save_branches(ctx, BRANCHES)
    written = ["Laura Fernández", "laura  FERNÁNDEZ", "Laura Fernandez", "Jordi Puig"]
    ids = [
        submit_audit(
            ctx,
            AuditRecord(
                phone_visit(when=datetime(2026, 3, 2, 9 + n), auditor=name), phone_answers(ctx)
            ),
        )[0]
        for n, name in enumerate(written)
    ]
    # The database as 0014 found it: audits with names, no auditors, no links.
    with ctx.engine.begin() as conn:
        conn.execute(audits.update().values(auditor_id=None))
        conn.execute(auditors.delete())
        with Operations.context(MigrationContext.configure(conn)):
            MIGRATION._backfill_auditors()
    with ctx.engine.connect() as conn:
        people = {
            r.id: (r.name, r.name_key, r.kind)
            for r in conn.execute(
                select(auditors.c.id, auditors.c.name, auditors.c.name_key, auditors.c.kind)
            )
        }
        links = {r.id: r.auditor_id for r in conn.execute(select(audits.c.id, audits.c.auditor_id))}
    assert sorted(people.values()) == [
        ("Jordi Puig", "jordi puig", "staff"),
        ("Laura Fernandez", "laura fernandez", "staff"),
        ("Laura Fernández", "laura fernández", "staff"),
    ]
    named = {key: auditor_id for auditor_id, (_n, key, _k) in people.items()}
    assert links == {
        ids[0]: named["laura fernández"],
        ids[1]: named["laura fernández"],
        ids[2]: named["laura fernandez"],
        ids[3]: named["jordi puig"],
    }
