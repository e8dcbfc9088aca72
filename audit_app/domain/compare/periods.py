"""Period effects: how much a whole wave, month or quarter scored above or below the others,
estimated within branches so that branches visited only in good periods do not look better.

The model of one score is ``y = level_b + effect_p + noise``. The period effects are the
least-squares fit with every branch's level as a free parameter ("absorbed"), so only
comparisons inside a branch (the same store in two periods) inform them; the noise
variance is what is left, with ``N - B - (P - 1)`` degrees of freedom when the periods are
connected through branches visited in several of them.

Everything is computed from sufficient statistics per branch x period (count, sum, sum of
squares), so the database or a summary table can add them up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from audit_app.domain.compare.variance import _TINY

PERIOD_CELL_COLUMNS = ["branch_code", "period", "n", "sum", "sum_sq"]


@dataclass(frozen=True)
class PeriodFit:
    """Period effects and the noise left after branch levels and period effects."""

    periods: tuple[str, ...]
    """Period labels in order."""
    effects: np.ndarray
    """Points above (+) or below (-) the audit-weighted average period, one per period."""
    effect_se: np.ndarray
    """Standard error of each effect (NaN when the noise cannot be estimated)."""
    audits_per_period: np.ndarray
    branches: tuple[str, ...]
    """Branch codes in the order of the arrays below."""
    n: np.ndarray
    """Audits per branch."""
    raw_means: np.ndarray
    """Each branch's plain mean."""
    adjusted_means: np.ndarray
    """Each branch's mean with the effects of the periods it was visited in removed."""
    within: float | None
    """Noise variance net of branch levels and period effects (None without replicates)."""
    df_within: int
    """Its degrees of freedom: audits - branches - estimable period contrasts."""
    estimable: int
    """Number of period contrasts the data can estimate (P - 1 when connected)."""

    @property
    def adjusted(self) -> bool:
        return self.estimable > 0


def fit_periods(cells: pd.DataFrame, *, adjust: bool = True) -> PeriodFit:
    """Fit ``y = level_b + effect_p + noise`` from per branch x period sums.

    ``cells`` has :data:`PERIOD_CELL_COLUMNS`. With ``adjust=False`` (or a single period)
    the effects are all 0 and this is the one-way model of :mod:`variance`.
    """
    cells = cells[cells["n"] > 0]
    branch_codes, b_index = np.unique(
        cells["branch_code"].to_numpy().astype(str), return_inverse=True
    )
    period_labels, p_index = np.unique(cells["period"].to_numpy().astype(str), return_inverse=True)
    count = np.zeros((len(branch_codes), len(period_labels)))
    sums = np.zeros_like(count)
    np.add.at(count, (b_index, p_index), cells["n"].to_numpy(dtype=float))
    np.add.at(sums, (b_index, p_index), cells["sum"].to_numpy(dtype=float))
    sum_sq = float(cells["sum_sq"].to_numpy(dtype=float).sum())
    n_b = count.sum(axis=1)
    s_b = sums.sum(axis=1)
    n_p = count.sum(axis=0)
    total = float(n_b.sum())
    raw_means = np.divide(s_b, n_b, out=np.zeros_like(s_b), where=n_b > 0)
    ss_branch = float(np.sum(s_b * raw_means))
    effects = np.zeros(len(period_labels))
    cov = np.zeros((len(period_labels), len(period_labels)))
    explained, estimable = 0.0, 0
    if adjust and len(period_labels) > 1 and len(branch_codes) > 0:
        # Normal equations of the period effects with the branch levels absorbed.
        reduced = np.diag(n_p) - (count.T / n_b) @ count
        rhs = sums.sum(axis=0) - count.T @ raw_means
        estimable = int(np.linalg.matrix_rank(reduced, tol=1e-8 * max(1.0, float(n_p.max()))))
        if estimable:
            cov = np.linalg.pinv(reduced, rcond=1e-10, hermitian=True)
            solution = cov @ rhs
            explained = float(solution @ rhs)
            centre = float(n_p @ solution) / total
            effects = solution - centre
            # Effects against the audit-weighted average period: c = (I - 1 w') solution.
            centring = np.eye(len(period_labels)) - np.outer(
                np.ones(len(period_labels)), n_p / total
            )
            cov = centring @ cov @ centring.T
    df = int(total) - len(branch_codes) - estimable
    within: float | None = None
    if df > 0:
        within = max(sum_sq - ss_branch - explained, 0.0) / df
        within = 0.0 if within < _TINY else within
    se = (
        np.sqrt(np.clip(np.diag(cov), 0, None) * within)
        if within is not None and estimable
        else np.full(len(period_labels), np.nan)
    )
    if not estimable:
        se = np.where(n_p > 0, se, np.nan)
    adjusted = raw_means - np.divide(count @ effects, n_b, out=np.zeros_like(s_b), where=n_b > 0)
    return PeriodFit(
        periods=tuple(str(p) for p in period_labels),
        effects=effects,
        effect_se=se,
        audits_per_period=n_p.astype(int),
        branches=tuple(str(b) for b in branch_codes),
        n=n_b,
        raw_means=raw_means,
        adjusted_means=adjusted,
        within=within,
        df_within=max(df, 0),
        estimable=estimable,
    )


def period_cells(frame: pd.DataFrame, value: str = "overall") -> pd.DataFrame:
    """Per branch x period sums of ``value`` from rows with ``branch_code`` and ``period``."""
    scored = frame[frame[value].notna()]
    values = scored[value].to_numpy(dtype=float)
    grouped = (
        pd.DataFrame(
            {
                "branch_code": scored["branch_code"].to_numpy(),
                "period": scored["period"].to_numpy(),
                "v": values,
                "v2": values**2,
            }
        )
        .groupby(["branch_code", "period"], sort=True)
        .agg(n=("v", "size"), sum=("v", "sum"), sum_sq=("v2", "sum"))
        .reset_index()
    )
    return grouped[PERIOD_CELL_COLUMNS]
