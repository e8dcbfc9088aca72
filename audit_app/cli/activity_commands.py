"""``audit-app activity``: who logged in, submitted, imported and corrected, newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from audit_app.cli.app import app
from audit_app.cli.common import context, fail, guarded, plural, print_json, print_rows
from audit_app.cli.printer import say

COLUMNS = ["at", "actor", "action", "subject", "detail"]


@app.command("activity")
@guarded
def activity(
    action: Annotated[
        list[str] | None,
        typer.Option(
            "--action",
            help="log-in, log-in refused, submission, import, revision, appeal, "
            "appeal resolved or user (repeat for more).",
        ),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's entries.")] = None,
    since: Annotated[
        datetime | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="From this day (UTC), YYYY-MM-DD."),
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries.")] = 200,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The activity log (head office): log-ins, submissions, imports, corrections, appeals."""
    from audit_app.services.activity import ACTIONS, list_activity

    unknown = [a for a in action or [] if a not in ACTIONS]
    if unknown:
        raise fail(f"unknown --action {unknown[0]!r} (known: {', '.join(ACTIONS)})", code=2)
    entries = list_activity(
        context(), actions=tuple(action or ()), actor=user, since=since, limit=limit
    )
    rows: list[dict[str, Any]] = [
        {
            "at": entry.at,
            "actor": entry.actor,
            "action": entry.action,
            "subject": entry.subject,
            "detail": entry.detail if as_json else _detail(entry.detail),
        }
        for entry in entries
    ]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("No activity matches." if action or user or since else "No activity yet.")
        return
    print_rows(rows, COLUMNS)
    say(plural(len(rows), "entry", "entries"), err=True)


def _detail(detail: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in detail.items() if v not in (None, ""))
