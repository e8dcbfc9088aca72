"""The comparison report reads its comparison and its repeated failures once (#21): one
snapshot, one audit frame and one read of the item-score vectors serve the comparison, its
failure evidence and the repeated-failure search. What it prints is what each computes
alone, on both engines, for head office and an area manager, over a checklist of two
versions; a selection the search reads differently (follow-ups included) reads its own."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import User
from audit_app.services import compare as service
from audit_app.services.repeats import branches_with_repeats
from audit_app.services.report_compare import comparison_data
from audit_app.storage import compare_queries as queries
from tests.services.test_kept_selections import HQ, MANAGER, nothing_kept
from tests.services.test_league_alone import same
from tests.storage.test_item_vectors import messy

__all__ = ["messy", "nothing_kept"]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many times the audit frame and the item vectors are read."""
    reads = {"audits": 0, "vectors": 0}
    audit_frame, vector_blocks = queries.audit_frame, queries._vector_blocks

    def audits(*args: Any) -> pd.DataFrame:
        reads["audits"] += 1
        return audit_frame(*args)

    def vectors(*args: Any) -> Any:
        reads["vectors"] += 1
        return vector_blocks(*args)

    monkeypatch.setattr(queries, "audit_frame", audits)
    monkeypatch.setattr(queries, "_vector_blocks", vectors)
    return reads


@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
def test_one_read_serves_the_comparison_its_evidence_and_the_repeats(
    messy: Any, counted: dict[str, int], user: User
) -> None:
    ctx = messy.as_user(user)
    data = comparison_data(ctx, AuditFilter(), items=True)
    assert counted == {"audits": 1, "vectors": 1}
    alone = service.comparison(ctx, ComparisonRequest(AuditFilter(), min_audits=3))
    same(data.league, alone.league.rows, "league")
    same(data.standards, alone.least_consistent, "standards")
    same(data.failed_items, alone.failed_items, "failed items")
    repeats = branches_with_repeats(ctx, AuditFilter())
    assert not repeats.empty, "the messy world has repeated failures"
    shown = data.repeats.drop(columns="branch_name")
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), repeats.reset_index(drop=True))


def test_a_selection_with_follow_ups_searches_its_own_reads(
    messy: Any, counted: dict[str, int]
) -> None:
    """The search always leaves follow-ups out, so it cannot share a selection that has
    them: it reads its own, and finds what it finds alone."""
    selection = AuditFilter(include_follow_ups=True)
    data = comparison_data(messy, selection, items=False)
    assert counted == {"audits": 2, "vectors": 2}  # the evidence shares the comparison's
    repeats = branches_with_repeats(messy, selection)
    shown = data.repeats.drop(columns="branch_name")
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), repeats.reset_index(drop=True))


@pytest.mark.parametrize(
    ("asked", "checklists"),
    [
        ({}, [("greeting_phone",)]),
        ({"items": True}, [None]),
        ({"evidence": True}, [None]),
    ],
    ids=["neither items nor evidence", "items", "evidence"],
)
def test_the_rescoring_reads_the_selection_s_vectors_only_when_they_are_wanted(
    messy: Any, monkeypatch: pytest.MonkeyPatch, asked: dict[str, bool], checklists: list[Any]
) -> None:
    """The messy world's phone checklist spans two versions, so the comparison rescores its
    audits from their vectors. Without items or evidence it reads that checklist's alone (an
    email audit's vectors are neither read nor needed); with either, the one read of every
    vector serves the rescoring too."""
    read: list[Any] = []
    vector_blocks = queries._vector_blocks

    def vectors(conn: Any, audit_filter: AuditFilter, checklist_ids: Any = None) -> Any:
        read.append(None if checklist_ids is None else tuple(checklist_ids))
        return vector_blocks(conn, audit_filter, checklist_ids)

    monkeypatch.setattr(queries, "_vector_blocks", vectors)
    request = ComparisonRequest(AuditFilter(), items=False, evidence=False, auditors=False)
    service.comparison(messy, replace(request, **asked))
    assert read == checklists


def test_an_empty_selection_searches_nothing(messy: Any, counted: dict[str, int]) -> None:
    from datetime import date

    nothing = AuditFilter(date_from=date(1990, 1, 1), date_to=date(1990, 1, 31))
    data = comparison_data(messy, nothing, items=True)
    assert data.repeats.empty and data.league == ()
    # on PostgreSQL the report's vectors are read beside its audits, before it is known that
    # there are none (one query that finds nothing); elsewhere they are read when asked for
    beside = messy.engine.dialect.name == "postgresql"
    assert counted["vectors"] == (1 if beside else 0)
