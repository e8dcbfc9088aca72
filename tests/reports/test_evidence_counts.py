"""Failures and their photos in the comparison and branch reports, read back from the PDF:
each failed item listed with "N failures, M with photos", the counts an answer-by-answer
recount gives, and only for the user's areas."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from audit_app.domain.checklist import localized
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.evidence import evidence_text
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.i18n import use_language
from audit_app.services.context import AppContext
from audit_app.services.report_compare import comparison_report
from audit_app.services.reports import branch_report
from tests.reports.conftest import column_text, flat, pdf_text
from tests.services.photo_world import GREETING, SPEECH, evidence_world, recount

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
PHONE = "greeting_phone"


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    evidence_world(ctx)
    return ctx


def question(ctx: AppContext, item_id: str) -> str:
    checklist = ctx.catalogue.get(PHONE)
    return localized(checklist.items_by_id[item_id].text, "en", checklist.language)


def _comparison_text(ctx: AppContext) -> str:
    request = ComparisonRequest(AuditFilter(), min_audits=1)
    content = comparison_report(ctx, request=request, generated_at=WHEN, language="en")
    return flat(pdf_text(content))


def test_the_comparison_report_lists_failures_and_photos_per_item(world: AppContext) -> None:
    text = _comparison_text(world)
    expected = recount(world)

    assert "Failed items and their photos" in text
    with use_language("en"):
        for item_id in (GREETING, SPEECH):
            line = f"{question(world, item_id)} {evidence_text(expected[(PHONE, item_id)])}"
            assert line in text
    assert "4 failures, 3 with photos" in text and "2 failures, 1 with photos" in text


def test_an_area_managers_comparison_report_counts_only_their_areas(world: AppContext) -> None:
    marta = replace(world, user=MARTA)
    text = _comparison_text(marta)

    assert recount(marta)[(PHONE, GREETING)].failures == 3
    assert "3 failures, 2 with photos" in text and "1 failure, 0 with photos" in text
    assert "4 failures" not in text and "2 failures, 1 with photos" not in text


def test_the_branch_report_shows_the_counts_beside_each_repeated_failure(
    world: AppContext,
) -> None:
    content = branch_report(world, "ES-01", language="en", generated_at=WHEN)
    text = flat(pdf_text(content))
    counts = recount(world, AuditFilter(branch_code="ES-01"))

    assert counts[(PHONE, GREETING)].failures == 2 and counts[(PHONE, GREETING)].with_photo == 1
    questions = column_text(content, 45, 108)  # the failures table's question column
    with use_language("en"):  # under the question of the repeated failure
        shown = evidence_text(counts[(PHONE, GREETING)])
    assert f"✗ {question(world, GREETING)} {shown}" in questions
    # clear speech failed once only: not a repeated failure, so not listed
    assert "1 failure, 0 with photos" not in text
