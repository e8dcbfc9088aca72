"""``audit-app actions list|update``: the operator's view of corrective actions."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.domain.audit import AuditRecord
from audit_app.services.actions import action_history, list_actions
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.services.test_actions import BRANCHES, FAILING
from tests.services.test_audits import phone_answers, phone_visit

runner = CliRunner()


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    """Three actions at ES-01 (one critical), one at TR-01, visited on 2026-03-02."""
    save_branches(ctx, BRANCHES)
    when = datetime(2026, 3, 2, 10, 30)
    submit_audit(ctx, AuditRecord(phone_visit("ES-01", when), phone_answers(ctx, **FAILING)))
    hold = {"call.hold": "without_asking"}
    submit_audit(ctx, AuditRecord(phone_visit("TR-01", when), phone_answers(ctx, **hold)))
    return ctx


def _json(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["actions", "list", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_help() -> None:
    for args in (
        ["actions", "--help"],
        ["actions", "list", "--help"],
        ["actions", "update", "--help"],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0 and "Usage" in result.output


@pytest.mark.usefixtures("world")
def test_list_as_json_and_filtered() -> None:
    rows = _json()
    assert [(r["branch_code"], r["item_id"], r["due_on"]) for r in rows] == [
        ("ES-01", "answer.greeting", "2026-03-04"),
        ("ES-01", "call.clear_speech", "2026-03-16"),
        ("ES-01", "call.tone", "2026-03-16"),
        ("TR-01", "call.hold", "2026-03-16"),
    ]
    assert all(r["overdue"] and r["status"] == "open" for r in rows)  # long past today
    assert {r["branch_code"] for r in _json("--branch", "TR-01")} == {"TR-01"}
    assert len(_json("--overdue")) == 4
    assert _json("--status", "done") == []


@pytest.mark.usefixtures("world")
def test_list_as_a_table() -> None:
    result = runner.invoke(app, ["actions", "list", "--branch", "ES-01"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["id", "branch_code", "item"]
    assert "Greeting gives own name" in lines[1] and len(lines) == 4
    assert "3 actions, 3 overdue" in result.output
    empty = runner.invoke(app, ["actions", "list", "--status", "verified"])
    assert empty.exit_code == 0 and "No corrective actions match." in empty.output


def test_update_records_each_change(world: AppContext) -> None:
    action = list_actions(world)[0]
    result = runner.invoke(
        app,
        [
            "actions",
            "update",
            str(action.id),
            "--status",
            "in_progress",
            "--owner",
            "Pere",
            "--due",
            "2026-03-06",
            "--note",
            "New greeting card at the phone",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "changed: status, owner, due_on, note" in result.stdout
    events = action_history(world, action.id)
    assert [(e.by, e.field, e.new) for e in events] == [
        ("command line", "status", "in_progress"),
        ("command line", "owner", "Pere"),
        ("command line", "due_on", "2026-03-06"),
        ("command line", "note", "New greeting card at the phone"),
    ]
    assert list_actions(world)[0].due_on == date(2026, 3, 6)
    same = runner.invoke(app, ["actions", "update", str(action.id), "--owner", "Pere"])
    assert same.exit_code == 0 and "nothing changed" in same.stdout


@pytest.mark.usefixtures("world")
def test_update_failures_are_one_line() -> None:
    missing = runner.invoke(app, ["actions", "update", "999", "--status", "done"])
    assert missing.exit_code == 1 and missing.output.strip() == "error: no action #999"
    bad = runner.invoke(app, ["actions", "update", "1", "--status", "verified"])
    assert bad.exit_code == 1
    assert (
        bad.output.strip()
        == "error: action #1: an action that is open can move to done, in_progress only"
    )
    nothing = runner.invoke(app, ["actions", "update", "1"])
    assert nothing.exit_code == 2 and "give at least one of" in nothing.output
    bad_day = runner.invoke(app, ["actions", "update", "1", "--due", "6 March"])
    assert bad_day.exit_code == 2


def test_update_several_at_once_as_json_names_the_refused(world: AppContext) -> None:
    ids = [a.id for a in list_actions(world) if a.branch_code == "ES-01"]
    first = runner.invoke(app, ["actions", "update", str(ids[0]), "--status", "done"])
    assert first.exit_code == 0, first.output
    runner.invoke(app, ["actions", "update", str(ids[0]), "--status", "verified"])
    result = runner.invoke(
        app,
        ["actions", "update", *map(str, ids), "--owner", "Pere", "--status", "in_progress"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert f"refused: action #{ids[0]}: a verified action is final" in result.stderr
    assert result.stderr.strip().endswith("error: 1 action of 3 refused; 2 changed")
    again = runner.invoke(
        app, ["actions", "update", *map(str, ids[1:]), "--owner", "Anna", "--json"]
    )
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert [(row["id"], row["owner"], row["changed"]) for row in data["updated"]] == [
        (ids[1], "Anna", ["owner"]),
        (ids[2], "Anna", ["owner"]),
    ]
    assert data["refused"] == []
    assert [r["owner"] for r in _json("--owner", "anna")] == ["Anna", "Anna"]
    assert [r["branch_code"] for r in _json("--owner", "Ayşe Kaya")] == ["TR-01"]
    assert _json("--unassigned") == []


def test_list_the_actions_of_one_audit(world: AppContext) -> None:
    audit_id = next(a.audit_id for a in list_actions(world) if a.branch_code == "TR-01")
    assert [r["item_id"] for r in _json("--audit", str(audit_id))] == ["call.hold"]
