"""Empirical-Bayes shrinkage of branch levels toward a target (the chain, or the branch's
group pulled toward the chain), with the posterior variance of every estimate.

The model: a branch's period-adjusted mean ``y_b`` is its true level ``theta_b`` plus noise
of variance ``v_b`` (known up to the noise variance); ``theta_b`` is its group's level
``mu_g`` plus a branch effect of variance ``B``; ``mu_g`` is the chain's level ``M`` plus a
group effect of variance ``G``. ``B`` and ``G`` are estimated by the method of moments, the
levels by precision-weighted means. The posterior of ``theta_b``::

    estimate = target + lambda (y - target),  lambda = B / (B + v)
    variance = lambda v + (1 - lambda)^2 Var(target) + 2 / (k - 3) (1 - lambda)^2 (y - target)^2
    1 - lambda = (k - 3) / (k - 1) x v / (v + B)

The middle term is the uncertainty of the target; the factor (k - 3) / (k - 1) and the last
term are Morris's (1983) allowance for ``B`` being estimated from ``k`` branches (with ``r``
group levels fitted, k - r - 2 and k - r in place of k - 3 and k - 1): a branch is never
pulled all the way to the target on an estimate of B that may be too small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from audit_app.domain.compare.variance import _TINY

GROUP_TEST_LEVEL = 0.10
"""Groups "differ" when a one-way F test on the branches' adjusted means rejects equal
group levels at this level."""


@dataclass(frozen=True)
class GroupTest:
    """One-way F test of equal group levels on the branches' adjusted means."""

    groups: int
    f: float | None
    p: float | None
    """None with fewer than two groups or no branch sharing a group."""

    @property
    def differ(self) -> bool:
        return self.p is not None and self.p < GROUP_TEST_LEVEL


@dataclass(frozen=True)
class Shrinkage:
    """Posterior estimates of the branches' true levels."""

    estimate: np.ndarray
    variance: np.ndarray
    """Posterior variance of each estimate."""
    target: np.ndarray
    """The level each branch is pulled toward (its group's, or the chain's)."""
    target_variance: np.ndarray
    weight: np.ndarray
    """lambda: the weight of the branch's own mean (1 = not shrunk)."""
    between: float
    """B: variance of the branches' true levels around their target (>= 0)."""
    raw_between: float
    """B before truncation at 0."""
    group_variance: float | None
    """G: variance of the group levels around the chain (None without groups)."""
    chain: float
    """M: the chain's level."""


def raw_between(y: np.ndarray, v: np.ndarray, group: np.ndarray) -> float:
    """Method-of-moments variance of the true levels around their groups' levels.

    With unweighted group means, E sum (y - mean_g)^2 = B sum (k_g - 1) + sum_g (1 - 1/k_g)
    sum v: the spread of the means minus what the noise alone would give. One group gives
    the chain's estimator var(y) - mean(v).
    """
    sizes = np.bincount(group).astype(float)
    dof = float(np.sum(sizes - 1))
    if dof <= 0:
        return float("nan")
    means = np.bincount(group, weights=y) / np.where(sizes > 0, sizes, 1)
    spread = float(np.sum((y - means[group]) ** 2))
    noise = float(np.sum((1 - 1 / sizes[group]) * v))
    value = (spread - noise) / dof
    return 0.0 if abs(value) < _TINY else value


def shrink(y: np.ndarray, v: np.ndarray, group: np.ndarray | None = None) -> Shrinkage:
    """Posterior estimates; ``group`` holds each branch's group index (None: the chain)."""
    k = len(y)
    if group is None or k == 0:
        group = np.zeros(k, dtype=int)
    raw = raw_between(y, v, group)
    between = max(raw, 0.0) if raw == raw else 0.0
    # Group levels: precision-weighted means of their branches.
    precision = _precision(between + v)
    groups = int(group.max()) + 1 if k else 0
    level_weight = np.bincount(group, weights=precision, minlength=groups)
    levels = np.bincount(group, weights=precision * y, minlength=groups) / level_weight
    level_var = 1 / level_weight
    group_variance: float | None = None
    if groups > 1:
        group_variance = max(raw_between(levels, level_var, np.zeros(groups, dtype=int)), 0.0)
        chain_precision = _precision(group_variance + level_var)
        chain = float(np.sum(chain_precision * levels) / np.sum(chain_precision))
        chain_var = 1 / float(np.sum(chain_precision))
        pull = _ratio(group_variance, group_variance + level_var)
        targets = chain + pull * (levels - chain)
        target_var = pull * level_var + (1 - pull) ** 2 * chain_var
    else:
        chain = float(levels[0]) if groups else float("nan")
        targets, target_var = levels, level_var
    target = targets[group]
    # Morris: the share given to the target, v / (v + B), times (k - r - 2) / (k - r) for B
    # estimated from k branches around r fitted levels (none with r + 2 branches or fewer).
    fitted = max(groups, 1)
    room = k - fitted - 2
    factor = room / (k - fitted) if room > 0 else 0.0
    pulled = factor * _ratio(v, between + v) if room > 0 else np.zeros(k)
    weight = 1 - pulled
    estimate = target + weight * (y - target)
    variance = weight * v + pulled**2 * target_var[group]
    if room > 0:
        variance = variance + 2 / room * pulled**2 * (y - target) ** 2
    return Shrinkage(
        estimate=estimate,
        variance=variance,
        target=target,
        target_variance=target_var[group],
        weight=weight,
        between=between,
        raw_between=raw,
        group_variance=group_variance,
        chain=chain,
    )


def compare_groups(y: np.ndarray, group: np.ndarray) -> GroupTest:
    """One-way F test on the branch means by group: between-group mean square over the
    within-group mean square, each branch one observation."""
    k = len(y)
    sizes = np.bincount(group).astype(float) if k else np.zeros(0)
    groups = int(np.sum(sizes > 0))
    if groups < 2 or k - groups < 1:
        return GroupTest(groups, None, None)
    means = np.bincount(group, weights=y) / np.where(sizes > 0, sizes, 1)
    grand = float(np.mean(y))
    between = float(np.sum(sizes * (means - grand) ** 2)) / (groups - 1)
    within = float(np.sum((y - means[group]) ** 2)) / (k - groups)
    if within < _TINY:
        return GroupTest(groups, None, 0.0 if between > _TINY else 1.0)
    f = between / within
    return GroupTest(groups, f, f_tail(f, groups - 1, k - groups))


def f_tail(f: float, d1: int, d2: int) -> float:
    """P(F(d1, d2) > f): scipy below 100 denominator degrees of freedom, Paulson's normal
    approximation (accurate to about 0.002 there) above, which spares the import."""
    if d2 < 100:
        from scipy.special import fdtrc

        return float(fdtrc(d1, d2, f))
    a, b = 2 / (9 * d1), 2 / (9 * d2)
    cube = f ** (1 / 3)
    z = ((1 - b) * cube - (1 - a)) / math.sqrt(b * cube**2 + a)
    return 0.5 * math.erfc(z / math.sqrt(2))


def _ratio(top: float | np.ndarray, bottom: np.ndarray | float) -> np.ndarray:
    """top / bottom, 0 where the bottom is 0 (no spread and no noise: nothing to weigh)."""
    top_arr = np.broadcast_to(np.asarray(top, dtype=float), np.shape(bottom))
    bottom_arr = np.asarray(bottom, dtype=float)
    return np.divide(top_arr, bottom_arr, out=np.zeros(np.shape(bottom)), where=bottom_arr > 0)


def _precision(variance: np.ndarray) -> np.ndarray:
    """1 / variance; equal weights when every variance is 0 (all exact)."""
    variance = np.asarray(variance, dtype=float)
    if np.all(variance <= _TINY):
        return np.ones_like(variance)
    return 1 / np.maximum(variance, _TINY)
