"""A cheap fingerprint of the data, so caches above the services know when to forget."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from audit_app.domain.filters import AuditFilter
from audit_app.services.access import scoped
from audit_app.services.context import AppContext
from audit_app.storage import action_store, compare_queries, database, period_changes

Version = tuple[Any, ...]
"""What :func:`data_version` returns: compared for equality, never read into."""

_PERIODS_KEPT = 256
_seen: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], tuple[Any, ...], int]] = OrderedDict()
"""(database, areas, dates) -> (the audits' stamp when last looked, the stamp when the
period's audits last changed, the trail's head when last looked): this process's memory of
each period asked for."""
_seen_lock = threading.Lock()


def data_version(ctx: AppContext, visits: AuditFilter | None = None) -> Version:
    """Changes on every write that can change a figure the acting user sees (audits,
    revisions, scores, branches, corrective actions), and differs between databases; a few
    small queries per call. An area manager's changes only with her areas' audits: at month
    end every other area's submissions would otherwise make her pages compute again (#21).

    ``visits``: for figures of the submitted audits in its visit dates only (a comparison,
    the Overview), only those audits count, and corrective actions do not (a caller that
    shows actions adds ``actions_version``): head office's last twelve complete months are
    not computed again for every visit entered this month, nor for the actions it opens.
    When the audits changed since this process last looked, it asks whether any of the new
    rows is the period's (:func:`period_changes.changed_since`) instead of counting the
    period again."""
    areas = scoped(ctx, AuditFilter()).areas
    url = ctx.settings.resolved_database_url
    with database.snapshot(ctx.engine) as conn:
        stamp = compare_queries.data_stamp(conn, areas)
        if visits is None:
            return (url, *stamp, *action_store.stamp(conn))
        audits_now, rest = (
            stamp[: compare_queries.AUDIT_STAMP],
            stamp[compare_queries.AUDIT_STAMP :],
        )
        head = period_changes.trail_head(conn)
        key = (url, areas, visits.date_from, visits.date_to)
        with _seen_lock:
            seen = _seen.get(key)
        if seen is None or _went_back((*seen[0], seen[2]), (*audits_now, head)):
            changed_at = (*audits_now, head)
        elif seen[0] == audits_now and seen[2] == head:
            changed_at = seen[1]
        else:
            _count, newest_id, newest_scoring = seen[0]
            moved = period_changes.changed_since(
                conn, visits, areas, newest_id, newest_scoring, seen[2]
            )
            # the head is part of the version: a revision scored before a write already
            # seen (and committed after it) moves nothing else
            changed_at = (*audits_now, head) if moved else seen[1]
    with _seen_lock:
        _seen[key] = (audits_now, changed_at, head)
        _seen.move_to_end(key)
        while len(_seen) > _PERIODS_KEPT:
            _seen.popitem(last=False)
    return (url, *changed_at, *rest)


def _went_back(before: tuple[Any, ...], now: tuple[Any, ...]) -> bool:
    """Fewer audits, or an older newest id or scoring (a restore, a deleted draft): what the
    new rows cannot tell, so the period counts as changed."""
    return any(b is not None and (n is None or n < b) for b, n in zip(before, now, strict=True))
