"""Ranks, the order of the table and tie bands derived from the ranking's own uncertainty."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from audit_app.domain.compare.variance import _shown

BAND_THRESHOLD = 0.90
"""A new tie band starts below a branch only when the probability that it is truly better
than the next ranked branch reaches this value."""


def competition_ranks(values: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """Competition ranks (1, 2, 2, 4) by ``values`` (rounded to 9 decimals), highest first;
    0 for unranked branches."""
    ranks = np.zeros(len(values), dtype=int)
    if ranked.any():
        rounded = pd.Series(np.round(values[ranked], 9))
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

    The variance of the difference is the sum of the two posterior variances minus
    ``2 x shared`` when both are pulled toward the same target (their estimates share its
    error); ``shared`` is per pair: pass the covariance of each branch with its successor.
    With ``df`` below 100 the standardised gap is read on Student's t with the noise's
    degrees of freedom, as the intervals are.
    """
    if len(ranked_order) < 2:
        return {}
    upper, lower = np.asarray(ranked_order[:-1]), np.asarray(ranked_order[1:])
    gap = estimate[upper] - estimate[lower]
    spread = variance[upper] + variance[lower]
    if shared is not None:
        spread = spread - 2 * shared
    z = gap / np.sqrt(np.clip(spread, 1e-12, None))
    if df is not None and df < 100:
        from scipy.special import stdtr

        probability = np.asarray(stdtr(df, z), dtype=float)
    else:
        erfc = np.frompyfunc(math.erfc, 1, 1)
        probability = 0.5 * erfc(-z / math.sqrt(2)).astype(float)
    exact = spread <= 1e-12
    probability[exact] = np.where(gap[exact] > 1e-9, 1.0, 0.5)
    return dict(zip(upper.tolist(), probability.tolist(), strict=True))


def tie_bands(
    ranked_order: Sequence[int], estimate: np.ndarray, better: dict[int, float]
) -> dict[int, int]:
    """Walk down the ranking; a new band starts at a branch only when the branch above it is
    truly better with probability >= :data:`BAND_THRESHOLD`, and never between branches
    whose estimates show the same (one decimal)."""
    if not ranked_order:
        return {}
    shown = _shown(pd.Series(estimate[list(ranked_order)])).tolist()
    bands = {ranked_order[0]: 1}
    band = 1
    for k in range(1, len(ranked_order)):
        above, here = ranked_order[k - 1], ranked_order[k]
        if better.get(above, 0.0) >= BAND_THRESHOLD and shown[k] != shown[k - 1]:
            band += 1
        bands[here] = band
    return bands
