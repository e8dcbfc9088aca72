"""The audit PDF names the visit's outside reference (a review number) beside the visit,
in the report's language, and says nothing of one where the visit has none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.services.audits import submit_audit
from audit_app.services.context import AppContext
from audit_app.services.reports import audit_report
from tests.reports.conftest import flat, pdf_text
from tests.reports.words import t
from tests.services.test_revisions import good_answers, world  # noqa: F401

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _audit(ctx: AppContext, reference: str | None) -> int:
    visit = Visit(
        "ES-01", "greeting_phone", 1, datetime(2026, 3, 2, 10), "Ann", reference=reference
    )
    audit_id, _ = submit_audit(ctx, AuditRecord(visit, tuple(good_answers(ctx))))
    return audit_id


@pytest.mark.parametrize("language", ["en", "ca", "ro", "tr"])
def test_the_pdf_names_the_reference(world: AppContext, language: str) -> None:  # noqa: F811
    with_reference = _audit(world, "RV-100231 / Ağustos")
    text = flat(pdf_text(audit_report(world, with_reference, language, generated_at=WHEN)))
    assert f"{t('Reference', language)} RV-100231 / Ağustos" in text


def test_a_pdf_without_a_reference_has_no_such_line(world: AppContext) -> None:  # noqa: F811
    text = flat(pdf_text(audit_report(world, _audit(world, None), "en", generated_at=WHEN)))
    assert t("Reference", "en") not in text and "RV-" not in text
    assert "Ann" in text  # the rest of the visit is there


def test_the_longest_reference_wraps_inside_the_page(world: AppContext) -> None:  # noqa: F811
    import io

    import pdfplumber

    longest = "RV" + "Ж" * (world.settings.bounds.name_chars - 2)  # one word, no break
    content = audit_report(world, _audit(world, longest), "en", generated_at=WHEN)
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        page = pdf.pages[0]
        sevens = [c for c in page.chars if c["text"] == "Ж"]
        assert len(sevens) == len(longest) - 2  # every character printed
        assert max(c["x1"] for c in sevens) <= page.width - 10  # none past the margin
