"""The item-score vectors a comparison reads: none when it is asked without evidence (the
Overview, ``consistency``), which then differs from the whole comparison only by its empty
evidence; once when the per-item figures and the evidence both need them."""

from __future__ import annotations

from dataclasses import replace

import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.services import compare as service
from audit_app.services.context import AppContext
from audit_app.services.overview import overview
from audit_app.storage import compare_queries
from tests.services.test_compare import demo_ctx
from tests.services.test_league_alone import same

__all__ = ["demo_ctx"]


def test_without_evidence_the_comparison_is_the_same_but_for_it(demo_ctx: AppContext) -> None:
    request = ComparisonRequest(AuditFilter(), items=False)
    whole = service.comparison(demo_ctx, request)
    light = service.comparison(demo_ctx, replace(request, evidence=False))
    assert whole.evidence, "the demo has failed answers to count"
    assert light.evidence == {}
    same(replace(light, request=request, evidence=whole.evidence), whole)


def test_the_overview_and_consistency_read_no_item_vector(
    demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("item-score vectors read")

    monkeypatch.setattr(compare_queries, "failure_evidence", refused)
    monkeypatch.setattr(compare_queries, "_vector_blocks", refused)
    figures = overview(demo_ctx, AuditFilter())
    assert figures.consistency_index is not None and figures.audits > 1000
    assert service.consistency(demo_ctx, items=False).index == figures.consistency_index
    with pytest.raises(AssertionError, match="item-score vectors read"):
        service.comparison(demo_ctx, ComparisonRequest(AuditFilter(), items=False))


def test_items_and_evidence_share_one_read_of_the_vectors(
    demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[AuditFilter] = []
    real = compare_queries._vector_blocks

    def counted(conn: object, audit_filter: AuditFilter, *rest: object) -> object:
        reads.append(audit_filter)
        return real(conn, audit_filter, *rest)  # type: ignore[arg-type]

    # The item cells come from the vectors, not the summaries (the demo is sparse enough).
    monkeypatch.setattr(compare_queries, "summaries_pay", lambda *_args: False)
    request = ComparisonRequest(AuditFilter(), items=True)
    before = service.comparison(demo_ctx, request)
    monkeypatch.setattr(compare_queries, "_vector_blocks", counted)
    after = service.comparison(demo_ctx, request)
    assert len(reads) == 1
    assert after.items and after.evidence
    same(after, before)
