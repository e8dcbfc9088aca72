"""A cheap fingerprint of the data, so caches above the services know when to forget."""

from __future__ import annotations

from typing import Any

from audit_app.services.context import AppContext
from audit_app.storage import action_store, compare_queries, database


def data_version(ctx: AppContext) -> tuple[Any, ...]:
    """Changes on every write that can change a figure (audits, revisions, scores, branches,
    corrective actions), and differs between databases; two small queries per call."""
    with database.snapshot(ctx.engine) as conn:
        return (
            ctx.settings.resolved_database_url,
            *compare_queries.data_stamp(conn),
            *action_store.stamp(conn),
        )
