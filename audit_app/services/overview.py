"""The figures on the Overview page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from audit_app.domain.filters import AuditFilter
from audit_app.services.access import scoped
from audit_app.services.actions import overdue_count
from audit_app.services.audits import check_filter
from audit_app.services.branches import list_branches
from audit_app.services.compare import headline
from audit_app.services.context import AppContext
from audit_app.services.freshness import Version
from audit_app.storage import database, overview_totals


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
    count_overdue: bool = True,
    version: Version | None = None,
) -> Overview:
    """The figures; the latest audits name their checklist in ``language`` (when the
    checklist has it) and carry the audit's id, so a page can open the audit. Without
    ``count_overdue`` the overdue actions are left at 0 for the caller to count
    (``actions.overdue_count``): they change with every action, the rest with the audits.
    ``version``: the data version of the filter's dates, taken before this call
    (``freshness.data_version``), so the Compare page finds the selection read here.

    The audits are those Compare counts by default (follow-ups and closed branches left
    out), and the mean score is Compare's: one definition (``labels.MEAN_DEFINITION``).
    The database adds up the rest (``storage.overview_totals``): reading every audit to
    add it up here took seconds on the ten-times set."""
    check_filter(ctx, audit_filter)
    branches = [
        branch
        for branch in list_branches(ctx)
        if (audit_filter.region is None or branch.region == audit_filter.region)
        and (audit_filter.country is None or branch.country == audit_filter.country.upper())
    ]
    selection = scoped(ctx, audit_filter)
    with database.snapshot(ctx.engine) as conn:  # the database adds up; one view of the data
        regions = overview_totals.region_totals(conn, selection)
        if regions.empty:
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
        months = overview_totals.month_totals(conn, selection)
        since = overview_totals.newest_months_start(months, latest)
        latest_rows = overview_totals.latest_audits(conn, selection, latest, since)
    titles = checklist_titles(ctx, language)
    latest_rows = latest_rows.assign(checklist=latest_rows["checklist_id"].map(titles))
    compared = headline(ctx, audit_filter, version)
    return Overview(
        branches=len(branches),
        active_branches=sum(b.active for b in branches),
        audits=int(regions["audits"].sum()),
        mean_score=compared.mean_score,
        pass_rate=_pass_rate(int(regions["passed"].sum()), int(regions["judged"].sum())),
        critical_failures=int(regions["critical"].sum()),
        consistency_index=compared.consistency_index,
        by_region=_by_region(regions),
        by_month=_by_month(months),
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
        overdue_actions=overdue_count(ctx, audit_filter) if count_overdue else 0,
    )


def _pass_rate(passed: int, judged: int) -> float:
    """Per cent of the audits judged (pass or fail known) that passed; NaN when none was."""
    return float("nan") if judged == 0 else 100 * (passed / judged)


def _by_region(regions: pd.DataFrame) -> pd.DataFrame:
    """The region totals as the page shows them, best mean score first (ties by name)."""
    frame = pd.DataFrame(
        {
            "region": regions["region"],
            "branches": regions["branches"],
            "audits": regions["audits"],
            "mean_score": regions["sum"] / regions["audits"],
            "pass_rate": 100 * (regions["passed"] / regions["judged"].where(regions["judged"] > 0)),
            "critical_failures": regions["critical"],
        }
    )
    # By name first, in Python's order (the database's collation may differ), so that equal
    # means keep that order.
    frame = frame.sort_values("region", kind="stable", ignore_index=True)
    return frame.sort_values("mean_score", ascending=False).reset_index(drop=True)


def _by_month(months: pd.DataFrame) -> pd.DataFrame:
    """Month (its first day), audits and mean score, oldest month first."""
    months = months.sort_values("month", ignore_index=True)
    return pd.DataFrame(
        {
            "month": pd.PeriodIndex(months["month"], freq="M").to_timestamp(),
            "audits": months["audits"],
            "mean_score": months["sum"] / months["audits"],
        }
    )
