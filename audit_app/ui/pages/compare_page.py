"""Compare: the league table, section heatmap, consistency of standards, regions, trend and
auditor effects for one selection of audits, with CSV, Excel and PDF downloads.

The page asks for one comparison (a ComparisonRequest from the sidebar, the trend's
period and the items switch) and every tab and download renders that one result, cached
per request, data version and user. The services narrow everything to an area manager's
areas.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

import streamlit as st

from audit_app.domain import compare as stats
from audit_app.domain.compare import ComparisonRequest, ComparisonResult, Notice
from audit_app.domain.labels import mean_definition
from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import N_, _, current_language, formats
from audit_app.services.access import scoped
from audit_app.services.actions import actions_version, today
from audit_app.services.compare import UnknownPeriod
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.ui.components import compare_data as data
from audit_app.ui.components import compare_views as views
from audit_app.ui.components.cache_scope import cache_scope
from audit_app.ui.components.compare_data import Version
from audit_app.ui.components.compare_filters import CompareChoice, compare_filter_sidebar
from audit_app.ui.components.compare_scope import Benchmark, benchmark
from audit_app.ui.components.refusals import attempt, refusal_shown
from audit_app.ui.components.session import user_context

TAB_KEY = "compare_tab"
TABS = (
    N_("League table"),
    N_("Heatmap"),
    N_("Consistency"),
    N_("Regions"),
    N_("Trend"),
    N_("Changes"),
    N_("Auditors"),
)
# The tabs' English names (the state's keys); shown translated.
PERIOD_EFFECTS_KEY = "compare_period_effects"
TARGET_KEY = "compare_target"
TARGET_LABELS = {
    "auto": N_("Region if regions differ"),
    "chain": N_("The whole selection"),
    "region": N_("Its region"),
    "country": N_("Its country"),
}
PERIOD_WORDS = {"month": N_("Month"), "quarter": N_("Quarter")}
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
    scope = cache_scope(ctx.user)
    st.title(_("Compare"))
    scope_slot = st.empty()
    with refusal_shown() as refused:
        version = data_version(ctx)
        months = data.months(ctx, version, scope)
        regions = data.regions(ctx, version, scope)
    if refused:
        return
    if not months:
        st.info(
            _(
                "No submitted audits to compare yet. Load the demo chain with `{command}`, "
                "or enter visits on the New visit page or the Import page."
            ).format(command="audit-app demo"),
            icon=":material/inbox:",
        )
        return
    choice = compare_filter_sidebar(ctx, months, regions)
    audit_filter = choice.audit_filter
    described = scoped(ctx, audit_filter).describe(data.checklist_titles(ctx))
    st.caption(markdown_text(described[:1].upper() + described[1:]))
    # The figures' own version: only the audits visited in the filter's dates count, so the
    # default twelve complete months stay cached while this month's visits come in.
    figures = attempt(lambda: data_version(ctx, audit_filter))
    result = None if figures is None else attempt(lambda: _comparison(ctx, choice, figures))
    if figures is None or result is None:
        return
    scope_slot.caption(markdown_text(result.scope.label))
    if result.empty:
        _empty_state(ctx, choice, version)
        return
    _summary(result, benchmark(ctx.user))
    _model_choices(result)
    _notices(result)
    _downloads(ctx, choice, figures, result)
    _tabs(ctx, result, figures)


def _comparison(ctx: AppContext, choice: CompareChoice, version: Version) -> ComparisonResult:
    """The page's one comparison. Items are summed when asked for, or by default when the
    user sees up to ``ITEMS_BY_DEFAULT_UP_TO`` branches."""
    period: stats.Period = "quarter" if st.session_state.get(PERIOD_KEY) == "quarter" else "month"
    wanted = st.session_state.get(ITEMS_KEY)
    if wanted is None:
        wanted = data.branch_count(ctx, version, cache_scope(ctx.user)) <= ITEMS_BY_DEFAULT_UP_TO
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
        include_closed=choice.include_closed,
        evidence=False,  # read when the Consistency tab or the PDF shows it (with_evidence)
        auditors=False,  # computed when the Auditors tab or the PDF shows them (with_auditors)
    )
    try:
        return data.comparison(ctx, request, version, cache_scope(ctx.user))
    except UnknownPeriod as refused:  # periods picked that the selection cannot compare
        st.warning(
            markdown_text(
                _("{problem} The change uses the default periods.").format(problem=refused)
            )
        )
        for key in (CHANGE_FROM_KEY, CHANGE_TO_KEY):
            st.session_state.pop(key, None)
            st.session_state.pop(CHOSEN[key], None)
        plain = replace(request, change_from=None, change_to=None)
        return data.comparison(ctx, plain, version, cache_scope(ctx.user))


def _model_choices(result: ComparisonResult) -> None:
    """The model's two choices, as on the command line (--no-period-effects, --target)."""
    with st.expander(_("Model: period effects and targets")):
        st.toggle(
            _("Remove period effects"),
            value=result.request.adjust_periods,
            key=PERIOD_EFFECTS_KEY,
            help=_(
                "A month or quarter that scored higher or lower for every branch is "
                "measured within branches and removed before branches are compared."
            ),
        )
        st.segmented_control(
            _("Pull each estimate toward"),
            list(TARGET_LABELS),
            default=result.request.grouping,
            key=TARGET_KEY,
            format_func=lambda key: _(TARGET_LABELS[key]),
            help=_("The level a branch with few audits is pulled toward."),
        )


def _remember_period(key: str) -> None:
    st.session_state[CHOSEN[key]] = st.session_state.get(key)


def _notices(result: ComparisonResult) -> None:
    """What must be read with the numbers, above every tab (the auditors' own notices in
    their tab, where they are computed)."""
    _notices_of(result.notices)


def _notices_of(notices: Iterable[Notice]) -> None:
    for notice in notices:
        if notice.level == "warning":
            st.warning(markdown_text(notice.message), icon=":material/warning:")
        else:
            st.caption(markdown_text(notice.message))


def _summary(result: ComparisonResult, bench: Benchmark) -> None:
    table = result.league
    rows = table.rows
    columns = st.columns(5)
    columns[0].metric(_("Branches"), formats.integer(len(rows)))
    columns[1].metric(_("Audits"), formats.integer(sum(r.audits for r in rows)))
    columns[2].metric(
        _("Mean score"), formats.decimal(result.mean_score, 1), help=mean_definition()
    )
    columns[3].metric(
        bench.level_label,
        formats.decimal(table.chain_mean, 1),
        help=_(
            "The model's level every branch's estimate is pulled toward (period effects "
            "removed, each branch weighed by how surely its level is known): not the mean score."
        ),
    )
    columns[4].metric(_("Ranked"), formats.integer(sum(not r.too_few_to_rank for r in rows)))


def _empty_state(ctx: AppContext, choice: CompareChoice, version: Version) -> None:
    """Nothing matches: say which filter to widen, and by how much it would help."""
    hints = attempt(
        lambda: data.widen_hints(
            ctx, choice.audit_filter, version, cache_scope(ctx.user), current_language()
        )
    )
    if hints is None:
        return
    message = _("No submitted audits match these filters.")
    if hints:
        lines = "\n".join(f"- {hint}" for hint in hints)
        message += " " + _("Try one of these:") + "\n\n" + lines
    else:
        message += " " + _("Widen the period or set the filters in the sidebar back to “All”.")
    st.info(markdown_text(message), icon=":material/filter_alt_off:")


def _downloads(
    ctx: AppContext, choice: CompareChoice, version: Version, result: ComparisonResult
) -> None:
    """CSV and Excel are built when clicked; the PDF takes seconds, so it is prepared first
    and kept per request. All three render the page's one result."""
    name = _file_stem(choice)
    csv_col, xlsx_col, pdf_col = st.columns(3)
    csv_col.download_button(
        _("Download CSV"),
        data=lambda: data.csv_bytes(result),
        file_name=f"{name}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        width="stretch",
    )
    xlsx_col.download_button(
        _("Download Excel"),
        # its summary carries the calibration, as `audit-app compare --format xlsx` does
        data=lambda: data.workbook_bytes(
            data.with_auditors(ctx, result, version, cache_scope(ctx.user))
        ),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/table_view:",
        on_click="ignore",
        width="stretch",
    )
    with pdf_col:
        _pdf(ctx, result.request, version, name)


def _pdf(ctx: AppContext, request: ComparisonRequest, version: Version, name: str) -> None:
    scope = cache_scope(ctx.user)
    ready: set[str] = st.session_state.setdefault(PDF_READY_KEY, set())
    # The comparison's version leaves actions out; the report also lists overdue actions.
    actions = (*actions_version(ctx), today())
    key = repr((request, version, actions, scope))
    slot = st.empty()
    if key not in ready and not slot.button(
        _("Prepare PDF report"),
        icon=":material/picture_as_pdf:",
        width="stretch",
        key=PDF_BUTTON_KEY,
    ):
        return
    with (
        refusal_shown() as refused,
        st.spinner(_("Building the PDF report (a large selection takes a few seconds)…")),
    ):
        pdf = data.pdf_report(ctx, request, version, actions, scope)
    if refused:
        return
    ready.add(key)
    slot.download_button(
        _("Download PDF report"),
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


def _tabs(ctx: AppContext, result: ComparisonResult, version: Version) -> None:
    """Every tab renders the one result; only the open tab draws."""
    bench = benchmark(ctx.user)
    labels = data.standard_labels(ctx)
    titles = data.checklist_titles(ctx)
    table = result.league

    def consistency() -> None:
        st.toggle(
            _("Include items"),
            value=bool(result.request.items),
            key=ITEMS_KEY,
            help=_(
                "Spread per checklist item as well as per section (slower on a large selection)."
            ),
        )
        shown = data.with_evidence(ctx, result, version, cache_scope(ctx.user))
        views.consistency_tab(shown, labels, titles, result.request.items)

    def trend() -> None:
        st.segmented_control(
            _("Period"),
            PERIODS,
            default=result.request.period,
            key=PERIOD_KEY,
            format_func=lambda period: _(PERIOD_WORDS[period]),
            help=_("Also the period whose effects are removed before branches are compared."),
        )
        views.trend_tab(result.trend, result.index_trend, result.request.period, bench)

    def changes() -> None:
        periods = [str(p) for p in result.trend["period"]]
        shown = result.changes
        left, right = st.columns(2)
        quarter = result.request.period == "quarter"
        for column, key, label, value in (
            (
                left,
                CHANGE_FROM_KEY,
                _("From quarter") if quarter else _("From month"),
                shown.earlier,
            ),
            (right, CHANGE_TO_KEY, _("To quarter") if quarter else _("To month"), shown.later),
        ):
            column.selectbox(
                label,
                periods,
                index=periods.index(value) if value in periods else None,
                key=key,
                on_change=_remember_period,
                args=(key,),
            )
        views.changes_tab(shown)

    def auditors() -> None:
        shown = data.with_auditors(ctx, result, version, cache_scope(ctx.user))
        _notices_of([notice for notice in shown.notices if notice not in result.notices])
        views.auditors_tab(shown.auditors)
        views.calibration_section(shown.calibration, labels, titles)

    draw: dict[str, Callable[[], None]] = {
        "League table": lambda: views.league_tab(table, bench),
        "Heatmap": lambda: views.heatmap_tab(result.heatmap, table, labels, titles),
        "Consistency": consistency,
        "Regions": lambda: views.regions_tab(result.regions, views.branch_names(table)),
        "Trend": trend,
        "Changes": changes,
        "Auditors": auditors,
    }
    shown = [_(label) for label in TABS]
    english = dict(zip(shown, TABS, strict=True))
    if st.session_state.get(TAB_KEY) in TABS:  # a tab kept from another language
        st.session_state[TAB_KEY] = _(st.session_state[TAB_KEY])
    tabs = st.tabs(shown, key=TAB_KEY, on_change="rerun")
    for label, tab in zip(shown, tabs, strict=True):
        with tab:
            if tab.open:
                attempt(draw[english[label]])


render()
