"""Hierarchical Bayes shrinkage of branch levels toward a target (the chain, or the
branch's group pulled toward the chain), with the posterior variance of every estimate.

The model: a branch's period-adjusted mean ``y_b`` is its true level ``theta_b`` plus noise
of variance ``v_b`` (known up to the noise variance); ``theta_b`` is its group's level
``mu_g`` plus a branch effect of variance ``B = tau²``; ``mu_g`` is the chain's level ``M``
plus a group effect of variance ``G = gamma²``. For given ``tau`` and ``gamma`` the
posterior of ``theta_b`` is normal::

    estimate = target + lambda (y - target),  lambda = B / (B + v)
    variance = lambda v + (1 - lambda)^2 Var(target)

``tau`` and ``gamma`` get flat priors and are integrated out on a grid (the chain and group
levels analytically): the estimate and its variance average these normal results over the
grid's posterior weights. A ``B`` the data barely pin down (few branches) so widens the
intervals instead of pulling every branch all the way to the target on an estimate of
``B`` that may be too small; the method-of-moments ``B`` is kept to decide whether the
branches differ detectably at all (``raw_between``).
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


GRID_POINTS = 40
"""Grid points per variance (the branch SD, and the group SD with groups), twice: once over
the plausible range, once refined where the posterior lies."""


def shrink(y: np.ndarray, v: np.ndarray, group: np.ndarray | None = None) -> Shrinkage:
    """Posterior estimates of the true levels; ``group`` holds each branch's group index
    (None: the chain is every branch's target).

    The branch SD ``tau`` and the group SD ``gamma`` get flat priors and are integrated out
    on a grid (the chain level and the group levels analytically): the posterior mean and
    variance of each level average the exact normal results over the grid's weights, so an
    uncertain ``B`` widens the intervals instead of being taken at its estimate.
    """
    k = len(y)
    if group is None or k == 0:
        group = np.zeros(k, dtype=int)
    groups = int(group.max()) + 1 if k else 0
    raw = raw_between(y, v, group)
    if k == 0:
        empty = np.zeros(0)
        return Shrinkage(empty, empty, empty, empty, empty, 0.0, raw, None, float("nan"))
    spread = float(np.std(y, ddof=1)) if k > 1 else 0.0
    scale = max(spread, float(np.sqrt(np.mean(v))), 1e-6)
    taus = np.linspace(0.0, 3 * scale, GRID_POINTS)
    level_sd = _group_spread(y, group, groups, scale)
    gammas = np.linspace(0.0, 3 * level_sd, GRID_POINTS) if groups > 1 else np.zeros(1)
    weights = _grid_weights(y, v, group, groups, taus, gammas)
    taus = _refine(taus, weights.sum(axis=1))
    if groups > 1:
        gammas = _refine(gammas, weights.sum(axis=0))
    weights = _grid_weights(y, v, group, groups, taus, gammas)
    return _posterior(y, v, group, groups, taus, gammas, weights, raw)


def _group_spread(y: np.ndarray, group: np.ndarray, groups: int, scale: float) -> float:
    if groups < 2:
        return scale
    sizes = np.bincount(group, minlength=groups)
    means = np.bincount(group, weights=y, minlength=groups) / np.maximum(sizes, 1)
    return max(float(np.std(means, ddof=1)), 1e-6)


def _refine(grid: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """The same number of points over the part of ``grid`` holding the posterior (one step
    more on each side)."""
    held = np.flatnonzero(weight > 1e-6 * weight.max())
    step = grid[1] - grid[0] if len(grid) > 1 else 0.0
    low = max(grid[held[0]] - step, 0.0)
    high = grid[held[-1]] + step
    return np.linspace(low, high, len(grid))


def _levels(
    y: np.ndarray, v: np.ndarray, group: np.ndarray, groups: int, taus: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per tau: the branch weights 1 / (tau² + v), the groups' precision-weighted means and
    their variances, and the log likelihood of the branches around their group means."""
    noise = np.maximum(taus[:, None] ** 2 + v[None, :], _TINY)
    precision = 1 / noise
    rows = np.arange(len(taus))[:, None] * groups + group[None, :]
    size = len(taus) * groups
    total = np.bincount(rows.ravel(), weights=precision.ravel(), minlength=size)
    level_var = 1 / total.reshape(len(taus), groups)
    summed = np.bincount(rows.ravel(), weights=(precision * y).ravel(), minlength=size)
    level = summed.reshape(len(taus), groups) * level_var
    residual = y[None, :] - np.take_along_axis(level, np.broadcast_to(group, noise.shape), 1)
    loglik = (
        -0.5 * np.log(noise).sum(axis=1)
        - 0.5 * (residual**2 * precision).sum(axis=1)
        + 0.5 * np.log(level_var).sum(axis=1)
    )
    return precision, level, level_var, loglik


def _chain_terms(
    level: np.ndarray, level_var: np.ndarray, gammas: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per tau x gamma: the chain level, its variance, the log likelihood of the group
    levels around it, and the spread term G + V_g (shape tau x gamma x group)."""
    spread = np.maximum(gammas[None, :, None] ** 2 + level_var[:, None, :], _TINY)
    inverse = 1 / spread
    chain_var = 1 / inverse.sum(axis=2)
    chain = (inverse * level[:, None, :]).sum(axis=2) * chain_var
    loglik = (
        -0.5 * np.log(spread).sum(axis=2)
        - 0.5 * (((level[:, None, :] - chain[:, :, None]) ** 2) * inverse).sum(axis=2)
        + 0.5 * np.log(chain_var)
    )
    return chain, chain_var, loglik, spread


def _grid_weights(
    y: np.ndarray,
    v: np.ndarray,
    group: np.ndarray,
    groups: int,
    taus: np.ndarray,
    gammas: np.ndarray,
) -> np.ndarray:
    """Posterior weights of the grid points (tau x gamma), flat priors on both SDs."""
    _, level, level_var, loglik = _levels(y, v, group, groups, taus)
    if groups > 1:
        loglik = loglik[:, None] + _chain_terms(level, level_var, gammas)[2]
    else:
        loglik = loglik[:, None]
    weights = np.exp(loglik - loglik.max())
    return weights / weights.sum()


def _posterior(
    y: np.ndarray,
    v: np.ndarray,
    group: np.ndarray,
    groups: int,
    taus: np.ndarray,
    gammas: np.ndarray,
    weights: np.ndarray,
    raw: float,
) -> Shrinkage:
    """Average the normal posteriors over the grid: per (tau, gamma) a branch's level has
    mean t + lambda (y - t) and variance lambda v + (1 - lambda)^2 Var(t), where t is its
    group's posterior level (or the chain's)."""
    _, level, level_var, _ = _levels(y, v, group, groups, taus)
    if groups > 1:
        chain, chain_var, _, spread = _chain_terms(level, level_var, gammas)
        pull = gammas[None, :, None] ** 2 / spread
        target = chain[:, :, None] + pull * (level[:, None, :] - chain[:, :, None])
        target_var = pull * level_var[:, None, :] + (1 - pull) ** 2 * chain_var[:, :, None]
        w = weights[:, :, None]
        first = (w * target).sum(axis=1)  # tau x group
        second = (w * (target**2 + target_var)).sum(axis=1)
        chain_mean = float((weights * chain).sum())
        group_variance: float | None = float((weights.sum(axis=0) * gammas**2).sum())
    else:
        first = weights[:, 0][:, None] * level
        second = weights[:, 0][:, None] * (level**2 + level_var)
        chain_mean = float(first.sum())
        group_variance = None
    by_tau = weights.sum(axis=1)
    lam = taus[:, None] ** 2 / np.maximum(taus[:, None] ** 2 + v[None, :], _TINY)
    lam = np.where(taus[:, None] ** 2 + v[None, :] > _TINY, lam, 0.0)
    a1 = first[:, group]  # tau x branch: weighted E[target]
    a2 = second[:, group]
    w_tau = by_tau[:, None]
    mean = (w_tau * lam * y + (1 - lam) * a1).sum(axis=0)
    moment = (
        w_tau * (lam * v + lam**2 * y**2) + 2 * lam * (1 - lam) * y * a1 + (1 - lam) ** 2 * a2
    ).sum(axis=0)
    variance = np.clip(moment - mean**2, 0, None)
    target_mean = first.sum(axis=0)[group]
    target_variance = np.clip(second.sum(axis=0)[group] - target_mean**2, 0, None)
    return Shrinkage(
        estimate=mean,
        variance=variance,
        target=target_mean,
        target_variance=target_variance,
        weight=(w_tau * lam).sum(axis=0),
        between=float((by_tau * taus**2).sum()),
        raw_between=raw,
        group_variance=group_variance,
        chain=chain_mean,
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
