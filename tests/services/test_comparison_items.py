"""A comparison asked for without items, completed later (``compare.with_items``): the
Compare page shows a large chain's comparison without per-item consistency, and turning
"Include items" on computes only the items (#21). Completed, the result equals the
comparison asked for with them, field by field, on both engines, for head office and an
area manager, in months and quarters, with and without period effects and closed branches,
over a checklist that spans two versions; the kept selection is not read again."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import User
from audit_app.services import compare as service
from audit_app.services.freshness import data_version
from tests.services.test_kept_selections import HQ, MANAGER, nothing_kept, reads
from tests.services.test_league_alone import same
from tests.storage.test_item_vectors import messy

__all__ = ["messy", "nothing_kept", "reads"]

CHOICES = {
    "as the page opens": {},
    "in quarters": {"period": "quarter"},
    "without period effects": {"adjust_periods": False},
    "with closed branches": {"include_closed": True},
    "with the auditors": {"auditors": True},
}


@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
@pytest.mark.parametrize("choice", list(CHOICES))
def test_completed_later_equals_asked_for_at_once(
    messy: Any, reads: list[AuditFilter], user: User, choice: str
) -> None:
    ctx = messy.as_user(user)
    selection = AuditFilter()
    version = data_version(ctx, selection)
    asked = replace(ComparisonRequest(selection, evidence=False, auditors=False), **CHOICES[choice])
    without = service.comparison(ctx, replace(asked, items=False), version)
    assert without.items == () and not without.request.items
    completed = service.with_items(ctx, without, version)
    assert len(reads) == 1, "the kept selection was read again"
    at_once = service.comparison(ctx, replace(asked, items=True))
    assert completed.items, "the messy world has items to compare"
    assert {s.level for s in completed.least_consistent} == {"section", "item"}
    same(completed, at_once, choice)


def test_a_month_s_items_are_that_month_s(messy: Any) -> None:
    """A selection of whole months reads the items of those months only (the kept item
    summaries or the vectors, whichever the density picks), as a comparison asked for at
    once does."""
    selection = AuditFilter(date_from=date(2026, 1, 1), date_to=date(2026, 1, 31))
    version = data_version(messy, selection)
    request = ComparisonRequest(selection, evidence=False, auditors=False, items=False)
    without = service.comparison(messy, request, version)
    if without.empty:
        pytest.skip("the messy world has no audit in January 2026")
    completed = service.with_items(messy, without, version)
    same(completed, service.comparison(messy, replace(request, items=True)), "January")


def test_a_result_with_items_is_returned_as_it_is_and_an_empty_one_asks_for_them(
    messy: Any,
) -> None:
    with_them = service.comparison(messy, ComparisonRequest(AuditFilter(), evidence=False))
    assert with_them.request.items
    assert service.with_items(messy, with_them) is with_them
    nothing = ComparisonRequest(
        AuditFilter(date_from=date(1990, 1, 1), date_to=date(1990, 1, 31)),
        items=False,
        evidence=False,
    )
    empty = service.comparison(messy, nothing)
    assert empty.empty
    completed = service.with_items(messy, empty)
    same(completed, service.comparison(messy, replace(nothing, items=True)), "nothing")
