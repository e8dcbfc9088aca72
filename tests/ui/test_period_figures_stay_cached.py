"""Head office's Compare page and Overview open on the last twelve complete months; at month
end everyone enters this month's visits at once, and those figures are not computed again
for each of them (#21). A visit inside the period, back-dated, still shows at once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
import streamlit as st

from audit_app.domain.audit import AuditRecord
from audit_app.services import compare as compare_service
from audit_app.services import overview as overview_service
from audit_app.services.audits import submit_audit
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from tests.services.test_audits import phone_answers, phone_visit
from tests.ui.apptest import HQ, run_app

AUDITOR = "Jordi Vidal"
"""One of the demo's auditors: a new name would add an auditor, which every figure counts."""


def _visit(ctx: AppContext, when: datetime) -> None:
    code = sorted(b.code for b in list_branches(ctx) if b.active)[0]
    submit_audit(ctx, AuditRecord(phone_visit(code, when, AUDITOR), phone_answers(ctx)))


def _audits(app: Any) -> int:
    return int({m.label: m.value for m in app.metric}["Audits"].replace(",", ""))


def test_this_month_s_visits_leave_the_twelve_months_cached_and_a_back_dated_one_shows(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_demo(ctx)
    st.cache_data.clear()
    computed: dict[str, int] = {"comparison": 0, "overview": 0}

    def counted(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            computed[name] += 1
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(
        compare_service, "comparison", counted("comparison", compare_service.comparison)
    )
    monkeypatch.setattr(
        overview_service, "overview", counted("overview", overview_service.overview)
    )

    first = run_app(HQ, page="compare")
    shown = _audits(first)
    assert computed == {"comparison": 1, "overview": 1}

    _visit(ctx, datetime.combine(date.today(), time(0, 0)))  # this month: outside the period
    again = run_app(HQ, page="compare")
    assert computed == {"comparison": 1, "overview": 1}
    assert _audits(again) == shown

    last_month = date.today().replace(day=1) - timedelta(days=3)
    _visit(ctx, datetime.combine(last_month, time(10, 0)))  # back-dated into the period
    after = run_app(HQ, page="compare")
    assert computed == {"comparison": 2, "overview": 2}
    assert _audits(after) == shown + 1


def test_actions_changing_leave_the_overview_s_figures_cached_and_its_overdue_count_true(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every failed visit opens actions, and actions are closed all day: the Overview's
    figures stay cached through both, and its overdue count is always the current one."""
    from audit_app.services.actions import ActionFilter, list_actions, update_action

    load_demo(ctx)
    st.cache_data.clear()
    computed: list[int] = []
    real = overview_service.overview

    def counted(*args: Any, **kwargs: Any) -> Any:
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(overview_service, "overview", counted)

    def overdue_shown() -> int:
        app = run_app(HQ)
        kpis = {m.label: m.value for m in app.metric}
        return int(kpis["Overdue actions"].replace(",", ""))

    assert overdue_shown() > 0
    for action in list_actions(ctx, ActionFilter(overdue_only=True)):
        update_action(ctx, action.id, status="done")
    assert overdue_shown() == 0
    assert len(computed) == 1


def test_the_overview_s_overdue_count_follows_a_branch_moved_into_the_region(
    ctx: AppContext,
) -> None:
    """The overdue actions are counted by the branches' region (and areas, country): a
    branch moved into the region brings its overdue actions into the count at once, though
    no action and no audit of the period changed."""
    from audit_app.services.actions import ActionFilter, list_actions
    from audit_app.services.branches import update_branches

    load_demo(ctx)
    st.cache_data.clear()
    region_of = {b.code: b.region for b in list_branches(ctx)}
    overdue: dict[str, int] = {}
    for action in list_actions(ctx, ActionFilter(overdue_only=True)):
        overdue[action.branch_code] = overdue.get(action.branch_code, 0) + 1
    region = sorted(set(region_of.values()))[0]
    moved = next(code for code in sorted(overdue) if region_of[code] != region)

    app = run_app(HQ)
    next(box for box in app.sidebar.selectbox if box.label == "Region").set_value(region).run()

    def overdue_shown() -> int:
        kpis = {m.label: m.value for m in app.metric}
        return int(kpis["Overdue actions"].replace(",", ""))

    before = overdue_shown()
    update_branches(ctx.as_user(HQ), {moved: {"region": region}})
    app.run()
    assert not app.exception, app.exception
    assert overdue_shown() == before + overdue[moved]


def test_the_overview_s_overdue_count_moves_with_the_day(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is written overnight, yet actions due yesterday are overdue today: the count
    is cached per day, not only per actions' version."""
    from audit_app.services import actions
    from audit_app.services.actions import ActionFilter, list_actions

    load_demo(ctx)
    st.cache_data.clear()
    day = date.today()
    monkeypatch.setattr(actions, "today", lambda: day)
    app = run_app(HQ)

    def overdue_shown() -> int:
        kpis = {m.label: m.value for m in app.metric}
        return int(kpis["Overdue actions"].replace(",", ""))

    before = overdue_shown()
    later = day + timedelta(days=90)
    monkeypatch.setattr(actions, "today", lambda: later)
    app.run()
    assert not app.exception, app.exception
    due = list_actions(ctx, ActionFilter(overdue_only=True), on=later)
    assert overdue_shown() == len(due) > before
