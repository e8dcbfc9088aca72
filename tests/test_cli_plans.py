"""``audit-app plans create|show|list|publish|move|delete``: visit plans from the command line."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.services.context import AppContext
from tests.services.plan_world import build, phone_call

runner = CliRunner()
CREATE = [
    "plans",
    "create",
    "--checklist",
    "greeting_phone",
    "--from",
    "2026-07-01",
    "--to",
    "2026-09-30",
    "--need",
    "phone=2",
]


@pytest.fixture
def world(ctx: AppContext) -> dict[str, int]:
    return build(ctx)


def _json(*args: str) -> Any:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_help() -> None:
    for command in ([], ["create"], ["show"], ["list"], ["publish"], ["move"], ["delete"]):
        result = runner.invoke(app, ["plans", *command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_create_show_list_publish(world: dict[str, int]) -> None:
    created = _json(*CREATE, "--area", "Barcelona", "--need", "in_person=1", "--name", "Q3")
    assert {k: v for k, v in created.items() if k != "visits"} == {
        "id": 1,
        "name": "Q3",
        "checklist_id": "greeting_phone",
        "checklist_title": "Greeting: telephone",
        "starts_on": "2026-07-01",
        "ends_on": "2026-09-30",
        "scope": {"regions": [], "areas": ["Barcelona"], "branches": []},
        "needs": [{"channel": "phone", "visits": 2}, {"channel": "in_person", "visits": 1}],
        "lockout_days": 30,
        "status": "draft",
        "created_by": "command line",
        "published_by": None,
    }
    visits = created["visits"]
    assert sorted((v["branch_code"], v["channel"]) for v in visits) == [
        ("ES-01", "in_person"),
        ("ES-01", "phone"),
        ("ES-01", "phone"),
        ("ES-02", "in_person"),
        ("ES-02", "phone"),
        ("ES-02", "phone"),
    ]
    # never Jordi at ES-01 (its manager) nor Marta in Barcelona (its area manager)
    assert not [v for v in visits if (v["branch_code"], v["auditor"]) == ("ES-01", "Jordi Vidal")]
    assert "Marta Puig" not in {v["auditor"] for v in visits}
    # Laura alone may shop ES-01, three times in a quarter: one falls in her lockout
    assert [(v["branch_code"], v["unassigned"]) for v in visits if v["auditor"] is None] == [
        ("ES-01", "lockout")
    ]
    assert _json("plans", "show", "1") == created
    table = runner.invoke(app, ["plans", "show", "1"])
    assert table.exit_code == 0
    assert "Plan #1 'Q3' (draft)" in table.stdout and "areas Barcelona" in table.stdout
    assert _json("plans", "list") == [
        {
            "id": 1,
            "name": "Q3",
            "checklist_id": "greeting_phone",
            "starts_on": "2026-07-01",
            "ends_on": "2026-09-30",
            "status": "draft",
            "visits": 6,
            "filled": 0,
            "unassigned": 1,
        }
    ]
    published = runner.invoke(app, ["plans", "publish", "1"])
    assert (published.exit_code, published.stdout) == (0, "Published plan #1.\n")
    again = runner.invoke(app, ["plans", "publish", "1"])
    assert again.exit_code == 1
    assert again.stderr == "error: visit plan #1 is already published\n"


def test_publish_counts_visits_already_made(ctx: AppContext, world: dict[str, int]) -> None:
    _json(*CREATE, "--branch", "ES-02")
    phone_call(ctx, "ES-02", datetime(2026, 7, 20, 10))
    published = runner.invoke(app, ["plans", "publish", "1"])
    assert published.stdout == "Published plan #1. 1 visit already made filled its slots.\n"
    assert [v["audit_id"] is not None for v in _json("plans", "show", "1")["visits"]] == [
        True,
        False,
    ]


def test_move_and_delete(world: dict[str, int]) -> None:
    visits = _json(*CREATE, "--branch", "ES-01")["visits"]
    first = visits[0]
    refused = runner.invoke(
        app, ["plans", "move", str(first["id"]), "--auditor", str(world["Jordi Vidal"])]
    )
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: Jordi Vidal manages Gràcia (ES-01): a mystery shop there needs someone else\n"
    )
    moved = runner.invoke(app, ["plans", "move", str(first["id"]), "--on", "2026-07-03"])
    assert moved.exit_code == 0, moved.output
    assert moved.stdout.startswith(f"Planned visit #{first['id']} (ES-01): 2026-07-03, due by ")
    assert runner.invoke(app, ["plans", "move", "1"]).exit_code == 2
    deleted = runner.invoke(app, ["plans", "delete", "1"])
    assert (deleted.exit_code, deleted.stdout) == (0, "Deleted draft plan #1.\n")
    assert _json("plans", "list") == []


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--need", "phone"], 2, "error: --need 'phone': write CHANNEL=VISITS, e.g. in_person=2"),
        (["--need", "pigeon=1"], 1, "error: unknown channel 'pigeon'"),
        (["--branch", "XX-9"], 1, "error: unknown branch code 'XX-9'"),
        (["--to", "2026-06-01"], 1, "error: the period is reversed"),
    ],
)
def test_refusals_are_one_line(args: list[str], code: int, message: str) -> None:
    result = runner.invoke(app, [*CREATE, *args])
    assert result.exit_code == code
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert _json("plans", "list") == []


def test_publish_move_and_delete_answer_in_json(ctx: AppContext, world: dict[str, int]) -> None:
    visits = _json(*CREATE, "--branch", "ES-02")["visits"]
    moved = _json("plans", "move", str(visits[0]["id"]), "--on", "2026-07-04")
    assert (moved["id"], moved["planned_on"]) == (visits[0]["id"], "2026-07-04")
    _json(*CREATE, "--branch", "ES-02")
    assert _json("plans", "delete", "2") == {"plan_id": 2, "deleted": True}
    phone_call(ctx, "ES-02", datetime(2026, 7, 20, 10))
    assert _json("plans", "publish", "1") == {
        "plan_id": 1,
        "status": "published",
        "filled_at_publish": 1,
    }
