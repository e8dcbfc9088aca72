"""Calibration: which audits pair, AC1 and ICC(1) against hand-worked examples, and
simulations with planted agreement whose 90 % intervals must cover the truth ~90 % of
the time."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from audit_app.domain import compare
from audit_app.domain.checklist import Checklist
from audit_app.domain.compare.calibration import NO_PAIRS, PAIR_COLUMNS
from audit_app.domain.compare.variance import t_quantile

# ---------------------------------------------------------------------------
# Finding pairs
# ---------------------------------------------------------------------------


def audit(
    audit_id: int,
    auditor: str,
    visited_at: datetime,
    *,
    branch: str = "B1",
    checklist: str = "c",
    kind: str = "mystery_shop",
    reference: str | None = None,
    overall: float = 80.0,
) -> dict[str, object]:
    return {
        "audit_id": audit_id,
        "branch_code": branch,
        "checklist_id": checklist,
        "checklist_version": 1,
        "kind": kind,
        "auditor": auditor,
        "visited_at": visited_at,
        "overall": overall,
        "visit_reference": reference,
    }


def pair_ids(rows: list[dict[str, object]]) -> list[tuple[int, int]]:
    pairs = compare.find_calibration_pairs(pd.DataFrame(rows))
    assert list(pairs.columns) == PAIR_COLUMNS
    return list(zip(pairs["audit_id_a"], pairs["audit_id_b"], strict=True))


MORNING, EVENING = datetime(2026, 3, 4, 9, 30), datetime(2026, 3, 4, 18, 0)


def test_two_auditors_on_one_branch_on_one_day_pair_whatever_the_hour() -> None:
    rows = [audit(1, "Pau", MORNING), audit(2, "Anna", EVENING)]
    pairs = compare.find_calibration_pairs(pd.DataFrame(rows))
    assert pairs.to_dict("records") == [
        {
            "audit_id_a": 2,  # Anna sorts first
            "audit_id_b": 1,
            "auditor_a": "Anna",
            "auditor_b": "Pau",
            "branch_code": "B1",
            "checklist_id": "c",
            "visited_at": pd.Timestamp(2026, 3, 4),
            "checklist_version_a": 1,
            "checklist_version_b": 1,
            "overall_a": 80.0,
            "overall_b": 80.0,
        }
    ]


def test_what_does_not_pair() -> None:
    rows = [
        audit(1, "Anna", MORNING),
        audit(2, "Anna", EVENING),  # the same auditor twice
        audit(3, " anna ", EVENING),  # the same auditor typed differently
        audit(4, "Pau", datetime(2026, 3, 5, 9)),  # another day
        audit(5, "Pau", MORNING, branch="B2"),  # another branch
        audit(6, "Pau", MORNING, checklist="d"),  # another checklist
        audit(7, "Pau", MORNING, kind="follow_up"),  # a follow-up re-checks failed items
        audit(8, "Shop manager", MORNING, kind="self_assessment"),  # the branch's own view
    ]
    assert pair_ids(rows) == []


def test_references_must_match_when_both_have_one() -> None:
    rows = [
        audit(1, "Anna", MORNING, reference="R-1"),
        audit(2, "Pau", MORNING, reference="R-2"),  # another agency visit that day
        audit(3, "Joan", MORNING, reference="R-1"),
        audit(4, "Marta", MORNING),  # no reference: pairs with everyone
    ]
    # Anna-Joan, Anna-Marta, Joan-Marta, Marta-Pau (a is the auditor who sorts first).
    assert sorted(pair_ids(rows)) == [(1, 3), (1, 4), (3, 4), (4, 2)]


def test_three_auditors_on_one_visit_give_three_pairs() -> None:
    rows = [audit(1, "Pau", MORNING), audit(2, "Anna", MORNING), audit(3, "Joan", MORNING)]
    pairs = compare.find_calibration_pairs(pd.DataFrame(rows))
    assert list(zip(pairs["auditor_a"], pairs["auditor_b"], strict=True)) == [
        ("Anna", "Joan"),
        ("Anna", "Pau"),
        ("Joan", "Pau"),
    ]


def test_an_empty_frame_or_one_without_references_gives_the_columns() -> None:
    assert list(compare.find_calibration_pairs(pd.DataFrame()).columns) == PAIR_COLUMNS
    rows = [audit(1, "Anna", MORNING), audit(2, "Pau", MORNING)]
    no_column = pd.DataFrame(rows).drop(columns="visit_reference")
    pairs = compare.find_calibration_pairs(no_column)
    assert pairs[["audit_id_a", "audit_id_b"]].values.tolist() == [[1, 2]]


# ---------------------------------------------------------------------------
# The statistics by hand
# ---------------------------------------------------------------------------


def test_ac1_and_its_variance_by_hand() -> None:
    """10 pairs: 6 both yes, 1 yes/no, 1 no/yes, 2 both no.

    pa = 8/10; pi(yes) = (2*6 + 1 + 1) / 20 = 7/10; pe = 2 pi (1 - pi) = 21/50;
    AC1 = (4/5 - 21/50) / (1 - 21/50) = (19/50) / (29/50) = 19/29.
    Linearised terms, 2 (1 - AC1) = 20/29: g(yes,yes) = 1 - 20/29 * 3/10 = 23/29,
    g(no,no) = 1 - 20/29 * 7/10 = 15/29, g(split) = -10/29.
    mean g = (6*23 + 2*15 - 2*10) / 290 = 148/290; mean g^2 = (6*529 + 2*225 + 2*100) / 8410;
    variance = (mean g^2 - mean g^2) / (10 (29/50)^2).
    """
    ac1, variance = compare.gwet_ac1(6, 1, 1, 2)
    mean_g = Fraction(148, 290)
    mean_g2 = Fraction(6 * 529 + 2 * 225 + 2 * 100, 8410)
    expected_variance = (mean_g2 - mean_g**2) / (10 * Fraction(29, 50) ** 2)
    assert float(ac1) == pytest.approx(19 / 29, abs=1e-12)
    assert float(variance) == pytest.approx(float(expected_variance), abs=1e-12)
    assert float(variance) == pytest.approx(0.057742, abs=1e-6)
    # Gwet's (2008) closed form for two raters gives the same number:
    # pa(1-pa) - 4(1-g)(sum p_kk (1-pi_k) - pa pe) + 4(1-g)^2 (sum p_kl c_kl^2 - pe^2)
    one_minus = 10 / 29
    closed = (
        0.8 * 0.2
        - 4 * one_minus * ((0.6 * 0.3 + 0.2 * 0.7) - 0.8 * 0.42)
        + 4 * one_minus**2 * ((0.6 * 0.3**2 + 0.2 * 0.7**2 + 0.2 * 0.5**2) - 0.42**2)
    ) / (10 * 0.58**2)
    assert float(variance) == pytest.approx(closed, abs=1e-12)


def test_icc1_and_its_interval_by_hand() -> None:
    """Five visits scored on a 1-5 scale (item scores 0-1).

    a = 1, .75, .5, .25, 1 and b = .75, .75, .25, .5, 1: visit means .875, .75, .375,
    .375, 1 (grand mean .675); MSB = 2 x var(means) = 2 x .33125 / 4 = .165625;
    MSW = mean((a - b)^2) / 2 = (3 x .0625 / 5) / 2 = .01875;
    ICC(1) = (MSB - MSW) / (MSB + MSW) = .146875 / .184375 = 47/59.
    F = MSB / MSW = 8.833; FL = F / F.95(4, 5) (= 5.19); FU = F x F.95(5, 4) (= 6.26);
    bounds (FL - 1) / (FL + 1) and (FU - 1) / (FU + 1).
    """
    a = np.array([1, 0.75, 0.5, 0.25, 1])
    b = np.array([0.75, 0.75, 0.25, 0.5, 1])
    icc, msb, msw = compare.icc_oneway(a, b)
    assert (float(msb), float(msw)) == pytest.approx((0.165625, 0.01875), abs=1e-12)
    assert float(icc) == pytest.approx(47 / 59, abs=1e-12)
    f = 0.165625 / 0.01875
    f_low, f_high = f / scipy_stats.f.ppf(0.95, 4, 5), f * scipy_stats.f.ppf(0.95, 5, 4)
    low, high = compare.icc_interval(msb, msw, 5)
    assert float(low) == pytest.approx((f_low - 1) / (f_low + 1), abs=1e-9)
    assert float(high) == pytest.approx((f_high - 1) / (f_high + 1), abs=1e-9)
    assert (float(low), float(high)) == pytest.approx((0.2596, 0.9645), abs=1e-3)


def test_icc_is_undefined_when_every_score_is_the_same() -> None:
    icc, _, _ = compare.icc_oneway(np.ones(6), np.ones(6))
    assert np.isnan(icc)


# ---------------------------------------------------------------------------
# Simulations with planted agreement
# ---------------------------------------------------------------------------


def test_ac1_recovers_planted_agreement_and_its_interval_covers_the_truth() -> None:
    """Two raters agree with probability p = .85 on an item answered yes 80 % of the time
    (both raters' share): cells yes/yes .725, yes/no .075, no/yes .075, no/no .125.
    True AC1 = (.85 - 2 x .8 x .2) / (1 - .32) = .7794. 3,000 calibration rounds of 60
    pairs each."""
    rng = np.random.default_rng(20260301)
    p, prevalence, pairs, rounds = 0.85, 0.8, 60, 3000
    split = (1 - p) / 2
    cells = [prevalence - split, split, split, 1 - prevalence - split]
    counts = rng.multinomial(pairs, cells, size=rounds)
    ac1, variance = compare.gwet_ac1(*counts.T)
    pe = 2 * prevalence * (1 - prevalence)
    truth = (p - pe) / (1 - pe)
    margin = t_quantile(pairs - 1) * np.sqrt(variance)
    covered = np.mean((ac1 - margin <= truth) & (truth <= ac1 + margin))
    assert abs(np.mean(ac1) - truth) < 0.01
    assert 0.86 <= covered <= 0.94


def test_icc_interval_covers_the_planted_icc() -> None:
    """Visit levels with variance .6 and auditor noise with variance .4: ICC(1) = .6."""
    rng = np.random.default_rng(7)
    rounds, pairs, truth = 3000, 25, 0.6
    level = rng.normal(0, np.sqrt(truth), (rounds, pairs, 1))
    scores = level + rng.normal(0, np.sqrt(1 - truth), (rounds, pairs, 2))
    icc, msb, msw = compare.icc_oneway(scores[..., 0], scores[..., 1])
    low, high = compare.icc_interval(msb, msw, pairs)
    assert abs(np.median(icc) - truth) < 0.03
    assert 0.86 <= np.mean((low <= truth) & (truth <= high)) <= 0.94


# ---------------------------------------------------------------------------
# From pairs and answers to the whole result
# ---------------------------------------------------------------------------

CHECKLIST = Checklist.model_validate(
    {
        "id": "c",
        "version": 1,
        "title": {"en": "c"},
        "languages": ["en"],
        "sections": [
            {
                "id": "s",
                "title": {"en": "s"},
                "items": [
                    {"id": "greet", "type": "yes_no", "text": {"en": "greet"}},
                    {"id": "tone", "type": "scale", "min": 1, "max": 5, "text": {"en": "t"}},
                    {"id": "card", "type": "yes_no", "na_allowed": True, "text": {"en": "c"}},
                    {"id": "notes", "type": "text", "text": {"en": "n"}},
                ],
            }
        ],
    }
)


def calibrated(
    greet: list[tuple[int, int]],
    tone: list[tuple[float, float]],
    card: list[tuple[int | None, int | None]],
) -> compare.Calibration:
    """Pairs of audits 2k+1 (Anna) and 2k+2 (Pau), one visit a day, and their item rows."""
    audits, rows = [], []
    for k, ((g_a, g_b), (t_a, t_b), (c_a, c_b)) in enumerate(zip(greet, tone, card, strict=True)):
        day = datetime(2026, 1, 1 + k, 10)
        audits += [
            audit(2 * k + 1, "Anna", day, overall=100 * (g_a + t_a) / 2),
            audit(2 * k + 2, "Pau", day, overall=100 * (g_b + t_b) / 2),
        ]
        for audit_id, g, t, c in ((2 * k + 1, g_a, t_a, c_a), (2 * k + 2, g_b, t_b, c_b)):
            rows += [
                (audit_id, "greet", float(g)),
                (audit_id, "tone", float(t)),
                (audit_id, "card", np.nan if c is None else float(c)),
                (audit_id, "notes", np.nan),
            ]
    pairs = compare.find_calibration_pairs(pd.DataFrame(audits))
    items = pd.DataFrame(rows, columns=["audit_id", "item_id", "score"])
    return compare.calibrate(pairs, items, {("c", 1): CHECKLIST})


def test_agreement_per_item_auditor_pair_and_overall() -> None:
    # greet: 6 yes/yes, 1 yes/no, 1 no/yes, 2 no/no (the AC1 example above).
    greet = [(1, 1)] * 6 + [(1, 0), (0, 1)] + [(0, 0)] * 2
    tone = [(1, 0.75), (0.75, 0.75), (0.5, 0.25), (0.25, 0.5), (1, 1)] * 2
    card = [(1, 1), (1, None), (None, None), (0, 0)] + [(1, 1)] * 6
    result = calibrated(greet, tone, card)
    assert len(result.pairs) == 10 and not result.empty
    assert result.pairs[0] == compare.CalibrationPair(
        1, 2, "Anna", "Pau", "B1", "c", date(2026, 1, 1), 100.0, 87.5
    )
    assert [i.item_id for i in result.items] == ["greet", "tone", "card"]  # text left out
    greet_row, tone_row, card_row = result.items
    margin = t_quantile(9) * np.sqrt(40_840_000 / (84_100 * 8_410))  # the variance by hand
    assert greet_row == compare.ItemAgreement(
        checklist_id="c",
        section_id="s",
        item_id="greet",
        item_type="yes_no",
        pairs=10,
        left_out_na=0,
        percent_agreement=80.0,
        statistic="AC1",
        value=pytest.approx(19 / 29),
        low=pytest.approx(19 / 29 - margin, abs=1e-6),
        high=pytest.approx(min(1, 19 / 29 + margin), abs=1e-6),
        note="",
    )
    assert (tone_row.statistic, tone_row.pairs, tone_row.percent_agreement) == ("ICC", 10, 40.0)
    assert tone_row.low is not None and tone_row.low < tone_row.value < tone_row.high  # type: ignore[operator]
    # card: two pairs have an N/A answer; the other 8 agree and all but one say yes.
    assert (card_row.pairs, card_row.left_out_na, card_row.percent_agreement) == (8, 2, 100.0)
    assert card_row.value == pytest.approx(1.0)  # pa = 1, so AC1 = (1 - pe) / (1 - pe)
    (anna_pau,) = result.auditor_pairs
    differences = 100 * (np.array(greet) @ [0.5, -0.5] + np.array(tone) @ [0.5, -0.5])
    assert anna_pau.pairs == 10
    assert anna_pau.mean_difference == pytest.approx(differences.mean())
    assert anna_pau.mean_abs_difference == pytest.approx(np.abs(differences).mean())
    assert anna_pau.abs_low is not None and anna_pau.abs_low <= anna_pau.mean_abs_difference
    assert result.overall is not None and result.overall.statistic == "ICC"
    assert result.overall.pairs == 10
    assert "Gwet" in result.method and "ICC(1)" in result.method


def test_few_pairs_give_a_value_but_no_interval() -> None:
    result = calibrated([(1, 1), (1, 0), (0, 0)], [(1, 1), (0.5, 0.25), (0, 0.25)], [(1, 1)] * 3)
    greet, tone, _ = result.items
    # pa = 2/3, pi = 3/6, pe = 1/2: AC1 = (2/3 - 1/2) / (1/2) = 1/3.
    assert (greet.value, greet.low, greet.high) == (pytest.approx(1 / 3), None, None)
    assert greet.note == "fewer than 5 pairs: no interval"
    assert tone.value is not None and (tone.low, tone.high) == (None, None)
    assert result.auditor_pairs[0].abs_low is None and result.auditor_pairs[0].note == greet.note


def test_every_answer_the_same_says_so() -> None:
    result = calibrated([(1, 1)] * 6, [(1, 1)] * 6, [(None, 1)] * 6)
    greet, tone, card = result.items
    assert (greet.value, greet.low, greet.high) == (1.0, 1.0, 1.0)
    assert "same answer" in greet.note
    assert tone.value is None and "same score" in tone.note
    assert (card.pairs, card.left_out_na, card.value, card.percent_agreement) == (0, 6, None, None)


def test_no_pairs_is_an_empty_calibration() -> None:
    empty = compare.calibrate(
        compare.find_calibration_pairs(pd.DataFrame([audit(1, "Anna", MORNING)])),
        pd.DataFrame(columns=["audit_id", "item_id", "score"]),
        {},
    )
    assert empty == compare.Calibration((), (), (), None, NO_PAIRS) and empty.empty


def test_every_figure_is_a_plain_number_for_json() -> None:
    """The CLI's JSON and the PDF take the value objects as they are: no numpy scalars."""
    greet = [(1, 1)] * 6 + [(1, 0), (0, 1)] + [(0, 0)] * 2
    tone = [(1, 0.75), (0.75, 0.75), (0.5, 0.25), (0.25, 0.5), (1, 1)] * 2
    result = calibrated(greet, tone, [(1, 1)] * 10)
    rows = [*result.items, *result.auditor_pairs, *result.pairs, result.overall]
    values = [v for row in rows for v in vars(row).values()]
    assert {type(v) for v in values} <= {str, int, float, date, type(None)}
