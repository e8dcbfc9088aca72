"""``audit-app scores`` shows each audit's visit reference and finds audits by it
(``--reference TEXT``); ``import --json`` says each visit's reference."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.domain.audit import Branch
from audit_app.intake.layouts.profile import save_profile, suggest_profile
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.intake.reviews import write_review_numbers

runner = CliRunner()


def _imported(ctx: AppContext, folder: Path) -> dict[str, object]:
    save_branches(
        ctx,
        [
            Branch(code="ES-CAT-01", name="Gràcia", region="Catalonia", country="ES"),
            Branch(code="ES-CAT-02", name="Sants", region="Catalonia", country="ES"),
        ],
    )
    made = write_review_numbers(folder)
    profile, _ = suggest_profile(made.path, ctx.catalogue.get("greeting_in_person"), "agency")
    save_profile(profile, ctx.settings.data_dir / "mappings")
    result = runner.invoke(app, ["import", str(made.path), "--mapping", "agency", "--json"])
    assert result.exit_code == 0, result.output
    answer: dict[str, object] = json.loads(result.output)
    return answer


def test_import_json_then_scores_by_reference(ctx: AppContext, tmp_path: Path) -> None:
    answer = _imported(ctx, tmp_path)
    [file] = answer["files"]  # type: ignore[index]
    assert [(a["branch_code"], a["visit_reference"]) for a in file["visits"]] == [
        ("ES-CAT-01", "RV-100231"),
        ("ES-CAT-01", "RV-100232"),
        ("ES-CAT-02", "RV-100240"),
    ]
    listed = json.loads(runner.invoke(app, ["scores", "--json"]).output)
    assert [r["visit_reference"] for r in listed] == ["RV-100231", "RV-100232", "RV-100240"]

    found = runner.invoke(app, ["scores", "--reference", "rv-10023", "--format", "csv"])
    assert found.exit_code == 0, found.output
    rows = list(csv.DictReader(io.StringIO(found.output)))
    assert [(r["branch_code"], r["visit_reference"]) for r in rows] == [
        ("ES-CAT-01", "RV-100231"),
        ("ES-CAT-01", "RV-100232"),
    ]

    table = runner.invoke(app, ["scores", "--reference", "100240"])
    assert table.exit_code == 0, table.output
    assert "visit_reference" in table.output and "RV-100240" in table.output
    assert "RV-100231" not in table.output

    book = tmp_path / "scores.xlsx"
    wrote = runner.invoke(app, ["scores", "--reference", "RV", "--format", "xlsx", "-o", str(book)])
    assert wrote.exit_code == 0, wrote.output
    sheet = load_workbook(book).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    column = header.index("visit_reference")
    assert [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        "RV-100231",
        "RV-100232",
        "RV-100240",
    ]

    none = runner.invoke(app, ["scores", "--reference", "RV-9"])
    assert none.exit_code == 0
    assert none.output.strip() == "No submitted audits match (reference RV-9)."


def test_scores_help_names_the_reference_filter() -> None:
    result = runner.invoke(app, ["scores", "--help"])
    assert result.exit_code == 0 and "--reference" in result.output


def test_the_import_lists_each_new_audit_with_its_reference(
    ctx: AppContext, tmp_path: Path
) -> None:
    save_branches(
        ctx,
        [
            Branch(code="ES-CAT-01", name="Gràcia", region="Catalonia", country="ES"),
            Branch(code="ES-CAT-02", name="Sants", region="Catalonia", country="ES"),
        ],
    )
    made = write_review_numbers(tmp_path)
    profile, _ = suggest_profile(made.path, ctx.catalogue.get("greeting_in_person"), "agency")
    save_profile(profile, ctx.settings.data_dir / "mappings")
    result = runner.invoke(app, ["import", str(made.path), "--mapping", "agency"])
    assert result.exit_code == 0, result.output
    listed = [line for line in result.output.splitlines() if line.startswith("  #")]
    assert [line.split("(ref ")[1].split(")")[0] for line in listed] == [
        "RV-100231",
        "RV-100232",
        "RV-100240",
    ]
