"""Comparing locations: league tables that respect sample size, consistency of standards,
heatmaps, region roll-ups, trends, auditor effects and comparisons across checklist versions.

Pure pandas, numpy and scipy: the functions take frames that storage loads and return
small frozen value objects (or frames where the result is a grid), shared by the command
line, the app and the reports.

The model behind every statistic is the one-way random-effects model of an audit score:
``y = mu + u_branch + e_audit``, where ``u`` is the branch's lasting level (variance
``between``) and ``e`` the visit-to-visit noise (variance ``within``). Both variances are
estimated from the data by the method of moments:

- ``within`` is the pooled within-branch variance ``sum((y - mean_b)^2) / (N - B)``;
- ``between = var(branch means) - within * mean(1 / n_b)`` (the unweighted-means
  estimator: the spread of branch means minus the part that noise alone would give),
  truncated at 0. With equal audits per branch it is the classical one-way ANOVA
  estimator ``(MSB - MSW) / n``, so ``between / (between + within)`` is ICC(1).

Inputs (column names are the contract with storage):

- audits: one row per audit with ``audit_id, branch_code, branch_name, region, country,
  checklist_id, checklist_version, auditor, visited_at, overall, passed, critical_failure``;
- cells: one row per branch x standard with ``branch_code, checklist_id, standard, n, sum,
  sum_sq`` (the sufficient statistics of the scores; :func:`summarise_cells` builds them
  from per-audit rows, storage can also let the database add them up);
- per-audit x section rows ``audit_id, section_id, score, weight`` and per-audit x item
  rows ``audit_id, item_id, score`` (0-1, NaN for N/A).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
import pandas as pd

from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import display

CONFIDENCE = 0.90
"""Every interval is a two-sided 90 % interval."""
Z = NormalDist().inv_cdf(0.5 + CONFIDENCE / 2)
"""1.645: the normal quantile for a two-sided 90 % interval (trend noise test)."""
DEFAULT_MIN_AUDITS = 3
CELL_COLUMNS = ["branch_code", "checklist_id", "standard", "n", "sum", "sum_sq"]
BRANCH_TOTAL_COLUMNS = [
    "branch_code",
    "branch_name",
    "region",
    "country",
    "audits",
    "sum",
    "sum_sq",
    "passed",
    "judged",
    "critical_failures",
]
_TINY = 1e-9

GradeOf = Callable[[float], str]
Level = Literal["branch", "region", "chain"]
Period = Literal["month", "quarter"]


# ---------------------------------------------------------------------------
# Variance components
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VarianceComponents:
    """How much of the variation in scores is between branches and how much is noise."""

    branches: int
    audits: int
    within: float | None
    """Pooled within-branch variance; None when no branch has two audits."""
    between: float | None
    """Variance of the branches' true levels (>= 0); None with one branch or no ``within``."""
    raw_between: float | None
    """The estimate before truncation at 0 (negative: the data cannot tell branches apart)."""

    @property
    def df_within(self) -> int:
        return self.audits - self.branches

    @property
    def icc(self) -> float | None:
        """ICC(1): the share of the variance that lies between branches (0 when nothing varies)."""
        if self.between is None or self.within is None:
            return None
        total = self.between + self.within
        return self.between / total if total > _TINY else 0.0

    @property
    def between_sd(self) -> float | None:
        return None if self.between is None else float(np.sqrt(self.between))


def estimate_components(
    n: np.ndarray, sums: np.ndarray, sum_sq: np.ndarray, within: float | None = None
) -> VarianceComponents:
    """Method-of-moments variance components from per-branch count, sum and sum of squares.

    ``within`` may be given (a period's index uses the whole selection's noise level, since
    a branch is rarely audited twice in one month).
    """
    n = np.asarray(n, dtype=float)
    sums = np.asarray(sums, dtype=float)
    sum_sq = np.asarray(sum_sq, dtype=float)
    keep = n > 0
    n, sums, sum_sq = n[keep], sums[keep], sum_sq[keep]
    if len(n) == 0:
        return VarianceComponents(0, 0, within, None, None)
    return _components(
        branches=len(n),
        audits=int(n.sum()),
        ss_within=float(np.clip(sum_sq - sums**2 / n, 0, None).sum()),
        spread=float(np.var(sums / n, ddof=1)) if len(n) > 1 else float("nan"),
        mean_inv_n=float(np.mean(1 / n)),
        within=within,
    )


def _components(
    *,
    branches: int,
    audits: int,
    ss_within: float,
    spread: float,
    mean_inv_n: float,
    within: float | None = None,
) -> VarianceComponents:
    """within = SS_within / (N - B); between = spread - within x mean(1/n), at least 0.

    ``spread`` is the variance of the branch means (ddof 1). Values within 1e-9 of 0 are
    taken as 0 so that identical scores give exactly no spread.
    """
    if within is None and audits > branches:
        within = ss_within / (audits - branches)
        within = 0.0 if within < _TINY else within
    if branches < 2 or within is None:
        return VarianceComponents(branches, audits, within, None, None)
    raw = spread - within * mean_inv_n
    raw = 0.0 if abs(raw) < _TINY else raw
    return VarianceComponents(branches, audits, within, max(raw, 0.0), raw)


def pooled_within(audits: pd.DataFrame) -> float | None:
    """The pooled within-branch variance of the audits' overall scores."""
    grouped = audits.groupby("branch_code")["overall"]
    totals = pd.DataFrame({"n": grouped.size(), "sum": grouped.sum()})
    totals["sum_sq"] = (audits["overall"] ** 2).groupby(audits["branch_code"]).sum()
    return estimate_components(
        totals["n"].to_numpy(), totals["sum"].to_numpy(), totals["sum_sq"].to_numpy()
    ).within


def t_quantile(df: int) -> float:
    """The Student t quantile for a two-sided 90 % interval with ``df`` degrees of freedom.

    From 100 degrees of freedom on, the Cornish-Fisher expansion around the normal quantile
    (Abramowitz & Stegun 26.7.5) is exact to 1e-9 and spares the command line the time
    scipy takes to import; below that, scipy's ``stdtrit``.
    """
    if df >= 100:
        x = Z
        g1 = (x**3 + x) / 4
        g2 = (5 * x**5 + 16 * x**3 + 3 * x) / 96
        g3 = (3 * x**7 + 19 * x**5 + 17 * x**3 - 15 * x) / 384
        g4 = (79 * x**9 + 776 * x**7 + 1482 * x**5 - 1920 * x**3 - 945 * x) / 92160
        return x + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.5 + CONFIDENCE / 2))


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


def _optional(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


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


# ---------------------------------------------------------------------------
# Consistency of standards
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardConsistency:
    """How uniformly the branches keep one section or item (scores in points, 0-100)."""

    checklist_id: str
    level: Literal["section", "item"]
    standard: str
    """The section id or item id."""
    branches: int
    audits: int
    mean: float
    branch_sd: float | None
    """Standard deviation of the branch means (noise included); None with one branch."""
    between_sd: float | None
    """Noise-corrected spread of the branches' true levels: sqrt(between)."""
    icc: float | None
    """Share of the variance that lies between branches, ICC(1)."""
    meeting_share: float
    """Share of branches meeting the standard, 0-100: an item's mean is full marks, a
    section's mean (shown with one decimal) is at or above the pass mark."""


def summarise_cells(rows: pd.DataFrame, standard: str, value: str = "score") -> pd.DataFrame:
    """Per branch x checklist x standard: n, sum and sum of squares of ``value`` (NaN left
    out). ``rows`` needs ``branch_code``, ``checklist_id`` and the ``standard`` column."""
    counted = rows[rows[value].notna()]
    values = counted[value].astype(float)
    frame = pd.DataFrame(
        {
            "branch_code": counted["branch_code"].to_numpy(),
            "checklist_id": counted["checklist_id"].to_numpy(),
            "standard": counted[standard].to_numpy(),
            "value": values.to_numpy(),
            "value_sq": values.to_numpy() ** 2,
        }
    )
    cells = (
        frame.groupby(["branch_code", "checklist_id", "standard"], sort=True)
        .agg(n=("value", "size"), sum=("value", "sum"), sum_sq=("value_sq", "sum"))
        .reset_index()
    )
    return cells[CELL_COLUMNS]


def scale_cells(cells: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Cells of 0-1 item scores in points (x 100): sums scale by f, squares by f²."""
    return cells.assign(sum=cells["sum"] * factor, sum_sq=cells["sum_sq"] * factor**2)


def section_consistency(
    cells: pd.DataFrame, pass_marks: Mapping[str, float]
) -> tuple[StandardConsistency, ...]:
    """Consistency per section; a branch meets a section when its mean reaches the pass mark."""

    def meets(frame: pd.DataFrame) -> np.ndarray:
        marks = frame["checklist_id"].map(dict(pass_marks)).fillna(np.inf).to_numpy(dtype=float)
        return _shown(frame["sum"] / frame["n"]) >= marks

    return _consistency(cells, "section", meets)


def item_consistency(cells: pd.DataFrame) -> tuple[StandardConsistency, ...]:
    """Consistency per item (cells in points); a branch meets an item when every audit gave
    it full marks (mean score 1)."""

    def meets(frame: pd.DataFrame) -> np.ndarray:
        return (frame["sum"] / frame["n"]).to_numpy() >= 100 - 1e-6

    return _consistency(cells, "item", meets)


def _shown(values: pd.Series) -> np.ndarray:
    """One decimal, halves up, as scores are shown (vectorised form of ``display``)."""
    return np.floor(np.round(values.to_numpy(dtype=float), 9) * 10 + 0.5) / 10


def _consistency(
    cells: pd.DataFrame,
    level: Literal["section", "item"],
    meets: Callable[[pd.DataFrame], np.ndarray],
) -> tuple[StandardConsistency, ...]:
    cells = cells[cells["n"] > 0]
    if cells.empty:
        return ()
    n = cells["n"].to_numpy(dtype=float)
    sums = cells["sum"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "checklist_id": cells["checklist_id"].to_numpy(),
            "standard": cells["standard"].to_numpy(),
            "n": n,
            "sum": sums,
            "mean": sums / n,
            "inv_n": 1 / n,
            "ss_within": np.clip(cells["sum_sq"].to_numpy(dtype=float) - sums**2 / n, 0, None),
            "meets": meets(cells).astype(float),
        }
    )
    groups = frame.groupby(["checklist_id", "standard"], sort=True).agg(
        branches=("n", "size"),
        audits=("n", "sum"),
        total=("sum", "sum"),
        ss_within=("ss_within", "sum"),
        mean_inv_n=("inv_n", "mean"),
        branch_sd=("mean", "std"),
        meeting=("meets", "mean"),
    )
    rows = []
    for (checklist_id, standard), g in groups.iterrows():
        components = _components(
            branches=int(g["branches"]),
            audits=int(g["audits"]),
            ss_within=float(g["ss_within"]),
            spread=float(g["branch_sd"]) ** 2,
            mean_inv_n=float(g["mean_inv_n"]),
        )
        rows.append(
            StandardConsistency(
                checklist_id=str(checklist_id),
                level=level,
                standard=str(standard),
                branches=int(g["branches"]),
                audits=int(g["audits"]),
                mean=float(g["total"] / g["audits"]),
                branch_sd=_optional(g["branch_sd"]),
                between_sd=components.between_sd,
                icc=components.icc,
                meeting_share=float(100 * g["meeting"]),
            )
        )
    return tuple(rows)


def least_consistent(
    standards: Sequence[StandardConsistency], top: int | None = 10
) -> tuple[StandardConsistency, ...]:
    """The standards whose branches differ most for real: largest noise-corrected spread
    between branches first (then largest ICC); standards that cannot be judged go last."""
    ordered = sorted(
        standards,
        key=lambda s: (
            s.between_sd is None,
            -(s.between_sd or 0.0),
            -(s.icc or 0.0),
            s.checklist_id,
            s.standard,
        ),
    )
    return tuple(ordered if top is None else ordered[:top])


def consistency_index(standards: Sequence[StandardConsistency]) -> float | None:
    """The chain's consistency index: 100 minus the average noise-corrected spread between
    branches (in points), each section counting in proportion to its scored audits.

    100 means every branch delivers every section at the same level; each point below 100
    is one point of standard deviation between the branches' true section scores. Unlike
    an ICC it does not move when the visits get noisier (a new auditor), and it can be
    computed for a month in which each branch was audited once.
    """
    usable = [s for s in standards if s.between_sd is not None and s.audits > 0]
    if not usable:
        return None
    weights = np.array([s.audits for s in usable], dtype=float)
    spread = np.array([s.between_sd for s in usable], dtype=float)
    return float(100 - np.average(spread, weights=weights))


def consistency_index_by_period(
    section_rows: pd.DataFrame, period: Period = "month"
) -> pd.DataFrame:
    """The consistency index per month or quarter, trackable over time.

    ``section_rows``: one row per audit x section with ``audit_id, branch_code,
    checklist_id, section_id, score, visited_at``. Each section's noise (within-branch
    variance) comes from the whole selection, because a branch is rarely audited twice in
    one month; the spread between branches comes from each period's branch means, by the
    same estimator as :func:`estimate_components`. Columns: period, consistency_index,
    branches, audits.
    """
    columns = ["period", "consistency_index", "branches", "audits"]
    rows = section_rows[section_rows["score"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    noise = _within_by_standard(summarise_cells(rows, "section_id"))
    labelled = rows.assign(period=period_labels(rows["visited_at"], period).to_numpy())
    cells = (
        labelled.groupby(["period", "checklist_id", "section_id", "branch_code"], sort=True)[
            "score"
        ]
        .agg(n="size", mean="mean")
        .reset_index()
    )
    cells["inv_n"] = 1 / cells["n"]
    per = (
        cells.groupby(["period", "checklist_id", "section_id"], sort=True)
        .agg(
            branches=("n", "size"),
            audits=("n", "sum"),
            spread=("mean", "var"),
            mean_inv_n=("inv_n", "mean"),
        )
        .reset_index()
    )
    within = [noise.get(key) for key in zip(per["checklist_id"], per["section_id"], strict=True)]
    per["within"] = pd.array(within, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    between = (per["spread"] - per["within"] * per["mean_inv_n"]).clip(lower=0)
    per["between_sd"] = np.sqrt(between.where(per["branches"] >= 2))
    usable = per[per["between_sd"].notna()]
    index = usable.groupby("period").apply(
        lambda g: 100 - np.average(g["between_sd"], weights=g["audits"]), include_groups=False
    )
    counts = labelled.groupby("period", sort=True).agg(
        branches=("branch_code", "nunique"), audits=("audit_id", "nunique")
    )
    out = counts.assign(consistency_index=index.reindex(counts.index)).reset_index()
    out["consistency_index"] = out["consistency_index"].astype(float)
    return out[columns]


def _within_by_standard(cells: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    """Pooled within-branch variance per (checklist, standard); None without replicates."""
    n = cells["n"].to_numpy(dtype=float)
    sums = cells["sum"].to_numpy(dtype=float)
    frame = cells[["checklist_id", "standard"]].assign(
        n=n, ss=np.clip(cells["sum_sq"].to_numpy(dtype=float) - sums**2 / n, 0, None)
    )
    totals = frame.groupby(["checklist_id", "standard"], sort=True).agg(
        branches=("n", "size"), audits=("n", "sum"), ss=("ss", "sum")
    )
    out: dict[tuple[str, str], float | None] = {}
    for key, row in totals.iterrows():
        df = row["audits"] - row["branches"]
        within = float(row["ss"] / df) if df > 0 else None
        out[key] = None if within is None else (0.0 if within < _TINY else within)  # type: ignore[index]
    return out


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
    """Spread between the region's branches: SD of their means (None with one branch)."""
    best_branch: str
    best_shrunk: float
    worst_branch: str
    worst_shrunk: float
    pass_rate: float | None
    critical_failures: int


def roll_up_regions(table: LeagueTable) -> tuple[RegionSummary, ...]:
    """Per region: mean, spread between its branches, best and worst branch by the shrunken
    estimate (among ranked branches when the region has any), best region first."""
    by_region: dict[str, list[BranchStanding]] = {}
    for row in table.rows:
        by_region.setdefault(row.region, []).append(row)
    out = []
    for region, rows in by_region.items():
        audits = sum(r.audits for r in rows)
        judged = [r for r in rows if not r.too_few_to_rank] or rows
        best = max(judged, key=lambda r: (r.shrunk, r.branch_code))
        worst = min(judged, key=lambda r: (r.shrunk, r.branch_code))
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
            )
        )
    return tuple(sorted(out, key=lambda r: (-r.mean, r.region)))


def period_labels(visited_at: pd.Series, period: Period) -> pd.Series:
    """'2026-03' for a month, '2026Q1' for a quarter."""
    return pd.to_datetime(visited_at).dt.to_period("M" if period == "month" else "Q").astype(str)


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
    groups["se"] = np.sqrt(variance / groups["audits"].to_numpy(dtype=float))
    previous = groups.groupby("key", sort=False)
    groups["previous_period"] = previous["period"].shift(1)
    groups["change"] = groups["mean"] - previous["mean"].shift(1)
    groups["change_se"] = np.sqrt(groups["se"] ** 2 + previous["se"].shift(1) ** 2)
    exceeds = groups["change"].abs() > Z * groups["change_se"] + _TINY
    groups["exceeds_noise"] = exceeds.where(groups["change"].notna() & groups["change_se"].notna())
    groups["level"] = level
    return groups[TREND_COLUMNS]


# ---------------------------------------------------------------------------
# Auditor effects
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditorEffect:
    auditor: str
    audits: int
    branches: int
    leniency: float | None
    """Points above (+) or below (-) the average auditor on the same branches."""
    low: float | None
    high: float | None
    flagged: bool
    """The 90 % interval excludes 0: this auditor scores clearly more or less kindly."""
    identified: bool
    note: str


@dataclass(frozen=True)
class AuditorEffects:
    rows: tuple[AuditorEffect, ...]
    """Most lenient first; auditors whose effect cannot be estimated last."""
    residual_sd: float | None
    df: int
    method: str


def estimate_auditor_effects(audits: pd.DataFrame) -> AuditorEffects:
    """Fit overall ~ branch + auditor (+ checklist) by least squares and report each
    auditor's leniency with a 90 % interval.

    Branch effects are absorbed by centring every column within its branch, so only
    differences between auditors on the same branches count. Auditors are coded
    against the audit-weighted average auditor (a leniency is points above or below what
    the typical visit would have given). Auditors are comparable
    only when visits connect them: the branch-auditor graph is split into connected
    groups, the effects are fitted in the group with most audits, and an auditor outside
    it is reported as not identified (e.g. one who only visited branches nobody else did).
    """
    scored = audits[audits["overall"].notna()].reset_index(drop=True)
    if scored.empty:
        return AuditorEffects((), None, 0, "No scored audits.")
    main = _main_connected_group(scored)
    fitted = scored[main].reset_index(drop=True)
    names = sorted(fitted["auditor"].unique())
    effects: dict[str, tuple[float, float, float]] = {}
    residual_sd, df = None, 0
    if len(names) >= 2:
        effects, residual_sd, df = _fit_auditors(fitted, names)
    rows = [
        _auditor_row(name, group, effects.get(name), name in names, len(names))
        for name, group in scored.groupby("auditor", sort=True)
    ]
    rows.sort(key=lambda r: (r.leniency is None, -(r.leniency or 0.0), r.auditor))
    return AuditorEffects(tuple(rows), residual_sd, df, _auditor_method(len(names), df))


def _main_connected_group(scored: pd.DataFrame) -> np.ndarray:
    """Mask of the audits in the largest (by audits) connected group of branches and
    auditors, where a visit links its branch and its auditor."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    branch_codes, branch_index = np.unique(scored["branch_code"].to_numpy(), return_inverse=True)
    _, auditor_index = np.unique(scored["auditor"].to_numpy(), return_inverse=True)
    offset = len(branch_codes)
    nodes = offset + int(auditor_index.max()) + 1
    graph = sparse.coo_matrix(
        (np.ones(len(scored)), (branch_index, offset + auditor_index)), shape=(nodes, nodes)
    )
    _, labels = connected_components(graph, directed=False)
    group_of_audit = labels[branch_index]
    biggest = np.bincount(group_of_audit).argmax()
    return group_of_audit == biggest


def _fit_auditors(
    fitted: pd.DataFrame, names: list[str]
) -> tuple[dict[str, tuple[float, float, float]], float | None, int]:
    """Within-branch least squares; returns {auditor: (leniency, low, high)}, residual SD, df.

    Solved through the normal equations of the branch-centred design, built from sparse
    indicator matrices (M: auditor and checklist columns, G: branches), so the cost grows
    with the number of audits, not with audits x auditors:
    X'X = K' (M'M - M'G diag(1/n) G'M) K and X'y = K' (M'y - M'G diag(1/n) G'y), where K
    turns one column per auditor into sum-to-zero coding.
    """
    from scipy import sparse

    n, auditors = len(fitted), len(names)
    indicators = _effect_indicators(fitted, names)
    width = indicators.shape[1]
    rows = np.arange(n)
    branch_index = pd.factorize(fitted["branch_code"])[0]
    branches = int(branch_index.max()) + 1
    groups = sparse.csr_matrix((np.ones(n), (rows, branch_index)), shape=(n, branches))
    y = fitted["overall"].to_numpy(dtype=float)
    counts = np.asarray(groups.sum(axis=0)).ravel()
    per_branch = (indicators.T @ groups).tocsr()
    scaled = per_branch.multiply(1 / counts[None, :]).tocsr()
    branch_y = groups.T @ y
    cross = (indicators.T @ indicators).toarray() - (scaled @ per_branch.T).toarray()
    rhs_full = indicators.T @ y - scaled @ branch_y
    centred_yy = float(y @ y - np.sum(branch_y**2 / counts))
    coding = np.zeros((width, width - 1))
    coding[: auditors - 1, : auditors - 1] = np.eye(auditors - 1)
    coding[auditors - 1, : auditors - 1] = -1.0
    coding[auditors:, auditors - 1 :] = np.eye(width - auditors)
    normal = coding.T @ cross @ coding
    rhs = coding.T @ rhs_full
    inverse = np.linalg.pinv(normal)
    beta = inverse @ rhs
    # Leniency against the audit-weighted average auditor: an auditor with one odd visit
    # must not move everyone else's reference point.
    share = pd.Categorical(fitted["auditor"], categories=names).value_counts().to_numpy() / n
    centring = np.eye(auditors) - np.outer(np.ones(auditors), share)
    contrast = centring @ coding[:auditors, : auditors - 1]
    leniency = contrast @ beta[: auditors - 1]
    df = n - branches - int(np.linalg.matrix_rank(normal))
    if df <= 0:
        unsure = {name: (float(e), np.nan, np.nan) for name, e in zip(names, leniency, strict=True)}
        return unsure, None, 0
    sigma2 = max(centred_yy - float(beta @ rhs), 0.0) / df
    covariance = sigma2 * inverse[: auditors - 1, : auditors - 1]
    se = np.sqrt(np.clip(np.diag(contrast @ covariance @ contrast.T), 0, None))
    half = t_quantile(df) * se
    effects = {
        name: (float(e), float(e - h), float(e + h))
        for name, e, h in zip(names, leniency, half, strict=True)
    }
    return effects, float(np.sqrt(sigma2)), df


def _effect_indicators(fitted: pd.DataFrame, names: list[str]) -> Any:
    """Sparse 0/1 columns: one per auditor, then one per checklist after the first."""
    from scipy import sparse

    n, auditors = len(fitted), len(names)
    rows = np.arange(n)
    auditor_column = pd.Categorical(fitted["auditor"], categories=names).codes.astype(int)
    checklists = sorted(fitted["checklist_id"].unique())
    checklist_index = pd.Categorical(fitted["checklist_id"], categories=checklists).codes.astype(
        int
    )
    has = checklist_index > 0
    return sparse.csr_matrix(
        (
            np.ones(n + int(has.sum())),
            (
                np.concatenate([rows, rows[has]]),
                np.concatenate([auditor_column, auditors - 1 + checklist_index[has]]),
            ),
        ),
        shape=(n, auditors + len(checklists) - 1),
    )


def _auditor_row(
    name: str,
    group: pd.DataFrame,
    effect: tuple[float, float, float] | None,
    in_main_group: bool,
    fitted_auditors: int,
) -> AuditorEffect:
    audits, branches = len(group), int(group["branch_code"].nunique())
    if effect is None:
        if not in_main_group:
            note = (
                "not identified: only visited branches that no other auditor in the "
                "comparison visited, so leniency cannot be told apart from those branches' "
                "own level"
            )
        else:
            note = "not identified: no other auditor to compare with"
        return AuditorEffect(name, audits, branches, None, None, None, False, False, note)
    leniency, low, high = effect
    if np.isnan(low):
        note = "no interval: too few audits beyond the branch and auditor effects"
        return AuditorEffect(name, audits, branches, leniency, None, None, False, True, note)
    flagged = low > 0 or high < 0
    note = (
        ("more lenient than the others" if leniency > 0 else "stricter than the others")
        if flagged
        else "not clearly different from the others"
    )
    return AuditorEffect(name, audits, branches, leniency, low, high, flagged, True, note)


def _auditor_method(fitted: int, df: int) -> str:
    if fitted < 2:
        return (
            "Auditor effects need at least two auditors who visited the same branches; "
            "this selection has fewer."
        )
    return (
        "Least squares fit of overall score = branch + auditor (+ checklist when several), "
        "branch effects absorbed by centring within branch, auditors compared with the "
        "audit-weighted average auditor: a "
        "leniency is points above (+) or below (−) the average auditor on the same branches. "
        f"90 % interval: estimate ± t × standard error (Student t, {df} degrees of freedom); "
        "an auditor is flagged when the interval excludes 0. Only auditors connected by "
        "shared branches are compared."
    )


# ---------------------------------------------------------------------------
# Across checklist versions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionAlignment:
    """What a comparison across versions of one checklist is based on."""

    checklist_id: str
    versions: tuple[int, ...]
    reference_version: int
    """The newest version: its weights, sections, critical rule and pass mark apply."""
    shared_items: tuple[str, ...]
    """Scored items present in every version (in the reference version's order)."""
    left_out: tuple[str, ...]
    """Scored items present in some versions only: not counted in the comparison."""

    def describe(self) -> str:
        versions = ", ".join(f"v{v}" for v in self.versions)
        left = ", ".join(self.left_out) if self.left_out else "none"
        return (
            f"Checklist {self.checklist_id} spans versions {versions}: section and overall "
            f"scores were recomputed on the {len(self.shared_items)} scored items all "
            f"versions share, with the weights and rules of v{self.reference_version}. "
            f"Items left out: {left}."
        )


def align_versions(checklists: Sequence[Checklist]) -> VersionAlignment:
    """The scored items that every given version of one checklist shares."""
    ordered = sorted(checklists, key=lambda c: c.version)
    reference = ordered[-1]
    scored = [{item.id for item in c.items if item.scored} for c in ordered]
    shared = set.intersection(*scored)
    everywhere = set.union(*scored)
    return VersionAlignment(
        checklist_id=reference.id,
        versions=tuple(c.version for c in ordered),
        reference_version=reference.version,
        shared_items=tuple(item.id for item in reference.items if item.id in shared),
        left_out=tuple(sorted(everywhere - shared)),
    )


@dataclass(frozen=True)
class Rescored:
    audits: pd.DataFrame
    """audit_id, overall, raw_overall, passed, grade, critical_failure."""
    sections: pd.DataFrame
    """audit_id, section_id, score, weight."""


def rescore_on_shared_items(
    items: pd.DataFrame, alignment: VersionAlignment, reference: Checklist
) -> Rescored:
    """Section and overall scores of each audit recomputed on the shared items only, by the
    scoring rules (weighted item mean per section; sections by their weight or pooled
    item weights; the critical rule) of the reference version."""
    meta = pd.DataFrame(
        [
            {
                "item_id": item.id,
                "section_id": reference.section_of[item.id],
                "item_weight": item.weight,
                "critical": item.critical,
            }
            for item in reference.items
            if item.id in set(alignment.shared_items)
        ]
    )
    rows = items.merge(meta, on="item_id", how="inner")
    counted = rows["score"].notna()
    rows = rows.assign(
        points=rows["score"].fillna(0) * rows["item_weight"],
        counted=rows["item_weight"].where(counted, 0.0),
    )
    sections = (
        rows.groupby(["audit_id", "section_id"], sort=True)[["points", "counted"]]
        .sum()
        .reset_index()
    )
    share = sections["points"] / sections["counted"].where(sections["counted"] > 0)
    sections["score"] = np.minimum(100.0, 100 * share)
    section_weight = {s.id: s.weight for s in reference.sections}
    if reference.sections_weighted:
        weight = sections["section_id"].map(section_weight).astype(float)
    else:
        weight = sections["counted"]
    sections["weight"] = np.where(sections["score"].notna(), weight, 0.0)
    overall = _overall_from_sections(sections)
    failed = rows[rows["critical"] & counted & (rows["score"] < 1)]["audit_id"].unique()
    audits = _apply_rules(overall, set(failed.tolist()), reference)
    return Rescored(audits, sections[["audit_id", "section_id", "score", "weight"]])


def _overall_from_sections(sections: pd.DataFrame) -> pd.DataFrame:
    weighted = sections.assign(
        product=(sections["score"] * sections["weight"]).fillna(0.0),
    )
    totals = weighted.groupby("audit_id", sort=True)[["product", "weight"]].sum()
    raw = (totals["product"] / totals["weight"].where(totals["weight"] > 0)).clip(0, 100)
    return pd.DataFrame({"audit_id": totals.index.to_numpy(), "raw_overall": raw.to_numpy()})


def _apply_rules(overall: pd.DataFrame, failed: set[int], reference: Checklist) -> pd.DataFrame:
    critical = overall["audit_id"].isin(failed).to_numpy()
    raw = overall["raw_overall"].to_numpy(dtype=float)
    rule = reference.critical_rule
    if rule.kind == "zero":
        final = np.where(critical & ~np.isnan(raw), 0.0, raw)
    elif rule.kind == "cap" and rule.cap is not None:
        final = np.where(critical, np.minimum(raw, rule.cap), raw)
    else:
        final = raw
    shown = [None if np.isnan(x) else display(float(x)) for x in final]
    return pd.DataFrame(
        {
            "audit_id": overall["audit_id"].to_numpy(),
            "overall": final,
            "raw_overall": raw,
            "passed": [None if s is None else s >= reference.pass_mark for s in shown],
            "grade": [None if s is None else reference.grade_for(s) for s in shown],
            "critical_failure": critical,
        }
    )
