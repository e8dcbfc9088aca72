"""The planner over random chains: every branch gets exactly its visits inside the period,
the lockout and the own-manager rule hold, rotation spreads the load, and the same inputs
give the same plan."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit_app.domain.plans import (
    ChannelNeed,
    Managers,
    PastVisit,
    PlanAuditor,
    PlanBranch,
    PlannedVisit,
    PlanProblem,
    PlanRefused,
    PlanRequest,
    PlanScope,
    check_slot,
    propose,
    working_days,
)

PROPERTY = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
AREAS = ("North", "South", "East")
NAMES = ("Ana Pop", "Marc Serra", "Elif Kaya", "Ioana Stan", "Pau Vila", "Gül Demir")
START = date(2026, 1, 5)
Chain = tuple[PlanRequest, list[PlanBranch], list[PlanAuditor], list[PastVisit], Managers]


@st.composite
def chains(draw: st.DrawFn) -> Chain:
    n_branches = draw(st.integers(1, 12))
    branches = [
        PlanBranch(
            id=i + 1,
            code=f"B-{i + 1:02d}",
            name=f"Branch {i + 1}",
            region="R1" if i % 2 else "R2",
            area=draw(st.sampled_from(AREAS)),
            manager=draw(st.sampled_from(("", *NAMES))),
            active=draw(st.booleans()) or i == 0,
        )
        for i in range(n_branches)
    ]
    n_auditors = draw(st.integers(0, len(NAMES)))
    auditors = [
        PlanAuditor(
            id=10 + i,
            name=NAMES[i],
            areas=tuple(draw(st.lists(st.sampled_from(AREAS), max_size=2, unique=True))),
            username=draw(st.sampled_from((None, f"user{i}"))),
        )
        for i in range(n_auditors)
    ]
    managers = Managers(
        {
            area: frozenset(
                draw(st.lists(st.sampled_from([f"user{i}" for i in range(6)]), max_size=2))
            )
            for area in AREAS
        }
    )
    length = draw(st.integers(20, 120))
    needs = draw(
        st.lists(
            st.tuples(st.sampled_from(("in_person", "phone", "on_site", None)), st.integers(1, 3)),
            min_size=1,
            max_size=3,
            unique_by=lambda need: need[0],
        )
    )
    request = PlanRequest(
        name="Q",
        checklist_id="greeting_phone",
        starts_on=START,
        ends_on=START + timedelta(days=length - 1),
        needs=tuple(ChannelNeed(c, v) for c, v in needs),
        lockout_days=draw(st.integers(0, 45)),
        visit_window_days=draw(st.sampled_from((None, 3, 10))),
        mystery_shop=draw(st.booleans()),
        scope=draw(
            st.sampled_from(
                (
                    PlanScope(),
                    PlanScope(regions=("R1",)),
                    PlanScope(areas=("North",), branches=("B-01",)),
                )
            )
        ),
    )
    history = [
        PastVisit(
            draw(st.sampled_from(branches)).id,
            draw(st.sampled_from(auditors)).id,
            START - timedelta(days=draw(st.integers(1, 60))),
        )
        for _ in range(draw(st.integers(0, 8) if auditors else st.just(0)))
    ]
    return request, branches, auditors, history, managers


@PROPERTY
@given(chains(), st.integers(0, 3))
def test_every_rule_holds_on_random_chains(chain: Chain, seed: int) -> None:
    request, branches, auditors, history, managers = chain
    in_scope = {b.id for b in branches if b.active and request.scope.covers(b)}
    if not in_scope:
        with pytest.raises(PlanRefused) as refused:
            propose(request, branches, auditors, history, managers, seed=seed)
        assert refused.value.code == PlanProblem.NO_BRANCHES
        return
    plan = propose(request, branches, auditors, history, managers, seed=seed)
    # deterministic
    assert plan == propose(request, branches, auditors, history, managers, seed=seed)
    # exactly the needs of each active branch in scope, every date inside the period
    active = in_scope
    wanted = Counter({need.channel: need.visits for need in request.needs})
    for branch_id in active:
        got = Counter(v.channel for v in plan if v.branch_id == branch_id)
        assert got == wanted
    assert {v.branch_id for v in plan} == active
    days = set(working_days(request.starts_on, request.ends_on))
    for visit in plan:
        assert visit.planned_on in days
        assert visit.planned_on <= visit.due_by <= request.ends_on
        assert (visit.auditor_id is None) == (visit.unassigned is not None)
    branch_of = {b.id: b for b in branches}
    auditor_of = {a.id: a for a in auditors}
    # lockout over history and the plan's own visits; areas; never the own manager
    visits = [(h.branch_id, h.auditor_id, h.on) for h in history] + [
        (v.branch_id, v.auditor_id, v.planned_on) for v in plan if v.auditor_id is not None
    ]
    for visit in plan:
        if visit.auditor_id is None:
            continue
        branch, auditor = branch_of[visit.branch_id], auditor_of[visit.auditor_id]
        assert auditor.covers(branch.area)
        if request.mystery_shop and visit.channel != "on_site":
            assert not managers.manages(auditor, branch)
        same = [
            day
            for b, a, day in visits
            if b == visit.branch_id and a == visit.auditor_id and day != visit.planned_on
        ]
        assert all(abs((visit.planned_on - day).days) >= request.lockout_days for day in same)
        clashes = [
            v
            for v in plan
            if (v.branch_id, v.auditor_id, v.planned_on)
            == (visit.branch_id, visit.auditor_id, visit.planned_on)
        ]
        assert len(clashes) == 1 or request.lockout_days == 0


@PROPERTY
@given(
    st.integers(1, 15),
    st.integers(2, 6),
    st.integers(1, 4),
    st.integers(0, 40),
    st.integers(0, 5),
)
def test_rotation_spreads_the_load(
    n_branches: int, n_auditors: int, visits: int, lockout: int, seed: int
) -> None:
    """Auditors who may go anywhere share the work: loads differ by at most the visits one
    branch needs (the lockout may keep the least loaded away from a branch it just saw)."""
    branches = [PlanBranch(i, f"B{i:02d}", f"B{i}", "R", "A") for i in range(n_branches)]
    auditors = [PlanAuditor(100 + i, NAMES[i]) for i in range(n_auditors)]
    request = PlanRequest(
        "Q",
        "c",
        START,
        START + timedelta(days=89),
        needs=(ChannelNeed("in_person", visits),),
        lockout_days=lockout,
    )
    plan = propose(request, branches, auditors, [], Managers(), seed=seed)
    load = Counter(v.auditor_id for v in plan)
    loads = [load.get(a.id, 0) for a in auditors]
    assert None not in load or visits > n_auditors
    assert max(loads) - min(loads) <= max(visits, 2)
    # and rotation: a branch with fewer visits than auditors never sees one auditor twice
    if visits <= n_auditors:
        for branch in branches:
            seen = [v.auditor_id for v in plan if v.branch_id == branch.id]
            assert len(set(seen)) == len(seen)


def _small_world() -> tuple[PlanRequest, PlanBranch, list[PlanAuditor], Managers]:
    branch = PlanBranch(1, "ES-01", "Gràcia", "Catalonia", "Barcelona", manager="Jordi Vidal")
    auditors = [
        PlanAuditor(1, "Jordi Vidal"),
        PlanAuditor(2, "Marta Puig", username="marta"),
        PlanAuditor(3, "Ioana Popescu", areas=("București",)),
        PlanAuditor(4, "Laura Fernández"),
    ]
    request = PlanRequest(
        "Q2",
        "greeting_phone",
        date(2026, 4, 1),
        date(2026, 6, 30),
        needs=(ChannelNeed("in_person", 2), ChannelNeed("phone", 1)),
        lockout_days=28,
    )
    return request, branch, auditors, Managers({"Barcelona": frozenset({"marta"})})


def test_a_small_plan_whole() -> None:
    """Jordi manages the branch (its manager field), Marta is its area manager (a user),
    Ioana works elsewhere: Laura alone may shop it, once in 28 days."""
    request, branch, auditors, managers = _small_world()
    plan = propose(request, [branch], auditors, [], managers)
    assert plan == [
        PlannedVisit(1, "ES-01", "in_person", date(2026, 4, 13), date(2026, 4, 30), 4),
        PlannedVisit(1, "ES-01", "phone", date(2026, 5, 12), date(2026, 5, 31), 4),
        PlannedVisit(1, "ES-01", "in_person", date(2026, 6, 12), date(2026, 6, 30), 4),
    ]


def test_a_slot_without_an_auditor_says_why() -> None:
    request, branch, auditors, managers = _small_world()
    history = [PastVisit(1, 4, date(2026, 4, 10))]
    plan = propose(request, [branch], auditors, history, managers)
    assert [(v.auditor_id, v.unassigned) for v in plan] == [
        (None, PlanProblem.LOCKOUT),
        (4, None),
        (4, None),
    ]
    only_jordi = propose(request, [branch], auditors[:1], [], managers)
    assert {v.unassigned for v in only_jordi} == {PlanProblem.OWN_MANAGER}
    only_ioana = propose(request, [branch], auditors[2:3], [], managers)
    assert {v.unassigned for v in only_ioana} == {PlanProblem.OUT_OF_AREA}
    assert {v.unassigned for v in propose(request, [branch], [], [], managers)} == {
        PlanProblem.NO_AUDITOR
    }


def test_an_inspection_may_be_made_by_the_branch_manager() -> None:
    request, branch, auditors, managers = _small_world()
    inspection = PlanRequest(
        "Q2", "sourcing", request.starts_on, request.ends_on, needs=(ChannelNeed("on_site", 1),)
    )
    plan = propose(inspection, [branch], auditors[:1], [], managers)
    assert [v.auditor_id for v in plan] == [1]


@pytest.mark.parametrize(
    ("auditor", "day", "code"),
    [
        (0, date(2026, 5, 4), PlanProblem.OWN_MANAGER),
        (1, date(2026, 5, 4), PlanProblem.OWN_MANAGER),
        (2, date(2026, 5, 4), PlanProblem.OUT_OF_AREA),
        (3, date(2026, 5, 4), PlanProblem.LOCKOUT),
        (3, date(2026, 7, 4), PlanProblem.OUTSIDE_PERIOD),
    ],
)
def test_check_slot_refuses_with_a_code(auditor: int, day: date, code: PlanProblem) -> None:
    request, branch, auditors, managers = _small_world()
    others = [PastVisit(1, 4, date(2026, 4, 10))]
    with pytest.raises(PlanRefused) as refused:
        check_slot(request, branch, "in_person", day, auditors[auditor], others, managers)
    assert refused.value.code == code
    check_slot(request, branch, "in_person", date(2026, 5, 11), auditors[3], others, managers)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"ends_on": date(2026, 3, 1)}, PlanProblem.REVERSED_PERIOD),
        ({"needs": ()}, PlanProblem.NO_NEEDS),
        ({"needs": (ChannelNeed("phone", 0),)}, PlanProblem.NO_NEEDS),
        ({"needs": (ChannelNeed("phone", 80),)}, PlanProblem.TOO_MANY_VISITS),
        ({"ends_on": date(2026, 4, 2)}, PlanProblem.TOO_MANY_VISITS),
        ({"ends_on": date(2027, 6, 30)}, PlanProblem.PERIOD_TOO_LONG),
        ({"lockout_days": -1}, PlanProblem.BAD_LOCKOUT),
        ({"scope": PlanScope(regions=("Aegean",))}, PlanProblem.NO_BRANCHES),
    ],
)
def test_requests_the_planner_cannot_honour(change: dict[str, Any], code: PlanProblem) -> None:
    from dataclasses import replace

    request, branch, auditors, managers = _small_world()
    with pytest.raises(PlanRefused) as refused:
        propose(replace(request, **change), [branch], auditors, [], managers)
    assert refused.value.code == code
