"""Coverage of a plan: done, due, overdue and unassigned per branch, rolled up per area,
region and plan, and the branches with enough audits to rank."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.domain.coverage import (
    AreaCoverage,
    BranchCoverage,
    Coverage,
    PlannedVisit,
    RegionCoverage,
    SlotState,
    Tally,
    cover,
    slot_state,
)

TODAY = date(2026, 2, 10)


def _visit(
    id: int,
    code: str,
    due_by: date,
    *,
    audit_id: int | None = None,
    auditor_id: int | None = 7,
) -> PlannedVisit:
    areas = {"ES-01": ("Barcelona", "Catalonia"), "ES-02": ("Barcelona", "Catalonia")}
    area, region = areas.get(code, ("İstanbul Asya", "Istanbul"))
    return PlannedVisit(
        id=id,
        plan_id=1,
        branch_code=code,
        branch_name=f"Branch {code}",
        area=area,
        region=region,
        channel="phone",
        planned_on=due_by,
        due_by=due_by,
        audit_id=audit_id,
        auditor_id=auditor_id,
    )


def test_a_slot_is_due_up_to_and_including_its_last_on_time_day() -> None:
    assert slot_state(_visit(1, "ES-01", TODAY), TODAY) == SlotState.DUE
    assert slot_state(_visit(1, "ES-01", date(2026, 2, 9)), TODAY) == SlotState.OVERDUE
    done_late = _visit(1, "ES-01", date(2026, 1, 1), audit_id=5)
    assert slot_state(done_late, TODAY) == SlotState.DONE


def test_coverage_per_branch_area_region_and_plan() -> None:
    visits = [
        _visit(1, "ES-01", date(2026, 1, 20), audit_id=11),
        _visit(2, "ES-01", date(2026, 2, 1)),  # overdue
        _visit(3, "ES-01", date(2026, 3, 20), auditor_id=None),  # due, unassigned
        _visit(4, "ES-02", date(2026, 2, 5), auditor_id=None),  # overdue, unassigned
        _visit(5, "TR-01", date(2026, 1, 15), audit_id=12),
        _visit(6, "TR-01", date(2026, 3, 1), audit_id=13),  # done early
    ]
    # ES-01 has three audits in the period (one unplanned counts too); TR-01 two.
    result = cover(visits, {"ES-01": 3, "TR-01": 2, "XX-99": 9}, TODAY)
    es01 = Tally(planned=3, done=1, due=1, overdue=1, unassigned=1, branches=1, rankable=1)
    es02 = Tally(planned=1, done=0, due=0, overdue=1, unassigned=1, branches=1, rankable=0)
    tr01 = Tally(planned=2, done=2, due=0, overdue=0, unassigned=0, branches=1, rankable=0)
    barcelona = Tally(planned=4, done=1, due=1, overdue=2, unassigned=2, branches=2, rankable=1)
    assert result == Coverage(
        today=TODAY,
        min_audits=3,
        branches=(
            BranchCoverage("ES-01", "Branch ES-01", "Barcelona", "Catalonia", es01, 3),
            BranchCoverage("ES-02", "Branch ES-02", "Barcelona", "Catalonia", es02, 0),
            BranchCoverage("TR-01", "Branch TR-01", "İstanbul Asya", "Istanbul", tr01, 2),
        ),
        areas=(
            AreaCoverage("Catalonia", "Barcelona", barcelona),
            AreaCoverage("Istanbul", "İstanbul Asya", tr01),
        ),
        regions=(RegionCoverage("Catalonia", barcelona), RegionCoverage("Istanbul", tr01)),
        total=Tally(planned=6, done=3, due=1, overdue=2, unassigned=2, branches=3, rankable=1),
    )
    assert result.total.rankable_share == 1 / 3
    assert [b.still_needed for b in result.branches] == [0, 3, 1]
    assert [b.rankable for b in result.branches] == [True, False, False]


def test_the_minimum_to_rank_is_the_leagues_unless_told() -> None:
    visits = [_visit(1, "ES-01", TODAY)]
    assert cover(visits, {"ES-01": 2}, TODAY).total.rankable == 0
    assert cover(visits, {"ES-01": 2}, TODAY, min_audits=2).total.rankable == 1


def test_no_visits_no_coverage() -> None:
    result = cover([], {}, TODAY)
    assert result == Coverage(TODAY, 3, (), (), (), Tally())
    assert result.total.rankable_share is None and result.total.done_share is None


CODES = ("ES-01", "ES-02", "TR-01", "TR-02")


@st.composite
def plans(draw: st.DrawFn) -> tuple[list[PlannedVisit], dict[str, int], date]:
    count = draw(st.integers(min_value=0, max_value=25))
    visits = [
        _visit(
            i,
            draw(st.sampled_from(CODES)),
            date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 89))),
            audit_id=draw(st.one_of(st.none(), st.just(1000 + i))),
            auditor_id=draw(st.one_of(st.none(), st.just(7))),
        )
        for i in range(count)
    ]
    audits = {code: draw(st.integers(0, 6)) for code in CODES}
    today = date(2026, 1, 1) + timedelta(days=draw(st.integers(0, 100)))
    return visits, audits, today


@settings(deadline=None)  # a busy machine is not a slow function
@given(plans())
def test_every_roll_up_adds_up_its_branches(
    plan: tuple[list[PlannedVisit], dict[str, int], date],
) -> None:
    visits, audits, today = plan
    result = cover(visits, audits, today)
    rows = [b.tally for b in result.branches]
    for tally in [*rows, result.total]:
        assert tally.done + tally.due + tally.overdue == tally.planned
        assert tally.unassigned <= tally.due + tally.overdue
    assert sum((a.tally for a in result.areas), Tally()) == result.total
    assert sum((r.tally for r in result.regions), Tally()) == result.total
    assert result.total.planned == len(visits)
    assert result.total.branches == len({v.branch_code for v in visits})
    assert result.total.rankable == sum(
        audits[code] >= 3 for code in {v.branch_code for v in visits}
    )
    # A day later, nothing done becomes undone and nothing overdue becomes due again.
    later = cover(visits, audits, today + timedelta(days=1)).total
    assert later.done == result.total.done and later.overdue >= result.total.overdue
