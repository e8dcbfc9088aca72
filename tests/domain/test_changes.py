"""Change between periods per branch (#17): later mean minus earlier mean, a 90 % interval
from the pooled noise, the sentence that says it, clear changes first."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from audit_app.domain import compare
from audit_app.domain.compare.changes import change_sentence
from audit_app.domain.compare.notices import Notice


def audits_of(data: dict[tuple[str, str], list[float]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"branch_code": code, "branch_name": f"Branch {code}", "period": p, "overall": v}
            for (code, p), values in data.items()
            for v in values
        ]
    )


DATA = {
    ("A", "Q1"): [80.0, 82.0], ("A", "Q2"): [70.0, 72.0],   # down 10
    ("B", "Q1"): [75.0], ("B", "Q2"): [76.0],               # up 1
    ("C", "Q1"): [60.0, 64.0], ("C", "Q2"): [74.0, 76.0],   # up 13
    ("D", "Q2"): [90.0],                                    # only the later period
    ("E", "Q0"): [50.0, 50.0], ("E", "Q1"): [55.0],         # not in the last two periods
}  # fmt: skip


def test_changes_by_hand_with_a_given_noise() -> None:
    audits = audits_of(DATA)
    changes = compare.branch_changes(audits, audits["period"], within=9.0, df=30)
    t = compare.t_quantile(30)
    assert (changes.earlier, changes.later, changes.within, changes.df) == ("Q1", "Q2", 9.0, 30)
    half_two = t * math.sqrt(9 / 2 + 9 / 2)
    half_one = t * math.sqrt(9 + 9)
    assert changes.rows == (
        compare.BranchChange(
            "C", "Branch C", 2, 2, 62.0, 75.0, 13.0, 13 - half_two, 13 + half_two, True,
            f"up 13.0 points, 90 % interval {13 - half_two:.1f} to {13 + half_two:.1f}",
        ),
        compare.BranchChange(
            "A", "Branch A", 2, 2, 81.0, 71.0, -10.0, -10 - half_two, -10 + half_two, True,
            f"down 10.0 points, 90 % interval {10 - half_two:.1f} to {10 + half_two:.1f}",
        ),
        compare.BranchChange(
            "B", "Branch B", 1, 1, 75.0, 76.0, 1.0, 1 - half_one, 1 + half_one, False,
            f"up 1.0 points, 90 % interval {1 - half_one:.1f} to {1 + half_one:.1f}",
        ),
    )  # fmt: skip
    assert changes.notices == ()
    assert "from Q1 to Q2" in changes.method and "30 degrees of freedom" in changes.method


def test_the_sentence_gives_the_interval_of_the_move_in_its_own_direction() -> None:
    assert change_sentence(-6.2, -11.3, -1.1) == "down 6.2 points, 90 % interval 1.1 to 11.3"
    assert change_sentence(-2.0, -5.5, 1.5) == "down 2.0 points, 90 % interval -1.5 to 5.5"
    assert change_sentence(3.0, -1.2, 7.2) == "up 3.0 points, 90 % interval -1.2 to 7.2"
    assert change_sentence(0.04, -2.0, 2.08) == "no change (0.0 points), 90 % interval -2.0 to 2.1"
    assert change_sentence(-0.25, None, None) == "down 0.3 points, no interval (no noise estimate)"


def test_the_default_noise_is_pooled_within_branch_and_period_over_the_whole_selection() -> None:
    audits = audits_of(DATA)
    changes = compare.branch_changes(audits, audits["period"])
    # Cells with replicates: A/Q1 (SS 2), A/Q2 (2), C/Q1 (8), C/Q2 (2), E/Q0 (0):
    # 14 audits - 9 cells = 5 df.
    assert (changes.within, changes.df) == (pytest.approx(14 / 5), 5)
    assert [n.code for n in changes.notices] == ["few_noise_degrees"]
    assert "5 degrees of freedom (t = 2.0" in changes.notices[0].message


def test_chosen_periods_and_an_ordered_categorical_order() -> None:
    audits = audits_of(DATA)
    chosen = compare.branch_changes(
        audits, audits["period"], earlier="Q0", later="Q1", within=4.0, df=40
    )
    assert [(r.branch_code, r.change) for r in chosen.rows] == [("E", 5.0)]
    assert chosen.rows[0].clear  # 5 > 1.68 x sqrt(4/2 + 4)
    ordered = audits["period"].astype(pd.CategoricalDtype(["Q2", "Q1", "Q0"], ordered=True))
    reverse = compare.branch_changes(audits, ordered, within=4.0, df=40)
    assert (reverse.earlier, reverse.later) == ("Q1", "Q0")


def test_one_period_gives_no_rows_and_says_why() -> None:
    audits = audits_of({("A", "Q1"): [80.0, 70.0], ("B", "Q1"): [60.0]})
    changes = compare.branch_changes(audits, audits["period"])
    assert changes.rows == () and (changes.earlier, changes.later) == ("Q1", None)
    assert changes.notices == (
        Notice(
            "too_few_periods",
            "The selection covers one period (Q1): there is no change between periods to show.",
            "info",
        ),
    )


def test_without_replicates_changes_have_no_interval() -> None:
    audits = audits_of(
        {("A", "Q1"): [80.0], ("A", "Q2"): [70.0], ("B", "Q1"): [60.0], ("B", "Q2"): [61.0]}
    )
    changes = compare.branch_changes(audits, audits["period"])
    assert [(r.branch_code, r.low, r.clear, r.sentence) for r in changes.rows] == [
        ("A", None, False, "down 10.0 points, no interval (no noise estimate)"),
        ("B", None, False, "up 1.0 points, no interval (no noise estimate)"),
    ]
    assert [n.code for n in changes.notices] == ["no_replicates"]


def test_period_labels_may_be_indexed_by_audit_id() -> None:
    audits = audits_of(DATA).assign(audit_id=lambda f: f.index + 500)
    by_id = audits.set_index("audit_id")["period"]
    assert compare.branch_changes(audits, by_id, within=9.0, df=30) == compare.branch_changes(
        audits, audits["period"], within=9.0, df=30
    )


def test_by_default_the_earlier_period_is_the_latest_that_shares_a_branch() -> None:
    """March's branches were not audited in February: the change compares March with
    January, not with an empty February."""
    frame = audits_of(
        {
            ("A", "2026-01"): [70.0, 72.0],
            ("B", "2026-01"): [80.0],
            ("C", "2026-02"): [90.0],
            ("A", "2026-03"): [80.0],
            ("B", "2026-03"): [84.0, 86.0],
        }
    )
    changes = compare.branch_changes(frame, frame["period"])
    assert (changes.earlier, changes.later) == ("2026-01", "2026-03")
    assert {r.branch_code: round(r.change, 6) for r in changes.rows} == {"A": 9.0, "B": 5.0}
