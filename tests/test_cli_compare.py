"""``audit-app compare``: the JSON shape, CSV and Excel files, text that looks like a
formula, exit codes and an empty selection."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from audit_app import demo
from audit_app.checklists import Catalogue
from audit_app.cli import app
from audit_app.config import Settings
from audit_app.domain.audit import AuditRecord, Branch
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from audit_app.services.demo import load_demo
from tests.databases import drop_database, make_settings, point_environment_at

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
BRANCH_FIELDS = [
    "branch_code",
    "branch_name",
    "region",
    "country",
    "audits",
    "mean",
    "low",
    "high",
    "adjusted",
    "shrunk",
    "shrunk_low",
    "shrunk_high",
    "target",
    "group",
    "rank",
    "tie_band",
    "better_than_next",
    "pass_rate",
    "critical_failures",
    "grade",
    "too_few_to_rank",
    "closed",
]
FORMULA_NAME = '=HYPERLINK("http://example.invalid","click me")'


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[Settings]:
    made = make_settings(engine_kind, tmp_path_factory.mktemp("cli-compare-demo"))
    ctx = open_context(made)
    load_demo(ctx)
    ctx.engine.dispose()
    yield made
    drop_database(made.resolved_database_url)


@pytest.fixture
def on_demo(demo_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Path:
    point_environment_at(demo_settings, monkeypatch)
    return demo_settings.data_dir


@pytest.fixture
def tricky_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalogue: Catalogue, engine_kind: str
) -> Iterator[Path]:
    """Two branches whose name and region a spreadsheet would take for formulas."""
    folder = tmp_path / "tricky"
    made = make_settings(engine_kind, folder)
    ctx = open_context(made)
    branches = [
        Branch(code="XX-01", name=FORMULA_NAME, region="+Plus", country="ES"),
        Branch(code="XX-02", name="@SUM(A1:A9)", region="-Minus", country="ES"),
    ]
    save_branches(ctx, branches)
    data = demo.generate([catalogue.get("greeting_phone")])
    records = [
        AuditRecord(replace(r.visit, branch_code=branches[i % 2].code), r.answers)
        for i, r in enumerate(data.audits[:12])
    ]
    store_audits(ctx, records)
    ctx.engine.dispose()
    point_environment_at(made, monkeypatch)
    yield folder
    drop_database(made.resolved_database_url)


def test_compare_has_help() -> None:
    result = runner.invoke(app, ["compare", "--help"])
    assert result.exit_code == 0 and "--min-audits" in result.stdout and "xlsx" in result.stdout


@pytest.mark.usefixtures("on_demo")
def test_json_is_an_object_of_rows_and_a_summary() -> None:
    result = runner.invoke(app, ["compare", "--checklist", "greeting_phone", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"rows", "summary"}
    assert len(data["rows"]) == 47  # the closed branch is left out by default
    assert list(data["rows"][0]) == BRANCH_FIELDS
    assert not any(row["closed"] for row in data["rows"])
    first = data["rows"][0]
    assert first["rank"] == 1 and first["tie_band"] == 1 and first["low"] <= first["mean"]
    summary = data["summary"]
    assert summary["filters"] == {
        "checklist": "greeting_phone",
        "from": None,
        "to": None,
        "region": None,
        "country": None,
        "channel": None,
        "kind": None,
    }
    assert 85 < summary["consistency_index"] < 100
    assert "90 % interval" in summary["method"] and "hierarchical Bayes" in summary["method"]
    assert summary["audits"] == sum(row["audits"] for row in data["rows"])


@pytest.mark.usefixtures("on_demo")
def test_json_by_auditor_flags_the_lenient_auditor() -> None:
    result = runner.invoke(app, ["compare", "--by", "auditor", "--format", "json"])
    rows = {row["auditor"]: row for row in json.loads(result.stdout)["rows"]}
    assert rows["Mehmet Kaya"]["flagged"] is True and rows["Mehmet Kaya"]["leniency"] > 4


@pytest.mark.usefixtures("on_demo")
def test_table_output_by_region_and_by_item() -> None:
    regions = runner.invoke(app, ["compare", "--by", "region", "--country", "TR"])
    assert regions.exit_code == 0, regions.output
    assert regions.stdout.startswith("Regions: country TR — ")
    assert "Istanbul" in regions.stdout and "Aegean" in regions.stdout
    assert "Catalonia" not in regions.stdout
    items = runner.invoke(app, ["compare", "--by", "item", "--checklist", "greeting_phone"])
    assert items.exit_code == 0, items.output
    assert "voicemail.greeting_current" in items.stdout and "icc" in items.stdout


@pytest.mark.usefixtures("on_demo")
def test_include_closed_ranks_and_marks_the_closed_branch(tmp_path: Path) -> None:
    asked = ["compare", "--checklist", "greeting_phone", "--format", "json"]
    left_out = json.loads(runner.invoke(app, asked).stdout)["rows"]
    result = runner.invoke(app, [*asked, "--include-closed"])
    assert result.exit_code == 0, result.output
    rows = {row["branch_code"]: row for row in json.loads(result.stdout)["rows"]}
    assert "RO-TRA-01" not in {row["branch_code"] for row in left_out}
    assert len(rows) == len(left_out) + 1
    assert rows["RO-TRA-01"]["closed"] is True and rows["RO-TRA-01"]["rank"] is not None
    table = runner.invoke(app, ["compare", "--checklist", "greeting_phone", "--include-closed"])
    assert "Closed, compared because of --include-closed: RO-TRA-01." in table.stdout
    target = tmp_path / "with-closed.pdf"
    report = ["report", "compare", "--checklist", "greeting_phone", "-o", str(target)]
    assert runner.invoke(app, [*report, "--include-closed"]).exit_code == 0
    assert target.is_file()


@pytest.mark.usefixtures("on_demo")
def test_csv_has_a_header_and_one_line_per_branch() -> None:
    result = runner.invoke(
        app, ["compare", "--checklist", "greeting_phone", "--region", "Aegean", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == BRANCH_FIELDS
    assert len(rows) == 8 and {row["region"] for row in rows} == {"Aegean"}
    assert {row["too_few_to_rank"] for row in rows} == {"yes", "no"}  # Muğla opened late


@pytest.mark.usefixtures("on_demo")
def test_xlsx_reads_back(tmp_path: Path) -> None:
    target = tmp_path / "league.xlsx"
    result = runner.invoke(app, ["compare", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.stdout and target.is_file()
    workbook = load_workbook(target, read_only=True)
    rows = list(workbook["Comparison"].iter_rows(values_only=True))
    assert list(rows[0]) == BRANCH_FIELDS and len(rows) == 48
    assert isinstance(rows[1][5], float) and rows[1][BRANCH_FIELDS.index("rank")] == 1
    summary = {
        row[0]: row[1] if len(row) > 1 else None
        for row in workbook["Summary"].iter_rows(values_only=True)
    }
    assert isinstance(summary["consistency_index"], float)
    assert "Aegean" not in str(summary["filters"])


@pytest.mark.usefixtures("tricky_names")
def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    target = tmp_path / "tricky.xlsx"
    result = runner.invoke(
        app, ["compare", "--format", "xlsx", "-o", str(target), "--min-audits", "1"]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target)["Comparison"]
    header = [cell.value for cell in sheet[1]]
    name_column, region_column = header.index("branch_name") + 1, header.index("region") + 1
    cells = {sheet.cell(row, 1).value: sheet.cell(row, name_column) for row in (2, 3)}
    assert cells["XX-01"].value == "'" + FORMULA_NAME and cells["XX-01"].data_type == "s"
    assert cells["XX-02"].value == "'@SUM(A1:A9)" and cells["XX-02"].data_type == "s"
    regions = {sheet.cell(row, region_column).value for row in (2, 3)}
    assert regions == {"'+Plus", "'-Minus"}

    as_csv = runner.invoke(app, ["compare", "--format", "csv"])
    rows = {row["branch_code"]: row for row in csv.DictReader(io.StringIO(as_csv.stdout))}
    assert rows["XX-01"]["branch_name"] == "'" + FORMULA_NAME
    assert rows["XX-02"]["region"] == "'-Minus"


@pytest.mark.usefixtures("on_demo")
@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--region", "Atlantis"], 1, "error: no audits or branches for region 'Atlantis'"),
        (["--kind", "guess"], 1, "error: unknown audit kind 'guess'"),
        (["--format", "xlsx"], 2, "error: --format xlsx writes a workbook"),
        (["--by", "weather"], 2, "weather"),
        (["--min-audits", "0"], 2, "greater than or equal to 1"),
        (["--from", "2026-13-01"], 2, "2026-13-01"),
    ],
)
def test_mistakes_exit_non_zero_with_one_line(args: list[str], code: int, words: str) -> None:
    result = runner.invoke(app, ["compare", *args])
    assert result.exit_code == code, result.output
    assert words in result.stderr
    assert "Traceback" not in result.output
    if code == 1:
        assert result.stderr.count("\n") == 1


@pytest.mark.usefixtures("on_demo")
def test_an_empty_selection_says_why_and_exits_zero(tmp_path: Path) -> None:
    table = runner.invoke(app, ["compare", "--from", "2030-01-01"])
    assert table.exit_code == 0, table.output
    assert "No submitted audits match (visits 2030-01-01 to …)" in table.stdout
    assert "stored audits run from 2025-12-" in table.stdout
    as_json = runner.invoke(app, ["compare", "--from", "2030-01-01", "--format", "json"])
    data = json.loads(as_json.stdout)
    assert data["rows"] == [] and "No submitted audits match" in data["summary"]["message"]
    assert "No submitted audits match" in as_json.stderr
    target = tmp_path / "empty.xlsx"
    as_xlsx = runner.invoke(
        app, ["compare", "--from", "2030-01-01", "--format", "xlsx", "-o", str(target)]
    )
    assert as_xlsx.exit_code == 0
    header = next(load_workbook(target)["Comparison"].iter_rows(values_only=True))
    assert list(header) == BRANCH_FIELDS


@pytest.mark.usefixtures("on_demo")
def test_json_can_go_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "regions.json"
    result = runner.invoke(
        app, ["compare", "--by", "region", "--format", "json", "-o", str(target)]
    )
    assert result.exit_code == 0 and f"Wrote {target}: 5 rows (region)." in result.stdout
    assert len(json.loads(target.read_text(encoding="utf-8"))["rows"]) == 5


def test_the_real_command_prints_json(on_demo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "audit_app", "compare", "--format", "json", "--by", "region"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [row["region"] for row in data["rows"]][:1] == ["Istanbul"]
    assert data["summary"]["by"] == "region"


def test_change_periods_without_by_change_are_refused(on_demo: None) -> None:
    result = runner.invoke(app, ["compare", "--change-from", "2026-01"])
    assert result.exit_code == 2
    assert "--change-from and --change-to choose the periods of --by change" in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--change-from", "2026-11", "--change-to", "2026-11"], "2026-11 is not before 2026-11"),
        (["--change-from", "2026-11", "--change-to", "2026-10"], "2026-11 is not before 2026-10"),
        (["--change-from", "2026-11"], "2026-11 is not before 2026-11"),
        (["--change-to", "2025-12"], "no month before 2025-12 to compare it with"),
    ],
)
def test_a_change_that_does_not_run_forward_is_refused(
    on_demo: None, args: list[str], said: str
) -> None:
    result = runner.invoke(app, ["compare", "--by", "change", *args])
    assert result.exit_code != 0 and said in result.output
    assert "Traceback" not in result.output
