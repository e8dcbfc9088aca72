"""``audit-app auditors list|add|merge`` on both engines: JSON answers, one-line refusals
with a non-zero exit, and a merge that moves the visits."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.domain.audit import AuditRecord
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.services.test_audits import BRANCHES, phone_answers, phone_visit

runner = CliRunner()


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def _ok(*args: str) -> str:
    result = runner.invoke(app, ["auditors", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_help() -> None:
    for args in (
        ["auditors", "--help"],
        ["auditors", "merge", "--help"],
        ["auditors", "update", "--help"],
    ):
        assert runner.invoke(app, args).exit_code == 0


def test_add_and_list_as_json(world: AppContext) -> None:
    added = json.loads(
        _ok(
            "add",
            "Laura Fernández",
            "--kind",
            "agency",
            "--organisation",
            "Client Ocult SL",
            "--area",
            "Nord",
            "--json",
        )
    )
    assert added == {
        "id": added["id"],
        "name": "Laura Fernández",
        "kind": "agency",
        "organisation": "Client Ocult SL",
        "email": "",
        "username": None,
        "areas": ["Nord"],
        "active": True,
        "merged_into": None,
    }
    assert "Added auditor" in _ok("add", "Jordi Puig")
    listed = json.loads(_ok("list", "--json"))
    assert [a["name"] for a in listed] == ["Jordi Puig", "Laura Fernández"]
    table = _ok("list")
    assert "Laura Fernández" in table and "agency" in table


def test_refusals_are_one_line_and_exit_non_zero(world: AppContext) -> None:
    _ok("add", "Laura Fernández")
    twice = runner.invoke(app, ["auditors", "add", "laura fernández"])
    assert twice.exit_code == 1
    assert twice.output == (
        "error: 'laura fernández' is already the auditor 'Laura Fernández' (#1)\n"
    )
    near = runner.invoke(app, ["auditors", "add", "Laura Fernandez"])
    assert near.exit_code == 1 and len(near.output.splitlines()) == 1
    assert "is close to the auditor 'Laura Fernández': same person?" in near.output
    assert "--force" in near.output
    _ok("add", "Laura Fernandez", "--force")
    bad_kind = runner.invoke(app, ["auditors", "add", "Ann", "--kind", "freelance"])
    assert bad_kind.exit_code == 1 and "unknown auditor kind" in bad_kind.output
    unknown = runner.invoke(app, ["auditors", "merge", "Nobody", "Laura Fernández"])
    assert unknown.exit_code == 1 and "no auditor named 'Nobody'" in unknown.output


def test_merge_moves_the_visits(world: AppContext) -> None:
    for hour, name in ((9, "Jordi Puig"), (10, "Jordi Puigg"), (11, "Jordi Puigg")):
        visit = phone_visit(when=datetime(2026, 3, 2, hour), auditor=name)
        submit_audit(world, AuditRecord(visit, phone_answers(world)))
    merged = json.loads(_ok("merge", "Jordi Puigg", "Jordi Puig", "--json"))
    assert (merged["source"]["name"], merged["into"]["name"]) == ("Jordi Puigg", "Jordi Puig")
    assert (merged["audits_moved"], merged["planned_visits_moved"]) == (2, 0)
    assert merged["source"]["merged_into"] == merged["into"]["id"]
    assert [a["name"] for a in json.loads(_ok("list", "--all", "--json"))] == ["Jordi Puig"]
    again = runner.invoke(app, ["auditors", "merge", "Jordi Puigg", "Jordi Puig"])
    assert again.exit_code == 1 and "nothing to merge" in again.output


def test_update_changes_only_the_options_given(world: AppContext) -> None:
    _ok("add", "Laura Fernández", "--organisation", "Client Ocult SL", "--area", "Nord")
    changed = json.loads(
        _ok(
            "update",
            "laura fernández",
            "--kind",
            "agency",
            "--area",
            "Sud",
            "--area",
            "Est",
            "--username",
            "laura",
            "--inactive",
            "--json",
        )
    )
    assert changed == {
        "id": changed["id"],
        "name": "Laura Fernández",
        "kind": "agency",
        "organisation": "Client Ocult SL",
        "email": "",
        "username": "laura",
        "areas": ["Sud", "Est"],
        "active": False,
        "merged_into": None,
    }
    assert json.loads(_ok("list", "--json")) == []
    again = _ok("update", f"#{changed['id']}", "--active", "--anywhere", "--username", "")
    assert (
        again == f"Changed auditor #{changed['id']} Laura Fernández (agency, anywhere, active).\n"
    )
    listed = json.loads(_ok("list", "--json"))
    assert [(a["areas"], a["username"], a["active"]) for a in listed] == [([], None, True)]


def test_update_refusals_are_one_line(world: AppContext) -> None:
    _ok("add", "Laura Fernández")
    unknown = runner.invoke(app, ["auditors", "update", "Nobody", "--inactive"])
    assert (unknown.exit_code, unknown.output) == (1, "error: no auditor named 'Nobody'\n")
    bad_kind = runner.invoke(app, ["auditors", "update", "Laura Fernández", "--kind", "x"])
    assert bad_kind.exit_code == 1 and len(bad_kind.output.splitlines()) == 1
    both = runner.invoke(app, ["auditors", "update", "1", "--area", "Sud", "--anywhere"])
    assert (both.exit_code, both.output) == (1, "error: give --area or --anywhere, not both\n")
