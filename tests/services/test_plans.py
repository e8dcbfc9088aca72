"""Visit plans as use cases on both engines: drafted by the planner and stored whole, moved
by hand only within the rules, published, deleted as drafts, each in scope and logged."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from audit_app.domain.plans import (
    ChannelNeed,
    PlanProblem,
    PlanRefused,
    PlanScope,
    propose,
)
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services.access import AccessDenied
from audit_app.services.activity import list_activity
from audit_app.services.context import AppContext
from audit_app.services.plans import (
    auditor_choices,
    create_plan,
    delete_draft,
    list_plans,
    move_visit,
    publish_plan,
    show_plan,
)
from audit_app.storage import database, plan_store
from audit_app.storage.tables import planned_visits, visit_plans
from tests.services.plan_world import (
    QUARTER,
    build,
    link_auditor,
    phone_call,
    quarter_request,
)

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
GUEST = User(username="guest", role=Role.VIEWER)


@pytest.fixture
def world(ctx: AppContext) -> tuple[AppContext, dict[str, int]]:
    return ctx, build(ctx)


def test_a_plan_is_stored_as_the_planner_proposed(world: tuple[AppContext, dict[str, int]]) -> None:
    ctx, ids = world
    plan_id = create_plan(ctx, quarter_request())
    plan = show_plan(ctx, plan_id)
    with database.snapshot(ctx.engine) as conn:
        expected = propose(
            quarter_request(),
            plan_store.plan_branches(conn),
            plan_store.plan_auditors(conn),
            [],
            plan_store.area_managers(conn),
        )
    assert [
        (s.branch_code, s.channel, s.planned_on, s.due_by, s.auditor_id, s.unassigned)
        for s in plan.slots
    ] == [
        (v.branch_code, v.channel, v.planned_on, v.due_by, v.auditor_id, v.unassigned)
        for v in sorted(expected, key=lambda v: (v.planned_on, v.branch_code))
    ]
    assert (plan.status, plan.name, plan.checklist_id, plan.lockout_days) == (
        "draft",
        "Q3 phone shops",
        "greeting_phone",
        30,
    )
    assert plan.needs == (ChannelNeed("phone", 2),)
    # every branch twice; never its own manager (Jordi manages ES-01, Marta is Barcelona's)
    assert Counter(s.branch_code for s in plan.slots) == {
        "ES-01": 2,
        "ES-02": 2,
        "ES-03": 2,
        "TR-01": 2,
    }
    by_branch = {(s.branch_code, s.auditor_id) for s in plan.slots}
    assert ("ES-01", ids["Jordi Vidal"]) not in by_branch
    assert not {("ES-01", ids["Marta Puig"]), ("ES-02", ids["Marta Puig"])} & by_branch
    assert all(s.auditor_id is not None for s in plan.slots)
    assert [p.to_dict() for p in list_plans(ctx)] == [
        {
            "id": plan_id,
            "name": "Q3 phone shops",
            "checklist_id": "greeting_phone",
            "starts_on": "2026-07-01",
            "ends_on": "2026-09-30",
            "status": "draft",
            "visits": 8,
            "filled": 0,
            "unassigned": 0,
        }
    ]
    entry = list_activity(ctx, actions=("visit plan",))[0]
    assert (entry.subject, entry.detail["event"], entry.detail["visits"]) == (
        f"plan #{plan_id}",
        "created",
        8,
    )


def test_past_visits_count_in_the_lockout(world: tuple[AppContext, dict[str, int]]) -> None:
    """Laura would shop TR-01 on 29 July; once she has called it on 10 July, the lockout
    gives that day to Elif and Laura comes on 8 September. A published plan's slots count
    as visits too; a draft's do not."""
    ctx, ids = world
    scope = PlanScope(branches=("TR-01",))
    plan_id = create_plan(ctx, quarter_request(scope))
    before = [(s.planned_on, s.auditor_name) for s in show_plan(ctx, plan_id).slots]
    assert before == [(date(2026, 7, 29), "Laura Fernández"), (date(2026, 9, 8), "Elif Yılmaz")]
    assert [
        (s.planned_on, s.auditor_name)
        for s in show_plan(ctx, create_plan(ctx, quarter_request(scope))).slots
    ] == before
    link_auditor(ctx, phone_call(ctx, "TR-01", datetime(2026, 7, 10, 10)), ids["Laura Fernández"])
    after = show_plan(ctx, create_plan(ctx, quarter_request(scope))).slots
    assert [(s.planned_on, s.auditor_name) for s in after] == [
        (date(2026, 7, 29), "Elif Yılmaz"),
        (date(2026, 9, 8), "Laura Fernández"),
    ]
    publish_plan(ctx, plan_id)  # Laura on 29 July and Elif on 8 September now stand
    later = show_plan(ctx, create_plan(ctx, quarter_request(scope, lockout_days=10))).slots
    # with a 10-day lockout: not Laura on the 29 July she already holds, not Elif on 8 September
    assert [s.auditor_name for s in later] == ["Elif Yılmaz", "Laura Fernández"]


def test_an_unplaceable_slot_stays_open_and_says_why(
    world: tuple[AppContext, dict[str, int]],
) -> None:
    ctx, _ids = world
    plan = show_plan(
        ctx,
        create_plan(
            ctx, quarter_request(PlanScope(areas=("Anadolu",)), needs=(ChannelNeed("phone", 9),))
        ),
    )
    open_slots = [s for s in plan.slots if s.auditor_id is None]
    assert open_slots and {s.unassigned for s in open_slots} == {PlanProblem.LOCKOUT}
    assert open_slots[0].unassigned_reason() == (
        "Every auditor who could go was there too recently"
    )


def test_moving_a_visit_is_checked(world: tuple[AppContext, dict[str, int]]) -> None:
    ctx, ids = world
    plan = show_plan(ctx, create_plan(ctx, quarter_request(PlanScope(branches=("ES-01",)))))
    first, second = plan.slots
    with pytest.raises(PlanRefused) as refused:
        move_visit(ctx, first.id, auditor_id=ids["Jordi Vidal"])
    assert refused.value.code == PlanProblem.OWN_MANAGER
    with pytest.raises(PlanRefused) as refused:
        move_visit(ctx, first.id, auditor_id=ids["Elif Yılmaz"])
    assert refused.value.code == PlanProblem.OUT_OF_AREA
    with pytest.raises(PlanRefused) as refused:
        move_visit(ctx, first.id, planned_on=date(2026, 10, 2))
    assert refused.value.code == PlanProblem.OUTSIDE_PERIOD
    # the same auditor for both, ten days apart: the lockout
    with pytest.raises(PlanRefused) as refused:
        move_visit(
            ctx,
            second.id,
            planned_on=first.planned_on + timedelta(days=10),
            auditor_id=first.auditor_id,
        )
    assert refused.value.code == PlanProblem.LOCKOUT
    before = show_plan(ctx, plan.id)
    moved = move_visit(ctx, first.id, planned_on=first.planned_on + timedelta(days=2))
    assert (moved.planned_on, moved.due_by, moved.auditor_id) == (
        first.planned_on + timedelta(days=2),
        first.due_by + timedelta(days=2),
        first.auditor_id,
    )
    after = show_plan(ctx, plan.id)
    assert after.slots[1:] == before.slots[1:]
    unassigned = move_visit(ctx, first.id, unassign=True)
    assert unassigned.auditor_id is None
    entry = list_activity(ctx, actions=("visit plan",))[0]
    assert entry.detail["event"] == "visit moved" and entry.detail["visit"] == first.id


def test_the_auditor_picker_says_who_may_go(world: tuple[AppContext, dict[str, int]]) -> None:
    ctx, _ids = world
    plan = show_plan(ctx, create_plan(ctx, quarter_request(PlanScope(branches=("ES-01",)))))
    first, second = plan.slots
    assert first.auditor_name == second.auditor_name == "Laura Fernández"
    choices = auditor_choices(ctx, second.id, planned_on=first.planned_on + timedelta(days=3))
    assert [(c.name, c.problem) for c in choices] == [
        ("Elif Yılmaz", PlanProblem.OUT_OF_AREA),
        ("Jordi Vidal", PlanProblem.OWN_MANAGER),
        ("Laura Fernández", PlanProblem.LOCKOUT),
        ("Marta Puig", PlanProblem.OWN_MANAGER),
    ]
    assert [c.name for c in auditor_choices(ctx, second.id) if c.allowed] == ["Laura Fernández"]
    with pytest.raises(AccessDenied):
        auditor_choices(ctx.as_user(MARTA), 999)


def test_publish_then_no_delete(world: tuple[AppContext, dict[str, int]]) -> None:
    ctx, _ids = world
    plan_id = create_plan(ctx, quarter_request())
    assert publish_plan(ctx, plan_id) == 0
    assert show_plan(ctx, plan_id).status == "published"
    with pytest.raises(AuditAppError, match="already published"):
        publish_plan(ctx, plan_id)
    with pytest.raises(AuditAppError, match="only a draft"):
        delete_draft(ctx, plan_id)
    draft_id = create_plan(ctx, quarter_request(name="Another"))
    delete_draft(ctx, draft_id)
    with database.snapshot(ctx.engine) as conn:
        plans = conn.execute(select(visit_plans.c.id)).scalars().all()
        slots = conn.execute(
            select(func.count()).where(planned_visits.c.plan_id == draft_id)
        ).scalar_one()
    assert (plans, slots) == ([plan_id], 0)
    events = [e.detail["event"] for e in list_activity(ctx, actions=("visit plan",))]
    assert events == ["deleted", "created", "published", "created"]


def test_an_area_manager_plans_her_areas_only(world: tuple[AppContext, dict[str, int]]) -> None:
    ctx, _ids = world
    marta = ctx.as_user(MARTA)
    plan_id = create_plan(marta, quarter_request())
    plan = show_plan(marta, plan_id)
    assert plan.scope == PlanScope(areas=("Barcelona",))
    assert {s.branch_code for s in plan.slots} == {"ES-01", "ES-02"}
    with pytest.raises(AccessDenied, match="TR-01"):
        create_plan(marta, quarter_request(PlanScope(branches=("TR-01",))))
    chain_id = create_plan(ctx, quarter_request())
    # she sees her slots of the chain's plan, moves them, but cannot publish it whole
    assert {s.area for s in show_plan(marta, chain_id).slots} == {"Barcelona"}
    turkish = next(s for s in show_plan(ctx, chain_id).slots if s.branch_code == "TR-01")
    with pytest.raises(AccessDenied):
        move_visit(marta, turkish.id, planned_on=turkish.planned_on + timedelta(days=1))
    with pytest.raises(AccessDenied, match="outside your areas"):
        publish_plan(marta, chain_id)
    istanbul_id = create_plan(ctx, quarter_request(PlanScope(regions=("Istanbul",))))
    with pytest.raises(AccessDenied, match=f"#{istanbul_id}"):
        show_plan(marta, istanbul_id)
    assert [p.id for p in list_plans(marta)] == [chain_id, plan_id]
    publish_plan(marta, plan_id)
    with pytest.raises(AccessDenied, match="viewer"):
        create_plan(ctx.as_user(GUEST), quarter_request())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"checklist_id": "nope"}, "nope"),
        ({"needs": (ChannelNeed("pigeon", 1),)}, "unknown channel"),
        ({"scope": PlanScope(branches=("XX-99",))}, "XX-99"),
        ({"ends_on": date(2026, 6, 1)}, "reversed"),
    ],
)
def test_a_request_refused_writes_nothing(
    world: tuple[AppContext, dict[str, int]],
    change: dict[str, object],
    message: str,
) -> None:
    ctx, _ids = world
    with pytest.raises(AuditAppError, match=message):
        create_plan(ctx, quarter_request(**change))
    assert list_plans(ctx) == []


def test_the_default_name_says_checklist_and_period(
    world: tuple[AppContext, dict[str, int]],
) -> None:
    ctx, _ids = world
    plan = show_plan(ctx, create_plan(ctx, quarter_request(name="  ")))
    assert plan.name == f"{plan.checklist_title}, Jul 1, 2026 to Sep 30, 2026"
    assert (plan.starts_on, plan.ends_on) == QUARTER
