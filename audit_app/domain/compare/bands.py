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
    unranked = (ranks == 0).tolist()
    rank_list, est, mean, n = (
        ranks.tolist(),
        np.round(estimate, 9).tolist(),
        np.round(means, 9).tolist(),
        audits.tolist(),
    )
    return sorted(
        range(len(codes)),
        key=lambda i: (unranked[i], rank_list[i], -est[i], -mean[i], -n[i], codes[i]),
    )


def better_than_next(
    ranked_order: Sequence[int],
    estimate: np.ndarray,
    variance: np.ndarray,
    shared: np.ndarray | None = None,
) -> dict[int, float]:
    """P(a branch is truly better than the next ranked one) from the posterior normals.

    The variance of the difference is the sum of the two posterior variances minus
    ``2 x shared`` when both are pulled toward the same target (their estimates share its
    error); ``shared`` is per pair: pass the covariance of each branch with its successor.
    """
    out: dict[int, float] = {}
    for position, (upper, lower) in enumerate(zip(ranked_order, ranked_order[1:], strict=False)):
        gap = float(estimate[upper] - estimate[lower])
        spread = float(variance[upper] + variance[lower])
        if shared is not None:
            spread -= 2 * float(shared[position])
        if spread <= 1e-12:
            out[upper] = 1.0 if gap > 1e-9 else 0.5
        else:
            out[upper] = 0.5 * math.erfc(-gap / math.sqrt(2 * spread))
    return out


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
