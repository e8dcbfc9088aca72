"""The league table alone (#21) reads only the branch-month totals the database adds up,
and ranks, bands and marks exactly as the whole comparison does, on both engines: every
checklist, the closed branch included, dates that cut a month, an empty selection, and a
checklist of two versions (read the whole way, rescored)."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

import pandas as pd
import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.services import compare as service
from audit_app.services.context import AppContext
from tests.services.test_compare import demo_ctx, versions_world

__all__ = ["demo_ctx", "versions_world"]


def same(got: Any, want: Any, where: str = "result") -> None:
    """Equal, floats to 1e-9 (the database and pandas add in different orders)."""
    if isinstance(want, float) and isinstance(got, float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9) or (
            math.isnan(got) and math.isnan(want)
        ), f"{where}: {got} != {want}"
    elif isinstance(want, pd.DataFrame):
        assert isinstance(got, pd.DataFrame) and list(got.columns) == list(want.columns), where
        assert len(got) == len(want), where
        for column in want.columns:
            same(got[column].tolist(), want[column].tolist(), f"{where}.{column}")
    elif is_dataclass(want) and not isinstance(want, type):
        assert type(got) is type(want), where
        for f in fields(want):
            same(getattr(got, f.name), getattr(want, f.name), f"{where}.{f.name}")
    elif isinstance(want, list | tuple):
        assert len(got) == len(want), f"{where}: {len(got)} items, not {len(want)}"
        for i, (a, b) in enumerate(zip(got, want, strict=True)):
            same(a, b, f"{where}[{i}]")
    elif isinstance(want, dict):
        assert got.keys() == want.keys(), where
        for key in want:
            same(got[key], want[key], f"{where}[{key!r}]")
    else:
        assert got == want or (got != got and want != want), f"{where}: {got!r} != {want!r}"


@pytest.mark.parametrize(
    ("audit_filter", "include_closed"),
    [
        (AuditFilter(), False),
        (AuditFilter(checklist_id="greeting_phone"), True),
        (AuditFilter(region="Catalonia", date_from=date(2026, 2, 11)), False),
        (AuditFilter(date_from=date(1990, 1, 1), date_to=date(1990, 1, 2)), False),
    ],
    ids=["everything", "phone with the closed branch", "region from mid-month", "nothing"],
)
def test_the_league_alone_is_the_comparison_s_league(
    demo_ctx: AppContext, audit_filter: AuditFilter, include_closed: bool
) -> None:
    """``league_table`` reads only the branch-month totals (#21), and ranks and marks
    exactly as the whole comparison does."""
    alone = service.league_table(demo_ctx, audit_filter, include_closed=include_closed)
    whole = service.comparison(
        demo_ctx,
        ComparisonRequest(audit_filter, items=False, auditors=False, include_closed=include_closed),
    ).league
    same(alone, whole)
    assert any(row.closed for row in alone.rows) == include_closed


def test_a_checklist_of_two_versions_is_ranked_on_its_shared_items(
    versions_world: tuple[AppContext, Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database's totals hold the scores as stored; a checklist of two versions is
    rescored on its shared items, so its league is read the whole way."""
    ctx = versions_world[0]
    phone = AuditFilter(checklist_id="greeting_phone")
    whole = service.comparison(ctx, ComparisonRequest(phone, items=False, auditors=False)).league
    asked: list[Any] = []
    monkeypatch.setattr(service.league_totals, "branch_months", lambda *a, **k: asked.append(a))
    alone = service.league_table(ctx, phone)
    assert asked == []  # the stored (unrescored) totals were not read
    same(alone, whole)


def test_one_version_each_and_one_set_of_grades_reads_no_audit_for_the_versions(
    demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo stores one version of each checklist, all graded alike: the league reads
    the few stored versions, not the selection's audits, to know it may add up totals."""
    whole = service.comparison(
        demo_ctx, ComparisonRequest(AuditFilter(region="Catalonia"), items=False, auditors=False)
    ).league

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the selection's versions were read")

    monkeypatch.setattr(service.league_totals, "versions_used", refused)
    same(service.league_table(demo_ctx, AuditFilter(region="Catalonia")), whole)
