"""The repeated-failure search reads only the answers below full marks (#21: a ten-times
chain's 23 million answers were turned into rows to keep a few hundred thousand), and finds
exactly what reading every answer finds, on both engines."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from audit_app.domain import repeats
from audit_app.domain.filters import AuditFilter
from audit_app.services import repeats as service
from audit_app.services.context import AppContext
from audit_app.storage import compare_queries as queries
from audit_app.storage import database
from tests.services.test_compare import demo_ctx

__all__ = ["demo_ctx"]


def test_below_full_marks_is_every_answer_scored_below_one(demo_ctx: AppContext) -> None:
    selection = AuditFilter(include_follow_ups=True)
    with database.snapshot(demo_ctx.engine) as conn:
        ids = sorted(queries.audit_frame(conn, selection)["checklist_id"].unique())
        every = queries.item_rows(conn, selection, ids)
        below = queries.item_rows(conn, selection, ids, below_full_marks=True)
    want = every[every["score"] < 1].sort_values(["audit_id", "item_id"], ignore_index=True)
    got = below.sort_values(["audit_id", "item_id"], ignore_index=True)
    assert len(got) < len(every) and not got.empty
    pd.testing.assert_frame_equal(got, want)


def test_the_repeats_found_are_those_every_answer_gives(demo_ctx: AppContext) -> None:
    for audit_filter in (AuditFilter(), AuditFilter(region="Catalonia")):
        got = service.repeated_failures(demo_ctx, audit_filter)
        selection = replace(audit_filter, include_follow_ups=False)
        with database.snapshot(demo_ctx.engine) as conn:
            audits = queries.audit_frame(conn, selection)
            ids = sorted(audits["checklist_id"].unique())
            items = queries.item_rows(conn, selection, ids)
        want = repeats.repeated_failures(audits, items, service.policy_thresholds(demo_ctx, audits))
        assert not got.empty
        pd.testing.assert_frame_equal(got, want)
