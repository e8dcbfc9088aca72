"""The journeys the issue names, in Debian's Chromium against the real ``audit-app serve``:
an area manager enters and submits a mystery-shop visit, downloads its PDF and finds it on
Compare; imports a filled template; head office downloads the comparison report. With
``AUDIT_UPDATE_SCREENSHOTS=1`` the New visit and Compare pictures in ``docs/`` are renewed.
"""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pypdf import PdfReader

from tests.e2e.conftest import log_in, wait_idle

REPO = Path(__file__).resolve().parents[2]
SLOW_MS = 60_000
UPDATE = os.environ.get("AUDIT_UPDATE_SCREENSHOTS") == "1"

PHONE = {  # question (English) -> answer, for the telephone greeting checklist
    "Greeting gives own name, company name and offers help": "Yes",
    "Employee speaks clearly": "Yes",
    "Tone is friendly": "4",
    "Employee checks every question was answered": "Yes",
    "Employee asks whether anything else is needed": "No",
    "Voicemail greeting is current": "Yes",
}


def _idle(page: Any) -> None:
    wait_idle(page, SLOW_MS)


def _choose(page, label: str, option: str) -> None:  # type: ignore[no-untyped-def]
    """Pick ``option`` in the st.selectbox labelled ``label``."""
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)
    _idle(page)


def _screenshot(page, name: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = REPO / "docs" / name if UPDATE else tmp_path / name
    page.evaluate("() => document.fonts.ready")
    page.screenshot(path=str(target), animations="disabled", full_page=False)
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _download(page, button_name: str) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download(timeout=SLOW_MS) as download_info:
        page.get_by_role("button", name=button_name).click()
    return Path(download_info.value.path()).read_bytes()


def _compare_audits(page, base_url: str, code: str) -> int:  # type: ignore[no-untyped-def]
    """The branch's audit count on Compare (telephone greeting), read from its CSV download."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/compare")
    expect(
        page.get_by_test_id("stMain").get_by_role("heading", name="Compare", exact=True)
    ).to_be_visible(timeout=SLOW_MS)
    _choose(page, "Checklist", "Greeting: telephone")
    rows = list(csv.DictReader(io.StringIO(_download(page, "Download CSV").decode("utf-8-sig"))))
    assert rows and {row["branch_code"] for row in rows} <= {f"ES-CAT-0{n}" for n in range(1, 7)}
    return next((int(row["audits"]) for row in rows if row["branch_code"] == code), 0)


@pytest.mark.browser
def test_an_area_manager_submits_a_visit_and_finds_it_on_compare(
    served_app: str,
    browser_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    code = "ES-CAT-03"
    log_in(page, served_app, "marta", path="compare")
    before = _compare_audits(page, served_app, code)

    page.goto(f"{served_app}/new-visit")  # the signed cookie keeps marta logged in
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="New visit")).to_be_visible(timeout=SLOW_MS)
    _choose(
        page,
        "Branch",
        next(option for option in _options(page, "Branch") if option.startswith(code)),
    )
    _choose(page, "Checklist", "Greeting: telephone")
    _choose(page, "Language", "English")
    visit_date = page.get_by_test_id("stDateInput").filter(has_text="Visit date").locator("input")
    visit_date.fill("2026-11-21")
    visit_date.press("Enter")
    _idle(page)

    for question, answer in PHONE.items():
        group = page.get_by_role("radiogroup", name=question)
        group.get_by_text(answer, exact=True).click()
        _idle(page)
    page.get_by_role("radiogroup", name="Putting the caller on hold").get_by_role(
        "radio"
    ).first.check(force=True)
    _idle(page)
    for question, value in (
        ("Rings before the call is answered", "2"),
        ("Hours until a voicemail message is returned", "3"),
    ):
        field = page.get_by_label(question, exact=True)
        field.fill(value)
        field.press("Enter")
        _idle(page)
    if UPDATE:
        page.get_by_role("heading", name="New visit").scroll_into_view_if_needed()
        _screenshot(page, "screenshot-new-visit.png", tmp_path)

    page.get_by_role("button", name="Submit").click()
    submitted = main.get_by_text(re.compile(r"Audit #\d+ for .* submitted\."))
    expect(submitted).to_be_visible(timeout=SLOW_MS)
    audit_id = int(re.search(r"#(\d+)", submitted.inner_text()).group(1))  # type: ignore[union-attr]
    expect(main.get_by_test_id("stMetric").first).to_be_visible()

    pdf = _download(page, "Download PDF report")
    assert pdf[:5] == b"%PDF-"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert code in text

    page.goto(f"{served_app}/audit?id={audit_id}")
    expect(page.get_by_test_id("stMain")).to_contain_text(code, timeout=SLOW_MS)
    assert _compare_audits(page, served_app, code) == before + 1


def _options(page, label: str) -> list[str]:  # type: ignore[no-untyped-def]
    box = page.get_by_role("combobox", name=label, exact=True)
    box.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


@pytest.mark.browser
def test_an_area_manager_imports_a_filled_template(
    served_app: str,
    browser_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, served_app, "marta", path="import")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Import")).to_be_visible(timeout=SLOW_MS)

    page.get_by_role("tab", name="Blank template").click()
    _choose(page, "Checklist", "Greeting: telephone, version 1")
    _choose(page, "Language of the template", "English")
    with page.expect_download(timeout=SLOW_MS) as download_info:
        page.get_by_role("button", name=re.compile("Download the template")).click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    sheet = workbook["Audit"]
    sheet["B4"], sheet["B5"], sheet["B6"], sheet["B7"] = "ES-CAT-02", "2026-11-20", "09:30", "Marta"
    answers = {
        "answer.rings": 2,
        "answer.greeting": "Yes",
        "call.clear_speech": "Yes",
        "call.tone": 5,
        "call.hold": "Asked before putting on hold",
        "call.all_answered": "Yes",
        "call.anything_else": "Yes",
        "voicemail.greeting_current": "N/A",
        "voicemail.return_hours": 4,
    }
    for row in range(1, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in answers:
            sheet.cell(row, 5).value = answers[item_id]
    filled = tmp_path / "visit-es-cat-02.xlsx"
    workbook.save(filled)

    page.get_by_role("tab", name="Import files").click()
    page.locator('input[type="file"]').set_input_files(str(filled))
    commit = page.get_by_role("button", name="Import 1 file")
    expect(commit).to_be_visible(timeout=SLOW_MS)
    expect(main).to_contain_text("ES-CAT-02")
    commit.click()
    expect(main).to_contain_text(re.compile(r"1 audit(s)? added|added 1"), timeout=SLOW_MS)


@pytest.mark.browser
def test_head_office_downloads_the_comparison_report(
    served_app: str,
    browser_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, served_app, "hq", path="compare")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Compare", exact=True)).to_be_visible(timeout=SLOW_MS)
    if UPDATE:
        charts = main.get_by_test_id("stVegaLiteChart")
        marks = "svg.marks g.mark-rule line, svg.marks g.mark-symbol path, svg.marks path"
        expect(charts.first.locator(marks).first).to_be_attached(timeout=SLOW_MS)
        page.set_viewport_size({"width": 1400, "height": 1000})
        _idle(page)
        _screenshot(page, "screenshot-compare.png", tmp_path)
    page.get_by_role("button", name="Prepare PDF report").click()
    download = main.get_by_role("button", name="Download PDF report")
    expect(download).to_be_visible(timeout=SLOW_MS)
    pdf = _download(page, "Download PDF report")
    assert pdf[:5] == b"%PDF-"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "TR-EGE-01" in text and "ES-CAT-01" in text  # every region, for head office


@pytest.mark.browser
def test_a_reload_keeps_the_log_in_until_log_out(served_app: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, served_app, "guest")
    page.reload()
    expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_test_id("stSidebar")).to_contain_text("Viewer")
    # A viewer's menu has no New visit, Import or Admin.
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Compare", exact=True)).to_be_visible()
    for hidden in ("New visit", "Import", "Admin"):
        expect(nav.get_by_text(hidden, exact=True)).to_have_count(0)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("User name")).to_be_visible(timeout=SLOW_MS)
    page.reload()
    expect(page.get_by_label("User name")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)


@pytest.mark.browser
def test_head_office_checks_an_agency_export_and_sees_every_row_accounted_for(
    served_app: str,
    demo_data_dir: Path,
    browser_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    """An agency's wave export (banner, status column, subtotals, the header repeated)
    through its saved profile: the check lists every row left out, with its reason and
    text, before anything is written. With AUDIT_UPDATE_SCREENSHOTS=1 the picture replaces
    docs/screenshot-import.png (README)."""
    import yaml
    from playwright.sync_api import expect

    from tests.intake import corpus

    codes = [f"ES-CAT-0{n}" for n in range(1, 7)]
    case = corpus.status_column(tmp_path, codes)[0]
    folder = demo_data_dir / "mappings"
    folder.mkdir(exist_ok=True)
    (folder / "wave3.yaml").write_text(yaml.safe_dump(case.profile), encoding="utf-8")

    page = browser_page
    log_in(page, served_app, "hq", path="import")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Import")).to_be_visible(timeout=SLOW_MS)
    _choose(page, "Layout of the files", "Mapping profile: wave3 (Greeting: in person)")
    page.locator('input[type="file"]').set_input_files(str(case.path))
    expect(main).to_contain_text("would add 4 audits, 8 rows skipped", timeout=SLOW_MS)
    expect(main).to_contain_text("12 read = 4 to import + 0 already present + 8 skipped")
    expect(main).to_contain_text("8 rows skipped: read, not visits")
    expect(page.get_by_role("button", name="Import 1 file")).to_be_enabled()
    table = main.get_by_test_id("stDataFrame").last
    expect(table).to_be_visible()
    main.get_by_role("heading", name="Check").evaluate("e => e.scrollIntoView({block: 'start'})")
    _idle(page)
    _screenshot(page, "screenshot-import.png", tmp_path)
