"""The audit report read back as text: branch, scores as `audit-app scores` shows them,
every failed item, the languages letter for letter, the same text on every rendering."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from audit_app.domain.checklist import localized
from audit_app.domain.scoring import display, score_audit, scoring_method
from audit_app.i18n import LANGUAGES
from audit_app.reports.audit_report import (
    BranchInfo,
    CorrectiveAction,
    render_audit_report,
)
from audit_app.reports.layout import FONT, font_covers
from audit_app.services.audits import list_scores, load_audit, score_rows
from audit_app.services.context import AppContext
from audit_app.services.reports import audit_report, audit_report_data
from tests.reports.conftest import column_text, flat, pdf_text
from tests.reports.words import catalogue_words, number, scoring_rules, t, unit_label

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = datetime(2027, 1, 2, 17, 45, tzinfo=UTC)
BRANCHES = {
    "tr": "Verd Natural Kadıköy",
    "ro": "Verd Natural Brașov",
    "ca": "Verd Natural Barcelona Gràcia",
}


def audit_of(ctx: AppContext, branch_name: str, *, critical: bool | None = None) -> int:
    """The first audit of a branch with a failed item (and a critical failure if asked)."""
    frame = list_scores(ctx)
    frame = frame[frame["branch_name"] == branch_name]
    if critical is not None:
        frame = frame[frame["critical_failure"] == critical]
    for audit_id in frame["audit_id"]:
        data = audit_report_data(ctx, int(audit_id))
        if any(s is not None and s < 1 for s in data.card.item_scores.values()):
            return int(audit_id)
    raise AssertionError(f"no audit with a failed item at {branch_name}")


@pytest.mark.parametrize("language", ["tr", "ro", "ca"])
def test_report_shows_branch_scores_and_every_failed_item(
    demo_ctx: AppContext, language: str
) -> None:
    audit_id = audit_of(demo_ctx, BRANCHES[language])
    data = audit_report_data(demo_ctx, audit_id)
    content = audit_report(demo_ctx, audit_id, generated_at=WHEN)
    text = pdf_text(content)

    assert data.visit.language == language
    assert data.branch.code in text
    assert BRANCHES[language] in text  # letter for letter
    listed = next(r for r in score_rows(demo_ctx) if r["audit_id"] == audit_id)
    assert f"{t('Overall score', language)}: {number(listed['overall'], language)}" in flat(text)
    # the stored score is the one scoring the stored answers again gives
    card = score_audit(data.checklist, list(data.answers.values()))
    assert display(card.overall) == listed["overall"]
    titles = {
        s.id: localized(s.title, language, data.checklist.language) for s in data.checklist.sections
    }
    for section in card.sections:
        if section.score is not None:
            assert (
                f"{titles[section.section_id]} {number(display(section.score), language)}" in text
            )
    questions = column_text(content, 0, 68)
    failed = [i for i, s in card.item_scores.items() if s is not None and s < 1]
    assert failed
    for item_id in failed:
        item = data.checklist.items_by_id[item_id]
        assert item.text[language] != item.text["en"]  # the checklist's own translation
        assert flat(item.text[language]) in questions  # letter for letter
    assert text.count("✗") >= len(failed)
    assert scoring_rules(data.checklist, language)[:40] in flat(text)


def test_critical_failure_is_called_out_at_the_top(demo_ctx: AppContext) -> None:
    audit_id = audit_of(demo_ctx, BRANCHES["ro"], critical=True)
    text = pdf_text(audit_report(demo_ctx, audit_id, generated_at=WHEN))
    callout = text.index(t("Critical failure", "ro").upper())
    assert callout < text.index(t("Items", "ro"))
    assert callout < text.index(t("Sections", "ro"))


def test_helvetica_cannot_draw_the_letters_the_shipped_font_can(demo_ctx: AppContext) -> None:
    letters = "ş ș ț ğ ı İ ă"
    assert not font_covers(letters, "Helvetica")
    assert font_covers(letters, FONT)
    audit_id = audit_of(demo_ctx, BRANCHES["tr"])
    data = audit_report_data(demo_ctx, audit_id)
    name = "Şişli İğdır ăîâ ș ț ç à è ò"
    renamed = dataclasses.replace(data, branch=BranchInfo("TR-X-01", name, "İstanbul", "TR"))
    text = pdf_text(render_audit_report(renamed, "tr", WHEN))
    assert name in text
    assert "İstanbul, TR" in text


def test_same_data_gives_the_same_text_apart_from_the_time(demo_ctx: AppContext) -> None:
    audit_id = audit_of(demo_ctx, BRANCHES["ca"])
    first = pdf_text(audit_report(demo_ctx, audit_id, generated_at=WHEN)).splitlines()
    again = pdf_text(audit_report(demo_ctx, audit_id, generated_at=WHEN)).splitlines()
    later = pdf_text(audit_report(demo_ctx, audit_id, generated_at=LATER)).splitlines()
    assert first == again
    differing = [(a, b) for a, b in zip(first, later, strict=True) if a != b]
    assert differing
    assert all("09:00" in a and "17:45" in b for a, b in differing)


def test_language_can_be_chosen_and_defaults_to_the_audits(demo_ctx: AppContext) -> None:
    audit_id = audit_of(demo_ctx, BRANCHES["tr"])
    assert t("Audit report", "tr") in pdf_text(audit_report(demo_ctx, audit_id, generated_at=WHEN))
    english = pdf_text(audit_report(demo_ctx, audit_id, "en", generated_at=WHEN))
    assert "Audit report" in english and "Scoring rules" in english
    data = audit_report_data(demo_ctx, audit_id)
    assert flat(scoring_rules(data.checklist, "en")) in flat(english)


def test_corrective_actions_print_only_when_there_are_some(demo_ctx: AppContext) -> None:
    audit_id = audit_of(demo_ctx, BRANCHES["ca"])
    data = audit_report_data(demo_ctx, audit_id)
    assert "Corrective actions" not in pdf_text(render_audit_report(data, "en", WHEN))
    failed = next(i for i, s in data.card.item_scores.items() if s is not None and s < 1)
    action = CorrectiveAction(
        "Retrain the counter staff", failed, "Marta", date(2026, 12, 15), "open"
    )
    text = pdf_text(render_audit_report(dataclasses.replace(data, actions=(action,)), "en", WHEN))
    assert "Corrective actions" in text and "Retrain the counter staff" in text


def test_stored_answers_read_back_match_the_report_language(demo_ctx: AppContext) -> None:
    audit_id = audit_of(demo_ctx, BRANCHES["ro"])
    stored = load_audit(demo_ctx, audit_id)
    text = pdf_text(audit_report(demo_ctx, audit_id, generated_at=WHEN))
    if any(a.value is True for a in stored.record.answers):
        assert " Da " in f" {flat(text)} "
    assert "Pagina 1 din" in text


def test_every_label_exists_in_every_language_and_romanian_uses_the_comma_below() -> None:
    words = catalogue_words()
    assert len(words) > 150
    for language in ("ca", "ro", "tr"):
        missing = [w for w in words if not w.translations[language]]
        assert not missing, (language, missing[:5])
    for word in words:
        text = " ".join(word.translations["ro"])
        assert "ş" not in text and "ţ" not in text, word.id  # cedilla: Turkish letters
    assert t("Yes", "xx") == "Yes"
    assert t("Page {page} of {pages}", "ca", page=2, pages=5) == "Pàgina 2 de 5"


@pytest.mark.parametrize("language", LANGUAGES)
def test_scoring_rules_carry_the_checklists_numbers(demo_ctx: AppContext, language: str) -> None:
    checklist = demo_ctx.catalogue.get("greeting_phone")  # cap 59, pass mark 75
    paragraph = scoring_rules(checklist, language)
    assert checklist.title_in(language) in paragraph  # the checklist's name, not its id
    assert "greeting_phone" not in paragraph
    assert "59" in paragraph and "75" in paragraph
    if language == "en":  # the domain's statement, with the title where it has the id
        english = scoring_method(checklist).replace(
            "checklist greeting_phone version 1",
            f"the checklist “{checklist.title_in('en')}”, version 1",
        )
        assert paragraph == english


def test_measured_answers_carry_their_unit_in_the_report_language() -> None:
    assert unit_label("rings", "tr") == "çalma"
    assert unit_label("hours", "ro") == "ore"
    assert unit_label("hours", "en") == "hours"
    assert unit_label("furlongs", "ca") == "furlongs"
