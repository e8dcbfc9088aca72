"""The Overview's two figures from a comparison (``headline``): the mean score and the
consistency index of ``comparison(ComparisonRequest(filter, items=False))``, computed without
the rest, for every filter of the messy world (two versions of one checklist, N/A sections,
follow-ups, channels, regions, areas), for head office and an area manager, with the same
refusals."""

from __future__ import annotations

import re

import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services import compare as service
from audit_app.services.context import AppContext
from tests.storage.test_item_vectors import FILTERS, messy

__all__ = ["messy"]

MANAGER = User(username="ioana", role=Role.AREA_MANAGER, areas=("Barcelona", "Transilvania"))


def assert_close(got: float | None, want: float | None, where: str) -> None:
    """Equal to 1e-12 (sums added in another order), or both None."""
    if want is None:
        assert got is None, where
    else:
        assert got == pytest.approx(want, rel=1e-12, abs=1e-12), where


@pytest.mark.parametrize("who", ["head office", "area manager"])
def test_the_headline_is_the_comparison_s(messy: AppContext, who: str) -> None:
    ctx = messy.as_user(MANAGER) if who == "area manager" else messy
    shown = 0
    for name, audit_filter in FILTERS.items():
        try:
            whole = service.comparison(ctx, ComparisonRequest(audit_filter, items=False))
        except AuditAppError as refused:  # e.g. a region outside her areas
            with pytest.raises(AuditAppError, match=re.escape(str(refused))):
                service.headline(ctx, audit_filter)
            continue
        figures = service.headline(ctx, audit_filter)
        assert_close(figures.mean_score, whole.mean_score, name)
        assert_close(figures.consistency_index, whole.consistency_index, name)
        shown += figures.consistency_index is not None
    assert shown >= 5, "most filters select enough to measure consistency"


def test_a_filter_that_matches_nothing_is_refused_as_by_the_comparison(
    messy: AppContext,
) -> None:
    typo = AuditFilter(checklist_id="greeting_phnoe")
    with pytest.raises(AuditAppError) as by_comparison:
        service.comparison(messy, ComparisonRequest(typo, items=False))
    with pytest.raises(AuditAppError) as by_headline:
        service.headline(messy, typo)
    assert type(by_headline.value) is type(by_comparison.value)
    assert str(by_headline.value) == str(by_comparison.value)


def test_a_quiet_period_has_no_figures(messy: AppContext) -> None:
    figures = service.headline(messy, FILTERS["nothing"])
    assert (figures.mean_score, figures.consistency_index) == (None, None)
