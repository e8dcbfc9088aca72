"""The failure evidence read on its own (``comparison_evidence``), as the Compare page reads
it when a view shows it: the same counts ``comparison(request).evidence`` holds, for the
same audits (scored, of open branches unless closed ones are asked for), in the user's areas
only."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare as service
from audit_app.services.context import AppContext
from tests.services.test_compare import demo_ctx
from tests.storage.test_item_vectors import FILTERS, messy

__all__ = ["demo_ctx", "messy"]

DEMO_REQUESTS = {
    "everything": ComparisonRequest(AuditFilter()),
    "closed branches too": ComparisonRequest(AuditFilter(), include_closed=True),
    "phone": ComparisonRequest(AuditFilter(checklist_id="greeting_phone")),
    "a quarter": ComparisonRequest(
        AuditFilter(date_from=date(2026, 7, 1), date_to=date(2026, 9, 30))
    ),
    "with follow-ups": ComparisonRequest(AuditFilter(include_follow_ups=True)),
    "by quarter, no period effects": ComparisonRequest(
        AuditFilter(), period="quarter", adjust_periods=False
    ),
    "nothing": ComparisonRequest(AuditFilter(date_from=date(2031, 1, 1))),
}


def _total(evidence: dict[tuple[str, str], object]) -> int:
    return sum(count.failures for count in evidence.values())  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", list(DEMO_REQUESTS))
def test_the_evidence_alone_is_the_comparisons(demo_ctx: AppContext, name: str) -> None:
    request = DEMO_REQUESTS[name]
    alone = service.comparison_evidence(demo_ctx, replace(request, evidence=False))
    assert alone == service.comparison(demo_ctx, request).evidence
    if name != "nothing":
        assert _total(alone) > 0, "the selection has failed answers to count"


def test_closed_branches_count_only_when_asked_for(demo_ctx: AppContext) -> None:
    """The demo's closed branch failed answers too: they count only with include_closed."""
    open_only = service.comparison_evidence(demo_ctx, DEMO_REQUESTS["everything"])
    with_closed = service.comparison_evidence(demo_ctx, DEMO_REQUESTS["closed branches too"])
    closed = ComparisonRequest(AuditFilter(branch_code="RO-TRA-01"), include_closed=True)
    of_closed = service.comparison_evidence(demo_ctx, closed)
    assert _total(of_closed) > 0
    assert _total(with_closed) == _total(open_only) + _total(of_closed)


def test_an_area_manager_counts_only_her_areas(demo_ctx: AppContext) -> None:
    marta = demo_ctx.as_user(User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",)))
    request = DEMO_REQUESTS["everything"]
    hers = service.comparison_evidence(marta, request)
    assert hers == service.comparison(marta, request).evidence
    assert hers == service.comparison_evidence(
        demo_ctx, replace(request, audit_filter=AuditFilter(areas=("Barcelona",)))
    )
    assert 0 < _total(hers) < _total(service.comparison_evidence(demo_ctx, request))


@pytest.mark.parametrize("name", list(FILTERS))
def test_the_messy_worlds_evidence_alone_is_the_comparisons(messy: AppContext, name: str) -> None:
    """Two versions of one checklist, N/A sections, follow-ups, channels, regions, areas."""
    for include_closed in (False, True):
        request = ComparisonRequest(FILTERS[name], include_closed=include_closed, items=False)
        alone = service.comparison_evidence(messy, request)
        assert alone == service.comparison(messy, request).evidence, include_closed
