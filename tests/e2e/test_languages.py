"""The app in its users' languages, in Debian's Chromium against the real ``audit-app serve``:
three area managers who never chose a language (Barcelona, București, İstanbul Avrupa) read
every page in their area's language, and axe-core finds no serious or critical accessibility
violation on any page, in any of the four languages."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from audit_app.i18n import _, use_language
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import LOCAL_MANAGERS, LOCAL_PASSWORD, log_in, wait_idle

SLOW_MS = 60_000
UPDATE = os.environ.get("AUDIT_UPDATE_SCREENSHOTS") == "1"
DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = {  # address -> the page's title (English, as the catalogue knows it)
    "overview": "Overview",
    "new-visit": "New visit",
    "import": "Import",
    "actions": "Actions",
    "compare": "Compare",
    "plans": "Plans",
    "coverage": "Coverage",
    "branch": "Branch",
    "audit": "Audit",
    "checklists": "Checklists",
}


def said(language: str, message: str) -> str:
    with use_language(language):
        return _(message)


def idle(page: Any) -> None:
    wait_idle(page, SLOW_MS)


def log_in_local(page: Any, base_url: str, username: str, path: str = "") -> str:
    """Log in through the real (English, the browser's) form; returns the area's language."""
    from playwright.sync_api import expect

    language = LOCAL_MANAGERS[username][1]
    page.goto(base_url + "/" + path)
    expect(page.get_by_label("User name")).to_be_attached(timeout=SLOW_MS)
    dialog = page.get_by_role("dialog")  # a deep link's first view may announce a dialog
    if dialog.count():
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=said(language, "Log out"))).to_be_visible(
        timeout=SLOW_MS
    )
    return language


def _page_violations(page: Any, base_url: str, address: str, title: str) -> list[Any]:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/{address}")
    expect(page).to_have_title(re.compile(re.escape(title)), timeout=SLOW_MS)  # the tab's name
    expect(page.get_by_test_id("stMain").get_by_role("heading").first).to_be_visible(
        timeout=SLOW_MS
    )
    idle(page)
    return [{"page": address, **v} for v in serious_violations(page)]


@pytest.mark.browser
@pytest.mark.parametrize("username", list(LOCAL_MANAGERS))
def test_every_page_speaks_the_areas_language_and_passes_axe(
    served_app: str,
    browser_page: Any,
    username: str,
) -> None:
    page = browser_page
    language = log_in_local(page, served_app, username)
    found: list[Any] = []
    for address, title in PAGES.items():
        found += _page_violations(page, served_app, address, said(language, title))
    nav = page.get_by_test_id("stSidebarNav")
    assert said(language, "Compare") in nav.inner_text()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)[:8000]


@pytest.mark.browser
def test_head_office_in_english_passes_axe_on_every_page_and_the_log_in(
    served_app: str,
    browser_page: Any,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(served_app + "/")
    expect(page.get_by_label("User name")).to_be_attached(timeout=SLOW_MS)
    idle(page)
    found = [{"page": "log in", **v} for v in serious_violations(page)]
    log_in(page, served_app, "hq")
    for address, title in {**PAGES, "admin": "Admin"}.items():
        found += _page_violations(page, served_app, address, title)
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)[:8000]


def _choose(page: Any, label: str, option: str | re.Pattern[str]) -> None:
    """Pick the option (its exact text, or the first matching a pattern) of a selectbox."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    if isinstance(option, str):
        page.get_by_role("option", name=option, exact=True).click()
    else:
        page.get_by_role("option", name=option).first.click()
    idle(page)


def _pattern(language: str, message: str) -> re.Pattern[str]:
    """A translated sentence with its {placeholders} matching anything."""
    parts = re.split(r"\{[^{}]*\}", said(language, message))
    return re.compile(".+".join(re.escape(part) for part in parts))


def _screenshot(page: Any, name: str, tmp_path: Path) -> None:
    """A README picture (renewed in docs/ with AUDIT_UPDATE_SCREENSHOTS=1)."""
    target = DOCS / name if UPDATE else tmp_path / name
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path=str(target), animations="disabled", full_page=False)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _social_greeting() -> Any:
    from audit_app.checklists import Catalogue

    folder = Path(__file__).resolve().parents[2] / "checklists"
    return Catalogue.from_folder(folder).get("greeting_social")


def _pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    assert data[:5] == b"%PDF-"
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.browser
@pytest.mark.parametrize("username", list(LOCAL_MANAGERS))
def test_an_area_manager_enters_a_visit_in_her_language(
    served_app: str, browser_page: Any, username: str, tmp_path: Path
) -> None:
    """Ana, Ioana and Elif fill in a social-media greeting visit: the form, its questions,
    Sí/Da/Evet, the score card and the PDF are in their area's language."""
    from playwright.sync_api import expect

    page = browser_page
    language = log_in_local(page, served_app, username, "new-visit")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=said(language, "New visit"))).to_be_visible(
        timeout=SLOW_MS
    )
    checklist = _social_greeting()
    _choose(page, said(language, "Branch"), re.compile("."))
    _choose(page, said(language, "Checklist"), re.compile(re.escape(checklist.title_in(language))))
    for section in checklist.sections:
        for item in section.items:
            question = item.text[language]
            if item.type == "yes_no":
                group = page.get_by_role("radiogroup", name=question)
                group.get_by_text(said(language, "Yes"), exact=True).click()
            else:
                field = page.get_by_label(question, exact=True)
                field.fill("2")
                field.press("Enter")
            idle(page)
    if language == "tr":
        main.get_by_role("heading", name=said(language, "New visit")).scroll_into_view_if_needed()
        _screenshot(page, "screenshot-new-visit-tr.png", tmp_path)
    page.get_by_role("button", name=said(language, "Submit")).click()
    expect(
        main.get_by_text(_pattern(language, "Audit #{id} for {branch} submitted."))
    ).to_be_visible(timeout=SLOW_MS)
    with page.expect_download(timeout=SLOW_MS) as download:
        main.get_by_role("button", name=said(language, "Download PDF report")).click()
    text = _pdf_text(Path(download.value.path()).read_bytes())
    assert said(language, "Audit report") in text
    assert checklist.title_in(language) in text


@pytest.mark.browser
@pytest.mark.parametrize("username", list(LOCAL_MANAGERS))
def test_an_area_manager_imports_a_template_in_her_language(
    served_app: str, browser_page: Any, username: str, tmp_path: Path
) -> None:
    """The blank template comes in the area's language; filled in with its own Yes/No words
    it imports, and the page says so in that language."""
    import io

    import openpyxl
    from playwright.sync_api import expect

    from audit_app.intake.templates import YES_NO_WORDS

    page = browser_page
    language = log_in_local(page, served_app, username, "import")
    main = page.get_by_test_id("stMain")
    page.get_by_role("tab", name=said(language, "Blank template")).click()
    idle(page)
    title = _social_greeting().title_in(language)
    _choose(page, said(language, "Checklist"), re.compile(re.escape(title)))
    with page.expect_download(timeout=SLOW_MS) as download:
        main.get_by_role(
            "button", name=_pattern(language, "Download the template ({questions}, {branches})")
        ).click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = workbook["Audit"]
    meta = {row[0]: row[1] for row in workbook["_meta"].iter_rows(values_only=True) if row[0]}
    assert meta.get("language") == language
    branch = LOCAL_MANAGERS[username][0]
    codes = {"Barcelona": "ES-CAT-02", "București": "RO-BUC-02", "İstanbul Avrupa": "TR-IST-05"}
    sheet["B4"], sheet["B5"], sheet["B6"], sheet["B7"] = codes[branch], "2026-11-20", "09:30", "QA"
    yes = YES_NO_WORDS[language][0]
    filled_any = False
    for row in range(1, sheet.max_row + 1):
        validation = [dv for dv in sheet.data_validations.dataValidation if f"E{row}" in dv.sqref]
        if sheet.cell(row, 2).value and validation:
            formula = validation[0].formula1 or ""
            sheet.cell(row, 5).value = yes if yes in formula else 3
            filled_any = True
    assert filled_any
    filled = Path(tmp_path) / f"visit-{language}.xlsx"
    workbook.save(filled)
    page.get_by_role("tab", name=said(language, "Import files")).click()
    page.locator('input[type="file"]').set_input_files(str(filled))
    commit = page.get_by_role("button", name=_pattern(language, "Import {n} file"))
    expect(commit).to_be_visible(timeout=SLOW_MS)
    commit.click()
    line = (
        "{files}: {added} added, {present} already present, {rejected} rejected, "
        "{duplicates} already imported; {skipped} skipped."
    )
    success = main.get_by_test_id("stAlertContentSuccess")
    expect(success).to_contain_text(_pattern(language, line), timeout=SLOW_MS)


@pytest.mark.browser
@pytest.mark.parametrize("username", list(LOCAL_MANAGERS))
def test_an_area_manager_compares_her_branches_in_her_language(
    served_app: str, browser_page: Any, username: str, tmp_path: Path
) -> None:
    """Compare in the area's language: its tabs, its scope line, decimal commas, and the
    comparison PDF in the same language naming her area."""
    from playwright.sync_api import expect

    page = browser_page
    language = log_in_local(page, served_app, username, "compare")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name=said(language, "Compare"), exact=True)).to_be_visible(
        timeout=SLOW_MS
    )
    idle(page)
    for tab in ("League table", "Heatmap", "Consistency"):
        expect(page.get_by_role("tab", name=said(language, tab))).to_be_visible()
    area = LOCAL_MANAGERS[username][0]
    expect(main).to_contain_text(area)
    assert re.search(r"\d,\d", main.inner_text()), "figures with the language's decimal comma"
    if language == "ca":
        charts = main.get_by_test_id("stVegaLiteChart")
        expect(charts.first.locator("svg.marks").first).to_be_attached(timeout=SLOW_MS)
        _screenshot(page, "screenshot-compare-ca.png", tmp_path)
    main.get_by_role("button", name=said(language, "Prepare PDF report")).click()
    download_button = main.get_by_role("button", name=said(language, "Download PDF report"))
    expect(download_button).to_be_visible(timeout=SLOW_MS)
    with page.expect_download(timeout=SLOW_MS) as download:
        download_button.click()
    text = _pdf_text(Path(download.value.path()).read_bytes())
    assert said(language, "Comparison of branches") in text
    assert said(language, "Consistency index") in text
    assert area in text
