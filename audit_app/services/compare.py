"""Comparing locations: one :class:`ComparisonRequest` gives one
:class:`ComparisonResult`, loaded in one database snapshot and computed in one pass.

The command line, the pages, the CSV and Excel files and the PDF only render the result,
so they cannot disagree. Nothing is cached here: the one cache sits at the app's edge
(``audit_app.ui.components.compare_data``), keyed by the request and the data version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection
from threadpoolctl import threadpool_limits

from audit_app.domain import compare as stats
from audit_app.domain.audit import AuditKind, Channel
from audit_app.domain.checklist import Checklist
from audit_app.domain.compare.calibration import NO_CALIBRATION
from audit_app.domain.compare.comparison import (
    ComparisonFrames,
    Headline,
    collapse_periods,
    compute_comparison,
    compute_headline,
    totals_in_periods,
)
from audit_app.domain.compare.comparison import (
    with_auditors as add_auditors,
)
from audit_app.domain.compare.request import ComparisonRequest
from audit_app.domain.compare.result import ComparisonResult, Scope
from audit_app.domain.evidence import EvidenceCount
from audit_app.domain.filters import AuditFilter
from audit_app.domain.safe_text import spreadsheet_text
from audit_app.domain.scoring import display
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services import kept_selections
from audit_app.services.access import scoped
from audit_app.services.calibration import calibration_from
from audit_app.services.context import AppContext
from audit_app.services.freshness import Version
from audit_app.services.kept_evidence import action_thresholds, evidence_counts, kept_evidence
from audit_app.services.kept_item_sums import kept_item_sums
from audit_app.services.selections import (
    checklist_versions,
    kept_entry,
    kept_selection,
)
from audit_app.storage import compare_queries as queries
from audit_app.storage import database, league_totals
from audit_app.storage.section_totals import section_totals

STANDARD_BYTES = 1024
"""What one kept item standard weighs, generously (a dozen numbers and three names)."""

By = Literal["branch", "region", "auditor", "item", "change", "calibration"]
BY_CHOICES: tuple[By, ...] = ("branch", "region", "auditor", "item", "change", "calibration")


class SelectionError(AuditAppError):
    """A filter value that matches nothing the database knows (a typo, most likely)."""


class UnknownPeriod(SelectionError):
    """Periods asked for the change per branch that the selection has no audits in, or
    that do not run forward."""


# ---------------------------------------------------------------------------
# The one computation
# ---------------------------------------------------------------------------


def comparison(
    ctx: AppContext, request: ComparisonRequest | None = None, version: Version | None = None
) -> ComparisonResult:
    """Everything a comparison shows, for the acting user's branches only. ``version``: the
    data version of the request's dates, taken before this call (``freshness.data_version``),
    under which its selection is kept for the next comparison of the same selection."""
    request = prepared(ctx, request)
    with database.snapshot(ctx.engine) as conn:
        every_vector = request.items or request.evidence
        reads = queries.SelectionReads(conn, request.audit_filter, every_vector=every_vector)
        reading = read(ctx, conn, request, reads, version)
    return computed(request, reading)


def prepared(ctx: AppContext, request: ComparisonRequest | None) -> ComparisonRequest:
    """The request checked (a refusal names what is wrong) and narrowed to the acting
    user's areas: what :func:`read` and :func:`computed` take."""
    request = request or ComparisonRequest()
    _check_request(request)
    return request.scoped(scoped(ctx, request.audit_filter))


@dataclass(frozen=True)
class Reading:
    """What a comparison reads in its snapshot (:func:`read`): its frames and failure
    evidence, or the empty result when nothing of the selection is scored."""

    frames: ComparisonFrames | None
    evidence: dict[tuple[str, str], EvidenceCount]
    empty: ComparisonResult | None


def read(
    ctx: AppContext,
    conn: Connection,
    request: ComparisonRequest,
    reads: queries.SelectionReads,
    version: Version | None = None,
) -> Reading:
    """The reads of :func:`comparison` for a :func:`prepared` request, in the caller's
    snapshot; ``reads`` of its selection, which the caller may read from again (the
    comparison report's repeated failures). Refuses a filter that matches nothing."""
    frames = _load(ctx, conn, request, reads, version)
    if frames is None:
        return Reading(None, {}, _nothing_to_compare(conn, request))
    evidence = (
        _evidence(ctx, conn, request.audit_filter, frames.audits["audit_id"], reads)
        if request.evidence
        else {}
    )
    return Reading(frames, evidence, None)


def computed(request: ComparisonRequest, reading: Reading) -> ComparisonResult:
    """The comparison of what :func:`read` read, outside the snapshot."""
    frames = reading.frames
    if frames is None:
        assert reading.empty is not None
        return reading.empty
    months = frames.branch_months
    _check_change_periods(request, months)
    areas = request.audit_filter.areas
    scope = Scope(areas, int(months["branch_code"].nunique()))
    # The matrices are small (a few hundred rows): BLAS threads cost more than they save,
    # 10-30x more on a busy machine, and a server's other sessions want the other cores.
    with threadpool_limits(limits=1, user_api="blas"):
        result = compute_comparison(request, frames, scope)
    return replace(result, evidence=reading.evidence)


def with_auditors(
    ctx: AppContext, result: ComparisonResult, version: Version | None = None
) -> ComparisonResult:
    """A comparison asked for without its auditors (``ComparisonRequest(auditors=False)``)
    with their leniency and the calibration pairs, as ``comparison`` gives them when asked:
    the Compare page reads them only when its Auditors tab or the PDF shows them (a quarter
    of a ten-times year's first render, #21). ``version`` as for :func:`comparison`: the
    selection kept under it is not read again."""
    if result.request.auditors or result.empty:
        return result
    request = result.request.scoped(scoped(ctx, result.request.audit_filter))
    with database.snapshot(ctx.engine) as conn:
        selection = kept_selection(ctx, conn, request, version)
        if selection is None:
            return result
        calibration = calibration_from(conn, selection.audits, selection.known)
    with threadpool_limits(limits=1, user_api="blas"):
        return add_auditors(result, selection.audits, calibration)


def with_items(
    ctx: AppContext, result: ComparisonResult, version: Version | None = None
) -> ComparisonResult:
    """A comparison asked for without items (``ComparisonRequest(items=False)``) with its
    per-item consistency, as ``comparison`` gives it when asked: the Compare page turns
    items on after showing the rest, and only the items are computed then. ``version`` as
    for :func:`comparison`: the selection kept under it is not read again."""
    if result.request.items:
        return result
    if result.empty:  # as an empty comparison asked for with items
        return replace(result, request=replace(result.request, items=True))
    items = _kept_item_standards(ctx, result.request, version)
    if items is None:
        return result
    return stats.with_item_standards(result, items)


def read_items(ctx: AppContext, audit_filter: AuditFilter, version: Version) -> bool:
    """Compute and keep, under ``version``, what :func:`with_items` gives the Compare page's
    default model of ``audit_filter`` (months, period effects removed), and the item sums
    it is computed from (``services.kept_item_sums``): a server process reads ahead so that
    no visitor waits on it (``services.warm_start``). False when the filter selects no
    scored audit."""
    request = ComparisonRequest(audit_filter, items=False, evidence=False, auditors=False)
    return _kept_item_standards(ctx, request, version) is not None


def _kept_item_standards(
    ctx: AppContext, request: ComparisonRequest, version: Version | None
) -> tuple[stats.StandardConsistency, ...] | None:
    """The request's per-item consistency (:func:`stats.item_standards`), kept under
    ``version`` with what else of its selection is kept, per model (months or quarters,
    period effects removed or not), the same for every session of one scope: computed
    from the selection's kept item sums (``services.kept_item_sums``), which a visit
    entered brings up to date by its branch's rows. None when the request selects no
    scored audit."""
    request = request.scoped(scoped(ctx, request.audit_filter))

    def load() -> tuple[stats.StandardConsistency, ...] | None:
        with database.snapshot(ctx.engine) as conn:
            reads = queries.SelectionReads(conn, request.audit_filter)  # a re-read's too
            kept = kept_entry(ctx, conn, request, version, reads)
            if kept.selection is None:
                return None
            sums = kept_item_sums(ctx, conn, request, version, kept, reads)
        with threadpool_limits(limits=1, user_api="blas"):
            return stats.item_standards_of(request, sums)

    if version is None:
        return load()
    key = (version, request.audit_filter, request.include_closed, "item standards")
    model = (request.period, request.adjust_periods)
    return kept_selections.kept((*key, model), load, _standards_bytes)


def _standards_bytes(items: tuple[stats.StandardConsistency, ...] | None) -> int:
    """What kept item standards weigh: a few hundred bytes each."""
    return STANDARD_BYTES * len(items or ())


def headline(
    ctx: AppContext, audit_filter: AuditFilter, version: Version | None = None
) -> Headline:
    """The mean score and consistency index of ``comparison(ComparisonRequest(audit_filter,
    items=False))``, the user's share only, without computing the rest of it (the Overview);
    the same refusals for a filter that matches nothing. ``version`` as for
    :func:`comparison`: the Compare page then finds the selection the Overview read."""
    request = ComparisonRequest(audit_filter, items=False, auditors=False, evidence=False)
    _check_request(request)
    request = request.scoped(scoped(ctx, request.audit_filter))
    with database.snapshot(ctx.engine) as conn:
        frames = _load(ctx, conn, request, version=version)
        if frames is None:
            _nothing_to_compare(conn, request)  # refuses a filter that matches nothing
            return Headline(None, None)
    with threadpool_limits(limits=1, user_api="blas"):
        return compute_headline(request, frames)


def failure_evidence(
    ctx: AppContext, audit_filter: AuditFilter
) -> dict[tuple[str, str], EvidenceCount]:
    """Per failed item of the user's share of ``audit_filter``: how many answers failed
    (the corrective-action test) and how many of them carry a photo."""
    with database.snapshot(ctx.engine) as conn:
        return _evidence(ctx, conn, scoped(ctx, audit_filter))


def comparison_evidence(
    ctx: AppContext, request: ComparisonRequest, version: Version | None = None
) -> dict[tuple[str, str], EvidenceCount]:
    """The failure evidence of a request's comparison on its own, as
    ``comparison(request).evidence`` would hold it: the Compare page asks for the
    comparison without it and reads it only when a view shows it (0.5 s of a ten-times
    year's first render, #21). ``version`` as for :func:`comparison`: the evidence is kept
    under it for every session of the same scope (over a ten-times history the read is a
    second or two, which a server process reads ahead: ``services.warm_start``)."""
    _check_request(request)
    request = request.scoped(scoped(ctx, request.audit_filter))

    with database.snapshot(ctx.engine) as conn:
        reads = queries.SelectionReads(conn, request.audit_filter)
        kept = kept_entry(ctx, conn, request, version, reads)
        if kept.selection is None:
            return {}
        return kept_evidence(ctx, conn, request, version, kept, reads)


def _evidence(
    ctx: AppContext,
    conn: Connection,
    audit_filter: AuditFilter,
    audit_ids: Iterable[int] | None = None,
    reads: queries.SelectionReads | None = None,
) -> dict[tuple[str, str], EvidenceCount]:
    """The counts behind :func:`failure_evidence`, in the caller's snapshot; ``audit_ids``:
    only these audits of the selection (a comparison's scored audits of open branches)."""
    ids = None if audit_ids is None else {int(i) for i in audit_ids}
    thresholds = action_thresholds(ctx)
    return evidence_counts(queries.failure_evidence(conn, audit_filter, thresholds, ids, reads))


def _check_change_periods(request: ComparisonRequest, months: pd.DataFrame) -> None:
    """Periods of the change that the selection does not have, or that do not run forward,
    are refused naming the periods there are."""
    asked = [p for p in (request.change_from, request.change_to) if p is not None]
    if not asked:
        return
    labels = sorted(set(totals_in_periods(months, request.period)["period"].astype(str)))
    quarter = request.period == "quarter"
    known = (_("(quarters: {periods})") if quarter else _("(months: {periods})")).format(
        periods=", ".join(labels)
    )
    for label in asked:
        if label not in labels:
            sentence = (
                _("no audits in quarter {period} of this selection {known}")
                if quarter
                else _("no audits in month {period} of this selection {known}")
            )
            raise UnknownPeriod(sentence.format(period=repr(label), known=known))
    later = request.change_to or labels[-1]
    earlier = request.change_from
    if earlier is not None and earlier >= later:
        sentence = (
            _(
                "the change runs from an earlier quarter to a later one: {earlier} is not "
                "before {later} {known}"
            )
            if quarter
            else _(
                "the change runs from an earlier month to a later one: {earlier} is not "
                "before {later} {known}"
            )
        )
        raise UnknownPeriod(sentence.format(earlier=earlier, later=later, known=known))
    if earlier is None and later == labels[0]:
        sentence = (
            _("no quarter before {later} to compare it with {known}")
            if quarter
            else _("no month before {later} to compare it with {known}")
        )
        raise UnknownPeriod(sentence.format(later=later, known=known))


def _check_request(request: ComparisonRequest) -> None:
    if request.min_audits < 1:
        raise AuditAppError("the minimum number of audits to rank must be at least 1")
    if request.period not in stats.PERIODS:
        raise AuditAppError(f"unknown period {request.period!r} (choose month or quarter)")
    if request.grouping not in stats.GROUPINGS:
        choices = ", ".join(stats.GROUPINGS)
        raise AuditAppError(f"cannot pull estimates toward {request.grouping!r} ({choices})")
    _check_filter_values(request.audit_filter)


def _load(
    ctx: AppContext,
    conn: Connection,
    request: ComparisonRequest,
    reads: queries.SelectionReads | None = None,
    version: Version | None = None,
) -> ComparisonFrames | None:
    """The frames of one request, read in the caller's snapshot; None when no audit of
    the selection has a score. ``reads``: the selection's reads, when the caller reads
    from them again (the evidence, the report's repeated failures). ``version``: the data
    version the caller computed before this snapshot (``freshness.data_version``), under
    which the selection is kept for the next request of the same selection
    (:mod:`kept_selections`); None reads it afresh.

    Every selected audit is read (rescored where a checklist spans versions) and the
    branch-month and section totals are added up here. Letting the database add them up
    was measured (#21) and kept only where a view needs nothing else (the league table
    alone, the Branch page's section means): at one or two audits per branch, checklist and
    month the section totals are nearly as many rows as the section scores, so it saved
    nothing on PostgreSQL and was 1.6x slower on SQLite.
    """
    kept = kept_entry(ctx, conn, request, version, reads)
    selection = kept.selection
    if selection is None:
        return None
    audits = selection.audits
    item_sums = kept_item_sums(ctx, conn, request, version, kept, reads) if request.items else None
    calibration = (
        calibration_from(conn, audits, selection.known) if request.auditors else NO_CALIBRATION
    )
    return _frames(
        selection.checklists,
        months=selection.months,
        audits=audits,
        section_cells=selection.section_cells,
        item_sums=item_sums,
        alignments=selection.alignments,
        calibration=calibration,
    )


def _frames(
    checklists: tuple[Checklist, ...],
    *,
    months: pd.DataFrame,
    audits: pd.DataFrame,
    section_cells: pd.DataFrame,
    item_sums: stats.PairSums | None,
    alignments: tuple[stats.VersionAlignment, ...],
    calibration: stats.Calibration,
) -> ComparisonFrames:
    return ComparisonFrames(
        branch_months=months,
        audits=audits,
        section_cells=section_cells,
        item_sums=item_sums,
        pass_marks={c.id: c.pass_mark for c in checklists},
        grade_of=_grade_of(checklists),
        versions=alignments,
        calibration=calibration,
        item_sections={
            (c.id, item_id): section_id
            for c in checklists
            for item_id, section_id in c.section_of.items()
        },
    )


def _grade_of(checklists: tuple[Checklist, ...]) -> stats.GradeOf | None:
    """The grade bands, when every compared checklist has the same ones."""
    bands = {tuple((g.min, g.label) for g in c.grades) for c in checklists}
    return checklists[0].grade_for if len(bands) == 1 else None


def _check_filter_values(audit_filter: AuditFilter) -> None:
    if audit_filter.kind and audit_filter.kind not in set(AuditKind):
        raise SelectionError(
            f"unknown audit kind {audit_filter.kind!r} (kinds: {', '.join(AuditKind)})"
        )
    if audit_filter.channel and audit_filter.channel not in set(Channel):
        raise SelectionError(
            f"unknown channel {audit_filter.channel!r} (channels: {', '.join(Channel)})"
        )
    if (
        audit_filter.date_from
        and audit_filter.date_to
        and audit_filter.date_from > audit_filter.date_to
    ):
        raise SelectionError(
            f"the period starts ({audit_filter.date_from}) after it ends ({audit_filter.date_to})"
        )


def _nothing_to_compare(conn: Connection, request: ComparisonRequest) -> ComparisonResult:
    """An empty selection: a typo in a filter is an error; a quiet period is a message.

    Both read only what the user may see: an area manager is told the regions and the
    span of visits of their own areas, never the chain's.
    """
    audit_filter = request.audit_filter
    seen = AuditFilter(areas=audit_filter.areas)
    known = queries.filter_vocabulary(conn, seen)
    for name, value, label, plural in (
        ("checklist_id", audit_filter.checklist_id, "checklist", "checklists"),
        ("region", audit_filter.region, "region", "regions"),
        ("country", audit_filter.country and audit_filter.country.upper(), "country", "countries"),
    ):
        if value and value not in known[name]:
            choices = ", ".join(known[name]) or "none yet"
            raise SelectionError(
                f"no audits or branches for {label} {value!r} ({plural}: {choices})"
            )
    first, last = queries.visit_span(conn, seen)
    span = (
        f"stored audits run from {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        if first is not None
        else "no audits are stored yet (run: audit-app demo, or import some)"
    )
    message = (
        f"No submitted audits match ({audit_filter.describe()}); {span}. "
        "Widen the dates or drop a filter."
    )
    return stats.empty_comparison(request, Scope(audit_filter.areas, 0), message)


def audit_count(ctx: AppContext, audit_filter: AuditFilter) -> int:
    """How many scored audits a comparison of ``audit_filter`` would compare, for the
    acting user: what an empty selection's hints count, without computing a comparison."""
    with database.snapshot(ctx.engine) as conn:
        return queries.scored_audit_count(conn, scoped(ctx, audit_filter))


def visit_span(ctx: AppContext) -> tuple[Any, Any]:
    """First and last visit among the audits the acting user may see (None, None if none)."""
    with database.snapshot(ctx.engine) as conn:
        return queries.visit_span(conn, scoped(ctx, AuditFilter()))


# ---------------------------------------------------------------------------
# Views of the one computation (callers that need one part)
# ---------------------------------------------------------------------------


def league_table(
    ctx: AppContext,
    audit_filter: AuditFilter | None = None,
    *,
    min_audits: int = stats.DEFAULT_MIN_AUDITS,
    include_closed: bool = False,
) -> stats.LeagueTable:
    """Branches ranked by their shrunken estimate, with intervals and tie bands (closed
    branches only when ``include_closed``)."""
    request = ComparisonRequest(
        audit_filter or AuditFilter(),
        min_audits=min_audits,
        items=False,
        auditors=False,
        include_closed=include_closed,
    )
    _check_request(request)
    scoped_request = request.scoped(scoped(ctx, request.audit_filter))
    audit_filter, open_only = scoped_request.audit_filter, not include_closed
    # Only the branch-month totals: the league needs nothing else of the comparison.
    months = None
    with database.snapshot(ctx.engine) as conn:
        grade_of = _single_version_grades(ctx, conn)
        if grade_of is None:  # the versions and bands of the selection decide
            used = league_totals.versions_used(conn, audit_filter, open_only=open_only)
            if used and all(len(versions) == 1 for versions in used.values()):
                known = checklist_versions(ctx, conn, {(c, v[0]) for c, v in used.items()})
                grade_of = (_grade_of(tuple(known.values())),)
        if grade_of is not None:
            months = league_totals.branch_months(conn, audit_filter, open_only=open_only)
    if grade_of is None or months is None or months.empty:
        # Nothing selected (the comparison says why, or names a mistyped filter), or a
        # checklist of two versions (rescored audit by audit): the whole way, after the
        # snapshot above is closed (one connection at a time).
        return comparison(ctx, request).league
    with threadpool_limits(limits=1, user_api="blas"):
        return stats.league_of(
            scoped_request, stats.totals_in_periods(months, request.period), grade_of[0]
        )


def _single_version_grades(ctx: AppContext, conn: Connection) -> tuple[stats.GradeOf | None] | None:
    """The grade bands of any selection, when no stored checklist has two versions and
    every stored checklist has the same bands (one small read of the stored versions, not
    of the selection's audits); None when the selection's own versions decide."""
    stored = league_totals.stored_versions(conn)
    ids = [checklist_id for checklist_id, _version in stored]
    if not stored or len(set(ids)) != len(ids):
        return None
    try:
        checklists = tuple(checklist_versions(ctx, conn, set(stored)).values())
    except (AuditAppError, ValueError):  # a stored version no longer readable: ask the audits
        return None
    bands = {tuple((g.min, g.label) for g in c.grades) for c in checklists}
    return (checklists[0].grade_for,) if len(bands) == 1 else None


@dataclass(frozen=True)
class Consistency:
    sections: tuple[stats.StandardConsistency, ...]
    items: tuple[stats.StandardConsistency, ...]
    least_consistent: tuple[stats.StandardConsistency, ...]
    """Sections and items together, the standards whose branches differ most first."""
    index: float | None
    """The consistency index (net of period effects)."""


def consistency(
    ctx: AppContext, audit_filter: AuditFilter | None = None, *, items: bool = True
) -> Consistency:
    """Spread between branches per section and (unless ``items=False``) per item."""
    request = ComparisonRequest(
        audit_filter or AuditFilter(), items=items, auditors=False, evidence=False
    )
    result = comparison(ctx, request)
    return Consistency(
        result.sections, result.items, result.least_consistent[:10], result.consistency_index
    )


def section_heatmap(ctx: AppContext, audit_filter: AuditFilter | None = None) -> pd.DataFrame:
    """Long-form section x branch means (branch_code, checklist_id, section_id, audits, mean):
    the comparison's heatmap, read without computing the rest of the comparison (the Branch
    page asks for it on every view; the whole comparison took ten times as long)."""
    request = ComparisonRequest(audit_filter or AuditFilter(), items=False, auditors=False)
    _check_request(request)
    request = request.scoped(scoped(ctx, request.audit_filter))
    with database.snapshot(ctx.engine) as conn:
        frames = _load(ctx, conn, request)
    if frames is None:
        return stats.section_heatmap(pd.DataFrame({column: [] for column in stats.CELL_COLUMNS}))
    return stats.section_heatmap(collapse_periods(frames.section_cells))


SECTION_STANDING_COLUMNS = ["checklist_id", "section_id", "branch_mean", "chain_mean", "audits"]


def section_standing(ctx: AppContext, branch_code: str, audit_filter: AuditFilter) -> pd.DataFrame:
    """Per checklist x section in which ``branch_code`` has a score
    (:data:`SECTION_STANDING_COLUMNS`): the branch's mean, the mean over every open branch
    the user may see (all their section scores together) and how many of the branch's
    audits scored it, for the Branch page and report.

    The database adds up the means in one pass; a checklist that spans versions in the
    selection is rescored on its shared items first, so then the heatmap is read."""
    audit_filter = scoped(ctx, audit_filter)
    with database.snapshot(ctx.engine) as conn:
        used = league_totals.versions_used(conn, audit_filter, open_only=True)
        if all(len(versions) == 1 for versions in used.values()):
            sums = section_totals(conn, audit_filter, branch_code)
            mine = sums[sums["branch_n"] > 0]
            return pd.DataFrame(
                {
                    "checklist_id": mine["checklist_id"].astype(str),
                    "section_id": mine["section_id"].astype(str),
                    "branch_mean": mine["branch_sum"] / mine["branch_n"],
                    "chain_mean": mine["sum"] / mine["n"],
                    "audits": mine["branch_n"],
                }
            ).sort_values(["checklist_id", "section_id"], ignore_index=True)
    return _standing_from_heatmap(ctx, branch_code, audit_filter)


def _standing_from_heatmap(
    ctx: AppContext, branch_code: str, audit_filter: AuditFilter
) -> pd.DataFrame:
    """:func:`section_standing` from the comparison's heatmap (versions aligned)."""
    heatmap = section_heatmap(ctx, audit_filter)
    weighted = heatmap.assign(total=heatmap["mean"] * heatmap["audits"])
    chain = (
        weighted.groupby(["checklist_id", "section_id"])[["total", "audits"]]
        .sum()
        .rename(columns={"audits": "audits_all"})
    )
    mine = heatmap[heatmap["branch_code"] == branch_code].join(
        chain, on=["checklist_id", "section_id"]
    )
    return pd.DataFrame(
        {
            "checklist_id": mine["checklist_id"].astype(str),
            "section_id": mine["section_id"].astype(str),
            "branch_mean": mine["mean"].astype(float),
            "chain_mean": mine["total"] / mine["audits_all"],
            "audits": mine["audits"].astype(int),
        },
        columns=SECTION_STANDING_COLUMNS,
    ).sort_values(["checklist_id", "section_id"], ignore_index=True)


# ---------------------------------------------------------------------------
# The comparison the command line prints: one view of a result, by one kind of row
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """A result seen one way: rows by branch, region, auditor or item."""

    result: ComparisonResult
    by: By

    @property
    def audit_filter(self) -> AuditFilter:
        return self.result.request.audit_filter

    @property
    def rows(self) -> tuple[Any, ...]:
        """BranchStanding, RegionSummary, AuditorEffect or StandardConsistency values."""
        result = self.result
        if self.by == "branch":
            return result.league.rows
        if self.by == "region":
            return result.regions
        if self.by == "auditor":
            return result.auditors.rows
        if self.by == "change":
            return self.result.changes.rows
        if self.by == "calibration":
            calibration = result.calibration
            overall = () if calibration.overall is None else (calibration.overall,)
            return (*overall, *calibration.items)
        return stats.least_consistent(result.items, None)

    @property
    def audits(self) -> int:
        return self.result.audits

    @property
    def branches(self) -> int:
        return self.result.branches

    @property
    def min_audits(self) -> int:
        return self.result.request.min_audits

    @property
    def consistency_index(self) -> float | None:
        return self.result.consistency_index

    @property
    def least_consistent_sections(self) -> tuple[str, ...]:
        return self.result.least_consistent_sections

    @property
    def versions(self) -> tuple[stats.VersionAlignment, ...]:
        return self.result.versions

    @property
    def message(self) -> str | None:
        return self.result.message

    @property
    def item_sections(self) -> dict[tuple[str, str], str]:
        return self.result.item_sections

    @property
    def method(self) -> str:
        """The method of this view's rows (the whole comparison's is in ``summary``)."""
        result = self.result
        parts = {
            "branch": (result.league.method,),
            "region": (REGION_METHOD, result.league.method),
            "auditor": (result.auditors.method, result.calibration.method),
            "item": (ITEM_METHOD,),
            "change": (result.changes.method,),
            "calibration": (result.calibration.method,),
        }[self.by]
        versions = tuple(a.describe() for a in result.versions)
        return " ".join(part for part in (*parts, *versions) if part)

    @property
    def empty(self) -> bool:
        return self.result.empty

    @property
    def notices(self) -> tuple[stats.Notice, ...]:
        """What to read with this view's rows: the comparison's notes, and the change's
        own (its noise, how far everyone moved) for rows by change."""
        own = self.result.changes.notices if self.by == "change" else ()
        return (*self.result.notices, *own)

    def summary(self) -> dict[str, Any]:
        """The JSON ``summary``: the filters, the scope, the method, the notices and the
        consistency index."""
        f = self.audit_filter
        result = self.result
        return {
            "filters": {
                "checklist": f.checklist_id,
                "from": f.date_from.isoformat() if f.date_from else None,
                "to": f.date_to.isoformat() if f.date_to else None,
                "region": f.region,
                "country": f.country,
                "channel": f.channel,
                "kind": f.kind,
            },
            "selection": f.describe(),
            "scope": result.scope.label,
            "by": self.by,
            "audits": self.audits,
            "branches": self.branches,
            "min_audits": self.min_audits,
            "period": result.request.period,
            "state": result.league.state,
            "grouping": result.league.grouping or "chain",
            "include_closed": result.request.include_closed,
            "mean_score": _round(result.mean_score, 1),
            "chain_level": _round(result.league.chain_mean, 1),
            "consistency_index": _round(result.consistency_index, 1),
            "raw_consistency_index": _round(result.raw_consistency_index, 1),
            "least_consistent_sections": list(self.least_consistent_sections),
            "notices": [{"code": n.code, "message": n.message} for n in self.notices],
            "versions": [_alignment_summary(a) for a in self.versions],
            "calibration": (
                _calibration_summary(result.calibration) if result.request.auditors else None
            ),
            "method": " ".join(part for part in result.method if part),
            "message": self.message,
        }


REGION_METHOD = (
    "Per region: the mean of its audits, the spread between its branches (standard deviation "
    "of their means) and its best and worst branch by the league table's estimate."
)
ITEM_METHOD = (
    "Per item, in points (item score x 100): mean, standard deviation of the branch means, "
    "the spread between branches with period effects and visit noise removed (and the raw "
    "spread beside it), the share of the variance between branches (ICC(1)) and the share "
    "of branches whose every audit gave the item full marks; the items whose branches "
    "differ most come first."
)


def _calibration_summary(calibration: stats.Calibration) -> dict[str, Any]:
    """Pairs, the overall agreement, each pair of auditors and the method (items are the
    rows of ``--by calibration``)."""
    overall = calibration.overall
    return {
        "pairs": len(calibration.pairs),
        "overall": None if overall is None else _rounded(overall.__dict__, CALIBRATION_ROUNDED),
        "auditor_pairs": [
            _rounded(dict(pair.__dict__), ROUNDED) for pair in calibration.auditor_pairs
        ],
        "method": calibration.method,
    }


def _alignment_summary(alignment: stats.VersionAlignment) -> dict[str, Any]:
    return {
        "checklist_id": alignment.checklist_id,
        "versions": list(alignment.versions),
        "reference_version": alignment.reference_version,
        "shared_items": list(alignment.shared_items),
        "left_out": list(alignment.left_out),
        "note": alignment.describe(),
    }


def compare(
    ctx: AppContext,
    audit_filter: AuditFilter | None = None,
    *,
    by: By = "branch",
    min_audits: int = stats.DEFAULT_MIN_AUDITS,
    request: ComparisonRequest | None = None,
) -> Comparison:
    """One comparison for the command line: rows by branch, region, auditor or item, and a
    summary with the method and the consistency index."""
    if by not in BY_CHOICES:
        raise AuditAppError(f"cannot compare by {by!r} (choose {', '.join(BY_CHOICES)})")
    if request is None:
        request = ComparisonRequest(
            audit_filter or AuditFilter(),
            min_audits=min_audits,
            items=by == "item",
            auditors=by in ("auditor", "calibration"),
        )
    return Comparison(comparison(ctx, request), by)


# ---------------------------------------------------------------------------
# Rows for people and files
# ---------------------------------------------------------------------------

ROUNDED = {
    "mean": 1,
    "low": 1,
    "high": 1,
    "shrunk": 1,
    "pass_rate": 1,
    "branch_sd": 1,
    "between_sd": 1,
    "best_shrunk": 1,
    "worst_shrunk": 1,
    "leniency": 1,
    "meeting_share": 1,
    "icc": 3,
    "mean_abs_difference": 1,
    "abs_low": 1,
    "abs_high": 1,
    "mean_difference": 1,
    "adjusted": 1,
    "shrunk_low": 1,
    "shrunk_high": 1,
    "target": 1,
    "better_than_next": 3,
    "raw_between_sd": 1,
    "within_sd": 1,
    "raw_icc": 3,
    "earlier_mean": 1,
    "later_mean": 1,
    "change": 1,
}
CALIBRATION_ROUNDED = {"value": 3, "low": 3, "high": 3, "percent_agreement": 1}
"""Agreement statistics (AC1, ICC) are 0-1 figures, not scores."""


def comparison_rows(comparison: Comparison) -> list[dict[str, Any]]:
    """The rows as plain dicts with plainly named fields, scores rounded as shown."""
    rounded = CALIBRATION_ROUNDED if comparison.by == "calibration" else ROUNDED
    rows = []
    for row in comparison.rows:
        data = dict(row.__dict__)  # flat dataclasses: faster than asdict's deep copy
        if "standard" in data:
            data = _item_fields(data, comparison.item_sections)
        rows.append(_rounded(data, rounded))
    return rows


def _rounded(data: dict[str, Any], digits: dict[str, int]) -> dict[str, Any]:
    return {k: _round(v, digits[k]) if k in digits else v for k, v in data.items()}


def _item_fields(data: dict[str, Any], sections: dict[tuple[str, str], str]) -> dict[str, Any]:
    item_id, checklist_id = data.pop("standard"), data.pop("checklist_id")
    data.pop("level", None)
    section_id = sections.get((checklist_id, item_id))
    return {"checklist_id": checklist_id, "section_id": section_id, "item_id": item_id, **data}


def _round(value: Any, digits: int) -> Any:
    """Scores with one decimal as everywhere (halves up); other figures to ``digits``."""
    if value is None or not isinstance(value, float):
        return value
    return display(float(value)) if digits == 1 else round(float(value), digits)


# ---------------------------------------------------------------------------
# Files: CSV and Excel (bytes; the caller saves them or offers them for download)
# ---------------------------------------------------------------------------


def comparison_columns(comparison: Comparison) -> list[str]:
    """Every field of a row of this comparison, in order (also for an empty comparison)."""
    if comparison.rows:
        return list(comparison_rows(comparison)[0])
    row_types: dict[str, type[Any]] = {
        "branch": stats.BranchStanding,
        "region": stats.RegionSummary,
        "auditor": stats.AuditorEffect,
        "calibration": stats.ItemAgreement,
        "change": stats.BranchChange,
    }
    row_type = row_types.get(comparison.by)
    if row_type is None:
        return ["checklist_id", "section_id", "item_id"] + [
            name
            for name in stats.StandardConsistency.__dataclass_fields__
            if name not in {"checklist_id", "level", "standard"}
        ]
    return list(row_type.__dataclass_fields__)


def comparison_csv(comparison: Comparison) -> bytes:
    """UTF-8 CSV (with BOM, so spreadsheets read the letters right); text that a spreadsheet
    would run as a formula (starting with = + - @) gets a leading apostrophe."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = comparison_columns(comparison)
    writer.writerow(columns)
    for row in comparison_rows(comparison):
        writer.writerow([_csv_cell(row.get(column)) for column in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value: Any) -> Any:
    if isinstance(value, str):
        return spreadsheet_text(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else value


def comparison_workbook(comparison: Comparison) -> bytes:
    """An .xlsx with the rows and a summary sheet, written in openpyxl's write-only mode.
    Every text cell is written as a string cell with an apostrophe before a formula start,
    so a name such as ``=HYPERLINK(...)`` shows as text and never runs as a formula."""
    import io

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Comparison")
    columns = comparison_columns(comparison)
    sheet.append(_string_safe_cells(sheet, columns))
    for row in comparison_rows(comparison):
        sheet.append(_string_safe_cells(sheet, [row.get(column) for column in columns]))
    summary = workbook.create_sheet("Summary")
    for summary_row in _summary_rows(comparison.summary()):
        summary.append(_string_safe_cells(summary, summary_row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _summary_rows(summary: dict[str, Any]) -> list[list[Any]]:
    """The summary as (key, value) rows; the filters get a row each ("filter: region",
    "Aegean") instead of one cell of JSON, and a filter not set says so."""
    rows: list[list[Any]] = []
    for key, value in summary.items():
        if key != "filters":
            rows.append([key, value])
            continue
        rows.append([key, None])
        for name, chosen in value.items():
            unset = "no limit" if name in ("from", "to") else "all"
            rows.append([f"filter: {name}", unset if chosen is None else chosen])
    return rows


def _string_safe_cells(sheet: Any, values: list[Any]) -> list[Any]:
    """Write-only cells; text goes through the exports' one neutraliser (a string cell,
    apostrophe before a formula start)."""
    from openpyxl.cell import WriteOnlyCell

    from audit_app.intake.export import string_cell

    return [
        string_cell(sheet, value) if isinstance(value, str) else WriteOnlyCell(sheet, value=value)
        for value in map(_xlsx_value, values)
    ]


def _xlsx_value(value: Any) -> Any:
    """Cells hold numbers, booleans and text; lists and mappings are written as JSON text."""
    if isinstance(value, dict | list | tuple):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return value
