"""The section x branch heatmap, region roll-ups and trends by month or quarter."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit_app.domain.compare.league import BranchStanding, LeagueTable
from audit_app.domain.compare.variance import (
    _TINY,
    Level,
    Period,
    Z,
    period_labels,
    pooled_within,
)

# ---------------------------------------------------------------------------
# Heatmap, regions, trends
# ---------------------------------------------------------------------------


def section_heatmap(cells: pd.DataFrame) -> pd.DataFrame:
    """Long form of the section x branch heatmap: branch_code, checklist_id, section_id,
    audits, mean (points). Pivot it with :func:`heatmap_grid` for a matrix."""
    counted = cells[cells["n"] > 0]
    return pd.DataFrame(
        {
            "branch_code": counted["branch_code"].to_numpy(),
            "checklist_id": counted["checklist_id"].to_numpy(),
            "section_id": counted["standard"].to_numpy(),
            "audits": counted["n"].to_numpy(dtype=int),
            "mean": (counted["sum"] / counted["n"]).to_numpy(dtype=float),
        }
    )


def heatmap_grid(heatmap: pd.DataFrame) -> pd.DataFrame:
    """Branches as rows, ``checklist_id/section_id`` as columns, mean scores as values."""
    keyed = heatmap.assign(column=heatmap["checklist_id"] + "/" + heatmap["section_id"])
    return keyed.pivot(index="branch_code", columns="column", values="mean")


@dataclass(frozen=True)
class RegionSummary:
    region: str
    branches: int
    audits: int
    mean: float
    """Mean of the region's audits."""
    branch_sd: float | None
    """Spread between the region's branches: SD of their means, visit noise included (None
    with one branch)."""
    best_branch: str
    best_shrunk: float
    worst_branch: str
    worst_shrunk: float
    pass_rate: float | None
    critical_failures: int
    differs: bool
    """False when the league found no detectable difference between branches (or could not
    judge): then the branch SD is visit noise and best and worst are only the league's
    order (mean, then audits), not a finding."""


def roll_up_regions(table: LeagueTable) -> tuple[RegionSummary, ...]:
    """Per region: mean, spread between its branches, best and worst branch as the league
    orders them (among ranked branches when the region has any), best region first."""
    by_region: dict[str, list[BranchStanding]] = {}
    for row in table.rows:  # league order: best first, the unranked last
        by_region.setdefault(row.region, []).append(row)
    differs = table.state == "ranked"
    out = []
    for region, rows in by_region.items():
        audits = sum(r.audits for r in rows)
        judged = [r for r in rows if not r.too_few_to_rank] or rows
        best, worst = judged[0], judged[-1]
        rated = [(r.pass_rate, r.audits) for r in rows if r.pass_rate is not None]
        out.append(
            RegionSummary(
                region=region,
                branches=len(rows),
                audits=audits,
                mean=sum(r.mean * r.audits for r in rows) / audits,
                branch_sd=float(np.std([r.mean for r in rows], ddof=1)) if len(rows) > 1 else None,
                best_branch=best.branch_code,
                best_shrunk=best.shrunk,
                worst_branch=worst.branch_code,
                worst_shrunk=worst.shrunk,
                pass_rate=(
                    sum(p * a for p, a in rated) / sum(a for _, a in rated) if rated else None
                ),
                critical_failures=sum(r.critical_failures for r in rows),
                differs=differs,
            )
        )
    return tuple(sorted(out, key=lambda r: (-r.mean, r.region)))


TREND_COLUMNS = [
    "level",
    "key",
    "period",
    "audits",
    "mean",
    "se",
    "previous_period",
    "change",
    "change_se",
    "exceeds_noise",
]


def trend(
    audits: pd.DataFrame,
    *,
    level: Level = "chain",
    period: Period = "month",
    within: float | None = None,
) -> pd.DataFrame:
    """Mean overall score per period for each branch, region or the chain, with the change
    from the key's previous period and whether it exceeds the noise.

    Standard error of a period mean: sqrt(v / n). For a branch, v is the pooled
    within-branch variance of the whole selection (a branch is rarely audited twice a
    month); for a region or the chain, v is the variance of that period's audits (the
    whole selection's variance when the period has one audit). A change exceeds the noise
    when |change| > 1.645 x sqrt(se² + previous se²): a two-sided test at the 10 % level.
    """
    scored = audits[audits["overall"].notna()]
    if scored.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    if level == "chain":
        key = np.full(len(scored), "chain", dtype=object)
    else:
        key = scored["branch_code" if level == "branch" else "region"].to_numpy()
    frame = pd.DataFrame(
        {
            "key": key,
            "period": period_labels(scored["visited_at"], period).to_numpy(),
            "overall": scored["overall"].to_numpy(dtype=float),
        }
    )
    groups = (
        frame.groupby(["key", "period"], sort=True)["overall"]
        .agg(audits="size", mean="mean", var="var")
        .reset_index()
    )
    if level == "branch":
        within = pooled_within(scored) if within is None else within
        variance = np.full(len(groups), np.nan if within is None else within)
    else:
        fallback = float(frame["overall"].var(ddof=1)) if len(frame) > 1 else np.nan
        variance = groups["var"].fillna(fallback).to_numpy(dtype=float)
    return _with_changes(groups, variance, level)


def chain_trend(totals: pd.DataFrame) -> pd.DataFrame:
    """:func:`trend` of the chain from per branch x period totals (``period``, ``audits``,
    ``sum``, ``sum_sq``, the periods already the request's): what a comparison the
    database added up has. A period's variance is its sum of squares less its sum squared
    over n, over n - 1."""
    totals = totals[totals["audits"] > 0]
    if totals.empty:
        return pd.DataFrame(columns=TREND_COLUMNS)
    summed = totals.groupby("period", sort=True)[["audits", "sum", "sum_sq"]].sum()
    n = summed["audits"].to_numpy(dtype=float)
    sums = summed["sum"].to_numpy(dtype=float)
    squares = summed["sum_sq"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        var = np.where(n > 1, np.clip(squares - sums**2 / n, 0.0, None) / (n - 1), np.nan)
    total_n = n.sum()
    fallback = (
        max(float(squares.sum() - sums.sum() ** 2 / total_n), 0.0) / (total_n - 1)
        if total_n > 1
        else np.nan
    )
    groups = pd.DataFrame(
        {
            "key": "chain",
            "period": summed.index.astype(str),
            "audits": n.astype(int),
            "mean": sums / n,
            "var": var,
        }
    )
    variance = groups["var"].fillna(fallback).to_numpy(dtype=float)
    return _with_changes(groups, variance, "chain")


def _with_changes(groups: pd.DataFrame, variance: np.ndarray, level: Level) -> pd.DataFrame:
    """Standard errors, the change from the key's previous period and whether it exceeds
    the noise, for per key x period means."""
    groups["se"] = np.sqrt(variance / groups["audits"].to_numpy(dtype=float))
    previous = groups.groupby("key", sort=False)
    groups["previous_period"] = previous["period"].shift(1)
    groups["change"] = groups["mean"] - previous["mean"].shift(1)
    groups["change_se"] = np.sqrt(groups["se"] ** 2 + previous["se"].shift(1) ** 2)
    exceeds = groups["change"].abs() > Z * groups["change_se"] + _TINY
    groups["exceeds_noise"] = exceeds.where(groups["change"].notna() & groups["change_se"].notna())
    groups["level"] = level
    return groups[TREND_COLUMNS]
