"""Terminal safety (issue #15): no command prints a control or bidi character it was given.

One world holds terminal attacks in every field people type or files bring: OSC 52 (write
the clipboard), ESC[2J (clear the screen), OSC 0 (retitle the window), CSI colours, the
8-bit CSI, BEL, a carriage return that overwrites the line, and bidi overrides that make a
line read backwards. Every command that prints such data runs over it; its whole output,
stdout and stderr, must hold none of those characters raw (each is shown as ``\\x1b``,
``\\u202e`` and so on), and its JSON must still parse to the exact text.

A guard test keeps it so: a command module that prints without ``audit_app.cli.printer``
fails it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audit_app import demo
from audit_app.cli import app as cli
from audit_app.config import Settings
from audit_app.domain import bounds
from audit_app.domain.audit import AuditRecord, Branch
from audit_app.domain.safe_text import BIDI_CONTROLS, terminal_lines, terminal_text
from audit_app.domain.users import Role, User
from audit_app.services.actions import ActionFilter, list_actions, update_action
from audit_app.services.audits import store_audits
from audit_app.services.branches import list_branches, save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.revisions import raise_appeal, revise_audit
from audit_app.services.users import add_user
from tests.databases import drop_database, make_settings, point_environment_at

runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]

CLIPBOARD = "\x1b]52;c;ZWNobyBvd25lZA==\x07"  # OSC 52: write "echo owned" to the clipboard
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;you have been owned\x07"
COLOUR = "\x1b[31;1mRED\x1b[0m"
CSI8 = "\x9b2J"
BIDI = "\u202eevil\u202c \u2066txt.exe\u2069 \u200f\u061c"
ATTACK = f"{CLIPBOARD}{CLEAR}{TITLE}{COLOUR}{CSI8}\a\r{BIDI}"

NAME = f"Shop {ATTACK}"
REGION = f"Region {TITLE}{BIDI}"
AUDITOR = f"Auditor {CLIPBOARD}{COLOUR}"
COMMENT = f"Comment {ATTACK}"
DISPLAY = f"Eve {TITLE}{BIDI}"
REASON = f"Reason {CLEAR}{BIDI}"
OWNER = f"Owner {CLIPBOARD}"
CELL = f"yes{CLIPBOARD}{CLEAR}"
"""An answer cell the import rejects: its value is printed in the problem."""
FILE_NAME = f"visits{TITLE}.csv"
HEADER = f"Store{BIDI}"

UNSAFE = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u2028\\u2029{BIDI_CONTROLS}]")
"""Every control character but tab and line feed, and every bidi control."""

BRANCHES = [
    Branch(code="ZZ-01", name=NAME, region=REGION, area="Hostile", country="ES", manager=NAME),
    Branch(code="ZZ-02", name=f"Other {BIDI}", region=REGION, area="Hostile", country="ES"),
]
HQ = User(username="hq", role=Role.HEAD_OFFICE)


@dataclass(frozen=True)
class World:
    settings: Settings
    audit_id: int
    good_csv: Path
    bad_csv: Path
    agency_csv: Path


def _records(ctx: AppContext) -> list[AuditRecord]:
    data = demo.generate([ctx.catalogue.get("greeting_phone")])
    return [
        AuditRecord(
            replace(record.visit, branch_code=BRANCHES[i % 2].code, auditor=AUDITOR),
            tuple(replace(a, comment=COMMENT) for a in record.answers),
        )
        for i, record in enumerate(data.audits[:12])
    ]


def _import_rows(ctx: AppContext, day: date, value: str | None = None) -> str:
    """A long CSV of one visit of ZZ-01 by the hostile auditor; ``value`` spoils one cell."""
    checklist = ctx.catalogue.get("greeting_phone")
    record = next(r for r in demo.generate([checklist]).audits)
    lines = ["branch_code,checklist_id,visited_at,auditor,item_id,value,comment"]
    for answer in record.answers:
        shown = "N/A" if answer.na else str(answer.value).replace("True", "Yes")
        shown = shown.replace("False", "No") if answer.value is not None else ""
        if value is not None and isinstance(answer.value, bool):
            shown, value = value, None
        cells = ["ZZ-01", checklist.id, f"{day}T10:00", AUDITOR, answer.item_id, shown, COMMENT]
        lines.append(",".join(f'"{c}"' for c in cells))
    return "\n".join(lines) + "\n"


def _build(settings: Settings, folder: Path) -> World:
    """The world as a database written before the input bounds (issue #15) would hold it:
    control characters the services now refuse are stored, and must still never reach a
    terminal."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bounds, "_refuse_control", lambda *args: None)
        return _build_unbounded(settings, folder)


def _build_unbounded(settings: Settings, folder: Path) -> World:
    ctx = open_context(settings)
    try:
        save_branches(ctx, BRANCHES)
        ids = store_audits(ctx, _records(ctx)).ids
        audit_id = ids[0]
        head_office = ctx.as_user(HQ)
        add_user(ctx, "hq", "head_office", "a long enough password", display_name=DISPLAY)
        add_user(ctx, "eve", "viewer", "a long enough password", display_name=DISPLAY)
        from audit_app.services.revisions import audit_history

        answers = list(audit_history(ctx, audit_id)[-1].answers.values())
        changed = next(i for i, a in enumerate(answers) if isinstance(a.value, bool))
        answers[changed] = replace(answers[changed], value=not answers[changed].value)
        revise_audit(head_office, audit_id, answers, REASON)
        raise_appeal(head_office, audit_id, REASON)
        for action in list_actions(ctx, ActionFilter(None, "ZZ-01"))[:2]:
            update_action(ctx, action.id, owner=OWNER, note=COMMENT)
        day = date.today() - timedelta(days=10)
        good = folder / FILE_NAME
        good.write_text(_import_rows(ctx, day), encoding="utf-8")
        bad = folder / f"bad{CLEAR}.csv"
        bad.write_text(_import_rows(ctx, day - timedelta(days=1), CELL), encoding="utf-8")
        agency = folder / "agency.csv"
        agency.write_text(
            f'"{HEADER}","Visit date","Inspector {TITLE}"\nZZ-01,2026-05-04,"{AUDITOR}"\n',
            encoding="utf-8",
        )
        return World(settings, audit_id, good, bad, agency)
    finally:
        ctx.engine.dispose()


@pytest.fixture(scope="module")
def world_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("terminal")
    settings = make_settings("sqlite", folder / "data")
    yield _build(settings, folder)
    drop_database(settings.resolved_database_url)


@pytest.fixture
def world(world_settings: World, monkeypatch: pytest.MonkeyPatch) -> World:
    point_environment_at(world_settings.settings, monkeypatch)
    return world_settings


def run(*args: str | Path, code: int | None = 0) -> str:
    """The command's stdout and stderr; fails on any raw control or bidi character."""
    result = runner.invoke(cli, [str(a) for a in args])
    output = result.stdout + result.stderr
    if code is not None:
        assert result.exit_code == code, (args, output, result.exception)
    raw = sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(output)})
    assert raw == [], f"{' '.join(map(str, args))} printed raw {raw}"
    return result.stdout


def _every_command(world: World, out: Path) -> list[tuple[tuple[str | Path, ...], int | None]]:
    """Every command that prints names, comments, reasons, cells or file names."""
    audit = str(world.audit_id)
    return [
        (("import", world.good_csv, "--dry-run"), None),  # refused now: control characters
        (("import", world.bad_csv, "--dry-run"), 1),
        (("import", world.bad_csv), 1),
        (("import", world.good_csv, world.bad_csv, "--dry-run"), 1),
        (("import", world.bad_csv, "--json"), 1),
        (("scores",), 0),
        (("scores", "--format", "csv"), 0),
        (("scores", "--format", "json"), 0),
        (("audits", "history", audit), 0),
        (("audits", "history", audit, "--json"), 0),
        (("audits", "appeals", audit), 0),
        (("actions", "list"), 0),
        (("actions", "list", "--json"), 0),
        (("activity",), 0),
        (("activity", "--json"), 0),
        (("users", "list"), 0),
        (("users", "list", "--json"), 0),
        (("branches", "list"), 0),
        (("compare", "--min-audits", "1"), 0),
        (("compare", "--by", "region", "--min-audits", "1"), 0),
        (("compare", "--by", "auditor", "--min-audits", "1"), 0),
        (("compare", "--min-audits", "1", "--format", "csv"), 0),
        (("compare", "--min-audits", "1", "--format", "json"), 0),
        (("mapping", "suggest", world.agency_csv, "--checklist", "greeting_phone"), 0),
        (("mapping", "suggest", world.agency_csv, "--checklist", "greeting_phone", "--json"), 0),
        (("mapping", "suggest", world.agency_csv, "--checklist", "greeting_phone", "--save"), 0),
        (("mapping", "show", "agency"), 0),
        (("mapping", "list"), 0),
        (("report", "audit", audit, "-o", out / f"a{TITLE}.pdf"), 0),
        (("report", "branch", "ZZ-01", "-o", out / "b.pdf"), 0),
        (("scores", "--region", REGION), 0),
        (("audits", "revise", audit, "--reason", "x", "--by", f"no{CLIPBOARD}"), None),
        (("verify",), 0),
    ]


def test_no_command_prints_a_raw_control_or_bidi_character(world: World, tmp_path: Path) -> None:
    for args, code in _every_command(world, tmp_path):
        run(*args, code=code)


def test_the_attacks_are_shown_not_dropped(world: World) -> None:
    """Escaped, not removed: the reader sees that the name holds an escape sequence."""
    listed = run("branches", "list")
    assert "\\x1b]52;c;ZWNobyBvd25lZA==\\x07" in listed and "\\u202eevil" in listed
    rejected = runner.invoke(cli, ["import", str(world.bad_csv)])
    assert "\\x1b]52;c;" in rejected.stderr and "\\x1b[2J" in rejected.stderr


def test_json_answers_parse_back_to_the_exact_text(world: World) -> None:
    branches = json.loads(run("scores", "--format", "json"))
    assert {row["auditor"] for row in branches} == {AUDITOR}
    compared = json.loads(run("compare", "--min-audits", "1", "--format", "json"))
    stored = {branch.name for branch in list_branches(open_context(world.settings))}
    assert NAME.replace("\r", " ") in stored  # a line break in a name is stored as a space
    assert NAME.replace("\r", " ") in {
        row.get("branch_name") or row.get("name") for row in compared["rows"]
    }
    users = json.loads(run("users", "list", "--json"))
    assert DISPLAY in {user["display_name"] for user in users}


def test_click_usage_errors_are_escaped_too() -> None:
    """A value Click itself refuses is repeated in its message; that goes through the
    printer as well (the real entry point, in a child process)."""
    from tests.test_cli import cli as real_cli

    refused = real_cli("scores", "--from", ATTACK)
    assert refused.returncode == 2
    assert UNSAFE.findall(refused.stdout + refused.stderr) == []


# --------------------------------------------------------------------------- the escaping


def test_terminal_lines_keeps_the_layout_and_shows_the_rest() -> None:
    assert terminal_lines("a\tb\nc") == "a\tb\nc"
    assert terminal_lines("over\rwrite") == "over\\x0dwrite"
    assert terminal_lines(CLIPBOARD) == "\\x1b]52;c;ZWNobyBvd25lZA==\\x07"
    assert terminal_lines("\u202eabc\u2066") == "\\u202eabc\\u2066"
    assert terminal_text("\u200f\u061c\u2028") == "\\u200f\\u061c\\u2028"
    assert terminal_lines("Gràcia · İstanbul · العربية") == "Gràcia · İstanbul · العربية"


# --------------------------------------------------------------------------- the guard

PRINTING = re.compile(
    r"\b(typer\.echo|typer\.secho|click\.echo|print|console\.print|rich\.print|"
    r"sys\.std(out|err)\.write|typer\.progressbar|os\.write)\s*\("
)


def test_every_cli_module_prints_through_the_printer() -> None:
    found = []
    for module in sorted((REPO / "audit_app" / "cli").glob("*.py")):
        if module.name == "printer.py":
            continue
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1):
            if PRINTING.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{module.name}:{number}: {line.strip()}")
    assert found == [], "print through audit_app.cli.printer:\n" + "\n".join(found)


def test_the_guard_catches_a_direct_print() -> None:
    for line in ('typer.echo(f"{name}")', "print(x)", "sys.stdout.write(t)", "console.print(r)"):
        assert PRINTING.search(line), line
    assert not PRINTING.search("say(text)") and not PRINTING.search("print_rows(rows, columns)")
