"""How many visits per branch a period needs for a branch's mean to be known within ±h
points (the half-width of its 90 % interval), from the visit-to-visit spread observed.

The spread ``s`` is the within-branch standard deviation of overall scores, pooled over the
branches with at least two audits: sqrt(sum of squared deviations from each branch's own
mean / sum of (audits - 1)). It is what the league's intervals rest on too.

    visits needed   n = ceil((z * s / h) ** 2)
    half-width      h = z * s / sqrt(n)

with z = 1.645, the normal quantile of a two-sided 90 % interval. The league uses Student's
t with the *pooled* within-branch degrees of freedom (sum of audits - 1 over branches, not
one branch's n - 1), which for any chain worth planning is in the hundreds, where t and z
agree to the second decimal (t(100) = 1.660, t(300) = 1.650). z keeps the formula closed
and the answer the same from one month's data to the next; the degrees of freedom are kept
with the spread so that a page can say how much data the estimate rests on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from audit_app.i18n import formats, ngettext

__all__ = [
    "Z_90",
    "SampleSize",
    "Spread",
    "half_width",
    "period_of",
    "plan",
    "pooled_spread",
    "sentence",
    "visits_needed",
]

Z_90 = 1.645
"""The two-sided 90 % normal quantile."""

_SLACK = 1e-9
"""(z * s / h) ** 2 computed as 3.9999999999 or 4.0000000001 means 4: rounding, not need."""


@dataclass(frozen=True)
class Spread:
    """The pooled within-branch standard deviation and what it rests on."""

    sd: float | None
    """``None`` when no branch has two audits."""
    branches: int
    """Branches with at least two audits (the ones pooled)."""
    audits: int
    """Audits of those branches."""

    @property
    def df(self) -> int:
        return self.audits - self.branches


def pooled_spread(scores_by_branch: Mapping[str, Iterable[float]]) -> Spread:
    """The visit-to-visit spread, pooled over branches with at least two scores."""
    squares = 0.0
    branches = audits = 0
    for scores in scores_by_branch.values():
        values = [float(v) for v in scores]
        if len(values) < 2:
            continue
        mean = math.fsum(values) / len(values)
        squares += math.fsum((v - mean) ** 2 for v in values)
        branches += 1
        audits += len(values)
    df = audits - branches
    return Spread(math.sqrt(squares / df) if df else None, branches, audits)


def visits_needed(sd: float, half: float, z: float = Z_90) -> int:
    """Visits per branch so that the 90 % interval is at most ±``half`` (at least 1)."""
    if half <= 0:
        raise ValueError("the half-width must be above 0")
    if sd < 0:
        raise ValueError("a standard deviation is not negative")
    return max(1, math.ceil((z * sd / half) ** 2 - _SLACK))


def half_width(sd: float, visits: int, z: float = Z_90) -> float:
    """The half-width of the 90 % interval that ``visits`` visits reach."""
    if visits < 1:
        raise ValueError("at least one visit")
    return z * sd / math.sqrt(visits)


@dataclass(frozen=True)
class SampleSize:
    """The answer for one chosen half-width."""

    half_width: float
    """What was asked: ±points."""
    visits: int
    """Visits per branch per period."""
    reached: float
    """The half-width those visits reach (at most what was asked)."""
    spread: Spread


def plan(spread: Spread, half: float, z: float = Z_90) -> SampleSize | None:
    """Visits per branch for ±``half`` points; ``None`` without a spread to plan from."""
    if spread.sd is None:
        return None
    visits = visits_needed(spread.sd, half, z)
    return SampleSize(half, visits, half_width(spread.sd, visits, z), spread)


def period_of(starts_on: date, ends_on: date) -> str:
    """``quarter`` or ``month`` when a plan's period is a calendar quarter or month (as
    plans are), else ``period``: the word "per ..." of :func:`sentence`."""
    months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1
    whole = starts_on.day == 1 and (ends_on + timedelta(days=1)).day == 1
    if whole and months == 3 and starts_on.month % 3 == 1:
        return "quarter"
    if whole and months == 1:
        return "month"
    return "period"


def sentence(size: SampleSize, period: str = "quarter") -> str:
    """ "±5 points: 4 visits per branch per quarter" in the reader's language; ``period`` is
    ``quarter``, ``month`` or anything else for "per period"."""
    points = formats.decimal(size.half_width, 0 if size.half_width == int(size.half_width) else 1)
    n = size.visits
    if period == "quarter":
        text = ngettext(
            "±{points} points: {n} visit per branch per quarter",
            "±{points} points: {n} visits per branch per quarter",
            n,
        )
    elif period == "month":
        text = ngettext(
            "±{points} points: {n} visit per branch per month",
            "±{points} points: {n} visits per branch per month",
            n,
        )
    else:
        text = ngettext(
            "±{points} points: {n} visit per branch per period",
            "±{points} points: {n} visits per branch per period",
            n,
        )
    return text.format(points=points, n=formats.integer(n))
