"""The whole history's rows, kept in a server process as one snapshot read them (its audits,
section rows and item-score vectors), so that a selection inside it is taken from memory
and brought up to date from the branches written since, instead of read again.

A server reads the whole history ahead (``services.warm_start``), and the selections people
ask for most are kept (``services.kept_selections``). Any other selection (another
checklist, kind, channel or auditor, an area's, a quarter's) read its audits, section
scores and item scores from the database: on the ten-times set 3-4 s for the comparison
and 5.5-7.6 s with per-item consistency (#21), three reads of 390,000 rows each. Inside
the kept history, only its audits' ids are read (the database applies the filter, as for
any read); the rows are the kept rows of those audits, as of the snapshot they were read
in, and the selection made of them is brought up to date like a kept one
(``services.selections.patched``: the branches written since are read again).

One history per database is kept, the latest read; it is read again with each read-ahead
(a server's start and each day after midnight), and at once in the background when it no
longer reaches the data (:func:`stale`: at a month end, once more branches are written
since it was read than a patch reads again). Its weight is not counted in
``kept_selections``' budget: it is what the read-ahead costs (README, *Using every core*).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace

import numpy as np
from sqlalchemy import Connection

from audit_app.domain.filters import AuditFilter
from audit_app.services.context import AppContext
from audit_app.services.marks import Mark
from audit_app.storage import compare_queries as queries
from audit_app.storage import database


@dataclass(frozen=True)
class HistoryRows:
    """A selection's rows (``queries.SelectionRows``) of every audit in a span of dates,
    follow-ups too, and the mark of the snapshot they were read in."""

    database: str
    audit_filter: AuditFilter
    rows: queries.SelectionRows
    mark: Mark


@dataclass(frozen=True)
class Reach:
    """A kept history that a snapshot's data only adds to (:func:`reaching`), and that
    snapshot's mark."""

    history: HistoryRows
    now: Mark

    def reads(self, conn: Connection, audit_filter: AuditFilter) -> queries.SelectionReads:
        """``audit_filter``'s reads taken from the history's rows: those of the audits the
        filter selects in ``conn``'s snapshot (this reach's). As of the history's mark:
        bring what is made of them up to date from it."""
        history = self.history
        ids = None if audit_filter == history.audit_filter else self._audit_ids(conn, audit_filter)
        return queries.SelectionReads.taken(conn, audit_filter, history.rows, ids)

    def _audit_ids(self, conn: Connection, audit_filter: AuditFilter) -> np.ndarray:
        """The audits ``audit_filter`` selects in this snapshot, read once for a page's
        selection, item sums and evidence (each asked for in a snapshot of its own, of the
        same data)."""
        key = (self.history.database, self.history.mark, self.now, audit_filter)
        with _lock:
            found = _last_ids.get(key)
        if found is None:
            found = queries.selected_audit_ids(conn, audit_filter)
            with _lock:
                _last_ids[key] = found
                while len(_last_ids) > LAST_IDS:
                    del _last_ids[next(iter(_last_ids))]
        return found


_kept: dict[str, HistoryRows] = {}
_last_ids: dict[tuple[str, Mark, Mark, AuditFilter], np.ndarray] = {}
"""The last selections' audit ids (:meth:`Reach._audit_ids`), oldest first."""
LAST_IDS = 4
"""How many: a page's selection, item sums and evidence ask for its ids one after the other,
and other sessions' pages may ask for theirs between."""
_renewing: dict[str, threading.Thread] = {}
"""Per database, the history being read again (:func:`stale`)."""
_generation = 0
"""Moved on by :func:`forget`: a read begun before it keeps nothing."""
_lock = threading.Lock()
_log = logging.getLogger(__name__)


def read(ctx: AppContext, audit_filter: AuditFilter) -> HistoryRows:
    """Read the rows of every audit of ``audit_filter`` (dates alone), and keep them in place
    of the database's earlier ones unless those are of later data (two reads that overlap:
    the one of the later snapshot stays)."""
    if not audit_filter.only_dates():
        raise ValueError("a history is every audit of a span of dates")
    every = replace(audit_filter, include_follow_ups=True)  # a kind's selection is inside it
    database_url = ctx.settings.resolved_database_url
    with _lock:
        generation = _generation
    with database.snapshot(ctx.engine) as conn:
        mark = Mark.read(conn)
        history = HistoryRows(database_url, every, queries.SelectionRows.read(conn, every), mark)
        with _lock:
            earlier = _kept.get(database_url)
        older = (
            earlier is not None and earlier.mark != mark and mark.followed_by(earlier.mark, conn)
        )
    with _lock:
        if generation == _generation and not older and _kept.get(database_url) is earlier:
            _kept[database_url] = history
            _last_ids.clear()
    return history


def reaching(
    ctx: AppContext, conn: Connection, audit_filter: AuditFilter, most_branches: int
) -> Reach | None:
    """The kept history holding ``audit_filter`` whose mark ``conn``'s snapshot follows with
    at most ``most_branches`` branches written since: what a selection inside it is taken
    from (None: no such history). One the data no longer follows (a branch or auditor
    changed, a restore, more branches written) is :func:`stale`; a snapshot older than the
    history (a request begun before it was read) leaves it as it is."""
    history = holding(ctx, audit_filter)
    if history is None:
        return None
    found = history.mark.written_since(conn, most_branches)
    if found is not None:
        return Reach(history, found[0])
    if Mark.read(conn).followed_by(history.mark, conn):
        return None  # this snapshot is older than the history
    stale(ctx, history)
    return None


def stale(ctx: AppContext, history: HistoryRows) -> None:
    """``history`` no longer reaches the data (a branch or auditor changed, a restore, more
    branches written since its mark than a patch reads again): no selection is taken from
    it any more, and it is read again in a background thread (one at a time), so that a
    month end's writes do not leave the pages without it until the next read-ahead."""
    with _lock:
        if _kept.get(history.database) is not history:
            return  # already replaced, or dropped
        del _kept[history.database]
        _last_ids.clear()
        if history.database in _renewing:
            return
        # the thread holds the filter, not the dropped rows (twice the memory while it reads)
        thread = threading.Thread(
            target=_renew,
            args=(ctx, history.database, history.audit_filter),
            name="audit-history-rows",
            daemon=True,
        )
        _renewing[history.database] = thread
    thread.start()


def _renew(ctx: AppContext, database_url: str, audit_filter: AuditFilter) -> None:
    try:
        read(ctx, audit_filter)
    except Exception:  # the pages read what they need meanwhile
        _log.warning("the history's rows could not be read again", exc_info=True)
    finally:
        with _lock:
            _renewing.pop(database_url, None)


def renewed(timeout: float | None = None) -> None:
    """Until every history being read again (:func:`stale`) is read (tests)."""
    with _lock:
        threads = list(_renewing.values())
    for thread in threads:
        thread.join(timeout)


def holding(ctx: AppContext, audit_filter: AuditFilter) -> HistoryRows | None:
    """The kept history whose dates hold ``audit_filter``'s (None: none kept, or it does
    not hold them)."""
    with _lock:
        history = _kept.get(ctx.settings.resolved_database_url)
    if history is None or not history.audit_filter.dates_hold(audit_filter):
        return None
    return history


def kept_bytes() -> int:
    """What the kept histories weigh."""
    with _lock:
        return sum(history.rows.nbytes for history in _kept.values())


def forget() -> None:
    """Drop every kept history; one being read now is not kept (tests)."""
    global _generation
    with _lock:
        _generation += 1
        _kept.clear()
        _last_ids.clear()
    renewed()


__all__ = [
    "HistoryRows",
    "Reach",
    "forget",
    "holding",
    "kept_bytes",
    "reaching",
    "read",
    "renewed",
    "stale",
]
