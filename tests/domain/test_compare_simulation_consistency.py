"""Simulations with known truth for the period-adjusted model of #17: branch effects per
section, period effects rising like the mystery-shop waves (76.7 -> 85.7), 1 to 20 audits
per branch, planted auditor leniencies, true changes between periods."""

from __future__ import annotations

import numpy as np
import pandas as pd

from audit_app.domain import compare

WAVES = np.array([76.7, 78.5, 80.3, 82.1, 83.9, 85.7])
"""Mean score per wave: every branch scores ~9 points more in the last wave than the first."""
SECTION_SD = np.array([2.0, 4.0, 6.0, 3.0])
"""True spread (SD, points) of the branches' levels per section."""


def waves_and_sections(seed: int, branches: int = 300, noise: float = 8.0) -> pd.DataFrame:
    """Per audit x section rows. Each branch is audited 1 to 20 times; most branches in one
    wave only (a rolling programme: some only in good waves), 30 % in two neighbouring waves
    (which connect the waves). Score = 80 + wave effect + branch effect of the section +
    noise; every audit scores every section, so each section weighs the same."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 21, branches)
    first = rng.integers(0, len(WAVES) - 1, branches)
    spans_two = rng.random(branches) < 0.3
    branch = np.repeat(np.arange(branches), sizes)
    wave = first[branch] + ((rng.random(len(branch)) < 0.5) & spans_two[branch])
    level = rng.normal(0, 1, (branches, len(SECTION_SD))) * SECTION_SD
    sections = len(SECTION_SD)
    b, s, w = (
        np.repeat(branch, sections),
        np.tile(np.arange(sections), len(branch)),
        np.repeat(wave, sections),
    )
    score = 80 + WAVES[w] - WAVES.mean() + level[b, s] + rng.normal(0, noise, len(b))
    codes = np.array([f"B{k:03d}" for k in range(branches)], dtype=object)
    return pd.DataFrame(
        {
            "branch_code": codes[b],
            "checklist_id": "c",
            "section_id": np.array([f"s{k}" for k in range(sections)], dtype=object)[s],
            "score": score,
            "wave": np.array([f"W{k}" for k in range(len(WAVES))], dtype=object)[w],
        }
    )


def test_the_period_adjusted_consistency_index_is_within_one_point_of_the_truth() -> None:
    truth = 100 - SECTION_SD.mean()
    adjusted, raw = [], []
    for seed in range(30):
        rows = waves_and_sections(seed)
        cells = compare.summarise_cells(rows, "section_id", period="wave")
        index = compare.summarise_consistency(compare.section_consistency(cells, {"c": 75}))
        assert index.adjusted is not None and index.raw is not None
        adjusted.append(index.adjusted - truth)
        raw.append(index.raw - truth)
    adjusted_error, raw_error = np.array(adjusted), np.array(raw)
    print(
        f"consistency index minus the truth ({truth:.1f}) over 30 draws: period-adjusted "
        f"mean {adjusted_error.mean():+.2f}, worst {np.abs(adjusted_error).max():.2f}; raw "
        f"mean {raw_error.mean():+.2f}, worst {np.abs(raw_error).max():.2f}"
    )
    assert np.abs(adjusted_error).max() < 1.0
    assert abs(adjusted_error.mean()) < 0.2
    # The raw index takes the waves for differences between branches: visibly too low.
    assert raw_error.mean() < -0.6
    assert np.mean(raw_error < adjusted_error) > 0.9


def test_without_period_effects_both_indices_agree_with_the_truth() -> None:
    """The adjustment costs nothing when the waves did not move: no false correction."""
    truth = 100 - SECTION_SD.mean()
    errors = []
    for seed in range(10):
        rows = waves_and_sections(100 + seed)
        flat = rows.assign(score=rows["score"] - rows["wave"].map(wave_effects()))
        cells = compare.summarise_cells(flat, "section_id", period="wave")
        index = compare.summarise_consistency(compare.section_consistency(cells, {"c": 75}))
        assert index.adjusted is not None and index.raw is not None
        errors.append((index.adjusted - truth, index.raw - truth))
    spread = np.array(errors)
    assert np.abs(spread).max() < 1.0
    assert abs(spread[:, 0].mean() - spread[:, 1].mean()) < 0.2


def wave_effects() -> dict[str, float]:
    return {f"W{k}": float(v) for k, v in enumerate(WAVES - WAVES.mean())}


# ---------------------------------------------------------------------------
# Auditor leniencies
# ---------------------------------------------------------------------------

LENIENCY = {"P1": -6.0, "P2": -2.0, "P3": 0.0, "P4": 1.0, "P5": 3.0, "P6": 4.0}
LATE_ONLY = {"P5", "P6"}
"""The two lenient auditors only worked in the last two (good) waves."""
PERIOD_EFFECT = np.array([-4.5, -1.5, 1.5, 4.5])


def auditor_world(seed: int) -> pd.DataFrame:
    """40 branches x 12 audits over 4 waves; every auditor but P5 and P6 in every wave."""
    rng = np.random.default_rng(seed)
    branches, per_branch = 40, 12
    branch = np.repeat(np.arange(branches), per_branch)
    wave = rng.integers(0, len(PERIOD_EFFECT), len(branch))
    names = np.array(list(LENIENCY))
    early = np.array([n not in LATE_ONLY for n in names])
    auditor = np.where(
        wave >= 2,
        names[rng.integers(0, len(names), len(branch))],
        names[early][rng.integers(0, int(early.sum()), len(branch))],
    )
    leniency = np.array([LENIENCY[a] for a in auditor])
    truth = rng.normal(75, 6, branches)
    score = truth[branch] + PERIOD_EFFECT[wave] + leniency + rng.normal(0, 8, len(branch))
    return pd.DataFrame(
        {
            "branch_code": np.array([f"B{b}" for b in range(branches)])[branch],
            "auditor": auditor,
            "checklist_id": "c",
            "overall": score,
            "wave": np.array([f"W{w}" for w in range(len(PERIOD_EFFECT))])[wave],
        }
    )


def test_planted_leniencies_are_recovered_within_their_intervals_net_of_good_waves() -> None:
    covered = total = late_covered = late_total = naive_late_covered = 0
    for seed in range(120):
        audits = auditor_world(seed)
        effects = compare.estimate_auditor_effects(audits, audits["wave"])
        naive = {r.auditor: r for r in compare.estimate_auditor_effects(audits).rows}
        # A leniency is measured against the audit-weighted average auditor.
        planted = audits["auditor"].map(LENIENCY)
        truth = {name: value - planted.mean() for name, value in LENIENCY.items()}
        for row in effects.rows:
            assert row.low is not None and row.high is not None
            hit = row.low <= truth[row.auditor] <= row.high
            covered += hit
            total += 1
            if row.auditor in LATE_ONLY:
                late_covered += hit
                late_total += 1
                other = naive[row.auditor]
                assert other.low is not None and other.high is not None
                naive_late_covered += other.low <= truth[row.auditor] <= other.high
    coverage, late, naive_late = (
        covered / total,
        late_covered / late_total,
        naive_late_covered / late_total,
    )
    print(
        f"auditor intervals with period effects cover the planted leniency {coverage:.3f} "
        f"(auditors only in good waves: {late:.3f}; {naive_late:.3f} without period effects)"
    )
    assert 0.85 <= coverage <= 0.95
    assert 0.82 <= late <= 0.97
    assert naive_late < 0.6


# ---------------------------------------------------------------------------
# Change between periods
# ---------------------------------------------------------------------------


def two_periods(seed: int, branches: int = 200) -> tuple[pd.DataFrame, dict[str, float]]:
    """1 to 10 audits per branch in each of two quarters; true change per branch ~ N(-1, 4)."""
    rng = np.random.default_rng(seed)
    level = rng.normal(80, 6, branches)
    change = rng.normal(-1, 4, branches)
    first, second = rng.integers(1, 11, branches), rng.integers(1, 11, branches)
    branch = np.concatenate(
        [np.repeat(np.arange(branches), first), np.repeat(np.arange(branches), second)]
    )
    later = np.concatenate([np.zeros(first.sum(), bool), np.ones(second.sum(), bool)])
    score = level[branch] + later * change[branch] + rng.normal(0, 8, len(branch))
    codes = np.array([f"B{b:03d}" for b in range(branches)], dtype=object)
    audits = pd.DataFrame(
        {
            "branch_code": codes[branch],
            "overall": score,
            "quarter": np.where(later, "2026Q2", "2026Q1"),
        }
    )
    return audits, dict(zip(codes.tolist(), change.tolist(), strict=True))


def test_change_intervals_cover_the_true_change_about_ninety_percent_of_the_time() -> None:
    covered = total = 0
    for seed in range(40):
        audits, truth = two_periods(seed)
        changes = compare.branch_changes(audits, audits["quarter"])
        assert (changes.earlier, changes.later) == ("2026Q1", "2026Q2")
        for row in changes.rows:
            assert row.low is not None and row.high is not None
            covered += row.low <= truth[row.branch_code] <= row.high
            total += 1
    coverage = covered / total
    print(f"change intervals cover the true change {coverage:.3f} over {total} branches")
    assert 0.88 <= coverage <= 0.92
