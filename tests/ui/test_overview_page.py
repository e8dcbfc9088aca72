"""The Overview page, run headless with Streamlit's AppTest on a real SQLite file."""

from __future__ import annotations

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
