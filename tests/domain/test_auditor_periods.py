"""Auditor effects with period effects (#17): an auditor who only worked in a good wave is
not called lenient; one whose visits cannot be told apart from their wave is not rated."""

from __future__ import annotations

import pandas as pd
import pytest

from audit_app.domain import compare
from audit_app.domain.compare.notices import Notice


def audits_of(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    """(branch, auditor, wave, overall) rows, indexed from 100 (not 0..n-1) so that the
    period labels must be aligned by index, not by position."""
    frame = pd.DataFrame(rows, columns=["branch_code", "auditor", "wave", "overall"])
    frame["checklist_id"] = "c"
    frame.index = pd.RangeIndex(100, 100 + len(frame))
    return frame


# Wave W2 scored 10 points more for everyone. P visited both waves, Q only W2; on the same
# branch in the same wave they give the same score.
GOOD_WAVE = [
    ("X", "P", "W1", 70.0), ("X", "P", "W1", 72.0), ("X", "P", "W2", 80.0),
    ("X", "Q", "W2", 82.0), ("X", "Q", "W2", 80.0), ("X", "P", "W2", 82.0),
    ("Y", "P", "W1", 60.0), ("Y", "P", "W1", 62.0), ("Y", "P", "W2", 70.0),
    ("Y", "Q", "W2", 72.0), ("Y", "Q", "W2", 70.0), ("Y", "P", "W2", 72.0),
]  # fmt: skip


def test_an_auditor_who_only_worked_in_a_good_wave_is_not_called_lenient() -> None:
    audits = audits_of(GOOD_WAVE)
    naive = {r.auditor: r for r in compare.estimate_auditor_effects(audits).rows}
    assert naive["Q"].leniency == pytest.approx(10 / 3)
    effects = compare.estimate_auditor_effects(audits, audits["wave"])
    rows = {r.auditor: r for r in effects.rows}
    assert rows["Q"].leniency == pytest.approx(0.0, abs=1e-9)
    assert rows["P"].leniency == pytest.approx(0.0, abs=1e-9)
    assert not rows["Q"].flagged and rows["Q"].note == "not clearly different from the others"
    # 12 audits - 2 branches - 1 auditor contrast - 1 wave contrast
    assert effects.df == 8 and effects.notices == ()
    assert "branch + auditor + period" in effects.method
    assert "on the same branches in the same periods" in effects.method


def test_period_labels_are_aligned_by_index_and_unscored_audits_are_left_out() -> None:
    audits = audits_of([*GOOD_WAVE, ("Y", "Q", "W1", float("nan"))])
    shuffled = audits["wave"].sample(frac=1.0, random_state=3)
    by_index = compare.estimate_auditor_effects(audits, shuffled)
    assert by_index == compare.estimate_auditor_effects(audits, audits["wave"])
    assert {r.auditor: r.audits for r in by_index.rows} == {"P": 8, "Q": 4}


def test_the_only_auditor_of_a_wave_is_not_identified_and_a_notice_says_so() -> None:
    """R is the only auditor of W3: R's leniency and W3's level cannot be told apart."""
    audits = audits_of(
        [*GOOD_WAVE, ("X", "R", "W3", 95.0), ("Y", "R", "W3", 85.0), ("X", "R", "W3", 93.0)]
    )
    effects = compare.estimate_auditor_effects(audits, audits["wave"])
    rows = {r.auditor: r for r in effects.rows}
    assert (rows["R"].identified, rows["R"].leniency, rows["R"].flagged) == (False, None, False)
    assert rows["R"].note.startswith("not identified: worked only in periods")
    assert effects.rows[-1].auditor == "R"
    # P and Q keep their figures: R's visits only tell W3's level plus R's leniency.
    before = {
        r.auditor: r
        for r in compare.estimate_auditor_effects(
            audits_of(GOOD_WAVE), audits_of(GOOD_WAVE)["wave"]
        ).rows
    }
    for name in ("P", "Q"):
        assert rows[name].identified
        assert rows[name].leniency == pytest.approx(before[name].leniency, abs=1e-9)
    assert effects.notices == (
        Notice(
            "auditors_not_connected",
            "1 auditor (R) worked only in periods (or with checklists) no other auditor's "
            "visits connect to: their leniency cannot be told apart from those periods' "
            "level and is not shown.",
        ),
    )


def test_without_periods_the_fit_is_todays() -> None:
    audits = audits_of(GOOD_WAVE)
    one_wave = compare.estimate_auditor_effects(audits, audits["wave"].map(lambda _: "all"))
    plain = compare.estimate_auditor_effects(audits)
    assert [(r.auditor, r.leniency, r.low, r.high) for r in one_wave.rows] == [
        (r.auditor, pytest.approx(r.leniency), pytest.approx(r.low), pytest.approx(r.high))
        for r in plain.rows
    ]
    assert one_wave.df == plain.df


def test_of_two_equal_separate_groups_the_same_one_is_fitted_whatever_the_row_order() -> None:
    """Branches X (P, Q) and Y (R, S) share no auditor and have as many audits each: the
    group fitted is the one with the first branch code (as when codes were sorted), not
    the one whose audit came first in the frame (its visit order)."""
    x = [("X", "P", "W", 70.0), ("X", "Q", "W", 74.0), ("X", "P", "W", 71.0)]
    y = [("Y", "R", "W", 60.0), ("Y", "S", "W", 68.0), ("Y", "R", "W", 61.0)]
    for rows in ([*x, *y], [*y, *x]):
        identified = {
            r.auditor
            for r in compare.estimate_auditor_effects(audits_of(rows)).rows
            if r.identified
        }
        assert identified == {"P", "Q"}, rows[0]
