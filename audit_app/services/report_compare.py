"""The comparison report (issue #5, item 3): gathers the compare services' results into
plain data and hands them to the renderer.

Each compare service opens its own transaction, but they share the service's frame
cache, so the selection is loaded from the database once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime

from audit_app.domain import compare as stats
from audit_app.domain.filters import AuditFilter
from audit_app.reports.comparison_report import (
    OVERDUE_SHOWN,
    ComparisonReportData,
    OverdueBranch,
    render_comparison_report,
)
from audit_app.services import compare as service
from audit_app.services.actions import ActionFilter, list_actions, overdue_count, today
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.repeats import branches_with_repeats
from audit_app.storage import database, ledger

TREND_METHOD = (
    "Trend: the chain's mean overall score per month; a change from the previous month "
    "exceeds the noise when it is larger than 1.645 times the standard error of the "
    "difference (each month's standard error from the variance of its audits)."
)


def comparison_data(
    ctx: AppContext,
    audit_filter: AuditFilter = AuditFilter(),
    *,
    min_audits: int = 3,
    items: bool = True,
) -> ComparisonReportData:
    """Everything the comparison report shows, from the compare services.

    ``items=False`` leaves the items out of the least consistent standards: summing every
    answer per branch and item is the slowest query of a large selection.
    """
    comparison = service.compare(ctx, audit_filter, by="branch", min_audits=min_audits)
    base = ComparisonReportData(
        selection=audit_filter.describe(),
        audits=comparison.audits,
        branches=comparison.branches,
        min_audits=min_audits,
        consistency_index=comparison.consistency_index,
        league=comparison.rows,
        least_consistent_sections=comparison.least_consistent_sections,
        message=comparison.message,
    )
    base = replace(_with_overdue(ctx, audit_filter, base), trail_head=current_head(ctx))
    if comparison.empty:
        return base
    table = service.league_table(ctx, audit_filter, min_audits=min_audits)
    consistency = service.consistency(ctx, audit_filter, items=items)
    heatmap = service.section_heatmap(ctx, audit_filter)
    effects = service.auditor_effects(ctx, audit_filter)
    repeats = branches_with_repeats(ctx, audit_filter)
    names = {row.branch_code: row.branch_name for row in table.rows}
    repeats.insert(1, "branch_name", repeats["branch_code"].map(names).fillna(""))
    return ComparisonReportData(
        selection=base.selection,
        audits=base.audits,
        branches=base.branches,
        min_audits=min_audits,
        consistency_index=base.consistency_index,
        league=table.rows,
        chain_mean=table.chain_mean,
        least_consistent_sections=base.least_consistent_sections,
        heatmap=stats.heatmap_grid(heatmap) if not heatmap.empty else heatmap,
        regions=stats.roll_up_regions(table),
        standards=consistency.least_consistent,
        trend=service.trends(ctx, audit_filter, level="chain", period="month"),
        auditors=effects.rows,
        method=(comparison.method, TREND_METHOD, effects.method),
        repeats=repeats,
        overdue_actions=base.overdue_actions,
        overdue_branches=base.overdue_branches,
        overdue_branch_count=base.overdue_branch_count,
        overdue_on=base.overdue_on,
        trail_head=base.trail_head,
    )


def _with_overdue(
    ctx: AppContext, audit_filter: AuditFilter, data: ComparisonReportData
) -> ComparisonReportData:
    """The overdue count as :func:`overdue_count` states it for the selection (the user's
    areas, its region, country and checklist), and the branches with the most of them."""
    on = today()
    branches = overdue_branches(ctx, audit_filter, on)
    return replace(
        data,
        overdue_actions=overdue_count(ctx, audit_filter, on=on),
        overdue_branches=tuple(branches[:OVERDUE_SHOWN]),
        overdue_branch_count=len(branches),
        overdue_on=on,
    )


def overdue_branches(ctx: AppContext, audit_filter: AuditFilter, on: date) -> list[OverdueBranch]:
    """Every branch in the selection with an overdue action, most overdue actions first
    (then the oldest due date, then the code)."""
    visible = {
        branch.code: branch
        for branch in list_branches(ctx)
        if (not audit_filter.region or branch.region == audit_filter.region)
        and (not audit_filter.country or branch.country == audit_filter.country.upper())
    }
    counts: dict[str, int] = defaultdict(int)
    oldest: dict[str, date] = {}
    for action in list_actions(ctx, ActionFilter(overdue_only=True), on=on):
        if action.branch_code not in visible:
            continue
        if audit_filter.checklist_id and action.checklist_id != audit_filter.checklist_id:
            continue
        counts[action.branch_code] += 1
        oldest[action.branch_code] = min(action.due_on, oldest.get(action.branch_code, on))
    rows = [
        OverdueBranch(code, visible[code].name, count, oldest[code])
        for code, count in counts.items()
    ]
    rows.sort(key=lambda r: (-r.overdue, r.oldest_due, r.branch_code))
    return rows


def comparison_report(
    ctx: AppContext,
    audit_filter: AuditFilter = AuditFilter(),
    min_audits: int = 3,
    *,
    items: bool = True,
    generated_at: datetime | None = None,
) -> bytes:
    """The comparison report as PDF bytes (``generated_at`` defaults to now, UTC)."""
    data = comparison_data(ctx, audit_filter, min_audits=min_audits, items=items)
    return render_comparison_report(data, generated_at or datetime.now(UTC))


def current_head(ctx: AppContext) -> str | None:
    """The audit trail's head now (SEQUENCE:DIGEST), as the report prints it."""
    with database.snapshot(ctx.engine) as conn:
        sequence, digest = ledger.head(conn)
    return None if digest is None else f"{sequence}:{digest}"
