"""An area manager's home (her Overview), run headless with AppTest: her branches only,
the visits of published plans due this week with a button that starts them, her drafts and
overdue actions; head office keeps the chain's view."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import insert, select
from streamlit.testing.v1 import AppTest

from audit_app.domain.audit import AuditRecord, Branch, Visit
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.drafts import save_draft
from audit_app.storage import database
from audit_app.storage.tables import branches, planned_visits, visit_plans
from tests.services.test_audits import phone_answers
from tests.ui.apptest import HQ, MARTA, run_app, texts

FAILING = {"answer.greeting": False, "call.tone": 1, "call.clear_speech": False}


def today() -> date:
    """The page judges "this week" by the server's day, so the data follow it: asked when a
    world is built, never at import (a run that crossed midnight kept yesterday's day)."""
    return date.today()


def shop(code: str, name: str, area: str = "Barcelona", active: bool = True) -> Branch:
    return Branch(code=code, name=name, region="Catalonia", area=area, country="ES", active=active)


def days_ago(days: int, hour: int = 10) -> datetime:
    return datetime.combine(today() - timedelta(days=days), time(hour))


def submit(ctx: AppContext, code: str, when: datetime, **answers: object) -> int:
    visit = Visit(code, "greeting_phone", 1, when, "Ann")
    return submit_audit(ctx, AuditRecord(visit, phone_answers(ctx, **answers)))[0]


def add_plan(ctx: AppContext, status: str, slots: list[tuple[str, str, int, int]]) -> list[int]:
    """A plan and its slots (branch code, channel, planned in N days, due in M days)."""
    now = datetime.now()
    with database.transaction(ctx.engine) as conn:
        ids = dict(conn.execute(select(branches.c.code, branches.c.id)).all())
        plan = conn.execute(
            insert(visit_plans).values(
                name=f"Phone shops ({status})",
                checklist_id="greeting_phone",
                starts_on=today() - timedelta(days=60),
                ends_on=today() + timedelta(days=60),
                scope={"regions": [], "areas": [], "branches": []},
                requirement=[{"channel": "phone", "visits": 1}],
                lockout_days=14,
                status=status,
                created_at=now,
                updated_at=now,
            )
        ).inserted_primary_key[0]
        return [
            conn.execute(
                insert(planned_visits).values(
                    plan_id=plan,
                    branch_id=ids[code],
                    channel=channel,
                    planned_on=today() + timedelta(days=planned),
                    due_by=today() + timedelta(days=due),
                )
            ).inserted_primary_key[0]
            for code, channel, planned, due in slots
        ]


@pytest.fixture
def world(ctx: AppContext) -> dict[str, int]:
    save_branches(
        ctx,
        [
            shop("ES-01", "Gràcia"),
            shop("ES-02", "Born"),
            shop("ES-03", "Sants"),
            shop("TR-01", "Kadıköy", area="İstanbul Asya"),
        ],
    )
    submit(ctx, "ES-01", days_ago(100), **FAILING)  # its actions are long overdue
    last_visit = days_ago(10)
    submit(ctx, "ES-01", last_visit)
    submit(ctx, "ES-03", days_ago(5), **FAILING)
    submit(ctx, "TR-01", days_ago(100), **FAILING)
    save_branches(ctx, [shop("ES-03", "Sants", active=False)])
    due, overdue = add_plan(
        ctx, "published", [("ES-01", "phone", 0, 7), ("ES-02", "in_person", -20, -10)]
    )
    (drafted,) = add_plan(ctx, "draft", [("ES-02", "phone", 0, 7)])
    (other,) = add_plan(ctx, "published", [("TR-01", "phone", 0, 7)])
    visited_on = last_visit.date().toordinal()
    return {"due": due, "overdue": overdue, "drafted": drafted, "other": other, "es01": visited_on}


def enter_buttons(app: AppTest) -> list[str]:
    return sorted(str(b.key) for b in app.button if str(b.key).startswith("home_enter_"))


def test_her_home_shows_her_branches_and_what_needs_her(world: dict[str, int]) -> None:
    app = run_app(MARTA)
    assert app.title[0].value == "Overview"
    assert app.caption[0].value.startswith("Area Barcelona: 2 branches · this week: ")
    assert [h.value for h in app.subheader] == ["What needs you today", "Your branches"]
    # Only the published plan's visits at her open branches, each with its button.
    assert enter_buttons(app) == sorted(
        [f"home_enter_{world['due']}", f"home_enter_{world['overdue']}"]
    )
    shown = texts(app)
    assert "**Gràcia (ES-01)** · Greeting: telephone · Phone call" in shown
    assert "**Born (ES-02)** · Greeting: telephone · In person" in shown
    assert "Kadıköy" not in shown and "TR-01" not in shown and "Sants" not in shown
    actions, mine = app.dataframe[0].value, app.dataframe[1].value
    assert set(actions["branch"]) == {"Gràcia (ES-01)"}
    assert list(mine["branch"]) == ["Born (ES-02)", "Gràcia (ES-01)"]
    assert list(mine["attention"]) == ["Never visited", ""]
    since = today().toordinal() - world["es01"]  # 10, or 11 once the run has passed midnight
    assert list(mine["days"].fillna(-1)) == [-1, since]
    metrics = {m.label: m.value for m in app.metric}
    assert (metrics["Visits due this week"], metrics["Overdue visits"]) == ("1", "1")
    assert metrics["Overdue actions"] == str(len(actions))


def test_enter_visit_opens_new_visit_with_the_branch_chosen(world: dict[str, int]) -> None:
    app = run_app(MARTA)
    app.button(key=f"home_enter_{world['due']}").click().run()
    assert not app.exception, app.exception
    assert app.title[0].value == "New visit"
    assert app.selectbox(key="nv_branch").value == "ES-01"
    assert app.selectbox(key="nv_checklist").value == "greeting_phone@1"
    assert app.selectbox(key="nv_channel").value == "phone"
    app.button(key="nv_save").click().run()  # the address was applied once: choices stay
    assert app.selectbox(key="nv_branch").value == "ES-01"


def test_the_overdue_visit_brings_its_own_channel(world: dict[str, int]) -> None:
    app = run_app(MARTA)
    app.button(key=f"home_enter_{world['overdue']}").click().run()
    assert app.selectbox(key="nv_branch").value == "ES-02"
    assert app.selectbox(key="nv_channel").value == "in_person"


def test_a_draft_opens_from_the_home(ctx: AppContext, world: dict[str, int]) -> None:
    record = AuditRecord(Visit("ES-02", "greeting_phone", 1, days_ago(1), "Marta Puig"), ())
    draft = save_draft(ctx.as_user(MARTA), record)
    app = run_app(MARTA)
    assert "**Born (ES-02)** · Greeting: telephone" in texts(app)
    app.button(key=f"home_draft_{draft}").click().run()
    assert app.title[0].value == "New visit"
    assert app.session_state["nv_draft_id"] == draft
    assert app.selectbox(key="nv_branch").value == "ES-02"


def test_the_overdue_actions_open_the_actions_page_filtered(world: dict[str, int]) -> None:
    app = run_app(MARTA)
    app.button(key="home_actions").click().run()
    assert app.title[0].value == "Actions"
    assert app.toggle(key="actions_overdue").value is True
    assert set(app.dataframe[0].value["overdue"]) == {True}


@pytest.mark.usefixtures("ctx")
def test_an_empty_week_says_so() -> None:
    app = run_app(MARTA)
    assert "No open branches in your areas yet." in app.info[0].value
    assert not app.metric


def test_no_visits_planned_this_week(ctx: AppContext) -> None:
    save_branches(ctx, [shop("ES-01", "Gràcia")])
    app = run_app(MARTA)
    assert "No visits planned this week." in [i.value for i in app.info]
    assert not enter_buttons(app)
    assert list(app.dataframe[0].value["attention"]) == ["Never visited"]


def test_head_office_keeps_the_chain_view(world: dict[str, int]) -> None:
    app = run_app(HQ)
    headings = [h.value for h in app.subheader]
    assert "Mean score by region" in headings and "What needs you today" not in headings
    assert not enter_buttons(app)


def test_an_address_cannot_pick_another_areas_branch(world: dict[str, int]) -> None:
    """The hand-off is an address anyone can type: New visit takes only what she may pick."""
    query = {"branch": "TR-01", "checklist": "greeting_phone", "channel": "in_person"}
    app = run_app(MARTA, page="new_visit", query=query)
    assert app.selectbox(key="nv_branch").value in {"ES-01", "ES-02"}
    assert app.selectbox(key="nv_checklist").value == "greeting_phone@1"
    assert app.selectbox(key="nv_channel").value == "in_person"  # not the checklist's own
    assert not app.query_params  # applied once, then dropped


def test_her_home_stays_up_with_the_longest_values(ctx: AppContext) -> None:
    """The longest names, a visit dated tomorrow and one on 2000-01-01, a due slot and a
    draft by the longest auditor: the home shows them whole and stays up."""
    from audit_app.domain.users import Role, User
    from tests.hostile.longest import CODE, MARK, build_world, longest_name

    build_world(ctx)
    manager = User(username="longest", role=Role.AREA_MANAGER, areas=(longest_name(100),))
    (slot,) = add_plan(ctx, "published", [(CODE, "phone", 0, 7)])
    visit = Visit(CODE, "greeting_phone", 1, days_ago(1), longest_name())
    save_draft(ctx.as_user(manager), AuditRecord(visit, ()))
    app = run_app(manager)
    assert not app.exception
    shown = texts(app)
    assert shown.count(MARK) >= 3 and f"home_enter_{slot}" in enter_buttons(app)
    assert list(app.dataframe[-1].value["days"]) == [0]  # visited "tomorrow": not negative


def test_every_word_of_her_home_passes_through_the_catalogue(
    ctx: AppContext, world: dict[str, int]
) -> None:
    """The demo has no plan or draft (tests/ui/test_pseudo_language.py): here all show."""
    from tests.ui.pseudo import data_vocabulary, shown_strings, untranslated

    record = AuditRecord(Visit("ES-02", "greeting_phone", 1, days_ago(1), "Marta Puig"), ())
    save_draft(ctx.as_user(MARTA), record)
    app = run_app(MARTA, language="qps")
    assert len(enter_buttons(app)) == 2 and app.dataframe
    assert not untranslated(shown_strings(app), data_vocabulary(ctx))
