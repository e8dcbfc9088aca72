"""The data version that page caches are keyed by: it moves with every write a user can see,
and an area manager's moves with her areas' audits only (#21)."""

from __future__ import annotations

import threading
from datetime import date, datetime
from typing import Any

import pytest

from audit_app.domain.audit import AuditRecord
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare, kept_selections
from audit_app.services.audits import submit_audit
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.freshness import data_version
from audit_app.services.revisions import revise_audit
from audit_app.storage import ledger
from tests.services.test_audits import phone_answers, phone_visit

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
AUDITOR = "Jordi Vidal"
"""One of the demo's auditors: a new name would add an auditor, which every scope counts."""


def test_an_area_manager_s_version_moves_with_her_areas_only(ctx: AppContext) -> None:
    load_demo(ctx)
    areas = {b.code: b.area for b in list_branches(ctx)}
    mine = next(code for code, area in sorted(areas.items()) if area == "Barcelona")
    other = next(code for code, area in sorted(areas.items()) if area != "Barcelona")
    hq, marta = ctx.as_user(HQ), ctx.as_user(MARTA)

    def versions() -> tuple[object, object]:
        return data_version(hq), data_version(marta)

    before = versions()
    assert versions() == before  # nothing written, nothing moves
    submit_audit(
        ctx, AuditRecord(phone_visit(other, datetime(2026, 11, 30, 9), AUDITOR), phone_answers(ctx))
    )
    elsewhere = versions()
    assert elsewhere[0] != before[0]  # head office sees every area
    assert elsewhere[1] == before[1]  # another area's visit leaves hers alone
    audit_id, _ = submit_audit(
        ctx, AuditRecord(phone_visit(mine, datetime(2026, 11, 30, 10), AUDITOR), phone_answers(ctx))
    )
    hers = versions()
    assert hers[0] != elsewhere[0] and hers[1] != elsewhere[1]
    revise_audit(ctx, audit_id, phone_answers(ctx, **{"call.tone": 2}), reason="the tone was curt")
    corrected = versions()
    assert corrected[0] != hers[0] and corrected[1] != hers[1]  # a correction moves both


def test_the_version_of_a_period_moves_with_the_visits_in_its_dates_only(ctx: AppContext) -> None:
    """Figures of a period (the pages' last twelve complete months) keep their version
    while visits after it come in and are corrected; a visit or a correction inside its dates
    moves it, for head office and, in her areas, for an area manager."""
    load_demo(ctx)
    areas = {b.code: b.area for b in list_branches(ctx)}
    mine = next(code for code, area in sorted(areas.items()) if area == "Barcelona")
    other = next(code for code, area in sorted(areas.items()) if area != "Barcelona")
    hq, marta = ctx.as_user(HQ), ctx.as_user(MARTA)
    period = AuditFilter(date_from=date(2025, 1, 1), date_to=date(2026, 10, 31))

    def versions() -> tuple[object, ...]:
        return data_version(hq, period), data_version(marta, period), data_version(hq)

    def visit(code: str, when: datetime) -> int:
        record = AuditRecord(phone_visit(code, when, AUDITOR), phone_answers(ctx))
        return submit_audit(ctx, record)[0]

    before = versions()
    after_it = visit(mine, datetime(2026, 11, 2, 9))  # after the period, in her area
    later = versions()
    assert later[:2] == before[:2] and later[2] != before[2]
    revise_audit(ctx, after_it, phone_answers(ctx, **{"call.tone": 2}), reason="curt")
    assert versions()[:2] == before[:2]
    visit(other, datetime(2026, 10, 31, 23, 30))  # the period's last evening, another area
    elsewhere = versions()
    assert elsewhere[0] != later[0] and elsewhere[1] == later[1]
    inside = visit(mine, datetime(2025, 1, 1, 0, 0))  # its first minute, her area
    hers = versions()
    assert hers[0] != elsewhere[0] and hers[1] != elsewhere[1]
    revise_audit(ctx, inside, phone_answers(ctx, **{"call.tone": 2}), reason="curt")
    corrected = versions()
    assert corrected[0] != hers[0] and corrected[1] != hers[1]


def test_a_period_s_version_moves_when_the_audits_go_back_as_after_a_restore(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fewer audits, or an older newest id or scoring (a backup restored over newer data),
    cannot be told from the rows written since: every period's version moves."""
    from audit_app.storage import compare_queries

    load_demo(ctx)
    hq = ctx.as_user(HQ)
    period = AuditFilter(date_from=date(2025, 1, 1), date_to=date(2026, 10, 31))
    real = compare_queries.data_stamp
    with ctx.engine.connect() as conn:
        now = real(conn)
    count, newest, scoring = now[:3]
    for older in (
        (count - 1, newest, scoring),
        (count, newest - 1, scoring),
        (count, newest, scoring.replace(year=scoring.year - 1)),
    ):
        monkeypatch.setattr(compare_queries, "data_stamp", real)
        before = data_version(hq, period)
        monkeypatch.setattr(compare_queries, "data_stamp", lambda *a, o=older, **k: (*o, *now[3:]))
        assert data_version(hq, period) != before, older


def test_a_period_s_version_reads_only_the_rows_written_since(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Asked again with nothing written, no query looks at the period; after a write, one
    look at the new rows, not a count of the period."""
    from audit_app.storage import period_changes

    load_demo(ctx)
    hq = ctx.as_user(HQ)
    period = AuditFilter(date_from=date(2025, 1, 1), date_to=date(2026, 10, 31))
    looks: list[object] = []
    real = period_changes.changed_since
    monkeypatch.setattr(
        period_changes, "changed_since", lambda *a, **k: looks.append(a) or real(*a, **k)
    )
    first = data_version(hq, period)
    assert data_version(hq, period) == first and looks == []
    record = AuditRecord(
        phone_visit(min(b.code for b in list_branches(ctx)), datetime(2026, 11, 2, 9), AUDITOR),
        phone_answers(ctx),
    )
    submit_audit(ctx, record)
    assert data_version(hq, period) == first and len(looks) == 1
    assert data_version(hq, period) == first and len(looks) == 1


def test_a_period_s_visit_committed_after_a_later_numbered_one_moves_its_version(
    ctx: AppContext, engine_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two visits submitted at once on PostgreSQL take their ids and scoring times before
    the trail's lock and may commit in the other order: the period's visit, numbered and
    scored first, lands after a later visit was seen. Its version must still move, or the
    comparison selection kept under it (#21) goes on without the visit."""
    if engine_kind != "postgresql":
        pytest.skip("SQLite has one writer at a time: its visits commit in the order numbered")
    load_demo(ctx)
    kept_selections.forget()
    hq = ctx.as_user(HQ)
    code = min(b.code for b in list_branches(ctx))
    period = AuditFilter(date_from=date(2025, 1, 1), date_to=date(2026, 10, 31))
    request = ComparisonRequest(period, items=False, auditors=False, evidence=False)
    before = compare.comparison(hq, request, data_version(hq, period)).audits
    numbered, go = threading.Event(), threading.Event()
    held = threading.local()
    real_seal = ledger.seal

    def seal(*args: Any, **kwargs: Any) -> int:
        if getattr(held, "here", False):  # the period's visit: numbered, not yet committed
            numbered.set()
            assert go.wait(30)
        return real_seal(*args, **kwargs)

    monkeypatch.setattr(ledger, "seal", seal)
    failures: list[BaseException] = []

    def inside_the_period() -> None:
        held.here = True
        try:
            when = datetime(2026, 6, 3, 9)
            submit_audit(ctx, AuditRecord(phone_visit(code, when, AUDITOR), phone_answers(ctx)))
        except BaseException as error:  # shown by the assertion below
            failures.append(error)
            numbered.set()

    first = threading.Thread(target=inside_the_period)
    first.start()
    try:
        assert numbered.wait(30)
        when = datetime(2026, 11, 2, 9)  # after the period: numbered, scored, committed later
        submit_audit(ctx, AuditRecord(phone_visit(code, when, AUDITOR), phone_answers(ctx)))
        looked = data_version(hq, period)
    finally:
        go.set()
        first.join(30)
    assert not failures
    now = data_version(hq, period)
    assert now != looked
    assert compare.comparison(hq, request, now).audits == before + 1
