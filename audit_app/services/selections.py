"""A comparison's selection: every scored audit of a filter (rescored where a checklist
spans versions), its branch-month totals and section cells; read, kept in this process under
the data version the page computed for it, and brought up to date from the branches written
since when that version moves on.

At month end head office's selection changes with every submission, and each change read it
whole again: on the ten-times set 1.1 s for the last twelve months and 2.5 s for the whole
history before anything was computed (#21). A kept selection remembers the data stamp it was
read at (:class:`Mark`, taken in the same snapshot), so the next data version reads only the
branches with an audit added, scored or sealed since (``period_changes.written_branches``)
and splices them in (``domain.compare.splice``): the frames a full read would give. It reads
everything again instead when anything else moved (branches, auditors), when the data went
back (a restore), when more than :data:`MOST_BRANCHES` branches were written, or when the
written branches change the checklist versions the selection uses or which is the latest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from audit_app.domain import compare as stats
from audit_app.domain.checklist import Checklist
from audit_app.domain.compare.request import ComparisonRequest
from audit_app.domain.compare.splice import (
    spliced_audits,
    spliced_cells,
    spliced_months,
    versions_and_latest,
)
from audit_app.domain.filters import AuditFilter
from audit_app.errors import AuditAppError
from audit_app.services import history_rows, kept_selections
from audit_app.services.context import AppContext
from audit_app.services.freshness import Version
from audit_app.services.marks import Mark
from audit_app.storage import beside, repository
from audit_app.storage import compare_queries as queries

MOST_BRANCHES = 256
"""More branches written than this since a selection was read (a bulk import, a rescoring):
it is read whole again rather than in parts."""


@dataclass(frozen=True)
class Selection:
    """What every comparison of one selection reads alike, whatever it then computes: its
    scored audits (rescored on the shared items where a checklist spans versions), their
    branch-month totals and section cells, and the checklist versions used."""

    audits: pd.DataFrame
    months: pd.DataFrame
    section_cells: pd.DataFrame
    checklists: tuple[Checklist, ...]
    alignments: tuple[stats.VersionAlignment, ...]
    known: dict[tuple[str, int], Checklist]
    dropped: pd.DataFrame | None = None
    """The audits that rescoring on the shared items left with no score (:data:`VISITS`):
    not compared, but their versions and visits decide the alignments as the others' do."""


VISITS = ["audit_id", "branch_code", "checklist_id", "checklist_version", "visited_at"]
"""What :attr:`Selection.dropped` keeps of an audit."""


@dataclass(frozen=True)
class _Weight:
    """What keeping frames costs, as their columns' fixed part and their values' bytes per
    row: a patched entry is weighed from its rows (weighing every text of the whole history
    again took 0.1 s), and a small first read, whose weight is mostly its columns', does not
    make every later row weigh kilobytes."""

    fixed: int
    per_row: float

    @classmethod
    def of(cls, selection: Selection | None) -> _Weight:
        frames = _frames_of(selection)
        return cls.measured(frames)

    @classmethod
    def measured(cls, frames: list[pd.DataFrame]) -> _Weight:
        fixed = kept_selections.COLUMN_BYTES * sum(frame.shape[1] for frame in frames)
        rows = sum(len(frame) for frame in frames)
        total = kept_selections.frame_bytes(*frames) if frames else 0
        return cls(fixed, (total - fixed) / rows if rows else 0.0)

    def bytes(self, selection: Selection | None) -> int:
        return self.of_rows(sum(len(frame) for frame in _frames_of(selection)))

    def of_rows(self, rows: int) -> int:
        return int(self.fixed + self.per_row * rows)


def _frames_of(selection: Selection | None) -> list[pd.DataFrame]:
    if selection is None:
        return []
    frames = [selection.audits, selection.months, selection.section_cells]
    return frames if selection.dropped is None else [*frames, selection.dropped]


@dataclass(frozen=True)
class KeptSelection:
    """A selection (None: nothing scored), the mark it was read at (None: read without a
    version, not kept) and what keeping it weighs."""

    selection: Selection | None
    mark: Mark | None
    weight: _Weight


class Unaligned(AuditAppError):
    """Branches read again use a checklist version their selection does not: it is read
    whole again (never shown to a user)."""


def kept_selection(
    ctx: AppContext,
    conn: Connection,
    request: ComparisonRequest,
    version: Version | None,
    reads: queries.SelectionReads | None = None,
) -> Selection | None:
    """The request's selection: kept under ``version`` for the next request of the same
    selection (:mod:`kept_selections`), brought up to date from the one kept under an
    earlier version when it can be (:func:`patched`), read afresh without a version."""
    return kept_entry(ctx, conn, request, version, reads).selection


def kept_entry(
    ctx: AppContext,
    conn: Connection,
    request: ComparisonRequest,
    version: Version | None,
    reads: queries.SelectionReads | None = None,
) -> KeptSelection:
    """:func:`kept_selection` with the mark it stands for (what its item cells are kept
    at); a selection read afresh, without a version, has none worth keeping by."""
    audit_filter, include_closed = request.audit_filter, request.include_closed
    if version is None:  # not kept: not weighed
        selection = read_selection(ctx, conn, audit_filter, include_closed, reads)
        return KeptSelection(selection, None, _Weight(0, 0.0))

    def load() -> KeptSelection:
        taken = taken_from_history(ctx, conn, audit_filter, include_closed)
        if taken is not None:
            return taken
        selection = read_selection(ctx, conn, audit_filter, include_closed, reads)
        return KeptSelection(selection, Mark.read(conn), _Weight.of(selection))

    def patch(earlier: KeptSelection) -> KeptSelection | None:
        return patched(ctx, conn, audit_filter, include_closed, earlier)

    return kept_selections.kept(
        (version, audit_filter, include_closed),
        load,
        lambda kept: kept.weight.bytes(kept.selection),
        family=(ctx.settings.resolved_database_url, audit_filter, include_closed),
        patch=patch,
    )


def taken_from_history(
    ctx: AppContext, conn: Connection, audit_filter: AuditFilter, include_closed: bool
) -> KeptSelection | None:
    """The selection made of the kept history's rows (``services.history_rows``) and brought
    up to date from its mark; None when no history holds it, or it must be read (nothing of
    it scored then, or what :func:`patched` reads whole)."""
    reach = history_rows.reaching(ctx, conn, audit_filter, MOST_BRANCHES)
    if reach is None:
        return None
    reads = reach.reads(conn, audit_filter)
    selection = read_selection(ctx, conn, audit_filter, include_closed, reads)
    if selection is None:
        return None
    as_read = KeptSelection(selection, reach.history.mark, _Weight.of(selection))
    return patched(ctx, conn, audit_filter, include_closed, as_read)


def patched(
    ctx: AppContext,
    conn: Connection,
    audit_filter: AuditFilter,
    include_closed: bool,
    earlier: KeptSelection,
) -> KeptSelection | None:
    """``earlier`` brought up to this snapshot by reading again only the branches written
    since its mark; None when it must be read whole (see the module's docstring)."""
    if earlier.selection is None or earlier.mark is None:
        return None
    since = written_part(conn, earlier.mark, audit_filter)
    if since is None:
        return None
    mark, written = since.mark, since.branches
    if not written:
        return replace(earlier, mark=mark)
    kept = earlier.selection
    try:
        fresh = read_selection(ctx, conn, since.part, include_closed, aligned_as=kept)
    except Unaligned:
        return None
    audits = spliced_audits(kept.audits, None if fresh is None else fresh.audits, written)
    if audits.empty:
        return None
    dropped = _spliced_dropped(kept, fresh, written)
    # the versions and visits before rescoring decide the alignments, as in a full read
    visits = audits[VISITS] if dropped is None else pd.concat([audits[VISITS], dropped])
    used, latest = versions_and_latest(visits)
    if used != _versions_known(kept) or latest != {c.id: c.version for c in kept.checklists}:
        return None  # the alignments would differ: read whole
    selection = Selection(
        audits=audits,
        months=spliced_months(kept.months, None if fresh is None else fresh.months, written),
        section_cells=spliced_cells(
            kept.section_cells, None if fresh is None else fresh.section_cells, written
        ),
        checklists=kept.checklists,
        alignments=kept.alignments,
        known=kept.known,
        dropped=dropped,
    )
    return KeptSelection(selection, mark, earlier.weight)


def _spliced_dropped(
    kept: Selection, fresh: Selection | None, written: tuple[str, ...]
) -> pd.DataFrame | None:
    """The audits rescoring dropped, the written branches' as read again (None: the
    selection rescores nothing, and neither does a part of it, read with its alignments)."""
    if kept.dropped is None:
        return None
    return spliced_audits(kept.dropped, None if fresh is None else fresh.dropped, written)


def item_cells(
    conn: Connection,
    request: ComparisonRequest,
    selection: Selection,
    reads: queries.SelectionReads | None = None,
) -> pd.DataFrame:
    """The selection's item cells, in points as read (items a version left out dropped,
    and closed branches unless the request includes them). Whether the kept summaries or
    the vectors are the faster read is judged from the selection's own density."""
    months = selection.months
    density = float(months["audits"].sum()) / len(months) if len(months) else 0.0
    cells = queries.item_cells(conn, request.audit_filter, reads, audits_per_cell=density)
    if selection.alignments:
        cells = without_left_out(cells, selection.alignments)
    if not request.include_closed:
        cells = cells[cells["branch_code"].isin(selection.audits["branch_code"])]
    return cells


def item_sums(
    conn: Connection,
    request: ComparisonRequest,
    selection: Selection,
    reads: queries.SelectionReads | None = None,
) -> stats.PairSums | None:
    """The selection's item cells (:func:`item_cells`) in points (x 100), added up per item
    x branch and month as per-item consistency fits them (None: nothing counted). Read
    from the vectors, they are added up without being cut into cells
    (``domain.compare.pair_sums_of``): a ten-times history's eleven million (#21)."""
    months = selection.months
    density = float(months["audits"].sum()) / len(months) if len(months) else 0.0
    if queries.item_read(conn, request.audit_filter, density) == "summaries":
        cells = item_cells(conn, request, selection, reads)
        return stats.item_sums(stats.scale_cells(cells, 100))
    # the compared branches' codes, distinct: a ten-times history has 390,000 audits'
    compared = None if request.include_closed else selection.audits["branch_code"].unique()
    left_out = {a.checklist_id: set(a.left_out) for a in selection.alignments}
    parts = []
    for part in queries.vector_item_parts(conn, request.audit_filter, reads):
        items = ~np.isin(part.items, list(left_out.get(part.checklist_id, ())))
        keys = np.ones(len(part.branch), dtype=bool)
        if compared is not None:  # closed branches are not compared unless asked for
            keys = np.asarray(pd.Index(part.branch).isin(compared))
        if not (items.all() and keys.all()):
            where = np.ix_(keys, items)
            part = replace(
                part,
                items=part.items[items],
                branch=part.branch[keys],
                period=part.period[keys],
                count=part.count[where],
                sums=part.sums[where],
                sum_sq=part.sum_sq[where],
            )
        parts.append(part)
    return stats.pair_sums_of(parts, scale=100)


def without_left_out(
    cells: pd.DataFrame, alignments: tuple[stats.VersionAlignment, ...]
) -> pd.DataFrame:
    """Item cells without the items a version alignment leaves out."""
    for alignment in alignments:
        drop = (cells["checklist_id"] == alignment.checklist_id) & cells["standard"].isin(
            alignment.left_out
        )
        cells = cells[~drop]
    return cells


@dataclass(frozen=True)
class Written:
    """What a frame kept at an earlier mark reads again (:func:`written_part`)."""

    mark: Mark
    """This snapshot's."""
    branches: tuple[str, ...]
    """The branches written since (none: the frame holds what a fresh read would)."""
    part: AuditFilter
    """The filter narrowed to them."""


def written_part(conn: Connection, earlier: Mark, audit_filter: AuditFilter) -> Written | None:
    """:meth:`Mark.written_since` (at most :data:`MOST_BRANCHES`) with the filter a patch
    reads them by; None when a patch cannot bring a frame read at ``earlier`` up to date."""
    found = earlier.written_since(conn, MOST_BRANCHES, audit_filter)
    if found is None:
        return None
    now, written = found
    return Written(now, written, replace(audit_filter, branches=_narrowed(audit_filter, written)))


def _narrowed(audit_filter: AuditFilter, written: tuple[str, ...]) -> tuple[str, ...]:
    if audit_filter.branches is None:
        return written
    return tuple(code for code in written if code in set(audit_filter.branches))


def _versions_known(selection: Selection) -> dict[str, tuple[int, ...]]:
    """The versions a selection's audits use (:func:`aligned` keeps every one)."""
    used: dict[str, set[int]] = {}
    for checklist_id, version in selection.known:
        used.setdefault(checklist_id, set()).add(version)
    return {checklist_id: tuple(sorted(v)) for checklist_id, v in used.items()}


def _within(used: Mapping[str, tuple[int, ...]], known: Mapping[str, tuple[int, ...]]) -> bool:
    return all(set(versions) <= set(known.get(cid, ())) for cid, versions in used.items())


def read_selection(
    ctx: AppContext,
    conn: Connection,
    audit_filter: AuditFilter,
    include_closed: bool,
    reads: queries.SelectionReads | None = None,
    *,
    aligned_as: Selection | None = None,
) -> Selection | None:
    """The selection's scored audits, totals and cells, read in the caller's snapshot; None
    when no audit of it has a score. ``aligned_as``: the selection this one is a part of
    (its changed branches, :func:`patched`), whose checklist versions and alignments it
    takes; :class:`Unaligned` when it uses a version that one does not."""
    # a whole selection's section scores are read beside its audits (storage.beside); a
    # part's few branches are read one after the other; rows taken from a wider selection's
    # are not read at all
    taken = None if reads is None else reads.taken_sections(conn, audit_filter)

    def read_sections(other: Connection) -> pd.DataFrame:
        return queries.section_rows(other, audit_filter) if taken is None else taken

    at_once = aligned_as is None and taken is None
    with beside.read_beside(conn, read_sections, at_once=at_once) as sections:
        audits = (
            queries.audit_frame(conn, audit_filter)
            if reads is None
            else reads.audits(conn, audit_filter)
        )
        audits = audits[audits["overall"].notna()].reset_index(drop=True)
        if not include_closed:  # closed branches are not ranked unless asked for
            audits = audits[audits["branch_active"]].reset_index(drop=True)
        if audits.empty:
            return None
        used = versions_used(audits)
        if aligned_as is None:
            checklists, alignments, known = aligned(ctx, conn, audits, used)
        elif _within(used, _versions_known(aligned_as)):
            checklists, alignments, known = (
                aligned_as.checklists,
                aligned_as.alignments,
                aligned_as.known,
            )
        else:
            raise Unaligned(used)
        section_rows = sections.result()
    dropped = None
    if alignments:
        fresh = rescored(conn, audit_filter, audits, alignments, known, reads)
        scored = with_rescored_overall(audits, fresh)
        left = ~audits["audit_id"].isin(scored["audit_id"]).to_numpy()
        dropped = audits.loc[left, VISITS].reset_index(drop=True)
        audits = scored
        section_rows = with_rescored_sections(section_rows, fresh)
    if not include_closed:
        section_rows = section_rows[section_rows["audit_id"].isin(audits["audit_id"])]
    return Selection(
        audits=audits,
        months=stats.branch_month_totals(audits),
        section_cells=stats.month_cells(section_rows, audits, "section_id"),
        checklists=checklists,
        alignments=alignments,
        known=known,
        dropped=dropped,
    )


def selection_bytes(selection: Selection | None) -> int:
    """What keeping a selection's frames costs, weighed afresh (``kept_selections``)."""
    frames = _frames_of(selection)
    return kept_selections.frame_bytes(*frames) if frames else 0


def aligned(
    ctx: AppContext,
    conn: Connection,
    audits: pd.DataFrame,
    used: dict[str, tuple[int, ...]],
) -> tuple[
    tuple[Checklist, ...],
    tuple[stats.VersionAlignment, ...],
    dict[tuple[str, int], Checklist],
]:
    """The latest version of each checklist used, the alignments of those that span
    versions, and every version used."""
    needed = {(cid, v) for cid, versions in used.items() for v in versions}
    known = checklist_versions(ctx, conn, needed)
    latest = stats.latest_versions(audits)
    checklists = tuple(known[(cid, latest[cid])] for cid in sorted(used))
    alignments = tuple(
        stats.align_versions([known[(cid, v)] for v in versions], latest[cid])
        for cid, versions in sorted(used.items())
        if len(versions) > 1
    )
    return checklists, alignments, known


def checklist_versions(
    ctx: AppContext, conn: Connection, needed: set[tuple[str, int]]
) -> dict[tuple[str, int], Checklist]:
    """The needed checklist versions: from the folder, else as the database stored them
    (an old version whose file is gone still explains its audits)."""
    known = {(c.id, c.version): c for c in ctx.catalogue if (c.id, c.version) in needed}
    if needed - known.keys():
        for definition in repository.stored_checklist_definitions(conn):
            key = (definition["id"], int(definition["version"]))
            if key in needed and key not in known:
                known[key] = Checklist.model_validate(definition)
    missing = sorted(needed - known.keys())
    if missing:
        raise AuditAppError(f"checklist versions not found: {missing}")
    return known


def versions_used(audits: pd.DataFrame) -> dict[str, tuple[int, ...]]:
    """Checklist id -> the versions its selected audits were scored with."""
    pairs = audits[["checklist_id", "checklist_version"]].drop_duplicates()
    used: dict[str, set[int]] = {}
    for checklist_id, version in pairs.itertuples(index=False):
        used.setdefault(str(checklist_id), set()).add(int(version))
    return {checklist_id: tuple(sorted(v)) for checklist_id, v in used.items()}


def rescored(
    conn: Connection,
    audit_filter: AuditFilter,
    audits: pd.DataFrame,
    alignments: tuple[stats.VersionAlignment, ...],
    known: dict[tuple[str, int], Checklist],
    reads: queries.SelectionReads | None = None,
) -> list[stats.Rescored]:
    """Section and overall scores of the multi-version checklists' audits, recomputed on
    the items all their versions share, by the reference version's rules."""
    ids = tuple(a.checklist_id for a in alignments)
    items = queries.item_rows(conn, audit_filter, ids, reads=reads)
    checklist_of = audits.set_index("audit_id")["checklist_id"]
    out = []
    for alignment in alignments:
        mine = items[items["audit_id"].map(checklist_of) == alignment.checklist_id]
        reference = known[(alignment.checklist_id, alignment.reference_version)]
        out.append(stats.rescore_on_shared_items(mine, alignment, reference))
    return out


def with_rescored_overall(audits: pd.DataFrame, rescored: list[stats.Rescored]) -> pd.DataFrame:
    """The audits with the rescored ones' overall score, pass and critical failure replaced;
    those rescoring left without a score dropped. A part read again may hold no audit of a
    rescored checklist (a branch's e-mail visit alone): nothing is written then, since
    pandas refuses writing an empty float array into the bool column (#21, a review)."""
    fresh = pd.concat([r.audits for r in rescored], ignore_index=True).set_index("audit_id")
    changed = audits["audit_id"].isin(fresh.index)
    updated = audits.copy()
    if changed.any():
        for column in ("overall", "passed", "critical_failure"):
            updated.loc[changed, column] = (
                updated.loc[changed, "audit_id"].map(fresh[column]).to_numpy()
            )
    updated["overall"] = updated["overall"].astype(float)
    return updated[updated["overall"].notna()].reset_index(drop=True)


def with_rescored_sections(rows: pd.DataFrame, rescored: list[stats.Rescored]) -> pd.DataFrame:
    """Section scores with the rescored checklists' audits' sections replaced."""
    replaced = pd.concat([r.sections for r in rescored], ignore_index=True)
    kept = rows[~rows["audit_id"].isin(set(replaced["audit_id"]))]
    return pd.concat([kept, replaced[kept.columns]], ignore_index=True)
