"""Exports never hand a spreadsheet a formula to run."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl

from audit_app.intake.export import neutralise, to_csv, to_xlsx

REPO = Path(__file__).resolve().parents[2]
HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "plain", "Ünye"]


def test_xlsx_stores_formula_like_text_as_text() -> None:
    rows = [{"name": text, "score": 12.5} for text in HOSTILE]
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows, ["name", "score"], "Scores")))
    sheet = book["Scores"]
    cells = [sheet.cell(r, 1) for r in range(2, 2 + len(HOSTILE))]
    assert [c.value for c in cells] == ["'" + t for t in HOSTILE[:5]] + HOSTILE[5:]
    assert all(c.data_type == "s" for c in cells)
    assert sheet.cell(2, 2).value == 12.5 and sheet.cell(2, 2).data_type == "n"


def test_csv_prefixes_formula_like_text() -> None:
    text = to_csv([{"name": t, "n": -3} for t in HOSTILE], ["name", "n"])
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [row[0] for row in rows] == ["'" + t for t in HOSTILE[:5]] + HOSTILE[5:]
    assert text.splitlines()[3] == "'-2+3,-3"  # the number stays a number
    assert neutralise(-3) == -3


def test_scores_export_of_a_hostile_branch_name(tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        )

    assert cli("demo").returncode == 0
    branches = tmp_path / "b.csv"
    branches.write_text(
        "code,name,region,country\nES-CAT-01,=cmd|' /C calc'!A0,Catalonia,ES\n", encoding="utf-8"
    )
    assert cli("branches", "import", str(branches)).returncode == 0
    out = tmp_path / "scores.xlsx"
    result = cli("scores", "--branch", "ES-CAT-01", "--format", "xlsx", "-o", str(out))
    assert result.returncode == 0, result.stderr
    sheet = openpyxl.load_workbook(out)["Scores"]
    header = [c.value for c in sheet[1]]
    name = sheet.cell(2, header.index("branch_name") + 1)
    assert name.value == "'=cmd|' /C calc'!A0" and name.data_type == "s"
    as_csv = cli("scores", "--branch", "ES-CAT-01", "--format", "csv").stdout
    assert ",'=cmd|' /C calc'!A0," in as_csv.splitlines()[1]
