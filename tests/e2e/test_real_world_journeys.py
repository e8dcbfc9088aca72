"""Files from outside, in Debian's Chromium against the real ``audit-app serve``: head office
imports an agency's wave that names no auditor (the Import page drafts a mapping profile,
asks for the auditor, checks and imports), finds an imported visit by its review number on
the Audit page, and adds a checklist kept in a spreadsheet on the Checklists page (every bad
cell named first, then a preview and Save). With ``AUDIT_UPDATE_SCREENSHOTS=1`` the pictures
``docs/screenshot-import-draft.png`` and ``docs/screenshot-checklist-upload.png`` are renewed.

These journeys write (audits, a mapping profile, a checklist YAML), so the module serves its
own copy of the demo data and of the checklists folder: the shared ``served_app`` and the
repository's ``checklists/`` are left as they were.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from audit_app.config import load_settings
from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import list_scores, load_audit
from audit_app.services.context import open_context
from tests.e2e.conftest import _console_script, _server_env, _serving, log_in
from tests.e2e.test_journeys import SLOW_MS, UPDATE, _idle, _screenshot
from tests.intake import checklist_files
from tests.intake.reviews import QUESTIONS

REPO = Path(__file__).resolve().parents[2]
AGENCY = "Agency X"


@dataclass(frozen=True)
class JourneyApp:
    base_url: str
    data_dir: Path
    checklists_dir: Path


@pytest.fixture(scope="module")
def journey_app(
    demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JourneyApp]:
    """The demo data and the checklists copied into a folder of this module, served."""
    root = tmp_path_factory.mktemp("real-world")
    data_dir = root / "data"
    shutil.copytree(demo_data_dir, data_dir)
    checklists_dir = root / "checklists"
    shutil.copytree(REPO / "checklists", checklists_dir)
    with _serving(data_dir, AUDIT_CHECKLISTS_DIR=str(checklists_dir)) as base_url:
        yield JourneyApp(base_url, data_dir, checklists_dir)


@dataclass(frozen=True)
class AgencyVisit:
    reference: str
    branch_code: str
    day: str
    answers: dict[str, Any]
    """Item id -> the cell as written."""


def _answers(seconds: int, good: bool, scale: int) -> dict[str, Any]:
    yes, no = ("Yes", "No") if good else ("No", "Yes")
    return {
        "welcome.seconds_to_greet": seconds,
        "welcome.acknowledged": yes,
        "welcome.eye_contact": "Yes",
        "welcome.offered_help": no,
        "conduct.brand_attitude": scale,
        "conduct.not_at_fault": "Yes",
        "conduct.unsure": "No",
        "close.thanks": yes,
    }


def write_agency_wave(path: Path, visits: list[AgencyVisit]) -> Path:
    """An agency's export: a title row, then the header (review number, store, date, the
    questions in the agency's order); no auditor column, the agency did every visit."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Visits"
    sheet.append(["Mystery shopping - wave 3 - in-store greeting"])
    sheet.append(["Review Number", "Store code", "Visit date", *QUESTIONS.values()])
    for visit in visits:
        cells = [visit.answers[item] for item in QUESTIONS]
        sheet.append([visit.reference, visit.branch_code, visit.day, *cells])
    book.save(path)
    return path


WAVE = [
    AgencyVisit("RV-300101", "ES-CAT-01", "2026-05-04", _answers(12, True, 4)),
    AgencyVisit("RV-300102", "ES-CAT-01", "2026-05-04", _answers(40, False, 2)),
    AgencyVisit("RV-300117", "ES-CAT-02", "2026-05-05", _answers(8, True, 5)),
]
"""A store visited twice on one day (two review numbers) and another store."""


def _stored(app: JourneyApp, reference: str) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    """The submitted audits whose visit reference holds ``reference``, read from the database
    the server writes: (reference, branch, day, auditor, answers)."""
    settings = load_settings(data_dir=app.data_dir, checklists_dir=app.checklists_dir)
    ctx = open_context(settings)
    try:
        frame = list_scores(ctx, AuditFilter(reference=reference))
        out = []
        for audit_id in sorted(int(i) for i in frame["audit_id"]):
            record = load_audit(ctx, audit_id).record
            visit = record.visit
            answers = {a.item_id: a.value for a in record.answers}
            out.append(
                (
                    visit.reference or "",
                    visit.branch_code,
                    f"{visit.visited_at:%Y-%m-%d}",
                    visit.auditor,
                    answers,
                )
            )
        return out
    finally:
        ctx.engine.dispose()


def _as_stored(visit: AgencyVisit) -> dict[str, Any]:
    """The answers a correct import stores for the cells written: Yes and No as booleans,
    the seconds as a float, the rating as written."""
    out: dict[str, Any] = {}
    for item, cell in visit.answers.items():
        if isinstance(cell, str):
            out[item] = cell == "Yes"
        elif item == "welcome.seconds_to_greet":
            out[item] = float(cell)
        else:
            out[item] = cell
    return out


@pytest.mark.browser
def test_head_office_imports_an_agency_wave_that_names_no_auditor(
    journey_app: JourneyApp,
    browser_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    wave = write_agency_wave(tmp_path / "Agency X wave 3.xlsx", WAVE)
    log_in(page, journey_app.base_url, "hq", path="import")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Import")).to_be_visible(timeout=SLOW_MS)

    # Our own template is the default layout: the file is not one, so the page offers the
    # mapping wizard for it, opened, with the checklist the file answers already guessed.
    page.locator('input[type="file"]').set_input_files(str(wave))
    _idle(page)
    wizard = main.get_by_test_id("stExpander").filter(
        has_text="Read this file with a mapping profile"
    )
    expect(wizard).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_role("combobox", name="Checklist the file answers")).to_have_value(
        "Greeting: in person", timeout=SLOW_MS
    )
    editor = wizard.get_by_test_id("stDataFrame")
    expect(editor).to_be_visible(timeout=SLOW_MS)
    expect(wizard).to_contain_text(
        "The files do not say: auditor. Save the profile, and a field above the upload asks"
    )
    if UPDATE:
        wizard.scroll_into_view_if_needed()
        _screenshot(page, "screenshot-import-draft.png", tmp_path)

    name = wizard.get_by_role("textbox", name="Profile name")
    name.fill("agency-x-greeting")
    name.press("Enter")
    _idle(page)
    wizard.get_by_role("button", name="Save the profile and check the files with it").click()
    _idle(page)

    # The profile is now the layout; the file holds no auditor, so the page asks for one.
    layout = page.get_by_role("combobox", name="Layout of the files")
    expect(layout).to_have_value(re.compile("Mapping profile: agency-x-greeting"), timeout=SLOW_MS)
    expect(main).to_contain_text("Fill in the values above: the files do not hold them.")
    auditor = main.get_by_role("textbox", name="Auditor", exact=True)
    auditor.fill(AGENCY)
    auditor.press("Enter")
    _idle(page)

    commit = page.get_by_role("button", name="Import 1 file")
    expect(commit).to_be_enabled(timeout=SLOW_MS)
    expect(main).to_contain_text("would add 3 audits")
    check = main.get_by_test_id("stDataFrame").first
    for visit in WAVE:
        expect(check).to_contain_text(visit.reference)
    commit.click()
    expect(main).to_contain_text(
        "1 file: 3 audits added, 0 already present, 0 rejected, 0 already imported",
        timeout=SLOW_MS,
    )

    assert _stored(journey_app, "RV-3001") == [
        (v.reference, v.branch_code, v.day, AGENCY, _as_stored(v)) for v in WAVE
    ]


SEARCHED = [
    AgencyVisit("RV-410001", "ES-CAT-04", "2026-06-01", _answers(15, True, 4)),
    AgencyVisit("RV-410002", "ES-CAT-05", "2026-06-02", _answers(25, False, 3)),
]


@pytest.fixture(scope="module")
def imported_by_cli(journey_app: JourneyApp, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Two agency visits imported from the command line (a profile drafted by ``mapping
    suggest``, the agency given with ``--set``), so the Audit page has references to find
    whatever ran before."""
    folder = tmp_path_factory.mktemp("cli-import")
    wave = write_agency_wave(folder / "wave 4.xlsx", SEARCHED)
    profile = folder / "agency.yaml"
    audit_app = _console_script("audit-app")
    env = {
        **_server_env(journey_app.data_dir),
        "AUDIT_CHECKLISTS_DIR": str(journey_app.checklists_dir),
    }
    for args in (
        ["mapping", "suggest", str(wave), "--checklist", "greeting_in_person", "-o", str(profile)],
        ["import", str(wave), "--mapping", str(profile), "--set", "auditor=Agency Y"],
    ):
        done = subprocess.run(
            [audit_app, *args], env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.browser
def test_an_imported_visit_is_found_by_its_review_number(
    journey_app: JourneyApp,
    imported_by_cli: None,
    browser_page,  # type: ignore[no-untyped-def]
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, journey_app.base_url, "hq", path="audit")
    main = page.get_by_test_id("stMain")
    sidebar = page.get_by_test_id("stSidebar")  # the Audit page opens on the latest audit
    expect(main.get_by_role("heading", name=re.compile(r"Audit"))).to_be_visible(timeout=SLOW_MS)
    search = sidebar.get_by_role("textbox", name="Find by visit reference")
    search.fill("rv-41000")  # part of it, any case
    search.press("Enter")
    _idle(page)
    title = "Audits whose reference contains 'rv-41000' (2)"
    box = page.get_by_role("combobox", name=title)
    expect(box).to_be_visible(timeout=SLOW_MS)
    box.click()
    options = page.get_by_role("option")
    expect(options).to_have_count(2)
    texts = options.all_inner_texts()
    assert [t.split(" · ")[-1] for t in texts] == ["RV-410002", "RV-410001"]
    options.filter(has_text="RV-410001").click()
    _idle(page)
    expect(main.get_by_role("heading", name=re.compile(r"Audit #\d+"))).to_be_visible(
        timeout=SLOW_MS
    )
    expect(main).to_contain_text(re.compile(r"Reference\s*RV-410001"))
    expect(main).to_contain_text("Agency Y")
    expect(main).to_contain_text("ES-CAT-04")

    page.goto(f"{journey_app.base_url}/audit")
    search = sidebar.get_by_role("textbox", name="Find by visit reference")
    search.fill("RV-999")
    search.press("Enter")
    _idle(page)
    expect(sidebar).to_contain_text("No audit has a visit reference containing 'RV-999'.")


@pytest.mark.browser
def test_head_office_adds_a_checklist_from_a_spreadsheet(
    journey_app: JourneyApp,
    browser_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    bad = checklist_files.bad_cells_workbook(tmp_path / "store checklist.xlsx")
    good = checklist_files.programme_workbook(tmp_path / "programa.xlsx")
    log_in(page, journey_app.base_url, "hq", path="checklists")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Checklists")).to_be_visible(timeout=SLOW_MS)
    page.get_by_role("tab", name="From a spreadsheet").click()
    _idle(page)
    checklist_id = main.get_by_role("textbox", name="Checklist id")
    checklist_id.fill("mystery_es")
    checklist_id.press("Enter")
    _idle(page)

    main.locator('input[type="file"]').set_input_files(str(bad))
    _idle(page)
    refused = main.get_by_test_id("stAlert").filter(has_text="problems, nothing saved")
    expect(refused).to_be_visible(timeout=SLOW_MS)
    for cell_and_problem in (
        "Questions!C4: 'Smiley' is not a question type",
        "Questions!D5: 'Yes (1OO)' has no number in brackets",
        "Questions!E6: 'two' is not a number",
        "Questions!F7: 'maybe' is not yes or no",
        "Questions!G8: 'Q42' names no question of this sheet",
        "Questions!E9: this row has no question",
    ):
        expect(refused).to_contain_text(cell_and_problem)
    expect(refused).to_contain_text("store checklist.xlsx: 6 problems, nothing saved")
    expect(main.get_by_role("button", name=re.compile("^Save "))).to_have_count(0)

    main.locator('input[type="file"]').set_input_files(str(good))
    _idle(page)
    expect(main).to_contain_text(
        re.compile(
            r"programa\.xlsx: sheet Cliente misterioso, header in row 4; 6 questions in 2 "
            r"sections; languages .*es.*ca"
        ),
        timeout=SLOW_MS,
    )
    preview = main.get_by_test_id("stDataFrame")
    expect(preview).to_be_visible()
    save = main.get_by_role("button", name=re.compile(r"^Save .*, version 1$"))
    expect(save).to_be_visible()
    if UPDATE:
        _screenshot(page, "screenshot-checklist-upload.png", tmp_path)
    save.click()
    expect(main).to_contain_text(
        re.compile(r"Saved .*, version 1 \(6 questions\) as mystery_es\.v1\.yaml"),
        timeout=SLOW_MS,
    )
    saved = journey_app.checklists_dir / "mystery_es.v1.yaml"
    assert saved.is_file()
    assert not (REPO / "checklists" / "mystery_es.v1.yaml").exists()
    # The catalogue is read again: the new checklist is in the picker at the top. The page
    # may still be rerunning after the save (seen once in CI: a picker opened mid-rerun
    # kept its old options), so it is opened once the page is idle, and again if need be.
    _idle(page)
    new_option = page.get_by_role("option", name=re.compile(r"Cliente misterioso"))
    for attempt in range(3):
        page.get_by_role("combobox", name="Checklist").click()
        try:
            expect(new_option).to_have_count(1, timeout=SLOW_MS // 3)
            break
        except AssertionError:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            _idle(page)
    page.keyboard.press("Escape")
