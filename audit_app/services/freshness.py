"""A cheap fingerprint of the data, so caches above the services know when to forget."""

from __future__ import annotations

from typing import Any

from audit_app.domain.filters import AuditFilter
from audit_app.services.access import scoped
from audit_app.services.context import AppContext
from audit_app.storage import action_store, compare_queries, database


def data_version(ctx: AppContext) -> tuple[Any, ...]:
    """Changes on every write that can change a figure the acting user sees (audits,
    revisions, scores, branches, corrective actions), and differs between databases; a few
    small queries per call. An area manager's changes only with her areas' audits: at month
    end every other area's submissions would otherwise make her pages compute again (#21)."""
    areas = scoped(ctx, AuditFilter()).areas
    with database.snapshot(ctx.engine) as conn:
        return (
            ctx.settings.resolved_database_url,
            *compare_queries.data_stamp(conn, areas),
            *action_store.stamp(conn),
        )
