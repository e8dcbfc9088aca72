"""The Plans page, run headless with AppTest: drafting a plan, moving a visit, publishing,
an area manager's plans and a viewer's lock."""

from __future__ import annotations

from datetime import date

import icalendar
import pytest

from audit_app.domain.plans import ChannelNeed, PlanRequest, PlanScope
from audit_app.services import plans as service
from audit_app.services.context import AppContext
from audit_app.ui.components.plan_draft import next_quarter
from tests.coverage_world import build
from tests.hostile.longest import CODE, MARK, build_world, longest_name
from tests.ui.apptest import GUEST, HQ, MARTA, run_app, texts
from tests.ui.detail_downloads import download_bytes, downloads
from tests.ui.pseudo import data_vocabulary, shown_strings, untranslated

__all__ = ["downloads"]  # the fixture, imported for the tests below


def _draft(ctx: AppContext, **scope: tuple[str, ...]) -> int:
    start, end = next_quarter(date.today())
    return service.create_plan(
        ctx,
        PlanRequest(
            name="Next quarter",
            checklist_id="greeting_phone",
            starts_on=start,
            ends_on=end,
            scope=PlanScope(**scope),
            needs=(ChannelNeed("phone", 3),),
            lockout_days=30,
        ),
    )


def _table(app: object) -> list[dict[str, object]]:
    return app.dataframe[-1].value.to_dict("records")  # type: ignore[attr-defined,no-any-return]


@pytest.mark.usefixtures("ctx")
def test_without_plans_the_page_says_how_to_start() -> None:
    app = run_app(HQ, page="plans")
    assert app.title[0].value == "Plans"
    assert app.info[0].value.startswith("No visit plans yet: draft one below")
    assert not app.dataframe


def test_head_office_drafts_a_plan_for_one_region_and_sees_its_slots(ctx: AppContext) -> None:
    build(ctx)
    app = run_app(HQ, page="plans")
    listed = app.dataframe[0].value
    assert list(listed["name"]) == ["Q2 draft", "Q1 phone shops"]
    assert list(listed["status"]) == ["Draft", "Published"]
    app.selectbox(key="plan_draft_checklist").set_value("greeting_phone").run()
    assert app.date_input(key="plan_draft_from").value == next_quarter(date.today())[0]
    app.multiselect(key="plan_draft_regions").set_value(["Catalonia"])
    app.number_input(key="plan_draft_visits_greeting_phone_phone").set_value(2)
    app.button(key="FormSubmitter:plan_draft-Draft the plan").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    plan_id = int(app.query_params["plan"])
    plan = service.show_plan(ctx, plan_id)
    assert app.header[0].value == plan.name
    assert app.success[0].value.startswith("Draft made")
    rows = _table(app)
    assert len(rows) == 4
    assert sorted(r["branch"] for r in rows) == ["Eixample (ES-02)"] * 2 + ["Gràcia (ES-01)"] * 2
    assert [r["planned_on"] for r in rows] == sorted(s.planned_on for s in plan.slots)
    assert {r["channel"] for r in rows} == {"Phone call"}
    assert any(c.value.startswith("Chart: 4 planned visits, 0 made") for c in app.caption)


def _same_branch_pair(ctx: AppContext, plan_id: int) -> tuple[int, object]:
    """A visit and another visit at the same branch that has an auditor."""
    slots = service.show_plan(ctx, plan_id).slots
    for other in slots:
        for slot in slots:
            if other.auditor_id and slot.id != other.id and slot.branch_id == other.branch_id:
                return slot.id, other
    raise AssertionError("no pair")


def test_moving_a_visit_into_the_lockout_is_refused_with_the_reason(ctx: AppContext) -> None:
    build(ctx)
    plan_id = _draft(ctx, regions=("Catalonia",))
    slot_id, other = _same_branch_pair(ctx, plan_id)
    app = run_app(HQ, "plans", {"plan": str(plan_id)})
    app.selectbox(key="plan_adjust_slot").set_value(slot_id).run()
    app.date_input(key=f"plan_adjust_day_{slot_id}").set_value(other.planned_on).run()
    picker = app.selectbox(key=f"plan_adjust_auditor_{slot_id}")
    label = picker.format_func(other.auditor_id)
    assert label.startswith(f"{other.auditor_name} (not possible: at this branch too recently")
    picker.set_value(other.auditor_id).run()
    before = service.show_plan(ctx, plan_id).slots
    app.button(key="plan_adjust_save").click().run()
    assert [e.value for e in app.error] == [
        f"{other.auditor_name} visits {other.branch_name} ({other.branch_code}) within 30 "
        "days of this date (the lockout)"
    ]
    assert service.show_plan(ctx, plan_id).slots == before


def test_an_auditor_change_is_saved(ctx: AppContext) -> None:
    world = build(ctx)
    app = run_app(HQ, "plans", {"plan": str(world.draft)})
    slot = world.slots[6]
    assert app.selectbox(key="plan_adjust_slot").value == slot
    picker = app.selectbox(key=f"plan_adjust_auditor_{slot}")
    assert picker.value == world.laura
    assert picker.options[:1] == ["No auditor"]
    picker.set_value(world.mehmet).run()
    app.button(key="plan_adjust_save").click().run()
    assert not app.error
    assert app.success[0].value.startswith("Visit saved:")
    saved = service.show_plan(ctx, world.draft).slots[0]
    assert (saved.auditor_id, saved.planned_on) == (world.mehmet, date(2026, 4, 14))
    assert _table(app)[0]["auditor"] == "Mehmet Kaya"


@pytest.mark.usefixtures("downloads")
def test_publishing_asks_first_then_changes_the_status(ctx: AppContext) -> None:
    world = build(ctx)
    app = run_app(HQ, "plans", {"plan": str(world.draft)})
    app.button(key="plan_adjust_publish").click().run()
    assert app.warning[0].value.startswith("Once published, the plan's visits count")
    assert service.show_plan(ctx, world.draft).status == "draft"
    app.button(key="plan_adjust_publish_yes").click().run()
    assert service.show_plan(ctx, world.draft).status == "published"
    assert app.success[0].value.startswith("Plan published")
    assert app.caption[1].value.startswith("Published · ")
    links = [(link.proto.label, link.proto.page) for link in app.get("page_link")]
    assert ("Coverage of this plan: visits done, due and overdue", "coverage") in links
    assert not [b for b in app.button if b.key == "plan_adjust_publish"]
    downloads = [d.proto.label for d in app.get("download_button")]
    assert downloads == [
        "Download the calendar of Barcelona (.ics)",
        "Download the calendar of Laura Fernández (.ics)",
    ]
    events = icalendar.Calendar.from_ical(download_bytes(app, "plans_auditor_ics")).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [  # Laura's two in Q1, and the one published
        f"planned-visit-{slot}@audit-app"
        for slot in (world.slots[0], world.slots[1], world.slots[6])
    ]


def test_deleting_a_draft_asks_first(ctx: AppContext) -> None:
    world = build(ctx)
    app = run_app(HQ, "plans", {"plan": str(world.draft)})
    app.button(key="plan_adjust_delete").click().run()
    app.button(key="plan_adjust_delete_yes").click().run()
    assert app.success[0].value == "Draft Q2 draft deleted."
    assert [p.id for p in service.list_plans(ctx)] == [world.plan]
    assert list(app.dataframe[0].value["name"]) == ["Q1 phone shops"]


def test_an_area_manager_sees_and_drafts_within_her_areas_only(ctx: AppContext) -> None:
    world = build(ctx)
    istanbul = _draft(ctx, regions=("Istanbul",))
    app = run_app(MARTA, page="plans")
    listed = app.dataframe[0].value
    assert list(listed["name"]) == ["Q2 draft", "Q1 phone shops"]
    assert not [m for m in app.multiselect if m.key == "plan_draft_regions"]
    assert app.multiselect(key="plan_draft_areas").options == ["Barcelona"]
    assert app.multiselect(key="plan_draft_branches").options == [
        "Eixample (ES-02)",
        "Gràcia (ES-01)",
    ]
    app.selectbox(key="plan_draft_checklist").set_value("greeting_phone").run()
    app.button(key="FormSubmitter:plan_draft-Draft the plan").click().run()
    assert not app.error, [e.value for e in app.error]
    plan = service.show_plan(ctx, int(app.query_params["plan"]))
    assert {s.area for s in plan.slots} == {"Barcelona"}
    assert "Kadıköy" not in texts(app)
    other = run_app(MARTA, "plans", {"plan": str(istanbul)})
    assert [e.value for e in other.error] == [f"no visit plan #{istanbul}"]
    mixed = run_app(MARTA, "plans", {"plan": str(world.plan)})
    assert "Kadıköy" not in texts(mixed)


def test_a_viewer_is_told_the_page_is_not_for_them(ctx: AppContext) -> None:
    build(ctx)
    app = run_app(GUEST, page="plans")
    assert app.info[0].value == "This page is for head office and area managers."
    assert not app.dataframe


def test_every_word_of_the_plans_page_passes_through_the_catalogue(ctx: AppContext) -> None:
    world = build(ctx)
    vocabulary = [*data_vocabulary(ctx), "Q1 phone shops", "Q2 draft", "Next quarter"]
    for query in ({}, {"plan": str(world.plan)}, {"plan": str(world.draft)}):
        app = run_app(HQ, "plans", query, language="qps")
        left = untranslated(shown_strings(app), vocabulary)
        assert not left, (query, left)


def test_the_page_stays_up_with_the_longest_values(ctx: AppContext) -> None:
    build_world(ctx)  # the longest branch, region, area and auditor names
    start, end = next_quarter(date.today())
    plan_id = service.create_plan(
        ctx,
        PlanRequest(
            name=longest_name(),
            checklist_id="greeting_phone",
            starts_on=start,
            ends_on=end,
            scope=PlanScope(branches=(CODE, "XX-PLAIN-02")),
            needs=(ChannelNeed("phone", 3),),
        ),
    )
    listed = run_app(HQ, "plans")
    assert MARK in listed.dataframe[0].value.to_csv()
    for status in ("draft", "published"):
        if status == "published":
            service.publish_plan(ctx, plan_id)
        app = run_app(HQ, "plans", {"plan": str(plan_id)})
        assert not app.exception and not app.error
        assert app.header[0].value.endswith(MARK)
        shown = texts(app)
        assert shown.count(MARK) >= 3, status  # the branch in the table and in the pickers
