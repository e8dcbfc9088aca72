"""Compare: the league table, section heatmap, consistency of standards, regions, trend and
auditor effects for one selection of audits, with CSV, Excel and PDF downloads.

The page asks for one comparison (a ComparisonRequest from the sidebar, the trend's
period and the items switch) and every tab and download renders that one result, cached
per request, data version and user. The services narrow everything to an area manager's
areas.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

import streamlit as st

from audit_app.domain import compare as stats
from audit_app.domain.compare import ComparisonRequest, ComparisonResult
from audit_app.domain.safe_text import markdown_text
from audit_app.services.access import scoped
from audit_app.services.compare import UnknownPeriod
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
TABS = ("League table", "Heatmap", "Consistency", "Regions", "Trend", "Changes", "Auditors")
PERIOD_EFFECTS_KEY = "compare_period_effects"
TARGET_KEY = "compare_target"
TARGET_LABELS = {
    "auto": "Region if regions differ",
    "chain": "The whole selection",
    "region": "Its region",
    "country": "Its country",
}
CHANGE_FROM_KEY = "compare_change_from"
CHANGE_TO_KEY = "compare_change_to"
# The periods the user picked (None until they pick): the request asks for the default
# periods until then, so opening the tab does not make a second comparison.
CHOSEN = {CHANGE_FROM_KEY: "compare_change_from_chosen", CHANGE_TO_KEY: "compare_change_to_chosen"}
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
    result = attempt(lambda: _comparison(ctx, choice, version))
    if result is None:
        return
    if result.empty:
        _empty_state(ctx, choice, version)
        return
    _summary(result, benchmark(user))
    _model_choices(result)
    _notices(result)
    _downloads(ctx, choice, version, result)
    _tabs(ctx, result)


def _comparison(ctx: AppContext, choice: CompareChoice, version: Version) -> ComparisonResult:
    """The page's one comparison. Items are summed when asked for, or by default when the
    user sees up to ``ITEMS_BY_DEFAULT_UP_TO`` branches."""
    period: stats.Period = "quarter" if st.session_state.get(PERIOD_KEY) == "quarter" else "month"
    wanted = st.session_state.get(ITEMS_KEY)
    if wanted is None:
        wanted = data.branch_count(ctx, version, ctx.user) <= ITEMS_BY_DEFAULT_UP_TO
    target = st.session_state.get(TARGET_KEY) or "auto"
    request = ComparisonRequest(
        choice.audit_filter,
        min_audits=choice.min_audits,
        period=period,
        adjust_periods=bool(st.session_state.get(PERIOD_EFFECTS_KEY, True)),
        grouping=target if target in stats.GROUPINGS else "auto",
        items=bool(wanted),
        change_from=st.session_state.get(CHOSEN[CHANGE_FROM_KEY]),
        change_to=st.session_state.get(CHOSEN[CHANGE_TO_KEY]),
    )
    try:
        return data.comparison(ctx, request, version, ctx.user)
    except UnknownPeriod as refused:  # periods picked that the selection cannot compare
        st.warning(markdown_text(f"{refused} The change uses the default periods."))
        for key in (CHANGE_FROM_KEY, CHANGE_TO_KEY):
            st.session_state.pop(key, None)
            st.session_state.pop(CHOSEN[key], None)
        plain = replace(request, change_from=None, change_to=None)
        return data.comparison(ctx, plain, version, ctx.user)


def _model_choices(result: ComparisonResult) -> None:
    """The model's two choices, as on the command line (--no-period-effects, --target)."""
    with st.expander("Model: period effects and targets"):
        st.toggle(
            "Remove period effects",
            value=result.request.adjust_periods,
            key=PERIOD_EFFECTS_KEY,
            help="A month or quarter that scored higher or lower for every branch is "
            "measured within branches and removed before branches are compared.",
        )
        st.segmented_control(
            "Pull each estimate toward",
            list(TARGET_LABELS),
            default=result.request.grouping,
            key=TARGET_KEY,
            format_func=TARGET_LABELS.__getitem__,
            help="The level a branch with few audits is pulled toward.",
        )


def _remember_period(key: str) -> None:
    st.session_state[CHOSEN[key]] = st.session_state.get(key)


def _notices(result: ComparisonResult) -> None:
    """What must be read with the numbers, above every tab."""
    for notice in result.notices:
        if notice.level == "warning":
            st.warning(markdown_text(notice.message), icon=":material/warning:")
        else:
            st.caption(markdown_text(notice.message))


def _summary(result: ComparisonResult, bench: Benchmark) -> None:
    table = result.league
    rows = table.rows
    st.caption(markdown_text(result.scope.label))
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


def _downloads(
    ctx: AppContext, choice: CompareChoice, version: Version, result: ComparisonResult
) -> None:
    """CSV and Excel are built when clicked; the PDF takes seconds, so it is prepared first
    and kept per request. All three render the page's one result."""
    name = _file_stem(choice)
    csv_col, xlsx_col, pdf_col = st.columns(3)
    csv_col.download_button(
        "Download CSV",
        data=lambda: data.csv_bytes(result),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    xlsx_col.download_button(
        "Download Excel",
        data=lambda: data.workbook_bytes(result),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        on_click="ignore",
        width="stretch",
    )
    with pdf_col:
        _pdf(ctx, result.request, version, name)


def _pdf(ctx: AppContext, request: ComparisonRequest, version: Version, name: str) -> None:
    user = ctx.user
    ready: set[str] = st.session_state.setdefault(PDF_READY_KEY, set())
    key = repr((request, version, user))
    slot = st.empty()
    if key not in ready and not slot.button(
        "Prepare PDF report", icon=":material/picture_as_pdf:", width="stretch", key=PDF_BUTTON_KEY
    ):
        return
    with (
        refusal_shown() as refused,
        st.spinner("Building the PDF report (a large selection takes a few seconds)…"),
    ):
        pdf = data.pdf_report(ctx, request, version, user)
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


def _tabs(ctx: AppContext, result: ComparisonResult) -> None:
    """Every tab renders the one result; only the open tab draws."""
    bench = benchmark(ctx.user)
    labels = data.standard_labels(ctx)
    titles = data.checklist_titles(ctx)
    table = result.league

    def consistency() -> None:
        st.toggle(
            "Include items",
            value=bool(result.request.items),
            key=ITEMS_KEY,
            help="Spread per checklist item as well as per section (slower on a large selection).",
        )
        views.consistency_tab(result, labels, titles, result.request.items)

    def trend() -> None:
        st.segmented_control(
            "Period",
            PERIODS,
            default=result.request.period,
            key=PERIOD_KEY,
            format_func=str.capitalize,
            help="Also the period whose effects are removed before branches are compared.",
        )
        views.trend_tab(result.trend, result.index_trend, result.request.period, bench)

    def changes() -> None:
        periods = [str(p) for p in result.trend["period"]]
        shown = result.changes
        left, right = st.columns(2)
        for column, key, label, value in (
            (left, CHANGE_FROM_KEY, "From", shown.earlier),
            (right, CHANGE_TO_KEY, "To", shown.later),
        ):
            column.selectbox(
                f"{label} {result.request.period}",
                periods,
                index=periods.index(value) if value in periods else None,
                key=key,
                on_change=_remember_period,
                args=(key,),
            )
        views.changes_tab(shown)

    def auditors() -> None:
        views.auditors_tab(result.auditors)
        views.calibration_section(result.calibration)

    draw: dict[str, Callable[[], None]] = {
        "League table": lambda: views.league_tab(table, bench),
        "Heatmap": lambda: views.heatmap_tab(result.heatmap, table, labels, titles),
        "Consistency": consistency,
        "Regions": lambda: views.regions_tab(result.regions),
        "Trend": trend,
        "Changes": changes,
        "Auditors": auditors,
    }
    for label, tab in zip(TABS, st.tabs(TABS, key=TAB_KEY, on_change="rerun"), strict=True):
        with tab:
            if tab.open:
                attempt(draw[label])


render()
