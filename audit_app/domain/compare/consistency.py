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

from audit_app.domain.compare.codes import dense_codes, sorted_codes
from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.pair_sums import PairSums
from audit_app.domain.compare.periods import GroupedPeriodFit, fit_pair_sums, fit_periods_by_group
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
    cells: pd.DataFrame, pass_marks: Mapping[str, float], fit: GroupedPeriodFit | None = None
) -> tuple[StandardConsistency, ...]:
    """Consistency per section; a branch meets a section when its mean reaches the pass mark.

    ``cells``: :data:`CELL_COLUMNS`, or :data:`CELL_COLUMNS_WITH_PERIOD` for figures net of
    period effects. ``fit``: ``fit_periods_by_group(cells, ["checklist_id", "standard"])``
    when the caller has it (a comparison shares it with its index per period)."""

    def meets(frame: pd.DataFrame) -> np.ndarray:
        marks = frame["checklist_id"].map(dict(pass_marks)).fillna(np.inf).to_numpy(dtype=float)
        return _shown(frame["sum"] / frame["n"]) >= marks

    return _consistency(cells, "section", meets, fit)


def item_consistency(cells: pd.DataFrame) -> tuple[StandardConsistency, ...]:
    """Consistency per item (cells in points, optionally split by period); a branch meets
    an item when every audit gave it full marks (mean score 1)."""
    return _consistency(cells, "item", _full_marks)


def item_consistency_of(sums: PairSums) -> tuple[StandardConsistency, ...]:
    """:func:`item_consistency` of the cells ``sums`` adds up (``pair_sums(cells,
    ["checklist_id", "standard"])``): what a server keeps per selection (#21)."""
    if not len(sums.pair_group):
        return ()
    return _standards(fit_pair_sums(sums), "item", _full_marks)


def _full_marks(frame: pd.DataFrame) -> np.ndarray:
    return (frame["sum"] / frame["n"]).to_numpy() >= 100 - 1e-6


def _consistency(
    cells: pd.DataFrame,
    level: Literal["section", "item"],
    meets: Callable[[pd.DataFrame], np.ndarray],
    fit: GroupedPeriodFit | None = None,
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
    if fit is None:
        fit = fit_periods_by_group(cells, ["checklist_id", "standard"])
    return _standards(fit, level, meets)


def _standards(
    fit: GroupedPeriodFit,
    level: Literal["section", "item"],
    meets: Callable[[pd.DataFrame], np.ndarray],
) -> tuple[StandardConsistency, ...]:
    """The figures of :func:`_consistency` from the groups' fit."""
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


def consistency_index_by_period_cells(
    cells: pd.DataFrame, noise: pd.DataFrame | None = None
) -> pd.DataFrame:
    """:func:`consistency_index_by_period` from section cells split by period
    (:data:`CELL_COLUMNS_WITH_PERIOD`); a branch's audits of one checklist in a period are
    its largest section count there, summed over its checklists. Columns: period,
    consistency_index, branches, audits. ``noise``: as for :func:`index_per_period`.

    Added up in numpy on the keys' codes: pandas' groupbys over the two million section
    cells of a ten-times history took 0.2 s (#21)."""
    columns = ["period", "consistency_index", "branches", "audits"]
    cells = cells[cells["n"] > 0]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    index = index_per_period(cells, noise)
    period, periods = sorted_codes(cells["period"])
    branch, branches = sorted_codes(cells["branch_code"])
    checklist, checklists = sorted_codes(cells["checklist_id"])
    n = cells["n"].to_numpy(dtype=np.int64)
    # a branch's audits of a checklist in a period: its largest section count there
    key = (period * len(branches) + branch) * len(checklists) + checklist
    _keys, trio = dense_codes(key, len(periods) * len(branches) * len(checklists))
    largest = np.zeros(int(trio.max()) + 1, dtype=np.int64)
    np.maximum.at(largest, trio, n)
    pair_of_trio = np.zeros(len(largest), dtype=np.int64)
    pair_of_trio[trio] = period * len(branches) + branch
    pairs, pair = dense_codes(pair_of_trio, len(periods) * len(branches))
    audits = np.bincount(pair, weights=largest, minlength=len(pairs))
    period_of_pair = pairs // len(branches)
    labels = [str(label) for label in periods.tolist()]
    return pd.DataFrame(
        {
            "period": labels,
            "consistency_index": index.reindex(labels).to_numpy(dtype=float),
            "branches": np.bincount(period_of_pair, minlength=len(periods)).astype(int),
            "audits": np.rint(
                np.bincount(period_of_pair, weights=audits, minlength=len(periods))
            ).astype(int),
        }
    )[columns]


def index_per_period(cells: pd.DataFrame, noise: pd.DataFrame | None = None) -> pd.Series:
    """The consistency index of each period (a Series indexed by period label, as text;
    periods where no section has two branches and a noise estimate are left out).

    Within one period every branch shares the period's effect, so the spread between that
    period's branch means needs no period adjustment. The noise (within-branch variance)
    comes from the whole selection, because a branch is rarely audited twice in one month,
    and it is the noise net of branch levels and period effects (the movement between
    periods is not visit noise). Per section: between = var(period's branch means) -
    within x mean(1/n), at least 0; the index is 100 minus the sections' spreads weighted
    by their audits in the period.

    ``noise``: the groups of ``fit_periods_by_group(cells, ["checklist_id", "standard"])``
    when the caller has fitted them already (the comparison's sections)."""
    cells = cells[cells["n"] > 0]
    if cells.empty:
        return pd.Series(dtype=float)
    if noise is None:
        noise = fit_periods_by_group(cells, ["checklist_id", "standard"]).groups
    period, periods = sorted_codes(cells["period"])
    checklist, checklists = sorted_codes(cells["checklist_id"])
    standard, standards = sorted_codes(cells["standard"])
    pairs = len(checklists) * len(standards)
    within_of_pair = np.full(pairs, np.nan)
    at_checklist = pd.Index(checklists).get_indexer(noise["checklist_id"].astype(str).to_numpy())
    at_standard = pd.Index(standards).get_indexer(noise["standard"].astype(str).to_numpy())
    fitted = (at_checklist >= 0) & (at_standard >= 0)
    within_of_pair[(at_checklist * len(standards) + at_standard)[fitted]] = noise[
        "within"
    ].to_numpy(dtype=float)[fitted]
    pair = checklist * len(standards) + standard
    groups, group = dense_codes(period * pairs + pair, len(periods) * pairs)
    n = cells["n"].to_numpy(dtype=float)
    mean = cells["sum"].to_numpy(dtype=float) / n
    size = np.bincount(group, minlength=len(groups)).astype(float)
    audits = np.bincount(group, weights=n, minlength=len(groups))
    centre = np.bincount(group, weights=mean, minlength=len(groups)) / size
    squares = np.bincount(group, weights=(mean - centre[group]) ** 2, minlength=len(groups))
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(size >= 2, squares / (size - 1), np.nan)
        mean_inv_n = np.bincount(group, weights=1 / n, minlength=len(groups)) / size
        between = np.maximum(spread - within_of_pair[groups % pairs] * mean_inv_n, 0.0)
        between_sd = np.sqrt(between)
    usable = ~np.isnan(between_sd)
    period_of_group = groups // pairs
    weighted = np.bincount(
        period_of_group[usable],
        weights=audits[usable] * between_sd[usable],
        minlength=len(periods),
    )
    counted = np.bincount(period_of_group[usable], weights=audits[usable], minlength=len(periods))
    shown = counted > 0
    labels = [str(label) for label in periods.tolist()]
    return pd.Series(
        100 - weighted[shown] / counted[shown],
        index=pd.Index([label for label, keep in zip(labels, shown, strict=True) if keep]),
        dtype=float,
    )
