"""The league table: branch levels net of period effects, shrunk toward the chain (or the
branch's group) with the posterior interval of the number that ranks, honest ties, tie
bands from the ranking's own uncertainty, and the notices the table needs.

The model of one audit score: ``y = group level + branch effect + period effect + noise``.
Period effects come from :func:`periods.fit_periods` (within branches), the shrinkage and
its posterior variance from :func:`shrinkage.shrink`, ranks and bands from :mod:`bands`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from audit_app.domain.compare.bands import (
    BAND_THRESHOLD,
    better_than_next,
    competition_ranks,
    probability_better,
    standing_order,
    tie_bands,
)
from audit_app.domain.compare.codes import first_rows, sorted_codes
from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.periods import PERIOD_CELL_COLUMNS, PeriodFit, fit_periods
from audit_app.domain.compare.request import Grouping
from audit_app.domain.compare.shrinkage import (
    GROUP_TEST_LEVEL,
    GroupTest,
    Shrinkage,
    compare_groups,
    f_tail,
    raw_between,
    shrink,
)
from audit_app.domain.compare.totals import (
    BRANCH_PERIOD_TOTAL_COLUMNS,
    combine_branch_periods,
    combine_totals,
    total_branch_periods,
    total_branches,
)
from audit_app.domain.compare.variance import (
    DEFAULT_MIN_AUDITS,
    FEW_NOISE_DF,
    GradeOf,
    VarianceComponents,
    Z,
    _shown,
    estimate_components,
    t_quantile,
)
from audit_app.domain.compare.words import num, signed
from audit_app.i18n import N_, _, ngettext

__all__ = [
    "BRANCH_PERIOD_TOTAL_COLUMNS",
    "BranchStanding",
    "Grouping",
    "LeagueState",
    "LeagueTable",
    "PeriodEffect",
    "combine_totals",
    "describe_league_method",
    "rank_branches",
    "total_branch_periods",
    "total_branches",
]

LeagueState = Literal["ranked", "no_difference", "no_noise_estimate", "single_branch"]

CEILING = 99.95
"""A branch mean at or above this shows as 100.0: the top of the scale."""
FLOOR = 0.05
"""A branch mean at or below this shows as 0.0: the bottom of the scale."""
CEILING_SHARE = 0.5
"""A ceiling (floor) notice when more than this share of the ranked branches sit there."""
FEW_REPLICATED = 5
"""... and so do fewer branches than this with two or more audits."""
CHAIN = "chain"
_NAME_COLUMNS = ("branch_name", "region", "country")


@dataclass(frozen=True)
class BranchStanding:
    """One branch's line in the league table (scores 0-100, unrounded)."""

    branch_code: str
    branch_name: str
    region: str
    country: str
    audits: int
    mean: float
    """The plain mean of its audits."""
    low: float | None
    """The mean's interval: 90 % interval of the plain mean (None when the noise cannot be
    estimated)."""
    high: float | None
    adjusted: float
    """Period-adjusted mean: the mean with the effects of the periods it was visited in
    removed (its level in an average period), kept within 0-100."""
    shrunk: float
    """The estimate that ranks: the adjusted mean pulled toward its target by its
    uncertainty (empirical Bayes)."""
    shrunk_low: float | None
    """The estimate's interval: 90 % posterior interval of the shrunken estimate (always
    contains it; None when the noise cannot be estimated)."""
    shrunk_high: float | None
    target: float | None
    """The level the estimate is pulled toward (its group's level, or the chain's)."""
    group: str
    """The name of its group (region or country), or "chain"."""
    rank: int | None
    """1 = best by the shrunken estimate; None when too few audits to rank."""
    tie_band: int | None
    """Branches in one band cannot be told apart from the band's first branch (see
    :func:`bands.tie_bands`); None when unranked or without a noise estimate."""
    better_than_next: float | None
    """Probability that it is truly better than the next ranked branch."""
    pass_rate: float | None
    """Share of audits passed, 0-100."""
    critical_failures: int
    grade: str | None
    """The grade of the mean as shown (one decimal)."""
    too_few_to_rank: bool
    closed: bool = False
    """The branch is closed (no longer active): only in a comparison that includes them."""


@dataclass(frozen=True)
class PeriodEffect:
    """How far a period's scores sat above (+) or below (-) the average period."""

    label: str
    audits: int
    effect: float
    low: float | None
    """90 % interval (None when the noise cannot be estimated)."""
    high: float | None


@dataclass(frozen=True)
class LeagueTable:
    rows: tuple[BranchStanding, ...]
    """Ranked branches first (best first), then those with too few audits."""
    components: VarianceComponents
    """The model's components: noise net of period effects (with its degrees of freedom)
    and the variance of the branches' adjusted levels around the chain."""
    raw_components: VarianceComponents
    """The one-way components without period effects, for comparison."""
    chain_mean: float | None
    """The chain's level (the target of the shrinkage when no grouping is used)."""
    min_audits: int
    state: LeagueState
    period_effects: tuple[PeriodEffect, ...]
    """One per period when period effects were fitted, else empty."""
    grouping: Literal["region", "country"] | None
    """The grouping whose levels are the targets; None: the chain."""
    groups_differ: bool | None
    """Whether the groups' levels differ (F test at 10 %); None when not tested."""
    group_test: GroupTest | None
    between_in_groups: float | None
    """Variance of branch levels around their group's level (with a grouping)."""
    notices: tuple[Notice, ...]
    band_threshold: float
    method: str = ""
    branch_test: BranchTest | None = None
    """The F test of equal branch levels that decides between ranked and no_difference."""

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([row.__dict__ for row in self.rows])


@dataclass(frozen=True)
class _Estimates:
    """What one state of the table computes per branch (arrays in branch-code order)."""

    shrunk: np.ndarray
    variance: np.ndarray | None
    target: np.ndarray | None
    group: list[str]
    shared: np.ndarray | None
    """(1 - lambda) x sqrt(Var(target)) per branch: the part of the error branches with the
    same target share."""
    chain: float | None
    fit: Shrinkage | None


def rank_branches(
    totals: pd.DataFrame,
    *,
    min_audits: int = DEFAULT_MIN_AUDITS,
    adjust_periods: bool = True,
    grouping: Grouping = "auto",
    grade_of: GradeOf | None = None,
) -> LeagueTable:
    """The league table from per branch x period totals (:func:`total_branch_periods`;
    totals without a ``period`` column count as one period)."""
    cells = combine_branch_periods(totals)
    cells = cells[cells["audits"].to_numpy() > 0]
    branches = _branch_totals(cells)
    n = branches["audits"].to_numpy(dtype=float)
    sums = branches["sum"].to_numpy(dtype=float)
    raw = estimate_components(n, sums, branches["sum_sq"].to_numpy(dtype=float))
    fit = fit_periods(
        cells.rename(columns={"audits": "n"})[PERIOD_CELL_COLUMNS], adjust=adjust_periods
    )
    assert fit.branches == tuple(branches["branch_code"]), "branch order"
    means = sums / n if len(n) else sums
    noise = (
        fit.within * fit.adjusted_factor
        if fit.within is not None and fit.adjusted_factor is not None
        else None
    )
    chain_between = (
        raw_between(fit.adjusted_means, noise, np.zeros(len(n), dtype=int))
        if noise is not None and len(n) > 1
        else None
    )
    components = _model_components(fit, chain_between)
    detectable = branch_test(fit.adjusted_means, noise, fit.within, fit.df_within)
    state = _state(len(n), chain_between, detectable)
    test, used = _choose_grouping(grouping, branches, fit, state)
    estimates = _estimate(state, branches, fit, noise, used)
    ranked = n >= min_audits
    # Ranked as shown: on the scale (an estimate past 100 shows 100.0, like its neighbours).
    shown = np.clip(estimates.shrunk, 0, 100)
    ranks = competition_ranks(shown, ranked)
    if state == "no_difference":
        ranks[ranked] = 1
    codes = branches["branch_code"].tolist()
    # With no detectable difference the estimates are not an order: mean, then audits.
    ordering = np.zeros(len(n)) if state == "no_difference" else shown
    order = standing_order(ranks, ordering, means, n, codes)
    ranked_order = [i for i in order if ranked[i]]
    better: dict[int, float] = {}
    bands: dict[int, int] = {}
    if estimates.variance is not None:
        better = better_than_next(
            ranked_order,
            estimates.shrunk,
            estimates.variance,
            _shared(ranked_order, estimates),
            fit.df_within if fit.df_within > 0 else None,
        )
        bands = tie_bands(
            ranked_order,
            shown,
            better,
            _pair_probability(estimates, fit.df_within if fit.df_within > 0 else None),
        )
        if state == "no_difference":
            bands = dict.fromkeys(ranked_order, 1)
    elif state == "single_branch":
        bands = dict.fromkeys(ranked_order, 1)
    quantile = t_quantile(fit.df_within) if fit.df_within > 0 else Z
    rows = _rows(
        branches, order, means, raw, fit, estimates, quantile, ranks, bands, better, grade_of
    )
    rows_ranked = [r for r in rows if not r.too_few_to_rank] or list(rows)
    table = LeagueTable(
        rows=rows,
        components=components,
        raw_components=raw,
        chain_mean=estimates.chain,
        min_audits=min_audits,
        state=state,
        period_effects=_period_effects(fit, quantile),
        grouping=used,
        groups_differ=None if test is None or test.p is None else test.differ,
        group_test=test,
        between_in_groups=None,
        notices=(),
        band_threshold=BAND_THRESHOLD,
        branch_test=detectable,
    )
    if used is not None and estimates.fit is not None:
        table = replace(table, between_in_groups=estimates.fit.between)
    table = replace(table, notices=_notices(table, fit, rows_ranked, grouping))
    return replace(table, method=describe_league_method(table))


# ---------------------------------------------------------------------------
# The parts
# ---------------------------------------------------------------------------


def _branch_totals(cells: pd.DataFrame) -> pd.DataFrame:
    """Per-branch totals from the per branch x period cells (sorted by branch code)."""
    index, _codes = sorted_codes(cells["branch_code"])
    first = first_rows(index)
    # the names of each branch's first row only: converting every cell's text to take one
    # in thirty-six was 9 % of a ten-times history's league
    columns: dict[str, object] = {
        name: cells[name].iloc[first].to_numpy() for name in ("branch_code", *_NAME_COLUMNS)
    }
    for name in ("audits", "sum", "sum_sq", "passed", "judged", "critical_failures"):
        added = np.bincount(index, weights=cells[name].to_numpy(dtype=float))
        columns[name] = added if name.startswith("sum") else np.rint(added).astype(int)
    return pd.DataFrame(columns)


def _model_components(fit: PeriodFit, raw: float | None) -> VarianceComponents:
    """Noise net of period effects; between: the moment estimate around the chain."""
    branches, audits = len(fit.branches), int(fit.n.sum())
    if raw is None:
        return VarianceComponents(branches, audits, fit.within, None, None, fit.estimable)
    return VarianceComponents(branches, audits, fit.within, max(raw, 0.0), raw, fit.estimable)


def _state(branches: int, chain_between: float | None, test: BranchTest | None) -> LeagueState:
    if branches == 1:
        return "single_branch"
    if chain_between is None:
        return "no_noise_estimate"
    if chain_between <= 0 or (test is not None and not test.differ):
        return "no_difference"
    return "ranked"


BRANCH_TEST_LEVEL = 0.10
"""Branches differ detectably when the F test of equal levels rejects at this level (the
same 10 % as every 90 % interval)."""


@dataclass(frozen=True)
class BranchTest:
    """Do the branches' adjusted levels differ more than the noise would make them?"""

    f: float
    df: tuple[int, int]
    p: float

    @property
    def differ(self) -> bool:
        return self.p < BRANCH_TEST_LEVEL


def branch_test(
    adjusted: np.ndarray, noise: np.ndarray | None, within: float | None, df_within: int
) -> BranchTest | None:
    """The weighted one-way F test of equal branch levels: with ``v_b = s² f_b`` the
    variance of branch b's adjusted mean, ``Q = sum((y_b - ybar_w)² / f_b)`` and
    ``F = Q / ((B - 1) s²)`` on (B - 1, df) degrees of freedom. Without it, a chain whose
    branches are all alike would show tie bands in one draw in fifteen."""
    k = len(adjusted)
    if noise is None or within is None or within <= 0 or k < 2 or df_within < 1:
        return None
    factor = noise / within
    weights = 1 / np.clip(factor, 1e-12, None)
    centre = float(np.average(adjusted, weights=weights))
    q = float(np.sum(weights * (adjusted - centre) ** 2))
    f = q / ((k - 1) * within)
    return BranchTest(f, (k - 1, df_within), f_tail(f, k - 1, df_within))


def _choose_grouping(
    grouping: Grouping, branches: pd.DataFrame, fit: PeriodFit, state: LeagueState
) -> tuple[GroupTest | None, Literal["region", "country"] | None]:
    """The group test (on region for "auto") and the grouping used: groups only when
    branches differ and, for "auto", when the regions' levels differ."""
    if grouping == CHAIN:
        return None, None
    column: Literal["region", "country"] = "country" if grouping == "country" else "region"
    index = pd.factorize(branches[column].astype(str))[0]
    test = compare_groups(fit.adjusted_means, index) if len(index) else GroupTest(0, None, None)
    if state != "ranked" or test.groups < 2 or len(index) - test.groups < 1:
        return test, None
    if grouping == "auto" and not test.differ:
        return test, None
    return test, column


def _estimate(
    state: LeagueState,
    branches: pd.DataFrame,
    fit: PeriodFit,
    noise: np.ndarray | None,
    used: Literal["region", "country"] | None,
) -> _Estimates:
    adjusted = fit.adjusted_means
    names = [CHAIN] * len(adjusted)
    if state in ("single_branch", "no_noise_estimate") or noise is None:
        level = float(np.average(adjusted, weights=fit.n)) if len(adjusted) else None
        return _Estimates(adjusted.copy(), noise, None, names, None, level, None)
    index = None
    if used is not None:
        names = branches[used].astype(str).tolist()
        index = pd.factorize(branches[used].astype(str))[0]
    result = shrink(adjusted, noise, index)
    shared = (1 - result.weight) * np.sqrt(result.target_variance)
    return _Estimates(
        result.estimate, result.variance, result.target, names, shared, result.chain, result
    )


def _pair_probability(
    estimates: _Estimates, df: int | None
) -> Callable[[int, np.ndarray], np.ndarray]:
    """P(branch a truly better than each branch of b), their shared target's error
    accounted for."""
    assert estimates.variance is not None  # only called when there are posterior variances
    variance = estimates.variance
    group = np.asarray(estimates.group, dtype=object)

    def probability(a: int, b: np.ndarray) -> np.ndarray:
        covariance = None
        if estimates.shared is not None:
            same = group[b] == group[a]
            covariance = np.where(same, estimates.shared[a] * estimates.shared[b], 0.0)
        upper = np.full(len(b), a)
        return probability_better(upper, b, estimates.shrunk, variance, covariance, df)

    return probability


def _shared(order: list[int], estimates: _Estimates) -> np.ndarray | None:
    """Covariance of each ranked branch's error with its successor's (same target only)."""
    if estimates.shared is None:
        return None
    group = estimates.group
    return np.array(
        [
            estimates.shared[a] * estimates.shared[b] if group[a] == group[b] else 0.0
            for a, b in itertools.pairwise(order)
        ]
    )


def _rows(
    branches: pd.DataFrame,
    order: list[int],
    means: np.ndarray,
    raw: VarianceComponents,
    fit: PeriodFit,
    estimates: _Estimates,
    quantile: float,
    ranks: np.ndarray,
    bands: dict[int, int],
    better: dict[int, float],
    grade_of: GradeOf | None,
) -> tuple[BranchStanding, ...]:
    n = branches["audits"].to_numpy(dtype=float)
    low, high = _mean_intervals(means, n, raw)
    shrunk = np.clip(estimates.shrunk, 0, 100)
    if estimates.variance is not None:
        half = quantile * np.sqrt(np.clip(estimates.variance, 0, None))
        s_low = np.clip(estimates.shrunk - half, 0, 100).tolist()
        s_high = np.clip(estimates.shrunk + half, 0, 100).tolist()
    else:
        s_low = s_high = [None] * len(n)
    judged = branches["judged"].to_numpy(dtype=float)
    pass_rates = np.divide(
        100 * branches["passed"].to_numpy(dtype=float),
        judged,
        out=np.full(len(judged), np.nan),
        where=judged > 0,
    )
    grades = _grades(means, grade_of)
    info = {c: branches[c].astype(str).tolist() for c in ("branch_name", "region", "country")}
    codes = branches["branch_code"].astype(str).tolist()
    critical = branches["critical_failures"].astype(int).tolist()
    adjusted = np.clip(fit.adjusted_means, 0, 100).tolist()
    targets = [None] * len(n) if estimates.target is None else estimates.target.tolist()
    lows = [None] * len(n) if low is None else low.tolist()
    highs = [None] * len(n) if high is None else high.tolist()
    rates = [None if p != p else p for p in pass_rates.tolist()]
    audits, mean_list, shrunk_list = n.astype(int).tolist(), means.tolist(), shrunk.tolist()
    rank_list = [None if r == 0 else r for r in ranks.tolist()]
    columns = [  # in the order of BranchStanding's fields
        codes,
        info["branch_name"],
        info["region"],
        info["country"],
        audits,
        mean_list,
        lows,
        highs,
        adjusted,
        shrunk_list,
        s_low,
        s_high,
        targets,
        estimates.group,
        rank_list,
        [bands.get(i) for i in range(len(n))],
        [better.get(i) for i in range(len(n))],
        rates,
        critical,
        grades,
        [r is None for r in rank_list],
    ]
    in_order = [[column[i] for i in order] for column in columns]
    return tuple(BranchStanding(*values) for values in zip(*in_order, strict=True))


def _mean_intervals(
    means: np.ndarray, n: np.ndarray, components: VarianceComponents
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The mean's interval: mean ± t(0.95, N - B) x sqrt(within / n), within 0-100, with
    the one-way noise (what the plain mean alone says)."""
    if components.within is None:
        return None, None
    half = t_quantile(components.df_within) * np.sqrt(components.within / n)
    return np.clip(means - half, 0, 100), np.clip(means + half, 0, 100)


def _period_effects(fit: PeriodFit, quantile: float) -> tuple[PeriodEffect, ...]:
    if not fit.adjusted:
        return ()
    out = []
    for label, audits, effect, se in zip(
        fit.periods, fit.audits_per_period, fit.effects, fit.effect_se, strict=True
    ):
        known = se == se
        out.append(
            PeriodEffect(
                label=label,
                audits=int(audits),
                effect=float(effect),
                low=float(effect - quantile * se) if known else None,
                high=float(effect + quantile * se) if known else None,
            )
        )
    return tuple(out)


def _grades(means: np.ndarray, grade_of: GradeOf | None) -> list[str | None]:
    """The grade of each mean as shown (one decimal), asking ``grade_of`` once per value."""
    if grade_of is None:
        return [None] * len(means)
    shown = _shown(pd.Series(means)).tolist()
    labels = {value: grade_of(value) for value in set(shown)}
    return [labels[value] for value in shown]


# ---------------------------------------------------------------------------
# Notices and the method
# ---------------------------------------------------------------------------


def _notices(
    table: LeagueTable, fit: PeriodFit, ranked: list[BranchStanding], grouping: Grouping
) -> tuple[Notice, ...]:
    notices: list[Notice] = []
    if table.state == "no_difference":
        notices.append(
            Notice(
                "no_detectable_difference",
                _(
                    "No detectable difference between branches in this selection: their means "
                    "differ no more than the visit-to-visit noise would make them, so every "
                    "ranked branch shares rank 1 and one band."
                ),
            )
        )
    if table.state == "single_branch":
        notices.append(
            Notice("single_branch", _("One branch in this selection: nothing to compare it with."))
        )
    replicated = int(np.sum(fit.n >= 2))
    if fit.within is None and table.rows:
        notices.append(
            Notice(
                "no_replicates",
                _(
                    "No branch has two audits in this selection, so the visit-to-visit noise "
                    "cannot be estimated: no intervals, no shrinkage and no tie bands."
                )
                if replicated == 0
                else _(
                    "Every repeat visit in this selection is used up by the period effects, so "
                    "the visit-to-visit noise cannot be estimated: no intervals, no shrinkage "
                    "and no tie bands."
                ),
            )
        )
    elif fit.within is not None and (fit.df_within < FEW_NOISE_DF or replicated < FEW_REPLICATED):
        degrees = ngettext(
            "The visit-to-visit noise rests on {df} degree of freedom",
            "The visit-to-visit noise rests on {df} degrees of freedom",
            fit.df_within,
        ).format(df=num(fit.df_within, 0))
        branches = ngettext(
            "({branches} branch with two or more audits)",
            "({branches} branches with two or more audits)",
            replicated,
        ).format(branches=num(replicated, 0))
        notices.append(
            Notice(
                "few_noise_degrees",
                _("{degrees} {branches}: intervals, shrinkage and tie bands are rough.").format(
                    degrees=degrees, branches=branches
                ),
            )
        )
    for code, test, sentence in (
        (
            "ceiling",
            lambda m: m >= CEILING,
            N_(
                "{at} of {ranked} ranked branches average the top of the scale ({end}): the "
                "measure cannot tell them apart."
            ),
        ),
        (
            "floor",
            lambda m: m <= FLOOR,
            N_(
                "{at} of {ranked} ranked branches average the bottom of the scale ({end}): the "
                "measure cannot tell them apart."
            ),
        ),
    ):
        at = sum(1 for r in ranked if test(r.mean))
        if ranked and at / len(ranked) > CEILING_SHARE:
            notices.append(
                Notice(
                    code,  # type: ignore[arg-type]
                    _(sentence).format(
                        at=at,
                        ranked=len(ranked),
                        end=num(100.0 if code == "ceiling" else 0.0),
                    ),
                )
            )
    if table.period_effects:
        effects = sorted(table.period_effects, key=lambda p: p.effect)
        spread = effects[-1].effect - effects[0].effect
        periods_test = fit.period_test()
        tested = (
            ""
            if periods_test is None
            else _("; F test of equal periods: F = {f}, p = {p}").format(
                f=num(periods_test[0], 2), p=num(periods_test[1], 3)
            )
        )
        if periods_test is not None and periods_test[1] >= BRANCH_TEST_LEVEL:
            text = _(
                "Periods do not differ detectably{tested}: the small estimated period "
                "effects (up to {spread} points apart, mostly noise) are removed anyway, "
                "which changes little."
            ).format(tested=tested, spread=num(spread))
        else:
            text = _(
                "Period effects removed: period means differ by up to {spread} points "
                "({lowest} {lowest_effect}, {highest} {highest_effect} against the average "
                "period{tested}), so branches visited only in good or bad periods are "
                "compared fairly."
            ).format(
                spread=num(spread),
                lowest=effects[0].label,
                lowest_effect=signed(effects[0].effect),
                highest=effects[-1].label,
                highest_effect=signed(effects[-1].effect),
                tested=tested,
            )
        notices.append(Notice("period_effects", text, "info"))
    group_notice = _group_notice(table, grouping)
    if group_notice is not None:
        notices.append(group_notice)
    return tuple(notices)


def _group_notice(table: LeagueTable, grouping: Grouping) -> Notice | None:
    test = table.group_test
    if test is not None and test.f is not None and test.p is not None:
        p = "p < 0.001" if test.p < 0.001 else f"p = {num(test.p, 3)}"
        tested = f" (F = {num(test.f, 2)}, {p})"
    else:
        tested = ""
    if table.grouping is not None:
        country = table.grouping == "country"
        if table.groups_differ:
            sentence = (
                _(
                    "Each branch is pulled toward its country's level (the countries' levels "
                    "themselves pulled toward the chain): the countries differ{tested}."
                )
                if country
                else _(
                    "Each branch is pulled toward its region's level (the regions' levels "
                    "themselves pulled toward the chain): the regions differ{tested}."
                )
            )
        else:
            sentence = (
                _(
                    "Each branch is pulled toward its country's level (the countries' levels "
                    "themselves pulled toward the chain), as asked{tested}."
                )
                if country
                else _(
                    "Each branch is pulled toward its region's level (the regions' levels "
                    "themselves pulled toward the chain), as asked{tested}."
                )
            )
        return Notice("group_targets", sentence.format(tested=tested), "info")
    if table.state != "ranked" or grouping == CHAIN:
        return None
    if test is None or test.p is None:
        if grouping == "auto":
            return None
        return Notice(
            "group_targets",
            _(
                "Every branch is pulled toward the chain's level: the countries cannot serve "
                "as targets (fewer than two, or no two branches share one)."
            )
            if grouping == "country"
            else _(
                "Every branch is pulled toward the chain's level: the regions cannot serve "
                "as targets (fewer than two, or no two branches share one)."
            ),
            "info",
        )
    if grouping == "auto":
        return Notice(
            "group_targets",
            _(
                "Every branch is pulled toward the chain's level: the regions' levels do not "
                "differ clearly{tested}; they would at p < {level}."
            ).format(tested=tested, level=num(GROUP_TEST_LEVEL, 2)),
            "info",
        )
    return None


def describe_league_method(table: LeagueTable) -> str:
    """The method in plain words with the numbers, including what the data could not
    support."""
    c, raw = table.components, table.raw_components
    parts = [
        _(
            "Model of an audit's overall score: group level (the chain, or the branch's region "
            "or country) + branch effect + period effect + visit-to-visit noise."
        )
    ]
    if table.period_effects:
        effects = ", ".join(f"{p.label} {signed(p.effect)}" for p in table.period_effects)
        parts.append(
            _(
                "Period effects, estimated within branches (the same branch in different "
                "periods), against the average period: {effects}. Each branch's adjusted mean "
                "is its mean with the effects of the periods it was visited in removed."
            ).format(effects=effects)
        )
    else:
        parts.append(_("No period effects were fitted: the adjusted mean is the mean."))
    if c.within is None:
        parts.append(
            _(
                "The visit-to-visit noise cannot be estimated (no branch has two "
                "audits, or its repeat visits went into the period effects): no intervals, no "
                "shrinkage and no tie bands; branches are ranked by their adjusted mean."
            )
        )
    else:
        t = t_quantile(c.df_within)
        raw_note = (
            _(" (without period effects: {noise} points)").format(noise=num(np.sqrt(raw.within)))
            if table.period_effects and raw.within is not None
            else ""
        )
        parts.append(
            _(
                "Noise: s = {noise} points{without}, on {df} degrees of freedom. Mean's "
                "interval (90 %): the plain mean ± t × s/√n with the noise of the plain means "
                "({raw_noise} points, t = {t}, Student t on {raw_df} degrees of freedom)."
            ).format(
                noise=num(np.sqrt(c.within)),
                without=raw_note,
                df=num(c.df_within, 0),
                raw_noise=num(np.sqrt(raw.within or 0)),
                t=num(t_quantile(raw.df_within), 3),
                raw_df=num(raw.df_within, 0),
            )
        )
        if table.state == "single_branch":
            parts.append(
                _(
                    "With a single branch there is no chain to shrink toward: the estimate is "
                    "the adjusted mean and its interval is ± t × the adjusted mean's standard "
                    "error."
                )
            )
        elif table.state == "no_difference":
            test = table.branch_test
            tested = (
                ""
                if test is None
                else _(
                    "; the F test of equal branch levels gives F = {f} on {df1} and {df2} "
                    "degrees of freedom, p = {p} (they would differ detectably at p < {level})"
                ).format(
                    f=num(test.f, 2),
                    df1=num(test.df[0], 0),
                    df2=num(test.df[1], 0),
                    p=num(test.p, 3),
                    level=num(BRANCH_TEST_LEVEL, 2),
                )
            )
            sentence = (
                _(
                    "The between-branch variance estimate is {variance} (method of moments, "
                    "≤ 0){tested}: no detectable difference between branches in this "
                    "selection."
                )
                if (c.raw_between or 0) <= 0
                else _(
                    "The between-branch variance estimate is {variance} (method of "
                    "moments){tested}: no detectable difference between branches in this "
                    "selection."
                )
            )
            parts.append(
                sentence.format(variance=num(c.raw_between, 2), tested=tested)
                + " "
                + _(
                    "Every ranked branch shares rank 1 and one band, and the table is "
                    "ordered by mean, then by number of audits (never by code). The estimates "
                    "are pulled almost all the way to the chain level ({chain}); their "
                    "intervals still allow for a small spread the data cannot rule out."
                ).format(chain=num(table.chain_mean))
            )
        else:
            parts.append(_shrinkage_text(table, t))
    parts.append(
        _("Branches with fewer than {audits} audits are listed but not ranked.").format(
            audits=table.min_audits
        )
    )
    return " ".join(parts)


def _shrinkage_text(table: LeagueTable, t: float) -> str:
    c = table.components
    between = c.between or 0.0
    if table.grouping is None:
        target = _("the chain level ({chain})").format(chain=num(table.chain_mean))
        spread = _("{variance} (SD {sd} points) by the method of moments").format(
            variance=num(between), sd=num(np.sqrt(between))
        )
    else:
        inside = table.between_in_groups or 0.0
        if table.grouping == "country":
            target = _(
                "its country's level (the country levels themselves pulled toward the chain "
                "level {chain}, so a country with one branch is not its own target)"
            )
            spread = _(
                "{inside} (SD {sd} points, posterior mean) around the countries' levels "
                "({variance} around the chain by the method of moments)"
            )
        else:
            target = _(
                "its region's level (the region levels themselves pulled toward the chain "
                "level {chain}, so a region with one branch is not its own target)"
            )
            spread = _(
                "{inside} (SD {sd} points, posterior mean) around the regions' levels "
                "({variance} around the chain by the method of moments)"
            )
        target = target.format(chain=num(table.chain_mean))
        spread = spread.format(inside=num(inside), sd=num(np.sqrt(inside)), variance=num(between))
    return _(
        "Estimate that ranks (hierarchical Bayes): target + λ × (adjusted mean − target), "
        "toward {target}, λ = b / (b + s²/n), where b is the variance of the branches' true "
        "levels: {spread}. b is not taken at one estimate: flat priors on the branch SD "
        "(and the group SD) are integrated out on a grid, so a b the data barely pin down "
        "widens the intervals instead of over-shrinking; branches with few audits move most. "
        "Estimate's interval (90 %): estimate ± t × posterior SD (t = {t}); the "
        "posterior variance is λ s²/n plus the uncertainty of the target and of b, and the "
        "interval always contains the estimate. Rank by the estimate (ties: mean, then "
        "audits). Tie bands: walking down the ranking, a band ends once a branch is truly "
        "worse than the band's first branch with probability ≥ {threshold} (from "
        "the two posteriors: the 90 % interval of their difference excludes 0); the next "
        "band starts at the clearest gap between the two, never between branches whose "
        "estimates show the same. No branch in a band is clearly worse than its first; "
        "within a band the order is not meaningful."
    ).format(target=target, spread=spread, t=num(t, 3), threshold=num(BAND_THRESHOLD, 2))
