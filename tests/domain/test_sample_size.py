"""The sample-size planner against its closed formula, by hand and as properties."""

from __future__ import annotations

import math
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.domain.sample_size import (
    Z_90,
    SampleSize,
    Spread,
    half_width,
    period_of,
    plan,
    pooled_spread,
    sentence,
    visits_needed,
)
from audit_app.i18n import use_language


def test_the_pooled_spread_by_hand() -> None:
    # A: 70, 80 (mean 75, squares 50); B: 60, 66, 72 (mean 66, squares 72); C: one audit.
    spread = pooled_spread({"A": [70, 80], "B": [60, 66, 72], "C": [90]})
    assert spread == Spread(math.sqrt(122 / 3), branches=2, audits=5)
    assert spread.df == 3
    assert pooled_spread({"A": [70], "B": []}) == Spread(None, 0, 0)


@pytest.mark.parametrize(
    ("sd", "half", "visits"),
    [
        # (1.645 * 6 / 5)^2 = 3.897 -> 4: "±5 points: 4 visits per branch per quarter".
        (6.0, 5.0, 4),
        # (1.645 * 10 / 5)^2 = 10.82 -> 11
        (10.0, 5.0, 11),
        # (1.645 * 10 / 2)^2 = 67.65 -> 68
        (10.0, 2.0, 68),
        # exactly 4 when s = 2h / z: rounding noise must not make it 5
        (2 * 5 / Z_90, 5.0, 4),
        # a spread of nothing needs one visit, not none
        (0.0, 5.0, 1),
    ],
)
def test_visits_needed_by_hand(sd: float, half: float, visits: int) -> None:
    assert visits_needed(sd, half) == visits


def test_the_half_width_by_hand() -> None:
    assert half_width(6.0, 4) == pytest.approx(1.645 * 3)
    assert half_width(10.0, 1) == pytest.approx(16.45)


def test_a_plan_and_its_sentence() -> None:
    spread = Spread(6.0, branches=40, audits=200)
    size = plan(spread, 5.0)
    assert size == SampleSize(5.0, 4, 1.645 * 6 / 2, spread)
    with use_language("en"):
        assert sentence(size) == "±5 points: 4 visits per branch per quarter"
        assert sentence(plan(spread, 2.5), "month") == (  # type: ignore[arg-type]
            "±2.5 points: 16 visits per branch per month"
        )
        one = plan(Spread(1.0, 3, 9), 5.0)
        assert sentence(one, "plan") == "±5 points: 1 visit per branch per period"  # type: ignore[arg-type]
    assert plan(Spread(None, 0, 0), 5.0) is None


def test_nonsense_is_refused() -> None:
    with pytest.raises(ValueError):
        visits_needed(6.0, 0)
    with pytest.raises(ValueError):
        half_width(6.0, 0)


spreads = st.floats(min_value=0.0, max_value=60.0, allow_nan=False)
halves = st.floats(min_value=0.1, max_value=50.0, allow_nan=False)


@settings(deadline=None)  # a busy machine is not a slow function
@given(spreads, st.integers(min_value=1, max_value=500))
def test_more_visits_never_widen_the_interval(sd: float, visits: int) -> None:
    assert half_width(sd, visits + 1) <= half_width(sd, visits)


@settings(deadline=None)  # a busy machine is not a slow function
@given(spreads, halves)
def test_the_visits_needed_reach_the_half_width_and_one_fewer_does_not(
    sd: float, half: float
) -> None:
    n = visits_needed(sd, half)
    assert half_width(sd, n) <= half * (1 + 1e-9)
    if n > 1:
        assert half_width(sd, n - 1) > half * (1 - 1e-9)


@settings(deadline=None)  # a busy machine is not a slow function
@given(spreads, halves, halves)
def test_a_wider_interval_never_needs_more_visits(sd: float, a: float, b: float) -> None:
    narrow, wide = sorted((a, b))
    assert visits_needed(sd, wide) <= visits_needed(sd, narrow)


def test_the_period_word_of_a_plan() -> None:
    assert period_of(date(2026, 1, 1), date(2026, 3, 31)) == "quarter"
    assert period_of(date(2026, 4, 1), date(2026, 4, 30)) == "month"
    assert period_of(date(2026, 2, 1), date(2026, 4, 30)) == "period"  # not a quarter
    assert period_of(date(2026, 1, 1), date(2026, 3, 30)) == "period"
    assert period_of(date(2026, 1, 1), date(2026, 12, 31)) == "period"
