"""The Compare page, run headless with AppTest on a real SQLite file: every tab, the
filters, the downloads, and an area manager's scope in all of them."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

import numpy as np
import openpyxl
import pandas as pd
import pdfplumber
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.services.audits import list_scores, submit_audit
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.ui.components.compare_charts import (
    HEATMAP_COLUMN_PX,
    HEATMAP_ROW_PX,
    heatmap_chart,
    heatmap_width,
    short_label,
)
from audit_app.ui.components.compare_scope import benchmark
from audit_app.ui.components.compare_views import standard_columns
from audit_app.ui.pages.compare_page import ITEMS_KEY, PDF_BUTTON_KEY, TAB_KEY, TABS
from tests.services.test_audits import phone_answers
from tests.ui.apptest import HQ, MARTA, run_app, texts

DEMO_BRANCHES = 47
"""The demo's branches compared by default: its one closed branch is left out."""
LAPTOP_PX = 860
"""The page's main column on a laptop with the sidebar open: fixed column widths fit it."""


class Downloads:
    """The files the page hands to download buttons: bytes of an eager button, and the
    builder of a deferred one (called here as the browser's click would)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes | Callable[[], Any]] = {}

    def get(self, suffix: str) -> bytes:
        names = [name for name in self.files if name.endswith(suffix)]
        assert names, f"no {suffix} download on the page ({sorted(self.files)})"
        data = self.files[names[-1]]
        return data() if callable(data) else data


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Iterator[Downloads]:
    captured = Downloads()
    add, add_deferred = MediaFileManager.add, MediaFileManager.add_deferred

    def record(
        self: MediaFileManager,
        data: Any,
        mimetype: Any,
        coordinates: str,
        file_name: str | None = None,
        **kw: Any,
    ) -> str:
        if file_name:
            captured.files[file_name] = data
        return add(self, data, mimetype, coordinates, file_name=file_name, **kw)

    def record_deferred(
        self: MediaFileManager,
        build: Any,
        mimetype: Any,
        coordinates: str,
        file_name: str | None = None,
        **kw: Any,
    ) -> str:
        if file_name:
            captured.files[file_name] = build
        return add_deferred(self, build, mimetype, coordinates, file_name=file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add", record)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record_deferred)
    yield captured


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def audits(app: AppTest) -> int:
    return int(metrics(app)["Audits"].replace(",", ""))


def open_tab(app: AppTest, label: str) -> AppTest:
    app.session_state[TAB_KEY] = label
    app.run()
    assert not app.exception, app.exception
    return app


def chart_specs(app: AppTest) -> str:
    """The Vega-Lite specs of every chart and the data drawn in them, as text."""
    parts = []
    for chart in app.get("vega_lite_chart"):
        proto = chart.proto
        parts.append(proto.spec)
        arrows = [dataset.data.data for dataset in proto.datasets]
        if proto.HasField("data"):
            arrows.append(proto.data.data)
        parts.extend(convert_arrow_bytes_to_pandas_df(arrow).to_csv() for arrow in arrows)
    assert parts, "no chart on the page"
    return "\n".join(parts)


def heatmap(app: AppTest) -> tuple[dict[str, Any], pd.DataFrame]:
    """The heatmap's Vega-Lite spec and the cells it draws."""
    for chart in app.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        marks = [layer.get("mark", {}).get("type") for layer in spec.get("layer", [])]
        if "rect" in marks:
            arrows = [dataset.data.data for dataset in chart.proto.datasets]
            if chart.proto.HasField("data"):
                arrows.append(chart.proto.data.data)
            return spec, pd.concat(convert_arrow_bytes_to_pandas_df(a) for a in arrows)
    raise AssertionError("no heatmap on the page")


def fixed_widths(frame: Any) -> dict[str, int]:
    """Column -> the width the page gave it, for the columns the table shows."""
    config = json.loads(frame.proto.columns)
    shown = list(frame.proto.column_order) or list(frame.value.columns)
    return {c: config[c]["width"] for c in shown if "width" in config.get(c, {})}


def league_codes(app: AppTest) -> list[str]:
    """Branch codes of the league table and of the too-few-to-rank list."""
    return [
        code
        for frame in app.dataframe
        if "Code" in frame.value.columns
        for code in frame.value["Code"]
    ]


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_says_how_to_start() -> None:
    app = run_app(HQ, page="compare")
    assert app.title[0].value == "Compare"
    assert "audit-app demo" in app.info[0].value
    assert not app.dataframe and not app.download_button


def test_head_office_sees_every_demo_branch_in_the_league_table(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    codes = league_codes(app)
    assert len(codes) == DEMO_BRANCHES
    assert set(codes) == {b.code for b in list_branches(ctx) if b.active}
    assert metrics(app)["Branches"] == str(DEMO_BRANCHES)
    assert "Chain level (model)" in metrics(app)  # head office compares with the whole chain
    assert "Chain mean" not in metrics(app)  # the model's level is not called a mean
    ranked = app.dataframe[0].value
    assert ranked["Rank"].is_monotonic_increasing and ranked["Rank"].iloc[0] == 1
    assert ranked["Tie band"].notna().all()
    assert (
        ranked["Branch"].iloc[0]
        == ("branch?code=" + ranked["Code"].iloc[0] + "&name=")
        + ranked["Branch"].iloc[0].split("&name=")[1]
    )
    assert "layer" in chart_specs(app)  # the interval chart is drawn
    assert [d.label for d in app.download_button] == ["Download CSV", "Download Excel"]


def test_the_region_filter_narrows_the_league_table(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    app.sidebar.selectbox(key="compare_region").select("Aegean").run()
    codes = league_codes(app)
    assert len(codes) == 8 and all(code.startswith("TR-EGE-") for code in codes)
    assert any("Region Aegean" in c.value for c in app.caption)
    aegean = audits(app)
    app.sidebar.selectbox(key="compare_channel").select("phone").run()
    assert 0 < audits(app) < aegean
    assert all(code.startswith("TR-EGE-") for code in league_codes(app))


def test_every_tab_draws_its_view(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    open_tab(app, "Heatmap")
    assert "rect" in chart_specs(app)
    spec, cells = heatmap(app)
    assert spec["height"] == {"step": HEATMAP_ROW_PX}
    assert cells["label"].nunique() == DEMO_BRANCHES
    open_tab(app, "Consistency")
    index = float(metrics(app)["Consistency index"])
    assert 0 < index <= 100
    assert any("Items by spread" in h.value for h in app.subheader)
    tables = [f for f in app.dataframe if "Standard" in f.value.columns]
    assert len(tables) == 2
    headers = {config["label"] for config in standard_columns().values()}
    for table in tables:
        widths = fixed_widths(table)
        assert list(widths)[:3] == ["Checklist", "Standard", "Spread"]  # spread up front
        assert set(widths) == headers  # every column has a width ...
        assert sum(widths.values()) <= LAPTOP_PX  # ... and none is cut off on a laptop
    open_tab(app, "Regions")
    regions = next(f.value for f in app.dataframe if "Region" in f.value.columns)
    assert len(regions) == 5 and regions["Mean"].is_monotonic_decreasing
    open_tab(app, "Trend")
    assert any("Chain mean by month" in h.value for h in app.subheader)
    assert any("Consistency index by month" in h.value for h in app.subheader)
    open_tab(app, "Auditors")
    auditors = app.dataframe[0].value
    assert auditors["Flagged"].any()
    assert any("More lenient" in w.value for w in app.warning)


def test_the_downloads_are_real_files(ctx: AppContext, downloads: Downloads) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    frame = pd.read_csv(io.BytesIO(downloads.get(".csv")), encoding="utf-8-sig")
    assert len(frame) == DEMO_BRANCHES and {"branch_code", "mean", "rank"} <= set(frame.columns)
    workbook = openpyxl.load_workbook(io.BytesIO(downloads.get(".xlsx")), read_only=True)
    assert workbook.sheetnames == ["Comparison", "Summary"]
    assert len(list(workbook["Comparison"].iter_rows(values_only=True))) == DEMO_BRANCHES + 1
    summary = {row[0]: (*row, None)[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert '"pairs": 0' in summary["calibration"]  # computed for the download, as the CLI's
    filters = {
        k.removeprefix("filter: "): v for k, v in summary.items() if k.startswith("filter: ")
    }
    assert list(filters) == ["checklist", "from", "to", "region", "country", "channel", "kind"]
    assert filters["checklist"] == filters["region"] == filters["channel"] == "all"
    assert date.fromisoformat(filters["from"]) <= date.fromisoformat(filters["to"])
    assert summary["filters"] is None  # a heading: one readable row per filter, not JSON
    assert summary["audits"] == audits(app)
    app.button(key=PDF_BUTTON_KEY).click().run()
    assert not app.exception
    assert [d.label for d in app.download_button][-1] == "Download PDF report"
    assert downloads.get(".pdf").startswith(b"%PDF")


def test_an_empty_selection_says_which_filter_to_widen(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    app.sidebar.selectbox(key="compare_checklist").select("greeting_phone").run()
    app.sidebar.selectbox(key="compare_channel").select("email").run()
    assert not app.exception
    message = app.info[0].value
    assert message.startswith("No submitted audits match")
    assert "Widening the channel (now E-mail)" in message
    assert not app.dataframe


def test_an_area_manager_sees_only_her_branches_everywhere(
    ctx: AppContext, downloads: Downloads
) -> None:
    load_demo(ctx)
    branches = list_branches(ctx)
    mine = {b.code for b in branches if b.area == "Barcelona"}
    others = [b for b in branches if b.area != "Barcelona"]
    assert len(mine) == 6 and others

    def assert_only_mine(text: str, where: str) -> None:
        leaked = [b.code for b in others if b.code in text] + [
            b.name for b in others if b.name in text
        ]
        assert not leaked, f"{where} shows other areas' branches: {leaked[:5]}"

    app = run_app(MARTA, page="compare")
    assert set(league_codes(app)) == mine
    # Her "chain" is her area: the figures are hers only, and the words say so.
    assert 0 < float(metrics(app)["Level of your area (model)"]) <= 100
    assert 0 < float(metrics(app)["Mean score"]) <= 100
    assert "Chain level (model)" not in metrics(app)
    assert set(app.sidebar.selectbox(key="compare_region").options) == {"All regions", "Catalonia"}
    for label in TABS:
        open_tab(app, label)
        assert_only_mine(texts(app) + chart_specs(app), label)
        if label == "Heatmap":  # six rows of full-size cells, not a squashed strip
            spec, cells = heatmap(app)
            assert spec["height"] == {"step": HEATMAP_ROW_PX}
            names = {b.name for b in branches if b.code in mine}
            assert set(cells["branch_name"]) == names
        if label == "Trend":
            assert any(h.value == "Mean of your area by month" for h in app.subheader)
            assert "Chain mean" not in texts(app)
    assert_only_mine(downloads.get(".csv").decode("utf-8-sig"), "the CSV")
    assert (
        set(pd.read_csv(io.BytesIO(downloads.get(".csv")), encoding="utf-8-sig")["branch_code"])
        == mine
    )
    workbook = openpyxl.load_workbook(io.BytesIO(downloads.get(".xlsx")), read_only=True)
    cells = "\n".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
    )
    assert_only_mine(cells, "the Excel file")
    assert "ES-CAT-01" in cells
    open_tab(app, "League table")
    app.button(key=PDF_BUTTON_KEY).click().run()
    assert not app.exception
    pdf = pdf_text(downloads.get(".pdf"))
    assert "ES-CAT-01" in pdf
    assert_only_mine(pdf, "the PDF")


@pytest.mark.parametrize("branches", [1, 6, 48, 60])
def test_heatmap_cells_keep_their_size_for_any_number_of_branches(branches: int) -> None:
    codes = [f"XX-{n:02d}" for n in range(branches)]
    columns = ["Answering", "The call", "Voicemail"]
    cells = pd.DataFrame(
        [
            {"label": c, "branch_name": c, "column": col, "mean": 70.0 + n % 30, "audits": 3}
            for n, c in enumerate(codes)
            for col in columns
        ]
    )
    spec = heatmap_chart(cells, codes, columns).to_dict()
    # Sized per row and column: the rotated section names above no longer eat the cells.
    assert spec["height"] == {"step": HEATMAP_ROW_PX} and HEATMAP_ROW_PX >= 20
    assert spec["width"] == {"step": HEATMAP_COLUMN_PX} and HEATMAP_COLUMN_PX >= 40
    gradient = spec["layer"][0]["encoding"]["color"]["legend"]["gradientLength"]
    assert gradient == max(60, min(200, HEATMAP_ROW_PX * branches))


def test_a_wide_heatmap_stretches_and_a_narrow_one_keeps_its_size() -> None:
    assert heatmap_width(3) == "content"  # one checklist: compact square-ish cells
    assert heatmap_width(31) == "stretch"  # every checklist: fit the page, not overflow it


def test_one_comparison_serves_every_tab_download_and_the_pdf(
    ctx: AppContext, downloads: Downloads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page computes one comparison per request: tabs, CSV, Excel, the PDF and reruns
    that change nothing reuse it; a new period is a new request, computed once."""
    import streamlit as st

    from audit_app.services import compare as service

    load_demo(ctx)
    st.cache_data.clear()
    asked: list[Any] = []
    compute = service.comparison

    def counted(context: AppContext, request: Any = None, version: Any = None) -> Any:
        asked.append(request)
        return compute(context, request, version)

    app = run_app(HQ)  # the Overview computes its own figures first
    monkeypatch.setattr(service, "comparison", counted)
    app.switch_page("pages/compare_page.py").run()
    assert not app.exception
    # 48 branches: items on by default, completing the comparison without them
    assert len(asked) == 1 and not asked[0].items
    for label in TABS:
        open_tab(app, label)
    downloads.get(".csv")
    downloads.get(".xlsx")
    app.button(key=PDF_BUTTON_KEY).click().run()
    assert downloads.get(".pdf").startswith(b"%PDF")
    app.run()
    assert len(asked) == 1
    open_tab(app, "Trend")
    app.session_state["compare_trend_period"] = "quarter"
    app.run()
    app.run()
    assert [request.period for request in asked] == ["month", "quarter"]


def test_turning_items_on_computes_only_the_items(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chain too large for items by default shows its comparison without them; turning
    "Include items" on computes the items alone (``with_items``), not the comparison again,
    and the Consistency tab then compares every item with the sections (#21)."""
    import streamlit as st

    from audit_app.services import compare as service

    load_demo(ctx)
    st.cache_data.clear()
    asked: list[Any] = []
    completed: list[Any] = []
    compute, complete = service.comparison, service.with_items

    def counted(context: AppContext, request: Any = None, version: Any = None) -> Any:
        asked.append(request)
        return compute(context, request, version)

    def counted_items(context: AppContext, result: Any, version: Any = None) -> Any:
        completed.append(result.request)
        return complete(context, result, version)

    monkeypatch.setattr(service, "comparison", counted)
    monkeypatch.setattr(service, "with_items", counted_items)
    app = run_app(HQ)
    app.session_state[ITEMS_KEY] = False  # as on a chain of over 1,000 branches
    app.session_state[TAB_KEY] = "Consistency"
    app.switch_page("pages/compare_page.py").run()
    assert not app.exception, app.exception
    assert len(asked) == 1 and not asked[0].items and completed == []
    assert not app.toggle(key=ITEMS_KEY).value
    assert "Items compared" not in [metric.label for metric in app.metric]
    app.toggle(key=ITEMS_KEY).set_value(True).run()
    assert not app.exception, app.exception
    assert len(asked) == 1, "the comparison was computed again"
    assert completed == asked
    assert app.toggle(key=ITEMS_KEY).value
    shown = {metric.label: metric.value for metric in app.metric}
    assert int(shown["Items compared"]) > 0


def test_sessions_of_one_scope_share_one_comparison_and_scopes_never_do(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many users at once (#21): a second head office user, and a second area manager of the
    same areas, reuse the comparison the first computed; another area's manager gets her
    own, holding only her branches; a write makes everyone compute again."""
    import streamlit as st

    from audit_app.domain.audit import AuditRecord
    from audit_app.domain.users import Role, User
    from audit_app.services import compare as service
    from audit_app.services.audits import submit_audit
    from tests.services.test_audits import phone_answers, phone_visit

    load_demo(ctx)
    st.cache_data.clear()
    asked: list[tuple[str, Any]] = []
    compute = service.comparison

    def counted(context: AppContext, request: Any = None, version: Any = None) -> Any:
        asked.append((context.user.username if context.user else "", request))
        return compute(context, request, version)

    monkeypatch.setattr(service, "comparison", counted)
    nuria = User(username="nuria", role=Role.HEAD_OFFICE)
    jordi = User(username="jordi", role=Role.AREA_MANAGER, areas=("Barcelona",))
    other = User(username="ioana", role=Role.AREA_MANAGER, areas=("Catalunya Nord i Sud",))
    run_app(HQ, page="compare")
    run_app(nuria, page="compare")
    assert [who for who, _ in asked] == ["hq"]
    theirs = run_app(MARTA, page="compare")
    same = run_app(jordi, page="compare")
    assert [who for who, _ in asked] == ["hq", "marta"]
    assert league_codes(same) == league_codes(theirs)
    elsewhere = run_app(other, page="compare")
    assert [who for who, _ in asked] == ["hq", "marta", "ioana"]
    barcelona = {b.code for b in list_branches(ctx) if b.area == "Barcelona"}
    assert set(league_codes(theirs)) <= barcelona
    assert league_codes(elsewhere) and not set(league_codes(elsewhere)) & barcelona
    visit = phone_visit(sorted(barcelona)[0], datetime(2026, 11, 30, 10, 0))
    submit_audit(ctx, AuditRecord(visit, phone_answers(ctx)))
    run_app(nuria, page="compare")
    assert [who for who, _ in asked] == ["hq", "marta", "ioana", "nuria"]


def words_shown(app: AppTest) -> str:
    """The page's text, metric labels and the labels and help of its widgets: everything a
    reader sees or hovers over (chart field names are not shown, so left out)."""
    parts = [texts(app)]
    for metric in app.metric:
        parts += [metric.label, str(metric.value), str(metric.proto.help)]
    for kind in ("toggle", "button", "selectbox", "segmented_control", "slider", "number_input"):
        for widget in app.get(kind):
            parts += [
                str(getattr(widget.proto, "label", "")),
                str(getattr(widget.proto, "help", "")),
            ]
    return "\n".join(parts)


def test_an_area_manager_reads_her_scope_and_never_the_chain(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(MARTA, page="compare")
    assert "Area Barcelona: 6 branches" in [c.value for c in app.caption]
    for label in TABS:
        open_tab(app, label)
        said = [line for line in words_shown(app).splitlines() if "chain" in line.lower()]
        # the model's method speaks of the chain; it opens by saying the chain is her area
        assert all(line.startswith(benchmark(MARTA).method_scope) for line in said), said
    head_office = run_app(HQ, page="compare")
    assert f"Chain: {DEMO_BRANCHES} branches" in [c.value for c in head_office.caption]


def test_a_big_heatmap_offers_ranked_branches_never_the_unranked_last_rows() -> None:
    from audit_app.domain import compare as stats
    from audit_app.ui.components.compare_views import CHART_LIMIT, heatmap_choices

    rng = np.random.default_rng(9)
    ranked, unranked = 80, 20
    n = np.concatenate([rng.integers(3, 10, ranked), np.ones(unranked, dtype=int)])
    means = np.concatenate([rng.normal(80, 6, ranked), np.full(unranked, 99.0)])
    sums = n * means
    totals = pd.DataFrame(
        {
            "branch_code": [f"B{i:03d}" for i in range(ranked + unranked)],
            "branch_name": "x",
            "region": "R",
            "country": "ES",
            "audits": n,
            "sum": sums,
            "sum_sq": sums * means + (n - 1) * 36.0,
            "passed": 0,
            "judged": n,
            "critical_failures": 0,
        }
    )
    table = stats.rank_branches(totals, min_audits=3)
    assert all(r.too_few_to_rank for r in table.rows[-unranked:])  # the table ends unranked
    order = [r.branch_code for r in sorted(table.rows[:ranked], key=lambda r: -r.shrunk)]
    half = CHART_LIMIT // 2
    assert heatmap_choices(table) == {
        f"Best and worst {half}": order[:half] + order[-half:],
        f"Best {CHART_LIMIT}": order[:CHART_LIMIT],
        f"Worst {CHART_LIMIT}": order[-CHART_LIMIT:],
    }


def test_the_changes_tab_follows_the_chosen_periods_and_survives_a_new_period_kind(
    ctx: AppContext,
) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    open_tab(app, "Changes")
    first = app.selectbox(key="compare_change_from").value
    last = app.selectbox(key="compare_change_to").value
    assert first < last and len(first) == len("2026-10")
    both = int(metrics(app)["Branches in both periods"].replace(",", ""))
    assert 0 < both <= DEMO_BRANCHES
    app.selectbox(key="compare_change_from").select(
        app.selectbox(key="compare_change_from").options[0]
    ).run()
    assert not app.exception
    assert (
        app.selectbox(key="compare_change_from").value
        == app.selectbox(key="compare_change_from").options[0]
    )
    open_tab(app, "Trend")
    app.session_state["compare_trend_period"] = "quarter"
    app.run()
    open_tab(app, "Changes")
    assert not app.exception and not app.error
    assert "Q" in app.selectbox(key="compare_change_to").value


def test_the_auditors_tab_says_when_no_two_auditors_shared_a_visit(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    open_tab(app, "Auditors")
    assert any("Calibration" in h.value for h in app.subheader)
    assert any("No calibration pairs" in c.value for c in app.caption)


def test_the_auditors_notices_show_in_their_tab_where_they_are_computed(
    ctx: AppContext,
) -> None:
    """The page computes the auditors' figures only when their tab opens: a calibration
    pair's notice is not above the tabs before, and shows in the Auditors tab."""
    load_demo(ctx)
    checklist = ctx.catalogue.get("greeting_phone")
    day = list_scores(ctx)["visited_at"].max().date() - timedelta(days=45)
    for auditor, hour in (("Ann Pair", 10), ("Bob Pair", 11)):
        visit = Visit(
            "ES-CAT-01",
            "greeting_phone",
            checklist.version,
            datetime.combine(day, time(hour)),
            auditor,
        )
        submit_audit(ctx, AuditRecord(visit, phone_answers(ctx)))
    app = run_app(HQ, page="compare")
    assert not any("calibration pair" in c.value for c in app.caption)
    open_tab(app, "Auditors")
    assert any(c.value.startswith("1 calibration pair:") for c in app.caption)
    assert not any("No calibration pairs" in c.value for c in app.caption)


def test_the_model_choices_reach_the_comparison_and_a_backward_change_is_explained(
    ctx: AppContext,
) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    assert any("Period effects removed" in c.value for c in app.caption)
    app.toggle(key="compare_period_effects").set_value(False).run()
    assert not app.exception
    assert not any("Period effects removed" in c.value for c in app.caption)
    app.session_state["compare_target"] = "region"
    app.run()
    open_tab(app, "League table")
    frame = next(f.value for f in app.dataframe if "Pulled toward" in f.value.columns)
    assert set(frame["Pulled toward"]) <= {
        "Catalonia",
        "Bucharest & South",
        "Istanbul",
        "Aegean",
        "Transylvania",
    }
    open_tab(app, "Changes")
    last = app.selectbox(key="compare_change_to").value
    app.selectbox(key="compare_change_from").select(last).run()
    assert not app.exception
    assert any("is not before" in w.value for w in app.warning)
    assert app.selectbox(key="compare_change_from").value < last


def test_the_compare_page_speaks_catalan(ctx: AppContext) -> None:
    """Tabs, metrics, scope and figures in Catalan: decimal commas, the tabs' Catalan names."""
    load_demo(ctx)
    app = run_app(HQ, page="compare", language="ca")
    assert not app.exception
    assert app.title[0].value == "Comparar"
    labels = [tab.label for tab in app.tabs]
    assert labels[:3] == ["Classificació", "Mapa de calor", "Coherència"]
    assert f"Cadena: {DEMO_BRANCHES} botigues" in [c.value for c in app.caption]
    mean = metrics(app)["Puntuació mitjana"]
    assert re.fullmatch(r"\d{2},\d", mean), mean  # 84,9 not 84.9
    assert [d.label for d in app.download_button] == ["Descarrega CSV", "Descarrega Excel"]


def test_the_heatmap_writes_values_in_colour_blind_safe_cells() -> None:
    codes = ["XX-01", "XX-02"]
    cells = pd.DataFrame(
        [
            {
                "label": c,
                "branch_name": f"Branch {c}",
                "column": col,
                "section": col,
                "mean": 60.0 + 10 * n + m,
                "audits": 3,
            }
            for n, c in enumerate(codes)
            for m, col in enumerate(["Answering", "The call"])
        ]
    )
    spec = heatmap_chart(cells, codes, ["Answering", "The call"], middle=70.0).to_dict()
    marks = {
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]: layer
        for layer in spec["layer"]
    }
    assert {"rect", "text"} <= set(marks)
    assert marks["text"]["encoding"]["text"]["field"] == "value"  # the value in each cell
    scheme = marks["rect"]["encoding"]["color"]["scale"]["scheme"]
    assert "red" not in scheme and "green" not in scheme  # not red against green
    assert spec["config"]["axis"]["labelColor"] == "#31333F"  # 12.6:1 on white
    axes = marks["rect"]["encoding"]
    assert axes["x"]["title"] and axes["y"]["title"]  # named axes


def test_a_long_section_title_is_cut_at_a_word_never_inside_one() -> None:
    title = "Complaints: acknowledge within one working day"
    label = short_label(title)
    assert label.endswith("…") and len(label) <= 23
    assert set(label[:-1].split()) <= set(title.replace(":", "").split())  # whole words


def test_every_chart_is_followed_by_a_sentence_that_reads_it(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="compare")
    for label in TABS:
        open_tab(app, label)
        charts = len(app.get("vega_lite_chart"))
        readings = [c.value for c in app.caption if c.value.startswith("Chart: ")]
        assert len(readings) == charts, (label, readings)
        assert all(any(ch.isdigit() for ch in r) for r in readings)  # computed from the data


def test_a_closed_branch_is_ranked_and_marked_only_with_the_toggle(ctx: AppContext) -> None:
    load_demo(ctx)
    closed = next(b for b in list_branches(ctx) if not b.active)
    app = run_app(HQ, page="compare")
    assert closed.code not in league_codes(app)
    toggle = app.sidebar.toggle(key="compare_include_closed")
    assert toggle.value is False and toggle.label == "Include closed branches"
    toggle.set_value(True).run()
    assert not app.exception
    assert closed.code in league_codes(app)
    assert metrics(app)["Branches"] == str(DEMO_BRANCHES + 1)
    ranked = app.dataframe[0].value
    row = ranked[ranked["Code"] == closed.code].iloc[0]
    assert row["Rank"] >= 1
    assert row["Branch"].endswith(urlencode({"name": f"{closed.name} (closed)"}))
    open_tab(app, "Regions")
    assert not app.exception


def test_the_evidence_is_read_once_and_only_where_it_is_shown(
    ctx: AppContext, downloads: Downloads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparison comes without the failure evidence; the Consistency tab and the PDF,
    which show it, read it once between them, and a new period reuses it."""
    import streamlit as st

    from audit_app.storage import compare_queries

    load_demo(ctx)
    st.cache_data.clear()
    reads: list[str] = []
    for name in ("failure_evidence", "failure_evidence_by_branch"):  # in total or per branch

        def counted(*args: Any, real: Any = getattr(compare_queries, name), **kwargs: Any) -> Any:
            reads.append(real.__name__)
            return real(*args, **kwargs)

        monkeypatch.setattr(compare_queries, name, counted)
    app = run_app(HQ, page="compare")
    assert not app.exception
    for label in TABS:
        if label != "Consistency":
            open_tab(app, label)
    assert reads == []
    open_tab(app, "Consistency")
    assert len(reads) == 1
    assert "Failed items and their photos" in [header.value for header in app.subheader]
    app.button(key=PDF_BUTTON_KEY).click().run()
    assert "Failed items and their photos" in pdf_text(downloads.get(".pdf"))
    open_tab(app, "Trend")
    app.session_state["compare_trend_period"] = "quarter"
    app.run()
    open_tab(app, "Consistency")
    assert len(reads) == 1


@pytest.mark.parametrize("user", [HQ, MARTA], ids=["head office", "area manager"])
def test_the_pdf_renders_the_page_s_cached_comparison(
    ctx: AppContext, downloads: Downloads, monkeypatch: pytest.MonkeyPatch, user: Any
) -> None:
    """The PDF takes the comparison the page computed from the cache, for an area manager
    too (whose result carries her areas in its request, unlike the page's own)."""
    import streamlit as st

    from audit_app.services import compare as compare_service

    load_demo(ctx)
    st.cache_data.clear()
    computed: list[int] = []
    real = compare_service.comparison

    def counted(*args: Any, **kwargs: Any) -> Any:
        computed.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(compare_service, "comparison", counted)
    app = run_app(user, page="compare")
    assert not app.exception
    assert len(computed) == 1
    app.button(key=PDF_BUTTON_KEY).click().run()
    assert not app.exception
    assert downloads.get(".pdf")
    assert len(computed) == 1, "the PDF computed the comparison again"


def test_the_pdf_lists_the_overdue_actions_as_they_are_when_it_is_prepared(
    ctx: AppContext, downloads: Downloads
) -> None:
    """The comparison stays cached when actions change (its figures do not use them), but a
    PDF prepared before an action changed is prepared again: it lists the overdue ones."""
    import streamlit as st

    from audit_app.services.actions import ActionFilter, list_actions, update_action

    load_demo(ctx)
    st.cache_data.clear()
    app = run_app(HQ, page="compare")
    app.button(key=PDF_BUTTON_KEY).click().run()
    assert re.search(
        r"\d+ corrective actions? in this selection (is|are) overdue",
        pdf_text(downloads.get(".pdf")),
    )
    for action in list_actions(ctx, ActionFilter(overdue_only=True)):
        update_action(ctx, action.id, status="done")
    app.run()
    assert [button.key for button in app.button if button.key == PDF_BUTTON_KEY]
    app.button(key=PDF_BUTTON_KEY).click().run()
    assert "No corrective action in this selection is overdue" in pdf_text(downloads.get(".pdf"))


def test_a_pdf_prepared_on_one_day_is_prepared_again_on_a_later_one(
    ctx: AppContext, downloads: Downloads, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing is written overnight, yet actions due yesterday are overdue today: the PDF
    that lists them is kept per day, not only per actions' version."""
    from datetime import timedelta

    import streamlit as st

    from audit_app.services import actions, report_compare
    from audit_app.services.actions import ActionFilter, list_actions

    def on(day: date) -> None:  # the calendar's today, where the page and the report read it
        for module in (actions, report_compare):
            monkeypatch.setattr(module, "today", lambda: day)

    def overdue_listed() -> int:
        found = re.search(
            r"([\d,]+) corrective actions? in this selection (?:is|are) overdue",
            pdf_text(downloads.get(".pdf")),
        )
        assert found
        return int(found.group(1).replace(",", ""))

    load_demo(ctx)
    st.cache_data.clear()
    day = date.today()
    on(day)
    app = run_app(HQ, page="compare")
    app.button(key=PDF_BUTTON_KEY).click().run()
    before = overdue_listed()
    later = day + timedelta(days=90)
    on(later)
    app.run()
    assert [button.key for button in app.button if button.key == PDF_BUTTON_KEY]
    app.button(key=PDF_BUTTON_KEY).click().run()
    due = list_actions(ctx, ActionFilter(overdue_only=True), on=later)
    assert overdue_listed() == len(due) > before
