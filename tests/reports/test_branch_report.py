"""The branch report read back: its audits, section scores against the chain, repeated
failures, the branch name letter for letter, the same text every time."""

from __future__ import annotations

from datetime import UTC, date, datetime

from audit_app.domain.checklist import localized
from audit_app.domain.scoring import ScoreCard, SectionScore, display
from audit_app.i18n import formats, use_language
from audit_app.reports.branch_report import AuditRow
from audit_app.services.audits import score_rows
from audit_app.services.context import AppContext
from audit_app.services.reports import branch_report, branch_report_data, repeated_failures
from tests.reports.conftest import column_text, flat, pdf_text
from tests.reports.words import number, t

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_branch_report_lists_audits_sections_and_repeated_failures(demo_ctx: AppContext) -> None:
    code = "TR-IST-01"
    data = branch_report_data(demo_ctx, code, date(2026, 6, 1), None)
    content = branch_report(demo_ctx, code, date(2026, 6, 1), generated_at=WHEN)
    text = pdf_text(content)
    questions = column_text(content, 45, 108)  # the question column of the failures table

    assert "Verd Natural Kadıköy (TR-IST-01)" in text
    rows = [r for r in score_rows(demo_ctx) if r["branch_code"] == code]
    rows = [r for r in rows if r["visited_at"].date() >= date(2026, 6, 1)]
    assert len(rows) == len(data.audits) > 0
    for row in rows:
        with use_language("tr"):
            assert formats.date(row["visited_at"], "short") in text
        assert number(row["overall"], "tr") in text
    for section in data.sections:
        checklist = data.checklists[section.checklist_id]
        title = localized(
            next(s for s in checklist.sections if s.id == section.section_id).title,
            "tr",
            checklist.language,
        )
        branch, chain = display(section.branch_mean), display(section.chain_mean)
        shown = f"{number(branch, 'tr')} ({number(chain, 'tr')})"
        assert f"{title} {shown}" in text
    assert data.repeated, "the demo branch fails some item twice running"
    for failure in data.repeated:
        checklist = data.checklists[failure.checklist_id]
        question = localized(checklist.items_by_id[failure.item_id].text, "tr", checklist.language)
        assert f"✗ {flat(question)}" in questions
    assert t("Repeated failures", "tr") in text


def test_branch_report_is_the_same_text_apart_from_the_time(demo_ctx: AppContext) -> None:
    first = pdf_text(branch_report(demo_ctx, "RO-TRA-02", generated_at=WHEN))
    again = pdf_text(branch_report(demo_ctx, "RO-TRA-02", generated_at=WHEN))
    assert first == again
    assert "Verd Natural Brașov" in first and "Secțiuni" in first


def test_branch_report_in_catalan_by_default_for_a_catalan_branch(demo_ctx: AppContext) -> None:
    text = pdf_text(branch_report(demo_ctx, "ES-CAT-01", generated_at=WHEN))
    assert "Verd Natural Barcelona Gràcia" in text
    assert t("Branch report", "ca") in text


def _audit(audit_id: int, day: int, checklist_id: str = "c") -> AuditRow:
    return AuditRow(
        audit_id, datetime(2026, 1, day), checklist_id, 1, "A", 80.0, "Good", True, False
    )


def _card(**scores: float | None) -> ScoreCard:
    return ScoreCard(
        "c", 1, 80.0, 80.0, "Good", True, False, (), (SectionScore("s", 80.0, 1.0),), scores
    )


def test_repeated_failure_means_consecutive_audits_of_one_checklist() -> None:
    audits = [_audit(1, 1), _audit(2, 2), _audit(3, 3), _audit(4, 4), _audit(5, 5, "other")]
    cards = {
        1: _card(a=0.0, b=0.0, c=None),
        2: _card(a=0.5, b=1.0, c=0.0),
        3: _card(a=0.0, b=0.0, c=None),
        4: _card(a=1.0, b=1.0, c=0.0),
        5: _card(a=0.0, b=1.0, c=0.0),
    }
    found = repeated_failures(audits, cards)
    assert [(f.checklist_id, f.item_id, f.consecutive, f.last_failed.day) for f in found] == [
        ("c", "a", 3, 3)
    ]
    # N/A (None) breaks nothing but does not count as a failure either: "c" never runs twice
