"""The league table's model by hand and by property: period-adjusted levels, the posterior
estimate and its interval, honest ties, tie bands, group targets and the notices."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audit_app.domain import compare
from audit_app.domain.compare.periods import fit_periods
from audit_app.domain.compare.shrinkage import shrink

Visits = dict[str, list[tuple[str, float]]]
"""Branch code -> (period, score) per audit."""


def audit_frame(visits: Visits, regions: dict[str, str] | None = None) -> pd.DataFrame:
    rows = [
        {
            "branch_code": code,
            "branch_name": f"Branch {code}",
            "region": (regions or {}).get(code, "R"),
            "country": "ES",
            "period": period,
            "overall": score,
            "passed": score >= 75,
            "critical_failure": score < 20,
        }
        for code, audits in visits.items()
        for period, score in audits
    ]
    return pd.DataFrame(rows)


def totals_of(visits: Visits, regions: dict[str, str] | None = None) -> pd.DataFrame:
    frame = audit_frame(visits, regions)
    return compare.total_branch_periods(frame, frame["period"])


def league(visits: Visits, regions: dict[str, str] | None = None, **options: object):  # type: ignore[no-untyped-def]
    return compare.rank_branches(totals_of(visits, regions), **options)  # type: ignore[arg-type]


def one_period(scores: dict[str, list[float]]) -> Visits:
    return {code: [("P1", s) for s in values] for code, values in scores.items()}


def codes(table: compare.LeagueTable) -> list[str]:
    return [r.branch_code for r in table.rows]


# ---------------------------------------------------------------------------
# Totals
# ---------------------------------------------------------------------------


def test_branch_period_totals_by_hand() -> None:
    totals = totals_of({"A": [("W1", 70.0), ("W1", 80.0), ("W2", 10.0)], "B": [("W2", 90.0)]})
    assert totals.to_dict("records") == [
        {
            "branch_code": "A",
            "branch_name": "Branch A",
            "region": "R",
            "country": "ES",
            "period": "W1",
            "audits": 2,
            "sum": 150.0,
            "sum_sq": 70.0**2 + 80.0**2,
            "passed": 1,
            "judged": 2,
            "critical_failures": 0,
        },
        {
            "branch_code": "A",
            "branch_name": "Branch A",
            "region": "R",
            "country": "ES",
            "period": "W2",
            "audits": 1,
            "sum": 10.0,
            "sum_sq": 100.0,
            "passed": 0,
            "judged": 1,
            "critical_failures": 1,
        },
        {
            "branch_code": "B",
            "branch_name": "Branch B",
            "region": "R",
            "country": "ES",
            "period": "W2",
            "audits": 1,
            "sum": 90.0,
            "sum_sq": 8100.0,
            "passed": 1,
            "judged": 1,
            "critical_failures": 0,
        },
    ]
    assert list(totals.columns) == compare.BRANCH_PERIOD_TOTAL_COLUMNS


def test_totals_split_further_add_up_and_totals_without_periods_are_one_period() -> None:
    visits = {"A": [("W1", 70.0), ("W2", 80.0), ("W2", 60.0)], "B": [("W1", 50.0), ("W1", 55.0)]}
    totals = totals_of(visits)
    split = pd.concat([totals.assign(audits=1), totals.assign(audits=totals["audits"] - 1)])
    split = split.assign(sum=split["sum"] / 2, sum_sq=split["sum_sq"] / 2)
    split = split.assign(passed=0, judged=0, critical_failures=0)
    combined = compare.combine_branch_periods(split)
    assert combined[["branch_code", "period", "sum"]].to_dict("records") == (
        totals[["branch_code", "period", "sum"]].to_dict("records")
    )
    one = compare.rank_branches(compare.combine_totals(totals), min_audits=1)
    assert one.period_effects == () and one.components == one.raw_components
    assert [r.mean for r in one.rows] == [70.0, 52.5]


# ---------------------------------------------------------------------------
# Period effects
# ---------------------------------------------------------------------------


def test_a_branch_visited_only_in_a_good_wave_does_not_look_better() -> None:
    """Wave 2 scores 10 points higher for every branch seen in both; C was only seen in
    wave 2 and has the same level as A: adjusted, they are equal."""
    visits = {
        "A": [("W1", 70.0), ("W1", 72.0), ("W2", 80.0), ("W2", 82.0)],
        "B": [("W1", 60.0), ("W1", 62.0), ("W2", 70.0), ("W2", 72.0)],
        "C": [("W2", 81.0), ("W2", 81.0)],
    }
    table = league(visits, min_audits=1)
    rows = {r.branch_code: r for r in table.rows}
    assert rows["C"].mean == 81.0 and rows["A"].mean == 76.0
    # 8 audits: W1 has 4 (weight 1/2), W2 has 6; effects +-5 around the audit-weighted mean.
    effects = {p.label: p.effect for p in table.period_effects}
    assert effects["W2"] - effects["W1"] == pytest.approx(10.0)
    assert 4 * effects["W1"] + 6 * effects["W2"] == pytest.approx(0.0, abs=1e-9)
    assert rows["C"].adjusted == pytest.approx(rows["A"].adjusted)
    assert [p.audits for p in table.period_effects] == [4, 6]
    (notice,) = [n for n in table.notices if n.code == "period_effects"]
    assert notice.level == "info" and "differ by up to 10.0 points" in notice.message
    assert "W1 -6.0" in table.method and "W2 +4.0" in table.method


def test_period_effects_cost_the_noise_degrees_of_freedom_and_the_raw_model_is_kept() -> None:
    visits = {
        "A": [("W1", 70.0), ("W1", 74.0), ("W2", 80.0), ("W2", 86.0)],
        "B": [("W1", 60.0), ("W1", 62.0), ("W2", 70.0), ("W2", 75.0)],
        "C": [("W1", 90.0), ("W2", 95.0), ("W2", 99.0)],
    }
    table = league(visits, min_audits=1)
    assert table.components.df_within == 11 - 3 - 1
    assert table.raw_components.df_within == 11 - 3
    cells = totals_of(visits).rename(columns={"audits": "n"})
    assert table.components.within == pytest.approx(fit_periods(cells).within)
    assert table.raw_components.within is not None and table.components.within is not None
    assert table.raw_components.within > 4 * table.components.within
    unadjusted = league(visits, min_audits=1, adjust_periods=False)
    assert unadjusted.period_effects == ()
    assert unadjusted.components.df_within == unadjusted.raw_components.df_within
    assert unadjusted.components.within == pytest.approx(unadjusted.raw_components.within)


def test_the_adjusted_means_variance_adds_the_estimated_effects() -> None:
    """A branch seen only in a wave whose effect rests on few audits is less certain than
    its audit count alone says: Var = s²(1/n + w' C w)."""
    cells = pd.DataFrame(
        {
            "branch_code": ["A", "A", "B", "B", "C"],
            "period": ["W1", "W2", "W1", "W2", "W2"],
            "n": [3, 1, 3, 1, 3],
            "sum": [210.0, 80.0, 180.0, 70.0, 240.0],
            "sum_sq": [14_702.0, 6400.0, 10_806.0, 4900.0, 19_206.0],
        }
    )
    fit = fit_periods(cells)
    assert fit.adjusted_factor is not None
    # The W2 - W1 contrast: two branches, each 3 vs 1 audit: variance s² (1/3 + 1) / 2.
    # Against the audit-weighted average (W1 6 audits, W2 5): W2 = 6/11 of the contrast.
    contrast = (1 / 3 + 1) / 2
    # C (3 audits, all in W2) pays for the whole W2 effect; A (3 in W1, 1 in W2) for
    # 3/4 x (-5/11) + 1/4 x 6/11 = -9/44 of the contrast.
    assert fit.adjusted_factor[2] == pytest.approx(1 / 3 + (6 / 11) ** 2 * contrast)
    assert fit.adjusted_factor[0] == pytest.approx(1 / 4 + (9 / 44) ** 2 * contrast)


# ---------------------------------------------------------------------------
# The posterior estimate and its interval
# ---------------------------------------------------------------------------


def brute_force_posterior(y: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Posterior mean and variance of each true level by direct integration over a fine
    grid of the branch SD (flat, on the same range as the estimator) and the chain level
    (flat)."""
    scale = max(float(np.std(y, ddof=1)), float(np.sqrt(np.mean(v))))
    taus = np.linspace(0, 3 * scale, 1500)[:, None, None]
    levels = np.linspace(y.min() - 4 * scale, y.max() + 4 * scale, 1500)[None, :, None]
    spread = taus**2 + v
    log_like = (-0.5 * np.log(spread) - 0.5 * (y - levels) ** 2 / spread).sum(axis=2)
    weight = np.exp(log_like - log_like.max())[:, :, None]
    weight = weight / weight.sum()
    lam = taus**2 / spread
    mean_given = levels + lam * (y - levels)
    mean = (weight * mean_given).sum(axis=(0, 1))
    second = (weight * (lam * v + mean_given**2)).sum(axis=(0, 1))
    return mean, second - mean**2


def test_the_estimate_is_the_posterior_mean_with_the_branch_sd_integrated_out() -> None:
    y = np.array([62.0, 70.0, 75.0, 77.0, 90.0])
    v = np.array([40.0, 10.0, 25.0, 5.0, 30.0])
    result = shrink(y, v)
    mean, variance = brute_force_posterior(y, v)
    np.testing.assert_allclose(result.estimate, mean, atol=0.02)
    np.testing.assert_allclose(result.variance, variance, rtol=0.02)
    # Pulled toward the chain, the noisy most.
    assert np.all(np.abs(result.estimate - result.chain) < np.abs(y - result.chain))
    assert result.weight[3] > result.weight[0]


def test_the_estimates_interval_contains_the_estimate_and_the_means_interval_is_plain() -> None:
    """The issue's case: mean 92.5, interval 89.9-95.1, shrunk 99.4 outside it."""
    table = league(
        one_period(
            {"A": [92.5] * 2 + [90.0, 95.0], "B": [70.0, 75.0, 72.0], "C": [80.0, 84.0, 82.0]}
        ),
    )
    for row in table.rows:
        assert row.shrunk_low is not None and row.shrunk_high is not None
        assert row.shrunk_low <= row.shrunk <= row.shrunk_high
        assert row.low is not None and row.high is not None
        half = compare.t_quantile(table.raw_components.df_within) * math.sqrt(
            table.raw_components.within / row.audits  # type: ignore[operator]
        )
        assert (row.low, row.high) == pytest.approx((row.mean - half, row.mean + half))
    assert "Mean's interval (90 %)" in table.method and "Estimate's interval (90 %)" in table.method


def test_the_league_by_hand_with_three_branches() -> None:
    """Means 95, 75, 65 (two audits each, s² = 50 on 3 df): B1 is truly better than A1
    with probability >= 0.95 (so A1 starts band 2 at the only gap), A1 than C1 not (t on
    3 df): bands 1, 2, 2."""
    table = league(
        one_period({"A1": [70.0, 80.0], "B1": [90.0, 100.0], "C1": [60.0, 70.0]}), min_audits=2
    )
    assert codes(table) == ["B1", "A1", "C1"]
    assert [r.rank for r in table.rows] == [1, 2, 3]
    assert [r.tie_band for r in table.rows] == [1, 2, 2]
    better = [r.better_than_next for r in table.rows]
    assert better[0] is not None and better[0] >= 0.95
    assert better[1] is not None and better[1] < 0.95 and better[2] is None
    assert table.state == "ranked" and table.band_threshold == 0.95
    (notice,) = [n for n in table.notices if n.code == "few_noise_degrees"]
    assert "3 degrees of freedom (3 branches with two or more audits)" in notice.message


# ---------------------------------------------------------------------------
# Honest ties
# ---------------------------------------------------------------------------


def test_no_detectable_difference_is_one_state_one_rank_one_band_ordered_by_mean() -> None:
    """Issue point 1: the codes sort the other way round, the 86.7 location is 'A'."""
    table = league(
        one_period(
            {
                "A": [60.0, 100.0, 100.0],  # 86.7
                "B": [85.0, 100.0],  # 92.5
                "C": [100.0, 100.0],
                "D": [100.0, 100.0, 100.0],
                "E": [100.0, 100.0],
                "F": [70.0, 100.0, 90.0, 100.0],  # 90.0
            }
        ),
        min_audits=2,
    )
    assert table.state == "no_difference"
    assert table.components.raw_between is not None and table.components.raw_between <= 0
    # By mean, then audits; C before E only as the last resort (same mean, same audits).
    assert codes(table) == ["D", "C", "E", "B", "F", "A"]
    assert {r.rank for r in table.rows} == {1} and {r.tie_band for r in table.rows} == {1}
    assert table.notices[0].code == "no_detectable_difference"
    assert table.notices[0].message.startswith(
        "No detectable difference between branches in this selection"
    )
    assert "never by code" in table.method
    regions = compare.roll_up_regions(table)
    assert [r.differs for r in regions] == [False]


def test_identical_branches_share_rank_and_band() -> None:
    table = league(
        one_period({"A": [80.0, 90.0, 85.0], "B": [80.0, 90.0, 85.0], "C": [50.0, 55.0, 52.0]}),
    )
    rows = {r.branch_code: r for r in table.rows}
    assert rows["A"].rank == rows["B"].rank == 1 and rows["C"].rank == 3
    assert rows["A"].tie_band == rows["B"].tie_band


def test_one_branch_one_audit_each_and_nothing() -> None:
    single = league(one_period({"A": [70.0, 80.0, 90.0]}))
    (row,) = single.rows
    assert single.state == "single_branch" and (row.rank, row.tie_band) == (1, 1)
    assert row.shrunk == 80.0 and row.shrunk_low is not None and row.shrunk_low < 80.0
    assert [n.code for n in single.notices] == ["single_branch", "few_noise_degrees"]
    assert "single branch" in single.method

    bare = league(one_period({"A": [70.0], "B": [90.0], "C": [80.0]}), min_audits=1)
    assert bare.state == "no_noise_estimate" and codes(bare) == ["B", "C", "A"]
    assert all(r.shrunk_low is None and r.tie_band is None and r.low is None for r in bare.rows)
    assert [n.code for n in bare.notices] == ["no_replicates"]

    used_up = league(
        {"A": [("W1", 70.0), ("W2", 80.0)], "B": [("W1", 60.0)], "C": [("W2", 90.0)]},
        min_audits=1,
    )
    assert used_up.state == "no_noise_estimate" and used_up.components.df_within == 0
    (notice,) = [n for n in used_up.notices if n.code == "no_replicates"]
    assert notice.message.startswith("Every repeat visit in this selection is used up")

    empty = compare.rank_branches(pd.DataFrame(columns=compare.BRANCH_PERIOD_TOTAL_COLUMNS))
    assert empty.rows == () and empty.notices == ()


def test_too_few_audits_are_listed_after_the_ranked_without_a_band() -> None:
    table = league(one_period({"A": [70.0, 80.0, 75.0], "B": [90.0, 95.0, 93.0], "C": [99.0]}))
    assert codes(table) == ["B", "A", "C"]
    last = table.rows[-1]
    assert last.too_few_to_rank and last.rank is None and last.tie_band is None
    assert last.better_than_next is None and last.shrunk < 99.0


# ---------------------------------------------------------------------------
# Notices
# ---------------------------------------------------------------------------


def test_a_one_wave_selection_whose_noise_rests_on_one_stores_two_visits_says_so() -> None:
    rng = np.random.default_rng(1)
    scores = {f"S{b:02d}": [float(rng.uniform(60, 95))] for b in range(30)}
    scores["S00"].append(scores["S00"][0] + 3.0)
    table = league(one_period(scores), min_audits=1)
    (notice,) = [n for n in table.notices if n.code == "few_noise_degrees"]
    assert notice.message.startswith(
        "The visit-to-visit noise rests on 1 degree of freedom (1 branch with two or more audits)"
    )


def test_a_floor_is_noticed_and_a_spread_table_has_neither() -> None:
    floor = league(one_period({f"F{b}": [0.0, 0.0, 0.0] for b in range(4)} | {"G": [10.0] * 3}))
    assert [n.code for n in floor.notices if n.code in ("ceiling", "floor")] == ["floor"]
    spread = league(one_period({"A": [60.0, 70.0, 65.0], "B": [99.0, 100.0, 100.0]}))
    assert not [n for n in spread.notices if n.code in ("ceiling", "floor")]


# ---------------------------------------------------------------------------
# Group targets
# ---------------------------------------------------------------------------


def grouped_visits(seed: int, gap: float, spread: float = 2.0) -> tuple[Visits, dict[str, str]]:
    rng = np.random.default_rng(seed)
    visits: Visits = {}
    regions: dict[str, str] = {}
    for b in range(24):
        region = "North" if b % 2 else "South"
        level = 70.0 + (gap if region == "North" else 0.0) + rng.normal(0, spread)
        code = f"B{b:02d}"
        visits[code] = [("P1", float(level + rng.normal(0, 4))) for _ in range(4)]
        regions[code] = region
    visits["LONE"] = [("P1", 95.0), ("P1", 93.0), ("P1", 94.0)]
    regions["LONE"] = "Islands"
    return visits, regions


def test_auto_grouping_uses_regions_when_they_differ_and_says_so() -> None:
    visits, regions = grouped_visits(1, 8.0)
    table = league(visits, regions)
    assert table.grouping == "region" and table.groups_differ is True
    rows = {r.branch_code: r for r in table.rows}
    assert {rows["B01"].group, rows["B02"].group} == {"North", "South"}
    assert rows["B01"].target != rows["B02"].target
    # A one-branch region is not its own target: its level is pulled toward the chain.
    assert rows["LONE"].target is not None and rows["LONE"].target < rows["LONE"].adjusted
    (notice,) = [n for n in table.notices if n.code == "group_targets"]
    assert notice.level == "info" and "pulled toward its region's level" in notice.message
    assert "the regions differ (F = " in notice.message
    assert "toward its region's level" in table.method


def test_auto_grouping_keeps_the_chain_when_regions_do_not_differ() -> None:
    visits, regions = grouped_visits(2, 0.0, spread=5.0)  # branches differ, regions do not
    visits.pop("LONE")
    table = league(visits, regions)
    assert table.state == "ranked"
    assert table.grouping is None and table.groups_differ is False
    assert {r.group for r in table.rows} == {"chain"}
    assert len({round(r.target or 0, 9) for r in table.rows}) == 1
    (notice,) = [n for n in table.notices if n.code == "group_targets"]
    assert "do not differ clearly" in notice.message
    chain = league(visits, regions, grouping="chain")
    assert chain.group_test is None and not [n for n in chain.notices if n.code == "group_targets"]


def test_grouping_by_country_is_honoured() -> None:
    visits, regions = grouped_visits(3, 8.0)
    frame = audit_frame(visits, regions)
    frame["country"] = frame["region"].map({"North": "NO", "South": "SO", "Islands": "IS"})
    table = compare.rank_branches(
        compare.total_branch_periods(frame, frame["period"]), grouping="country"
    )
    assert table.grouping == "country"
    assert {r.group for r in table.rows} == {"NO", "SO", "IS"}


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------

SCORES = st.sampled_from([0.0, 40.0, 70.0, 75.0, 80.0, 85.0, 90.0, 100.0])
BRANCH = st.lists(st.tuples(st.sampled_from(["W1", "W2", "W3"]), SCORES), min_size=1, max_size=5)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(BRANCH, min_size=1, max_size=9),
    st.integers(1, 3),
    st.sampled_from(["auto", "chain", "region"]),
)
@example(  # an estimate of -40 and one of 0 both show 0.0: one band, not two
    branches=[[("W1", 0.0)], [("W1", 40.0)], [("W1", 70.0)] + [("W2", 0.0)] * 4],
    min_audits=1,
    grouping="auto",
)
def test_bands_are_contiguous_estimates_sit_in_their_intervals_and_equal_shows_share_a_band(
    branches: list[list[tuple[str, float]]], min_audits: int, grouping: compare.Grouping
) -> None:
    visits = {f"B{i}": audits for i, audits in enumerate(branches)}
    regions = {code: "NS"[i % 2] for i, code in enumerate(visits)}
    table = league(visits, regions, min_audits=min_audits, grouping=grouping)
    ranked = [r for r in table.rows if not r.too_few_to_rank]
    assert table.rows[: len(ranked)] == tuple(ranked)  # the ranked first
    ranks = [r.rank for r in ranked]
    assert ranks == sorted(ranks)  # type: ignore[type-var]
    bands = [r.tie_band for r in ranked]
    if table.state == "no_noise_estimate":
        assert set(bands) <= {None}
    else:
        assert not bands or bands[0] == 1
        assert all(b - a in (0, 1) for a, b in itertools.pairwise(bands))  # type: ignore[operator]
        shown = compare._shown(pd.Series([r.shrunk for r in ranked], dtype=float)).tolist()
        for k in range(1, len(ranked)):
            if shown[k] == shown[k - 1]:
                assert bands[k] == bands[k - 1]
    if table.state == "no_difference":
        assert set(ranks) <= {1} and set(bands) <= {1}
    for row in table.rows:
        assert (row.shrunk_low is None) == (row.shrunk_high is None)
        if row.shrunk_low is not None and row.shrunk_high is not None:
            assert row.shrunk_low <= row.shrunk <= row.shrunk_high
        assert 0.0 <= row.shrunk <= 100.0
        assert row.tie_band is None or not row.too_few_to_rank


@settings(max_examples=60, deadline=None)
@given(st.lists(BRANCH, min_size=2, max_size=7))
def test_the_order_never_depends_on_the_codes(branches: list[list[tuple[str, float]]]) -> None:
    forward = league({f"B{i}": a for i, a in enumerate(branches)}, min_audits=1)
    backward = league({f"Z{9 - i}": a for i, a in enumerate(branches)}, min_audits=1)

    def keys(table: compare.LeagueTable) -> list[tuple[object, ...]]:
        return [(r.rank, round(r.mean, 9), r.audits, r.tie_band) for r in table.rows]

    assert keys(forward) == keys(backward)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(40, 100, allow_nan=False), st.floats(0.05, 30, allow_nan=False)),
        min_size=1,
        max_size=25,
    )
)
def test_no_branch_in_a_band_is_clearly_worse_than_its_first_and_each_band_was_needed(
    branches: list[tuple[float, float]],
) -> None:
    """The band rule itself, on any estimates and posterior variances: bands contiguous;
    no member clearly worse than the band's first; every new band starts where some member
    of the band above would otherwise be clearly worse than its first; never between equal
    shown estimates."""
    from audit_app.domain.compare.bands import (
        BAND_THRESHOLD,
        better_than_next,
        probability_better,
        tie_bands,
    )

    estimate = np.array([e for e, _ in branches])
    variance = np.array([v for _, v in branches])
    order = sorted(range(len(branches)), key=lambda i: -estimate[i])
    better = better_than_next(order, estimate, variance)

    def p(a: int, b: int) -> float:
        return float(probability_better(np.array([a]), np.array([b]), estimate, variance)[0])

    def many(a: int, b: np.ndarray) -> np.ndarray:
        return probability_better(np.full(len(b), a), b, estimate, variance)

    bands = tie_bands(order, estimate, better, many)
    labels = [bands[i] for i in order]
    assert labels[0] == 1 and all(b - a in (0, 1) for a, b in itertools.pairwise(labels))
    shown = compare._shown(pd.Series(estimate[order])).tolist()
    firsts: dict[int, int] = {}
    for k, i in enumerate(order):
        first = firsts.setdefault(labels[k], i)
        assert p(first, i) < BAND_THRESHOLD or first == i
        if k and labels[k] != labels[k - 1]:
            assert shown[k] != shown[k - 1]
            # The band above ended because a branch from here on is clearly worse than
            # its first: without this break, that branch would sit in its band.
            previous_first = firsts[labels[k - 1]]
            assert any(p(previous_first, j) >= BAND_THRESHOLD for j in order[k:])


def test_the_branch_test_is_the_one_way_anova_f_and_decides_no_difference() -> None:
    """Equal audits in one period: the weighted F is the classical one-way ANOVA F. A spread
    the noise could make (p >= 0.10) is stated as no detectable difference even when the
    moment estimate of b is a little above 0."""
    from scipy.stats import f_oneway

    close = {"A": [80.0, 86.0, 83.0], "B": [84.0, 79.0, 88.0], "C": [82.0, 90.0, 81.0]}
    table = league(one_period(close), min_audits=1)
    expected = f_oneway(*close.values())
    test = table.branch_test
    assert test is not None
    assert (test.f, test.p) == pytest.approx((expected.statistic, expected.pvalue))
    assert test.df == (2, 6)
    assert test.p >= 0.10 and table.state == "no_difference"
    assert [r.rank for r in table.rows] == [1, 1, 1] and {r.tie_band for r in table.rows} == {1}
    assert f"p = {test.p:.3f}" in table.method
    apart = {"A": [60.0, 62.0, 61.0], "B": [84.0, 79.0, 88.0], "C": [95.0, 97.0, 96.0]}
    ranked = league(one_period(apart), min_audits=1)
    assert ranked.branch_test is not None and ranked.branch_test.p < 0.10
    assert ranked.state == "ranked" and codes(ranked) == ["C", "B", "A"]
