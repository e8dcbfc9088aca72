"""The Checklists page's "From a spreadsheet" tab, run headless with AppTest: problems named
at their cells, a preview, a saved checklist; and the spreadsheet download that reads back."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_app.checklists import Catalogue, load_checklist
from audit_app.config import default_checklists_dir
from audit_app.services.checklist_sheets import read_checklist_sheet
from tests.intake import checklist_files as files
from tests.ui.apptest import HQ, MARTA, run_app, texts
from tests.ui.detail_downloads import download_bytes, downloads

__all__ = ["downloads"]  # the fixture, imported for the tests below

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the standard checklists that the app reads (and saves into)."""
    target = tmp_path / "checklists"
    shutil.copytree(default_checklists_dir(), target)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(target))
    return target


def test_a_spreadsheet_is_previewed_then_saved(folder: Path, tmp_path: Path) -> None:
    data = files.programme_workbook(tmp_path / "programa.xlsx").read_bytes()
    app = run_app(HQ, "checklists")
    app.text_input(key="checklist_sheet_id").set_value("mystery").run()
    app.file_uploader(key="checklist_sheet_file_0").set_value(("programa.xlsx", data, XLSX)).run()
    assert not app.exception, app.exception
    preview = app.dataframe[-1].value
    assert list(preview["id"]) == [
        "bienvenida.saludo_al_entrar",
        "bienvenida.tiempo_de_espera_segundos",
        "producto.ofrecio_una_alternativa",
        "producto.trato_general",
        "producto.producto_ecologico",
        "producto.comentarios",
    ]
    assert "6 questions in 2 sections; languages Spanish (es), Català (ca)." in texts(app)
    assert not (folder / "mystery.v1.yaml").exists()
    app.button(key="checklist_sheet_save").click().run()
    assert not app.exception, app.exception
    assert re.search(r"Saved “[^”]+”, version 1 \(6 questions\) as mystery\.v1\.yaml\.", texts(app))
    expected = read_checklist_sheet("programa.xlsx", data, checklist_id="mystery").checklist
    assert load_checklist(folder / "mystery.v1.yaml") == expected


def test_problems_are_listed_at_their_cells_and_nothing_is_saved(
    folder: Path, tmp_path: Path
) -> None:
    data = files.bad_cells_workbook(tmp_path / "bad.xlsx").read_bytes()
    app = run_app(HQ, "checklists")
    app.text_input(key="checklist_sheet_id").set_value("bad").run()
    app.file_uploader(key="checklist_sheet_file_0").set_value(("bad.xlsx", data, XLSX)).run()
    message = app.error[0].value
    assert message.startswith("bad.xlsx: 6 problems, nothing saved:")
    assert "\n- Questions!D5: 'Yes (1OO)' has no number in brackets\n" in message
    assert "checklist_sheet_save" not in [b.key for b in app.button]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in default_checklists_dir().iterdir()
    )


def test_an_area_manager_is_told_head_office_adds_checklists(folder: Path) -> None:
    app = run_app(MARTA, "checklists")
    assert "Head office adds checklists." in texts(app)
    assert not [u for u in app.get("file_uploader")]


@pytest.mark.usefixtures("downloads")
def test_the_spreadsheet_download_reads_back_as_the_same_checklist(folder: Path) -> None:
    app = run_app(HQ, "checklists")
    app.selectbox(key="checklist").select("returns").run()
    data = download_bytes(app, "sheet")
    assert load_workbook(io.BytesIO(data)).sheetnames == ["Questions", "Checklist"]
    again = read_checklist_sheet("returns.xlsx", data, checklist_id="returns").checklist
    assert again == Catalogue.from_folder(folder).get("returns")
