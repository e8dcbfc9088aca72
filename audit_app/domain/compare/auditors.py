"""Auditor effects: how many points an auditor gives above or below the average auditor on
the same branches (and, when periods are given, in the same periods: an auditor who only
worked in a good wave is not called lenient)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.periods import align_periods
from audit_app.domain.compare.variance import t_quantile
from audit_app.domain.compare.words import num
from audit_app.i18n import _, ngettext

_PERIOD = "__period"

# ---------------------------------------------------------------------------
# Auditor effects
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditorEffect:
    auditor: str
    audits: int
    branches: int
    leniency: float | None
    """Points above (+) or below (-) the average auditor on the same branches."""
    low: float | None
    high: float | None
    flagged: bool
    """The 90 % interval excludes 0: this auditor scores clearly more or less kindly."""
    identified: bool
    note: str


@dataclass(frozen=True)
class AuditorEffects:
    rows: tuple[AuditorEffect, ...]
    """Most lenient first; auditors whose effect cannot be estimated last."""
    residual_sd: float | None
    df: int
    method: str
    notices: tuple[Notice, ...] = ()


def estimate_auditor_effects(
    audits: pd.DataFrame, period_of: pd.Series | None = None
) -> AuditorEffects:
    """Fit overall ~ branch + auditor (+ period) (+ checklist) by least squares and report
    each auditor's leniency with a 90 % interval.

    ``period_of``: the period label (wave, month, quarter) of each audit, indexed like
    ``audits`` (e.g. ``period_labels(audits["visited_at"], "month")``) or by audit id. With it, the
    periods enter the fit as their own effects, so a wave that scored high for everyone is
    not taken for the leniency of the auditors who worked in it; an auditor whose visits
    cannot be told apart from their periods' level (the only auditor of a wave) is
    reported as not identified.

    Branch effects are absorbed by centring every column within its branch, so only
    differences between auditors on the same branches count. Auditors are coded
    against the audit-weighted average auditor (a leniency is points above or below what
    the typical visit would have given). Auditors are comparable
    only when visits connect them: the branch-auditor graph is split into connected
    groups, the effects are fitted in the group with most audits, and an auditor outside
    it is reported as not identified (e.g. one who only visited branches nobody else did).
    """
    has_score = audits["overall"].notna()
    scored = audits[has_score]
    by_period = period_of is not None
    if period_of is not None:
        periods = align_periods(period_of, audits)[has_score].astype(str).to_numpy()
        scored = scored.assign(**{_PERIOD: periods})
    scored = scored.reset_index(drop=True)
    if scored.empty:
        return AuditorEffects((), None, 0, "No scored audits.")
    main = _main_connected_group(scored)
    fitted = scored[main].reset_index(drop=True)
    names = sorted(fitted["auditor"].unique())
    effects: dict[str, tuple[float, float, float]] = {}
    residual_sd, df = None, 0
    if len(names) >= 2:
        effects, residual_sd, df = _fit_auditors(fitted, names, by_period=by_period)
    # Counts per auditor in one pass: taking each auditor's rows out of the frame costs
    # seconds on a year of a 5,000-branch chain (#21).
    per_auditor = scored.groupby("auditor", sort=True)["branch_code"].agg(["size", "nunique"])
    fitted_names = set(names)
    rows = [
        _auditor_row(
            str(name),
            int(counts["size"]),
            int(counts["nunique"]),
            effects.get(str(name)),
            name in fitted_names,
            len(names),
        )
        for name, counts in per_auditor.iterrows()
    ]
    rows.sort(key=lambda r: (r.leniency is None, -(r.leniency or 0.0), r.auditor))
    confounded = [
        r.auditor for r in rows if (fit := effects.get(r.auditor)) is not None and np.isnan(fit[0])
    ]
    notices = (
        (
            Notice(
                "auditors_not_connected",
                ngettext(
                    "{count} auditor ({names}) worked only in periods (or with checklists) no "
                    "other auditor's visits connect to: their leniency cannot be told apart "
                    "from those periods' level and is not shown.",
                    "{count} auditors ({names}) worked only in periods (or with checklists) no "
                    "other auditor's visits connect to: their leniency cannot be told apart "
                    "from those periods' level and is not shown.",
                    len(confounded),
                ).format(count=len(confounded), names=", ".join(confounded)),
            ),
        )
        if confounded
        else ()
    )
    method = _auditor_method(len(names), df, by_period=by_period)
    return AuditorEffects(tuple(rows), residual_sd, df, method, notices)


def _main_connected_group(scored: pd.DataFrame) -> np.ndarray:
    """Mask of the audits in the largest (by audits) connected group of branches and
    auditors, where a visit links its branch and its auditor."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    # Codes by hashing (factorize), not by sorting text: the graph needs no order.
    branch_index, branch_codes = pd.factorize(scored["branch_code"], use_na_sentinel=False)
    auditor_index, _ = pd.factorize(scored["auditor"], use_na_sentinel=False)
    offset = len(branch_codes)
    nodes = offset + int(auditor_index.max()) + 1
    graph = sparse.coo_matrix(
        (np.ones(len(scored)), (branch_index, offset + auditor_index)), shape=(nodes, nodes)
    )
    _, labels = connected_components(graph, directed=False)
    group_of_audit = labels[branch_index]
    sizes = np.bincount(group_of_audit)
    # Of groups equally large, the one with the first branch code (as when the codes were
    # sorted), not the one whose audit came first: the choice must not follow row order.
    tied = np.isin(labels[:offset], np.flatnonzero(sizes == sizes.max()))
    rank = np.empty(offset, dtype=np.int64)
    rank[np.argsort(np.asarray(branch_codes, dtype=object), kind="stable")] = np.arange(offset)
    biggest = labels[:offset][tied][np.argmin(rank[tied])]
    return group_of_audit == biggest


def _fit_auditors(
    fitted: pd.DataFrame, names: list[str], *, by_period: bool = False
) -> tuple[dict[str, tuple[float, float, float]], float | None, int]:
    """Within-branch least squares; returns {auditor: (leniency, low, high)}, residual SD, df.
    An auditor whose leniency is not estimable (confounded with periods) gets (nan, nan,
    nan).

    Solved through the normal equations of the branch-centred design, built from sparse
    indicator matrices (M: auditor and checklist columns, G: branches), so the cost grows
    with the number of audits, not with audits x auditors:
    X'X = K' (M'M - M'G diag(1/n) G'M) K and X'y = K' (M'y - M'G diag(1/n) G'y), where K
    turns one column per auditor into sum-to-zero coding.
    """
    from scipy import sparse

    n, auditors = len(fitted), len(names)
    indicators = _effect_indicators(fitted, names, by_period=by_period)
    width = indicators.shape[1]
    rows = np.arange(n)
    branch_index = pd.factorize(fitted["branch_code"])[0]
    branches = int(branch_index.max()) + 1
    groups = sparse.csr_matrix((np.ones(n), (rows, branch_index)), shape=(n, branches))
    y = fitted["overall"].to_numpy(dtype=float)
    counts = np.asarray(groups.sum(axis=0)).ravel()
    per_branch = (indicators.T @ groups).tocsr()
    scaled = per_branch.multiply(1 / counts[None, :]).tocsr()
    branch_y = groups.T @ y
    cross = (indicators.T @ indicators).toarray() - (scaled @ per_branch.T).toarray()
    rhs_full = indicators.T @ y - scaled @ branch_y
    centred_yy = float(y @ y - np.sum(branch_y**2 / counts))
    coding = np.zeros((width, width - 1))
    coding[: auditors - 1, : auditors - 1] = np.eye(auditors - 1)
    coding[auditors - 1, : auditors - 1] = -1.0
    coding[auditors:, auditors - 1 :] = np.eye(width - auditors)
    normal = coding.T @ cross @ coding
    rhs = coding.T @ rhs_full
    inverse = np.linalg.pinv(normal)
    beta = inverse @ rhs
    # Leniency against the audit-weighted average of the identified auditors: an auditor
    # with one odd visit must not move everyone else's reference point, and one whose
    # leniency the data cannot tell apart from a period's level must not move it either.
    counts = pd.Categorical(fitted["auditor"], categories=names).value_counts().to_numpy()
    auditor_coding = coding[:auditors, : auditors - 1]
    reference = np.eye(auditors)[int(np.argmax(counts))]
    estimable = _estimable(normal, (np.eye(auditors) - reference) @ auditor_coding)
    share = counts * estimable / float(np.sum(counts * estimable))
    centring = np.eye(auditors) - np.outer(np.ones(auditors), share)
    contrast = centring @ auditor_coding
    leniency = contrast @ beta[: auditors - 1]
    df = n - branches - int(np.linalg.matrix_rank(normal))
    if df <= 0:
        unsure = {
            name: (float(e) if ok else np.nan, np.nan, np.nan)
            for name, e, ok in zip(names, leniency, estimable, strict=True)
        }
        return unsure, None, 0
    sigma2 = max(centred_yy - float(beta @ rhs), 0.0) / df
    covariance = sigma2 * inverse[: auditors - 1, : auditors - 1]
    se = np.sqrt(np.clip(np.diag(contrast @ covariance @ contrast.T), 0, None))
    half = t_quantile(df) * se
    effects = {
        name: (float(e), float(e - h), float(e + h)) if ok else (np.nan, np.nan, np.nan)
        for name, e, h, ok in zip(names, leniency, half, estimable, strict=True)
    }
    return effects, float(np.sqrt(sigma2)), df


def _estimable(normal: np.ndarray, contrast: np.ndarray) -> np.ndarray:
    """Per row of ``contrast`` (here: each auditor minus the busiest auditor): is it
    orthogonal to the null space of the normal matrix, i.e. identified by the data and not
    by pinv's choice?"""
    values, vectors = np.linalg.eigh(normal)
    null = vectors[:, values <= 1e-9 * max(1.0, float(values.max(initial=0.0)))]
    if null.shape[1] == 0:
        return np.ones(len(contrast), dtype=bool)
    padded = np.zeros((len(contrast), normal.shape[0]))
    padded[:, : contrast.shape[1]] = contrast
    return np.abs(padded @ null).max(axis=1) < 1e-6


def _effect_indicators(fitted: pd.DataFrame, names: list[str], *, by_period: bool = False) -> Any:
    """Sparse 0/1 columns: one per auditor, then one per checklist after the first, then
    (``by_period``) one per period after the first."""
    from scipy import sparse

    n, auditors = len(fitted), len(names)
    rows = np.arange(n)
    auditor_column = pd.Categorical(fitted["auditor"], categories=names).codes.astype(int)
    row_parts, column_parts, width = [rows], [auditor_column], auditors
    factors = ["checklist_id", _PERIOD] if by_period else ["checklist_id"]
    for factor in factors:
        levels = sorted(fitted[factor].unique())
        index = pd.Categorical(fitted[factor], categories=levels).codes.astype(int)
        has = index > 0
        row_parts.append(rows[has])
        column_parts.append(width - 1 + index[has])
        width += len(levels) - 1
    row_index = np.concatenate(row_parts)
    return sparse.csr_matrix(
        (np.ones(len(row_index)), (row_index, np.concatenate(column_parts))),
        shape=(n, width),
    )


def _auditor_row(
    name: str,
    audits: int,
    branches: int,
    effect: tuple[float, float, float] | None,
    in_main_group: bool,
    fitted_auditors: int,
) -> AuditorEffect:
    if effect is None:
        if not in_main_group:
            note = _(
                "not identified: only visited branches that no other auditor in the "
                "comparison visited, so leniency cannot be told apart from those branches' "
                "own level"
            )
        else:
            note = _("not identified: no other auditor to compare with")
        return AuditorEffect(name, audits, branches, None, None, None, False, False, note)
    leniency, low, high = effect
    if np.isnan(leniency):
        note = _(
            "not identified: worked only in periods (or with checklists) no other auditor's "
            "visits connect to, so leniency cannot be told apart from their level"
        )
        return AuditorEffect(name, audits, branches, None, None, None, False, False, note)
    if np.isnan(low):
        note = _("no interval: too few audits beyond the branch and auditor effects")
        return AuditorEffect(name, audits, branches, leniency, None, None, False, True, note)
    flagged = low > 0 or high < 0
    note = (
        (_("more lenient than the others") if leniency > 0 else _("stricter than the others"))
        if flagged
        else _("not clearly different from the others")
    )
    return AuditorEffect(name, audits, branches, leniency, low, high, flagged, True, note)


def _auditor_method(fitted: int, df: int, *, by_period: bool = False) -> str:
    if fitted < 2:
        return _(
            "Auditor effects need at least two auditors who visited the same branches; "
            "this selection has fewer."
        )
    if by_period:
        text = _(
            "Least squares fit of overall score = branch + auditor + period (+ checklist when "
            "several), branch effects absorbed by centring within branch, auditors compared "
            "with the audit-weighted average auditor: a leniency is points above (+) or below "
            "(−) the average auditor on the same branches in the same periods. 90 % interval: "
            "estimate ± t × standard error (Student t, {df} degrees of freedom); an auditor "
            "is flagged when the interval excludes 0. Only auditors connected by shared "
            "branches are compared."
        )
    else:
        text = _(
            "Least squares fit of overall score = branch + auditor (+ checklist when "
            "several), branch effects absorbed by centring within branch, auditors compared "
            "with the audit-weighted average auditor: a leniency is points above (+) or below "
            "(−) the average auditor on the same branches. 90 % interval: estimate ± t × "
            "standard error (Student t, {df} degrees of freedom); an auditor is flagged when "
            "the interval excludes 0. Only auditors connected by shared branches are compared."
        )
    return text.format(df=num(df, 0))
