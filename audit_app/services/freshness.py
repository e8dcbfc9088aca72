"""A cheap fingerprint of the data, so caches above the services know when to forget."""

from __future__ import annotations

from typing import Any

from audit_app.domain.filters import AuditFilter
from audit_app.services.access import scoped
from audit_app.services.context import AppContext
from audit_app.storage import action_store, compare_queries, database


def data_version(ctx: AppContext, visits: AuditFilter | None = None) -> tuple[Any, ...]:
    """Changes on every write that can change a figure the acting user sees (audits,
    revisions, scores, branches, corrective actions), and differs between databases; a few
    small queries per call. An area manager's changes only with her areas' audits: at month
    end every other area's submissions would otherwise make her pages compute again (#21).

    ``visits``: for figures of the submitted audits in its visit dates only (a comparison,
    the Overview), only those audits count, and corrective actions do not (a caller that
    shows actions adds ``actions_version``): head office's last twelve complete months are
    not computed again for every visit entered this month, nor for the actions it opens."""
    areas = scoped(ctx, AuditFilter()).areas
    with database.snapshot(ctx.engine) as conn:
        audits_part = compare_queries.data_stamp(conn, areas, visits)
        actions_part = action_store.stamp(conn) if visits is None else ()
    return (ctx.settings.resolved_database_url, *audits_part, *actions_part)
