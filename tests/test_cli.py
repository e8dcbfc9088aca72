"""The command line contract: sub-commands, --json answers, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audit_app.cli import app

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real console entry point in a child process, as a user or a script runs it."""
    return subprocess.run(
        [sys.executable, "-m", "audit_app", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_every_command_has_help() -> None:
    for args in (
        ["--help"],
        ["demo", "--help"],
        ["serve", "--help"],
        ["scores", "--help"],
        ["score", "--help"],
        ["checklists", "validate", "--help"],
        ["branches", "import", "--help"],
        ["db", "check", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.output


def test_demo_then_scores_as_json() -> None:
    loaded = cli("demo", "--json")
    assert loaded.returncode == 0, loaded.stderr
    first = json.loads(loaded.stdout)
    assert first["branches_added"] >= 40 and first["audits_added"] > 1000
    again = json.loads(cli("demo", "--json").stdout)
    assert again["audits_added"] == 0 and again["audits_already_present"] == first["audits_added"]

    listed = cli("scores", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert len(rows) == first["audits_added"]
    needed = {
        "audit_id",
        "branch_code",
        "branch_name",
        "region",
        "language",
        "checklist_id",
        "checklist_version",
        "visited_at",
        "auditor",
        "overall",
        "grade",
        "passed",
        "critical_failure",
    }
    assert all(needed <= row.keys() for row in rows)
    assert all(0 <= row["overall"] <= 100 for row in rows)
    assert {row["language"] for row in rows} == {"ca", "ro", "tr"}

    one_branch = json.loads(
        cli("scores", "--branch", "ES-CAT-01", "--from", "2026-06-01", "--format", "json").stdout
    )
    assert one_branch and all(r["branch_code"] == "ES-CAT-01" for r in one_branch)
    assert all(r["visited_at"] >= "2026-06-01" for r in one_branch)

    as_csv = cli("scores", "--region", "Aegean", "--format", "csv").stdout.splitlines()
    assert as_csv[0].startswith("audit_id,branch_code,branch_name,region")
    assert all(",Aegean," in line for line in as_csv[1:])

    table = cli("scores", "--checklist", "charter")
    assert table.returncode == 0 and "charter" in table.stdout


def test_scores_on_an_empty_database_says_so() -> None:
    result = cli("scores")
    assert result.returncode == 0
    assert "No submitted audits match" in result.stdout


def test_checklists_list_show_validate() -> None:
    listed = json.loads(runner.invoke(app, ["checklists", "list", "--json"]).output)
    assert {row["id"] for row in listed} >= {"greeting_phone", "sourcing"}
    shown = runner.invoke(app, ["checklists", "show", "greeting_phone"])
    assert shown.exit_code == 0 and "answer.rings" in shown.output
    as_yaml = runner.invoke(app, ["checklists", "show", "sourcing", "--yaml"])
    assert as_yaml.output.startswith("id: sourcing")
    files = sorted(str(p) for p in (REPO / "checklists").glob("*.yaml"))
    valid = cli("checklists", "validate", *files)
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.count("ok ") == len(files)


def test_a_broken_checklist_file_is_rejected_with_place_and_reason(tmp_path: Path) -> None:
    text = (REPO / "checklists" / "greeting_phone.v1.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "greeting_phone.v1.yaml"
    broken.write_text(
        text.replace("direction: at_most", "direction: sideways", 1), encoding="utf-8"
    )
    result = cli(
        "checklists", "validate", str(broken), str(REPO / "checklists" / "charter.v1.yaml")
    )
    assert result.returncode == 1
    assert (
        f"error {broken}: sections[0].items[0].direction: Input should be 'at_most' or 'at_least'"
        in result.stderr
    )
    assert "1 of 2 checklist file(s) are invalid" in result.stderr
    assert "Traceback" not in result.stderr

    not_yaml = tmp_path / "x.v1.yaml"
    not_yaml.write_text("id: [unclosed\n", encoding="utf-8")
    result = cli("checklists", "validate", str(not_yaml))
    assert result.returncode == 1 and "not valid YAML" in result.stderr


def test_branches_import_from_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "branches.csv"
    path.write_text("code,name,region,country\nES-9,Sitges,Catalonia,ES\n", encoding="utf-8")
    result = cli("branches", "import", str(path), "--json")
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert {k: answer[k] for k in ("inserted", "updated", "unchanged", "dry_run")} == {
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "dry_run": False,
    }
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,region,country\nES-9,,Catalonia,ES\n", encoding="utf-8")
    result = cli("branches", "import", str(bad))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "row 2, column name" in result.stderr
    missing = cli("branches", "import", str(tmp_path / "nope.csv"))
    assert missing.returncode == 1 and "nope.csv: no such file" in missing.stderr


def test_db_upgrade_and_check() -> None:
    assert cli("db", "upgrade").returncode == 0
    checked = cli("db", "check")
    assert checked.returncode == 0 and "current" in checked.stdout


def test_db_check_fails_on_an_empty_database(tmp_path: Path) -> None:
    result = cli("db", "check", env={"AUDIT_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"})
    assert result.returncode == 1 and "run: audit-app db upgrade" in result.stderr


def test_an_unusable_database_url_is_one_line_without_the_password() -> None:
    result = cli("scores", env={"AUDIT_DATABASE_URL": "postgresql+nodriver://me:s3cret@db/x"})
    assert result.returncode == 1
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ")


@pytest.mark.parametrize("args", [["score", "--checklist", "no_such_list", "x.csv"]])
def test_unknown_names_are_clear(args: list[str], tmp_path: Path) -> None:
    answers = tmp_path / "x.csv"
    answers.write_text("item_id,value\n", encoding="utf-8")
    result = cli(*args[:-1], str(answers))
    assert result.returncode == 1
    assert "no checklist 'no_such_list' (known: charter, complaints" in result.stderr


def test_score_names_bad_values_and_missing_answers_together(tmp_path: Path) -> None:
    answers = tmp_path / "a.csv"
    answers.write_text(
        "item_id,value\nanswer.rings,eleven\nanswer.greeting,yes\n", encoding="utf-8"
    )
    result = cli("score", "--checklist", "greeting_phone", str(answers))
    assert result.returncode == 1
    assert (
        "line 2: 'eleven' is not an answer to 'Rings before the call is answered'" in result.stderr
    )
    assert "required answer missing: call.tone" in result.stderr
    assert "required answer missing: answer.rings" not in result.stderr


@pytest.mark.parametrize("debug", ["", "1"])
def test_audit_debug_shows_the_traceback_a_refusal_otherwise_hides(
    tmp_path: Path, debug: str
) -> None:
    """README, Configuration: ``AUDIT_DEBUG=1`` shows tracebacks instead of one-line errors
    (the command line's; the web app always shows the one line)."""
    result = cli(
        "verify",
        "--head",
        "not-a-head",
        env={"AUDIT_DATA_DIR": str(tmp_path), "AUDIT_DEBUG": debug},
    )
    assert result.returncode == 1
    assert "is not a trail head" in result.stderr
    if debug:
        assert "Traceback" in result.stderr and "BadHead" in result.stderr
    else:
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("error: ")


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["verify"]])
def test_a_setting_that_cannot_be_used_stops_every_command_naming_it(
    tmp_path: Path, command: list[str]
) -> None:
    """README, Configuration: ``serve`` too refuses in one line before it starts anything."""
    result = cli(*command, env={"AUDIT_DATA_DIR": str(tmp_path), "AUDIT_SESSION_HOURS": "abc"})
    assert result.returncode == 1
    assert "AUDIT_SESSION_HOURS='abc': Input should be a valid number" in result.stderr
    assert "Traceback" not in result.stderr
