"""``audit-app calendar`` and the ``plans coverage`` function (registered here on a
throwaway app: the ``plans`` group is wired where it is defined)."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
import typer
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.cli.coverage_commands import coverage_command
from audit_app.services.context import AppContext
from tests.coverage_world import World, build

runner = CliRunner()
plans = typer.Typer()
plans.command("coverage")(coverage_command)
plans.command("other")(lambda: None)  # two commands keep "coverage" a sub-command


@pytest.fixture
def world(ctx: AppContext) -> World:
    return build(ctx)


def test_help() -> None:
    for target, args in ((app, ["calendar", "--help"]), (plans, ["coverage", "--help"])):
        result = runner.invoke(target, args)
        assert result.exit_code == 0 and "Usage" in result.output


def test_an_auditors_calendar_file(world: World, tmp_path: Path) -> None:
    path = tmp_path / "laura.ics"
    result = runner.invoke(app, ["calendar", "Laura Fernandez", "-o", str(path)])
    assert result.exit_code == 0, result.output
    assert "Wrote 2 visits to" in result.stderr
    events = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        f"planned-visit-{slot}@audit-app" for slot in world.slots[:2]
    ]


def test_an_areas_calendar_as_json_summary(world: World, tmp_path: Path) -> None:
    path = tmp_path / "barcelona.ics"
    result = runner.invoke(app, ["calendar", "--area", "Barcelona", "-o", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["title"], summary["events"], summary["first_day"], summary["last_day"]) == (
        "Planned visits: Barcelona",
        4,
        "2026-01-12",
        "2026-03-10",
    )
    assert len(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")) == 4


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["calendar", "Nobody", "-o", "x.ics"], "error: no auditor called Nobody"),
        (["calendar", "-o", "x.ics"], "error: give an AUDITOR or --area"),
        (["calendar", "Laura Fernández"], "error: give -o FILE.ics"),
        (["calendar", "Laura Fernández", "-o", "x.pdf"], "a calendar is an .ics file"),
    ],
)
def test_refusals_are_one_line(args: list[str], reason: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert reason in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_coverage_as_json(world: World) -> None:
    result = runner.invoke(plans, ["coverage", "--on", "2026-02-10", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["plan"]["id"] == world.plan and data["today"] == "2026-02-10"
    assert data["total"] == {
        "planned": 6,
        "done": 2,
        "due": 2,
        "overdue": 2,
        "unassigned": 2,
        "branches": 3,
        "rankable": 1,
        "rankable_share": 1 / 3,
    }
    assert [(b["branch_code"], b["rankable"], b["still_needed"]) for b in data["branches"]] == [
        ("ES-01", True, 0),
        ("ES-02", False, 3),
        ("TR-01", False, 2),
    ]
    regional = runner.invoke(
        plans, ["coverage", str(world.plan), "--region", "Istanbul", "--on", "2026-02-10", "--json"]
    )
    assert [b["branch_code"] for b in json.loads(regional.stdout)["branches"]] == ["TR-01"]


def test_coverage_as_a_table(world: World) -> None:
    result = runner.invoke(plans, ["coverage", "--on", "2026-02-10"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"Plan {world.plan} 'Q1 phone shops' (published): Greeting: telephone, "
        "2026-01-01 to 2026-03-31; on 2026-02-10"
    )
    assert lines[-1] == (
        "Total: 2 done, 2 due, 2 overdue, 2 unassigned of 6 planned visits; "
        "1 of 3 branches can be ranked (33%, at least 3 audits in the period)"
    )


def test_coverage_without_a_plan_is_one_line(ctx: AppContext) -> None:
    result = runner.invoke(plans, ["coverage"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no published plan yet: create one and publish it"
