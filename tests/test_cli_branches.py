"""``audit-app branches import``: real lists read by their headers, the report of what
was guessed printed with the result, constants, ``--column``, ``--strict``, ``--dry-run``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from tests.intake import branch_lists

runner = CliRunner()


def test_a_list_under_a_banner_imports_with_its_report(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_banner_list(tmp_path)
    result = runner.invoke(app, ["branches", "import", str(made.path), "--country", "ES"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "header: sheet 'Stores', row 3",
        "  code       <- column B 'Site Code' (recognised)",
        "  name       <- column C 'Store Name' (recognised)",
    ]
    assert "  country    <- ES (given)" in lines
    assert lines[-1] == f"{made.path}: 4 branches added, 0 updated, 0 unchanged."
    assert list_branches(ctx) == sorted(made.branches, key=lambda b: b.code)


def test_without_a_country_the_message_says_to_pass_it(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_catalan_list(tmp_path)
    result = runner.invoke(app, ["branches", "import", str(made.path)])
    assert result.exit_code == 1
    assert (
        "the file has no country column: pass --country CODE (two letters: ES, RO, TR, GB…)"
        in result.stderr
    )
    assert result.stderr.count("\n") == 1 and list_branches(ctx) == []


def test_a_dry_run_prints_the_report_and_writes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_romanian_list(tmp_path)
    args = ["branches", "import", str(made.path), "--country", "RO", "--region", "Transilvania"]
    result = runner.invoke(app, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "  area       <- column C 'Județ' (recognised)" in result.stdout
    assert "  region     <- Transilvania (given)" in result.stdout
    assert result.stdout.splitlines()[-1] == (
        f"{made.path}: 2 branches would be added, 0 updated, 0 unchanged. Nothing was "
        "written (dry run)."
    )
    assert list_branches(ctx) == []


def test_an_employee_sheet_warns_and_strict_refuses(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_employee_sheet(tmp_path)
    refused = runner.invoke(app, ["branches", "import", str(made.path), "--strict"])
    assert refused.exit_code == 1
    assert "reads like people's names" in refused.stderr and "refused by --strict" in (
        refused.stderr
    )
    assert list_branches(ctx) == []
    dry = runner.invoke(app, ["branches", "import", str(made.path), "--dry-run"])
    warnings = [line for line in dry.stdout.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 2
    assert "column B 'Name', taken for the branch names, reads like people's names" in warnings[0]


def test_columns_named_by_hand_and_json(ctx: AppContext, tmp_path: Path) -> None:
    made = branch_lists.write_store_in_data_row(tmp_path)
    args = ["branches", "import", str(made.path), "--country", "ES", "--json"]
    named = ["--column", "code=Unit", "--column", "name=Description"]
    result = runner.invoke(app, [*args, *named])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert (answer["inserted"], answer["header_row"], answer["rows_read"]) == (3, 1, 3)
    assert answer["columns"] == [
        {"field": "code", "column": "A", "header": "Unit", "how": "given"},
        {"field": "name", "column": "B", "header": "Description", "how": "given"},
        {"field": "region", "column": "D", "header": "Territory", "how": "synonym"},
    ]
    assert answer["unused_columns"] == [{"column": "C", "header": "Format"}]
    assert list_branches(ctx) == made.branches
    bad = runner.invoke(app, ["branches", "import", str(made.path), "--column", "code"])
    assert bad.exit_code == 1 and 'write FIELD="Header"' in bad.stderr
