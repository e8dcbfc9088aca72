"""Consistency net of period effects (#17): per section and item the branch + period fit
from per branch x period cells, the one-way figures beside, the index both ways, and the
notices that say when the noise rests on few degrees of freedom."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from audit_app.domain import compare
from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.periods import fit_periods, fit_periods_by_group


def rows_of(data: dict[tuple[str, str], list[float]], section: str = "front") -> pd.DataFrame:
    """Per audit x section rows from {(branch, wave): scores}."""
    return pd.DataFrame(
        [
            {
                "branch_code": branch,
                "checklist_id": "c",
                "section_id": section,
                "wave": wave,
                "score": score,
            }
            for (branch, wave), scores in data.items()
            for score in scores
        ]
    )


def cells_of(rows: pd.DataFrame, by_period: bool = True) -> pd.DataFrame:
    return compare.summarise_cells(rows, "section_id", period="wave" if by_period else None)


def one(rows: pd.DataFrame, by_period: bool = True) -> compare.StandardConsistency:
    (standard,) = compare.section_consistency(cells_of(rows, by_period), {"c": 75})
    return standard


# A wave that scored 10 points more for everyone, and branches of one true level: B was
# only visited in the good wave, D only in the bad one.
WAVE_ONLY = {
    ("A", "W1"): [70.0, 70.0],
    ("A", "W2"): [80.0],
    ("B", "W2"): [80.0, 80.0],
    ("C", "W1"): [70.0],
    ("C", "W2"): [80.0],
    ("D", "W1"): [70.0],
}


def test_a_good_wave_is_not_taken_for_differences_between_branches() -> None:
    standard = one(rows_of(WAVE_ONLY))
    means = np.array([220 / 3, 80.0, 75.0, 70.0])
    n = np.array([3, 2, 2, 1])
    raw_within = (200 / 3 + 0 + 50 + 0) / (8 - 4)
    raw_between = np.var(means, ddof=1) - raw_within * np.mean(1 / n)
    assert standard == compare.StandardConsistency(
        checklist_id="c",
        level="section",
        standard="front",
        branches=4,
        audits=8,
        mean=pytest.approx(600 / 8),  # type: ignore[arg-type]
        branch_sd=pytest.approx(np.std(means, ddof=1)),  # type: ignore[arg-type]
        between_sd=0.0,
        icc=0.0,
        meeting_share=50.0,
        raw_between_sd=pytest.approx(math.sqrt(raw_between)),  # type: ignore[arg-type]
        raw_icc=pytest.approx(raw_between / (raw_between + raw_within)),  # type: ignore[arg-type]
        df_within=8 - 4 - 1,
        within_sd=0.0,
        periods=2,
        repeat_branches=3,
    )


def test_without_periods_the_figures_are_todays_one_way_figures() -> None:
    rows = rows_of(WAVE_ONLY)
    plain = one(rows, by_period=False)
    single_wave = one(rows.assign(wave="all"))
    assert plain == single_wave
    assert plain.between_sd == plain.raw_between_sd and plain.icc == plain.raw_icc
    assert plain.df_within == 8 - 4 and plain.periods == 1
    raw = one(rows)
    assert (plain.between_sd, plain.icc) == (raw.raw_between_sd, raw.raw_icc)


def random_rows(seed: int, branches: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[tuple[str, str], list[float]] = {}
    for b in range(branches):
        level = rng.normal(75, 5)
        waves = rng.choice(4, size=int(rng.integers(1, 4)), replace=False)
        for w in waves:
            data[(f"B{b:02d}", f"W{w}")] = list(
                level + 3 * w + rng.normal(0, 6, int(rng.integers(1, 4)))
            )
    return rows_of(data)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_noise_and_its_df_are_those_of_the_branch_plus_period_least_squares_fit(
    seed: int,
) -> None:
    """Against a dense least-squares fit on the audits: residual variance, its degrees of
    freedom, and the expected noise in the spread of the adjusted branch means."""
    rows = random_rows(seed)
    standard = one(rows)
    branches = sorted(rows["branch_code"].unique())
    waves = sorted(rows["wave"].unique())
    x = np.column_stack(
        [(rows["branch_code"] == b).to_numpy(float) for b in branches]
        + [(rows["wave"] == w).to_numpy(float) for w in waves[1:]]
    )
    y = rows["score"].to_numpy()
    beta, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    df = len(y) - rank
    within = float(np.sum((y - x @ beta) ** 2) / df)
    assert standard.df_within == df
    assert standard.within_sd == pytest.approx(math.sqrt(within))
    # The adjusted means are the fitted branch levels (up to one shift for all).
    fit = fit_periods_by_group(cells_of(rows), ["checklist_id", "standard"])
    adjusted = fit.branches["adjusted_mean"].to_numpy()
    levels = beta[: len(branches)]
    assert adjusted - levels == pytest.approx(np.full(len(branches), (adjusted - levels)[0]))
    # The noise in var(adjusted means) is the levels' covariance, centred, over B - 1.
    cov = np.linalg.inv(x.T @ x)[: len(branches), : len(branches)]
    expected = (np.trace(cov) - cov.sum() / len(branches)) / (len(branches) - 1)
    (group,) = fit.groups.itertuples()
    n = fit.branches["n"].to_numpy()
    assert np.mean(1 / n) + group.effect_noise == pytest.approx(expected)
    between = max(np.var(adjusted, ddof=1) - within * expected, 0.0)
    assert standard.between_sd == pytest.approx(math.sqrt(between))


def test_the_grouped_fit_gives_fit_periods_figures_for_every_group() -> None:
    frames = []
    for k, seed in enumerate((4, 5, 6)):
        rows = random_rows(seed).assign(section_id=f"s{k}")
        if k == 2:
            rows = rows.assign(wave="W0")  # one period: nothing to adjust
        frames.append(rows)
    cells = compare.summarise_cells(pd.concat(frames), "section_id", period="wave")
    grouped = fit_periods_by_group(cells, ["checklist_id", "standard"])
    assert list(grouped.groups["standard"]) == ["s0", "s1", "s2"]
    for group in grouped.groups.itertuples():
        mine = cells[cells["standard"] == group.standard]
        single = fit_periods(mine)
        assert (group.within, group.df_within, group.estimable) == (
            pytest.approx(single.within),
            single.df_within,
            single.estimable,
        )
        branches = grouped.branches[grouped.branches["standard"] == group.standard]
        assert tuple(branches["branch_code"]) == single.branches
        assert branches["adjusted_mean"].to_numpy() == pytest.approx(single.adjusted_means)
        assert branches["raw_mean"].to_numpy() == pytest.approx(single.raw_means)
    assert grouped.groups["estimable"].tolist()[2] == 0


def test_cells_split_by_period_add_up_to_the_plain_cells() -> None:
    rows = random_rows(7)
    split = cells_of(rows)
    assert list(split.columns) == compare.CELL_COLUMNS_WITH_PERIOD
    summed = split.groupby(["branch_code", "checklist_id", "standard"], as_index=False)[
        ["n", "sum", "sum_sq"]
    ].sum()
    pd.testing.assert_frame_equal(summed[compare.CELL_COLUMNS], cells_of(rows, False))


def test_item_consistency_reads_cells_split_by_period() -> None:
    rows = pd.DataFrame(
        {
            "branch_code": ["A1", "A1", "B1", "B1", "C1", "C1"],
            "checklist_id": "c",
            "item_id": "greet",
            "wave": ["W1", "W2", "W1", "W2", "W1", "W2"],
            "score": [1.0, 1.0, 0.0, 1.0, 0.0, 1.0],
        }
    )
    cells = compare.scale_cells(compare.summarise_cells(rows, "item_id", period="wave"), 100)
    (item,) = compare.item_consistency(cells)
    # Everyone scored in W2, two of three missed in W1: all of it is the wave's effect.
    assert item.between_sd == 0.0 and item.raw_between_sd is not None
    assert item.meeting_share == pytest.approx(100 / 3) and item.mean == pytest.approx(400 / 6)
    assert (item.df_within, item.periods, item.level) == (6 - 3 - 1, 2, "item")


# ---------------------------------------------------------------------------
# The index and its notices
# ---------------------------------------------------------------------------


def test_the_index_net_of_period_effects_and_the_raw_one_beside_it() -> None:
    rows = pd.concat(
        [
            rows_of(WAVE_ONLY, "front"),
            rows_of({key: [v - 20 for v in values] for key, values in WAVE_ONLY.items()}, "back"),
        ]
    )
    standards = compare.section_consistency(cells_of(rows), {"c": 75})
    index = compare.summarise_consistency(standards)
    raw = compare.raw_consistency_index(standards)
    assert raw is not None and raw < 100.0
    assert index == compare.ConsistencyIndex(
        adjusted=100.0,
        raw=raw,
        df_within=3,
        repeat_branches=3,
        notices=(
            Notice(
                "few_noise_degrees",
                "The visit-to-visit noise rests on few degrees of freedom (3; 3 branches "
                "with two or more audits; t = 2.4 for a 90 % interval instead of 1.6): the "
                "consistency index and the spreads between branches are rough figures.",
            ),
            Notice(
                "period_effects",
                "Consistency is measured net of period effects (2 periods): index 100.0; "
                f"{raw:.1f} if the movement between periods were counted as visit noise and "
                "branch differences.",
                "info",
            ),
        ),
    )


def test_noise_resting_on_one_stores_two_visits_is_said_with_its_t() -> None:
    """The issue's one-wave selection: one store visited twice, the rest once."""
    rows = rows_of(
        {("A", "W1"): [90.0, 84.0], ("B", "W1"): [95.0], ("C", "W1"): [80.0], ("D", "W1"): [99.0]}
    )
    index = compare.summarise_consistency(compare.section_consistency(cells_of(rows), {"c": 75}))
    assert index.adjusted is not None and (index.df_within, index.repeat_branches) == (1, 1)
    assert index.notices == (
        Notice(
            "few_noise_degrees",
            "The visit-to-visit noise rests on few degrees of freedom (1; 1 branch with two "
            "or more audits; t = 6.3 for a 90 % interval instead of 1.6): the consistency "
            "index and the spreads between branches are rough figures.",
        ),
    )


def test_enough_degrees_of_freedom_and_one_period_need_no_notice() -> None:
    rows = rows_of({(f"B{b}", "W1"): [70.0 + b, 75.0 + b, 72.0 + b] for b in range(12)})
    index = compare.summarise_consistency(compare.section_consistency(cells_of(rows), {"c": 75}))
    assert index.df_within == 24 and index.notices == ()
    assert index.adjusted == index.raw


def test_no_branch_with_two_audits_gives_no_index_and_says_why() -> None:
    rows = rows_of({(f"B{b}", "W1"): [70.0 + b] for b in range(5)})
    index = compare.summarise_consistency(compare.section_consistency(cells_of(rows), {"c": 75}))
    assert (index.adjusted, index.raw) == (None, None)
    assert [n.code for n in index.notices] == ["no_replicates"]


def test_one_branch_cannot_be_judged_and_says_why() -> None:
    rows = rows_of({("A", "W1"): [70.0, 80.0], ("A", "W2"): [75.0]})
    index = compare.summarise_consistency(compare.section_consistency(cells_of(rows), {"c": 75}))
    assert index.adjusted is None
    assert [n.code for n in index.notices] == ["single_branch"]


def test_the_raw_index_weights_sections_by_their_scored_audits_too() -> None:
    def standard(
        name: str, audits: int, adjusted: float, raw: float | None
    ) -> compare.StandardConsistency:
        return compare.StandardConsistency(
            "c", "section", name, 3, audits, 80.0, 5.0, adjusted, 0.2, 50.0, raw
        )

    standards = (
        standard("a", 30, 4.0, 5.0),
        standard("b", 10, 8.0, 6.0),
        standard("c", 5, 1.0, None),
    )
    assert compare.consistency_index(standards) == pytest.approx(100 - (30 * 4 + 10 * 8 + 5) / 45)
    assert compare.raw_consistency_index(standards) == pytest.approx(100 - (30 * 5 + 10 * 6) / 40)


def test_a_missing_period_label_counts_as_a_period_of_its_own() -> None:
    rows = rows_of(WAVE_ONLY)
    labelled = compare.summarise_cells(rows, "section_id", period="wave")
    missing = labelled.assign(period=labelled["period"].where(labelled["period"] != "W2", None))
    (with_none,) = compare.section_consistency(missing, {"c": 75})
    assert with_none == one(rows)


def test_noise_seen_in_two_stores_only_is_said_even_with_enough_df() -> None:
    data = {("A", "W1"): [70.0 + k % 5 for k in range(12)]}
    data[("B", "W1")] = [80.0 + k % 3 for k in range(12)]
    data.update({(f"C{b}", "W1"): [75.0 + b] for b in range(6)})
    index = compare.summarise_consistency(
        compare.section_consistency(cells_of(rows_of(data)), {"c": 75})
    )
    assert (index.df_within, index.repeat_branches) == (22, 2)
    assert [n.code for n in index.notices] == ["few_noise_degrees"]
    assert "(22; 2 branches with two or more audits; t = 1.7" in index.notices[0].message


def test_the_index_per_period_from_cells_equals_the_one_from_rows() -> None:
    rng = np.random.default_rng(11)
    rows = pd.DataFrame(
        {
            "audit_id": np.repeat(np.arange(60), 2),
            "branch_code": np.repeat([f"B{k % 12}" for k in range(60)], 2),
            "checklist_id": "c",
            "section_id": np.tile(["front", "back"], 60),
            "visited_at": np.repeat(
                pd.to_datetime("2026-01-15") + pd.to_timedelta(np.arange(60) * 3, "D"), 2
            ),
            "score": rng.normal(75, 8, 120) + np.repeat(np.arange(60) // 20 * 4.0, 2),
        }
    )
    from_rows = compare.consistency_index_by_period(rows, "month")
    labelled = rows.assign(period=compare.period_labels(rows["visited_at"], "month"))
    cells = compare.summarise_cells(labelled, "section_id", period="period")
    from_cells = compare.consistency_index_by_period_cells(cells)
    pd.testing.assert_frame_equal(from_rows, from_cells, check_dtype=False)
    assert from_rows["consistency_index"].notna().all() and len(from_rows) == 7
