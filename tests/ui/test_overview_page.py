"""The Overview page, run headless with Streamlit's AppTest on a real SQLite file."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime

import pytest
from streamlit.testing.v1 import AppTest

from audit_app.domain.compare import ComparisonRequest, ComparisonResult
from audit_app.domain.filters import AuditFilter
from audit_app.domain.reporting_period import ReportingPeriod, add_months, month_start
from audit_app.i18n import formats
from audit_app.services.compare import comparison, visit_span
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.ui.components import period_picker
from tests.ui.apptest import run_app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def default_period(ctx: AppContext) -> ReportingPeriod:
    return period_picker.offered_months(ctx, period_picker.today())[1]


def compared(ctx: AppContext, period: ReportingPeriod, **narrowed: str) -> ComparisonResult:
    """What Compare counts by default for ``period``."""
    chosen = AuditFilter(date_from=period.date_from, date_to=period.date_to, **narrowed)
    return comparison(ctx, ComparisonRequest(chosen, items=False, auditors=False))


def period_slider(app: AppTest):  # type: ignore[no-untyped-def]
    return next(s for s in app.sidebar.select_slider if s.label == "Period")


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_shows_how_to_start() -> None:
    app = run_app()
    assert app.title[0].value == "Overview"
    assert "audit-app demo" in app.info[0].value
    assert not app.metric


def test_the_demo_overview_shows_kpis_and_tables(ctx: AppContext) -> None:
    loaded = load_demo(ctx)
    app = run_app()
    shown = metrics(app)
    expected = compared(ctx, default_period(ctx))
    assert 1000 < expected.audits < loaded.audits_added  # a year, closed branch left out
    assert shown["Audits"] == f"{expected.audits:,}"
    assert shown["Active branches"] == "47"  # one demo branch has closed
    assert 0 < float(shown["Mean score"]) <= 100
    regions = app.dataframe[0].value
    assert len(regions) == 5 and regions["Mean score"].is_monotonic_decreasing
    assert len(app.dataframe[1].value) == 15


def test_the_latest_audits_show_every_value_whole(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app()
    latest = app.dataframe[1]
    order = list(latest.proto.column_order)
    config = json.loads(latest.proto.columns)
    width = {column: config[column]["width"] for column in order}
    # Wide enough for "2026-11-20 19:05" and "Laura Fernández" (they were cut at 75 px) ...
    assert width["Visit"] >= 130 and width["Auditor"] >= 120 and width["Grade"] >= 120
    assert set(order) == set(latest.value.columns)
    # ... and all but the long checklist title, which comes last, fit a laptop's page.
    assert order[-1] == "Checklist"
    assert sum(width[c] for c in order[:-1]) <= 860


def test_the_filters_narrow_the_figures(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app()
    everything = int(metrics(app)["Audits"].replace(",", ""))
    checklist = next(box for box in app.sidebar.selectbox if box.label == "Checklist")
    checklist.select("Returns process").run()
    returns_only = int(metrics(app)["Audits"].replace(",", ""))
    region = next(box for box in app.sidebar.selectbox if box.label == "Region")
    region.select("Aegean").run()
    aegean_returns = int(metrics(app)["Audits"].replace(",", ""))
    assert everything > returns_only > aegean_returns > 0
    assert metrics(app)["Active branches"] == "8"
    latest = app.dataframe[1].value
    assert all(code.startswith("TR-EGE-") for code in latest["Code"])
    assert set(latest["Checklist"]) == {"Returns process"}
    assert "Returns process" in app.caption[0].value


def test_the_consistency_index_matches_the_compare_service(ctx: AppContext) -> None:
    from audit_app.services.compare import consistency

    load_demo(ctx)
    shown = metrics(run_app())["Consistency index"]
    assert shown == f"{consistency(ctx, items=False).index:.1f}"


def test_an_area_manager_sees_only_their_area(ctx: AppContext) -> None:
    """Her Overview is her home (tests/ui/test_area_home.py): her six branches, no other's."""
    from audit_app.services.branches import list_branches
    from tests.ui.apptest import MARTA, texts

    load_demo(ctx)
    app = run_app(MARTA)
    assert metrics(app)["Active branches"] == "6"
    assert app.caption[0].value.startswith("Area Barcelona: 6 branches · this week: ")
    shown = texts(app)
    mine = [b for b in list_branches(ctx) if b.area == "Barcelona"]
    others = [b for b in list_branches(ctx) if b.area != "Barcelona"]
    assert not [b.code for b in others if b.code in shown]
    assert sorted(app.dataframe[-1].value["branch"]) == sorted(f"{b.name} ({b.code})" for b in mine)


def test_nobody_logged_in_sees_only_the_login_form(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(None)
    assert [title.value for title in app.title] == ["audit-app"]
    assert not app.metric
    assert [box.label for box in app.text_input] == ["User name", "Password"]


def test_logging_in_with_the_form_opens_the_overview(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(None)
    app.text_input[0].input("marta")
    app.text_input[1].input("wrong password")
    app.button[0].click().run()
    assert "do not match" in app.error[0].value
    app.text_input[1].input("marta-demo-2026")
    app.button[0].click().run()
    assert app.title[0].value == "Resum"  # Marta's area, Barcelona, speaks Catalan
    assert metrics(app)["Botigues actives"] == "6"


def test_the_overview_speaks_catalan_with_its_numbers(ctx: AppContext) -> None:
    loaded = load_demo(ctx)
    app = run_app(language="ca")
    assert app.title[0].value == "Resum"
    audits = compared(ctx, default_period(ctx)).audits
    assert 1000 <= audits < loaded.audits_added
    shown = metrics(app)
    assert shown["Auditories"] == f"{audits:,}".replace(",", ".")  # 1.633, not 1,633
    assert "," in shown["Puntuació mitjana"]  # 85,1
    regions = app.dataframe[0].value
    assert "Regió" in regions.columns


def test_every_chart_has_named_axes_dark_text_and_a_text_alternative(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app()
    charts = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    assert len(charts) == 2
    for spec in charts:
        axis = spec["config"]["axis"]
        assert axis["labelColor"] == axis["titleColor"] == "#31333F"  # 12.6:1 on white
    region_title = charts[0]["layer"][0]["encoding"]["y"]["title"]
    month_title = charts[1]["encoding"]["x"]["title"]
    assert (region_title, month_title) == ("Region", "Month")
    captions = [caption.value for caption in app.caption]
    assert any(
        c.startswith("The chart shows the mean score of 5 regions: highest") for c in captions
    )
    assert any(c.startswith("The chart shows the mean score per month from") for c in captions)


def test_a_latest_audit_opens_on_the_audit_page(ctx: AppContext) -> None:
    from audit_app.services.audits import list_scores

    load_demo(ctx)
    app = run_app()
    app.session_state["overview_latest"] = {"selection": {"rows": [0], "columns": []}}
    app.run()
    assert not app.exception
    newest = list_scores(ctx).sort_values(["visited_at", "audit_id"], ascending=False).iloc[0]
    assert app.query_params.get("id") in (str(newest["audit_id"]), [str(newest["audit_id"])])
    assert app.title[0].value == f"Audit #{newest['audit_id']}"  # that row's audit


def test_the_mean_score_is_the_mean_of_the_audits_compare_counts(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app()
    period = default_period(ctx)
    result = compared(ctx, period)
    shown = metrics(app)
    assert shown["Audits"] == formats.integer(result.audits)
    assert shown["Mean score"] == formats.decimal(result.mean_score, 1)
    assert result.mean_score == pytest.approx(
        sum(r.mean * r.audits for r in result.league.rows) / result.audits
    )
    # The definition is stated once, as the help of the figure.
    help_text = next(m for m in app.metric if m.label == "Mean score").proto.help
    assert help_text.startswith("Mean score: the plain mean")
    compare = run_app(page="compare")
    assert metrics(compare)["Mean score"] == shown["Mean score"]
    assert metrics(compare)["Audits"] == shown["Audits"]
    assert "Chain level (model)" in metrics(compare)


def test_a_period_chosen_on_compare_holds_on_overview_and_branch(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(page="compare")
    default = default_period(ctx)
    slider = period_slider(app)
    assert slider.value == (default.first, default.last)  # the same default everywhere
    chosen = ReportingPeriod(add_months(default.last, -2), default.last)
    slider.set_range(chosen.first, chosen.last).run()
    assert not app.exception
    assert app.session_state["reporting_period"] == chosen.key()
    assert metrics(app)["Audits"] == formats.integer(compared(ctx, chosen).audits)
    app.switch_page("pages/overview_page.py").run()
    assert not app.exception
    assert period_slider(app).value == (chosen.first, chosen.last)
    assert metrics(app)["Audits"] == formats.integer(compared(ctx, chosen).audits)
    app.switch_page("pages/branch_page.py").run()
    assert not app.exception
    assert period_slider(app).value == (chosen.first, chosen.last)
    app.sidebar.button(key="period_reset").click().run()
    assert period_slider(app).value == (default.first, default.last)


def test_one_click_chooses_the_whole_history(ctx: AppContext) -> None:
    """Every month the picker offers, in one rerun: the period each server process reads
    ahead (``services.warm_start``), whose Overview counts every audit. Offered only where
    it shows audits the period shown leaves out."""
    load_demo(ctx)
    app = run_app()
    months, default = period_picker.offered_months(ctx, period_picker.today())
    whole = ReportingPeriod(months[0], months[-1])
    first, last = visit_span(ctx)
    outside = month_start(first.date()) < default.first or month_start(last.date()) > default.last
    assert bool([b for b in app.sidebar.button if b.key == "period_whole"]) == outside
    shorter = ReportingPeriod(add_months(default.last, -2), default.last)
    period_slider(app).set_range(shorter.first, shorter.last).run()
    app.sidebar.button(key="period_whole").click().run()
    assert not app.exception
    assert app.session_state["reporting_period"] == whole.key()
    assert period_slider(app).value == (whole.first, whole.last)
    every = comparison(ctx, ComparisonRequest(AuditFilter(), items=False, auditors=False))
    assert metrics(app)["Audits"] == formats.integer(compared(ctx, whole).audits)
    assert compared(ctx, whole).audits == every.audits > compared(ctx, shorter).audits
    assert not [b for b in app.sidebar.button if b.key == "period_whole"]  # nothing left out
    app.sidebar.button(key="period_reset").click().run()
    assert period_slider(app).value == (default.first, default.last)


def test_an_audit_in_the_running_month_does_not_move_the_default(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit_app import demo
    from audit_app.services.audits import store_audits

    load_demo(ctx)
    _first, last = visit_span(ctx)
    now = date.today()  # no later: a visit after today is refused
    assert last.date() < month_start(now)  # the demo ends with the last complete month
    monkeypatch.setattr(period_picker, "today", lambda: now)
    app = run_app()
    before = metrics(app)
    slider = period_slider(app)
    assert slider.value[1] == month_start(last.date())  # the last complete month
    record = demo.generate([ctx.catalogue.get("greeting_phone")]).audits[0]
    visited = datetime.combine(now, record.visit.visited_at.timetz()).replace(hour=0, minute=5)
    fresh = replace(record, visit=replace(record.visit, visited_at=visited))
    assert store_audits(ctx, [fresh]).skipped == 0
    app = run_app()
    assert period_slider(app).value == slider.value
    assert metrics(app)["Audits"] == before["Audits"]
    assert not any("still running" in c.value for c in app.sidebar.caption)
    # Chosen to include the running month, the period says its figures will change.
    period_slider(app).set_range(slider.value[0], month_start(now)).run()
    assert any("still running" in c.value for c in app.sidebar.caption)
    assert metrics(app)["Audits"] != before["Audits"]
