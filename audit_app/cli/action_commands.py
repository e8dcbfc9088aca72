"""``audit-app actions list|update``: the corrective actions audits created, and their work."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from audit_app.cli.app import actions_app
from audit_app.cli.common import context, fail, guarded, plural, print_json, print_rows
from audit_app.cli.printer import say

LIST_COLUMNS = ["id", "branch_code", "item", "critical", "due_on", "status", "owner", "overdue"]


@actions_app.command("list")
@guarded
def actions_list(
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="open, in_progress, done or verified (repeat for more)."),
    ] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Branch code.")] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only actions due before today and not done.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List corrective actions, most urgent first."""
    from audit_app.services.actions import ActionFilter, list_actions

    actions = list_actions(
        context(), ActionFilter(tuple(status) if status else None, branch, overdue)
    )
    rows = [action.to_dict() for action in actions]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say(
            "No corrective actions match."
            if status or branch or overdue
            else "No corrective actions yet: submitting an audit with failed items creates them."
        )
        return
    print_rows(rows, LIST_COLUMNS)
    overdue_count = sum(action.overdue for action in actions)
    say(f"{plural(len(rows), 'action')}, {overdue_count:,} overdue", err=True)


@actions_app.command("update")
@guarded
def actions_update(
    action_id: Annotated[int, typer.Argument(help="The action's number (see actions list).")],
    status: Annotated[
        str | None, typer.Option("--status", help="open, in_progress, done or verified.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who fixes it.")] = None,
    due: Annotated[
        datetime | None, typer.Option("--due", formats=["%Y-%m-%d"], help="Due day, YYYY-MM-DD.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was done or is needed.")] = None,
) -> None:
    """Change an action's status, owner, due date or note; each change is recorded."""
    from audit_app.services.actions import update_action

    if status is None and owner is None and due is None and note is None:
        raise fail("give at least one of --status, --owner, --due, --note", code=2)
    result = update_action(
        context(),
        action_id,
        status=status,
        owner=owner,
        due_on=due.date() if due else None,
        note=note,
    )
    action = result.action
    if not result.changed:
        say(f"Action #{action_id} already says so; nothing changed.")
        return
    say(
        f"Action #{action_id} ({action.branch_code}, {action.item_id}) changed: "
        f"{', '.join(result.changed)}. Now {action.status.value}, owner "
        f"{action.owner or '—'}, due {action.due_on}."
    )
