"""Coverage of a plan and the sample-size planner through the services, on both engines."""

from __future__ import annotations

import math
import statistics
from datetime import date, datetime

import pytest

from audit_app.domain.audit import AuditRecord
from audit_app.domain.coverage import (
    AreaCoverage,
    BranchCoverage,
    Coverage,
    RegionCoverage,
    Tally,
)
from audit_app.domain.filters import AuditFilter
from audit_app.domain.sample_size import SampleSize, Spread
from audit_app.services import coverage as service
from audit_app.services.access import AccessDenied
from audit_app.services.audits import list_scores, submit_audit
from audit_app.services.context import AppContext
from tests.coverage_world import MARTA, TODAY, World, build, fill
from tests.services.test_audits import phone_answers, phone_visit

ES01 = Tally(planned=3, done=1, due=1, overdue=1, unassigned=1, branches=1, rankable=1)
ES02 = Tally(planned=1, done=0, due=0, overdue=1, unassigned=1, branches=1, rankable=0)
TR01 = Tally(planned=2, done=1, due=1, overdue=0, unassigned=0, branches=1, rankable=0)
BARCELONA = Tally(planned=4, done=1, due=1, overdue=2, unassigned=2, branches=2, rankable=1)


@pytest.fixture
def world(ctx: AppContext) -> World:
    return build(ctx)


def test_the_running_published_plan_is_covered_per_branch_area_and_region(world: World) -> None:
    result = service.plan_coverage(world.ctx, today=TODAY)
    assert result.plan == service.CoveredPlan(
        world.plan,
        "Q1 phone shops",
        "greeting_phone",
        "Greeting: telephone",
        date(2026, 1, 1),
        date(2026, 3, 31),
        "published",
    )
    assert result.coverage == Coverage(
        today=TODAY,
        min_audits=3,
        branches=(
            BranchCoverage("ES-01", "Gràcia", "Barcelona", "Catalonia", ES01, 3),
            BranchCoverage("ES-02", "Eixample", "Barcelona", "Catalonia", ES02, 0),
            BranchCoverage("TR-01", "Kadıköy", "İstanbul Asya", "Istanbul", TR01, 1),
        ),
        areas=(
            AreaCoverage("Catalonia", "Barcelona", BARCELONA),
            AreaCoverage("Istanbul", "İstanbul Asya", TR01),
        ),
        regions=(RegionCoverage("Catalonia", BARCELONA), RegionCoverage("Istanbul", TR01)),
        total=Tally(planned=6, done=2, due=2, overdue=2, unassigned=2, branches=3, rankable=1),
    )


def test_an_area_manager_sees_her_areas_only(world: World) -> None:
    marta = world.ctx.as_user(MARTA)
    result = service.plan_coverage(marta, world.plan, today=TODAY)
    assert [b.branch_code for b in result.coverage.branches] == ["ES-01", "ES-02"]
    assert result.coverage.total == BARCELONA
    with pytest.raises(AccessDenied):
        service.plan_coverage(marta, world.plan, area="İstanbul Asya", today=TODAY)


def test_region_and_area_filters_ignore_case(world: World) -> None:
    by_region = service.plan_coverage(world.ctx, world.plan, region="istanbul", today=TODAY)
    assert by_region.coverage.total == TR01
    by_area = service.plan_coverage(world.ctx, world.plan, area="barcelona", today=TODAY)
    assert by_area.coverage.total == BARCELONA


def test_a_submission_that_fills_a_slot_changes_the_coverage(world: World) -> None:
    audit_id = submit_audit(
        world.ctx,
        AuditRecord(phone_visit("TR-01", datetime(2026, 2, 16, 11)), phone_answers(world.ctx)),
    )[0]
    fill(world.ctx, world.slots[5], audit_id)
    after = service.plan_coverage(world.ctx, today=TODAY).coverage
    tr01 = next(b for b in after.branches if b.branch_code == "TR-01")
    assert tr01 == BranchCoverage(
        "TR-01",
        "Kadıköy",
        "İstanbul Asya",
        "Istanbul",
        Tally(planned=2, done=2, due=0, overdue=0, unassigned=0, branches=1, rankable=0),
        2,
    )
    assert tr01.still_needed == 1


def test_a_draft_plan_is_shown_only_when_asked_for_by_number(world: World) -> None:
    assert [p.name for p in service.plans(world.ctx)] == ["Q1 phone shops"]
    assert [p.name for p in service.plans(world.ctx, published_only=False)] == [
        "Q2 draft",
        "Q1 phone shops",
    ]
    draft = service.plan_coverage(world.ctx, world.draft, today=TODAY)
    assert draft.plan.status == "draft" and draft.coverage.total.planned == 1
    # After the published plan ends, it is still the latest one.
    assert service.current_plan(world.ctx, date(2026, 5, 1)).id == world.plan  # type: ignore[union-attr]


def test_no_plan_is_refused_in_a_sentence(ctx: AppContext) -> None:
    with pytest.raises(service.NoPlan, match="no published plan yet"):
        service.plan_coverage(ctx)
    with pytest.raises(service.NoPlan, match="no plan number 99"):
        service.plan_coverage(ctx, 99)
    assert service.current_plan(ctx) is None


def test_the_sample_size_rests_on_the_pooled_within_branch_spread(world: World) -> None:
    scores: dict[str, list[float]] = {}
    frame = list_scores(world.ctx, AuditFilter(checklist_id="greeting_phone"))
    for code, overall in zip(frame["branch_code"], frame["overall"], strict=True):
        scores.setdefault(code, []).append(float(overall))
    assert sorted(len(v) for v in scores.values()) == [2, 3]
    squares = sum(statistics.variance(v) * (len(v) - 1) for v in scores.values())
    sd = math.sqrt(squares / 3)
    spread = Spread(pytest.approx(sd), branches=2, audits=5)  # type: ignore[arg-type]
    assert service.spread(world.ctx, "greeting_phone") == spread
    size = service.sample_size(world.ctx, 5.0, "greeting_phone")
    visits = math.ceil((1.645 * sd / 5.0) ** 2)
    assert size == SampleSize(5.0, visits, pytest.approx(1.645 * sd / math.sqrt(visits)), spread)  # type: ignore[arg-type]
    # Marta's area alone has one branch with three audits.
    marta = service.spread(world.ctx.as_user(MARTA), "greeting_phone")
    assert (marta.branches, marta.audits) == (1, 3)
    assert service.sample_size(world.ctx, 5.0, "greeting_phone", date_to=date(2026, 1, 1)) is None


def test_a_period_counts_the_visits_planned_within_it_per_published_plan(world: World) -> None:
    february = service.period_coverage(world.ctx, date(2026, 2, 1), date(2026, 2, 28), today=TODAY)
    assert [p.plan.id for p in february] == [world.plan]  # the draft is left out
    assert february[0].coverage.total == Tally(
        planned=2, done=0, due=1, overdue=1, unassigned=0, branches=2, rankable=1
    )
    assert [b.branch_code for b in february[0].coverage.branches] == ["ES-01", "TR-01"]
    assert service.period_coverage(world.ctx, date(2026, 4, 1), date(2026, 6, 30)) == []
    marta = service.period_coverage(
        world.ctx.as_user(MARTA), date(2026, 1, 1), date(2026, 3, 31), today=TODAY
    )
    assert marta[0].coverage.total == BARCELONA
