"""The league table against known truth: simulated programmes with branch effects, group
levels, period effects (wave means rising 76.7 -> 85.7 as in issue #17), 1 to 20 audits per
branch, a ceiling and a case with no difference at all. Fixed seeds, vectorised draws."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from audit_app.domain import compare

WAVE_MEANS = np.array([76.7, 79.0, 81.2, 83.5, 85.7])
"""The issue's five waves: the means rose 9 points over the programme."""


@dataclass(frozen=True)
class Programme:
    totals: pd.DataFrame
    truth: dict[str, float]
    """Each branch's true level in an average wave (what the estimate is after)."""


def programme(
    seed: int,
    *,
    branches: int = 60,
    group_means: tuple[float, ...] = (75.0,),
    branch_sd: float = 4.0,
    noise_sd: float = 8.0,
    waves: bool = True,
    audits: tuple[int, int] = (1, 20),
) -> Programme:
    """Branch b in group b % G: level = group mean + N(0, branch_sd); each branch visited
    in a random run of waves (some only in the good late ones); score = level + wave effect
    + N(0, noise_sd)."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(audits[0], audits[1] + 1, branches)
    group = np.arange(branches) % len(group_means)
    level = np.asarray(group_means)[group] + rng.normal(0, branch_sd, branches)
    branch = np.repeat(np.arange(branches), sizes)
    effects = WAVE_MEANS - WAVE_MEANS.mean() if waves else np.zeros(len(WAVE_MEANS))
    first = rng.integers(0, len(WAVE_MEANS), branches)
    span = np.minimum(rng.integers(1, len(WAVE_MEANS) + 1, branches), len(WAVE_MEANS) - first)
    wave = first[branch] + rng.integers(0, 1 << 30, len(branch)) % span[branch]
    scores = level[branch] + effects[wave] + rng.normal(0, noise_sd, len(branch))
    codes = np.array([f"S{b:03d}" for b in range(branches)])
    totals = period_totals(branch, wave, scores, codes, group)
    # Effects are measured against the audit-weighted average wave.
    truth = level + float(np.mean(effects[wave]))
    return Programme(totals, dict(zip(codes.tolist(), truth.tolist(), strict=True)))


def period_totals(
    branch: np.ndarray, wave: np.ndarray, scores: np.ndarray, codes: np.ndarray, group: np.ndarray
) -> pd.DataFrame:
    """Per branch x wave totals, added up with numpy (what :func:`total_branch_periods`
    gives, checked in test_league_model.py, at a fraction of the time)."""
    _, first, index = np.unique(
        branch * len(WAVE_MEANS) + wave, return_index=True, return_inverse=True
    )
    count = np.bincount(index)
    b = branch[first]
    return pd.DataFrame(
        {
            "branch_code": codes[b],
            "branch_name": codes[b],
            "region": np.array([f"R{g}" for g in range(group.max() + 1)])[group[b]],
            "country": "ES",
            "period": np.array([f"W{w + 1}" for w in range(len(WAVE_MEANS))])[wave[first]],
            "audits": count,
            "sum": np.bincount(index, weights=scores),
            "sum_sq": np.bincount(index, weights=scores**2),
            "passed": np.bincount(index, weights=scores >= 75).astype(int),
            "judged": count,
            "critical_failures": 0,
        }
    )


def spearman(truth: list[float], estimate: list[float]) -> float:
    """Spearman's rho; 0 when the estimate puts every branch level (it orders nothing)."""
    if len(set(np.round(estimate, 9))) == 1:
        return 0.0
    return float(scipy_stats.spearmanr(truth, estimate).statistic)


def coverage(
    draws: range, grouping: compare.Grouping = "auto", **options: object
) -> tuple[float, int]:
    covered = total = 0
    for seed in draws:
        sim = programme(seed, **options)  # type: ignore[arg-type]
        table = compare.rank_branches(sim.totals, min_audits=1, grouping=grouping)
        for row in table.rows:
            assert row.shrunk_low is not None and row.shrunk_high is not None
            covered += row.shrunk_low <= sim.truth[row.branch_code] <= row.shrunk_high
            total += 1
    return covered / total, total


def test_the_estimates_interval_covers_the_true_level_about_ninety_percent_of_the_time() -> None:
    """60 branches, period effects, 1 to 20 audits: 90 % intervals cover 86-94 %."""
    rate, total = coverage(range(120))
    print(f"coverage of the estimate's 90 % interval: {rate:.3f} over {total} intervals")
    assert 0.86 <= rate <= 0.94


def test_coverage_holds_with_few_branches_and_group_levels() -> None:
    """12 branches in three regions whose levels differ (the issue's 92.6 to 96.8 spread,
    moved down 15 points so that unclipped scores stay on the scale)."""
    rate, total = coverage(
        range(250),
        "region",
        branches=12,
        group_means=(77.6, 79.7, 81.8),
        branch_sd=2.0,
        noise_sd=5.0,
    )
    print(f"coverage, 12 branches in 3 regions: {rate:.3f} over {total} intervals")
    assert 0.86 <= rate <= 0.94


def test_ranking_by_the_estimate_agrees_with_the_truth_better_than_by_the_raw_mean() -> None:
    raw_rho, shrunk_rho = [], []
    for seed in range(120):
        sim = programme(1000 + seed)
        table = compare.rank_branches(sim.totals, min_audits=1)
        true = [sim.truth[r.branch_code] for r in table.rows]
        raw_rho.append(spearman(true, [r.mean for r in table.rows]))
        shrunk_rho.append(spearman(true, [r.shrunk for r in table.rows]))
    raw, shrunk = np.array(raw_rho), np.array(shrunk_rho)
    print(f"Spearman with the truth: raw mean {raw.mean():.3f}, estimate {shrunk.mean():.3f}")
    assert shrunk.mean() > raw.mean() + 0.02
    wins = int(np.sum(shrunk > raw))
    assert scipy_stats.binomtest(wins, len(raw), 0.5, alternative="greater").pvalue < 1e-6


def test_removing_period_effects_is_what_makes_the_ranking_fair() -> None:
    """Branches visited only in the good late waves look better on the raw mean; the
    period-adjusted estimate is closer to the truth than the unadjusted one."""
    adjusted_error, unadjusted_error = [], []
    for seed in range(60):
        sim = programme(2000 + seed)
        for adjust, errors in ((True, adjusted_error), (False, unadjusted_error)):
            table = compare.rank_branches(sim.totals, min_audits=1, adjust_periods=adjust)
            errors.append(np.mean([(r.shrunk - sim.truth[r.branch_code]) ** 2 for r in table.rows]))
    print(
        f"RMSE of the estimate: with period effects {np.sqrt(np.mean(adjusted_error)):.2f}, "
        f"without {np.sqrt(np.mean(unadjusted_error)):.2f}"
    )
    assert np.mean(adjusted_error) < 0.8 * np.mean(unadjusted_error)


def test_group_targets_reduce_the_error_when_groups_differ() -> None:
    regional, pooled, chosen = [], [], 0
    for seed in range(60):
        sim = programme(
            3000 + seed, branches=40, group_means=(72.0, 76.0, 80.0, 84.0), branch_sd=2.0
        )
        for grouping, errors in (("region", regional), ("chain", pooled)):
            table = compare.rank_branches(sim.totals, min_audits=1, grouping=grouping)
            errors.append(np.mean([(r.shrunk - sim.truth[r.branch_code]) ** 2 for r in table.rows]))
        auto = compare.rank_branches(sim.totals, min_audits=1)
        chosen += auto.grouping == "region"
    print(
        f"RMSE: region targets {np.sqrt(np.mean(regional)):.2f}, chain target "
        f"{np.sqrt(np.mean(pooled)):.2f}; auto chose regions in {chosen} of 60"
    )
    assert np.mean(regional) < 0.9 * np.mean(pooled)
    assert chosen >= 55


def test_with_no_difference_there_is_one_band_and_no_false_order() -> None:
    """Every branch has the same true level: most draws say so outright (one rank, one
    band); in the others no band boundary appears in more than a few draws."""
    stated = split = 0
    draws = 150
    for seed in range(draws):
        sim = programme(4000 + seed, branches=30, branch_sd=0.0)
        table = compare.rank_branches(sim.totals, min_audits=1)
        bands = {r.tie_band for r in table.rows}
        if table.state == "no_difference":
            stated += 1
            assert bands == {1} and {r.rank for r in table.rows} == {1}
            assert table.notices[0].code == "no_detectable_difference"
            keys = [(-r.mean, -r.audits) for r in table.rows]
            assert keys == sorted(keys)
        split += len(bands) > 1
    print(f"no difference: stated in {stated} of {draws} draws; bands split in {split}")
    assert stated >= draws * 0.4
    assert split <= draws * 0.10


def test_a_ceiling_is_noticed() -> None:
    """33 of 34 locations average 100.0 on a target-based checklist (the issue's case)."""
    rng = np.random.default_rng(5)
    rows = []
    for b in range(34):
        for _ in range(int(rng.integers(3, 8))):
            score = 100.0 if b < 33 else float(rng.uniform(80, 100))
            rows.append((f"L{b:02d}", score))
    frame = pd.DataFrame(rows, columns=["branch_code", "overall"]).assign(
        branch_name="x", region="R", country="ES", passed=True, critical_failure=False
    )
    table = compare.rank_branches(
        compare.total_branch_periods(frame, pd.Series("2026Q1", index=frame.index))
    )
    (ceiling,) = [n for n in table.notices if n.code == "ceiling"]
    assert ceiling.message.startswith("33 of 34 ranked branches average the top of the scale")
    assert "cannot tell them apart" in ceiling.message
