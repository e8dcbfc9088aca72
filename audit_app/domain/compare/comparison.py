"""One comparison in one pass: from the frames storage loads for a request to the
:class:`ComparisonResult` every output renders.

Each statistic is computed once here, from the same frames: the league table, the region
roll-up, consistency per section and item with the index, the heatmap, the trend, the
auditor effects and the notices that go with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from audit_app.domain.compare.auditors import AuditorEffects, estimate_auditor_effects
from audit_app.domain.compare.calibration import NO_CALIBRATION, Calibration
from audit_app.domain.compare.consistency import (
    consistency_index,
    item_consistency,
    least_consistent,
    section_consistency,
)
from audit_app.domain.compare.league import rank_branches, total_branches
from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.request import ComparisonRequest
from audit_app.domain.compare.result import ComparisonResult, Scope
from audit_app.domain.compare.summaries import roll_up_regions, section_heatmap, trend
from audit_app.domain.compare.variance import (
    _TINY,
    BRANCH_TOTAL_COLUMNS,
    CELL_COLUMNS,
    GradeOf,
    Period,
)
from audit_app.domain.compare.versions import VersionAlignment

PERIOD_CELL_KEYS = ["branch_code", "checklist_id", "standard", "period"]


@dataclass(frozen=True)
class ComparisonFrames:
    """What storage loaded for one request, in one snapshot."""

    audits: pd.DataFrame
    """One row per scored audit (storage's audit frame), overall scores recomputed on the
    shared items when a checklist spans versions."""
    section_cells: pd.DataFrame
    """Per branch x checklist x section x month (``period`` 'YYYY-MM'): n, sum, sum_sq."""
    item_cells: pd.DataFrame | None
    """The same per item, in points; None when the request leaves items out."""
    pass_marks: Mapping[str, float] = field(default_factory=dict)
    grade_of: GradeOf | None = None
    versions: tuple[VersionAlignment, ...] = ()
    item_sections: dict[tuple[str, str], str] = field(default_factory=dict)
    calibration: Calibration = field(default_factory=lambda: NO_CALIBRATION)
    """Agreement of auditors who scored the same visit (read inside the same snapshot)."""


def compute_comparison(
    request: ComparisonRequest, frames: ComparisonFrames, scope: Scope
) -> ComparisonResult:
    """Every figure of the comparison, from one set of frames."""
    audits = frames.audits
    period = request.period
    league = rank_branches(
        total_branches(audits), min_audits=request.min_audits, grade_of=frames.grade_of
    )
    section_cells = in_periods(frames.section_cells, period)
    sections = section_consistency(collapse_periods(section_cells), frames.pass_marks)
    items = (
        item_consistency(collapse_periods(in_periods(frames.item_cells, period)))
        if frames.item_cells is not None
        else ()
    )
    index = consistency_index(sections)
    auditors = estimate_auditor_effects(audits)
    notices: list[Notice] = []
    if frames.versions:
        notices += [
            Notice("reference_version", alignment.describe(), "info")
            for alignment in frames.versions
        ]
    method = (
        league.method,
        CONSISTENCY_METHOD,
        TREND_METHOD,
        auditors.method,
        frames.calibration.method,
        *(alignment.describe() for alignment in frames.versions),
    )
    return ComparisonResult(
        request=request,
        scope=scope,
        audits=sum(row.audits for row in league.rows),
        branches=len(league.rows),
        league=league,
        regions=roll_up_regions(league),
        sections=sections,
        items=items,
        least_consistent=least_consistent(sections + items, None),
        consistency_index=index,
        raw_consistency_index=index,
        auditors=auditors,
        calibration=frames.calibration,
        versions=frames.versions,
        notices=tuple(notices),
        method=method,
        heatmap=section_heatmap(collapse_periods(section_cells)),
        trend=trend(audits, level="chain", period=period),
        index_trend=index_by_period(section_cells),
        item_sections=dict(frames.item_sections),
    )


CONSISTENCY_METHOD = (
    "Consistency index: 100 minus the average spread between branches' true section scores "
    "(standard deviation in points, the visits' noise removed by the method of moments), "
    "each section weighted by its number of scored audits; 100 means every branch keeps "
    "every section at the same level."
)
TREND_METHOD = (
    "Trend: the mean overall score per period; a change from the previous period exceeds "
    "the noise when it is larger than 1.645 times the standard error of the difference "
    "(each period's standard error from the variance of its audits)."
)


def month_cells(rows: pd.DataFrame, standard: str, value: str = "score") -> pd.DataFrame:
    """Per branch x checklist x standard x month of the visit: n, sum and sum of squares of
    ``value`` (NaN left out), from rows with ``branch_code``, ``checklist_id``,
    ``visited_at`` and the ``standard`` column."""
    counted = rows[rows[value].notna()]
    values = counted[value].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "branch_code": counted["branch_code"].to_numpy(),
            "checklist_id": counted["checklist_id"].to_numpy(),
            "standard": counted[standard].to_numpy(),
            "period": pd.to_datetime(counted["visited_at"]).dt.strftime("%Y-%m").to_numpy(),
            "value": values,
            "value_sq": values**2,
        }
    )
    cells = (
        frame.groupby(PERIOD_CELL_KEYS, sort=True)
        .agg(n=("value", "size"), sum=("value", "sum"), sum_sq=("value_sq", "sum"))
        .reset_index()
    )
    return cells[[*CELL_COLUMNS, "period"]]


def empty_comparison(request: ComparisonRequest, scope: Scope, message: str) -> ComparisonResult:
    """The result of a selection with no scored audit: no rows, and why."""
    league = rank_branches(
        pd.DataFrame(columns=BRANCH_TOTAL_COLUMNS), min_audits=request.min_audits
    )
    return ComparisonResult(
        request=request,
        scope=scope,
        audits=0,
        branches=0,
        league=league,
        regions=(),
        sections=(),
        items=(),
        least_consistent=(),
        consistency_index=None,
        raw_consistency_index=None,
        auditors=AuditorEffects((), None, 0, "No scored audits."),
        calibration=NO_CALIBRATION,
        versions=(),
        notices=(),
        method=(),
        message=message,
    )


def in_periods(cells: pd.DataFrame | None, period: Period) -> pd.DataFrame:
    """Month cells summed into the request's periods ('2026-03' or '2026Q1')."""
    if cells is None or cells.empty:
        return pd.DataFrame(columns=[*CELL_COLUMNS, "period"])
    if period == "month":
        return cells
    months = pd.PeriodIndex(cells["period"].astype(str), freq="M")
    labels = months.asfreq("Q").astype(str)
    summed = (
        cells.assign(period=labels)
        .groupby(PERIOD_CELL_KEYS, sort=True)[["n", "sum", "sum_sq"]]
        .sum()
        .reset_index()
    )
    return summed[[*CELL_COLUMNS, "period"]]


def collapse_periods(cells: pd.DataFrame) -> pd.DataFrame:
    """Per branch x checklist x standard over the whole selection."""
    if cells.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    summed = (
        cells.groupby(["branch_code", "checklist_id", "standard"], sort=True)[
            ["n", "sum", "sum_sq"]
        ]
        .sum()
        .reset_index()
    )
    return summed[CELL_COLUMNS]


def index_by_period(cells: pd.DataFrame) -> pd.DataFrame:
    """The consistency index per period from per-period section cells.

    Each section's noise (within-branch variance) comes from the whole selection, because a
    branch is rarely audited twice in one period; the spread between branches comes from
    each period's branch means, by the method of moments. Columns: period,
    consistency_index, branches, audits.
    """
    columns = ["period", "consistency_index", "branches", "audits"]
    cells = cells[cells["n"] > 0]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    whole = collapse_periods(cells)
    n = whole["n"].to_numpy(dtype=float)
    ss = np.clip(
        whole["sum_sq"].to_numpy(dtype=float) - whole["sum"].to_numpy(dtype=float) ** 2 / n, 0, None
    )
    noise = (
        whole.assign(ss=ss, one=1)
        .groupby(["checklist_id", "standard"], sort=True)
        .agg(ss=("ss", "sum"), audits=("n", "sum"), branches=("one", "sum"))
    )
    df = noise["audits"] - noise["branches"]
    within = (noise["ss"] / df.where(df > 0)).where(lambda v: v >= _TINY, 0.0).where(df > 0)
    per = cells.assign(mean=cells["sum"] / cells["n"], inv_n=1 / cells["n"])
    stats = (
        per.groupby(["period", "checklist_id", "standard"], sort=True)
        .agg(
            branches=("n", "size"),
            audits=("n", "sum"),
            spread=("mean", "var"),
            mean_inv_n=("inv_n", "mean"),
        )
        .reset_index()
    )
    stats = stats.join(within.rename("within"), on=["checklist_id", "standard"])
    between = (stats["spread"] - stats["within"] * stats["mean_inv_n"]).clip(lower=0)
    stats["between_sd"] = np.sqrt(between.where(stats["branches"] >= 2))
    usable = stats[stats["between_sd"].notna()]
    weighted = usable.assign(w=usable["audits"] * usable["between_sd"])
    sums = weighted.groupby("period", sort=True)[["w", "audits"]].sum()
    index = 100 - sums["w"] / sums["audits"]
    # Audits and branches per period: a section's count is its audits with a score, so the
    # largest section count of a branch in a period is that branch's scored audits there.
    per_branch = cells.groupby(["period", "branch_code"], sort=True)["n"].max()
    counts = per_branch.groupby(level="period").agg(["size", "sum"])
    out = pd.DataFrame(
        {
            "period": counts.index.astype(str),
            "consistency_index": index.reindex(counts.index).to_numpy(dtype=float),
            "branches": counts["size"].to_numpy(dtype=int),
            "audits": counts["sum"].to_numpy(dtype=int),
        }
    )
    return out[columns]
