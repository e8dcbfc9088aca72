"""The queries behind comparisons: the frames :mod:`audit_app.domain.compare` works on.

Submitted audits only, filtered like every other list (``repository._filtered``). The
per-audit and per-section figures come from the summary rows written when an audit is
stored (``audit_scores``; ``audit_section_scores``, :mod:`audit_app.storage.section_vectors`,
one row per audit of what ``section_scores`` holds), the item figures from each audit's
item-score vector (``audit_item_scores``, :mod:`audit_app.storage.item_vectors`) or the
item summaries kept on write (``item_month_sums``, :mod:`audit_app.storage.item_sums`). Where
a statistic needs only sums per branch, the database adds them up (``*_cells``, several
times faster than fetching every row into Python); item cells from vectors are added up
in numpy.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse
from sqlalchemy import Connection, LargeBinary, func, literal, select

from audit_app.domain.compare import CELL_COLUMNS, KeyedSums
from audit_app.domain.filters import AuditFilter
from audit_app.domain.shared_arrays import read_only
from audit_app.storage import (
    auditor_store,
    beside,
    copy_frames,
    item_sums,
    item_vectors,
    section_vectors,
)
from audit_app.storage.repository import _filtered, branch_conditions, branch_stamp
from audit_app.storage.tables import (
    answer_photos,
    answers,
    audit_item_scores,
    audit_scores,
    audit_section_scores,
    audits,
    branches,
    checklist_versions,
    item_month_sums,
)

AUDIT_COLUMNS = [
    "audit_id",
    "branch_code",
    "branch_name",
    "region",
    "country",
    "checklist_id",
    "checklist_version",
    "kind",
    "channel",
    "auditor",
    "visited_at",
    "overall",
    "passed",
    "critical_failure",
    "visit_reference",
    "branch_active",
]

__all__ = [
    "AUDIT_COLUMNS",
    "SelectionReads",
    "audit_frame",
    "data_stamp",
    "failure_evidence",
    "failure_evidence_by_branch",
    "filter_vocabulary",
    "item_cells",
    "item_read",
    "item_rows",
    "item_rows_for",
    "scored_audit_count",
    "section_rows",
    "summaries_answer",
    "summaries_pay",
    "summary_cells",
    "vector_cells",
    "vector_item_parts",
    "visit_span",
]


def _audits_joined() -> Any:
    return audits.join(branches, branches.c.id == audits.c.branch_id)


def audit_frame(conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame:
    """One row per submitted audit: branch, checklist version, auditor, visit, scores.

    Branches are read once and joined in pandas: 5,000 branch rows instead of 40,000
    copies of the same names.
    """
    query = _filtered(
        select(
            audits.c.id,
            audits.c.branch_id,
            audits.c.checklist_id,
            audits.c.checklist_version,
            audits.c.kind,
            audits.c.channel,
            audits.c.auditor,
            audits.c.visited_at,
            audit_scores.c.overall,
            audit_scores.c.passed,
            audit_scores.c.critical_failure,
            audits.c.visit_reference,
            audits.c.auditor_id,
        ).select_from(_audits_joined().join(audit_scores, audit_scores.c.audit_id == audits.c.id)),
        audit_filter,
    )
    # In visit order: PostgreSQL sorts as it reads (sorting the frame's text columns took
    # 0.27 s of a ten-times history's 1.3 s, #21); SQLite's sort of the wide rows took
    # longer than pandas' (0.15 s more of the scale set's 0.3 s), so pandas sorts there.
    sorted_by_database = conn.dialect.name == "postgresql"
    if sorted_by_database:
        query = query.order_by(audits.c.visited_at, audits.c.id)
    rows = copy_frames.typed_frame(
        conn,
        query,
        {
            "audit_id": "int",
            "branch_id": "int",
            "checklist_id": "text",
            "checklist_version": "int",
            "kind": "text",
            "channel": "text",
            "auditor": "text",
            "visited_at": "timestamp",
            "overall": "float",
            "passed": "bool",
            "critical_failure": "bool",
            "visit_reference": "text",
            "auditor_id": "float",  # NULL where the audit names no auditor record
        },
    )
    if rows.empty:
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    rows["auditor"] = _people(conn, rows)
    branch_table = _branch_table(conn)
    frame = rows.merge(branch_table, on="branch_id", how="left")
    frame["critical_failure"] = frame["critical_failure"].astype(bool)
    frame["branch_active"] = frame["branch_active"].astype(bool)
    if not sorted_by_database:
        frame = frame.sort_values(["visited_at", "audit_id"], ignore_index=True)
    return frame[AUDIT_COLUMNS]


def selected_audit_ids(conn: Connection, audit_filter: AuditFilter) -> np.ndarray:
    """Every audit the filter selects, scored or not, of open and closed branches (what
    :func:`_vector_blocks` reads; :func:`audit_frame` and :func:`section_rows` read those of
    them with a score row), sorted: which rows of a wider selection's are this one's
    (:class:`SelectionRows`), the filter applied by the database as for any read."""
    if conn.dialect.name == "postgresql":
        # one value of every id's eight bytes (big-endian): 390,000 rows of COPY cost 0.5 s
        # of the driver's loop, this 0.05 s
        packed = func.string_agg(func.int8send(audits.c.id), literal(b"", LargeBinary))
        query = _filtered(select(packed).select_from(_audits_joined()), audit_filter)
        found = conn.execute(query).scalar()
        ids = np.frombuffer(bytes(found or b""), dtype=">i8").astype(np.int64)
    else:
        query = _filtered(select(audits.c.id).select_from(_audits_joined()), audit_filter)
        ids = np.fromiter((row[0] for row in _binary_rows(conn, query)), dtype=np.int64)
    return np.sort(ids)


def scored_audit_ids(
    conn: Connection, audit_filter: AuditFilter, *, include_closed: bool = False
) -> pd.DataFrame:
    """The selection's audits that have an overall score, of open branches unless
    ``include_closed``: the audits a comparison ranks (as :func:`audit_frame` then the
    comparison's own filter would keep them), without reading the rest of their rows.
    Columns ``audit_id``, ``checklist_id``, ``checklist_version``, ``visited_at``: enough
    to tell which checklists span versions (whose audits are rescored on shared items)."""
    query = _filtered(
        select(audits.c.id, audits.c.checklist_id, audits.c.checklist_version, audits.c.visited_at)
        .select_from(_audits_joined().join(audit_scores, audit_scores.c.audit_id == audits.c.id))
        .where(audit_scores.c.overall.is_not(None)),
        audit_filter,
    )
    if not include_closed:
        query = query.where(branches.c.active)
    return copy_frames.typed_frame(
        conn,
        query,
        {
            "audit_id": "int",
            "checklist_id": "text",
            "checklist_version": "int",
            "visited_at": "timestamp",
        },
    )


def _people(conn: Connection, rows: pd.DataFrame) -> pd.Series:
    """Each audit's auditor as the person it is linked to, by their current name (after
    merges), so that a typo does not make one auditor two; the name as written where an
    audit has no link."""
    names = auditor_store.current_names(conn)
    if not names:
        return rows["auditor"]
    linked = rows["auditor_id"].map(names)  # 3.0 finds 3: NaN (no link) finds nothing
    return linked.where(linked.notna(), rows["auditor"])


_frame = copy_frames.tuple_frame
"""The query's rows as a frame from the driver's own tuples; the callers set the column
types (a SQLite datetime arrives as text, a boolean as 0/1; PostgreSQL's arrive typed)."""


def _branch_table(conn: Connection) -> pd.DataFrame:
    return _frame(
        conn,
        select(
            branches.c.id,
            branches.c.code,
            branches.c.name,
            branches.c.region,
            branches.c.country,
            branches.c.active,
        ),
        ["branch_id", "branch_code", "branch_name", "region", "country", "branch_active"],
    )


def _among(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``wanted`` (sorted): a binary search each."""
    at = np.searchsorted(wanted, ids)
    found = at < len(wanted)
    found[found] = wanted[at[found]] == ids[found]
    return found


@dataclass(frozen=True)
class SelectionRows:
    """One snapshot's rows of a selection, whole: its audit frame (:func:`audit_frame`),
    section rows (:func:`section_rows`) and item-score vectors, before anything is left out
    (closed branches, unscored audits): what a selection inside it is taken from
    (``SelectionReads.taken``, ``services.history_rows``). Shared: never changed in place."""

    audits: pd.DataFrame
    sections: pd.DataFrame
    blocks: tuple[_VectorBlock, ...]

    @classmethod
    def read(cls, conn: Connection, audit_filter: AuditFilter) -> SelectionRows:
        """Read in ``conn``'s snapshot; on PostgreSQL the sections and vectors beside the
        audits (``storage.beside``)."""
        reads = SelectionReads(conn, audit_filter, vectors_beside=True)
        try:
            with beside.read_beside(conn, lambda other: section_rows(other, audit_filter)) as rows:
                audits_read = reads.audits(conn, audit_filter)
                return cls(audits_read, rows.result(), tuple(reads.blocks(conn, audit_filter)))
        finally:
            reads.close()

    def audits_of(self, audit_ids: np.ndarray) -> pd.DataFrame:
        """The audit frame's rows of these audits (sorted ids), typed as a read of them."""
        kept = self.audits[_among(self.audits["audit_id"].to_numpy(dtype=np.int64), audit_ids)]
        return copy_frames.retyped(kept.reset_index(drop=True))

    def sections_of(self, audit_ids: np.ndarray) -> pd.DataFrame:
        """The section rows of these audits (sorted ids)."""
        mine = _among(self.sections["audit_id"].to_numpy(dtype=np.int64), audit_ids)
        return self.sections[mine].reset_index(drop=True)

    def blocks_of(self, audit_ids: np.ndarray) -> tuple[_VectorBlock, ...]:
        """The item-score vectors of these audits (sorted ids), per checklist version."""
        blocks = []
        for block in self.blocks:
            mine = _among(block.audit_ids, audit_ids)
            if mine.all():
                blocks.append(block)
            elif mine.any():
                blocks.append(
                    replace(
                        block,
                        audit_ids=block.audit_ids[mine],
                        branch_ids=block.branch_ids[mine],
                        periods=block.periods[mine],
                        scores=block.scores[mine],
                    )
                )
        return tuple(blocks)

    @property
    def nbytes(self) -> int:
        """What keeping them costs: the frames' memory (their text counted), the vectors'
        arrays and their months' text."""
        from_frames = int(
            sum(
                frame.memory_usage(deep=True, index=True).sum()
                for frame in (self.audits, self.sections)
            )
        )
        arrays = sum(
            b.audit_ids.nbytes + b.branch_ids.nbytes + b.scores.nbytes + 64 * len(b.periods)
            for b in self.blocks
        )
        return from_frames + int(arrays)


class SelectionReads:
    """What one snapshot reads of one selection, each read at most once: its audit frame
    and its item-score vectors. A comparison's item cells and failure evidence share the
    vectors (two reads of a ten-times quarter's took 0.5 s), and the comparison report's
    repeated-failure search shares both (2.2 s of a ten-times history's PDF, #21). Valid in
    the snapshot it was made in; the frames it hands out are shared, so never changed in
    place (pandas' copy-on-write keeps a caller's new columns its own)."""

    def __init__(
        self,
        conn: Connection,
        audit_filter: AuditFilter,
        *,
        every_vector: bool = True,
        vectors_beside: bool = False,
    ) -> None:
        """``vectors_beside``: the caller reads every vector of the selection whatever it
        finds (the comparison report's items, evidence and repeated failures): they are read
        at once, beside its other reads (``storage.beside``); :meth:`close` before the
        snapshot ends."""
        self._conn = conn
        self._filter = audit_filter
        self._every_vector = every_vector
        self._audits: pd.DataFrame | None = None
        self._blocks: list[_VectorBlock] | None = None
        self._sections: pd.DataFrame | None = None
        self._taken: tuple[SelectionRows, np.ndarray | None] | None = None
        self._beside = (
            beside.Beside(conn, lambda other: _vector_blocks(other, audit_filter))
            if vectors_beside
            else None
        )

    @classmethod
    def taken(
        cls,
        conn: Connection,
        audit_filter: AuditFilter,
        rows: SelectionRows,
        audit_ids: np.ndarray | None = None,
    ) -> SelectionReads:
        """Reads of ``audit_filter``'s selection taken from a wider selection's ``rows`` (as
        of the snapshot those were read in): those of ``audit_ids`` (sorted; None: all),
        each taken when first asked for (a comparison without items or rescoring asks for
        no vectors, per-item consistency for nothing else)."""
        reads = cls(conn, audit_filter)
        reads._taken = (rows, audit_ids)
        return reads

    def taken_sections(self, conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame | None:
        """:func:`section_rows` of the selection when these reads were :meth:`taken` (None:
        they are read, beside the audits)."""
        self._check(conn, audit_filter)
        if self._taken is None:
            return None
        if self._sections is None:
            rows, ids = self._taken
            self._sections = rows.sections if ids is None else rows.sections_of(ids)
        return self._sections

    def close(self) -> None:
        """Until the vectors read beside, if any, have been read (their own connection
        closed)."""
        if self._beside is not None:
            self._beside.wait()

    def serves(self, conn: Connection, audit_filter: AuditFilter) -> bool:
        """Whether this read holds ``audit_filter``'s selection in ``conn``'s snapshot."""
        return conn is self._conn and audit_filter == self._filter

    def shares_vectors(self, conn: Connection, audit_filter: AuditFilter) -> bool:
        """Whether a reader of some checklists' vectors should take them from here: the
        caller will read every vector of the selection anyway (``every_vector``: the item
        cells, the evidence, the repeats' search), or they are read already. A comparison
        without items or evidence rescoring one checklist reads that checklist's alone."""
        return self.serves(conn, audit_filter) and (
            self._every_vector
            or self._blocks is not None
            or self._beside is not None
            or self._taken is not None
        )

    def audits(self, conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame:
        """:func:`audit_frame` of the selection."""
        self._check(conn, audit_filter)
        if self._audits is None:
            if self._taken is not None:
                rows, ids = self._taken
                self._audits = rows.audits if ids is None else rows.audits_of(ids)
            else:
                self._audits = audit_frame(conn, audit_filter)
        return self._audits

    def blocks(self, conn: Connection, audit_filter: AuditFilter) -> list[_VectorBlock]:
        self._check(conn, audit_filter)
        if self._blocks is None:
            if self._taken is not None:
                rows, ids = self._taken
                self._blocks = list(rows.blocks if ids is None else rows.blocks_of(ids))
            elif self._beside is not None:
                self._blocks = self._beside.result()
            else:
                self._blocks = _vector_blocks(conn, audit_filter)
        return self._blocks

    def _check(self, conn: Connection, audit_filter: AuditFilter) -> None:
        if not self.serves(conn, audit_filter):
            raise ValueError(
                "a selection's reads serve the connection and filter they were made for"
            )


def _blocks_of(
    conn: Connection, audit_filter: AuditFilter, reads: SelectionReads | None
) -> list[_VectorBlock]:
    if reads is None:
        return _vector_blocks(conn, audit_filter)
    return reads.blocks(conn, audit_filter)


def item_cells(
    conn: Connection,
    audit_filter: AuditFilter,
    reads: SelectionReads | None = None,
    audits_per_cell: float | None = None,
) -> pd.DataFrame:
    """Per branch x checklist x item x month of the visit: count, sum and sum of squares of
    the item scores (0-1; N/A and unscored items left out).

    From the item summaries kept on write (``item_sums``) when the filter selects whole
    months and asks nothing about single audits (:func:`summaries_answer`) and they hold
    enough audits per row to be the faster read (:func:`summaries_pay`); else added up in
    numpy from each audit's item-score vector (``item_vectors``): 40,000 rows of the scale
    set instead of grouping its 2.4 million answers in the database (4.2 s on SQLite, 4.1 s
    on PostgreSQL before). Versions of one checklist share their items' ids.

    ``audits_per_cell``: the selection's audits per branch and month, when the caller knows
    them (a comparison's kept selection): the density is then not asked of the database
    (0.25 s of a ten-times year's per-item consistency, #21). Either read gives the same
    cells; the density only picks the faster.
    """
    if item_read(conn, audit_filter, audits_per_cell) == "summaries":
        return summary_cells(conn, audit_filter)
    return vector_cells(conn, audit_filter, reads)


def item_read(
    conn: Connection, audit_filter: AuditFilter, audits_per_cell: float | None = None
) -> Literal["summaries", "vectors"]:
    """Where a selection's item figures are read from (:func:`item_cells`): the item
    summaries when they hold what the filter selects and enough audits per row to be the
    faster read, else the item-score vectors."""
    if summaries_answer(audit_filter):
        dense = (
            summaries_pay(conn, audit_filter)
            if audits_per_cell is None
            else audits_per_cell >= SUMMARY_DENSITY
        )
        if dense:
            return "summaries"
    return "vectors"


SUMMARY_DENSITY = 8
"""Audits per branch and month from which the summaries are read rather than the vectors.
On the scale set a summary row (one item of one branch and month) took about 2 us to read
and add up, an audit's item in its vector about 0.25 us: the summaries are the faster read
where a row stands for eight audits or more. The scale set has one or two audits per branch
and month (2.3 million rows for 2.4 million answers), so it reads the vectors."""


def summaries_pay(conn: Connection, audit_filter: AuditFilter) -> bool:
    """The selected audits come to :data:`SUMMARY_DENSITY` or more per branch and month
    (one query over the audits, no answer read)."""
    month = _month(conn).label("month")
    per_cell = _filtered(
        select(audits.c.branch_id, month, func.count().label("audits"))
        .select_from(_audits_joined())
        .group_by(audits.c.branch_id, month),
        audit_filter,
    ).subquery()
    cells, selected = conn.execute(
        select(func.count(), func.coalesce(func.sum(per_cell.c.audits), 0))
    ).one()
    return bool(cells) and int(selected) >= SUMMARY_DENSITY * int(cells)


def summaries_answer(audit_filter: AuditFilter) -> bool:
    """The item summaries hold what the filter selects: whole months (or no dates), no
    auditor and no visit reference (the summaries keep neither)."""
    f = audit_filter
    if f.auditor or (f.reference and f.reference.strip()):
        return False
    return f.in_whole_months()


def summary_cells(conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame:
    """:func:`item_cells` from the item summaries: their kinds and channels added up, the
    branch filters through ``branches``."""
    f = audit_filter
    s = item_month_sums
    conditions = branch_conditions(f)
    source: Any = s.join(branches, branches.c.id == s.c.branch_id) if conditions else s
    if f.checklist_id:
        conditions.append(s.c.checklist_id == f.checklist_id)
    if f.date_from:
        conditions.append(s.c.month >= item_sums.month_of(f.date_from))
    if f.date_to:
        conditions.append(s.c.month <= item_sums.month_of(f.date_to))
    if f.kind:
        conditions.append(s.c.kind == f.kind)
    elif not f.include_follow_ups:
        conditions.append(s.c.kind != "follow_up")
    if f.channel:
        conditions.append(s.c.channel == f.channel)
    grouped = (s.c.branch_id, s.c.checklist_id, s.c.item_id, s.c.month)
    query = (
        select(*grouped, func.sum(s.c.n), func.sum(s.c.total), func.sum(s.c.total_sq))
        .select_from(source)
        .where(*conditions)
        .group_by(*grouped)
    )
    rows = _frame(
        conn, query, ["branch_id", "checklist_id", "standard", "period", "n", "sum", "sum_sq"]
    )
    if rows.empty:
        return _no_cells()
    cells = pd.DataFrame({"branch_code": _branch_codes(conn, rows["branch_id"].to_numpy())})
    for column in ("checklist_id", "standard", "period"):
        codes_of, values = pd.factorize(rows[column].to_numpy(dtype=object))
        cells[column] = _sorted_categorical([str(v) for v in values], codes_of)
    cells["n"] = rows["n"].to_numpy().astype(int)
    cells["sum"] = rows["sum"].to_numpy().astype(float)
    cells["sum_sq"] = rows["sum_sq"].to_numpy().astype(float)
    return cells[PERIOD_CELL_COLUMNS]


def _no_cells() -> pd.DataFrame:
    empty: dict[str, list[Any]] = {column: [] for column in PERIOD_CELL_COLUMNS}
    return pd.DataFrame(empty).astype({"n": int, "sum": float, "sum_sq": float, "period": str})[
        PERIOD_CELL_COLUMNS
    ]


def vector_cells(
    conn: Connection, audit_filter: AuditFilter, reads: SelectionReads | None = None
) -> pd.DataFrame:
    """:func:`item_cells` from the item-score vectors of the selected audits.

    The text columns are categorical, their categories sorted: a ten-times history has
    11 million cells, and writing out (then factorising again) a text per cell cost more than
    adding them up."""
    sums = [_block_sums(block) for block in _blocks_of(conn, audit_filter, reads)]
    sums = [part for part in sums if len(part.n)]
    if not sums:
        return _no_cells()
    checklists = _categories(part.layout.checklist_id for part in sums)
    standards = _categories(item for part in sums for item in part.layout.items)
    periods = _categories(month for part in sums for month in part.months.tolist())
    parts = [
        pd.DataFrame(
            {
                "branch_id": part.branch_ids,
                "checklist_id": _coded(
                    checklists,
                    np.full(len(part.n), checklists.get_loc(part.layout.checklist_id)),
                ),
                "standard": _coded(
                    standards, standards.get_indexer(pd.Index(part.layout.items))[part.items]
                ),
                "period": _coded(
                    periods, periods.get_indexer(pd.Index(part.months))[part.month_codes]
                ),
                "n": part.n,
                "sum": part.total,
                "sum_sq": part.squares,
            }
        )
        for part in sums
    ]
    cells = pd.concat(parts, ignore_index=True)
    if len(parts) > len({part.layout.checklist_id for part in sums}):
        cells = cells.groupby(
            ["branch_id", "checklist_id", "standard", "period"],
            sort=False,
            as_index=False,
            observed=True,  # the categories' combinations with no cell are not cells
        )[["n", "sum", "sum_sq"]].sum()
    cells["branch_code"] = _branch_codes(conn, cells["branch_id"].to_numpy())
    cells = cells.astype({"n": int, "sum": float, "sum_sq": float})
    return cells[PERIOD_CELL_COLUMNS]


def _branch_codes(conn: Connection, branch_ids: np.ndarray) -> pd.Categorical:
    """The branches' codes for their ids, categorical (the codes present, sorted): looked up
    by id in an array, not sorted per cell (eleven million cells of a ten-times history)."""
    known = conn.execute(select(branches.c.id, branches.c.code)).all()
    ids = np.fromiter((row[0] for row in known), dtype=np.int64, count=len(known))
    position = np.full(int(ids.max(initial=0)) + 1, -1, dtype=np.int64)
    position[ids] = np.arange(len(known))
    at = position[branch_ids]
    if len(at) and at.min() < 0:  # the foreign key makes this unreachable: never mislabel
        raise ValueError("an audit names a branch id the branches table does not hold")
    # the codes present, found by counting: ``remove_unused_categories`` sorts every
    # cell's code (0.4 s of a ten-times history's eleven million cells)
    used = np.flatnonzero(np.bincount(at, minlength=len(known)))
    renumbered = np.full(len(known), -1, dtype=np.int64)
    renumbered[used] = np.arange(len(used))
    return _sorted_categorical([str(known[i][1]) for i in used.tolist()], renumbered[at])


def _sorted_categorical(values: Sequence[str], codes: np.ndarray) -> pd.Categorical:
    """``values[codes]`` as a categorical whose categories are ``values`` sorted."""
    order = sorted(range(len(values)), key=values.__getitem__)
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    return _coded(pd.Index([values[i] for i in order], dtype="str"), rank[codes])


def _categories(values: Iterable[str]) -> pd.Index:
    """The distinct values, sorted, as the categories of a text column."""
    return pd.Index(sorted(set(values)), dtype="str")


def _coded(categories: pd.Index, codes: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64), categories=categories)


@dataclass(frozen=True)
class _VectorBlock:
    """The vectors of the selected audits of one checklist version, one row per audit."""

    layout: item_vectors.Layout
    version_id: int
    audit_ids: np.ndarray
    branch_ids: np.ndarray
    periods: np.ndarray
    """The visit's month, 'YYYY-MM'."""
    scores: np.ndarray

    def __post_init__(self) -> None:
        # kept with the history's rows and shared (``blocks_of`` hands out the block itself)
        read_only(self.audit_ids, self.branch_ids, self.periods, self.scores)


def _vector_blocks(
    conn: Connection, audit_filter: AuditFilter, checklist_ids: Sequence[str] | None = None
) -> list[_VectorBlock]:
    query = select(
        audits.c.id,
        audits.c.branch_id,
        audits.c.checklist_version_id,
        audit_item_scores.c.scores,
        _month(conn),
    ).select_from(
        _audits_joined().outerjoin(audit_item_scores, audit_item_scores.c.audit_id == audits.c.id)
    )
    if checklist_ids is not None:
        query = query.where(audits.c.checklist_id.in_(list(checklist_ids)))
    rows = _binary_rows(conn, _filtered(query, audit_filter))
    by_version: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        if row[3] is None:
            raise item_vectors.VectorError(
                f"audit #{row[0]} has no stored item scores; `audit-app verify` names every "
                "such audit"
            )
        by_version.setdefault(row[2], []).append(row)
    layouts = item_vectors.Layouts(conn)
    blocks = []
    for version_id, mine in sorted(by_version.items()):
        layout = layouts[version_id]
        width = len(layout.items) * item_vectors.DTYPE.itemsize
        for row in mine:
            if not isinstance(row[3], bytes | memoryview) or len(row[3]) != width:
                layout.decode(row[3], row[0])  # raises, naming the audit
        joined = b"".join(row[3] for row in mine)
        count = len(mine)
        blocks.append(
            _VectorBlock(
                layout,
                version_id,
                np.fromiter((r[0] for r in mine), dtype=np.int64, count=count),
                np.fromiter((r[1] for r in mine), dtype=np.int64, count=count),
                np.array([r[4] for r in mine], dtype=object),
                np.frombuffer(joined, dtype=item_vectors.DTYPE).reshape(count, -1),
            )
        )
    return blocks


def _binary_rows(conn: Connection, query: Any) -> list[tuple[Any, ...]]:
    """The query's rows from the driver; on PostgreSQL in its binary format, where 19 MB of
    vectors arrive in about half the time of the hex text of ``bytea`` (measured with
    psycopg on 40,000 rows of 480 bytes: 340 -> 180 ms cold, 220 -> 60 ms warm)."""
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        cursor: Any = conn.connection.cursor()  # psycopg's own, which takes binary=True
        try:
            cursor.execute(str(compiled), compiled.params, binary=True)
            return list(cursor.fetchall())
        finally:
            cursor.close()
    result = conn.execute(query)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


@dataclass(frozen=True)
class _BlockSums:
    """Per branch x month x item of one block with a scored item: n, sum, sum of squares;
    ``items`` index the layout's items, ``month_codes`` the block's ``months``."""

    layout: item_vectors.Layout
    branch_ids: np.ndarray
    months: np.ndarray
    month_codes: np.ndarray
    items: np.ndarray
    n: np.ndarray
    total: np.ndarray
    squares: np.ndarray


def _block_sums(block: _VectorBlock) -> _BlockSums:
    """Per branch x month x item of one block: n, sum, sum of squares of the scored items."""
    dense = _dense_sums(block)
    months = dense.months
    counted = dense.n > 0
    # the cells in row order, by a boolean mask rather than (row, item) pairs (three
    # gathers of eleven million cells took 0.5 s so); each key's branch and month found
    # once and repeated, not divided out of eleven million keys
    per_row = counted.sum(axis=1)
    items = np.broadcast_to(np.arange(counted.shape[1], dtype=np.int32), counted.shape)
    return _BlockSums(
        block.layout,
        np.repeat(dense.keys // len(months), per_row),
        months,
        np.repeat(dense.keys % len(months), per_row),
        items[counted],
        dense.n[counted],
        dense.total[counted],
        dense.squares[counted],
    )


@dataclass(frozen=True)
class _DenseSums:
    """Per key (branch id x len(months) + month code, sorted) x item of one block: n, sum
    and sum of squares of the scored items, dense."""

    keys: np.ndarray
    months: np.ndarray
    n: np.ndarray
    total: np.ndarray
    squares: np.ndarray


def _dense_sums(block: _VectorBlock) -> _DenseSums:
    """Added up as one sparse product (branch-months x audits, a one per audit) with the
    audits' item scores: no sorting or copying of the score matrix (a ten-times history's
    390,000 x 60 scores: 4.6 s by sorting and ``reduceat``, 0.6 s so)."""
    codes, found = pd.factorize(block.periods)
    labels = np.asarray(found, dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    months, month_of = labels[order], rank[codes]
    keys, inverse = np.unique(block.branch_ids * len(months) + month_of, return_inverse=True)
    audits = len(inverse)
    scored = np.isfinite(block.scores)
    per_key = sparse.csr_matrix(
        (np.ones(audits), (inverse, np.arange(audits))), shape=(len(keys), audits)
    )
    # One matrix the size of the scores, reused for the values, their squares and the
    # counts: a ten-times history's is 190 MB, and each new one cost 0.15 s in page faults.
    work = np.where(scored, block.scores, 0.0)
    total = np.asarray(per_key @ work)
    np.multiply(work, work, out=work)
    squares = np.asarray(per_key @ work)
    np.copyto(work, scored)
    n = np.rint(per_key @ work).astype(np.int64)
    del work
    return _DenseSums(keys, months, n, total, squares)


def vector_item_parts(
    conn: Connection, audit_filter: AuditFilter, reads: SelectionReads | None = None
) -> list[KeyedSums]:
    """The selected audits' item figures per checklist version, per branch and month x
    item, from their item-score vectors: what :func:`vector_cells` cuts into cells, for
    ``domain.compare.pair_sums_of`` to add up without them (#21)."""
    blocks = _blocks_of(conn, audit_filter, reads)
    dense = [_dense_sums(block) for block in blocks]
    if not dense:
        return []
    branch_ids = np.concatenate([d.keys // len(d.months) for d in dense])
    codes = np.asarray(_branch_codes(conn, branch_ids), dtype=object)
    parts, start = [], 0
    for block, sums in zip(blocks, dense, strict=True):
        end = start + len(sums.keys)
        parts.append(
            KeyedSums(
                checklist_id=block.layout.checklist_id,
                items=np.asarray(block.layout.items, dtype=object),
                branch=codes[start:end],
                period=sums.months[sums.keys % len(sums.months)],
                count=sums.n,
                sums=sums.total,
                sum_sq=sums.squares,
            )
        )
        start = end
    return parts


def _texts(values: Sequence[str] | np.ndarray, codes: np.ndarray) -> pd.Index:
    """``values[codes]`` as pandas text: taken from a short index of the distinct values,
    several times faster than pandas converting millions of Python strings one by one."""
    return pd.Index(list(values), dtype="str").take(codes)


PERIOD_CELL_COLUMNS = [*CELL_COLUMNS, "period"]


_month = item_sums.visit_month


def section_rows(conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame:
    """One row per audit x section: audit_id, section_id, score (NaN when all N/A), weight.

    Read from each scored audit's section-score vector (``section_vectors``): a ten-times
    year is 130,000 vectors instead of a million ``section_scores`` rows: 1.2 s of
    PostgreSQL and driver time before pandas saw a row, now 0.25 s (0.4 s with the frame
    built)."""
    query = _filtered(
        select(audits.c.id, audits.c.checklist_version_id, audit_section_scores.c.scores)
        .select_from(
            _audits_joined()
            .join(audit_scores, audit_scores.c.audit_id == audits.c.id)
            .outerjoin(audit_section_scores, audit_section_scores.c.audit_id == audits.c.id)
        )
        .order_by(audits.c.id),
        audit_filter,
    )
    rows = _binary_rows(conn, query)
    layouts = item_vectors.Layouts(conn)
    parts = []
    if rows:
        audit_ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        version_ids = np.fromiter((row[1] for row in rows), dtype=np.int64, count=len(rows))
        blobs = [row[2] for row in rows]  # bytes, or a driver's memoryview: kept as they are
        for version_id in np.unique(version_ids).tolist():
            layout = layouts[version_id]
            mine = np.flatnonzero(version_ids == version_id)
            ids = audit_ids[mine]
            values = section_vectors.decode_many(
                layout, [blobs[i] for i in mine.tolist()], ids.tolist()
            )
            audit, section = np.nonzero(values[:, :, 1] != section_vectors.NO_ROW)
            parts.append(
                pd.DataFrame(
                    {
                        "audit_id": ids[audit],
                        "section_id": _texts(layout.sections, section),
                        "score": values[audit, section, 0],
                        "weight": values[audit, section, 1],
                    }
                )
            )
    if not parts:
        return pd.DataFrame({"audit_id": [], "section_id": [], "score": [], "weight": []}).astype(
            {"audit_id": int, "section_id": object, "score": float, "weight": float}
        )
    return pd.concat(parts, ignore_index=True)


def item_rows(
    conn: Connection,
    audit_filter: AuditFilter,
    checklist_ids: Sequence[str],
    *,
    below_full_marks: bool = False,
    reads: SelectionReads | None = None,
) -> pd.DataFrame:
    """One row per audit x answered item of the given checklists: audit_id, item_id, score
    (0-1, NaN for N/A and unscored items), read from the item-score vectors (``reads``':
    when they serve the selection).

    ``below_full_marks``: only the answers scored below 1, all that a search for failures
    needs (the repeated-failure search of a ten-times chain otherwise builds 23 million rows
    to keep a few hundred thousand).

    ``item_id`` is categorical (the items of every version read, sorted): a ten-times
    year's two million failed answers took 0.2 s to be written out as text, and as long
    again to be coded back for the search."""
    if reads is not None and reads.shares_vectors(conn, audit_filter):
        wanted = set(checklist_ids)
        blocks = [b for b in reads.blocks(conn, audit_filter) if b.layout.checklist_id in wanted]
    else:
        blocks = _vector_blocks(conn, audit_filter, checklist_ids)
    every_item = _categories(item for block in blocks for item in block.layout.items)
    parts = []
    for block in blocks:
        kept = (
            (block.scores < 1) & (block.scores != item_vectors.NOT_ANSWERED)
            if below_full_marks
            else block.scores != item_vectors.NOT_ANSWERED
        )
        audit, item = np.nonzero(kept)
        position = every_item.get_indexer(pd.Index(block.layout.items))
        parts.append(
            pd.DataFrame(
                {
                    "audit_id": block.audit_ids[audit],
                    "item_id": _coded(every_item, position[item]),
                    "score": block.scores[audit, item],
                }
            )
        )
    if not parts:
        return pd.DataFrame({"audit_id": [], "item_id": [], "score": []}).astype(
            {"audit_id": int, "item_id": object, "score": float}
        )
    return pd.concat(parts, ignore_index=True)


EVIDENCE_COLUMNS = ["checklist_id", "item_id", "failures", "with_photos"]


def failure_evidence(
    conn: Connection,
    audit_filter: AuditFilter,
    thresholds: Mapping[tuple[str, int], Mapping[str, float]],
    audit_ids: Collection[int] | None = None,
    reads: SelectionReads | None = None,
) -> pd.DataFrame:
    """Per checklist x item (:data:`EVIDENCE_COLUMNS`): how many answers of the selection
    failed, and how many of those carry a photo.

    An answer fails when its score is below 1 and below its item's threshold
    (``thresholds``: (checklist id, version) -> item id -> ``domain.actions.action_threshold``;
    a version without them, its file gone, keeps the full-marks rule), the corrective-action
    test. The failures come from
    the item-score vectors (one row per audit, no answer scanned); the photos from one
    query that starts at the small ``answer_photos`` table and joins the selected audits.
    ``audit_ids`` narrows the selection further (the comparison's scored audits of open
    branches)."""
    wanted = None if audit_ids is None else np.fromiter(audit_ids, dtype=np.int64)
    parts = [
        pd.DataFrame(
            {
                "checklist_id": block.checklist_id,
                "item_id": list(block.items),
                "failures": block.failed.sum(axis=0),
                "with_photos": (block.failed & block.photos).sum(axis=0),
            }
        )
        for block in _failed_blocks(conn, audit_filter, thresholds, wanted, reads)
    ]
    return _evidence_frame(parts, ["checklist_id", "item_id"])


def failure_evidence_by_branch(
    conn: Connection,
    audit_filter: AuditFilter,
    thresholds: Mapping[tuple[str, int], Mapping[str, float]],
    branch_of: pd.Series,
    reads: SelectionReads | None = None,
) -> pd.DataFrame:
    """:func:`failure_evidence` per branch (``branch_code`` first, then
    :data:`EVIDENCE_COLUMNS`; only the rows with a failure) of the audits ``branch_of``
    holds (audit id -> branch code): what a server keeps so that a visit entered later
    costs only its branch's answers again (``services.kept_evidence``)."""
    codes, labels = pd.factorize(branch_of.to_numpy(), sort=True)
    ids = branch_of.index.to_numpy(dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    ids, codes = ids[order], codes[order]
    parts = []
    for block in _failed_blocks(conn, audit_filter, thresholds, ids, reads):
        branch = codes[np.searchsorted(ids, block.audit_ids)]
        rows, columns = np.nonzero(block.failed)
        width = len(block.items)
        flat = branch[rows] * width + columns
        failures = np.bincount(flat, minlength=len(labels) * width)
        photos = np.bincount(
            flat, weights=block.photos[rows, columns], minlength=len(labels) * width
        )
        found = np.flatnonzero(failures)
        parts.append(
            pd.DataFrame(
                {
                    "branch_code": np.asarray(labels, dtype=object)[found // width],
                    "checklist_id": block.checklist_id,
                    "item_id": np.asarray(block.items, dtype=object)[found % width],
                    "failures": failures[found],
                    "with_photos": photos[found].astype(np.int64),
                }
            )
        )
    return _evidence_frame(parts, ["branch_code", "checklist_id", "item_id"])


@dataclass(frozen=True)
class _FailedBlock:
    """One block's failed answers (audits x items) and which of them carry a photo."""

    audit_ids: np.ndarray
    checklist_id: str
    items: Sequence[str]
    failed: np.ndarray
    photos: np.ndarray


def _failed_blocks(
    conn: Connection,
    audit_filter: AuditFilter,
    thresholds: Mapping[tuple[str, int], Mapping[str, float]],
    wanted: np.ndarray | None,
    reads: SelectionReads | None,
) -> Iterable[_FailedBlock]:
    """The selection's item-score blocks as failed answers (see :func:`failure_evidence`),
    only the audits ``wanted`` holds when given."""
    photographed = _photographed(conn, audit_filter)
    versions = {
        row.id: (row.checklist_id, int(row.version))
        for row in conn.execute(
            select(
                checklist_versions.c.id,
                checklist_versions.c.checklist_id,
                checklist_versions.c.version,
            )
        )
    }
    for block in _blocks_of(conn, audit_filter, reads):
        keep = (
            np.ones(len(block.audit_ids), dtype=bool)
            if wanted is None
            else np.isin(block.audit_ids, wanted)
        )
        if not keep.any():
            continue
        own = thresholds.get(versions[block.version_id], {})
        limit = np.minimum(
            np.array([own.get(item, 1.0) for item in block.layout.items], dtype=float), 1.0
        )
        scores = block.scores if keep.all() else block.scores[keep]
        # Below the limit and answered: NaN (no score) compares False, -inf is unanswered.
        failed = (scores < limit) & (scores != item_vectors.NOT_ANSWERED)
        kept_ids = block.audit_ids[keep]
        photos = _photo_marks(kept_ids, block.layout, photographed, failed.shape)
        yield _FailedBlock(kept_ids, block.layout.checklist_id, block.layout.items, failed, photos)


def _evidence_frame(parts: list[pd.DataFrame], keys: list[str]) -> pd.DataFrame:
    """The parts added up per ``keys``, only the rows with a failure."""
    columns = [*keys, "failures", "with_photos"]
    if not parts:
        return pd.DataFrame(
            {
                column: pd.Series(dtype=int if column in ("failures", "with_photos") else object)
                for column in columns
            }
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.groupby(keys, as_index=False)[["failures", "with_photos"]].sum()
    return (
        frame[frame["failures"] > 0]
        .astype({"failures": int, "with_photos": int})[columns]
        .reset_index(drop=True)
    )


def _photo_marks(
    audit_ids: np.ndarray,
    layout: item_vectors.Layout,
    photographed: Sequence[tuple[int, str]],
    shape: tuple[int, ...],
) -> np.ndarray:
    """True where an audit (row, by ``audit_ids``) x item (column) carries a photo: the
    photographed answers are few, so they are looked up, not the audits indexed."""
    marks = np.zeros(shape, dtype=bool)
    if not photographed or not len(audit_ids):
        return marks
    order = np.argsort(audit_ids, kind="stable")
    ordered = audit_ids[order]
    photo_audits = np.fromiter((a for a, _i in photographed), dtype=np.int64)
    columns = np.fromiter((layout.position.get(i, -1) for _a, i in photographed), dtype=np.int64)
    at = np.minimum(np.searchsorted(ordered, photo_audits), len(ordered) - 1)
    found = (ordered[at] == photo_audits) & (columns >= 0)
    marks[order[at[found]], columns[found]] = True
    return marks


def _photographed(conn: Connection, audit_filter: AuditFilter) -> list[tuple[int, str]]:
    """(audit id, item id) of every answer of the selection that carries a photo."""
    query = select(answer_photos.c.audit_id, answer_photos.c.item_id).select_from(
        answer_photos.join(audits, audits.c.id == answer_photos.c.audit_id).join(
            branches, branches.c.id == audits.c.branch_id
        )
    )
    query = _filtered(query.where(answer_photos.c.position == 1), audit_filter)
    return [(int(audit_id), str(item_id)) for audit_id, item_id in conn.execute(query)]


_ID_CHUNK = 2_000
"""Audit ids per ``IN`` list: well under SQLite's and PostgreSQL's limits on bound values."""


def item_rows_for(conn: Connection, audit_ids: Sequence[int]) -> pd.DataFrame:
    """One row per answered item of the given audits only: audit_id, item_id, score (0-1,
    NaN for N/A and unscored items). For the few audits a statistic needs (calibration
    pairs) instead of every answer of the selection; the ids are sent in chunks."""
    wanted = sorted({int(i) for i in audit_ids})
    parts = [
        _frame(
            conn,
            select(answers.c.audit_id, answers.c.item_id, answers.c.score).where(
                answers.c.audit_id.in_(wanted[start : start + _ID_CHUNK])
            ),
            ["audit_id", "item_id", "score"],
        )
        for start in range(0, len(wanted), _ID_CHUNK)
    ]
    if not parts:
        return pd.DataFrame(
            {
                "audit_id": pd.Series(dtype=int),
                "item_id": pd.Series(dtype=object),
                "score": pd.Series(dtype=float),
            }
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame.astype({"audit_id": int, "score": float})


def data_stamp(conn: Connection, areas: Sequence[str] | None = None) -> tuple[Any, ...]:
    """Changes whenever an audit, a score or a branch is added, removed or changed: lets a
    caller keep loaded frames while the data stays the same. With ``areas``, only the audits
    of those areas' branches count (branches and auditors still count everywhere): what an
    area manager sees changes with her areas' audits, not with every other area's. Its first
    three values are the audits' own (:data:`AUDIT_STAMP`)."""
    audit_query = select(func.count(), func.max(audits.c.id)).select_from(audits)
    scored_query = select(func.max(audit_scores.c.scored_at))
    if areas is not None:
        mine = audits.c.branch_id.in_(select(branches.c.id).where(branches.c.area.in_(areas)))
        audit_query = audit_query.where(mine)
        scored_query = scored_query.select_from(
            audit_scores.join(audits, audits.c.id == audit_scores.c.audit_id)
        ).where(mine)
    audit_part = conn.execute(audit_query).one()
    scored = conn.execute(scored_query).scalar_one()
    return (*audit_part, scored, *branch_stamp(conn), *auditor_store.stamp(conn))


AUDIT_STAMP = 3
"""How many of :func:`data_stamp`'s values are the audits': count, newest id, newest scoring."""


def scored_audit_count(conn: Connection, audit_filter: AuditFilter) -> int:
    """How many submitted audits with an overall score the filter selects."""
    query = _filtered(
        select(func.count())
        .select_from(_audits_joined().join(audit_scores, audit_scores.c.audit_id == audits.c.id))
        .where(audit_scores.c.overall.is_not(None)),
        audit_filter,
    )
    return int(conn.execute(query).scalar_one())


def visit_span(conn: Connection, audit_filter: AuditFilter | None = None) -> tuple[Any, Any]:
    """First and last visit of the submitted audits the filter allows (None, None when
    there are none): pass the user's areas, so an area manager never learns the chain's."""
    query = _filtered(
        select(func.min(audits.c.visited_at), func.max(audits.c.visited_at)).select_from(
            _audits_joined()
        ),
        audit_filter or AuditFilter(),
    )
    first, last = conn.execute(query).one()
    return first, last


def filter_vocabulary(
    conn: Connection, audit_filter: AuditFilter | None = None
) -> dict[str, list[str]]:
    """The values a filter can take among the branches and audits ``audit_filter``'s areas
    allow: to say why a selection is empty without naming another area's regions."""
    areas = (audit_filter or AuditFilter()).areas
    branch_query = select(branches.c.region, branches.c.country)
    audit_query = select(audits.c.checklist_id, audits.c.kind, audits.c.channel).select_from(
        _audits_joined()
    )
    if areas is not None:
        branch_query = branch_query.where(branches.c.area.in_(areas))
        audit_query = audit_query.where(branches.c.area.in_(areas))
    branch_rows = conn.execute(branch_query.distinct()).all()
    audit_rows = conn.execute(audit_query.distinct()).all()
    return {
        "checklist_id": sorted({row[0] for row in audit_rows}),
        "region": sorted({row[0] for row in branch_rows}),
        "country": sorted({row[1] for row in branch_rows}),
        "kind": sorted({row[1] for row in audit_rows}),
        "channel": sorted({row[2] for row in audit_rows if row[2]}),
    }
