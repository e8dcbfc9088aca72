"""The three PDFs (audit, branch, comparison) in English, Catalan, Romanian and Turkish,
read back with pdfplumber: their words come from the catalogues, their numbers are written
as each language writes them, the comparison names sections and items (never their ids),
names its scope, and its sentence about the consistency index is computed from the index."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from audit_app.domain.audit import Channel
from audit_app.domain.filters import AuditFilter
from audit_app.domain.scoring import display
from audit_app.domain.users import Role, User
from audit_app.i18n import formats, use_language
from audit_app.reports import charts
from audit_app.reports.audit_report import render_audit_report
from audit_app.reports.branch_report import render_branch_report
from audit_app.reports.comparison_report import (
    ComparisonReportData,
    index_note,
    render_comparison_report,
    scope_line,
)
from audit_app.services.audits import list_scores
from audit_app.services.context import AppContext
from audit_app.services.report_compare import comparison_data
from audit_app.services.reports import audit_report_data, branch_report_data
from tests.reports.conftest import flat, pdf_text
from tests.reports.words import number, t

WHEN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LANGUAGES = ("en", "ca", "ro", "tr")
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))

AUDIT_TITLE = {
    "en": "Audit report",
    "ca": "Informe d'auditoria",
    "ro": "Raport de audit",
    "tr": "Denetim raporu",
}
BRANCH_TITLE = {
    "en": "Branch report",
    "ca": "Informe de la botiga",
    "ro": "Raportul sucursalei",
    "tr": "Şube raporu",
}
COMPARISON_TITLE = {
    "en": "Comparison of branches",
    "ca": "Comparació de botigues",
    "ro": "Comparația sucursalelor",
    "tr": "Şubelerin karşılaştırması",
}
LABELS = {  # a few more words each PDF prints, as a native reader expects them
    "en": ("Overall score", "Scoring rules", "Consistency index", "League table"),
    "ca": ("Puntuació global", "Regles de puntuació", "Índex de coherència", "Classificació"),
    "ro": ("Punctaj general", "Reguli de punctare", "Indice de consecvență", "Clasament"),
    "tr": ("Genel puan", "Puanlama kuralları", "Tutarlılık endeksi", "Sıralama tablosu"),
}
ITEM_ID = re.compile(r"\b[a-z][a-z_]*\.[a-z][a-z_]*\b")
"""An item id such as ``welcome.eye_contact`` (letters only: 85.0 is no id)."""
CODE = re.compile(r"\b\w+_\w+\b")
"""A stored code such as ``greeting_social`` or ``in_person``."""


@pytest.fixture(scope="module")
def audit_id(demo_ctx: AppContext) -> int:
    """An audit with a failed item and a score with a decimal to write."""
    frame = list_scores(demo_ctx)
    for row in frame.itertuples():
        data = audit_report_data(demo_ctx, int(row.audit_id))
        if data.overall is not None and any(
            s is not None and s < 1 for s in data.card.item_scores.values()
        ):
            return int(row.audit_id)
    raise AssertionError("no audit with a failed item")


@pytest.fixture(scope="module")
def chain_data(demo_ctx: AppContext) -> ComparisonReportData:
    data = comparison_data(demo_ctx, items=False)
    return replace(data, checklists=tuple(demo_ctx.catalogue))


@pytest.fixture(scope="module")
def area_data(demo_ctx: AppContext) -> ComparisonReportData:
    data = comparison_data(demo_ctx.as_user(MARTA), items=False)
    return replace(data, checklists=tuple(demo_ctx.catalogue))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_report_speaks_the_language_asked_for(
    demo_ctx: AppContext, audit_id: int, language: str
) -> None:
    data = audit_report_data(demo_ctx, audit_id)
    text = pdf_text(render_audit_report(data, language, WHEN))
    assert AUDIT_TITLE[language] in text
    overall, rules = LABELS[language][:2]
    assert f"{overall}: {number(display(data.overall), language)}" in flat(text)
    assert rules in text
    assert t("Score (0–100)", language) in text  # the chart's axis is named in the language
    if language != "en":
        assert "," in number(display(data.overall), language)  # 85,0 not 85.0
        assert "Audit report" not in text and "Scoring rules" not in text


def test_the_audit_report_names_the_channel_as_the_labels_do(
    demo_ctx: AppContext, audit_id: int
) -> None:
    data = audit_report_data(demo_ctx, audit_id)
    phone = replace(data, visit=replace(data.visit, channel=Channel.PHONE))
    for language in LANGUAGES:
        text = pdf_text(render_audit_report(phone, language, WHEN))
        assert t("Phone call", language) in text  # domain/labels.py's word, translated


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_branch_report_speaks_the_language_asked_for(
    demo_ctx: AppContext, language: str
) -> None:
    data = branch_report_data(demo_ctx, "TR-IST-01")
    text = pdf_text(render_branch_report(data, language, WHEN))
    assert BRANCH_TITLE[language] in text
    assert t("Repeated failures", language) in text
    assert t("Month", language) in text  # the trend's axis
    audit = next(a for a in data.audits if a.overall is not None)
    assert number(display(audit.overall), language) in text
    if language != "en":
        assert "Branch report" not in text and "Repeated failures" not in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_comparison_report_speaks_the_language_asked_for(
    chain_data: ComparisonReportData, language: str
) -> None:
    text = pdf_text(render_comparison_report(chain_data, WHEN, language))
    assert COMPARISON_TITLE[language] in text
    index, league = LABELS[language][2:]
    assert index in text and league in text
    assert number(display(chain_data.consistency_index), language) in text
    if language != "en":
        assert "," in number(display(chain_data.consistency_index), language)
        # the method's paragraphs and notices come from the comparison (domain/compare), in
        # the language it was computed in; everything the renderer words is translated
        before_method = text.rsplit(t("Method", language), 1)[0]
        for english in ("Comparison of branches", "League table", "Consistency index", "Page "):
            assert english not in before_method, english


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_comparison_report_prints_no_ids(
    chain_data: ComparisonReportData, language: str
) -> None:
    text = pdf_text(render_comparison_report(chain_data, WHEN, language))
    assert not ITEM_ID.findall(text), ITEM_ID.findall(text)[:5]
    assert not CODE.findall(text), CODE.findall(text)[:5]
    assert "greeting_social" not in text and "desk.signed" not in text


def test_sections_and_items_are_named_in_the_reports_language(
    demo_ctx: AppContext, chain_data: ComparisonReportData
) -> None:
    text = flat(pdf_text(render_comparison_report(chain_data, WHEN, "ca")))
    checklist_id, section_id = chain_data.least_consistent_sections[0].split("/")
    checklist = demo_ctx.catalogue.get(checklist_id)
    section = next(s for s in checklist.sections if s.id == section_id)
    title = section.title.get("ca") or section.title[checklist.language]
    assert title in text


def test_without_the_checklists_an_id_reads_as_words(chain_data: ComparisonReportData) -> None:
    bare = replace(chain_data, checklists=())
    text = pdf_text(render_comparison_report(bare, WHEN, "en"))
    assert not CODE.findall(text), CODE.findall(text)[:5]


@pytest.mark.parametrize(
    ("language", "scope"),
    [
        ("en", "Area Barcelona: 6 branches"),
        ("ca", "Àrea Barcelona: 6 botigues"),
        ("ro", "Zona Barcelona: 6 sucursale"),
        ("tr", "Barcelona bölgesi: 6 şube"),
    ],
)
def test_the_comparison_names_its_scope(
    area_data: ComparisonReportData, language: str, scope: str
) -> None:
    assert area_data.scope == "Area Barcelona: 6 branches"  # as the comparison states it
    assert scope in pdf_text(render_comparison_report(area_data, WHEN, language))


def test_the_chain_scope_is_counted(chain_data: ComparisonReportData) -> None:
    text = pdf_text(render_comparison_report(chain_data, WHEN, "ro"))
    assert re.search(r"Rețea: \d+ (de )?sucursale", text)


@pytest.mark.parametrize(("index", "spread"), [(92.0, "8.0"), (80.4, "19.6"), (97.25, "2.7")])
def test_the_index_sentence_is_computed_from_the_index(
    chain_data: ComparisonReportData, index: float, spread: str
) -> None:
    data = replace(chain_data, consistency_index=index)
    text = flat(pdf_text(render_comparison_report(data, WHEN, "en")))
    shown = number(display(index), "en")
    assert f"at {shown} the branches' true section scores typically sit about {spread}" in text
    catalan = flat(pdf_text(render_comparison_report(data, WHEN, "ca")))
    assert f"amb {number(display(index), 'ca')}," in catalan
    assert f"uns {spread.replace('.', ',')} punts" in catalan


def test_the_index_sentence_follows_the_real_index(chain_data: ComparisonReportData) -> None:
    text = flat(pdf_text(render_comparison_report(chain_data, WHEN, "en")))
    assert "at 92 the" not in text or display(chain_data.consistency_index) == 92
    assert index_note(chain_data.consistency_index) in text
    assert index_note(None) != index_note(chain_data.consistency_index)


def test_chart_colours_are_the_colour_blind_safe_palette() -> None:
    assert charts.score_colour(90, 75) == charts.PASS_FILL
    assert charts.score_colour(70, 75) == charts.NEAR_FILL
    assert charts.score_colour(40, 75) == charts.FAIL_FILL
    okabe_ito = {"#0072b2", "#e69f00", "#d55e00"}
    used = {
        c.hexval().lower().replace("0x", "#")
        for c in (charts.PASS_FILL, charts.NEAR_FILL, charts.FAIL_FILL)
    }
    assert used == okabe_ito


def test_the_selection_is_worded_in_the_language(
    demo_ctx: AppContext, chain_data: ComparisonReportData
) -> None:
    chosen = AuditFilter(
        checklist_id="greeting_phone", channel="phone", date_from=date(2026, 10, 1)
    )
    data = replace(chain_data, audit_filter=chosen)
    text = flat(pdf_text(render_comparison_report(data, WHEN, "ca")))
    title = demo_ctx.catalogue.get("greeting_phone").title_in("ca")
    assert f"Selecció: llista de control {title}" in text
    assert t("Phone call", "ca") in text
    with use_language("ca"):
        assert f"visites del {formats.date(date(2026, 10, 1))} al …" in text
    assert "greeting_phone" not in text


def test_a_scope_already_worded_by_the_comparison_prints_as_given() -> None:
    data = ComparisonReportData(
        selection="",
        audits=0,
        branches=6,
        min_audits=3,
        consistency_index=None,
        league=(),
        scope="Àrea Barcelona: 6 botigues",
        pool="area",
    )
    assert scope_line(data) == "Àrea Barcelona: 6 botigues"
    english = replace(data, scope="Area Barcelona: 6 branches")
    with use_language("tr"):
        assert scope_line(english) == "Barcelona bölgesi: 6 şube"
