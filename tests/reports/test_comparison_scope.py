"""The comparison PDF states the user's scope: head office reads "Chain: 47 branches" and
"Chain level (model)"; an area manager reads "Area Barcelona: 6 branches" and "Level of
your area (model)", and the word "chain" only in the method, where one sentence says that
the model's "chain" is their area's branches. The notices are boxed on the cover and
repeated in the method."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from audit_app.domain.users import Role, User
from audit_app.reports.comparison_report import LABELS, render_comparison_report
from audit_app.services.context import AppContext
from audit_app.services.report_compare import comparison_data, comparison_report
from tests.reports.conftest import flat, pdf_text

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
CHAIN = re.compile(r"\bchain", re.I)
METHOD = re.compile(rf"^{LABELS['method']}$", re.M)


def split_at_method(text: str) -> tuple[str, str]:
    """(everything before the method's heading, the method to the end)."""
    headings = list(METHOD.finditer(text))
    assert headings, "no method section"
    at = headings[-1].start()
    return text[:at], text[at:]


@pytest.fixture(scope="module")
def area_text(demo_ctx: AppContext) -> str:
    return pdf_text(comparison_report(demo_ctx.as_user(MARTA), generated_at=WHEN))


@pytest.fixture(scope="module")
def chain_text(demo_ctx: AppContext) -> str:
    return pdf_text(comparison_report(demo_ctx, generated_at=WHEN))


def test_the_area_managers_report_names_the_area_and_not_the_chain(area_text: str) -> None:
    before, method = split_at_method(area_text)
    assert not CHAIN.findall(before), [line for line in before.splitlines() if CHAIN.search(line)]
    cover = flat(before.split(LABELS["league"], 1)[0])
    assert "Area Barcelona: 6 branches" in cover
    assert "Level of your area (model) (shrinkage target):" in cover
    assert "Trend of the area per month" in before
    assert re.search(
        r"^Level of your area \(model\) \d+\.\d$", before, re.M
    )  # the chart's reference line
    assert "Dashed line: Level of your area (model)" in flat(before)
    # the word is left to the method, whose first sentence says what it means here
    scope = (
        "Scope: this report compares the 6 branches of area Barcelona. Where the method below "
        "speaks of the chain"
    )
    assert flat(method).startswith(f"{LABELS['method']} {scope}")
    assert CHAIN.findall(method)


def test_head_offices_report_names_the_chain(chain_text: str) -> None:
    before, method = split_at_method(chain_text)
    cover = flat(before.split(LABELS["league"], 1)[0])
    assert "Chain: 47 branches" in cover  # the closed branch is left out
    assert "Chain level (model) (shrinkage target):" in cover
    assert "Trend of the chain per month" in before
    assert "Scope:" not in method  # no sentence to translate "chain" for head office


def test_the_notices_are_boxed_on_the_cover_and_repeated_in_the_method(
    demo_ctx: AppContext,
) -> None:
    notices = (
        "No detectable difference between branches in this selection.",
        "The visit-to-visit noise rests on 3 degrees of freedom.",
    )
    data = replace(comparison_data(demo_ctx.as_user(MARTA)), notices=notices)
    before, method = split_at_method(pdf_text(render_comparison_report(data, WHEN)))
    cover = flat(before.split(LABELS["league"], 1)[0])
    box = f"{LABELS['notices']} • {notices[0]} • {notices[1]}"
    assert box in cover
    assert f"{LABELS['notices']} • {notices[0]} • {notices[1]}" in flat(method)


def test_the_trend_is_named_by_the_requests_period(demo_ctx: AppContext) -> None:
    from audit_app.domain.compare import ComparisonRequest
    from audit_app.services.compare import comparison

    marta = demo_ctx.as_user(MARTA)
    result = comparison(marta, ComparisonRequest(period="quarter"))
    text = pdf_text(comparison_report(marta, result=result, generated_at=WHEN))
    trend = text.split("Trend of the area per quarter", 1)[1]
    header = f"{LABELS['col_period_quarter']} {LABELS['col_audits']} {LABELS['col_mean']}"
    assert header in trend
    assert re.search(r"(^|\s)2026Q1 \d+ \d+\.\d ", trend, re.M)
