"""League totals added up by the database (``league_totals``) equal those added up in pandas
from every audit (``domain.compare.branch_month_totals``), on both engines, over the messy
world (two versions, N/A, follow-ups, channels, a closed branch) and filters chosen at
random, with dates that cut months in the middle."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, update

from audit_app.domain import compare as stats
from audit_app.domain.filters import AuditFilter
from audit_app.services.context import AppContext
from audit_app.storage import compare_queries as queries
from audit_app.storage import database
from audit_app.storage import league_totals as totals
from audit_app.storage.tables import branches
from tests.storage.test_item_sums import _random_filters
from tests.storage.test_item_vectors import messy

__all__ = ["messy"]

FILTERS = [
    *_random_filters(40, seed=2121),
    AuditFilter(date_from=date(2026, 3, 14), date_to=date(2026, 5, 2)),
    AuditFilter(date_from=date(2026, 2, 27)),
    AuditFilter(channel="phone", date_to=date(2026, 4, 9)),
    AuditFilter(auditor="Ann"),
]


@contextmanager
def one_branch_closed(ctx: AppContext) -> Iterator[Connection]:
    """A connection in which ES-CAT-02 is closed, rolled back after (the world is shared)."""
    with ctx.engine.connect() as conn:
        transaction = conn.begin()
        try:
            conn.execute(
                update(branches).where(branches.c.code == "ES-CAT-02").values(active=False)
            )
            yield conn
        finally:
            transaction.rollback()


def audits_of(conn: object, audit_filter: AuditFilter, open_only: bool) -> pd.DataFrame:
    frame = queries.audit_frame(conn, audit_filter)  # type: ignore[arg-type]
    frame = frame[frame["overall"].notna()]
    if open_only:
        frame = frame[frame["branch_active"]]
    return frame.reset_index(drop=True)


def assert_same_totals(got: pd.DataFrame, want: pd.DataFrame, keys: list[str]) -> None:
    assert list(got.columns) == list(want.columns)
    got = got.sort_values(keys, ignore_index=True)
    want = want.sort_values(keys, ignore_index=True)
    counts = [c for c in got.columns if c not in ("sum", "sum_sq")]
    assert (
        got[counts].astype(str).to_numpy().tolist() == want[counts].astype(str).to_numpy().tolist()
    )
    for column in ("sum", "sum_sq"):
        np.testing.assert_allclose(got[column], want[column].astype(float), rtol=1e-12)


@pytest.mark.parametrize("open_only", [True, False], ids=["open branches", "closed too"])
def test_the_database_adds_up_what_the_audits_add_up_to(messy: AppContext, open_only: bool) -> None:
    with one_branch_closed(messy) as conn:
        selected = 0
        for audit_filter in FILTERS:
            audits = audits_of(conn, audit_filter, open_only)
            months = totals.branch_months(conn, audit_filter, open_only=open_only)
            if audits.empty:
                assert months.empty, audit_filter
                assert totals.versions_used(conn, audit_filter, open_only=open_only) == {}
                continue
            selected += 1
            assert_same_totals(months, stats.branch_month_totals(audits), ["branch_code", "period"])
            versions = audits.groupby("checklist_id")["checklist_version"].unique()
            assert totals.versions_used(conn, audit_filter, open_only=open_only) == {
                str(k): tuple(sorted(int(v) for v in vs)) for k, vs in versions.items()
            }
    assert selected >= 25


def test_a_closed_branch_is_left_out_only_when_asked(messy: AppContext) -> None:
    with one_branch_closed(messy) as conn:
        open_months = totals.branch_months(conn, AuditFilter(), open_only=True)
        every = totals.branch_months(conn, AuditFilter(), open_only=False)
    assert "ES-CAT-02" not in set(open_months["branch_code"])
    closed = every[every["branch_code"] == "ES-CAT-02"]
    assert not closed.empty and not closed["branch_active"].any()
    assert every["branch_active"].sum() == len(open_months)


def test_nothing_selected_gives_an_empty_frame_with_its_columns(messy: AppContext) -> None:
    nothing = replace(AuditFilter(), date_from=date(1990, 1, 1), date_to=date(1990, 1, 31))
    with database.snapshot(messy.engine) as conn:
        months = totals.branch_months(conn, nothing, open_only=True)
    assert months.empty and list(months.columns) == totals.BRANCH_MONTH_COLUMNS
