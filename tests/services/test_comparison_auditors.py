"""A comparison asked for without its auditors, completed later (``compare.with_auditors``):
the Compare page computes the auditors' leniency and calibration only when its Auditors tab
or the PDF shows them (#21). Completed, the result equals the comparison asked for with
them, field by field (notices and method in the same order), on both engines, for head
office and an area manager, in months and quarters, with and without period effects; the
kept selection is not read again; and the notices it adds are the auditors' own."""

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
from tests.services.test_calibration import World, world
from tests.services.test_kept_selections import HQ, MANAGER, nothing_kept, reads
from tests.services.test_league_alone import same
from tests.storage.test_item_vectors import messy

__all__ = ["messy", "nothing_kept", "reads", "world"]

CHOICES = {
    "as the page opens": {},
    "in quarters": {"period": "quarter"},
    "without period effects": {"adjust_periods": False},
    "with items": {"items": True},
}


@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
@pytest.mark.parametrize("choice", list(CHOICES))
def test_completed_later_equals_asked_for_at_once(
    messy: Any, reads: list[AuditFilter], user: User, choice: str
) -> None:
    ctx = messy.as_user(user)
    selection = AuditFilter()
    version = data_version(ctx, selection)
    asked = replace(ComparisonRequest(selection, evidence=False), **CHOICES[choice])
    without = service.comparison(ctx, replace(asked, auditors=False), version)
    assert without.auditors.rows == () and not without.request.auditors
    completed = service.with_auditors(ctx, without, version)
    assert len(reads) == 1, "the kept selection was read again"
    at_once = service.comparison(ctx, asked)
    assert completed.auditors.rows, "the messy world has auditors to compare"
    same(completed, at_once, choice)


def test_the_notices_it_adds_are_the_auditors_own(world: World) -> None:
    """The calibration world's pairs give a notice only the completed result has; every
    notice of the result without auditors is still there, in its place."""
    selection = AuditFilter()
    version = data_version(world.ctx, selection)
    without = service.comparison(
        world.ctx, ComparisonRequest(selection, auditors=False, evidence=False), version
    )
    completed = service.with_auditors(world.ctx, without, version)
    added = [n.code for n in completed.notices if n not in without.notices]
    assert "calibration_pairs" in added
    assert [n for n in completed.notices if n in without.notices] == list(without.notices)
    assert completed.calibration.pairs and not without.calibration.pairs
    assert len(completed.method) == len(without.method) + 2  # the auditors' and calibration's
    at_once = service.comparison(world.ctx, ComparisonRequest(selection, evidence=False))
    same(completed, at_once, "the calibration world")  # its notices in the same order too


def test_a_result_with_auditors_or_empty_is_returned_as_it_is(messy: Any) -> None:
    with_them = service.comparison(messy, ComparisonRequest(AuditFilter(), evidence=False))
    assert service.with_auditors(messy, with_them) is with_them
    nothing = service.comparison(
        messy,
        ComparisonRequest(
            AuditFilter(date_from=date(1990, 1, 1), date_to=date(1990, 1, 31)),
            auditors=False,
            evidence=False,
        ),
    )
    assert nothing.empty
    assert service.with_auditors(messy, nothing) is nothing
