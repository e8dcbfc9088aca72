"""Comparing locations: hand-checked small examples of every statistic (degenerate cases
included) and simulations where the truth is known."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from audit_app.checklists import Catalogue
from audit_app.domain import compare
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist, ChoiceItem, NumberItem, PercentageItem, ScaleItem
from audit_app.domain.scoring import display, score_audit

GRADES = Checklist.model_validate(
    {
        "id": "g",
        "version": 1,
        "title": {"en": "g"},
        "languages": ["en"],
        "sections": [
            {
                "id": "s",
                "title": {"en": "s"},
                "items": [{"id": "i", "type": "yes_no", "text": {"en": "i"}}],
            }
        ],
    }
).grade_for


def audits_of(scores: dict[str, list[float]], **columns: object) -> pd.DataFrame:
    """One audit row per score, branch by branch (region = first letter of the code)."""
    rows = []
    for code, values in scores.items():
        for k, value in enumerate(values):
            rows.append(
                {
                    "audit_id": len(rows) + 1,
                    "branch_code": code,
                    "branch_name": f"Branch {code}",
                    "region": code[0],
                    "country": "ES",
                    "checklist_id": "c",
                    "checklist_version": 1,
                    "auditor": "A",
                    "visited_at": datetime(2026, 1 + k % 12, 1),
                    "overall": value,
                    "passed": display(value) >= 75 if value == value else None,
                    "critical_failure": False,
                }
            )
    frame = pd.DataFrame(rows)
    for name, value in columns.items():
        frame[name] = value
    return frame


def table_of(scores: dict[str, list[float]], **options: object) -> compare.LeagueTable:
    return compare.rank_branches(compare.total_branches(audits_of(scores)), **options)  # type: ignore[arg-type]


def by_code(table: compare.LeagueTable) -> dict[str, compare.BranchStanding]:
    return {row.branch_code: row for row in table.rows}


# ---------------------------------------------------------------------------
# Variance components
# ---------------------------------------------------------------------------

THREE = {"A1": [70.0, 80.0], "B1": [90.0, 100.0], "C1": [60.0, 70.0]}


def test_variance_components_by_hand() -> None:
    """means 75, 95, 65; within SS 50 + 50 + 50 over 6 - 3 df = 50; variance of the means
    233.33; between = 233.33 - 50 x mean(1/2) = 208.33; ICC = 208.33 / 258.33."""
    n = np.array([2, 2, 2])
    sums = np.array([150.0, 190.0, 130.0])
    sum_sq = np.array([70**2 + 80**2, 90**2 + 100**2, 60**2 + 70**2], dtype=float)
    components = compare.estimate_components(n, sums, sum_sq)
    assert components.within == pytest.approx(50.0)
    assert components.between == pytest.approx(233.3333333 - 25.0)
    assert components.icc == pytest.approx(208.3333333 / 258.3333333)
    # With equal audits per branch it is the classical ICC(1) = (MSB - MSW) / (MSB + (k-1) MSW).
    msb, msw, k = 2 * 233.3333333, 50.0, 2
    assert components.icc == pytest.approx((msb - msw) / (msb + (k - 1) * msw))


def test_t_quantile_matches_scipy_on_both_sides_of_the_switch() -> None:
    from scipy.special import stdtrit

    for df in (1, 3, 30, 99, 100, 228, 1590, 35_000):
        assert compare.t_quantile(df) == pytest.approx(float(stdtrit(df, 0.95)), abs=1e-9)


def test_shown_rounding_matches_display() -> None:
    values = np.concatenate(
        [np.arange(0, 100_001) / 1000, np.random.default_rng(3).uniform(0, 100, 10_000)]
    )
    assert compare._shown(pd.Series(values)).tolist() == [display(float(v)) for v in values]


# ---------------------------------------------------------------------------
# League table
# ---------------------------------------------------------------------------


def test_league_table_by_hand() -> None:
    """The mean's interval: t(0.95, 3 df) = 2.353; half width 2.353 x sqrt(50 / 2). The
    estimate (posterior mean, checked against brute force in test_league_model.py) lies
    between the mean and the chain level (75 + 95 + 65) / 3."""
    table = table_of(THREE, min_audits=2, grade_of=GRADES)
    rows = by_code(table)
    half = 2.353363435 * math.sqrt(50 / 2)
    chain = (75 + 95 + 65) / 3
    assert rows["A1"].low == pytest.approx(75 - half) and rows["A1"].high == pytest.approx(
        75 + half
    )
    assert rows["B1"].high == 100.0  # clipped to the scale
    assert table.chain_mean == pytest.approx(chain)
    for code, mean in (("A1", 75.0), ("B1", 95.0), ("C1", 65.0)):
        assert min(mean, chain) < rows[code].shrunk < max(mean, chain)
    assert [r.branch_code for r in table.rows] == ["B1", "A1", "C1"]
    assert [r.rank for r in table.rows] == [1, 2, 3]
    # Issue #17: bands come from the probability that the branch above is truly better
    # (>= 0.90 starts a band), no longer from overlapping the band leader's raw interval
    # (which gave 1, 1, 2): B1 is clearly above A1; A1 and C1 cannot be told apart.
    assert [r.tie_band for r in table.rows] == [1, 2, 2]
    assert [r.grade for r in table.rows] == ["Excellent", "Good", "Fair"]
    assert rows["A1"].pass_rate == 50.0 and rows["C1"].pass_rate == 0.0
    assert "t = 2.353" in table.method and "3 degrees of freedom" in table.method


def test_a_branch_with_fewer_audits_than_the_minimum_is_listed_but_not_ranked() -> None:
    table = table_of({**THREE, "D1": [99.0]}, min_audits=2)
    rows = by_code(table)
    assert rows["D1"].too_few_to_rank and rows["D1"].rank is None and rows["D1"].tie_band is None
    assert table.rows[-1].branch_code == "D1"
    # It still has an interval (from the pooled noise) and is pulled toward the chain.
    assert rows["D1"].low is not None and rows["D1"].shrunk < 99.0
    assert "fewer than 2 audits" in table.method


def test_one_branch_is_ranked_first_and_not_shrunk() -> None:
    table = table_of({"A1": [70.0, 80.0, 90.0]})
    (row,) = table.rows
    assert (row.rank, row.tie_band, row.shrunk, row.mean) == (1, 1, 80.0, 80.0)
    assert table.components.between is None
    assert "single branch" in table.method


def test_one_audit_per_branch_gives_no_intervals_and_ranks_by_the_raw_mean() -> None:
    table = table_of({"A1": [70.0], "B1": [90.0], "C1": [80.0]}, min_audits=1)
    assert [r.branch_code for r in table.rows] == ["B1", "C1", "A1"]
    assert all(r.low is None and r.high is None and r.tie_band is None for r in table.rows)
    assert [r.shrunk for r in table.rows] == [90.0, 80.0, 70.0]
    assert "cannot be estimated" in table.method


def test_all_scores_equal_puts_everyone_in_one_band_at_rank_one() -> None:
    table = table_of(
        {"A1": [80.0, 80.0], "B1": [80.0, 80.0, 80.0], "C1": [80.0, 80.0]}, min_audits=2
    )
    assert {r.rank for r in table.rows} == {1}
    assert {r.tie_band for r in table.rows} == {1}
    assert {(r.low, r.high) for r in table.rows} == {(80.0, 80.0)}
    assert all(r.shrunk == pytest.approx(80.0) for r in table.rows)
    assert table.state == "no_difference"
    assert table.components.icc == 0.0


def test_branches_that_differ_less_than_the_noise_share_rank_one() -> None:
    """Issue #17: the estimates are pulled most of the way to the chain level (no longer
    exactly onto it: the branch SD is integrated out, not set to 0), and the table says
    there is no detectable difference."""
    table = table_of({"A1": [60.0, 100.0], "B1": [100.0, 62.0], "C1": [79.0, 81.0]}, min_audits=2)
    assert table.components.raw_between is not None and table.components.raw_between < 0
    assert table.state == "no_difference"
    assert {r.rank for r in table.rows} == {1} and {r.tie_band for r in table.rows} == {1}
    assert table.chain_mean is not None
    for row in table.rows:
        assert abs(row.shrunk - table.chain_mean) < 0.5 * max(abs(row.mean - table.chain_mean), 1)
    assert "≤ 0" in table.method


def test_no_scored_audits_give_an_empty_table() -> None:
    table = table_of({"A1": [float("nan")]})
    assert table.rows == () and table.chain_mean is None


def test_totals_split_by_version_combine_to_the_branch_totals() -> None:
    audits = audits_of({"A1": [70.0, 80.0, 90.0], "B1": [60.0, 65.0]})
    audits["checklist_version"] = [1, 2, 2, 1, 1]
    split = pd.concat(
        compare.total_branches(part).assign(checklist_version=version)
        for version, part in audits.groupby("checklist_version")
    )
    combined = compare.combine_totals(split)
    pd.testing.assert_frame_equal(combined, compare.total_branches(audits), check_dtype=False)


def test_critical_failures_are_counted() -> None:
    audits = audits_of({"A1": [50.0, 90.0]}).assign(critical_failure=[True, False])
    (row,) = compare.rank_branches(compare.total_branches(audits)).rows
    assert row.critical_failures == 1


# ---------------------------------------------------------------------------
# Consistency
# ---------------------------------------------------------------------------


def section_rows() -> pd.DataFrame:
    """Two sections x three branches x two audits; section 'na' is all N/A."""
    data = {
        ("A1", "front"): [80.0, 70.0],
        ("B1", "front"): [74.9, 75.0],
        ("C1", "front"): [100.0, 100.0],
        ("A1", "back"): [50.0, 60.0],
        ("B1", "back"): [55.0, 55.0],
        ("C1", "back"): [52.0, 58.0],
    }
    rows = []
    audit = {"A1": 1, "B1": 3, "C1": 5}
    for (code, section), values in data.items():
        for k, value in enumerate(values):
            rows.append(
                {
                    "audit_id": audit[code] + k,
                    "branch_code": code,
                    "checklist_id": "c",
                    "section_id": section,
                    "score": value,
                    "visited_at": datetime(2026, 1 + k, 5),
                }
            )
    for audit_id, code in ((1, "A1"), (3, "B1"), (5, "C1")):
        rows.append(
            {
                "audit_id": audit_id,
                "branch_code": code,
                "checklist_id": "c",
                "section_id": "na",
                "score": float("nan"),
                "visited_at": datetime(2026, 1, 5),
            }
        )
    return pd.DataFrame(rows)


def test_section_consistency_by_hand() -> None:
    cells = compare.summarise_cells(section_rows(), "section_id")
    front, back = (
        next(s for s in compare.section_consistency(cells, {"c": 75}) if s.standard == name)
        for name in ("front", "back")
    )
    # front: branch means 75, 74.95, 100; within SS = 50 + 0.005 + 0 over 3 df.
    means = np.array([75.0, 74.95, 100.0])
    within = (50 + 0.005) / 3
    between = np.var(means, ddof=1) - within * 0.5
    assert front.branch_sd == pytest.approx(np.std(means, ddof=1))
    assert front.between_sd == pytest.approx(math.sqrt(between))
    assert front.icc == pytest.approx(between / (between + within))
    assert front.mean == pytest.approx(means.mean())
    # 74.95 shows as 75.0, which meets a pass mark of 75: all three branches meet it.
    assert front.meeting_share == 100.0
    assert back.meeting_share == 0.0 and back.branches == 3 and back.audits == 6


def test_a_section_all_na_is_left_out_and_the_rest_is_unaffected() -> None:
    rows = section_rows()
    cells = compare.summarise_cells(rows, "section_id")
    assert "na" not in set(cells["standard"])
    standards = compare.section_consistency(cells, {"c": 75})
    assert {s.standard for s in standards} == {"front", "back"}
    without = compare.section_consistency(
        compare.summarise_cells(rows[rows["section_id"] != "na"], "section_id"), {"c": 75}
    )
    assert standards == without
    heatmap = compare.section_heatmap(cells)
    assert set(heatmap["section_id"]) == {"front", "back"} and len(heatmap) == 6


def test_item_consistency_counts_a_branch_as_meeting_only_with_full_marks_every_time() -> None:
    rows = pd.DataFrame(
        {
            "branch_code": ["A1", "A1", "B1", "B1", "C1"],
            "checklist_id": "c",
            "item_id": "greet",
            "score": [1.0, 1.0, 1.0, 0.0, 1.0],
        }
    )
    (item,) = compare.item_consistency(
        compare.scale_cells(compare.summarise_cells(rows, "item_id"), 100)
    )
    assert item.meeting_share == pytest.approx(200 / 3)
    assert item.mean == pytest.approx(80.0)
    assert item.level == "item"


def test_consistency_of_all_equal_scores_is_perfect() -> None:
    rows = section_rows().dropna(subset=["score"]).assign(score=80.0)
    standards = compare.section_consistency(compare.summarise_cells(rows, "section_id"), {"c": 75})
    assert all(s.between_sd == 0.0 and s.icc == 0.0 and s.branch_sd == 0.0 for s in standards)
    assert compare.consistency_index(standards) == 100.0


def test_consistency_of_one_branch_cannot_be_judged() -> None:
    rows = section_rows()
    standards = compare.section_consistency(
        compare.summarise_cells(rows[rows["branch_code"] == "A1"], "section_id"), {"c": 75}
    )
    assert all(s.between_sd is None and s.icc is None and s.branch_sd is None for s in standards)
    assert compare.consistency_index(standards) is None
    assert compare.least_consistent(standards)[0].between_sd is None


def test_consistency_index_weights_sections_by_their_scored_audits() -> None:
    def standard(name: str, audits: int, spread: float | None) -> compare.StandardConsistency:
        return compare.StandardConsistency(
            "c", "section", name, 3, audits, 80.0, 5.0, spread, 0.2, 50.0
        )

    standards = (standard("a", 30, 4.0), standard("b", 10, 8.0), standard("c", 5, None))
    assert compare.consistency_index(standards) == pytest.approx(100 - (30 * 4 + 10 * 8) / 40)
    assert [s.standard for s in compare.least_consistent(standards)] == ["b", "a", "c"]
    assert [s.standard for s in compare.least_consistent(standards, 1)] == ["b"]


def test_consistency_index_by_month_uses_the_whole_selections_noise_net_of_months() -> None:
    """Changed for #17: the noise is the whole selection's net of month effects (it read
    the one-way noise, which counts a month that scored lower for everyone as visit noise)."""
    rows = section_rows()
    monthly = compare.consistency_index_by_period(rows, "month")
    assert list(monthly["period"]) == ["2026-01", "2026-02"]
    assert list(monthly["branches"]) == [3, 3] and list(monthly["audits"]) == [3, 3]

    def two_way_noise(changes: list[float]) -> float:
        """One audit per branch and month: residual SS = sum((d - mean d)^2) / 2 over
        6 audits - 3 branches - 1 month contrast = 2 df (d: Feb - Jan per branch)."""
        d = np.array(changes)
        return float(np.sum((d - d.mean()) ** 2) / 2 / 2)

    # January, section front: one audit per branch (80, 74.9, 100); noise from the whole set.
    within_front = two_way_noise([70 - 80, 75.0 - 74.9, 0.0])
    between_front = max(0.0, np.var([80.0, 74.9, 100.0], ddof=1) - within_front)
    within_back = two_way_noise([10.0, 0.0, 6.0])
    between_back = max(0.0, np.var([50.0, 55.0, 52.0], ddof=1) - within_back)
    expected = 100 - (math.sqrt(between_front) * 3 + math.sqrt(between_back) * 3) / 6
    assert monthly["consistency_index"].iloc[0] == pytest.approx(expected)
    quarterly = compare.consistency_index_by_period(rows, "quarter")
    assert list(quarterly["period"]) == ["2026Q1"]


# ---------------------------------------------------------------------------
# Heatmap, regions, trends
# ---------------------------------------------------------------------------


def test_heatmap_grid_has_branches_as_rows_and_sections_as_columns() -> None:
    grid = compare.heatmap_grid(
        compare.section_heatmap(compare.summarise_cells(section_rows(), "section_id"))
    )
    assert list(grid.index) == ["A1", "B1", "C1"]
    assert list(grid.columns) == ["c/back", "c/front"]
    assert grid.loc["A1", "c/front"] == 75.0


def test_region_roll_up_by_hand() -> None:
    table = table_of(
        {"A1": [70.0, 80.0], "A2": [90.0, 100.0], "A3": [99.0], "B1": [60.0, 70.0]}, min_audits=2
    )
    regions = {r.region: r for r in compare.roll_up_regions(table)}
    a = regions["A"]
    assert (a.branches, a.audits) == (3, 5)
    assert a.mean == pytest.approx((150 + 190 + 99) / 5)
    assert a.branch_sd == pytest.approx(np.std([75.0, 95.0, 99.0], ddof=1))
    # A3 has one audit: too few to rank, so not best even though its mean is highest.
    assert (a.best_branch, a.worst_branch) == ("A2", "A1")
    assert regions["B"].branch_sd is None and regions["B"].best_branch == "B1"
    assert [r.region for r in compare.roll_up_regions(table)] == ["A", "B"]


def test_trend_per_chain_by_hand() -> None:
    audits = audits_of({"A1": [70.0, 80.0], "B1": [74.0, 96.0]})
    audits["visited_at"] = [
        datetime(2026, 1, 3),
        datetime(2026, 2, 3),
        datetime(2026, 1, 9),
        datetime(2026, 2, 9),
    ]
    chain = compare.trend(audits, level="chain", period="month")
    assert list(chain["period"]) == ["2026-01", "2026-02"]
    assert list(chain["mean"]) == [72.0, 88.0]
    january_se = math.sqrt(np.var([70.0, 74.0], ddof=1) / 2)
    february_se = math.sqrt(np.var([80.0, 96.0], ddof=1) / 2)
    assert chain["se"].tolist() == pytest.approx([january_se, february_se])
    assert chain["change"].iloc[1] == 16.0
    change_se = math.sqrt(january_se**2 + february_se**2)
    assert chain["change_se"].iloc[1] == pytest.approx(change_se)
    assert bool(chain["exceeds_noise"].iloc[1]) is (1.6448536 * change_se < 16.0)
    assert pd.isna(chain["exceeds_noise"].iloc[0]) and pd.isna(chain["previous_period"].iloc[0])


def test_trend_per_branch_uses_the_pooled_noise() -> None:
    audits = audits_of({"A1": [70.0, 80.0], "B1": [74.0, 96.0]})
    audits["visited_at"] = [
        datetime(2026, 1, 3),
        datetime(2026, 4, 3),
        datetime(2026, 1, 9),
        datetime(2026, 5, 9),
    ]
    branch = compare.trend(audits, level="branch", period="quarter")
    within = (50 + 242) / 2
    assert branch["se"].tolist() == pytest.approx([math.sqrt(within)] * 4)
    b1 = branch[branch["key"] == "B1"]
    assert b1["previous_period"].iloc[1] == "2026Q1" and b1["change"].iloc[1] == 22.0
    assert not bool(b1["exceeds_noise"].iloc[1])  # 22 < 1.645 x sqrt(2 x 146)
    region = compare.trend(audits, level="region")
    assert set(region["key"]) == {"A", "B"}


# ---------------------------------------------------------------------------
# Auditor effects
# ---------------------------------------------------------------------------


def auditor_audits(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    frame = audits_of({})
    frame = pd.DataFrame(
        [
            {
                "audit_id": i,
                "branch_code": branch,
                "branch_name": branch,
                "region": "R",
                "country": "ES",
                "checklist_id": "c",
                "checklist_version": 1,
                "auditor": auditor,
                "visited_at": datetime(2026, 1, 1),
                "overall": score,
                "passed": True,
                "critical_failure": False,
            }
            for i, (branch, auditor, score) in enumerate(rows)
        ]
    )
    return frame


def test_auditor_effects_by_hand() -> None:
    """On both branches Q scores 9 points above P on average: leniency +4.5 and -4.5."""
    audits = auditor_audits(
        [
            ("X", "P", 80.0), ("X", "P", 82.0), ("X", "Q", 90.0), ("X", "Q", 88.0),
            ("Y", "P", 60.0), ("Y", "P", 62.0), ("Y", "Q", 70.0), ("Y", "Q", 72.0),
        ]
    )  # fmt: skip
    effects = compare.estimate_auditor_effects(audits)
    rows = {r.auditor: r for r in effects.rows}
    assert rows["Q"].leniency == pytest.approx(4.5) and rows["P"].leniency == pytest.approx(-4.5)
    # Residual SS: each cell's deviations after branch + auditor (interaction ±0.5) ...
    assert effects.df == 8 - 2 - 1
    assert rows["Q"].low is not None and rows["Q"].low > 0 and rows["Q"].flagged
    assert rows["P"].note == "stricter than the others"
    assert [r.auditor for r in effects.rows] == ["Q", "P"]


def test_an_auditor_who_only_visited_branches_nobody_else_visited_is_not_identified() -> None:
    audits = auditor_audits(
        [
            ("X", "P", 80.0), ("X", "Q", 90.0), ("X", "P", 81.0), ("X", "Q", 88.0),
            ("Z", "R", 99.0), ("Z", "R", 97.0),
        ]
    )  # fmt: skip
    rows = {r.auditor: r for r in compare.estimate_auditor_effects(audits).rows}
    assert not rows["R"].identified and rows["R"].leniency is None and not rows["R"].flagged
    assert "no other auditor" in rows["R"].note
    assert rows["P"].identified and rows["Q"].identified


def test_a_single_auditor_gives_no_effects_and_says_why() -> None:
    effects = compare.estimate_auditor_effects(auditor_audits([("X", "P", 80.0), ("Y", "P", 70.0)]))
    assert effects.rows[0].leniency is None
    assert "at least two auditors" in effects.method


def test_auditor_effects_with_no_residual_degrees_of_freedom_have_no_interval() -> None:
    effects = compare.estimate_auditor_effects(auditor_audits([("X", "P", 80.0), ("X", "Q", 90.0)]))
    rows = {r.auditor: r for r in effects.rows}
    assert rows["Q"].leniency == pytest.approx(5.0) and rows["Q"].low is None
    assert not rows["Q"].flagged


def test_checklists_enter_the_auditor_fit_as_their_own_effect() -> None:
    """Q did the hard checklist more often; once the checklist is in the model, Q and P are
    equally kind."""
    rows = []
    for branch in ("X", "Y", "Z"):
        rows += [
            (branch, "P", 80.0, "easy"),
            (branch, "Q", 80.0, "easy"),
            (branch, "Q", 60.0, "hard"),
        ]
        rows += [(branch, "P", 60.0, "hard"), (branch, "Q", 60.0, "hard")]
    audits = auditor_audits([(b, a, s) for b, a, s, _ in rows]).assign(
        checklist_id=[c for *_, c in rows]
    )
    effects = {r.auditor: r for r in compare.estimate_auditor_effects(audits).rows}
    assert effects["Q"].leniency == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------------------
# Across checklist versions
# ---------------------------------------------------------------------------


def two_versions(catalogue: Catalogue) -> tuple[Checklist, Checklist]:
    """greeting_phone v1, and a v2 that drops call.tone and adds call.callback."""
    v1 = catalogue.get("greeting_phone", 1)
    data = v1.to_data()
    data["version"] = 2
    call = next(s for s in data["sections"] if s["id"] == "call")
    call["items"] = [i for i in call["items"] if i["id"] != "call.tone"] + [
        {"id": "call.callback", "type": "yes_no", "text": {"en": "Offered a call back"}}
    ]
    return v1, Checklist.model_validate(data)


def random_answers(checklist: Checklist, rng: np.random.Generator) -> list[Answer]:
    answers = []
    for item in checklist.items:
        if not item.scored:
            continue
        if item.na_allowed and rng.random() < 0.2:
            answers.append(Answer(item.id, None, True))
        elif isinstance(item, ScaleItem):
            answers.append(Answer(item.id, int(rng.integers(item.min, item.max + 1))))
        elif isinstance(item, ChoiceItem):
            answers.append(
                Answer(item.id, item.options[int(rng.integers(len(item.options)))].value)
            )
        elif isinstance(item, NumberItem | PercentageItem):
            answers.append(Answer(item.id, float(rng.integers(0, 30))))
        else:
            answers.append(Answer(item.id, bool(rng.random() < 0.8)))
    return answers


def test_versions_are_aligned_on_the_scored_items_they_share(catalogue: Catalogue) -> None:
    v1, v2 = two_versions(catalogue)
    alignment = compare.align_versions([v2, v1])
    assert alignment.versions == (1, 2) and alignment.reference_version == 2
    assert alignment.left_out == ("call.callback", "call.tone")
    assert "call.tone" not in alignment.shared_items and "answer.rings" in alignment.shared_items
    assert "call.callback, call.tone" in alignment.describe()


def test_rescoring_on_shared_items_equals_scoring_the_shared_checklist(
    catalogue: Catalogue,
) -> None:
    v1, v2 = two_versions(catalogue)
    alignment = compare.align_versions([v1, v2])
    shared = set(alignment.shared_items)
    restricted = v2.to_data()
    for section in restricted["sections"]:
        section["items"] = [i for i in section["items"] if i["id"] in shared]
    restricted_checklist = Checklist.model_validate(restricted)
    rng = np.random.default_rng(7)
    item_rows, expected = [], {}
    for audit_id in range(1, 41):
        version = v1 if audit_id % 2 else v2
        answers = random_answers(version, rng)
        card = score_audit(version, answers)
        item_rows += [
            {"audit_id": audit_id, "item_id": item_id, "score": math.nan if s is None else s}
            for item_id, s in card.item_scores.items()
        ]
        expected[audit_id] = score_audit(
            restricted_checklist, [a for a in answers if a.item_id in shared]
        )
    rescored = compare.rescore_on_shared_items(pd.DataFrame(item_rows), alignment, v2)
    for row in rescored.audits.itertuples():
        card = expected[row.audit_id]
        assert row.overall == pytest.approx(card.overall), row.audit_id
        assert row.raw_overall == pytest.approx(card.raw_overall)
        assert (row.passed, row.grade, bool(row.critical_failure)) == (
            card.passed,
            card.grade,
            card.critical_failure,
        )
    sections = rescored.sections.set_index(["audit_id", "section_id"])
    for audit_id, card in expected.items():
        for section in card.sections:
            got = sections.loc[(audit_id, section.section_id)]
            if section.score is None:
                assert math.isnan(got["score"]) and got["weight"] == 0
            else:
                assert got["score"] == pytest.approx(section.score)
                assert got["weight"] == pytest.approx(section.weight)


# ---------------------------------------------------------------------------
# Simulations with known truth
# ---------------------------------------------------------------------------


def simulate(
    seed: int, branches: int = 60, noise_sd: float | np.ndarray = 10.0
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Branch true means ~ N(72, 5); 1 to 8 audits each; audit score = true mean + noise."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(72, 5, branches)
    sizes = rng.integers(1, 9, branches)
    noise = np.broadcast_to(noise_sd, (branches,))
    branch = np.repeat(np.arange(branches), sizes)
    codes = np.array([f"S{b:03d}" for b in range(branches)])
    scores = truth[branch] + rng.normal(0, 1, len(branch)) * noise[branch]
    audits = pd.DataFrame(
        {
            "branch_code": codes[branch],
            "branch_name": codes[branch],
            "region": "S",
            "country": "ES",
            "overall": scores,
            "passed": scores >= 75,
            "critical_failure": False,
        }
    )
    return audits, dict(zip(codes.tolist(), truth.tolist(), strict=True))


def spearman(truth: list[float], estimate: list[float]) -> float:
    """Spearman's rho; 0 when the estimate puts every branch level (it orders nothing)."""
    if len(set(estimate)) == 1:
        return 0.0
    return float(scipy_stats.spearmanr(truth, estimate).statistic)


def test_the_shrunken_ranking_agrees_with_the_truth_better_than_raw_means() -> None:
    raw_rho, shrunk_rho, flat = [], [], 0
    for seed in range(200):
        audits, truth = simulate(seed)
        table = compare.rank_branches(compare.total_branches(audits), min_audits=1)
        true = [truth[r.branch_code] for r in table.rows]
        raw_rho.append(spearman(true, [r.mean for r in table.rows]))
        shrunk_rho.append(spearman(true, [r.shrunk for r in table.rows]))
        flat += table.components.between == 0
    raw_rho, shrunk_rho = np.array(raw_rho), np.array(shrunk_rho)
    better = np.mean(shrunk_rho > raw_rho)
    print(
        f"Spearman with the truth over 200 seeds: raw {raw_rho.mean():.3f}, "
        f"shrunk {shrunk_rho.mean():.3f}; shrunk better in {better:.0%} of seeds; "
        f"{flat} seeds with a between-branch variance estimate of 0 (counted as rho 0)"
    )
    assert shrunk_rho.mean() > raw_rho.mean()
    assert better > 0.7
    wins = int(np.sum(shrunk_rho > raw_rho))  # a sign test: is "better" more than chance?
    assert scipy_stats.binomtest(wins, len(raw_rho), 0.5, alternative="greater").pvalue < 1e-6


@pytest.mark.parametrize(("noise", "low", "high"), [("equal", 0.87, 0.93), ("unequal", 0.85, 0.93)])
def test_ninety_percent_intervals_cover_the_true_mean_about_ninety_percent_of_the_time(
    noise: str, low: float, high: float
) -> None:
    covered = total = 0
    for seed in range(150):
        rng = np.random.default_rng(10_000 + seed)
        noise_sd = 10.0 if noise == "equal" else rng.uniform(5, 15, 60)
        audits, truth = simulate(seed, noise_sd=noise_sd)
        for row in compare.rank_branches(compare.total_branches(audits), min_audits=1).rows:
            assert row.low is not None and row.high is not None
            covered += row.low <= truth[row.branch_code] <= row.high
            total += 1
    coverage = covered / total
    print(f"90 % interval coverage ({noise} noise): {coverage:.3f} over {total} branch intervals")
    assert low <= coverage <= high


def test_planted_auditor_leniencies_are_recovered_within_their_intervals() -> None:
    planted = {"P1": -6.0, "P2": -2.0, "P3": 0.0, "P4": 1.0, "P5": 3.0, "P6": 4.0}
    names = list(planted)
    covered = total = flagged_strong = strong = 0
    for seed in range(150):
        rng = np.random.default_rng(seed)
        truth = rng.normal(75, 6, 40)
        rows = []
        for b in range(40):
            for _ in range(10):
                auditor = names[int(rng.integers(len(names)))]
                rows.append((f"B{b}", auditor, truth[b] + planted[auditor] + rng.normal(0, 8)))
        effects = compare.estimate_auditor_effects(auditor_audits(rows))
        for row in effects.rows:
            assert row.low is not None and row.high is not None and row.leniency is not None
            covered += row.low <= planted[row.auditor] <= row.high
            total += 1
            if abs(planted[row.auditor]) >= 3:
                strong += 1
                flagged_strong += row.flagged and np.sign(row.leniency) == np.sign(
                    planted[row.auditor]
                )
    coverage = covered / total
    print(
        f"auditor intervals cover the planted leniency {coverage:.3f}; "
        f"|effect| >= 3 flagged {flagged_strong / strong:.2f}"
    )
    assert 0.86 <= coverage <= 0.94
    assert flagged_strong / strong > 0.9


def test_one_odd_visit_by_a_new_auditor_does_not_shift_everyone_else() -> None:
    """Leniency is measured against the audit-weighted average auditor."""
    from audit_app.domain.compare import estimate_auditor_effects

    rng = np.random.default_rng(7)
    rows = []
    for branch in range(20):
        level = rng.normal(80, 5)
        for auditor, bias in (("Ann", 3.0), ("Bo", -3.0)):
            for _ in range(4):
                rows.append(
                    {
                        "branch_code": f"B{branch}",
                        "auditor": auditor,
                        "checklist_id": "c",
                        "overall": level + bias + rng.normal(0, 2),
                    }
                )
    base = estimate_auditor_effects(pd.DataFrame(rows))
    rows.append({"branch_code": "B0", "auditor": "Odd", "checklist_id": "c", "overall": 0.0})
    with_odd = estimate_auditor_effects(pd.DataFrame(rows))

    def leniency(result, name: str) -> float:  # type: ignore[no-untyped-def]
        return next(r.leniency for r in result.rows if r.auditor == name)

    assert leniency(base, "Ann") == pytest.approx(3.0, abs=0.6)
    assert abs(leniency(with_odd, "Ann") - leniency(base, "Ann")) < 1.5
    assert abs(leniency(with_odd, "Bo") - leniency(base, "Bo")) < 1.5
    assert leniency(with_odd, "Odd") < -50
