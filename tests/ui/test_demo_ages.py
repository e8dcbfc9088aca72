"""A fresh demo, loaded and opened on a day long after its visits: the pages show its year of
audits by default and a few of its open actions overdue, not all (AppTest)."""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from audit_app.domain.reporting_period import ReportingPeriod
from audit_app.services import actions
from audit_app.services.actions import ActionFilter, list_actions
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.ui.components import period_picker
from tests.ui.apptest import HQ, MARTA, run_app

LOAD_DAYS = (date(2026, 12, 5), date(2027, 6, 1), date(2029, 1, 1))
DEMO_YEAR = ReportingPeriod(date(2025, 12, 1), date(2026, 11, 1))
"""The demo's visits (1 Dec 2025 to 20 Nov 2026): the default period on every load day."""


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def count(text: str) -> int:
    return int(text.replace(",", ""))


def period_shown(app: AppTest) -> tuple[date, date]:
    return next(s for s in app.sidebar.select_slider if s.label == "Period").value  # type: ignore[no-any-return]


@pytest.mark.parametrize("load_day", LOAD_DAYS, ids=str)
def test_a_fresh_demo_opens_on_its_year_with_a_few_actions_overdue(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch, load_day: date
) -> None:
    # The calendar's today, where the pages read it (actions, the period picker).
    monkeypatch.setattr(actions, "today", lambda: load_day)
    monkeypatch.setattr(period_picker, "today", lambda: load_day)
    load_demo(ctx, today=load_day)
    open_ = list_actions(ctx, ActionFilter(status=("open", "in_progress")), on=load_day)
    overdue = sum(a.overdue for a in open_)

    overview = run_app(HQ)
    shown = metrics(overview)
    assert period_shown(overview) == (DEMO_YEAR.first, DEMO_YEAR.last)
    assert count(shown["Audits"]) > 1000  # not an empty period
    assert 0 < count(shown["Overdue actions"]) == overdue < len(open_) / 2

    listed = metrics(run_app(HQ, page="actions"))
    assert count(listed["Actions"]) == len(open_) and count(listed["Overdue"]) == overdue

    compare = run_app(HQ, page="compare")
    assert period_shown(compare) == (DEMO_YEAR.first, DEMO_YEAR.last)
    assert count(metrics(compare)["Audits"]) == count(shown["Audits"])
    slider = next(s for s in compare.sidebar.select_slider if s.label == "Period")
    assert "the twelve months up to the newest of them" in slider.proto.help
    slider.set_range(date(2026, 9, 1), DEMO_YEAR.last).run()
    back = compare.sidebar.button(key="period_reset")
    assert back.label == (  # says where it goes back to
        "Back to the last twelve complete months"
        if load_day < date(2027, 1, 1)
        else "Back to the twelve months up to Nov 2026"
    )
    back.click().run()
    assert period_shown(compare) == (DEMO_YEAR.first, DEMO_YEAR.last)

    branch = run_app(HQ, page="branch", query={"code": "ES-CAT-01"})
    assert period_shown(branch) == (DEMO_YEAR.first, DEMO_YEAR.last)
    assert not branch.info and branch.subheader  # its audits, not "no audits in ..."

    home = metrics(run_app(MARTA))
    mine = list_actions(ctx.as_user(MARTA), ActionFilter(status=("open", "in_progress")))
    assert 0 < count(home["Overdue actions"]) < len(mine)
    assert count(home["Visits due this week"]) > 0
