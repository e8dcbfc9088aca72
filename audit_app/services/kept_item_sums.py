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
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection

from audit_app.domain import compare as stats
from audit_app.domain.compare import ComparisonRequest, PairSums, VersionAlignment
from audit_app.services import kept_selections, selections
from audit_app.services.context import AppContext
from audit_app.services.freshness import Version
from audit_app.services.selections import KeptSelection, Mark, written_part
from audit_app.storage import compare_queries as queries


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

    def read() -> PairSums | None:
        return _sums(selections.item_cells(conn, request, selection, reads))

    if version is None or since is None:
        return read()

    def load() -> KeptSums:
        return KeptSums(read(), since, selection.alignments)

    def patch(earlier: KeptSums) -> KeptSums | None:
        if earlier.alignments != selection.alignments or earlier.sums is None:
            return None
        found = written_part(conn, earlier.mark, audit_filter)
        if found is None:
            return None
        if not found.branches:
            return replace(earlier, mark=since)
        fresh = selections.item_cells(conn, replace(request, audit_filter=found.part), selection)
        sums = stats.with_branches_replaced(earlier.sums, _sums(fresh), found.branches)
        return None if sums is None else KeptSums(sums, since, earlier.alignments)

    return kept_selections.kept(
        (version, audit_filter, include_closed, "item sums"),
        load,
        lambda found: found.sums.nbytes if found.sums else 0,
        family=(ctx.settings.resolved_database_url, audit_filter, include_closed, "item sums"),
        patch=patch,
    ).sums


def _sums(cells: pd.DataFrame) -> PairSums | None:
    """Item cells in points (x 100, as a comparison's) added up."""
    return stats.item_sums(stats.scale_cells(cells, 100))


__all__ = ["KeptSums", "kept_item_sums"]
