"""An area manager's home through the service: her open branches only, the open slots of
published plans (never a draft plan's), her drafts and the overdue actions she can see."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest
from sqlalchemy import insert, select

from audit_app.domain.audit import AuditKind, AuditRecord, Branch, Visit
from audit_app.domain.home import Direction, SlotState, Trend
from audit_app.domain.reporting_period import ReportingPeriod
from audit_app.domain.users import Role, User
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.drafts import save_draft
from audit_app.services.home import AreaHome, BranchLine, PlannedVisit, area_home
from audit_app.storage import database
from audit_app.storage.tables import branches, planned_visits, visit_plans
from tests.services.test_audits import phone_answers

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
TODAY = date(2026, 3, 18)  # a Wednesday: the week runs from 16 to 22 March
PERIOD = ReportingPeriod(date(2025, 3, 1), date(2026, 2, 1))  # the 12 complete months before


def shop(code: str, name: str, area: str = "Barcelona", active: bool = True) -> Branch:
    return Branch(code=code, name=name, region="Catalonia", area=area, country="ES", active=active)


BRANCHES = [
    shop("ES-01", "Gràcia"),
    shop("ES-02", "Born"),
    shop("ES-03", "Sants"),  # closes after its visit
    shop("ES-04", "Poblenou"),  # never visited
    shop("TR-01", "Kadıköy", area="İstanbul Asya"),
]


def submit(ctx: AppContext, code: str, when: datetime, **answers: object) -> tuple[int, float]:
    visit = Visit(code, "greeting_phone", 1, when, "Ann")
    audit_id, card = submit_audit(ctx, AuditRecord(visit, phone_answers(ctx, **answers)))
    assert card.overall is not None
    return audit_id, card.overall


def add_plan(ctx: AppContext, status: str, slots: list[tuple[str, str, date, date]]) -> int:
    """A plan with its slots (branch code, channel, planned on, due by), written directly."""
    now = datetime(2026, 3, 1, 9, 0)
    with database.transaction(ctx.engine) as conn:
        ids = dict(conn.execute(select(branches.c.code, branches.c.id)).all())
        plan_id = conn.execute(
            insert(visit_plans).values(
                name=f"Q1 {status}",
                checklist_id="greeting_phone",
                starts_on=date(2026, 1, 1),
                ends_on=date(2026, 3, 31),
                scope={"regions": [], "areas": [], "branches": []},
                requirement=[{"channel": "phone", "visits": 1}],
                lockout_days=14,
                status=status,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        for code, channel, planned_on, due_by in slots:
            conn.execute(
                insert(planned_visits).values(
                    plan_id=plan_id,
                    branch_id=ids[code],
                    channel=channel,
                    planned_on=planned_on,
                    due_by=due_by,
                )
            )
    return int(plan_id)


@pytest.fixture
def world(ctx: AppContext) -> dict[str, object]:
    save_branches(ctx, BRANCHES)
    facts: dict[str, object] = {}
    # Gràcia falls from full marks; Born holds; Sants closes; Kadıköy is another area's.
    _id, facts["g1"] = submit(ctx, "ES-01", datetime(2025, 12, 5, 10))
    _id, facts["g2"] = submit(ctx, "ES-01", datetime(2026, 1, 9, 10), **{"call.tone": 3})
    failing = {"answer.greeting": False, "call.tone": 1, "call.clear_speech": False}
    _id, facts["g3"] = submit(ctx, "ES-01", datetime(2026, 3, 2, 10), **failing)
    _id, facts["b1"] = submit(ctx, "ES-02", datetime(2025, 11, 20, 12))
    _id, facts["b2"] = submit(ctx, "ES-02", datetime(2026, 2, 10, 12))
    filled, _score = submit(ctx, "ES-02", datetime(2026, 3, 16, 12))
    submit(ctx, "ES-03", datetime(2026, 3, 10, 9), **failing)
    submit(ctx, "TR-01", datetime(2026, 3, 3, 9), **failing)
    save_branches(ctx, [BRANCHES[2].model_copy(update={"active": False})])
    published = add_plan(
        ctx,
        "published",
        [
            ("ES-01", "phone", date(2026, 3, 17), date(2026, 3, 24)),  # due this week
            ("ES-02", "in_person", date(2026, 3, 2), date(2026, 3, 10)),  # overdue
            ("ES-01", "phone", date(2026, 3, 30), date(2026, 4, 6)),  # next week and later
            ("ES-03", "phone", date(2026, 3, 18), date(2026, 3, 25)),  # a closed branch
            ("TR-01", "phone", date(2026, 3, 18), date(2026, 3, 25)),  # another area
            ("ES-02", "phone", date(2026, 3, 16), date(2026, 3, 23)),  # filled below
        ],
    )
    add_plan(ctx, "draft", [("ES-02", "phone", date(2026, 3, 18), date(2026, 3, 25))])
    with database.transaction(ctx.engine) as conn:
        conn.execute(
            planned_visits.update()
            .where(
                planned_visits.c.channel == "phone",
                planned_visits.c.planned_on == date(2026, 3, 16),
            )
            .values(audit_id=filled, filled_at=datetime(2026, 3, 16, 13))
        )
    facts["plan"] = published
    return facts


def test_her_home_holds_her_open_branches_and_what_needs_her(
    ctx: AppContext, world: dict[str, object]
) -> None:
    marta = ctx.as_user(MARTA)
    draft = save_draft(
        marta,
        AuditRecord(
            Visit("ES-04", "greeting_phone", 1, datetime(2026, 3, 17, 9), "Marta Puig"), ()
        ),
    )
    save_draft(
        ctx.as_user(HQ),
        AuditRecord(Visit("ES-02", "greeting_phone", 1, datetime(2026, 3, 17, 9), "Núria"), ()),
    )
    home = area_home(ctx, MARTA, TODAY)
    g1, g2, b1, b2 = (float(world[key]) for key in ("g1", "g2", "b1", "b2"))  # type: ignore[arg-type]
    months = [None] * 12
    gracia = list(months)
    gracia[9], gracia[10] = g1, g2  # December and January
    born = list(months)
    born[8], born[11] = b1, b2  # November and February
    plan = int(world["plan"])  # type: ignore[call-overload]

    def slot(
        slot_id: int, code: str, name: str, channel: str, on: date, by: date, state: SlotState
    ) -> PlannedVisit:
        return PlannedVisit(
            slot_id,
            plan,
            "Q1 published",
            "greeting_phone",
            code,
            name,
            channel,
            on,
            by,
            None,
            state,
        )

    first_slot = _slot_ids(ctx)[0]
    assert home == AreaHome(
        today=TODAY,
        areas=("Barcelona",),
        period=PERIOD,
        not_visited_days=60,
        branches=(
            BranchLine(
                "ES-02",
                "Born",
                "Barcelona",
                datetime(2026, 3, 16, 12),
                2,
                100.0,
                Trend(Direction.STEADY, tuple(born)),
                False,
            ),
            BranchLine(
                "ES-01",
                "Gràcia",
                "Barcelona",
                datetime(2026, 3, 2, 10),
                16,
                float(world["g3"]),
                Trend(Direction.DOWN, tuple(gracia)),
                False,
            ),  # type: ignore[arg-type]
            BranchLine(
                "ES-04",
                "Poblenou",
                "Barcelona",
                None,
                None,
                None,
                Trend(Direction.UNKNOWN, tuple(months)),
                True,
            ),
        ),
        due_this_week=(
            slot(
                first_slot,
                "ES-01",
                "Gràcia",
                "phone",
                date(2026, 3, 17),
                date(2026, 3, 24),
                SlotState.DUE,
            ),
        ),
        overdue_visits=(
            slot(
                first_slot + 1,
                "ES-02",
                "Born",
                "in_person",
                date(2026, 3, 2),
                date(2026, 3, 10),
                SlotState.OVERDUE,
            ),
        ),
        drafts=home.drafts,
        overdue_actions=home.overdue_actions,
    )
    assert [d.audit_id for d in home.drafts] == [draft]
    assert home.overdue_actions  # Gràcia's failed visit of 2 March, and only hers
    assert {a.branch_code for a in home.overdue_actions} == {"ES-01"}
    assert "answer.greeting" in {a.item_id for a in home.overdue_actions}
    assert [b.code for b in home.not_visited] == ["ES-04"]
    assert home.week == (date(2026, 3, 16), date(2026, 3, 22))


def test_the_not_visited_limit_is_a_setting(ctx: AppContext, world: dict[str, object]) -> None:
    strict = replace(ctx, settings=ctx.settings.model_copy(update={"not_visited_days": 10}))
    home = area_home(strict, MARTA, TODAY)
    assert [(b.code, b.days_since) for b in home.not_visited] == [("ES-01", 16), ("ES-04", None)]


def test_head_office_sees_every_area_but_no_closed_branch(
    ctx: AppContext, world: dict[str, object]
) -> None:
    home = area_home(ctx, HQ, TODAY)
    assert home.areas is None
    assert [b.code for b in home.branches] == ["ES-02", "ES-01", "TR-01", "ES-04"]
    assert [p.branch_code for p in home.due_this_week] == ["ES-01", "TR-01"]
    assert {a.branch_code for a in home.overdue_actions} == {"ES-01", "TR-01"}


def test_an_empty_area_has_an_empty_home(ctx: AppContext) -> None:
    home = area_home(ctx, MARTA, TODAY)
    assert (home.branches, home.due_this_week, home.overdue_visits, home.drafts) == ((), (), (), ())
    assert home.overdue_actions == ()


def _slot_ids(ctx: AppContext) -> list[int]:
    with database.snapshot(ctx.engine) as conn:
        return list(
            conn.execute(select(planned_visits.c.id).order_by(planned_visits.c.id)).scalars()
        )


def test_a_follow_up_counts_as_a_visit_but_not_as_a_score(ctx: AppContext) -> None:
    save_branches(ctx, BRANCHES[:1])
    original, score = submit(ctx, "ES-01", datetime(2026, 2, 2, 10), **{"call.tone": 1})
    follow = Visit(
        "ES-01",
        "greeting_phone",
        1,
        datetime(2026, 3, 9, 10),
        "Ann",
        kind=AuditKind.FOLLOW_UP,
        follow_up_of=original,
    )
    submit_audit(ctx, AuditRecord(follow, phone_answers(ctx)))
    (line,) = area_home(ctx, MARTA, TODAY).branches
    assert (line.last_visit, line.days_since, line.last_score) == (
        datetime(2026, 3, 9, 10),
        9,
        score,
    )


def test_the_limit_reads_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from audit_app.config import load_settings

    assert load_settings().not_visited_days == 60
    monkeypatch.setenv("AUDIT_NOT_VISITED_DAYS", "30")
    assert load_settings().not_visited_days == 30
