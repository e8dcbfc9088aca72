"""Repeated failures in the comparison report: the branches the data says failed an item in
consecutive audits are printed (read back with pypdf), only the area's for an area manager,
and a chain of thousands of branches gets a count and the top of the list."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import pandas as pd
from pypdf import PdfReader

from audit_app.domain.checklist import localized
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.reports.comparison_report import (
    REPEATS_SHOWN,
    ComparisonReportData,
    render_comparison_report,
)
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.repeats import branches_with_repeats
from audit_app.services.report_compare import comparison_data, comparison_report

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def test_the_report_lists_the_branches_with_repeated_failures(demo_ctx: AppContext) -> None:
    expected = branches_with_repeats(demo_ctx)
    assert len(expected) > 5, "the demo chain has branches failing an item twice running"
    text = _text(comparison_report(demo_ctx, AuditFilter(), 3, items=False, generated_at=WHEN))
    assert "Repeated failures" in text
    assert f"{len(expected)} branches failed the same item" in text
    section = text[text.index("Repeated failures\n") :]
    top = expected.iloc[0]
    assert top["branch_code"] in section
    assert top["worst_item"] not in section  # the item by its question, not its id
    # with the checklists in the data, by the question as the checklist words it
    checklist_id, item_id = (part.strip() for part in str(top["worst_item"]).split("/"))
    checklist = demo_ctx.catalogue.get(checklist_id)
    question = localized(checklist.items_by_id[item_id].text, "en", checklist.language)
    data = replace(
        comparison_data(demo_ctx, AuditFilter(), items=False),
        checklists=tuple(demo_ctx.catalogue),
    )
    named = _text(render_comparison_report(data, WHEN, "en"))
    named_section = named[named.index("Repeated failures\n") :]
    assert " ".join(question.split())[:20] in " ".join(named_section.split())


def test_an_area_manager_sees_only_the_areas_repeated_failures(demo_ctx: AppContext) -> None:
    marta = demo_ctx.as_user(MARTA)
    data = comparison_data(marta, AuditFilter(), items=False)
    everyone = branches_with_repeats(demo_ctx)
    mine = {b.code for b in list_branches(marta)}
    assert set(data.repeats["branch_code"]) <= mine
    others = set(everyone["branch_code"]) - mine
    assert others, "other areas have repeated failures too"
    text = _text(comparison_report(marta, AuditFilter(), 3, items=False, generated_at=WHEN))
    assert not any(code in text for code in others)


def test_thousands_of_branches_print_a_count_and_the_top(demo_ctx: AppContext) -> None:
    base = comparison_data(demo_ctx, AuditFilter(), items=False)
    many = pd.DataFrame(
        {
            "branch_code": [f"X-{n:04d}" for n in range(3000)],
            "branch_name": [f"Branch {n}" for n in range(3000)],
            "items": [3000 - n for n in range(3000)],
            "longest": 2,
            "worst_item": "greeting_phone / call.tone",
            "last_failed": pd.Timestamp("2026-02-01"),
        }
    )
    data = ComparisonReportData(**{**base.__dict__, "repeats": many})
    text = _text(render_comparison_report(data, WHEN))
    assert "3,000 branches failed the same item" in text
    assert f"The {REPEATS_SHOWN} with the most repeated items" in text
    assert f"X-{REPEATS_SHOWN - 1:04d}" in text and f"X-{REPEATS_SHOWN:04d}" not in text
