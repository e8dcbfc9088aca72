"""Coverage follows the plan as submissions and imports fill its slots by themselves, with
the plans service's own plan (skipped until the plans service is there to make one)."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from audit_app.services import coverage as service
from audit_app.services.context import AppContext
from tests.helpers import PHONE_ANSWERS

plans = pytest.importorskip("audit_app.services.plans")
pytest.importorskip("audit_app.services.plan_filling")
plan_world = pytest.importorskip("tests.services.plan_world")
domain_plans = pytest.importorskip("audit_app.domain.plans")


@pytest.fixture
def plan(ctx: AppContext) -> int:
    plan_world.build(ctx)
    request = plan_world.quarter_request(domain_plans.PlanScope(branches=("ES-01",)))
    plan_id = int(plans.create_plan(ctx, request))
    plans.publish_plan(ctx, plan_id)
    return plan_id


def _done(ctx: AppContext, plan_id: int, today: date) -> tuple[int, int, int]:
    total = service.plan_coverage(ctx, plan_id, today=today).coverage.total
    return total.planned, total.done, total.rankable


def test_a_submission_and_an_import_move_the_coverage(
    ctx: AppContext, plan: int, tmp_path: Path
) -> None:
    from tests.services.test_imports import fill_template

    start, end = plan_world.QUARTER
    planned, done, rankable = _done(ctx, plan, start)
    assert (done, rankable) == (0, 0) and planned >= 2
    days = [s.planned_on for s in plans.show_plan(ctx, plan).slots]
    plan_world.phone_call(ctx, "ES-01", datetime.combine(days[0], time(11)))
    assert _done(ctx, plan, start) == (planned, 1, 0)
    template = tmp_path / "visit.xlsx"
    fill_template(
        ctx, template, PHONE_ANSWERS, branch="ES-01", day=days[1], auditor="Laura Fernández"
    )
    from audit_app.services.imports import import_files

    import_files(ctx, [template])
    assert _done(ctx, plan, start) == (planned, 2, 0)
    # A third visit, planned or not, makes the branch rankable (the league's minimum is 3).
    plan_world.phone_call(ctx, "ES-01", datetime.combine(end, time(9)))
    assert _done(ctx, plan, start)[2] == 1
