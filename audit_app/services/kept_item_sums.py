"""A selection's item cells added up per item x branch and month, kept beside it, so that
per-item consistency after a visit entered costs its branch's rows and the fit.

"Include items" over a ten-times history fits 60 items x 5,000 branches x 36 months. From
the kept item cells (eleven million) a visit entered cost 1.3 s: 0.5 s splicing the written
branch's cells into the others and 0.5 s coding and adding them up again, before the fit
(#21). Their sums per item x branch (``domain.compare.PairSums``, a tenth of their size)
are all the fit reads; kept under the data version like the selection
(``services.kept_selections``), a visit entered replaces its branch's rows
(``domain.compare.with_branches_replaced``) with those of its cells read again. Quarters
and the model without period effects add up the month columns, so one entry serves every
model of the selection.

A selection inside a wider one whose sums are kept (an area manager's areas, or a quarter,
inside head office's whole history, which a server reads ahead) is not read either: its
sums are the wider sums' rows of its branches and columns of its months
(``domain.compare.within``), brought up to date like a kept entry from the wider entry's
mark. On the ten-times set a quarter's first read cost 1.1 s, the whole history's 7.6 s.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Connection

from audit_app.domain import compare as stats
from audit_app.domain.compare import ComparisonRequest, PairSums, VersionAlignment
from audit_app.domain.filters import AuditFilter
from audit_app.services import history_rows, kept_selections, selections
from audit_app.services.context import AppContext
from audit_app.services.freshness import Version
from audit_app.services.selections import KeptSelection, Mark, written_part
from audit_app.storage import compare_queries as queries
from audit_app.storage import item_sums as stored_sums
from audit_app.storage import repository


@dataclass(frozen=True)
class _Family:
    """What the kept item sums of one selection share under successive data versions
    (``kept_selections.kept``'s family), named so that a narrower selection can find a
    wider one's (:func:`_kept_wider`)."""

    database: str
    audit_filter: AuditFilter
    include_closed: bool


@dataclass(frozen=True)
class KeptSums:
    """The sums (None: no item cell counted), the mark of the selection they were read
    with, and the alignments its items were read with."""

    sums: PairSums | None
    mark: Mark
    alignments: tuple[VersionAlignment, ...]


def kept_item_sums(
    ctx: AppContext,
    conn: Connection,
    request: ComparisonRequest,
    version: Version | None,
    kept: KeptSelection,
    reads: queries.SelectionReads | None = None,
) -> PairSums | None:
    """The item sums (in points; None: no item counted) of ``kept``'s selection
    (``selections.kept_entry`` of ``request``, scoped), kept under ``version`` and brought
    up to date from the ones kept under an earlier version when they can be; read afresh
    without a version.

    Kept under the version the caller took before its snapshot: asked for under an older
    version after a write, they are read in the later snapshot and hold the write, as the
    selection's item cells did; the next version's are right again. The checklists'
    catalogue is the process's one (the entries are keyed by the database alone)."""
    selection, since = kept.selection, kept.mark
    assert selection is not None
    audit_filter, include_closed = request.audit_filter, request.include_closed
    database = ctx.settings.resolved_database_url

    def read() -> PairSums | None:
        return selections.item_sums(conn, request, selection, reads)

    if version is None or since is None:
        return read()

    def load() -> KeptSums:
        taken = taken_from_wider()
        if taken is None:
            taken = taken_from_history()
        return taken if taken is not None else KeptSums(read(), since, selection.alignments)

    def patch(earlier: KeptSums) -> KeptSums | None:
        if earlier.alignments != selection.alignments:
            return None
        found = written_part(conn, earlier.mark, audit_filter)
        if found is None:
            return None
        if not found.branches:
            return replace(earlier, mark=since)
        fresh = selections.item_sums(conn, replace(request, audit_filter=found.part), selection)
        if earlier.sums is None:  # nothing counted but the written branches' cells
            return KeptSums(fresh, since, earlier.alignments)
        sums = stats.with_branches_replaced(earlier.sums, fresh, found.branches)
        return None if sums is None else KeptSums(sums, since, earlier.alignments)

    def taken_from_history() -> KeptSums | None:
        # the item-score vectors of the kept history's rows, as of its mark
        reach = history_rows.reaching(ctx, conn, audit_filter, selections.MOST_BRANCHES)
        if reach is None:
            return None
        sums = selections.item_sums(conn, request, selection, reach.reads(conn, audit_filter))
        return patch(KeptSums(sums, reach.history.mark, selection.alignments))

    def taken_from_wider() -> KeptSums | None:
        kept_wider = _kept_wider(database, audit_filter, include_closed)
        if kept_wider is None or kept_wider.sums is None:
            return None
        branches: set[str] | None = None
        if not include_closed:  # as a read leaves out the cells of branches not compared
            branches = set(selection.audits["branch_code"].astype(str).unique())
        if repository.branch_conditions(audit_filter):
            codes = set(repository.branch_codes_of(conn, audit_filter))
            branches = codes if branches is None else branches & codes
        chosen = audit_filter.checklist_id or None  # "" selects every checklist, as a read
        checklists = None if chosen is None else {chosen}
        part = stats.within(kept_wider.sums, branches, _months(audit_filter), checklists)
        # one checklist's part is aligned as the wider selection aligned that checklist
        aligned = tuple(a for a in kept_wider.alignments if chosen in (None, a.checklist_id))
        # as of the wider entry's mark: the patch reads the branches written since, and
        # refuses alignments unlike this selection's
        return patch(KeptSums(part, kept_wider.mark, aligned))

    return kept_selections.kept(
        (version, audit_filter, include_closed, "item sums"),
        load,
        lambda found: found.sums.nbytes if found.sums else 0,
        family=_Family(database, audit_filter, include_closed),
        patch=patch,
    ).sums


def _kept_wider(database: str, audit_filter: AuditFilter, include_closed: bool) -> KeptSums | None:
    """Kept sums of a wider selection whose part is exactly this filter's: the same filter
    but for no branch conditions, dates that hold this filter's, and this filter's checklist
    or every checklist (None: none kept, or this filter's dates cut a month, which the sums
    do not split)."""
    if not audit_filter.in_whole_months():
        return None
    bare = _without_branches_or_dates(audit_filter)
    for family in kept_selections.families():
        if not (
            isinstance(family, _Family)
            and family.database == database
            and family.include_closed == include_closed
        ):
            continue
        wider = family.audit_filter
        if wider == audit_filter:
            continue
        checklist = wider.checklist_id or None  # "" selects every checklist, as a read
        if checklist not in (None, audit_filter.checklist_id or None):
            continue  # another checklist's
        if replace(wider, checklist_id=checklist) != replace(
            bare, checklist_id=checklist, date_from=wider.date_from, date_to=wider.date_to
        ):
            continue  # branch conditions, or another kind or channel
        if not wider.dates_hold(audit_filter):
            continue
        found = kept_selections.latest(family)
        if isinstance(found, KeptSums) and found.sums is not None:
            return found
    return None


def _without_branches_or_dates(audit_filter: AuditFilter) -> AuditFilter:
    return replace(
        audit_filter,
        region=None,
        country=None,
        branch_code=None,
        areas=None,
        branches=None,
        date_from=None,
        date_to=None,
    )


def _months(audit_filter: AuditFilter) -> tuple[str | None, str | None] | None:
    """The filter's months as the sums label them (None: no dates)."""
    first, last = audit_filter.date_from, audit_filter.date_to
    if first is None and last is None:
        return None
    return (
        None if first is None else stored_sums.month_of(first),
        None if last is None else stored_sums.month_of(last),
    )


__all__ = ["KeptSums", "kept_item_sums"]
