"""A small chain for the plan tests: four branches in two areas, an area manager, and
auditors inserted straight into ``auditors`` (their own service is another module's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import insert, select, update

from audit_app.domain.audit import AuditRecord, Branch, Channel, Visit
from audit_app.domain.plans import ChannelNeed, PlanRequest, PlanScope, name_key
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.users import add_user
from audit_app.storage import database
from audit_app.storage.tables import auditors, audits
from tests.services.test_audits import phone_answers

BRANCHES = [
    Branch(
        code="ES-01",
        name="Gràcia",
        region="Catalonia",
        area="Barcelona",
        country="ES",
        manager="Jordi Vidal",
    ),
    Branch(code="ES-02", name="Sants", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="ES-03", name="Girona", region="Catalonia", area="Girona", country="ES"),
    Branch(code="TR-01", name="Kadıköy", region="Istanbul", area="Anadolu", country="TR"),
]
# name, areas, username
AUDITORS: list[tuple[str, tuple[str, ...], str | None]] = [
    ("Jordi Vidal", (), None),
    ("Marta Puig", ("Barcelona",), "marta"),
    ("Laura Fernández", (), None),
    ("Elif Yılmaz", ("Anadolu",), None),
]
QUARTER = (date(2026, 7, 1), date(2026, 9, 30))


def build(ctx: AppContext) -> dict[str, int]:
    """The chain; returns the auditors' ids by name."""
    save_branches(ctx, BRANCHES)
    add_user(ctx, "marta", "area_manager", "a long password 1", areas=["Barcelona"])
    return add_auditors(ctx, AUDITORS)


def add_auditors(
    ctx: AppContext, people: Sequence[tuple[str, tuple[str, ...], str | None]]
) -> dict[str, int]:
    """The auditors as rows, with these areas and user names (an auditor already known by
    name, e.g. met in a submission, gets them)."""
    now = datetime(2026, 1, 1)
    found: dict[str, int] = {}
    with database.transaction(ctx.engine) as conn:
        for name, areas, username in people:
            values = {"areas": list(areas), "username": username, "updated_at": now}
            known = conn.execute(
                select(auditors.c.id).where(auditors.c.name_key == name_key(name))
            ).scalar()
            if known is not None:
                conn.execute(update(auditors).where(auditors.c.id == known).values(**values))
                found[name] = known
                continue
            found[name] = conn.execute(
                insert(auditors)
                .values(
                    name=name,
                    name_key=name_key(name),
                    kind="staff",
                    organisation="",
                    email="",
                    active=True,
                    created_at=now,
                    **values,
                )
                .returning(auditors.c.id)
            ).scalar_one()
    return found


def quarter_request(scope: PlanScope = PlanScope(), **changes: object) -> PlanRequest:
    values: dict[str, object] = {
        "name": "Q3 phone shops",
        "checklist_id": "greeting_phone",
        "starts_on": QUARTER[0],
        "ends_on": QUARTER[1],
        "scope": scope,
        "needs": (ChannelNeed("phone", 2),),
        "lockout_days": 30,
    } | changes
    return PlanRequest(**values)  # type: ignore[arg-type]


def phone_call(
    ctx: AppContext, branch: str, when: datetime, auditor: str = "Laura Fernández"
) -> int:
    """A submitted phone visit; returns its audit id."""
    visit = Visit(branch, "greeting_phone", 1, when, auditor, channel=Channel.PHONE)
    audit_id, _card = submit_audit(ctx, AuditRecord(visit, phone_answers(ctx)))
    return audit_id


def link_auditor(ctx: AppContext, audit_id: int, auditor_id: int) -> None:
    """What the auditors' submission path does: the audit names its auditor by id."""
    with database.transaction(ctx.engine) as conn:
        conn.execute(update(audits).where(audits.c.id == audit_id).values(auditor_id=auditor_id))
