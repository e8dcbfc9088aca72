"""Importing filled-in templates and CSV: exact round trips, every problem named at its cell,
each file whole or not at all, and the same file or visit never stored twice."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from audit_app.domain.audit import Answer
from audit_app.intake.templates import ITEMS_FIRST_ROW, write_template
from audit_app.services.audits import list_scores, load_audit
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.imports import import_files
from tests.helpers import PHONE_ANSWERS, database_snapshot

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def fill_template(
    ctx: AppContext,
    path: Path,
    answers: dict[str, Any],
    *,
    checklist: str = "greeting_phone",
    branch: str = "ES-CAT-01",
    day: Any = date(2026, 11, 21),
    moment: Any = time(10, 15),
    auditor: Any = "Test Auditor",
    comments: dict[str, str] | None = None,
) -> Path:
    """What an area manager does: open the template in a spreadsheet and type."""
    content = write_template(ctx.catalogue.get(checklist), [], language=None)
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook["Audit"]
    sheet["B4"], sheet["B5"], sheet["B6"], sheet["B7"] = branch, day, moment, auditor
    for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
        item_id = sheet.cell(row, 2).value
        if item_id in answers:
            sheet.cell(row, 5).value = answers[item_id]
        if comments and item_id in comments:
            sheet.cell(row, 6).value = comments[item_id]
    workbook.save(path)
    return path


def answers_cli_score(tmp_path: Path, checklist: str, answers: dict[str, Any]) -> dict[str, Any]:
    csv_path = tmp_path / "answers.csv"
    lines = ["item_id,value"] + [f"{k},{v}" for k, v in answers.items()]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "audit_app",
            "score",
            "--checklist",
            checklist,
            str(csv_path),
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    return json.loads(result.stdout)


def test_a_filled_template_round_trips_exactly(demo: AppContext, tmp_path: Path) -> None:
    path = fill_template(
        demo,
        tmp_path / "visit.xlsx",
        PHONE_ANSWERS,
        comments={"answer.rings": "Fourth ring; staff busy"},
    )
    [result] = import_files(demo, [path])
    assert result.status == "imported", [str(e) for e in result.problems]
    [audit] = result.audits
    stored = load_audit(demo, audit.audit_id)  # type: ignore[arg-type]
    assert stored.record.visit.visited_at == datetime(2026, 11, 21, 10, 15)
    assert stored.record.visit.auditor == "Test Auditor"
    assert stored.record.source_hash == result.import_key
    assert {a.item_id: a for a in stored.record.answers} == {
        "answer.rings": Answer("answer.rings", 4.0, False, "Fourth ring; staff busy"),
        "answer.greeting": Answer("answer.greeting", True),
        "call.clear_speech": Answer("call.clear_speech", False),
        "call.tone": Answer("call.tone", 4),
        "call.hold": Answer("call.hold", "asked_first"),
        "call.all_answered": Answer("call.all_answered", True),
        "call.anything_else": Answer("call.anything_else", False),
        "voicemail.greeting_current": Answer("voicemail.greeting_current", None, True),
        "voicemail.return_hours": Answer("voicemail.return_hours", 6.0),
    }
    expected = answers_cli_score(
        tmp_path,
        "greeting_phone",
        {**PHONE_ANSWERS, "call.hold": "asked_first", "voicemail.greeting_current": "na"},
    )
    assert stored.overall is not None
    assert round(stored.overall, 1) == expected["overall"] == audit.to_dict()["overall"]
    assert stored.grade == expected["grade"]
    assert stored.passed == expected["passed"]


def test_percentages_typed_in_a_template_read_as_percent(demo: AppContext, tmp_path: Path) -> None:
    answers = {
        "share.organic_fresh": 0.915,
        "share.organic_dry": "88%",
        "share.preservative_free": 1,
    }
    checklist = demo.catalogue.get("sourcing")
    for item in checklist.items:
        if item.scored and item.id not in answers:
            answers[item.id] = "Yes"
    path = fill_template(demo, tmp_path / "s.xlsx", answers, checklist="sourcing")
    [result] = import_files(demo, [path])
    assert result.status == "imported", [str(e) for e in result.problems]
    stored = {
        a.item_id: a.value for a in load_audit(demo, result.audits[0].audit_id).record.answers
    }  # type: ignore[arg-type]
    assert stored["share.organic_fresh"] == pytest.approx(91.5)
    assert stored["share.organic_dry"] == 88.0
    assert stored["share.preservative_free"] == 100.0


def test_every_problem_is_named_at_its_cell_and_nothing_is_written(
    demo: AppContext, tmp_path: Path
) -> None:
    bad = {**PHONE_ANSWERS, "call.anything_else": "Maybe", "call.tone": 7, "answer.greeting": "N/A"}
    del bad["call.all_answered"]
    path = fill_template(
        demo, tmp_path / "bad.xlsx", bad, branch="XX-00", day="tomorrow", auditor=None
    )
    before = database_snapshot(demo)
    [result] = import_files(demo, [path])
    assert result.status == "rejected"
    messages = {(e.sheet, e.cell): e.message for e in result.problems}
    assert messages[("Audit", "B4")] == "'XX-00' is not a known branch code"
    assert messages[("Audit", "B5")].startswith("'tomorrow' is not a date")
    assert messages[("Audit", "B7")] == "the auditor's name is missing"
    assert messages[("Audit", "E18")] == (
        "E18: 'Maybe' is not an answer to 'Employee asks whether anything else is needed' "
        "(allowed: Yes, No)"
    )
    assert "allowed: a whole number from 1 to 5" in messages[("Audit", "E15")]
    assert messages[("Audit", "E13")].startswith("E13: N/A is not allowed for")
    assert messages[("Audit", "E17")] == (
        "E17: required answer missing for 'Employee checks every question was answered'"
    )
    assert all(e.row == int(e.cell[1:]) for e in result.problems if e.cell)
    assert database_snapshot(demo) == before


def test_the_same_file_twice_is_a_duplicate_with_when_and_which(
    demo: AppContext, tmp_path: Path
) -> None:
    path = fill_template(demo, tmp_path / "v.xlsx", PHONE_ANSWERS)
    [first] = import_files(demo, [path])
    before = database_snapshot(demo)
    [second] = import_files(demo, [path])
    assert second.status == "already_imported"
    assert second.previous_import is not None
    assert second.previous_import["audit_ids"] == [first.audits[0].audit_id]
    assert second.previous_import["imported_at"]
    assert database_snapshot(demo) == before


def test_a_visit_already_stored_is_not_stored_again(demo: AppContext, tmp_path: Path) -> None:
    first = fill_template(demo, tmp_path / "a.xlsx", PHONE_ANSWERS, comments={"call.tone": "x"})
    other = fill_template(demo, tmp_path / "b.xlsx", PHONE_ANSWERS, comments={"call.tone": "y"})
    import_files(demo, [first])
    [again] = import_files(demo, [other])  # different bytes, same visit
    assert again.status == "imported"
    assert (again.added, again.already_present) == (0, 1)
    assert len(list_scores(demo)) == 1654


def test_dry_run_writes_nothing(demo: AppContext, tmp_path: Path) -> None:
    path = fill_template(demo, tmp_path / "v.xlsx", PHONE_ANSWERS)
    before = database_snapshot(demo)
    [result] = import_files(demo, [path], dry_run=True)
    assert result.status == "checked" and result.dry_run
    assert result.audits[0].audit_id is None and result.audits[0].overall is not None
    assert database_snapshot(demo) == before
    [real] = import_files(demo, [path])
    assert real.added == 1  # a dry run does not make the real import a duplicate


def _macro_workbook(path: Path, source: bytes) -> Path:
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(path, "w") as out:
        for entry in original.infolist():
            out.writestr(entry, original.read(entry.filename))
        out.writestr("xl/vbaProject.bin", b"\x00fake macro project")
    return path


def _encrypted(path: Path, source: Path) -> Path:
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt("secret", out)
    return path


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("empty.xlsx", lambda p, good: p.write_bytes(b""), "the file is empty"),
        (
            "notes.xlsx",
            lambda p, good: p.write_text("just text", encoding="utf-8"),
            "not a spreadsheet",
        ),
        ("corrupt.xlsx", lambda p, good: p.write_bytes(good.read_bytes()[:1500]), "damaged"),
        ("secret.xlsx", lambda p, good: _encrypted(p, good), "password-protected"),
        (
            "macros.xlsm",
            lambda p, good: _macro_workbook(p, good.read_bytes()),
            "macros (.xlsm) are not imported",
        ),
        (
            "hidden-macros.xlsx",
            lambda p, good: _macro_workbook(p, good.read_bytes()),
            "macros (.xlsm) are not imported",
        ),
        ("plain.xlsx", lambda p, good: openpyxl.Workbook().save(p), "not an audit-app template"),
        ("picture.png", lambda p, good: p.write_bytes(b"\x89PNG\r\n"), "'.png' files are not"),
        (
            "latin1.csv",
            lambda p, good: p.write_bytes("branch_code;visit_date\nES;\xe9".encode("latin-1")),
            "not UTF-8",
        ),
        ("nul.csv", lambda p, good: p.write_bytes(b"a,b\x00,c\n"), "NUL bytes"),
        (
            "header-only.csv",
            lambda p, good: p.write_text("foo,bar\n", encoding="utf-8"),
            "not an audit CSV",
        ),
    ],
)
def test_unreadable_files_are_rejected_plainly_and_change_nothing(
    demo: AppContext, tmp_path: Path, name: str, make: Any, message: str
) -> None:
    good = fill_template(demo, tmp_path / "good.xlsx", PHONE_ANSWERS)
    path = tmp_path / name
    make(path, good)
    before = database_snapshot(demo)
    [result] = import_files(demo, [path])
    assert result.status == "rejected"
    assert message in str(result.problems[0]), str(result.problems[0])
    assert database_snapshot(demo) == before


def test_a_template_from_a_changed_checklist_edition_is_refused(
    demo: AppContext, tmp_path: Path
) -> None:
    changed = demo.catalogue.get("greeting_phone").model_copy(update={"pass_mark": 80.0})
    workbook = openpyxl.load_workbook(io.BytesIO(write_template(changed, [])))
    sheet = workbook["Audit"]
    sheet["B4"], sheet["B5"], sheet["B7"] = "ES-CAT-01", date(2026, 11, 2), "Ann"
    for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row, 2).value in PHONE_ANSWERS:
            sheet.cell(row, 5).value = PHONE_ANSWERS[sheet.cell(row, 2).value]
    workbook.save(tmp_path / "old.xlsx")
    [result] = import_files(demo, [tmp_path / "old.xlsx"])
    assert result.status == "rejected"
    assert "different edition of checklist greeting_phone version 1" in str(result.problems[0])


def test_a_bulk_template_imports_many_visits_in_one_transaction(
    demo: AppContext, tmp_path: Path
) -> None:
    checklist = demo.catalogue.get("greeting_in_person")
    workbook = openpyxl.load_workbook(io.BytesIO(write_template(checklist, [], bulk=True, rows=20)))
    sheet = workbook["Visits"]
    ids = [sheet.cell(4, c).value for c in range(1, sheet.max_column + 1)]
    for n, branch in enumerate(["ES-CAT-01", "ES-CAT-02", "TR-IST-01"]):
        row = 5 + n
        values = {
            "branch": branch,
            "visit_date": datetime(2026, 11, 10 + n, 12, 0),
            "auditor": "Bulk Tester",
        }
        for item in checklist.items:
            if item.scored:
                values[item.id] = (
                    5 if item.type == "number" else (3 if item.type == "scale" else "Yes")
                )
        for column, key in enumerate(ids, start=1):
            if key in values:
                sheet.cell(row, column).value = values[key]
    workbook.save(tmp_path / "bulk.xlsx")
    [result] = import_files(demo, [tmp_path / "bulk.xlsx"])
    assert result.status == "imported", [str(e) for e in result.problems]
    assert result.added == 3
    # one bad row anywhere rejects the whole file
    sheet.cell(7, ids.index("auditor") + 1).value = None
    workbook.save(tmp_path / "bulk2.xlsx")
    before = database_snapshot(demo)
    [bad] = import_files(demo, [tmp_path / "bulk2.xlsx"])
    assert bad.status == "rejected"
    assert [(e.sheet, e.cell) for e in bad.problems] == [
        ("Visits", f"{chr(64 + ids.index('auditor') + 1)}7")
    ]
    assert database_snapshot(demo) == before


def test_the_demo_csv_imports_as_visits_already_present(demo: AppContext) -> None:
    [result] = import_files(demo, [REPO / "sample_data" / "demo" / "audits.csv"], dry_run=True)
    assert result.status == "checked", [str(e) for e in result.problems[:5]]
    assert result.added == 0 and result.already_present == len(list_scores(demo))
    lines = (REPO / "sample_data" / "demo" / "audits.csv").read_text().count("\n") - 1
    assert result.rows.to_dict() == {
        "read": lines,
        "imported": 0,
        "already_present": lines,  # one row per answer, each of a stored visit
        "skipped": 0,
        "rejected": 0,
    }


def test_cli_import_json_and_exit_codes(demo: AppContext, tmp_path: Path) -> None:
    good = fill_template(demo, tmp_path / "good.xlsx", PHONE_ANSWERS)
    bad = fill_template(
        demo, tmp_path / "bad.xlsx", {**PHONE_ANSWERS, "call.tone": "loud"}, day=date(2026, 11, 3)
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", "import", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
        )

    items = len(demo.catalogue.get("greeting_phone").items)  # one template row per question
    checked = run(str(good), "--dry-run", "--json")
    assert checked.returncode == 0
    [dry] = json.loads(checked.stdout)["files"]
    assert (dry["status"], dry["audits"], dry["rows"]["imported"]) == ("checked", [], items)
    both = run(str(good), str(bad), "--json")
    assert both.returncode == 1
    files = json.loads(both.stdout)["files"]
    [new_id] = files[0]["audits"]
    assert {k: files[0][k] for k in ("file", "status", "rows", "skipped", "problems")} == {
        "file": "good.xlsx",
        "status": "imported",
        "rows": {"read": items, "imported": items, "already_present": 0, "skipped": 0,
                 "rejected": 0},
        "skipped": [],
        "problems": [],
    }  # fmt: skip
    assert {k: files[1][k] for k in ("file", "status", "rows", "skipped", "problems")} == {
        "file": "bad.xlsx",
        "status": "rejected",
        "rows": {"read": items, "imported": 0, "already_present": 0, "skipped": 0,
                 "rejected": items},
        "skipped": [],
        "problems": [
            {
                "code": "answer_invalid",
                "sheet": "Audit",
                "cell": "E15",
                "row": 15,
                "message": "E15: 'loud' is not an answer to 'Tone is friendly' "
                "(allowed: a whole number from 1 to 5)",
            }
        ],
    }  # fmt: skip
    assert files[1]["audits"] == []
    again = run(str(good))
    assert again.returncode == 0 and "already imported on" in again.stdout
    assert f"as audit #{new_id}" in again.stdout
    together = run(str(good), str(bad))
    assert (
        f"2 files: {2 * items} rows read = 0 imported + {items} already present + 0 skipped + "
        f"{items} rejected"
    ) in together.stdout
    twice = json.loads(run(str(good), "--json").stdout)["files"][0]
    assert (twice["status"], twice["audits"]) == ("already_imported", [new_id])
    assert twice["rows"] == {"read": items, "imported": 0, "already_present": items,
                             "skipped": 0, "rejected": 0}  # fmt: skip


def test_a_resent_visit_with_other_answers_is_named_not_silently_dropped(
    demo: AppContext, tmp_path: Path
) -> None:
    first = fill_template(demo, tmp_path / "a.xlsx", PHONE_ANSWERS)
    [stored] = import_files(demo, [first])
    corrected = fill_template(demo, tmp_path / "b.xlsx", {**PHONE_ANSWERS, "call.tone": 2})
    [again] = import_files(demo, [corrected], dry_run=True)
    assert again.audits[0].already_present and again.audits[0].differs
    assert again.audits[0].audit_id == stored.audits[0].audit_id
    [real] = import_files(demo, [corrected])
    assert (real.added, real.already_present, real.audits[0].differs) == (0, 1, True)
    same = fill_template(demo, tmp_path / "c.xlsx", PHONE_ANSWERS, comments=None)
    same_bytes_differ = same.read_bytes() != first.read_bytes()
    [unchanged] = import_files(demo, [same])
    assert unchanged.status == ("imported" if same_bytes_differ else "already_imported")
    if same_bytes_differ:
        assert not unchanged.audits[0].differs
    assert load_audit(demo, stored.audits[0].audit_id).overall == stored.audits[0].overall  # type: ignore[arg-type]


def test_an_audit_keeps_the_language_its_template_was_written_in(
    demo: AppContext, tmp_path: Path
) -> None:
    """A Catalan branch's visit typed into an English template reads back in English."""
    for language in ("en", "tr"):
        content = write_template(demo.catalogue.get("greeting_phone"), [], language=language)
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        sheet = workbook["Audit"]
        sheet["B4"], sheet["B5"], sheet["B6"], sheet["B7"] = (
            "ES-CAT-01",
            date(2026, 11, 22),
            time(9, 0 if language == "en" else 30),
            "Test Auditor",
        )
        words = {"en": ("Yes", "No", "N/A"), "tr": ("Evet", "Hayır", "Yok")}[language]
        answers = dict(PHONE_ANSWERS)
        for row in range(ITEMS_FIRST_ROW, sheet.max_row + 1):
            item_id = sheet.cell(row, 2).value
            if item_id in answers:
                value = answers[item_id]
                value = {"Yes": words[0], "No": words[1], "N/A": words[2]}.get(value, value)
                sheet.cell(row, 5).value = value
        path = tmp_path / f"visit-{language}.xlsx"
        workbook.save(path)
        [result] = import_files(demo, [path])
        assert result.status == "imported", (language, [str(e) for e in result.problems])
        [audit] = result.audits
        stored = load_audit(demo, audit.audit_id)  # type: ignore[arg-type]
        assert stored.record.visit.language == language
