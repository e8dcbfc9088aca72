"""Branch: one location's audits over time, its sections against the chain, the items it
keeps failing, and its PDF report.

Opened as ``branch?code=ES-CAT-01`` from other pages, or through the picker of the user's
branches; without a code it opens on the user's weakest branch (lowest recent mean) and says
why. A branch outside the user's areas is refused like a missing one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.audit import Branch
from audit_app.domain.checklist import localized
from audit_app.domain.evidence import EvidenceCount
from audit_app.domain.labels import action_status_label, mean_definition
from audit_app.domain.reporting_period import ReportingPeriod
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import display
from audit_app.domain.users import Role, User
from audit_app.i18n import _, current_language, formats, ngettext
from audit_app.services.actions import ActionFilter, list_actions
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.reports import (
    BranchReportData,
    WeakestBranch,
    branch_report,
    branch_report_data,
    find_branch,
    weakest_branch,
)
from audit_app.ui.components.branch_charts import (
    THIN_MONTH,
    section_gap_chart,
    section_summary,
    thin_months,
    trend_chart,
    trend_summary,
)
from audit_app.ui.components.branch_names import branch_labels
from audit_app.ui.components.cache_scope import Scope, cache_scope
from audit_app.ui.components.compare_scope import Benchmark, benchmark
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.described_chart import draw_chart, spec_of
from audit_app.ui.components.period_picker import describe_period, period_picker
from audit_app.ui.components.period_picker import today as period_picker_today
from audit_app.ui.components.refusals import attempt, refusal_shown
from audit_app.ui.components.session import user_context


def render() -> None:
    ctx = user_context()
    branches = list_branches(ctx)
    code = _pick(ctx, branches)
    if code is None:
        return
    with st.sidebar:
        period = period_picker(ctx)
    with refusal_shown() as refused:
        branch = find_branch(ctx, code)
        with st.spinner(_("Comparing with the other branches…")):
            data = _report_data(
                ctx,
                cache_scope(ctx.user),
                branch.code,
                data_version(ctx),
                current_language(),
                period,
            )
    if refused:
        return
    _header(branch)
    if not data.audits:
        st.info(
            _(
                "No submitted audits of this branch in {period}. Choose a longer period in "
                "the sidebar, enter a visit on the New visit page or import a filled-in "
                "workbook on the Import page."
            ).format(period=describe_period(period, period_picker_today())),
            icon=":material/inbox:",
        )
        return
    audits = _audits_frame(data)
    _kpis(audits)
    st.download_button(
        _("Download the branch report (PDF)"),
        data=lambda: branch_report(ctx, branch.code, period.date_from, period.date_to),
        file_name=f"branch-{branch.code}-{period.first:%Y-%m}_{period.last:%Y-%m}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="branch_pdf",
    )
    st.subheader(_("Score over time"))
    marks = pd.DataFrame(
        [
            {"checklist": c.title_in(current_language()), "pass_mark": c.pass_mark}
            for c in data.checklists.values()
        ]
    )
    draw_chart(spec_of(trend_chart, audits, marks), width="stretch")
    _trend_captions(audits)
    _history(audits)
    _sections(data, benchmark(ctx.user), _scope(ctx.user))
    _repeated(data)
    _open_actions(ctx, branch)


def _trend_captions(audits: pd.DataFrame) -> None:
    """What the chart shows, in words (its text alternative), and how to read it."""
    st.caption(trend_summary(audits))
    thin = thin_months(audits)
    legend = _(
        "Each mark is an audit (a triangle when below its checklist's pass mark); the blue line "
        "is the monthly mean; dashed lines are the pass marks."
    )
    if thin:
        legend += " " + ngettext(
            "A hollow point is a month with fewer than {n} audits, too few to read a dip "
            "into: {months}.",
            "A hollow point is a month with fewer than {n} audits, too few to read a dip "
            "into: {months}.",
            THIN_MONTH,
        ).format(n=THIN_MONTH, months=", ".join(thin))
    st.caption(legend)


def _pick(ctx: AppContext, branches: list[Branch]) -> str | None:
    """The branch code asked for in the URL, or chosen here (which then goes in the URL);
    with neither, the user's weakest branch, and a sentence saying why it was chosen."""
    asked = st.query_params.get("code")
    codes = [b.code for b in branches]
    by_key = {code.casefold(): code for code in codes}
    current = by_key.get((asked or "").strip().casefold())
    if not branches:
        st.title(_("Branch"))
        if asked:
            return asked  # refused below with the service's own message
        st.info(
            _(
                "No branches to show. Load the demo chain with `audit-app demo`, or add "
                "branches with `audit-app branches import FILE`."
            ),
            icon=":material/inbox:",
        )
        return None
    weakest = None
    if not asked:
        weakest = _weakest(ctx, cache_scope(ctx.user), data_version(ctx))
        if weakest is not None and weakest.code in by_key.values():
            current = weakest.code
    labels = branch_labels(branches)
    with st.sidebar:
        chosen = st.selectbox(
            _("Branch"),
            codes,
            index=codes.index(current) if current else None,
            format_func=labels.__getitem__,
            placeholder=_("Choose a branch"),
        )
    if chosen is not None and chosen != current:
        st.query_params["code"] = chosen
        return chosen
    if asked and current is None:
        st.title(_("Branch"))
        return asked.strip()
    if current is None:
        st.title(_("Branch"))
        st.info(
            ngettext(
                "None of your {n} branch has a scored audit yet; choose it in the sidebar.",
                "None of your {n} branches has a scored audit yet; choose one in the sidebar.",
                len(branches),
            ).format(n=formats.integer(len(branches))),
            icon=":material/storefront:",
        )
        return None
    if weakest is not None and current == weakest.code:
        st.session_state["branch_weakest_note"] = _why(weakest)
    else:
        st.session_state.pop("branch_weakest_note", None)
    return current


def _why(weakest: WeakestBranch) -> str:
    """Why the page opened on this branch, with the figures that made it the choice."""
    return ngettext(
        "Opened on your weakest branch: the lowest mean score of your {branches} branch "
        "with audits from {since} to {until} ({mean} over {audits} audits). Choose another "
        "in the sidebar.",
        "Opened on your weakest branch: the lowest mean score of your {branches} branches "
        "with audits from {since} to {until} ({mean} over {audits} audits). Choose another "
        "in the sidebar.",
        weakest.branches,
    ).format(
        branches=formats.integer(weakest.branches),
        since=formats.date(weakest.since),
        until=formats.date(weakest.until),
        mean=formats.decimal(weakest.mean, 1),
        audits=formats.integer(weakest.audits),
    )


def _header(branch: Branch) -> None:
    st.title(markdown_text(branch.name))
    note = st.session_state.pop("branch_weakest_note", None)
    if note:
        st.info(note, icon=":material/trending_down:")
    state = (
        ":material/check_circle: " + _("Active")
        if branch.active
        else ":material/do_not_disturb_on: " + _("Inactive")
    )
    fields = [
        (_("Code"), markdown_text(branch.code)),
        (_("Region"), markdown_text(f"{branch.region} ({branch.country})")),
        (_("Area"), markdown_text(branch.area or "—")),
        (_("Manager"), markdown_text(branch.manager or "—")),
        (_("Status"), state),
    ]
    for column, (label, value) in zip(st.columns(len(fields)), fields, strict=True):
        column.markdown(f"**{label}**  \n{value}")


def _audits_frame(data: BranchReportData) -> pd.DataFrame:
    language = current_language()
    titles = {cid: checklist.title_in(language) for cid, checklist in data.checklists.items()}
    rows = [
        {
            "link": f"audit?id={a.audit_id}",
            "visited_at": a.visited_at,
            "checklist": titles.get(a.checklist_id, a.checklist_id),
            "version": a.checklist_version,
            "auditor": a.auditor,
            "overall": display(a.overall),
            "grade": a.grade,
            "passed": a.passed,
            "critical_failure": a.critical_failure,
        }
        for a in data.audits
    ]
    return pd.DataFrame(rows)


def _kpis(audits: pd.DataFrame) -> None:
    scored = audits.dropna(subset=["overall"])
    judged = audits["passed"].dropna()
    last = scored.iloc[-1] if not scored.empty else None
    kpis = st.columns(5)
    kpis[0].metric(_("Audits"), formats.integer(len(audits)))
    kpis[1].metric(
        _("Mean score"),
        formats.decimal(scored["overall"].mean() if not scored.empty else None),
        help=mean_definition(),
    )
    kpis[2].metric(
        _("Last score"),
        formats.decimal(None if last is None else last["overall"]),
        help=None
        if last is None
        else markdown_text(f"{last['checklist']}, {formats.date(last['visited_at'])}"),
    )
    kpis[3].metric(
        _("Pass rate"), formats.percent(judged.astype(bool).mean() if len(judged) else None)
    )
    kpis[4].metric(_("Critical failures"), formats.integer(int(audits["critical_failure"].sum())))


def _history(audits: pd.DataFrame) -> None:
    st.subheader(_("Audits"))
    st.caption(_("Select a number in the Audit column to open that audit."))
    data_table(
        audits.iloc[::-1].drop(columns=["passed"]),
        hide_index=True,
        width="stretch",
        column_config={
            "link": st.column_config.LinkColumn(
                _("Audit"), display_text=r"audit\?id=(\d+)", width="small"
            ),
            "visited_at": st.column_config.DatetimeColumn(_("Visit"), format="YYYY-MM-DD HH:mm"),
            "checklist": st.column_config.TextColumn(_("Checklist"), width="medium"),
            "version": st.column_config.NumberColumn(_("Version"), format="v%d", width="small"),
            "auditor": st.column_config.TextColumn(_("Auditor")),
            "overall": st.column_config.ProgressColumn(
                _("Score"), min_value=0, max_value=100, format="%.1f", width="small"
            ),
            "grade": st.column_config.TextColumn(_("Grade"), width="small"),
            "critical_failure": st.column_config.CheckboxColumn(_("Critical"), width="small"),
        },
    )


def _scope(user: User | None) -> str:
    """ "chain", "area" or "areas": what this user's section means are taken over."""
    if user is None or user.role != Role.AREA_MANAGER:
        return "chain"
    return "area" if len(user.areas) == 1 else "areas"


def _sections(data: BranchReportData, bench: Benchmark, scope: str) -> None:
    if not data.sections:
        return
    subheaders = {
        "chain": _("Sections against the chain"),
        "area": _("Sections against your area"),
        "areas": _("Sections against your areas"),
    }
    captions = {
        "chain": _(
            "Mean section scores of this branch against the audits of every branch in the "
            "chain with the same checklist over the same period."
        ),
        "area": _(
            "Mean section scores of this branch against the audits of every branch in your "
            "area with the same checklist over the same period."
        ),
        "areas": _(
            "Mean section scores of this branch against the audits of every branch in your "
            "areas with the same checklist over the same period."
        ),
    }
    axis_titles = {
        "chain": _("Points above (right) or below (left) the chain"),
        "area": _("Points above (right) or below (left) your area"),
        "areas": _("Points above (right) or below (left) your areas"),
    }
    st.subheader(subheaders[scope])
    language = current_language()
    rows = []
    for row in data.sections:
        checklist = data.checklists[row.checklist_id]
        titles = {
            s.id: localized(s.title, language, checklist.language) for s in checklist.sections
        }
        rows.append(
            {
                "label": f"{checklist.title_in(language)} · "
                f"{titles.get(row.section_id, row.section_id)}",
                "branch_mean": round(row.branch_mean, 1),
                "chain_mean": round(row.chain_mean, 1),
                "difference": round(row.branch_mean - row.chain_mean, 1),
                "audits": row.audits,
            }
        )
    sections = pd.DataFrame(rows)
    st.caption(captions[scope])
    summary = section_summary(sections, scope)
    draw_chart(
        spec_of(section_gap_chart, sections, bench, axis_titles[scope], summary), width="stretch"
    )
    st.caption(summary)
    with st.expander(_("Section figures")):
        data_table(
            sections,
            hide_index=True,
            width="stretch",
            column_config={
                "label": st.column_config.TextColumn(_("Section"), width="large"),
                "branch_mean": st.column_config.NumberColumn(_("Branch"), format="%.1f"),
                "chain_mean": st.column_config.NumberColumn(bench.column, format="%.1f"),
                "difference": st.column_config.NumberColumn(_("Difference"), format="%+.1f"),
                "audits": st.column_config.NumberColumn(_("Audits")),
            },
        )


def _repeated(data: BranchReportData) -> None:
    st.subheader(_("Items failed again and again"))
    if not data.repeated:
        st.success(_("No item failed in two audits in a row."), icon=":material/check_circle:")
        return
    language = current_language()
    rows = []
    for failure in data.repeated:
        checklist = data.checklists[failure.checklist_id]
        item = checklist.items_by_id.get(failure.item_id)
        counts = data.evidence.get((failure.checklist_id, failure.item_id), EvidenceCount())
        rows.append(
            {
                "checklist": checklist.title_in(language),
                "item": localized(item.text, language, checklist.language)
                if item
                else failure.item_id,
                "critical": bool(item and item.critical),
                "consecutive": failure.consecutive,
                "last_failed": failure.last_failed,
                "failures": counts.failures,
                "with_photos": counts.with_photo,
            }
        )
    data_table(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "checklist": st.column_config.TextColumn(_("Checklist"), width="medium"),
            "item": st.column_config.TextColumn(_("Item"), width="large"),
            "critical": st.column_config.CheckboxColumn(_("Critical"), width="small"),
            "consecutive": st.column_config.NumberColumn(_("Audits in a row"), width="small"),
            "last_failed": st.column_config.DatetimeColumn(
                _("Last failed"), format="YYYY-MM-DD", width="small"
            ),
            "failures": st.column_config.NumberColumn(
                _("Failures"), width="small", help=_("Failed answers in the period")
            ),
            "with_photos": st.column_config.NumberColumn(
                _("With photos"),
                width="small",
                help=_("Failed answers in the period that carry at least one photo"),
            ),
        },
    )


def _open_actions(ctx: AppContext, branch: Branch) -> None:
    """The branch's corrective actions still open or in progress, most urgent first."""
    st.subheader(_("Open corrective actions"))
    actions = attempt(lambda: list_actions(ctx, ActionFilter(("open", "in_progress"), branch.code)))
    if actions is None:
        return
    if not actions:
        st.success(_("No open corrective action."), icon=":material/check_circle:")
        return
    overdue = sum(action.overdue for action in actions)
    st.caption(
        ngettext(
            "{n} open, {overdue} overdue (due before today). Select a number to change it "
            "on the Actions page.",
            "{n} open, {overdue} overdue (due before today). Select a number to change one "
            "on the Actions page.",
            len(actions),
        ).format(n=formats.integer(len(actions)), overdue=formats.integer(overdue))
    )
    data_table(
        pd.DataFrame(
            [
                {
                    "id": a.id,
                    "link": f"actions?code={branch.code}&id={a.id}",
                    "due_on": a.due_on,
                    "overdue": a.overdue,
                    "status": action_status_label(a.status),
                    "item": a.item,
                    "critical": a.critical,
                    "owner": a.owner,
                }
                for a in actions
            ]
        ),
        hide_index=True,
        width="stretch",
        column_order=["link", "due_on", "overdue", "status", "item", "critical", "owner"],
        column_config={
            "link": st.column_config.LinkColumn(
                "#", display_text=r"actions\?code=.*&id=(\d+)", width="small"
            ),
            "due_on": st.column_config.DateColumn(_("Due"), format="YYYY-MM-DD", width="small"),
            "overdue": st.column_config.CheckboxColumn(_("Overdue"), width="small"),
            "status": st.column_config.TextColumn(_("Status"), width="small"),
            "item": st.column_config.TextColumn(_("Item"), width="large"),
            "critical": st.column_config.CheckboxColumn(_("Critical"), width="small"),
            "owner": st.column_config.TextColumn(_("Owner")),
        },
    )
    st.page_link(
        "pages/actions_page.py",
        label=_("Open the actions of this branch"),
        query_params={"code": branch.code},
        icon=":material/assignment_late:",
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _report_data(
    _ctx: AppContext,
    scope: Scope,
    code: str,
    stamp: tuple[object, ...],
    language: str,
    period: ReportingPeriod,
) -> BranchReportData:
    """Audits, section comparison and repeated failures in the period: one query set per
    data change and period (and language: the service's messages are in it)."""
    return branch_report_data(_ctx, code, period.date_from, period.date_to)


@st.cache_data(show_spinner=False, max_entries=32)
def _weakest(_ctx: AppContext, scope: Scope, stamp: tuple[object, ...]) -> WeakestBranch | None:
    return weakest_branch(_ctx)


render()
