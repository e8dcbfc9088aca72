"""Every bad file of the corpus through every reader: the import service (both engines),
the mapping engine's opening of a file and the branch-list reader. Each is imported safely
or rejected with a message that names the problem in words, and a rejection leaves the
database exactly as it was. Time and memory are bounded by checks made before any parser
runs (see ``tests/hostile/measure.py`` for the figures); no test here times anything."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from audit_app.config import Settings
from audit_app.errors import AuditAppError
from audit_app.intake.layouts.ours import UnreadableFile, read_audit_file
from audit_app.intake.layouts.profile import suggest_profile
from audit_app.intake.source.grid import open_grid
from audit_app.intake.source.limits import Limits, RefusedFile, check_cells
from audit_app.intake.source.names import safe_file_name
from audit_app.services.audits import load_audit
from audit_app.services.branches import read_branches_bytes
from audit_app.services.context import AppContext, open_context
from audit_app.services.imports import import_bytes
from audit_app.storage import database, import_log
from tests.helpers import database_snapshot
from tests.hostile.corpus import CASES, BadFile, catalogue, phone_csv, template_bytes

BRANCH_LIST_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"}


def _message(errors: object) -> str:
    return " | ".join(str(error) for error in errors)  # type: ignore[attr-defined]


def _assert_words(message: str, bad: BadFile) -> None:
    for word in bad.words:
        assert word in message, f"{bad.case}: {word!r} not in {message!r}"


# --------------------------------------------------------------------------- import service


@pytest.mark.parametrize("case", list(CASES))
def test_the_import_service_imports_safely_or_rejects_with_words(
    case: str, corpus: dict[str, BadFile], world: AppContext
) -> None:
    bad = corpus[case]
    before = database_snapshot(world)
    result = import_bytes(world, bad.name, bad.data)
    assert result.status == bad.outcome, _message(result.problems)
    assert result.file == safe_file_name(bad.name)
    if bad.outcome == "rejected":
        _assert_words(_message(result.problems), bad)
        assert not re.search(r"[\x00-\x1f\x7f\u202e]", _message(result.problems))
        assert database_snapshot(world) == before
        return
    [audit] = result.audits
    stored = load_audit(world, audit.audit_id)  # type: ignore[arg-type]
    answers = {a.item_id: (a.value, a.na, a.comment) for a in stored.record.answers}
    assert answers == bad.expect["answers"]
    assert stored.record.visit.auditor == bad.expect.get("auditor", "Hostile Tester")
    with database.snapshot(world.engine) as conn:
        logged = import_log.find(conn, result.import_key)
    assert logged is not None
    assert logged["file_name"] == (bad.stored_name or bad.name)
    assert logged["audit_ids"] == [audit.audit_id]


def test_hostile_names_are_stored_as_their_last_part_printable_and_short(
    corpus: dict[str, BadFile],
) -> None:
    named = [bad for bad in corpus.values() if bad.stored_name is not None]
    assert len(named) == 7
    for bad in named:
        stored = safe_file_name(bad.name)
        assert stored == bad.stored_name
        assert len(stored) <= 120
        assert not any(char in stored for char in "/\\\x00\n\r\x1b\u202e")


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("visit.xlsx", "visit.xlsx"),
        ("folder/", "unnamed file"),
        ("..", "unnamed file"),
        ("  \t ", "unnamed file"),
        ("a\\b/c\\d.csv", "d.csv"),
        ("x\u202egpj.csv", "x_gpj.csv"),
        ("b" * 300 + ".xlsx", "b" * 114 + "….xlsx"),
        ("c" * 300, "c" * 119 + "…"),
    ],
)
def test_a_file_name_keeps_its_last_part_printable_and_short(name: str, shown: str) -> None:
    assert safe_file_name(name) == shown


def test_a_cap_set_in_the_settings_holds_in_the_import_service(world: AppContext) -> None:
    data = template_bytes()
    small = open_context(world.settings.model_copy(update={"max_upload_mb": 1}))
    big = data + b"\x00" * (2 * 2**20)  # a zip may carry trailing bytes: still a workbook
    result = import_bytes(small, "visit.xlsx", big)
    assert result.status == "rejected"
    assert "larger than the 1 MB upload limit" in _message(result.problems)
    small.engine.dispose()
    small = open_context(world.settings.model_copy(update={"max_inflated_mb": 1}))
    wide = zipfile.ZipFile(io.BytesIO(data))
    inflated = sum(info.file_size for info in wide.infolist())
    assert inflated < 2**20  # the template itself fits: the bomb must not
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as out:
        for info in wide.infolist():
            out.writestr(info.filename, wide.read(info.filename))
        out.writestr("xl/media/pad.bin", bytes(2 * 2**20))
    result = import_bytes(small, "visit.xlsx", bomb.getvalue())
    small.engine.dispose()
    assert result.status == "rejected"
    assert "would inflate to 2.0 MB, more than the 1 MB limit" in _message(result.problems)
    assert import_bytes(world, "visit.xlsx", data).status == "imported"  # within 20 and 200


def test_the_settings_read_the_caps_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert (Settings().max_upload_mb, Settings().max_inflated_mb) == (20, 200)
    monkeypatch.setenv("AUDIT_MAX_UPLOAD_MB", "7")
    monkeypatch.setenv("AUDIT_MAX_INFLATED_MB", "70")
    assert Limits.from_settings(Settings()) == Limits(max_upload_mb=7, max_inflated_mb=70)


def test_serve_hands_the_upload_cap_to_streamlit(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from typer.testing import CliRunner

    from audit_app.cli import app, setup_commands

    seen: list[list[str]] = []

    def fake_execv(program: str, command: list[str]) -> None:
        seen.append(command)

    monkeypatch.setattr(setup_commands.os, "execv", fake_execv)
    monkeypatch.setenv("AUDIT_MAX_UPLOAD_MB", "7")
    result = CliRunner().invoke(app, ["serve", "--port", "8999"])
    assert result.exit_code == 0, result.output
    [command] = seen
    assert command[command.index("--server.maxUploadSize") + 1] == "7"


# --------------------------------------------------------------------------- other readers


WORKBOOK_OR_CSV = [
    name for name, build in CASES.items() if not name.startswith("name_") or name == "name_nul"
]


@pytest.mark.parametrize("case", WORKBOOK_OR_CSV)
def test_the_mapping_engine_opens_within_bounds_or_refuses_in_words(
    case: str, corpus: dict[str, BadFile]
) -> None:
    bad = corpus[case]
    name = safe_file_name(bad.name)
    if bad.on_open:
        with pytest.raises(UnreadableFile) as refused:
            open_grid(name, 0, bad.data)
        _assert_words(str(refused.value), bad)
        return
    grid = open_grid(name, 0, bad.data)
    assert 0 < len(grid.rows) < 100  # the visible sheet only, its used cells only
    assert grid.width <= 10


@pytest.mark.parametrize("case", [c for c in WORKBOOK_OR_CSV if c != "too_large"])
def test_drafting_a_mapping_refuses_in_words_and_nothing_else(
    case: str, corpus: dict[str, BadFile]
) -> None:
    bad = corpus[case]
    checklist = catalogue().get("greeting_phone")
    try:
        suggest_profile(safe_file_name(bad.name), checklist, data=bad.data)
    except AuditAppError as error:
        if bad.on_open:
            _assert_words(str(error), bad)
    else:
        assert not bad.on_open


@pytest.mark.parametrize("case", [c for c in WORKBOOK_OR_CSV if c != "name_nul"])
def test_the_branch_list_reader_refuses_in_words(case: str, corpus: dict[str, BadFile]) -> None:
    """No bad file is a branch list: each is refused as an AuditAppError (what the Admin
    page shows), the bad ones for the reason the import gives."""
    bad = corpus[case]
    with pytest.raises(AuditAppError) as refused:
        read_branches_bytes(bad.name, bad.data)
    if bad.on_open and Path(bad.name).suffix.lower() in BRANCH_LIST_SUFFIXES:
        _assert_words(str(refused.value), bad)


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.csv",
        "C:\\evil\\x.csv",
        "bad\nname.csv",
        "\x1b[31mred.csv",
        "evil\x00.csv",
        "a" * 5_000 + ".csv",
    ],
)
def test_a_branch_list_under_a_hostile_name_is_refused_naming_it_safely(name: str) -> None:
    broken = b"code,name,region,country\nES-01,Gr\xe0cia,Catalonia,ES\n"
    with pytest.raises(AuditAppError, match="not UTF-8 text") as refused:
        read_branches_bytes(name, broken)
    message = str(refused.value)
    assert message.startswith(safe_file_name(name) + ": ")
    assert not any(char in message for char in "/\\\x00\n\x1b")


# --------------------------------------------------------------------------- the parsers


def test_calamine_refuses_entity_expansion_instead_of_expanding(
    corpus: dict[str, BadFile],
) -> None:
    """Checked without the container's DOCTYPE guard: calamine's XML parser (quick-xml)
    does not expand custom entities, so the guard is a clear message, not the only wall."""
    for case in ("billion_laughs_sheet", "billion_laughs_shared_strings"):
        with pytest.raises(Exception) as failed:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(corpus[case].data))
            workbook.get_sheet_by_name("Audit").to_python()
        assert type(failed.value).__module__.startswith("python_calamine")


def test_openpyxl_parses_with_defusedxml_and_refuses_entities(
    corpus: dict[str, BadFile],
) -> None:
    from defusedxml import EntitiesForbidden
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True
    for case in ("billion_laughs_sheet", "billion_laughs_shared_strings"):
        with pytest.raises(ValueError) as failed:
            openpyxl.load_workbook(io.BytesIO(corpus[case].data))
        cause = failed.value.__cause__ or failed.value.__context__
        assert isinstance(cause, EntitiesForbidden)


def test_the_caps_name_the_cap_and_the_cell() -> None:
    limits = Limits(max_rows=3, max_columns=2, max_cells=5, max_cell_chars=4)
    with pytest.raises(
        RefusedFile, match=r"reaches row 4 \(its values span A1:A4\); at most 3 rows are read"
    ):
        check_cells([["a"]] * 4, "sheet 'S'", limits=limits)
    with pytest.raises(
        RefusedFile, match=r"reaches column 4 \(its values span A1:D1\); at most 2 columns"
    ):
        check_cells([["a", "b", "c"]], "sheet 'S'", 0, 1, limits=limits)
    with pytest.raises(RefusedFile, match=r"spans A1:B3, 6 cells; at most 5 cells"):
        check_cells([["a", "b"]] * 3, "sheet 'S'", limits=limits)
    with pytest.raises(RefusedFile, match=r"cell B1 holds 5 characters; .* at most 4"):
        check_cells([["a", "abcde"]], "sheet 'S'", limits=limits)
    check_cells([["abcd", "b"], ["c"]], "sheet 'S'", limits=limits)


def test_a_reader_takes_the_caps_it_is_given_not_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = phone_csv().encode()
    monkeypatch.setenv("AUDIT_MAX_UPLOAD_MB", "1")  # never read by a reader
    assert read_audit_file("visit.csv", data).visits
    with pytest.raises(UnreadableFile, match="at most 3 rows"):
        read_audit_file("visit.csv", data, limits=Limits(max_rows=3))


def test_the_import_service_passes_the_settings_caps(world: AppContext) -> None:
    data = phone_csv().encode()
    tight = replace(world, settings=world.settings.model_copy(update={"max_upload_mb": 1}))
    big = data + b"\n" * (2 * 2**20)
    result = import_bytes(tight, "big.csv", big)
    assert [p.code.value for p in result.problems] == ["file_too_large"]
    assert "larger than the 1 MB upload limit" in result.problems[0].message
