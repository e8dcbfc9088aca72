"""The league table: branch means with 90 % intervals, empirical-Bayes shrinkage, ranks,
tie bands and the too-few-to-rank mark."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit_app.domain.compare.variance import (
    BRANCH_TOTAL_COLUMNS,
    DEFAULT_MIN_AUDITS,
    GradeOf,
    VarianceComponents,
    _shown,
    estimate_components,
    t_quantile,
)

# ---------------------------------------------------------------------------
# League table
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchStanding:
    """One branch's line in the league table (scores 0-100, unrounded)."""

    branch_code: str
    branch_name: str
    region: str
    country: str
    audits: int
    mean: float
    low: float | None
    """90 % interval for the branch's true mean (None when the noise cannot be estimated)."""
    high: float | None
    shrunk: float
    """Empirical-Bayes estimate: the mean pulled toward the chain by its uncertainty."""
    rank: int | None
    """1 = best by the shrunken estimate; None when too few audits to rank."""
    tie_band: int | None
    """Branches sharing a band cannot be told apart from the band's first branch."""
    pass_rate: float | None
    """Share of audits passed, 0-100."""
    critical_failures: int
    grade: str | None
    """The grade of the mean as shown (one decimal)."""
    too_few_to_rank: bool


@dataclass(frozen=True)
class LeagueTable:
    rows: tuple[BranchStanding, ...]
    """Ranked branches first (best first), then those with too few audits."""
    components: VarianceComponents
    chain_mean: float | None
    """The mean the shrinkage pulls toward (precision-weighted mean of branch means)."""
    min_audits: int
    method: str

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([row.__dict__ for row in self.rows])


def total_branches(audits: pd.DataFrame) -> pd.DataFrame:
    """Per branch with a scored audit: audits, sum and sum of squares of the overall scores,
    audits passed, audits with a pass verdict (``judged``) and critical failures."""
    scored = audits[audits["overall"].notna()]
    if scored.empty:
        return pd.DataFrame(columns=BRANCH_TOTAL_COLUMNS)
    passed = scored["passed"]
    verdict = passed.notna().to_numpy()
    frame = pd.DataFrame(
        {
            "branch_code": scored["branch_code"].to_numpy(),
            "overall": scored["overall"].to_numpy(dtype=float),
            "overall_sq": scored["overall"].to_numpy(dtype=float) ** 2,
            "passed": np.array(
                [bool(p) if v else False for p, v in zip(passed, verdict, strict=True)], dtype=int
            ),
            "judged": verdict.astype(int),
            "critical": scored["critical_failure"].astype(bool).to_numpy(dtype=int),
        }
    )
    sums = frame.groupby("branch_code", sort=True).agg(
        audits=("overall", "size"),
        sum=("overall", "sum"),
        sum_sq=("overall_sq", "sum"),
        passed=("passed", "sum"),
        judged=("judged", "sum"),
        critical_failures=("critical", "sum"),
    )
    names = scored.groupby("branch_code", sort=True)[["branch_name", "region", "country"]].first()
    return sums.join(names).reset_index()[BRANCH_TOTAL_COLUMNS]


def combine_totals(totals: pd.DataFrame) -> pd.DataFrame:
    """Per-branch totals from totals split further (e.g. by checklist version): counts and
    sums add up."""
    if totals.empty:
        return pd.DataFrame(columns=BRANCH_TOTAL_COLUMNS)
    numbers = ["audits", "sum", "sum_sq", "passed", "judged", "critical_failures"]
    names = ["branch_name", "region", "country"]
    grouped = totals.groupby("branch_code", sort=True)
    return grouped[numbers].sum().join(grouped[names].first()).reset_index()[BRANCH_TOTAL_COLUMNS]


def rank_branches(
    totals: pd.DataFrame,
    *,
    min_audits: int = DEFAULT_MIN_AUDITS,
    grade_of: GradeOf | None = None,
) -> LeagueTable:
    """The league table from per-branch totals (:func:`total_branches`, or the database's
    sums): mean, 90 % interval, shrunken estimate, rank and tie band per branch."""
    totals = totals[totals["audits"] > 0]
    n = totals["audits"].to_numpy(dtype=float)
    sums = totals["sum"].to_numpy(dtype=float)
    components = estimate_components(n, sums, totals["sum_sq"].to_numpy(dtype=float))
    means = sums / n if len(n) else sums
    low, high = _t_intervals(means, n, components)
    chain_mean, shrunk = _shrink(means, n, components)
    ranked = n >= min_audits
    ranks = _ranks(shrunk, ranked)
    info = {
        column: totals[column].tolist()
        for column in ("branch_code", "branch_name", "region", "country")
    }
    order = _standing_order(info["branch_code"], shrunk, ranks)
    bands = _tie_bands(order, ranks, low, high)
    judged = totals["judged"].to_numpy(dtype=float)
    pass_rates = np.divide(
        100 * totals["passed"].to_numpy(dtype=float),
        judged,
        out=np.full(len(judged), np.nan),
        where=judged > 0,
    )
    grades = _grades(means, grade_of)
    columns = {
        "audits": n.astype(int).tolist(),
        "mean": means.tolist(),
        "low": [None] * len(n) if low is None else low.tolist(),
        "high": [None] * len(n) if high is None else high.tolist(),
        "shrunk": shrunk.tolist(),
        "rank": [None if r == 0 else r for r in ranks.tolist()],
        "pass_rate": [None if p != p else p for p in pass_rates.tolist()],
        "critical_failures": totals["critical_failures"].astype(int).tolist(),
        "too_few_to_rank": (~ranked).tolist(),
    }
    rows = tuple(
        BranchStanding(
            branch_code=str(info["branch_code"][i]),
            branch_name=str(info["branch_name"][i]),
            region=str(info["region"][i]),
            country=str(info["country"][i]),
            audits=columns["audits"][i],
            mean=columns["mean"][i],
            low=columns["low"][i],
            high=columns["high"][i],
            shrunk=columns["shrunk"][i],
            rank=columns["rank"][i],
            tie_band=bands.get(i),
            pass_rate=columns["pass_rate"][i],
            critical_failures=columns["critical_failures"][i],
            grade=grades[i],
            too_few_to_rank=columns["too_few_to_rank"][i],
        )
        for i in order
    )
    return LeagueTable(
        rows, components, chain_mean, min_audits, describe_league_method(components, min_audits)
    )


def _t_intervals(
    means: np.ndarray, n: np.ndarray, components: VarianceComponents
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """mean ± t(0.95, N - B) x sqrt(within / n), within the 0-100 scale."""
    if components.within is None:
        return None, None
    half = t_quantile(components.df_within) * np.sqrt(components.within / n)
    return np.clip(means - half, 0, 100), np.clip(means + half, 0, 100)


def _shrink(
    means: np.ndarray, n: np.ndarray, components: VarianceComponents
) -> tuple[float | None, np.ndarray]:
    """shrunk = m + lambda (mean - m), lambda = between / (between + within / n).

    ``m`` weights each branch mean by its precision 1 / (between + within / n). Without a
    between-branch variance (one branch, or no branch audited twice) nothing is shrunk.
    """
    if len(means) == 0:
        return None, means
    between, within = components.between, components.within
    if between is None or within is None:
        return float(np.average(means, weights=n)), means.copy()
    noise = within / n
    if between <= 0:
        weight = np.zeros_like(n)
        chain = float(np.average(means, weights=n))
    else:
        weight = between / (between + noise)
        chain = float(np.average(means, weights=1 / (between + noise)))
    return chain, chain + weight * (means - chain)


def _ranks(shrunk: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) by the shrunken estimate; 0 for unranked branches."""
    ranks = np.zeros(len(shrunk), dtype=int)
    if ranked.any():
        values = pd.Series(np.round(shrunk[ranked], 9))
        ranks[ranked] = values.rank(method="min", ascending=False).to_numpy(dtype=int)
    return ranks


def _standing_order(codes: list[str], shrunk: np.ndarray, ranks: np.ndarray) -> list[int]:
    """Ranked branches by rank, then the unranked by shrunken estimate; code breaks ties."""
    unranked, rank_list, shrunk_list = (ranks == 0).tolist(), ranks.tolist(), shrunk.tolist()
    return sorted(
        range(len(codes)),
        key=lambda i: (unranked[i], rank_list[i], -shrunk_list[i], codes[i]),
    )


def _tie_bands(
    order: Sequence[int], ranks: np.ndarray, low: np.ndarray | None, high: np.ndarray | None
) -> dict[int, int]:
    """Walk the ranking; a branch joins the current band while its 90 % interval overlaps the
    interval of the band's first branch, and starts a new band when it no longer does."""
    if low is None or high is None:
        return {}
    bands: dict[int, int] = {}
    band, leader = 0, -1
    for i in order:
        if ranks[i] == 0:
            continue
        if leader < 0 or low[i] > high[leader] or high[i] < low[leader]:
            band, leader = band + 1, i
        bands[i] = band
    return bands


def _grades(means: np.ndarray, grade_of: GradeOf | None) -> list[str | None]:
    """The grade of each mean as shown (one decimal), asking ``grade_of`` once per value."""
    if grade_of is None:
        return [None] * len(means)
    shown = _shown(pd.Series(means)).tolist()
    labels = {value: grade_of(value) for value in set(shown)}
    return [labels[value] for value in shown]


def describe_league_method(components: VarianceComponents, min_audits: int) -> str:
    """The method in one paragraph, including what the data could not support."""
    parts = [
        "Mean of the audits' overall scores per branch.",
    ]
    if components.within is None:
        parts.append(
            "No branch has two audits, so the visit-to-visit noise cannot be estimated: no "
            "intervals, no shrinkage and no tie bands; branches are ranked by their raw mean."
        )
    else:
        t = t_quantile(components.df_within)
        parts.append(
            f"90 % interval: mean ± t × s/√n with t = {t:.3f} (Student t, "
            f"{components.df_within} degrees of freedom) and s = "
            f"{np.sqrt(components.within):.1f} points, the pooled within-branch standard "
            "deviation (so a branch with one or two audits still gets an honest interval)."
        )
        if components.between is None:
            parts.append(
                "With a single branch there is no chain to shrink toward: the shrunken "
                "estimate is the mean."
            )
        elif components.raw_between is not None and components.raw_between <= 0:
            parts.append(
                "The between-branch variance estimate is "
                f"{components.raw_between:.2f} (≤ 0): the branch means differ no more than "
                "the noise of the visits would make them, so every shrunken estimate equals "
                "the chain mean and all ranked branches share rank 1."
            )
        else:
            parts.append(
                "Shrunken estimate (empirical Bayes): chain mean + λ × (mean − chain mean), "
                "λ = b / (b + s²/n), with the between-branch variance b = "
                f"{components.between:.1f} (SD {np.sqrt(components.between):.1f} points) "
                "estimated by the method of moments (variance of branch means minus "
                "s² × mean(1/n)); branches with few audits move most."
            )
        parts.append(
            "Rank by the shrunken estimate. Tie bands: walking down the ranking, a branch "
            "joins the current band while its interval overlaps the interval of the band's "
            "first branch; within a band the order is not meaningful."
        )
    parts.append(f"Branches with fewer than {min_audits} audits are listed but not ranked.")
    return " ".join(parts)
