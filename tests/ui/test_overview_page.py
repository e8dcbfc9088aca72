"""The Overview page, run headless with Streamlit's AppTest on a real SQLite file."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from tests.ui.apptest import run_app


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


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
    assert shown["Audits"] == f"{loaded.audits_added:,}"
    assert shown["Active branches"] == "47"  # one demo branch has closed
    assert 0 < float(shown["Mean score"]) <= 100
    regions = app.dataframe[0].value
    assert len(regions) == 5 and regions["mean_score"].is_monotonic_decreasing
    assert len(app.dataframe[1].value) == 15


def test_the_latest_audits_show_every_value_whole(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app()
    latest = app.dataframe[1]
    order = list(latest.proto.column_order)
    config = json.loads(latest.proto.columns)
    width = {column: config[column]["width"] for column in order}
    # Wide enough for "2026-11-20 19:05" and "Laura Fernández" (they were cut at 75 px) ...
    assert width["visited_at"] >= 130 and width["auditor"] >= 120 and width["grade"] >= 120
    assert set(order) == set(latest.value.columns)
    # ... and all but the long checklist title, which comes last, fit a laptop's page.
    assert order[-1] == "checklist"
    assert sum(width[c] for c in order[:-1]) <= 860


def test_the_filters_narrow_the_figures(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app()
    everything = int(metrics(app)["Audits"].replace(",", ""))
    app.sidebar.selectbox[0].select("returns").run()
    returns_only = int(metrics(app)["Audits"].replace(",", ""))
    app.sidebar.selectbox[1].select("Aegean").run()
    aegean_returns = int(metrics(app)["Audits"].replace(",", ""))
    assert everything > returns_only > aegean_returns > 0
    assert metrics(app)["Active branches"] == "8"
    latest = app.dataframe[1].value
    assert all(code.startswith("TR-EGE-") for code in latest["branch_code"])
    assert set(latest["checklist"]) == {"Returns process"}
    assert "Returns process" in app.caption[0].value


def test_the_consistency_index_matches_the_compare_service(ctx: AppContext) -> None:
    from audit_app.services.compare import consistency

    load_demo(ctx)
    shown = metrics(run_app())["Consistency index"]
    assert shown == f"{consistency(ctx, items=False).index:.1f}"


def test_an_area_manager_sees_only_their_area(ctx: AppContext) -> None:
    from audit_app.services.branches import list_branches
    from tests.ui.apptest import MARTA, texts

    load_demo(ctx)
    app = run_app(MARTA)
    assert metrics(app)["Active branches"] == "6"
    assert app.caption[0].value == "Area Barcelona"
    shown = texts(app)
    others = [b for b in list_branches(ctx) if b.area != "Barcelona"]
    assert not [b.code for b in others if b.code in shown]
    assert not [b.region for b in others if b.region != "Catalonia" and b.region in shown]
    assert "Catalonia" in shown


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
    assert app.title[0].value == "Overview"
    assert metrics(app)["Active branches"] == "6"
