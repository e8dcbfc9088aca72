"""Branch: one location's audits over time, its sections against the chain, the items it
keeps failing, and its PDF report.

Opened as ``branch?code=ES-CAT-01`` from other pages, or through the picker of the user's
branches. A branch outside the user's areas is refused like a missing one.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.audit import Branch
from audit_app.domain.checklist import localized
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import display
from audit_app.domain.users import User
from audit_app.services.actions import ActionFilter, list_actions
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.reports import (
    BranchReportData,
    branch_report,
    branch_report_data,
    find_branch,
)
from audit_app.ui.components.branch_charts import section_gap_chart, trend_chart
from audit_app.ui.components.branch_names import branch_labels
from audit_app.ui.components.compare_scope import Benchmark, benchmark
from audit_app.ui.components.refusals import attempt, refusal_shown
from audit_app.ui.components.session import user_context


def render() -> None:
    ctx = user_context()
    branches = list_branches(ctx)
    code = _pick(branches)
    if code is None:
        return
    with refusal_shown() as refused:
        branch = find_branch(ctx, code)
        data = _report_data(ctx, ctx.user, branch.code, data_version(ctx))
    if refused:
        return
    _header(branch)
    if not data.audits:
        st.info(
            "No submitted audits of this branch yet. Enter a visit on the New visit page or "
            "import a filled-in workbook on the Import page.",
            icon=":material/inbox:",
        )
        return
    audits = _audits_frame(data)
    _kpis(audits)
    st.download_button(
        "Download the branch report (PDF)",
        data=lambda: branch_report(ctx, branch.code),
        file_name=f"branch-{branch.code}.pdf",
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        key="branch_pdf",
    )
    st.subheader("Score over time")
    st.caption("Each dot is an audit; the green line is the monthly mean; dashed, the pass mark.")
    marks = pd.DataFrame(
        [{"checklist": c.title_in(), "pass_mark": c.pass_mark} for c in data.checklists.values()]
    )
    st.altair_chart(trend_chart(audits, marks), width="stretch")
    _history(audits)
    _sections(data, benchmark(ctx.user))
    _repeated(data)
    _open_actions(ctx, branch)


def _pick(branches: list[Branch]) -> str | None:
    """The branch code asked for in the URL, or chosen here (which then goes in the URL)."""
    asked = st.query_params.get("code")
    codes = [b.code for b in branches]
    by_key = {code.casefold(): code for code in codes}
    current = by_key.get((asked or "").strip().casefold())
    if not branches:
        st.title("Branch")
        if asked:
            return asked  # refused below with the service's own message
        st.info(
            "No branches to show. Load the demo chain with `audit-app demo`, or add branches "
            "with `audit-app branches import FILE`.",
            icon=":material/inbox:",
        )
        return None
    labels = branch_labels(branches)
    with st.sidebar:
        chosen = st.selectbox(
            "Branch",
            codes,
            index=codes.index(current) if current else None,
            format_func=labels.__getitem__,
            placeholder="Choose a branch",
        )
    if chosen is not None and chosen != current:
        st.query_params["code"] = chosen
        return chosen
    if asked and current is None:
        st.title("Branch")
        return asked.strip()
    if current is None:
        st.title("Branch")
        st.info(
            f"Choose one of your {len(branches)} branches in the sidebar.",
            icon=":material/storefront:",
        )
    return current


def _header(branch: Branch) -> None:
    st.title(markdown_text(branch.name))
    state = ":green-badge[Active]" if branch.active else ":gray-badge[Inactive]"
    fields = [
        ("Code", markdown_text(branch.code)),
        ("Region", markdown_text(f"{branch.region} ({branch.country})")),
        ("Area", markdown_text(branch.area or "—")),
        ("Manager", markdown_text(branch.manager or "—")),
        ("Status", state),
    ]
    for column, (label, value) in zip(st.columns(len(fields)), fields, strict=True):
        column.markdown(f"**{label}**  \n{value}")


def _audits_frame(data: BranchReportData) -> pd.DataFrame:
    titles = {cid: checklist.title_in() for cid, checklist in data.checklists.items()}
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
    kpis[0].metric("Audits", f"{len(audits):,}")
    kpis[1].metric("Mean score", f"{scored['overall'].mean():.1f}" if not scored.empty else "—")
    kpis[2].metric(
        "Last score",
        "—" if last is None else f"{last['overall']:.1f}",
        help=None
        if last is None
        else markdown_text(f"{last['checklist']}, {last['visited_at']:%Y-%m-%d}"),
    )
    kpis[3].metric("Pass rate", f"{100 * judged.astype(bool).mean():.0f} %" if len(judged) else "—")
    kpis[4].metric("Critical failures", f"{int(audits['critical_failure'].sum())}")


def _history(audits: pd.DataFrame) -> None:
    st.subheader("Audits")
    st.dataframe(
        audits.iloc[::-1].drop(columns=["passed"]),
        hide_index=True,
        width="stretch",
        column_config={
            "link": st.column_config.LinkColumn(
                "Audit", display_text=r"audit\?id=(\d+)", width="small"
            ),
            "visited_at": st.column_config.DatetimeColumn("Visit", format="YYYY-MM-DD HH:mm"),
            "checklist": st.column_config.TextColumn("Checklist", width="medium"),
            "version": st.column_config.NumberColumn("Version", format="v%d", width="small"),
            "auditor": st.column_config.TextColumn("Auditor"),
            "overall": st.column_config.ProgressColumn(
                "Score", min_value=0, max_value=100, format="%.1f", width="small"
            ),
            "grade": st.column_config.TextColumn("Grade", width="small"),
            "critical_failure": st.column_config.CheckboxColumn("Critical", width="small"),
        },
    )


def _sections(data: BranchReportData, bench: Benchmark) -> None:
    if not data.sections:
        return
    st.subheader(f"Sections against {bench.noun}")
    rows = []
    for row in data.sections:
        checklist = data.checklists[row.checklist_id]
        titles = {s.id: localized(s.title, None, checklist.language) for s in checklist.sections}
        rows.append(
            {
                "label": f"{checklist.title_in()} · {titles.get(row.section_id, row.section_id)}",
                "branch_mean": round(row.branch_mean, 1),
                "chain_mean": round(row.chain_mean, 1),
                "difference": round(row.branch_mean - row.chain_mean, 1),
                "audits": row.audits,
            }
        )
    sections = pd.DataFrame(rows)
    st.caption(
        f"Mean section scores of this branch against the audits of every branch in "
        f"{bench.noun} with the same checklist over the same period."
    )
    st.altair_chart(section_gap_chart(sections, bench), width="stretch")
    with st.expander("Section figures"):
        st.dataframe(
            sections,
            hide_index=True,
            width="stretch",
            column_config={
                "label": st.column_config.TextColumn("Section", width="large"),
                "branch_mean": st.column_config.NumberColumn("Branch", format="%.1f"),
                "chain_mean": st.column_config.NumberColumn(bench.column, format="%.1f"),
                "difference": st.column_config.NumberColumn("Difference", format="%+.1f"),
                "audits": "Audits",
            },
        )


def _repeated(data: BranchReportData) -> None:
    st.subheader("Items failed again and again")
    if not data.repeated:
        st.success("No item failed in two audits in a row.", icon=":material/check_circle:")
        return
    rows = []
    for failure in data.repeated:
        checklist = data.checklists[failure.checklist_id]
        item = checklist.items_by_id.get(failure.item_id)
        rows.append(
            {
                "checklist": checklist.title_in(),
                "item": localized(item.text, None, checklist.language) if item else failure.item_id,
                "critical": bool(item and item.critical),
                "consecutive": failure.consecutive,
                "last_failed": failure.last_failed,
            }
        )
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "checklist": st.column_config.TextColumn("Checklist", width="medium"),
            "item": st.column_config.TextColumn("Item", width="large"),
            "critical": st.column_config.CheckboxColumn("Critical", width="small"),
            "consecutive": st.column_config.NumberColumn("Audits in a row", width="small"),
            "last_failed": st.column_config.DatetimeColumn(
                "Last failed", format="YYYY-MM-DD", width="small"
            ),
        },
    )


def _open_actions(ctx: AppContext, branch: Branch) -> None:
    """The branch's corrective actions still open or in progress, most urgent first."""
    st.subheader("Open corrective actions")
    actions = attempt(lambda: list_actions(ctx, ActionFilter(("open", "in_progress"), branch.code)))
    if actions is None:
        return
    if not actions:
        st.success("No open corrective action.", icon=":material/check_circle:")
        return
    overdue = sum(action.overdue for action in actions)
    st.caption(
        f"{len(actions)} open, {overdue} overdue (due before today). Change them on the "
        "Actions page."
    )
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": a.id,
                    "due_on": a.due_on,
                    "overdue": a.overdue,
                    "status": a.status.value.replace("_", " "),
                    "item": a.item,
                    "critical": a.critical,
                    "owner": a.owner,
                }
                for a in actions
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "id": st.column_config.NumberColumn("#", format="%d", width="small"),
            "due_on": st.column_config.DateColumn("Due", format="YYYY-MM-DD", width="small"),
            "overdue": st.column_config.CheckboxColumn("Overdue", width="small"),
            "status": st.column_config.TextColumn("Status", width="small"),
            "item": st.column_config.TextColumn("Item", width="large"),
            "critical": st.column_config.CheckboxColumn("Critical", width="small"),
            "owner": st.column_config.TextColumn("Owner"),
        },
    )
    st.page_link(
        "pages/actions_page.py",
        label="Open the actions of this branch",
        query_params={"code": branch.code},
        icon=":material/assignment_late:",
    )


@st.cache_data(show_spinner="Comparing with the other branches…", max_entries=32)
def _report_data(
    _ctx: AppContext, user: User | None, code: str, stamp: tuple[object, ...]
) -> BranchReportData:
    """Audits, section comparison and repeated failures: one query set per data change."""
    return branch_report_data(_ctx, code)


render()
