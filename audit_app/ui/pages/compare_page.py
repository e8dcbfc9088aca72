"""Compare: the league table, section heatmap, consistency of standards, regions, trend and
auditor effects for one selection of audits, with CSV, Excel and PDF downloads.

Only the open tab computes (lazy tabs), and every result is cached per filter, data
version and user, so a filter change on a 5,000-branch chain redraws in well under a
second. The services narrow everything to an area manager's areas.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from audit_app.domain import compare as stats
from audit_app.domain.safe_text import markdown_text
from audit_app.services.access import scoped
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.ui.components import compare_data as data
from audit_app.ui.components import compare_views as views
from audit_app.ui.components.compare_data import Version
from audit_app.ui.components.compare_filters import CompareChoice, compare_filter_sidebar
from audit_app.ui.components.compare_scope import Benchmark, benchmark
from audit_app.ui.components.refusals import attempt, refusal_shown
from audit_app.ui.components.session import user_context

TAB_KEY = "compare_tab"
TABS = ("League table", "Heatmap", "Consistency", "Regions", "Trend", "Auditors")
ITEMS_KEY = "compare_items"
PERIOD_KEY = "compare_trend_period"
PERIODS: list[stats.Period] = ["month", "quarter"]
PDF_READY_KEY = "compare_pdf_ready"
PDF_BUTTON_KEY = "compare_prepare_pdf"
# Item-level consistency sums every answer: above this many branches it waits to be asked.
# (A comment, not a docstring: Streamlit's magic would print a bare string in a page.)
ITEMS_BY_DEFAULT_UP_TO = 1_000


def render() -> None:
    ctx = user_context()
    user = ctx.user
    st.title("Compare")
    with refusal_shown() as refused:
        version = data_version(ctx)
        months = data.months(ctx, version, user)
        regions = data.regions(ctx, version, user)
    if refused:
        return
    if not months:
        st.info(
            "No submitted audits to compare yet. Load the demo chain with `audit-app demo`, "
            "or enter visits on the New visit page or the Import page.",
            icon=":material/inbox:",
        )
        return
    choice = compare_filter_sidebar(ctx, months, regions)
    audit_filter = choice.audit_filter
    described = scoped(ctx, audit_filter).describe(data.checklist_titles(ctx))
    st.caption(markdown_text(described[:1].upper() + described[1:]))
    table = attempt(lambda: data.league(ctx, audit_filter, choice.min_audits, version, user))
    if table is None:
        return
    if not table.rows:
        _empty_state(ctx, choice, version)
        return
    _summary(table, benchmark(user))
    _downloads(ctx, choice, version)
    _tabs(ctx, choice, version, table)


def _summary(table: stats.LeagueTable, bench: Benchmark) -> None:
    rows = table.rows
    columns = st.columns(4)
    columns[0].metric("Branches", f"{len(rows):,}")
    columns[1].metric("Audits", f"{sum(r.audits for r in rows):,}")
    chain = table.chain_mean
    columns[2].metric(
        bench.mean_label,
        "—" if chain is None else f"{chain:.1f}",
        help="The level every branch's estimate is pulled toward.",
    )
    columns[3].metric("Ranked", f"{sum(not r.too_few_to_rank for r in rows):,}")


def _empty_state(ctx: AppContext, choice: CompareChoice, version: Version) -> None:
    """Nothing matches: say which filter to widen, and by how much it would help."""
    hints = attempt(lambda: data.widen_hints(ctx, choice.audit_filter, version, ctx.user))
    if hints is None:
        return
    message = "No submitted audits match these filters."
    if hints:
        message += " Try " + "; or ".join(hints) + "."
    else:
        message += " Widen the period or set the filters in the sidebar back to “All”."
    st.info(markdown_text(message), icon=":material/filter_alt_off:")


def _downloads(ctx: AppContext, choice: CompareChoice, version: Version) -> None:
    """CSV and Excel are built when clicked; the PDF takes seconds, so it is prepared first
    and kept per filter."""
    f, m = choice.audit_filter, choice.min_audits
    name = _file_stem(choice)
    csv_col, xlsx_col, pdf_col = st.columns(3)
    csv_col.download_button(
        "Download CSV",
        data=lambda: data.csv_bytes(ctx, f, m),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    xlsx_col.download_button(
        "Download Excel",
        data=lambda: data.workbook_bytes(ctx, f, m),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        on_click="ignore",
        width="stretch",
    )
    with pdf_col:
        _pdf(ctx, choice, version, name)


def _pdf(ctx: AppContext, choice: CompareChoice, version: Version, name: str) -> None:
    user = ctx.user
    ready: set[str] = st.session_state.setdefault(PDF_READY_KEY, set())
    key = repr((choice, version, user))
    slot = st.empty()
    if key not in ready and not slot.button(
        "Prepare PDF report", icon=":material/picture_as_pdf:", width="stretch", key=PDF_BUTTON_KEY
    ):
        return
    with (
        refusal_shown() as refused,
        st.spinner("Building the PDF report (a large selection takes a few seconds)…"),
    ):
        pdf = data.pdf_report(ctx, choice.audit_filter, choice.min_audits, version, user)
    if refused:
        return
    ready.add(key)
    slot.download_button(
        "Download PDF report",
        data=pdf,
        file_name=f"{name}.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )


def _file_stem(choice: CompareChoice) -> str:
    f = choice.audit_filter
    parts = ["comparison", f.checklist_id, f.region, f.channel]
    if f.date_from and f.date_to:
        parts.append(f"{f.date_from:%Y-%m}_{f.date_to:%Y-%m}")
    return "_".join(re.sub(r"[^\w.-]+", "-", p.replace("&", "and")) for p in parts if p)


def _tabs(
    ctx: AppContext, choice: CompareChoice, version: Version, table: stats.LeagueTable
) -> None:
    """Only the open tab computes: the others cost nothing until chosen."""
    f, user = choice.audit_filter, ctx.user
    bench = benchmark(user)
    labels = data.standard_labels(ctx)
    titles = data.checklist_titles(ctx)
    big = len(table.rows) > ITEMS_BY_DEFAULT_UP_TO

    def heatmap() -> None:
        with st.spinner("Averaging sections per branch…"):
            cells = data.heatmap(ctx, f, version, user)
        views.heatmap_tab(cells, table, labels, titles)

    def consistency() -> None:
        items = st.toggle(
            "Include items",
            value=not big,
            key=ITEMS_KEY,
            help="Spread per checklist item as well as per section (slower on a large chain).",
        )
        with st.spinner("Comparing standards…"):
            result = data.consistency(ctx, f, items, version, user)
        views.consistency_tab(result, labels, titles, items)

    def regions() -> None:
        views.regions_tab(stats.roll_up_regions(table))

    def trend() -> None:
        period = (
            st.segmented_control(
                "Period",
                PERIODS,
                default="month",
                key=PERIOD_KEY,
                format_func=str.capitalize,
            )
            or "month"
        )
        with st.spinner(f"Following {bench.noun} over time…"):
            means, index = data.trend(ctx, f, period, version, user)
        views.trend_tab(means, index, period, bench)

    def auditors() -> None:
        with st.spinner("Comparing auditors on the same branches…"):
            effects = data.auditors(ctx, f, version, user)
        views.auditors_tab(effects)

    draw: dict[str, Callable[[], None]] = {
        "League table": lambda: views.league_tab(table, bench),
        "Heatmap": heatmap,
        "Consistency": consistency,
        "Regions": regions,
        "Trend": trend,
        "Auditors": auditors,
    }
    for label, tab in zip(TABS, st.tabs(TABS, key=TAB_KEY, on_change="rerun"), strict=True):
        with tab:
            if tab.open:
                attempt(draw[label])


render()
