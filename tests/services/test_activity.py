"""The activity log for head office, and secrets kept out of every log and message: log-ins
(refused ones too), submissions, imports, revisions and appeals are recorded with who, what
and when; no password, session token or database password is ever written or shown."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import datetime

import pytest

from audit_app.domain.audit import AuditRecord, Branch, Visit
from audit_app.domain.users import Role, User
from audit_app.services.access import AccessDenied
from audit_app.services.activity import list_activity
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.imports import import_bytes
from audit_app.services.revisions import raise_appeal, resolve_appeal, revise_audit
from audit_app.services.sessions import start_session
from audit_app.services.users import add_user, authenticate, set_password
from tests.helpers import database_snapshot
from tests.services.test_revisions import good_answers

PASSWORD = "correct-horse-battery-staple"
HQ = User(username="hq", role=Role.HEAD_OFFICE)
GUEST = User(username="guest", role=Role.VIEWER)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(
        ctx,
        [
            Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
            Branch(code="TR-01", name="Kadıköy", region="Istanbul", country="TR"),
        ],
    )
    add_user(ctx, "marta", "area_manager", PASSWORD, areas=["Barcelona"])
    return ctx


def visit(day: int) -> Visit:
    return Visit("ES-01", "greeting_phone", 1, datetime(2026, 3, day, 10, 15), "Ann")


def test_log_ins_are_recorded_and_a_refused_one_says_why(world: AppContext) -> None:
    assert authenticate(world, "marta", PASSWORD) is not None
    assert authenticate(world, "marta", "wrong") is None
    assert authenticate(world, PASSWORD, PASSWORD) is None  # a password typed as the name
    entries = list_activity(world.as_user(HQ), actions=("log-in", "log-in refused"))
    assert [(e.action, e.actor, e.detail.get("why")) for e in entries] == [
        ("log-in refused", "(unknown name)", "unknown user name"),
        ("log-in refused", "marta", "wrong password"),
        ("log-in", "marta", None),
    ]
    assert all(PASSWORD not in repr(e) for e in entries)


def test_submissions_revisions_appeals_and_imports_are_recorded(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    audit_id, _ = submit_audit(marta, AuditRecord(visit(2), tuple(good_answers(world))))
    revise_audit(marta, audit_id, good_answers(world, **{"call.tone": 2}), "tone misheard")
    appeal = raise_appeal(marta, audit_id, "the branch disagrees")
    resolve_appeal(world.as_user(HQ), appeal.appeal_id, False, "the recording confirms it")
    rows = ["branch_code,checklist_id,visited_at,auditor,item_id,value"] + [
        f"ES-01,greeting_phone,2026-03-09T10:00,Bo,{a.item_id},"
        + ("N/A" if a.na else str(a.value).replace("True", "Yes").replace("False", "No"))
        for a in good_answers(world)
    ]
    imported = import_bytes(marta, "march.csv", "\n".join(rows).encode())
    assert imported.status == "imported"
    entries = list_activity(world.as_user(HQ))
    assert [(e.action, e.actor, e.subject) for e in entries] == [
        ("import", "marta", "march.csv"),
        ("appeal resolved", "hq", f"audit #{audit_id}"),
        ("appeal", "marta", f"audit #{audit_id}"),
        ("revision", "marta", f"audit #{audit_id}"),
        ("submission", "marta", f"audit #{audit_id}"),
        ("user", "command line", "marta"),
    ]
    by_action = {e.action: e.detail for e in entries}
    assert by_action["submission"]["branch"] == "ES-01"
    assert by_action["revision"] == {"revision": 2, "reason": "tone misheard"}
    assert by_action["appeal resolved"]["outcome"] == "rejected"
    assert by_action["import"]["audits_added"] == 1
    logged = by_action["import"]  # where every row of the file went, in the log
    assert logged["rows_read"] == (
        logged["rows_imported"] + logged["rows_already_present"] + logged["rows_skipped"]
    )
    assert logged["rows_rejected"] == 0 and logged["rows_imported"] >= 1
    assert list_activity(world.as_user(HQ), actions=("import",), actor="marta")[0].subject == (
        "march.csv"
    )


def test_a_rejected_import_or_a_refused_write_records_nothing(world: AppContext) -> None:
    before = database_snapshot(world)
    bad = (
        "branch_code,checklist_id,visited_at,auditor,item_id,value\n"
        "ES-01,greeting_phone,x,Bo,call.tone,9\n"
    )
    assert import_bytes(world.as_user(MARTA), "bad.csv", bad.encode()).status == "rejected"
    with pytest.raises(AccessDenied):
        submit_audit(world.as_user(GUEST), AuditRecord(visit(3), tuple(good_answers(world))))
    assert database_snapshot(world) == before


def test_only_head_office_reads_the_activity_log(world: AppContext) -> None:
    for user in (MARTA, GUEST):
        with pytest.raises(AccessDenied, match="only head office can read the activity log"):
            list_activity(world.as_user(user))


def test_no_secret_reaches_a_log_or_a_message(
    world: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    new_password = "another-long-secret-2026"
    set_password(world, "marta", new_password)
    authenticate(world, "marta", PASSWORD)  # the old one: refused
    user = authenticate(world, "marta", new_password)
    assert user is not None
    token = start_session(world, user, "password")
    everything = caplog.text + repr(list_activity(world.as_user(HQ)))
    for secret in (PASSWORD, new_password, token):
        assert secret not in everything
    assert "log-in refused" in caplog.text  # the structured log line was written
    # A database password never appears in what the command line prints.
    failed = subprocess.run(
        [sys.executable, "-m", "audit_app", "scores"],
        env={"AUDIT_DATABASE_URL": "postgresql+psycopg://audit:s3cr3t-pw@127.0.0.1:1/audit"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert failed.returncode == 1
    assert "s3cr3t-pw" not in failed.stdout + failed.stderr
    assert "Traceback" not in failed.stderr and failed.stderr.startswith("error: ")


def test_the_command_line_prints_the_log(world: AppContext) -> None:
    authenticate(world, "marta", "wrong")
    shown = subprocess.run(
        [sys.executable, "-m", "audit_app", "activity", "--action", "log-in refused"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert "log-in refused" in shown.stdout and "why=wrong password" in shown.stdout
    assert "1 entry" in shown.stderr
    unknown = subprocess.run(
        [sys.executable, "-m", "audit_app", "activity", "--action", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unknown.returncode == 2 and "unknown --action 'nope'" in unknown.stderr


def test_each_entry_is_one_json_line_on_the_activity_logger(
    world: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    """README: each entry is also one JSON log line on the logger ``audit_app.activity``,
    for the operator's log collection; the same facts as the stored entry."""
    import json

    with caplog.at_level(logging.INFO, logger="audit_app.activity"):
        authenticate(world, "marta", PASSWORD)
        authenticate(world, "marta", "wrong")
    lines = [r for r in caplog.records if r.name == "audit_app.activity"]
    assert len(lines) == 2
    parsed = [json.loads(r.getMessage()) for r in lines]
    assert [(p["action"], p["actor"]) for p in parsed] == [
        ("log-in", "marta"),
        ("log-in refused", "marta"),
    ]
    assert parsed[1]["why"] == "wrong password"
    assert all(datetime.fromisoformat(p["at"]) for p in parsed)
    assert all(PASSWORD not in r.getMessage() for r in lines)
