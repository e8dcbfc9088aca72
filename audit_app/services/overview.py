"""The figures on the Overview page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.services.actions import overdue_count
from audit_app.services.audits import list_scores
from audit_app.services.branches import list_branches
from audit_app.services.compare import comparison
from audit_app.services.context import AppContext


@dataclass(frozen=True)
class Overview:
    branches: int
    active_branches: int
    audits: int
    mean_score: float | None
    pass_rate: float | None
    critical_failures: int
    consistency_index: float | None
    """100 = every branch keeps every section at the same level (see the Compare page)."""
    by_region: pd.DataFrame
    """region, branches, audits, mean score, pass rate, critical failures; best first."""
    by_month: pd.DataFrame
    """month, audits, mean score."""
    latest: pd.DataFrame
    """The most recent audits, newest first."""
    overdue_actions: int = 0
    """Corrective actions due before today and not done, in the filter's branches."""

    @property
    def empty(self) -> bool:
        return self.audits == 0


def checklist_titles(ctx: AppContext, language: str | None = None) -> dict[str, str]:
    """Checklist id -> title of its latest version, for people-facing labels."""
    return {c.id: c.title_in(language) for c in ctx.catalogue.latest()}


def overview(
    ctx: AppContext,
    audit_filter: AuditFilter = AuditFilter(),
    latest: int = 15,
    *,
    language: str | None = None,
) -> Overview:
    """The figures; the latest audits name their checklist in ``language`` (when the
    checklist has it) and carry the audit's id, so a page can open the audit.

    The audits are those Compare counts by default (follow-ups and closed branches left
    out), and the mean score is Compare's: one definition (``labels.MEAN_DEFINITION``)."""
    branches = [
        branch
        for branch in list_branches(ctx)
        if (audit_filter.region is None or branch.region == audit_filter.region)
        and (audit_filter.country is None or branch.country == audit_filter.country.upper())
    ]
    scores = list_scores(ctx, audit_filter)
    active = {b.code for b in branches if b.active}
    if not scores.empty:  # the audits Compare counts: scored, of branches still open
        scores = scores[scores["overall"].notna() & scores["branch_code"].isin(active)]
    if scores.empty:
        empty = pd.DataFrame()
        return Overview(
            len(branches),
            sum(b.active for b in branches),
            0,
            None,
            None,
            0,
            None,
            empty,
            empty,
            empty,
        )
    by_region = (
        scores.groupby("region")
        .agg(
            branches=("branch_code", "nunique"),
            audits=("audit_id", "count"),
            mean_score=("overall", "mean"),
            pass_rate=("passed", lambda s: 100 * s.astype(float).mean()),
            critical_failures=("critical_failure", "sum"),
        )
        .sort_values("mean_score", ascending=False)
        .reset_index()
    )
    by_month = (
        scores.assign(month=scores["visited_at"].dt.to_period("M").dt.to_timestamp())
        .groupby("month")
        .agg(audits=("audit_id", "count"), mean_score=("overall", "mean"))
        .reset_index()
    )
    titles = checklist_titles(ctx, language)
    latest_rows = (
        scores.sort_values(["visited_at", "audit_id"], ascending=False)
        .head(latest)
        .assign(checklist=lambda frame: frame["checklist_id"].map(titles))
    )
    compared = comparison(ctx, ComparisonRequest(audit_filter, items=False, auditors=False))
    return Overview(
        branches=len(branches),
        active_branches=sum(b.active for b in branches),
        audits=len(scores),
        mean_score=compared.mean_score,
        pass_rate=float(100 * scores["passed"].astype(float).mean()),
        critical_failures=int(scores["critical_failure"].sum()),
        consistency_index=compared.consistency_index,
        by_region=by_region,
        by_month=by_month,
        latest=latest_rows[
            [
                "audit_id",
                "visited_at",
                "branch_name",
                "branch_code",
                "checklist",
                "auditor",
                "overall",
                "grade",
                "critical_failure",
            ]
        ].reset_index(drop=True),
        overdue_actions=overdue_count(ctx, audit_filter),
    )
