"""audit-app audits history|revise|appeal|resolve and audit-app verify, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.services.activity import COMMAND_LINE, list_activity
from audit_app.services.context import AppContext
from audit_app.services.revisions import audit_history
from audit_app.services.users import add_user
from tests.services.test_revisions import submit, world  # noqa: F401
from tests.test_cli import cli

runner = CliRunner()


def test_revise_then_history_then_verify(world: AppContext, tmp_path: Path) -> None:  # noqa: F811
    add_user(world, "nuria", "head_office", "nuria's long password")
    audit_id = submit(world)
    answers = tmp_path / "fix.csv"
    answers.write_text("item_id,value,comment\ncall.tone,2,heard again\n", encoding="utf-8")

    refused = runner.invoke(app, ["audits", "revise", str(audit_id), "--answers", str(answers)])
    assert refused.exit_code == 1
    assert "error: a correction needs a reason" in refused.output

    made = runner.invoke(
        app,
        [
            "audits",
            "revise",
            str(audit_id),
            "--answers",
            str(answers),
            "--reason",
            "tone",
            "--by",
            "nuria",
        ],
    )
    assert made.exit_code == 0, made.output
    assert f"Audit #{audit_id} is now at revision 2" in made.output

    history = runner.invoke(app, ["audits", "history", str(audit_id), "--json"])
    assert history.exit_code == 0, history.output
    rows = json.loads(history.output)
    assert [(r["revision"], r["created_by"], r["reason"], r["current"]) for r in rows] == [
        (1, None, None, False),
        (2, "nuria", "tone", True),
    ]
    assert rows[0]["answers"]["call.tone"]["value"] == "5"
    assert rows[1]["answers"]["call.tone"] == {
        "value": "2",
        "comment": "heard again",
        "score": 0.25,
    }
    assert rows[1]["overall"] < rows[0]["overall"] == 100

    table = runner.invoke(app, ["audits", "history", str(audit_id)])
    assert "nuria" in table.output and "tone" in table.output

    clean = runner.invoke(app, ["verify"])
    assert clean.exit_code == 0 and clean.stdout.startswith("OK: 1 audits and 2 revisions")
    assert "Verifying audits and their trail: 1 of 1\n" in clean.stderr  # progress: stderr
    counted = json.loads(runner.invoke(app, ["verify", "--json"]).stdout)
    assert counted["ok"] and counted["branch_month_totals"] == 1  # the one audit's month
    assert counted["item_summaries"] > 1  # one per scored item of it


def test_appeal_and_resolve(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    raised = runner.invoke(app, ["audits", "appeal", str(audit_id), "--reason", "unfair"])
    assert raised.exit_code == 0 and "Appeal #1 recorded" in raised.output
    both = runner.invoke(app, ["audits", "resolve", "1", "--reason", "x"])
    assert both.exit_code == 2 and "--upheld or --rejected" in both.output
    rejected = runner.invoke(app, ["audits", "resolve", "1", "--rejected", "--reason", "no"])
    assert rejected.exit_code == 0 and "Appeal #1 rejected." in rejected.output
    listed = json.loads(runner.invoke(app, ["audits", "appeals", str(audit_id), "--json"]).output)
    assert [(a["status"], a["reason"], a["resolution"]) for a in listed] == [
        ("rejected", "unfair", "no")
    ]
    missing = runner.invoke(app, ["audits", "history", "999"])
    assert missing.exit_code == 1 and "no audit #999" in missing.output


def test_verify_fails_naming_a_changed_answer_in_the_real_cli(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    ok = cli("verify")
    assert ok.returncode == 0, ok.stderr
    with world.engine.begin() as conn:
        conn.execute(text("UPDATE answers SET value = '1' WHERE item_id = 'call.tone'"))
    broken = cli("verify")
    assert broken.returncode == 1
    lines = broken.stdout.splitlines()
    assert lines[0] == (
        f"audit #{audit_id} (ES-01, 2026-03-02 10:15): the stored answers no longer match "
        "revision 1 (answer call.tone changed)"
    )
    assert lines[1].startswith(
        f"audit #{audit_id} (ES-01, 2026-03-02 10:15): its stored scores do not follow from "
        "its answers (item call.tone score 1 stored, 0 from its answer;"
    )
    assert len(lines) == 3 and lines[2].startswith("Head reached: ")


def test_by_must_name_an_existing_user_and_is_logged_as_given_on_the_command_line(
    world: AppContext,  # noqa: F811
    tmp_path: Path,
) -> None:
    add_user(world, "nuria", "head_office", "nuria's long password")
    audit_id = submit(world)
    answers = tmp_path / "fix.csv"
    answers.write_text("item_id,value\ncall.tone,2\n", encoding="utf-8")
    revise = ["audits", "revise", str(audit_id), "--answers", str(answers), "--reason", "tone"]

    refused = runner.invoke(app, [*revise, "--by", "nobody"])
    assert refused.exit_code == 1
    assert "--by 'nobody': no user has that name" in refused.output
    appeal = runner.invoke(app, ["audits", "appeal", str(audit_id), "--reason", "x", "--by", "x1"])
    assert appeal.exit_code == 1 and "no user has that name" in appeal.output
    assert [r.revision for r in audit_history(world, audit_id)] == [1]  # nothing written
    raised = runner.invoke(app, ["audits", "appeal", str(audit_id), "--reason", "unfair"])
    assert raised.exit_code == 0, raised.output
    resolve = ["audits", "resolve", "1", "--rejected", "--reason", "no"]
    unknown = runner.invoke(app, [*resolve, "--by", "ghost"])
    assert unknown.exit_code == 1 and "--by 'ghost': no user has that name" in unknown.output
    assert [
        a["status"]
        for a in json.loads(
            runner.invoke(app, ["audits", "appeals", str(audit_id), "--json"]).output
        )
    ] == ["open"]  # still open: nothing written

    made = runner.invoke(app, [*revise, "--by", "nuria"])
    assert made.exit_code == 0, made.output
    entries = list_activity(world, actions=("revision", "appeal"))
    assert [(e.action, e.actor, e.detail.get("via")) for e in entries] == [
        ("revision", "nuria", COMMAND_LINE),
        ("appeal", COMMAND_LINE, None),
    ]
