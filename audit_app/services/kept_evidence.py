"""A comparison's failure evidence, kept per branch beside its selection, so that a visit
entered later costs only the written branches' answers.

The Compare page's Consistency tab shows per failed item how many answers failed and how
many carry a photo: a read of every selected audit's item scores, 1.5-1.6 s over a
ten-times history, and the tab took 2.2-2.7 s in Chromium (#21). Kept under the data
version like the selection (``services.kept_selections``), it is read once per version;
kept per branch, the next version's evidence takes the written branches' rows afresh and
the others' as kept, as the selection and its item sums are brought up to date
(``services.selections.patched``). The audits counted are the selection's (the
comparison's scored audits of open branches, rescored where a checklist spans versions),
so the evidence always matches the comparison it is shown with, kept or read afresh. The
thresholds are the process's catalogue's (the entries are keyed by the database alone).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd
from sqlalchemy import Connection

from audit_app.domain.actions import action_threshold
from audit_app.domain.compare import ComparisonRequest, VersionAlignment
from audit_app.domain.evidence import EvidenceCount
from audit_app.domain.filters import AuditFilter
from audit_app.services import history_rows, kept_selections
from audit_app.services.context import AppContext
from audit_app.services.freshness import Version
from audit_app.services.selections import MOST_BRANCHES, KeptSelection, Mark, written_part
from audit_app.storage import compare_queries as queries

Evidence = dict[tuple[str, str], EvidenceCount]
Thresholds = dict[tuple[str, int], dict[str, float]]


@dataclass(frozen=True)
class KeptEvidence:
    """The evidence per branch, the mark of the selection whose audits it counts, the
    alignments they were rescored with, and the totals per item the page is given."""

    by_branch: pd.DataFrame
    mark: Mark
    alignments: tuple[VersionAlignment, ...]
    totals: Evidence


def action_thresholds(ctx: AppContext) -> Thresholds:
    """Per stored checklist version, each item's corrective-action threshold."""
    return {
        (c.id, c.version): {item.id: action_threshold(c.policy, item) for item in c.items}
        for c in ctx.catalogue
    }


def evidence_counts(frame: pd.DataFrame) -> Evidence:
    """Per (checklist, item): the failures and those with photos of ``frame``'s rows."""
    if "branch_code" in frame.columns:
        frame = frame.groupby(["checklist_id", "item_id"], as_index=False)[
            ["failures", "with_photos"]
        ].sum()
    rows = zip(
        frame["checklist_id"].tolist(),
        frame["item_id"].tolist(),
        frame["failures"].tolist(),
        frame["with_photos"].tolist(),
        strict=True,
    )
    return {
        (str(checklist_id), str(item_id)): EvidenceCount(int(failures), int(photos))
        for checklist_id, item_id, failures, photos in rows
        if failures
    }


def kept_evidence(
    ctx: AppContext,
    conn: Connection,
    request: ComparisonRequest,
    version: Version | None,
    kept: KeptSelection,
    reads: queries.SelectionReads | None = None,
) -> Evidence:
    """The failure evidence of ``kept``'s audits (:func:`services.selections.kept_entry`
    of ``request``, scoped, under ``version``), kept under ``version`` and brought up to
    date from the one kept under an earlier version when it can be; read afresh without
    a version."""
    selection, since = kept.selection, kept.mark
    assert selection is not None
    audit_filter, include_closed = request.audit_filter, request.include_closed
    thresholds = action_thresholds(ctx)

    def read(
        audits: pd.DataFrame, part: AuditFilter, part_reads: queries.SelectionReads | None = None
    ) -> pd.DataFrame:
        branch_of = pd.Series(audits["branch_code"].to_numpy(), index=audits["audit_id"])
        return queries.failure_evidence_by_branch(conn, part, thresholds, branch_of, part_reads)

    if version is None or since is None:
        return evidence_counts(read(selection.audits, audit_filter, reads))

    def load() -> KeptEvidence:
        taken = taken_from_history()
        if taken is not None:
            return taken
        frame = read(selection.audits, audit_filter, reads)
        return KeptEvidence(frame, since, selection.alignments, evidence_counts(frame))

    def taken_from_history() -> KeptEvidence | None:
        # the item-score vectors of the kept history's rows, as of its mark
        reach = history_rows.reaching(ctx, conn, audit_filter, MOST_BRANCHES)
        if reach is None:
            return None
        frame = read(selection.audits, audit_filter, reach.reads(conn, audit_filter))
        mark = reach.history.mark
        return patch(KeptEvidence(frame, mark, selection.alignments, evidence_counts(frame)))

    def patch(earlier: KeptEvidence) -> KeptEvidence | None:
        if earlier.alignments != selection.alignments:
            return None  # other audits may be left out of every branch: read whole
        found = written_part(conn, earlier.mark, audit_filter)
        if found is None:
            return None
        if not found.branches:
            return replace(earlier, mark=since)
        written = found.branches
        fresh = read(selection.audits[selection.audits["branch_code"].isin(written)], found.part)
        others = earlier.by_branch[~earlier.by_branch["branch_code"].isin(written)]
        frame = pd.concat([others, fresh], ignore_index=True)
        return KeptEvidence(frame, since, earlier.alignments, evidence_counts(frame))

    return kept_selections.kept(
        (version, audit_filter, include_closed, "evidence"),
        load,
        lambda found: kept_selections.frame_bytes(found.by_branch),
        family=(ctx.settings.resolved_database_url, audit_filter, include_closed, "evidence"),
        patch=patch,
    ).totals


__all__ = ["KeptEvidence", "action_thresholds", "evidence_counts", "kept_evidence"]
