"""A tiny chain with a published plan, a draft plan and auditors, written straight into the
tables (the plans service is built alongside, so these tests do not lean on it).

Plan 1 "Q1 phone shops" (published, greeting_phone, 2026-01-01..2026-03-31):
  ES-01 Gràcia: slot 1 done (by the first audit), slot 2 overdue on TODAY, slot 3 due and
    unassigned; three audits in the period (so it can be ranked).
  ES-02 Eixample: slot 4 overdue, unassigned; no audit.
  TR-01 Kadıköy: slot 5 done, slot 6 due; one audit.
Plan 2 "Q2 draft" (draft): one slot at ES-01 for Laura, which no calendar shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update

from audit_app.domain.audit import AuditRecord, Branch
from audit_app.domain.users import Role, User
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.storage import database
from audit_app.storage.tables import auditors, branches, planned_visits, visit_plans
from tests.services.test_audits import phone_answers, phone_visit

TODAY = date(2026, 2, 10)
NOW = datetime(2026, 1, 2, 9, 0)
PUBLISHED_AT = datetime(2026, 1, 3, 8, 30)
HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))

BRANCHES = [
    Branch(
        code="ES-01",
        name="Gràcia",
        region="Catalonia",
        area="Barcelona",
        country="ES",
        address="Carrer Gran de Gràcia 1, Barcelona",
    ),
    Branch(
        code="ES-02",
        name="Eixample",
        region="Catalonia",
        area="Barcelona",
        country="ES",
        address="Carrer d'Aragó 2, Barcelona",
    ),
    Branch(
        code="TR-01",
        name="Kadıköy",
        region="Istanbul",
        area="İstanbul Asya",
        country="TR",
        address="Moda Cd. 3, İstanbul",
    ),
]


@dataclass(frozen=True)
class World:
    ctx: AppContext
    laura: int
    mehmet: int
    plan: int
    draft: int
    slots: tuple[int, ...]
    audits: tuple[int, ...]


def _submit(ctx: AppContext, code: str, when: datetime, **answers: object) -> int:
    return submit_audit(ctx, AuditRecord(phone_visit(code, when), phone_answers(ctx, **answers)))[0]


def build(ctx: AppContext) -> World:
    save_branches(ctx, BRANCHES)
    audits = (
        _submit(ctx, "ES-01", datetime(2026, 1, 12, 10)),
        _submit(ctx, "ES-01", datetime(2026, 1, 20, 10), **{"call.tone": 3}),
        _submit(ctx, "ES-01", datetime(2026, 2, 2, 10), **{"call.clear_speech": False}),
        _submit(ctx, "TR-01", datetime(2026, 1, 15, 10), **{"call.tone": 2}),
        _submit(ctx, "TR-01", datetime(2025, 12, 15, 10)),  # before the period
    )
    with database.transaction(ctx.engine) as conn:
        ids = dict(conn.execute(select(branches.c.code, branches.c.id)).all())
        laura, mehmet = (
            conn.execute(
                insert(auditors).values(
                    name=name,
                    name_key=key,
                    kind=kind,
                    organisation="",
                    email="",
                    areas=[],
                    active=True,
                    created_at=NOW,
                    updated_at=NOW,
                )
            ).inserted_primary_key[0]
            for name, key, kind in (
                ("Laura Fernández", "laura fernandez", "agency"),
                ("Mehmet Kaya", "mehmet kaya", "staff"),
            )
        )
        plan = _plan(conn, "Q1 phone shops", date(2026, 1, 1), date(2026, 3, 31), "published")
        draft = _plan(conn, "Q2 draft", date(2026, 4, 1), date(2026, 6, 30), "draft")
        slots = tuple(
            conn.execute(
                insert(planned_visits).values(
                    plan_id=plan_id,
                    branch_id=ids[code],
                    channel="phone",
                    planned_on=planned_on,
                    due_by=due_by,
                    auditor_id=auditor,
                    audit_id=audit,
                    filled_at=NOW if audit else None,
                )
            ).inserted_primary_key[0]
            for plan_id, code, planned_on, due_by, auditor, audit in (
                (plan, "ES-01", date(2026, 1, 12), date(2026, 1, 31), laura, audits[0]),
                (plan, "ES-01", date(2026, 2, 3), date(2026, 2, 9), laura, None),
                (plan, "ES-01", date(2026, 3, 10), date(2026, 3, 31), None, None),
                (plan, "ES-02", date(2026, 1, 26), date(2026, 2, 6), None, None),
                (plan, "TR-01", date(2026, 1, 14), date(2026, 1, 31), mehmet, audits[3]),
                (plan, "TR-01", date(2026, 2, 16), date(2026, 3, 31), mehmet, None),
                (draft, "ES-01", date(2026, 4, 14), date(2026, 4, 30), laura, None),
            )
        )
    return World(ctx, laura, mehmet, plan, draft, slots, audits)


def _plan(conn: object, name: str, start: date, end: date, status: str) -> int:
    published = status == "published"
    result = conn.execute(  # type: ignore[attr-defined]
        insert(visit_plans).values(
            name=name,
            checklist_id="greeting_phone",
            starts_on=start,
            ends_on=end,
            scope={"regions": [], "areas": [], "branches": []},
            requirement=[{"channel": "phone", "visits": 3}],
            lockout_days=14,
            status=status,
            created_at=NOW,
            created_by="hq",
            updated_at=NOW,
            published_at=PUBLISHED_AT if published else None,
            published_by="hq" if published else None,
        )
    )
    return int(result.inserted_primary_key[0])


def fill(ctx: AppContext, slot: int, audit_id: int) -> None:
    """What the plans helper's slot filling does on submission, by hand."""
    with database.transaction(ctx.engine) as conn:
        conn.execute(
            update(planned_visits)
            .where(planned_visits.c.id == slot)
            .values(audit_id=audit_id, filled_at=NOW)
        )
