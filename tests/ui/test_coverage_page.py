"""The Coverage page, run headless with AppTest on a plan written straight into the tables."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import icalendar
import pytest

from audit_app.services import coverage as service
from audit_app.services.context import AppContext
from tests.coverage_world import _submit, build
from tests.ui.apptest import GUEST, HQ, MARTA, run_app, texts
from tests.ui.detail_downloads import download_bytes, downloads
from tests.ui.pseudo import data_vocabulary, shown_strings, untranslated

__all__ = ["downloads"]  # the fixture, imported for the tests below


@pytest.mark.usefixtures("ctx")
def test_without_a_published_plan_the_page_says_what_to_do() -> None:
    app = run_app(HQ, page="coverage")
    assert app.title[0].value == "Coverage"
    assert app.info[0].value.startswith("No published plan yet")
    assert "No branch has two audits of this checklist yet" in app.info[1].value
    assert not app.get("vega_lite_chart")


@pytest.mark.usefixtures("downloads")
def test_head_office_sees_the_plans_coverage_planner_and_calendar(ctx: AppContext) -> None:
    world = build(ctx)
    expected = service.plan_coverage(ctx, today=date.today()).coverage.total
    app = run_app(HQ, page="coverage")
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics == {
        "Planned visits": "6",
        "Done": str(expected.done),
        "Due": str(expected.due),
        "Overdue": str(expected.overdue),
        "Can be ranked": "33%",
    }
    shown = texts(app)
    assert "2 visits still to do have no auditor." in shown
    assert "1 of 3 branches have at least 3 audits of this checklist in the period" in shown
    assert "Eixample needs 3 more, Kadıköy needs 2 more" in shown
    assert len(app.get("vega_lite_chart")) == 1
    assert any(c.value.startswith("Chart: 6 planned visits: 2 done") for c in app.caption)
    branches = app.dataframe[0].value
    assert list(branches["branch"]) == ["ES-01 · Gràcia", "ES-02 · Eixample", "TR-01 · Kadıköy"]
    size = service.sample_size(ctx, 5.0, "greeting_phone")
    assert size is not None
    sentence = f"±5 points: {size.visits} visits per branch per quarter"
    assert any(m.value == f"**{sentence}**" for m in app.markdown)

    app.slider(key="coverage_half_width").set_value(2.0).run()
    wider = service.sample_size(ctx, 2.0, "greeting_phone")
    assert wider is not None and wider.visits > size.visits
    assert any(
        m.value == f"**±2 points: {wider.visits} visits per branch per quarter**"
        for m in app.markdown
    )

    app.selectbox(key="coverage_calendar_area").select("İstanbul Asya").run()
    events = icalendar.Calendar.from_ical(download_bytes(app, "coverage_ics")).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        f"planned-visit-{slot}@audit-app" for slot in world.slots[4:6]
    ]


@pytest.mark.usefixtures("downloads")
def test_an_area_manager_sees_her_branches_and_her_areas_calendar(ctx: AppContext) -> None:
    world = build(ctx)
    app = run_app(MARTA, page="coverage")
    assert {m.label: m.value for m in app.metric}["Planned visits"] == "4"
    shown = texts(app)
    assert "Kadıköy" not in shown and "İstanbul" not in shown
    app.radio(key="coverage_level").set_value("area").run()
    assert any(c.value.startswith("Chart: 4 planned visits") for c in app.caption)
    events = icalendar.Calendar.from_ical(download_bytes(app, "coverage_ics")).walk("VEVENT")
    assert sorted(str(e["UID"]) for e in events) == sorted(
        f"planned-visit-{slot}@audit-app" for slot in world.slots[:4]
    )


def test_a_viewer_is_told_the_page_is_not_for_them(ctx: AppContext) -> None:
    build(ctx)
    app = run_app(GUEST, page="coverage")
    assert app.info[0].value == "This page is for head office and area managers."


def test_every_word_of_a_plans_coverage_passes_through_the_catalogue(ctx: AppContext) -> None:
    build(ctx)
    vocabulary = [*data_vocabulary(ctx), "Q1 phone shops", "Q2 draft"]
    app = run_app(HQ, "coverage", language="qps")
    assert not app.exception
    left = untranslated(shown_strings(app), vocabulary)
    assert not left, left


def test_the_leagues_too_few_to_rank_links_to_coverage(ctx: AppContext) -> None:
    build(ctx)  # TR-01 has two audits: too few to rank
    app = run_app(HQ, "compare")
    links = [link.proto for link in app.get("page_link")]
    assert [(link.label, link.page) for link in links if "coverage" in link.page] == [
        ("Plan the visits that would rank them: coverage of the visit plan", "coverage")
    ]


def test_the_planner_reads_the_spread_once_until_an_audit_of_its_checklist_comes_in(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spread reads every scored audit of the checklist (0.6 s a view on the ten-times
    set, #21): the page and its precision slider reuse it; a new audit reads it again."""
    build(ctx)
    reads: list[str] = []
    real = service.spread

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "spread", counted)
    app = run_app(HQ, page="coverage")
    spread = "From the visit-to-visit spread of "
    before = next(c.value for c in app.caption if c.value.startswith(spread))
    app.slider(key="coverage_half_width").set_value(2.0).run()
    app.slider(key="coverage_half_width").set_value(5.0).run()
    assert reads == ["greeting_phone"] and not app.exception
    _submit(ctx, "TR-01", datetime(2026, 2, 10, 10), **{"call.tone": 1})
    app.run()
    after = next(c.value for c in app.caption if c.value.startswith(spread))
    assert reads == ["greeting_phone"] * 2
    want = service.spread(ctx, "greeting_phone")
    assert f"pooled over 2 branches and {want.audits} audits" in after and after != before
