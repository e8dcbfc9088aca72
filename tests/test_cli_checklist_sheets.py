"""`checklists import` and `checklists export`: a spreadsheet of questions in, YAML or a
registered checklist out; the same shape written back; problems named at their cells."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audit_app.checklists import load_checklist
from audit_app.cli import app
from tests.intake import checklist_files as files

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


@pytest.fixture
def checklists_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "checklists"
    shutil.copytree(REPO / "checklists", folder)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    return folder


def test_export_then_import_gives_the_same_yaml(tmp_path: Path, checklists_dir: Path) -> None:
    sheet = tmp_path / "phone.xlsx"
    exported = runner.invoke(app, ["checklists", "export", "greeting_phone", "-o", str(sheet)])
    assert exported.exit_code == 0, exported.output
    assert exported.output == f"wrote {sheet}\n"
    yaml_path = tmp_path / "phone.yaml"
    imported = runner.invoke(
        app,
        ["checklists", "import", str(sheet), "--id", "greeting_phone", "-o", str(yaml_path)],
    )
    assert imported.exit_code == 0, imported.output
    assert imported.output.splitlines() == [
        "ok    phone.xlsx: sheet 'Questions', header in row 1, 9 question(s) in 3 section(s)",
        f"wrote greeting_phone v1 to {yaml_path}",
    ]
    assert load_checklist(yaml_path) == load_checklist(checklists_dir / "greeting_phone.v1.yaml")


def test_import_without_output_registers_the_checklist(
    tmp_path: Path, checklists_dir: Path
) -> None:
    sheet = files.programme_workbook(tmp_path / "programa.xlsx")
    result = runner.invoke(
        app, ["checklists", "import", str(sheet), "--id", "mystery", "--title", "Misterio"]
    )
    assert result.exit_code == 0, result.output
    assert (checklists_dir / "mystery.v1.yaml").is_file()
    listed = json.loads(runner.invoke(app, ["checklists", "list", "--json"]).output)
    mine = [row for row in listed if row["id"] == "mystery"]
    assert [(r["version"], r["title"], r["items"], r["languages"]) for r in mine] == [
        (1, "Misterio", 6, ["es", "ca"])
    ]
    again = runner.invoke(
        app,
        ["checklists", "import", str(sheet), "--id", "mystery", "--title", "Otro título"],
    )
    assert again.exit_code == 1
    assert again.output.strip().splitlines()[-1] == (
        "error: checklist mystery version 1 already exists with other content; import it as "
        "a new version (--version 2)"
    )


def test_problems_are_named_at_their_cells_and_nothing_is_written(
    tmp_path: Path, checklists_dir: Path
) -> None:
    sheet = files.bad_cells_workbook(tmp_path / "bad.xlsx")
    out = tmp_path / "bad.yaml"
    result = runner.invoke(app, ["checklists", "import", str(sheet), "--id", "bad", "-o", str(out)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[1] == "error bad.xlsx: Questions!D5: 'Yes (1OO)' has no number in brackets"
    assert len(lines) == 7
    assert lines[-1] == "error: 6 problem(s) in the checklist spreadsheet; nothing was written"
    assert not out.exists()
    assert not (checklists_dir / "bad.v1.yaml").exists()


def test_problems_as_json(tmp_path: Path, checklists_dir: Path) -> None:
    sheet = files.bad_cells_workbook(tmp_path / "bad.xlsx")
    result = runner.invoke(app, ["checklists", "import", str(sheet), "--id", "bad", "--json"])
    assert result.exit_code == 1
    document = result.output[: result.output.rindex("}") + 1]
    answer = json.loads(document)
    assert answer["ok"] is False and answer["checklist"] is None
    assert [(p["code"], p["cell"]) for p in answer["problems"]] == [
        ("checklist_type_unknown", "C4"),
        ("checklist_options_invalid", "D5"),
        ("checklist_cell_invalid", "E6"),
        ("checklist_cell_invalid", "F7"),
        ("checklist_condition_invalid", "G8"),
        ("checklist_row_invalid", "E9"),
    ]


def test_export_refuses_other_formats_and_unknown_checklists(
    tmp_path: Path, checklists_dir: Path
) -> None:
    as_csv = runner.invoke(
        app, ["checklists", "export", "greeting_phone", "-o", str(tmp_path / "x.csv")]
    )
    assert (as_csv.exit_code, as_csv.output) == (
        1,
        "error: x.csv: write the checklist to an .xlsx file\n",
    )
    unknown = runner.invoke(app, ["checklists", "export", "nope", "-o", str(tmp_path / "x.xlsx")])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("error: no checklist 'nope'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checklists"]
