"""Consistency of standards: spread between branches per section and item, the share of
variance between branches (ICC), the share of branches meeting a standard, and the chain's
consistency index.

The model of one section (or item) score is ``y = mu + u_branch + effect_period + noise``:
when the cells are split by period (wave, month or quarter), the period effects are
estimated within branches (:func:`fit_periods_by_group`) and removed before the branches
are compared, so a wave that scored high for everyone is neither taken for visit noise nor,
for the branches visited in it, for a better level. The one-way figures (period movement
left in) are kept beside them as ``raw_*``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.periods import fit_periods_by_group
from audit_app.domain.compare.variance import (
    _TINY,
    CELL_COLUMNS,
    CELL_COLUMNS_WITH_PERIOD,
    FEW_NOISE_DF,
    Period,
    _shown,
    period_labels,
    t_quantile,
)
from audit_app.domain.compare.words import num
from audit_app.i18n import _, ngettext

FEW_REPEAT_BRANCHES = 3
"""A noise estimate seen in fewer branches than this (branches with two or more audits)
says how one or two stores vary, not the chain: a notice says so, whatever its df."""

# ---------------------------------------------------------------------------
# Consistency of standards
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardConsistency:
    """How uniformly the branches keep one section or item (scores in points, 0-100)."""

    checklist_id: str
    level: Literal["section", "item"]
    standard: str
    """The section id or item id."""
    branches: int
    audits: int
    mean: float
    branch_sd: float | None
    """Standard deviation of the branch means (noise included); None with one branch."""
    between_sd: float | None
    """Noise-corrected spread of the branches' true levels, net of period effects when the
    cells are split by period: sqrt(between)."""
    icc: float | None
    """Share of the variance that lies between branches, ICC(1), net of period effects."""
    meeting_share: float
    """Share of branches meeting the standard, 0-100: an item's mean is full marks, a
    section's mean (shown with one decimal) is at or above the pass mark."""
    raw_between_sd: float | None = None
    """The one-way figure: period-to-period movement left in the branch means and the noise."""
    raw_icc: float | None = None
    df_within: int = 0
    """Degrees of freedom of the noise: audits - branches - estimable period contrasts."""
    within_sd: float | None = None
    """Visit-to-visit noise (SD, points) net of branch levels and period effects."""
    periods: int = 1
    """Periods with audits of this standard (1 when the cells are not split by period)."""
    repeat_branches: int = 0
    """Branches with two or more audits of this standard (where the noise is seen)."""


def summarise_cells(
    rows: pd.DataFrame, standard: str, value: str = "score", *, period: str | None = None
) -> pd.DataFrame:
    """Per branch x checklist x standard (x period): n, sum and sum of squares of ``value``
    (NaN left out). ``rows`` needs ``branch_code``, ``checklist_id``, the ``standard``
    column and, when ``period`` names a column, that column (its values become ``period``)."""
    counted = rows[rows[value].notna()]
    values = counted[value].astype(float)
    columns = {
        "branch_code": counted["branch_code"].to_numpy(),
        "checklist_id": counted["checklist_id"].to_numpy(),
        "standard": counted[standard].to_numpy(),
    }
    if period is not None:
        columns["period"] = counted[period].astype(str).to_numpy()
    keys = list(columns)
    frame = pd.DataFrame(
        {**columns, "value": values.to_numpy(), "value_sq": values.to_numpy() ** 2}
    )
    cells = (
        frame.groupby(keys, sort=True)
        .agg(n=("value", "size"), sum=("value", "sum"), sum_sq=("value_sq", "sum"))
        .reset_index()
    )
    return cells[CELL_COLUMNS if period is None else CELL_COLUMNS_WITH_PERIOD]


def scale_cells(cells: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Cells of 0-1 item scores in points (x 100): sums scale by f, squares by f²."""
    return cells.assign(sum=cells["sum"] * factor, sum_sq=cells["sum_sq"] * factor**2)


def section_consistency(
    cells: pd.DataFrame, pass_marks: Mapping[str, float]
) -> tuple[StandardConsistency, ...]:
    """Consistency per section; a branch meets a section when its mean reaches the pass mark.

    ``cells``: :data:`CELL_COLUMNS`, or :data:`CELL_COLUMNS_WITH_PERIOD` for figures net of
    period effects."""

    def meets(frame: pd.DataFrame) -> np.ndarray:
        marks = frame["checklist_id"].map(dict(pass_marks)).fillna(np.inf).to_numpy(dtype=float)
        return _shown(frame["sum"] / frame["n"]) >= marks

    return _consistency(cells, "section", meets)


def item_consistency(cells: pd.DataFrame) -> tuple[StandardConsistency, ...]:
    """Consistency per item (cells in points, optionally split by period); a branch meets
    an item when every audit gave it full marks (mean score 1)."""

    def meets(frame: pd.DataFrame) -> np.ndarray:
        return (frame["sum"] / frame["n"]).to_numpy() >= 100 - 1e-6

    return _consistency(cells, "item", meets)


def _consistency(
    cells: pd.DataFrame,
    level: Literal["section", "item"],
    meets: Callable[[pd.DataFrame], np.ndarray],
) -> tuple[StandardConsistency, ...]:
    """Per standard: the branch + period fit, then the method-of-moments spread of the
    branches' adjusted means (``between = var(adjusted means) - within x (mean(1/n) +
    effect_noise)``) beside the one-way spread of their raw means."""
    counted = cells["n"].to_numpy() > 0
    if not counted.all():
        cells = cells[counted]
    if cells.empty:
        return ()
    if "period" not in cells.columns:
        cells = cells.assign(period="")
    fit = fit_periods_by_group(cells, ["checklist_id", "standard"])
    groups, branches = fit.groups, fit.branches
    g = branches["group"].to_numpy()
    count = len(groups)
    n = branches["n"].to_numpy(dtype=float)
    b = groups["branches"].to_numpy(dtype=float)
    audits = groups["audits"].to_numpy(dtype=float)
    total = np.bincount(g, weights=branches["sum"].to_numpy(dtype=float), minlength=count)
    mean_inv_n = np.bincount(g, weights=1 / n, minlength=count) / b
    raw_spread = _grouped_var(g, branches["raw_mean"].to_numpy(dtype=float), b)
    adjusted_spread = _grouped_var(g, branches["adjusted_mean"].to_numpy(dtype=float), b)
    meeting = np.bincount(g, weights=meets(branches).astype(float), minlength=count) / b
    repeat = np.bincount(g, weights=(n >= 2).astype(float), minlength=count)
    within = groups["within"].to_numpy(dtype=float)
    raw_within = groups["raw_within"].to_numpy(dtype=float)
    df_within = groups["df_within"].to_numpy(dtype=int)
    periods = groups["periods"].to_numpy(dtype=int)
    raw_between = _between(raw_spread, raw_within * mean_inv_n, b)
    between = _between(
        adjusted_spread, within * (mean_inv_n + groups["effect_noise"].to_numpy()), b
    )
    rows = []
    for k, (checklist_id, standard) in enumerate(
        zip(groups["checklist_id"], groups["standard"], strict=True)
    ):
        rows.append(
            StandardConsistency(
                checklist_id=str(checklist_id),
                level=level,
                standard=str(standard),
                branches=int(b[k]),
                audits=int(audits[k]),
                mean=float(total[k] / audits[k]),
                branch_sd=_sd(raw_spread[k]),
                between_sd=_sd(between[k]),
                icc=_icc(between[k], within[k]),
                meeting_share=float(100 * meeting[k]),
                raw_between_sd=_sd(raw_between[k]),
                raw_icc=_icc(raw_between[k], raw_within[k]),
                df_within=int(df_within[k]),
                within_sd=_sd(within[k]),
                periods=int(periods[k]),
                repeat_branches=int(repeat[k]),
            )
        )
    return tuple(rows)


def _grouped_var(g: np.ndarray, values: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Variance (ddof 1) of ``values`` within each group; NaN for a group of one."""
    count = len(b)
    means = np.bincount(g, weights=values, minlength=count) / b
    squares = np.bincount(g, weights=(values - means[g]) ** 2, minlength=count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 1, squares / (b - 1), np.nan)


def _between(spread: np.ndarray, noise: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``spread - noise`` at least 0 (within 1e-9 of 0 taken as 0); NaN with one branch or
    no noise estimate."""
    raw = spread - noise
    raw = np.where(np.abs(raw) < _TINY, 0.0, raw)
    return np.where((b >= 2) & ~np.isnan(noise), np.clip(raw, 0, None), np.nan)


def _sd(variance: float) -> float | None:
    return None if np.isnan(variance) else float(np.sqrt(variance))


def _icc(between: float, within: float) -> float | None:
    if np.isnan(between) or np.isnan(within):
        return None
    total = between + within
    return float(between / total) if total > _TINY else 0.0


def least_consistent(
    standards: Sequence[StandardConsistency], top: int | None = 10
) -> tuple[StandardConsistency, ...]:
    """The standards whose branches differ most for real: largest noise-corrected spread
    between branches first (then largest ICC); standards that cannot be judged go last."""
    ordered = sorted(
        standards,
        key=lambda s: (
            s.between_sd is None,
            -(s.between_sd or 0.0),
            -(s.icc or 0.0),
            s.checklist_id,
            s.standard,
        ),
    )
    return tuple(ordered if top is None else ordered[:top])


def consistency_index(standards: Sequence[StandardConsistency]) -> float | None:
    """The chain's consistency index: 100 minus the average noise-corrected spread between
    branches (in points), each section counting in proportion to its scored audits; net of
    period effects when the standards were computed from cells split by period.

    100 means every branch delivers every section at the same level; each point below 100
    is one point of standard deviation between the branches' true section scores. Unlike
    an ICC it does not move when the visits get noisier (a new auditor), and it can be
    computed for a month in which each branch was audited once.
    """
    return _index(standards, lambda s: s.between_sd)


def raw_consistency_index(standards: Sequence[StandardConsistency]) -> float | None:
    """The same index from the one-way spreads (period-to-period movement left in)."""
    return _index(standards, lambda s: s.raw_between_sd)


def _index(
    standards: Sequence[StandardConsistency],
    spread_of: Callable[[StandardConsistency], float | None],
) -> float | None:
    usable = [(spread_of(s), s.audits) for s in standards if s.audits > 0]
    pairs = [(spread, audits) for spread, audits in usable if spread is not None]
    if not pairs:
        return None
    spread = np.array([p[0] for p in pairs], dtype=float)
    weights = np.array([p[1] for p in pairs], dtype=float)
    return float(100 - np.average(spread, weights=weights))


@dataclass(frozen=True)
class ConsistencyIndex:
    """The consistency index net of period effects, the raw one beside it, the degrees of
    freedom its noise rests on, and what must be said beside them."""

    adjusted: float | None
    """:func:`consistency_index`: net of period effects (the one to show first)."""
    raw: float | None
    """:func:`raw_consistency_index`: period-to-period movement left in."""
    df_within: int
    """Degrees of freedom of the noise in the standards that weigh most (the audit-weighted
    median over the standards in the index)."""
    repeat_branches: int
    """Branches with two or more audits in that standard."""
    notices: tuple[Notice, ...]


def summarise_consistency(standards: Sequence[StandardConsistency]) -> ConsistencyIndex:
    """The index both ways, with notices: ``few_noise_degrees`` when the standards holding
    half or more of the weight have fewer than :data:`FEW_NOISE_DF` noise degrees of
    freedom (or fewer than :data:`FEW_REPEAT_BRANCHES` branches with two audits),
    ``no_replicates`` when no branch has two audits, ``single_branch`` with one branch,
    ``period_effects`` (info) when period effects were removed."""
    adjusted, raw = consistency_index(standards), raw_consistency_index(standards)
    judged = [s for s in standards if s.audits > 0 and s.branches >= 2]
    notices: list[Notice] = []
    df, repeat = 0, 0
    if standards and not judged:
        notices.append(
            Notice(
                "single_branch",
                _(
                    "No section was scored at two or more branches in this selection: "
                    "consistency between branches cannot be judged."
                ),
            )
        )
    elif judged and adjusted is None:
        notices.append(
            Notice(
                "no_replicates",
                _(
                    "No branch has two audits of the same checklist's sections in this "
                    "selection (with period effects removed, a repeat in another period only "
                    "measures the period), so visit-to-visit noise cannot be told apart from "
                    "real differences between branches: no consistency index."
                ),
            )
        )
    if judged:
        ordered = sorted(judged, key=lambda s: s.df_within)
        weights = np.cumsum([s.audits for s in ordered], dtype=float)
        middle = ordered[int(np.searchsorted(weights, weights[-1] / 2))]
        df, repeat = middle.df_within, middle.repeat_branches
        few = sum(
            s.audits
            for s in judged
            if s.df_within < FEW_NOISE_DF or s.repeat_branches < FEW_REPEAT_BRANCHES
        )
        if adjusted is not None and few >= weights[-1] / 2:
            notices.append(Notice("few_noise_degrees", _few_degrees_message(df, repeat)))
    if adjusted is not None and any(s.periods > 1 for s in judged):
        periods = max(s.periods for s in judged)
        notices.append(
            Notice(
                "period_effects",
                _(
                    "Consistency is measured net of period effects ({periods} periods): "
                    "index {index}; {raw} if the movement between periods were counted as "
                    "visit noise and branch differences."
                ).format(periods=periods, index=num(adjusted), raw=num(raw))
                if raw is not None
                else _("Consistency is measured net of period effects ({periods} periods).").format(
                    periods=periods
                ),
                "info",
            )
        )
    return ConsistencyIndex(adjusted, raw, df, repeat, tuple(notices))


def _few_degrees_message(df: int, repeat: int) -> str:
    if df > 0:
        sentence = ngettext(
            "The visit-to-visit noise rests on few degrees of freedom ({df}; {branches} branch "
            "with two or more audits; t = {t} for a 90 % interval instead of {usual}): the "
            "consistency index and the spreads between branches are rough figures.",
            "The visit-to-visit noise rests on few degrees of freedom ({df}; {branches} "
            "branches with two or more audits; t = {t} for a 90 % interval instead of "
            "{usual}): the consistency index and the spreads between branches are rough "
            "figures.",
            repeat,
        )
    else:
        sentence = ngettext(
            "The visit-to-visit noise rests on few degrees of freedom ({df}; {branches} branch "
            "with two or more audits): the consistency index and the spreads between "
            "branches are rough figures.",
            "The visit-to-visit noise rests on few degrees of freedom ({df}; {branches} "
            "branches with two or more audits): the consistency index and the spreads "
            "between branches are rough figures.",
            repeat,
        )
    return sentence.format(
        df=num(df, 0),
        branches=num(repeat, 0),
        t=num(t_quantile(df)) if df > 0 else "",
        usual=num(1.6),
    )


def consistency_index_by_period(
    section_rows: pd.DataFrame, period: Period = "month"
) -> pd.DataFrame:
    """The consistency index per month or quarter, trackable over time.

    ``section_rows``: one row per audit x section with ``audit_id, branch_code,
    checklist_id, section_id, score, visited_at``. See :func:`index_per_period` for the
    method. Columns: period, consistency_index, branches, audits.
    """
    columns = ["period", "consistency_index", "branches", "audits"]
    rows = section_rows[section_rows["score"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    labelled = rows.assign(period=period_labels(rows["visited_at"], period).to_numpy())
    index = index_per_period(summarise_cells(labelled, "section_id", period="period"))
    counts = labelled.groupby("period", sort=True).agg(
        branches=("branch_code", "nunique"), audits=("audit_id", "nunique")
    )
    out = counts.assign(consistency_index=index.reindex(counts.index)).reset_index()
    out["consistency_index"] = out["consistency_index"].astype(float)
    return out[columns]


def consistency_index_by_period_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """:func:`consistency_index_by_period` from section cells split by period
    (:data:`CELL_COLUMNS_WITH_PERIOD`); a branch's audits of one checklist in a period are
    its largest section count there, summed over its checklists. Columns: period,
    consistency_index, branches, audits."""
    columns = ["period", "consistency_index", "branches", "audits"]
    cells = cells[cells["n"] > 0]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    index = index_per_period(cells)
    keys = ["period", "branch_code", "checklist_id"]
    per_checklist = cells.groupby(keys, sort=True, observed=True)["n"].max()
    per_branch = per_checklist.groupby(level=["period", "branch_code"], observed=True).sum()
    counts = per_branch.groupby(level="period", observed=True).agg(["size", "sum"])
    return pd.DataFrame(
        {
            "period": counts.index.astype(str),
            "consistency_index": index.reindex(counts.index).to_numpy(dtype=float),
            "branches": counts["size"].to_numpy(dtype=int),
            "audits": counts["sum"].to_numpy(dtype=int),
        }
    )[columns]


def index_per_period(cells: pd.DataFrame) -> pd.Series:
    """The consistency index of each period (a Series indexed by period; periods where no
    section has two branches and a noise estimate are left out).

    Within one period every branch shares the period's effect, so the spread between that
    period's branch means needs no period adjustment. The noise (within-branch variance)
    comes from the whole selection, because a branch is rarely audited twice in one month,
    and it is the noise net of branch levels and period effects (the movement between
    periods is not visit noise). Per section: between = var(period's branch means) -
    within x mean(1/n), at least 0; the index is 100 minus the sections' spreads weighted
    by their audits in the period.
    """
    cells = cells[cells["n"] > 0]
    if cells.empty:
        return pd.Series(dtype=float)
    noise = fit_periods_by_group(cells, ["checklist_id", "standard"]).groups
    within = noise.set_index(["checklist_id", "standard"])["within"]
    per = cells.assign(mean=cells["sum"] / cells["n"], inv_n=1 / cells["n"])
    stats = (
        per.groupby(["period", "checklist_id", "standard"], sort=True, observed=True)
        .agg(
            branches=("n", "size"),
            audits=("n", "sum"),
            spread=("mean", "var"),
            mean_inv_n=("inv_n", "mean"),
        )
        .reset_index()
        .join(within, on=["checklist_id", "standard"])
    )
    between = (stats["spread"] - stats["within"] * stats["mean_inv_n"]).clip(lower=0)
    stats["between_sd"] = np.sqrt(between.where(stats["branches"] >= 2))
    usable = stats[stats["between_sd"].notna()]
    weighted = usable.assign(w=usable["audits"] * usable["between_sd"])
    sums = weighted.groupby("period", sort=True, observed=True)[["w", "audits"]].sum()
    return (100 - sums["w"] / sums["audits"]).astype(float)
