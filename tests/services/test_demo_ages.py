"""The demo ages well: loaded on any day, a few of its open actions are overdue and most are
not, and the default period still holds its audits (its visits keep their fixed dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from audit_app.domain.filters import AuditFilter
from audit_app.domain.reporting_period import default_period
from audit_app.services.actions import ActionFilter, list_actions, overdue_count
from audit_app.services.audits import list_scores
from audit_app.services.compare import visit_span
from audit_app.services.context import AppContext
from audit_app.services.coverage import current_plan
from audit_app.services.demo import load_demo
from audit_app.services.home import area_home
from audit_app.services.users import list_users

LOAD_DAYS = (date(2026, 12, 5), date(2027, 6, 1), date(2029, 1, 1))
"""The day the calendar found every open demo action overdue, half a year on, two years on."""
OPEN = ("open", "in_progress")
CLOSED = ("done", "verified")


@pytest.mark.parametrize("load_day", LOAD_DAYS, ids=str)
def test_a_demo_loaded_on_any_day_has_a_few_actions_overdue(
    ctx: AppContext, load_day: date
) -> None:
    load_demo(ctx, today=load_day)
    open_ = list_actions(ctx, ActionFilter(status=OPEN), on=load_day)
    overdue = [a for a in open_ if a.overdue]
    assert 0 < len(overdue) < len(open_) / 2  # a few overdue, most not, as in life
    assert overdue_count(ctx, on=load_day) == len(overdue)  # the Overview's figure
    # Due dates around the load day: the oldest a few weeks back, none beyond a fortnight.
    assert all(
        load_day - timedelta(days=30) <= a.due_on <= load_day + timedelta(days=14) for a in open_
    )
    assert any(a.due_on >= load_day for a in open_)

    marta = next(u for u in list_users(ctx) if u.username == "marta")
    home = area_home(ctx, marta, load_day)
    mine = list_actions(ctx.as_user(marta), ActionFilter(status=OPEN), on=load_day)
    assert 0 < len(home.overdue_actions) < len(mine)

    # The default period (the pages' and the home's) holds the demo's audits, for head
    # office and for an area manager.
    everything = default_period(load_day, visit_span(ctx)[1].date())
    scores = list_scores(
        ctx, AuditFilter(date_from=everything.date_from, date_to=everything.date_to)
    )
    assert len(scores) > 1000
    assert home.period == everything and all(b.trend.points for b in home.branches)
    # Coverage opens on the plan that runs from the load week, with a visit due that week.
    running = current_plan(ctx, load_day)
    assert running is not None and running.starts_on <= load_day <= running.ends_on
    assert home.due_this_week


def test_the_demo_closes_its_history_as_on_its_own_day(ctx: AppContext) -> None:
    """Loaded two years late, the closed actions keep the due dates their visits gave them;
    only the open ones move."""
    from audit_app.demo import LAST_DAY

    load_demo(ctx, today=date(2029, 1, 1))
    closed = list_actions(ctx, ActionFilter(status=CLOSED), on=date(2029, 1, 1))
    assert len(closed) > 1000
    assert {(a.due_on - a.found_on).days for a in closed} == {2, 14}  # the default policy
    assert max(a.found_on for a in closed) < LAST_DAY - timedelta(days=20)
    open_ = list_actions(ctx, ActionFilter(status=OPEN), on=date(2029, 1, 1))
    assert min(a.found_on for a in open_) >= LAST_DAY - timedelta(days=21)
