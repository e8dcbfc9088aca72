"""One comparison in one pass: from the frames storage loads for a request to the
:class:`ComparisonResult` every output renders.

Each statistic is computed once here, from the same frames: the league table, the region
roll-up, consistency per section and item with the index, the heatmap, the trend, the
auditor effects and the notices that go with them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from audit_app.domain.compare.auditors import AuditorEffects, estimate_auditor_effects
from audit_app.domain.compare.calibration import NO_CALIBRATION, Calibration
from audit_app.domain.compare.changes import Changes, changes_from_totals
from audit_app.domain.compare.codes import dense_codes, sorted_codes
from audit_app.domain.compare.consistency import (
    ConsistencyIndex,
    StandardConsistency,
    consistency_index_by_period_cells,
    item_consistency_of,
    least_consistent,
    section_consistency,
    summarise_consistency,
)
from audit_app.domain.compare.league import LeagueTable, rank_branches
from audit_app.domain.compare.notices import Notice
from audit_app.domain.compare.pair_sums import PairSums, collapsed, in_quarters, pair_sums
from audit_app.domain.compare.periods import GroupedPeriodFit, fit_periods_by_group
from audit_app.domain.compare.request import ComparisonRequest
from audit_app.domain.compare.result import ComparisonResult, Scope
from audit_app.domain.compare.summaries import chain_trend, roll_up_regions, section_heatmap
from audit_app.domain.compare.totals import (
    BRANCH_PERIOD_TOTAL_COLUMNS,
    combine_branch_periods,
    total_branch_periods,
)
from audit_app.domain.compare.variance import (
    BRANCH_TOTAL_COLUMNS,
    CELL_COLUMNS,
    GradeOf,
    Period,
    period_labels,
)
from audit_app.domain.compare.versions import VersionAlignment
from audit_app.domain.compare.words import signed
from audit_app.i18n import N_, _, ngettext

PERIOD_CELL_KEYS = ["branch_code", "checklist_id", "standard", "period"]


@dataclass(frozen=True)
class ComparisonFrames:
    """What storage loaded for one request, in one snapshot."""

    audits: pd.DataFrame
    """One row per scored audit (storage's audit frame), overall scores recomputed on the
    shared items when a checklist spans versions."""
    branch_months: pd.DataFrame
    """Per branch x month of the visit (``period`` 'YYYY-MM') with a scored audit:
    :data:`BRANCH_PERIOD_TOTAL_COLUMNS` and ``branch_active`` (:func:`branch_month_totals`
    of ``audits``). The league, the changes and the trend are functions of these sums, so
    a caller that wants only the league can have the database add them up."""
    section_cells: pd.DataFrame
    """Per branch x checklist x section x month (``period`` 'YYYY-MM'): n, sum, sum_sq."""
    item_sums: PairSums | None
    """The same per item, in points, added up per item x branch and month
    (:func:`item_sums`); None when the request leaves items out or no item is counted."""
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
    period = request.period
    totals = totals_in_periods(frames.branch_months, period)
    league = league_of(request, totals, frames.grade_of)
    section_cells = in_periods(frames.section_cells, period)
    # The sections net of period effects and the index per period fit the same cells once.
    fit = (
        fit_periods_by_group(section_cells, ["checklist_id", "standard"])
        if request.adjust_periods and not section_cells.empty
        else None
    )
    sections = _sections(request, frames, section_cells, fit)
    items = item_standards_of(request, frames.item_sums)
    index = summarise_consistency(sections)
    auditors = _auditor_effects(request, frames.audits)
    noise = league.components
    changes = changes_from_totals(
        totals,
        earlier=request.change_from,
        later=request.change_to,
        fallback=(noise.within, noise.df_within),
    )
    # The change's own notes (its noise, how far everyone moved) go with the change views.
    changes = replace(changes, notices=(*changes.notices, *_period_move(league, changes)))
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
        consistency_index=index.adjusted,
        raw_consistency_index=index.raw,
        auditors=auditors,
        calibration=frames.calibration,
        versions=frames.versions,
        notices=_notices(league, index, auditors, frames.calibration, frames.versions),
        method=_method(request, league, changes, auditors, frames.calibration, frames.versions),
        heatmap=section_heatmap(collapse_periods(section_cells)),
        trend=chain_trend(totals),
        index_trend=consistency_index_by_period_cells(
            section_cells, None if fit is None else fit.groups
        ),
        item_sections=dict(frames.item_sections),
        changes=changes,
    )


def with_auditors(
    result: ComparisonResult, audits: pd.DataFrame, calibration: Calibration
) -> ComparisonResult:
    """A result computed without its auditors (``request.auditors`` False) with them, as
    :func:`compute_comparison` gives them when asked: the Compare page computes them only
    when its Auditors tab opens (0.25 s of a ten-times year, #21). ``audits``: the
    comparison's audit frame (:attr:`ComparisonFrames.audits`)."""
    if result.request.auditors or result.empty:
        return result
    request = replace(result.request, auditors=True)
    auditors = _auditor_effects(request, audits)
    index = summarise_consistency(result.sections)
    league, versions = result.league, result.versions
    return replace(
        result,
        request=request,
        auditors=auditors,
        calibration=calibration,
        notices=_notices(league, index, auditors, calibration, versions),
        method=_method(request, league, result.changes, auditors, calibration, versions),
    )


def with_items(result: ComparisonResult, item_cells: pd.DataFrame) -> ComparisonResult:
    """A result computed without items (``request.items`` False) with its per-item
    consistency, as :func:`compute_comparison` gives it when asked: nothing else of a
    comparison depends on the items, so turning them on after the page has shown the rest
    computes only them (the league, changes and sections were 0.45 s of a ten-times year's
    1.7 s, #21). ``item_cells``: the result's selection's item cells, in points."""
    if result.request.items or result.empty:
        return with_item_standards(result, ())
    return with_item_standards(result, item_standards(result.request, item_cells))


def with_item_standards(
    result: ComparisonResult, items: tuple[StandardConsistency, ...]
) -> ComparisonResult:
    """:func:`with_items` given the items already computed (:func:`item_standards` of the
    result's request and item cells): a server keeps them per selection and model, since
    each is a second's work over a ten-times history's eleven million cells (#21)."""
    if result.request.items:
        return result
    request = replace(result.request, items=True)
    if result.empty:
        return replace(result, request=request)
    return replace(
        result,
        request=request,
        items=items,
        least_consistent=least_consistent(result.sections + items, None),
    )


def item_standards(
    request: ComparisonRequest, item_cells: pd.DataFrame | None
) -> tuple[StandardConsistency, ...]:
    """Per-item consistency, net of period effects unless the request keeps them in: what
    it depends on is the item cells (in points, per month), ``request.period`` and
    ``request.adjust_periods``."""
    return item_standards_of(request, item_sums(item_cells))


def item_sums(item_cells: pd.DataFrame | None) -> PairSums | None:
    """The month item cells (in points) added up per item x branch and month, as
    :func:`item_standards_of` takes them; None without a counted cell."""
    if item_cells is None or not (item_cells["n"].to_numpy() > 0).any():
        return None
    if "period" not in item_cells.columns:
        item_cells = item_cells.assign(period="")
    return pair_sums(item_cells, ["checklist_id", "standard"])


def item_standards_of(
    request: ComparisonRequest, sums: PairSums | None
) -> tuple[StandardConsistency, ...]:
    """:func:`item_standards` of the cells ``sums`` adds up (:func:`item_sums`)."""
    if sums is None:
        return ()
    if not request.adjust_periods:  # one period: months or quarters alike
        return item_consistency_of(collapsed(sums))
    return item_consistency_of(in_quarters(sums) if request.period == "quarter" else sums)


def _notices(
    league: LeagueTable,
    index: ConsistencyIndex,
    auditors: AuditorEffects,
    calibration: Calibration,
    versions: tuple[VersionAlignment, ...],
) -> tuple[Notice, ...]:
    notices = _first_of_each_code(
        [*league.notices, *index.notices, *auditors.notices, *_calibration_notice(calibration)]
    )
    notices += [Notice("reference_version", a.describe(), "info") for a in versions]
    return tuple(notices)


def _method(
    request: ComparisonRequest,
    league: LeagueTable,
    changes: Changes,
    auditors: AuditorEffects,
    calibration: Calibration,
    versions: tuple[VersionAlignment, ...],
) -> tuple[str, ...]:
    asked = (auditors.method, calibration.method) if request.auditors else ()
    return (
        league.method,
        _(CONSISTENCY_METHOD),
        _(TREND_METHOD),
        changes.method,
        *asked,
        *(alignment.describe() for alignment in versions),
    )


@dataclass(frozen=True)
class Headline:
    """A comparison's two headline figures, as :func:`compute_comparison` gives them."""

    mean_score: float | None
    """:attr:`ComparisonResult.mean_score`: the plain mean of the audits compared."""
    consistency_index: float | None
    """:attr:`ComparisonResult.consistency_index`."""


def compute_headline(request: ComparisonRequest, frames: ComparisonFrames) -> Headline:
    """The mean score and consistency index alone: the Overview shows nothing else of a
    comparison, and the league table, changes, trend and heatmap were a third of its time
    on a ten-times year (#21)."""
    months = frames.branch_months
    audits = int(months["audits"].sum())
    mean = float(months["sum"].sum()) / audits if audits else None
    sections = _sections(request, frames, in_periods(frames.section_cells, request.period))
    return Headline(mean, summarise_consistency(sections).adjusted)


def _sections(
    request: ComparisonRequest,
    frames: ComparisonFrames,
    section_cells: pd.DataFrame,
    fit: GroupedPeriodFit | None = None,
) -> tuple[StandardConsistency, ...]:
    """Per-section consistency: the cells split by period give it net of period effects,
    unless the request keeps them in (the raw figures beside). ``fit``: of those cells by
    section, when the caller has it (only with period effects)."""
    if not request.adjust_periods:
        return section_consistency(collapse_periods(section_cells), frames.pass_marks)
    return section_consistency(section_cells, frames.pass_marks, fit)


def league_of(
    request: ComparisonRequest, totals: pd.DataFrame, grade_of: GradeOf | None
) -> LeagueTable:
    """The league table of a request from its branch totals in the request's periods
    (:func:`totals_in_periods`), closed branches marked: the comparison's, and what a caller
    that wants only the league computes without the rest."""
    league = rank_branches(
        totals[BRANCH_PERIOD_TOTAL_COLUMNS],
        min_audits=request.min_audits,
        adjust_periods=request.adjust_periods,
        grouping=request.grouping,
        grade_of=grade_of,
    )
    closed = set(totals.loc[~totals["branch_active"].astype(bool), "branch_code"])
    if not closed:
        return league
    rows = tuple(replace(row, closed=row.branch_code in closed) for row in league.rows)
    return replace(league, rows=rows)


def _auditor_effects(request: ComparisonRequest, audits: pd.DataFrame) -> AuditorEffects:
    if not request.auditors:
        return NOT_ASKED
    period_of = period_labels(audits["visited_at"], request.period)
    return estimate_auditor_effects(audits, period_of if request.adjust_periods else None)


def branch_month_totals(audits: pd.DataFrame) -> pd.DataFrame:
    """:attr:`ComparisonFrames.branch_months` added up from an audit frame."""
    totals = total_branch_periods(audits, period_labels(audits["visited_at"], "month"))
    active = audits.groupby("branch_code", sort=True)["branch_active"].first()
    return totals.assign(branch_active=totals["branch_code"].map(active).astype(bool))


def totals_in_periods(branch_months: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Month totals summed into the request's periods ('2026-03' or '2026Q1')."""
    if period == "month" or branch_months.empty:
        return branch_months
    quarters = branch_months.assign(period=quarter_labels(branch_months["period"]).astype(str))
    summed = combine_branch_periods(quarters)
    active = branch_months.groupby("branch_code", sort=True)["branch_active"].first()
    return summed.assign(branch_active=summed["branch_code"].map(active).astype(bool))


def _period_move(league: LeagueTable, changes: Changes) -> list[Notice]:
    """How much every branch moved between the change's two periods (the difference of
    their period effects): a branch's own change is its change beyond that."""
    effects = {p.label: p.effect for p in league.period_effects}
    if not changes.rows or changes.earlier not in effects or changes.later not in effects:
        return []
    move = effects[str(changes.later)] - effects[str(changes.earlier)]
    return [
        Notice(
            "period_move",
            _(
                "From {earlier} to {later} the whole selection moved by {move} points (the "
                "difference of the two period effects): each branch's change includes it, and "
                "a change well above or below it is the branch's own."
            ).format(earlier=changes.earlier, later=changes.later, move=signed(move)),
            "info",
        )
    ]


def _calibration_notice(calibration: Calibration) -> list[Notice]:
    """Calibration pairs are found, not declared: say how."""
    if calibration.empty:
        return []
    return [
        Notice(
            "calibration_pairs",
            ngettext(
                "{pairs} calibration pair: two audits of one branch with one checklist on one "
                "day by different auditors (with the same visit reference when both have "
                "one). Without references, two separate visits on one day also count as a "
                "pair: record the agency's reference to keep them apart.",
                "{pairs} calibration pairs: two audits of one branch with one checklist on one "
                "day by different auditors (with the same visit reference when both have "
                "one). Without references, two separate visits on one day also count as a "
                "pair: record the agency's reference to keep them apart.",
                len(calibration.pairs),
            ).format(pairs=len(calibration.pairs)),
            "info",
        )
    ]


def _first_of_each_code(notices: list[Notice]) -> list[Notice]:
    """One notice per code: the league's few-degrees-of-freedom warning already says what
    the consistency index's and the changes' would (their methods give their own figures)."""
    seen: set[str] = set()
    kept = []
    for notice in notices:
        if notice.code not in seen:
            seen.add(notice.code)
            kept.append(notice)
    return kept


CONSISTENCY_METHOD = N_(
    "Consistency index: 100 minus the average spread between branches' true section scores "
    "(standard deviation in points), each section weighted by its number of scored audits; "
    "100 means every branch keeps every section at the same level. Per section, period "
    "effects (a month or quarter that scored higher or lower for every branch) are "
    "estimated within branches and removed, and the visits' noise is removed by the method "
    "of moments; the raw index, with the periods' movement left in, is given beside it."
)
TREND_METHOD = N_(
    "Trend: the mean overall score per period; a change from the previous period exceeds "
    "the noise when it is larger than 1.645 times the standard error of the difference "
    "(each period's standard error from the variance of its audits)."
)


NOT_ASKED = AuditorEffects((), None, 0, "Auditor effects were not asked for.")


def month_cells(rows: pd.DataFrame, audits: pd.DataFrame, standard: str) -> pd.DataFrame:
    """Per branch x checklist x standard x month of the visit: n, sum and sum of squares of
    the scores (NaN left out), from per-audit rows (``audit_id``, ``standard``, ``score``)
    and the audit frame that gives each audit its branch, checklist and visit; sorted by
    those keys.

    Added up in numpy on integer codes: a pandas groupby on four text keys took seconds for
    the million section scores of a ten-times year (#21)."""
    counted = rows[rows["score"].notna()]
    at = pd.Index(audits["audit_id"].to_numpy()).get_indexer(counted["audit_id"].to_numpy())
    found = at >= 0
    at = at[found]
    values = counted["score"].to_numpy(dtype=float)[found]
    visited = pd.DatetimeIndex(audits["visited_at"])
    per_audit = [  # factorized once per audit, then taken for each of its rows
        sorted_codes(audits["branch_code"]),
        sorted_codes(audits["checklist_id"]),
        sorted_codes(pd.Series(visited.year * 12 + visited.month - 1)),
    ]
    standards = sorted_codes(counted[standard].iloc[np.flatnonzero(found)])
    keys = [
        (per_audit[0][0][at], per_audit[0][1]),
        (per_audit[1][0][at], per_audit[1][1]),
        standards,
        (per_audit[2][0][at], per_audit[2][1]),
    ]
    sizes = [max(len(uniques), 1) for _codes, uniques in keys]
    combined = np.zeros(len(values), dtype=np.int64)
    for (codes, _uniques), size in zip(keys, sizes, strict=True):
        combined = combined * size + codes
    cells, cell_of = dense_codes(combined, int(np.prod(sizes)))
    month_of = [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in keys[3][1].tolist()]
    labels = [*(uniques for _codes, uniques in keys[:3]), np.asarray(month_of, dtype=object)]
    # Each cell's keys decoded from its combined code; the text columns are categoricals of
    # the sorted labels (taking a million strings per column cost more than adding up).
    digits = []
    rest = cells
    for size in reversed(sizes):
        digits.append(rest % size)
        rest = rest // size
    frame = pd.DataFrame(
        {
            name: pd.Categorical.from_codes(codes, categories=pd.Index(list(values), dtype="str"))
            for name, codes, values in zip(
                ["branch_code", "checklist_id", "standard", "period"],
                reversed(digits),
                labels,
                strict=True,
            )
        }
    )
    frame["n"] = np.bincount(cell_of, minlength=len(cells))
    frame["sum"] = np.bincount(cell_of, weights=values, minlength=len(cells))
    frame["sum_sq"] = np.bincount(cell_of, weights=values**2, minlength=len(cells))
    return frame[[*CELL_COLUMNS, "period"]]


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
        auditors=AuditorEffects((), None, 0, _("No scored audits.")),
        calibration=replace(NO_CALIBRATION, method=_(NO_CALIBRATION.method)),
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
    summed = (
        cells.assign(period=quarter_labels(cells["period"]))
        # a cell without a month stays one period of its own, as among months
        .groupby(PERIOD_CELL_KEYS, sort=True, observed=True, dropna=False)[["n", "sum", "sum_sq"]]
        .sum()
        .reset_index()
    )
    return summed.assign(period=summed["period"].astype("str"))[[*CELL_COLUMNS, "period"]]


def quarter_labels(months: pd.Series) -> pd.Categorical:
    """'2026-03' -> '2026Q1' for each row, as a categorical of the quarters in order: each
    distinct month is converted once (a ten-times year's million section cells took 5 s
    to read as periods one by one, #21)."""
    codes, distinct = pd.factorize(months, sort=True)
    texts = np.asarray(distinct, dtype=str)
    quarters = pd.PeriodIndex(texts, freq="M").asfreq("Q").astype(str).to_numpy(dtype=str)
    labels, quarter_of = np.unique(quarters, return_inverse=True)
    # a month missing keeps no quarter (code -1 would take the last one's)
    quarter_codes = np.where(codes < 0, -1, quarter_of[codes] if len(quarter_of) else -1)
    return pd.Categorical.from_codes(
        quarter_codes, categories=pd.Index(labels.tolist(), dtype="str")
    )


def collapse_periods(cells: pd.DataFrame) -> pd.DataFrame:
    """Per branch x checklist x standard over the whole selection."""
    if cells.empty:
        return pd.DataFrame(columns=CELL_COLUMNS)
    summed = (
        cells.groupby(["branch_code", "checklist_id", "standard"], sort=True, observed=True)[
            ["n", "sum", "sum_sq"]
        ]
        .sum()
        .reset_index()
    )
    return summed[CELL_COLUMNS]
