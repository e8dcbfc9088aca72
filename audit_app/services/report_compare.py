"""The comparison report (issue #5, item 3): one comparison result, with the overdue
actions and repeated failures of the same scope, as plain data for the renderer.

The renderer computes nothing: every figure comes from the one ``ComparisonResult``
(computed here unless the caller hands in the app's cached one).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime

import pandas as pd

from audit_app.domain import compare as stats
from audit_app.domain import repeats as repeat_search
from audit_app.domain.compare import ComparisonRequest, ComparisonResult
from audit_app.domain.filters import AuditFilter
from audit_app.i18n import current_language, use_language
from audit_app.reports.comparison_report import (
    OVERDUE_SHOWN,
    ComparisonReportData,
    OverdueBranch,
    render_comparison_report,
)
from audit_app.services import compare as service
from audit_app.services import repeats as repeats_service
from audit_app.services.actions import ActionFilter, list_actions, overdue_count, today
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.repeats import branches_with_repeats
from audit_app.storage import compare_queries as queries
from audit_app.storage import database, ledger


def comparison_data(
    ctx: AppContext,
    audit_filter: AuditFilter | None = None,
    *,
    min_audits: int = 3,
    items: bool = True,
    request: ComparisonRequest | None = None,
    result: ComparisonResult | None = None,
) -> ComparisonReportData:
    """Everything the comparison report shows: one comparison result (computed here unless
    given, e.g. from the app's cache) and the overdue actions and repeated failures.

    ``items=False`` leaves the items out of the least consistent standards: summing every
    answer per branch and item is the slowest query of a large selection.
    """
    searched = None
    if result is None:
        request = request or ComparisonRequest(
            audit_filter or AuditFilter(), min_audits=min_audits, items=items
        )
        result, searched = _comparison_and_repeats(ctx, request)
    scoped_filter = result.request.audit_filter
    base = ComparisonReportData(
        selection=scoped_filter.describe(),
        scope=result.scope.label,
        audits=result.audits,
        branches=result.branches,
        min_audits=result.request.min_audits,
        consistency_index=result.consistency_index,
        league=result.league.rows,
        least_consistent_sections=result.least_consistent_sections,
        message=result.message,
        notices=tuple(n.message for n in result.notices),
        pool=result.scope.noun,
        period=result.request.period,
        checklists=tuple(ctx.catalogue),
        audit_filter=scoped_filter,
    )
    base = replace(_with_overdue(ctx, scoped_filter, base), trail_head=current_head(ctx))
    if result.empty:
        return base
    table = result.league
    repeats = (
        branches_with_repeats(ctx, scoped_filter)
        if searched is None
        else repeat_search.branches_with_repeats(searched)
    )
    names = {row.branch_code: row.branch_name for row in table.rows}
    repeats.insert(1, "branch_name", repeats["branch_code"].map(names).fillna(""))
    return replace(
        base,
        chain_mean=table.chain_mean,
        heatmap=stats.heatmap_grid(result.heatmap) if not result.heatmap.empty else result.heatmap,
        regions=result.regions,
        standards=result.least_consistent,
        trend=result.trend,
        auditors=result.auditors.rows,
        changes=result.changes.rows,
        change_from=result.changes.earlier,
        change_to=result.changes.later,
        change_notices=tuple(n.message for n in result.changes.notices),
        calibration=result.calibration,
        raw_consistency_index=(
            result.raw_consistency_index if result.request.adjust_periods else None
        ),
        method=result.method,
        repeats=repeats,
        failed_items=result.failed_items,
    )


def _comparison_and_repeats(
    ctx: AppContext, request: ComparisonRequest
) -> tuple[ComparisonResult, pd.DataFrame | None]:
    """The comparison and its repeated failures from one snapshot's reads: the search reads
    the same audits and item vectors as the comparison (2.2 s of a ten-times history's PDF
    when read twice, #21). No repeats (None) when the comparison is empty."""
    request = service.prepared(ctx, request)
    with database.snapshot(ctx.engine) as conn:
        # every vector is read (the items, the evidence, the search): at once, beside the
        # audits and section scores
        reads = queries.SelectionReads(conn, request.audit_filter, vectors_beside=True)
        try:
            reading = service.read(ctx, conn, request, reads)
            found = (
                None
                if reading.frames is None
                else repeats_service.read_failures(ctx, conn, request.audit_filter, reads)
            )
        finally:
            reads.close()
        del reads  # the vectors are not held while the comparison is computed
    if reading.frames is None:
        return service.computed(request, reading), None
    repeats = repeats_service.searched(ctx, found)
    del found  # nor the answers the search read
    return service.computed(request, reading), repeats


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
    audit_filter: AuditFilter | None = None,
    min_audits: int = 3,
    *,
    items: bool = True,
    generated_at: datetime | None = None,
    request: ComparisonRequest | None = None,
    result: ComparisonResult | None = None,
    language: str | None = None,
) -> bytes:
    """The comparison report as PDF bytes (``generated_at`` defaults to now, UTC); renders
    ``result`` when given (the app's cached comparison), else computes ``request`` (or
    one from the filter). In ``language`` when given (the comparison's own sentences too,
    when it is computed here), else in the current language."""
    with use_language(language or current_language()):
        data = comparison_data(
            ctx, audit_filter, min_audits=min_audits, items=items, request=request, result=result
        )
        return render_comparison_report(data, generated_at or datetime.now(UTC))


def current_head(ctx: AppContext) -> str | None:
    """The audit trail's head now (SEQUENCE:DIGEST), as the report prints it."""
    with database.snapshot(ctx.engine) as conn:
        sequence, digest = ledger.head(conn)
    return None if digest is None else f"{sequence}:{digest}"
