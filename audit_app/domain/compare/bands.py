"""Ranks, the order of the table and tie bands derived from the ranking's own uncertainty."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from audit_app.domain.compare.variance import _shown

BAND_THRESHOLD = 0.95
"""A tie band ends once a branch is, with at least this probability, truly worse than the
band's first branch: the 90 % interval of their difference lies wholly on one side of 0,
the same 90 % as every interval in the comparison. (Against a neighbour only, dense tables
of 40 to 276 branches never split; against the band's first at 0.90, one draw in eight of
a chain with no real difference split.)"""

PairProbability = Callable[[int, np.ndarray], np.ndarray]
"""P(branch a is truly better than each branch of b), from the posterior normals."""


def competition_ranks(values: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) by ``values`` as shown (one decimal), highest first;
    0 for unranked branches. Estimates that show the same share a rank: ranks 1 to 58 for
    58 locations all showing 100.0 would order what the table says is equal."""
    ranks = np.zeros(len(values), dtype=int)
    if ranked.any():
        rounded = pd.Series(_shown(pd.Series(values[ranked])))
        ranks[ranked] = rounded.rank(method="min", ascending=False).to_numpy(dtype=int)
    return ranks


def standing_order(
    ranks: np.ndarray,
    estimate: np.ndarray,
    means: np.ndarray,
    audits: np.ndarray,
    codes: Sequence[str],
) -> list[int]:
    """Ranked branches by rank, then the unranked by estimate; ties by mean (highest
    first), then audits (most first); the code only after both."""
    keys = (
        np.asarray(codes, dtype=str),
        -np.asarray(audits, dtype=float),
        -np.round(means, 9),
        -np.round(estimate, 9),
        ranks,
        ranks == 0,
    )  # np.lexsort sorts by the last key first
    return np.lexsort(keys).tolist() if len(codes) else []


def better_than_next(
    ranked_order: Sequence[int],
    estimate: np.ndarray,
    variance: np.ndarray,
    shared: np.ndarray | None = None,
    df: int | None = None,
) -> dict[int, float]:
    """P(a branch is truly better than the next ranked one) from the posterior normals.

    ``shared`` is per neighbouring pair: the covariance of each branch's error with its
    successor's (both pulled toward the same target share its error).
    """
    if len(ranked_order) < 2:
        return {}
    upper, lower = np.asarray(ranked_order[:-1]), np.asarray(ranked_order[1:])
    probability = probability_better(upper, lower, estimate, variance, shared, df)
    return dict(zip(upper.tolist(), probability.tolist(), strict=True))


def probability_better(
    upper: np.ndarray,
    lower: np.ndarray,
    estimate: np.ndarray,
    variance: np.ndarray,
    covariance: np.ndarray | None = None,
    df: int | None = None,
) -> np.ndarray:
    """P(upper truly better than lower) for each pair. The variance of the difference is
    the sum of the two posterior variances minus twice their covariance; with ``df``
    below 100 the standardised gap is read on Student's t with the noise's degrees of
    freedom, as the intervals are."""
    gap = estimate[upper] - estimate[lower]
    spread = variance[upper] + variance[lower]
    if covariance is not None:
        spread = spread - 2 * covariance
    z = np.atleast_1d(gap / np.sqrt(np.clip(spread, 1e-12, None)))
    if df is not None and df < 100:
        from scipy.special import stdtr

        probability = np.asarray(stdtr(df, z), dtype=float)
    else:
        erfc = np.frompyfunc(math.erfc, 1, 1)
        probability = np.asarray(0.5 * erfc(-z / math.sqrt(2)), dtype=float)
    exact = np.atleast_1d(spread <= 1e-12)
    probability[exact] = np.where(np.atleast_1d(gap)[exact] > 1e-9, 1.0, 0.5)
    return probability


def tie_bands(
    ranked_order: Sequence[int],
    estimate: np.ndarray,
    better: dict[int, float],
    better_than: PairProbability,
) -> dict[int, int]:
    """Contiguous tie bands from the ranking's own uncertainty.

    Walking down the ranking, a band ends once a branch is truly worse than the band's
    first branch with probability >= :data:`BAND_THRESHOLD`. The new band then starts at
    the clearest gap between the two (the neighbours the branch above is most probably
    better than, ``better``), never between branches whose estimates show the same (one
    decimal); the walk resumes from the new band's first branch, so no branch in a band is
    clearly worse than its first.

    ``estimate`` is each estimate as the table shows it, on the scale: two estimates past
    the same end both show 0.0 (or 100.0), so no band may start between them.
    """
    if not ranked_order:
        return {}
    order = list(ranked_order)
    positions = np.asarray(order)
    shown = _shown(pd.Series(estimate[order])).tolist()
    bands = {order[0]: 1}
    band, start, k = 1, 0, 1
    while k < len(order):
        # The first branch from k on that is clearly worse than the band's first.
        clearly = better_than(order[start], positions[k:]) >= BAND_THRESHOLD
        hit = k + int(np.argmax(clearly)) if clearly.any() else len(order)
        cuts = [
            j for j in range(start + 1, min(hit, len(order) - 1) + 1) if shown[j] != shown[j - 1]
        ]
        for m in range(k, hit):
            bands[order[m]] = band
        if hit == len(order) or not cuts:
            if hit < len(order):  # no allowed cut: equal shown estimates all the way
                bands[order[hit]] = band
            k = hit + 1
            continue
        start = max(cuts, key=lambda j: (better.get(order[j - 1], 0.0), j))
        band += 1
        bands[order[start]] = band
        k = start + 1
    return bands
