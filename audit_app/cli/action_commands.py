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
    owner: Annotated[
        list[str] | None, typer.Option("--owner", help="Only this owner's (repeat for more).")
    ] = None,
    unassigned: Annotated[
        bool, typer.Option("--unassigned", help="Only actions nobody owns yet.")
    ] = False,
    audit: Annotated[
        int | None, typer.Option("--audit", help="Only the actions this audit opened.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List corrective actions: overdue first, then due soonest."""
    from audit_app.services.actions import UNASSIGNED, ActionFilter, list_actions

    owners = [*(owner or []), *([UNASSIGNED] if unassigned else [])]
    actions = list_actions(
        context(),
        ActionFilter(
            tuple(status) if status else None,
            branch,
            overdue,
            owners=tuple(owners) if owners else None,
            audit_id=audit,
        ),
    )
    rows = [action.to_dict() for action in actions]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say(
            "No corrective actions match."
            if status or branch or overdue or owners or audit is not None
            else "No corrective actions yet: submitting an audit with failed items creates them."
        )
        return
    print_rows(rows, LIST_COLUMNS)
    overdue_count = sum(action.overdue for action in actions)
    say(f"{plural(len(rows), 'action')}, {overdue_count:,} overdue", err=True)


@actions_app.command("update")
@guarded
def actions_update(
    action_ids: Annotated[
        list[int], typer.Argument(help="The actions' numbers (see actions list); one or more.")
    ],
    status: Annotated[
        str | None, typer.Option("--status", help="open, in_progress, done or verified.")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Who fixes it.")] = None,
    due: Annotated[
        datetime | None, typer.Option("--due", formats=["%Y-%m-%d"], help="Due day, YYYY-MM-DD.")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was done or is needed.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Change the status, owner, due date or note of one or more actions in one go (one
    transaction); each change is recorded, and an action the rules refuse is named."""
    from audit_app.services.actions import update_action, update_actions

    if status is None and owner is None and due is None and note is None:
        raise fail("give at least one of --status, --owner, --due, --note", code=2)
    due_on = due.date() if due else None
    if len(action_ids) == 1 and not as_json:
        action_id = action_ids[0]
        result = update_action(
            context(), action_id, status=status, owner=owner, due_on=due_on, note=note
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
        return
    bulk = update_actions(
        context(), action_ids, status=status, owner=owner, due_on=due_on, note=note
    )
    if as_json:
        print_json(
            {
                "updated": [
                    {**u.action.to_dict(), "changed": list(u.changed)} for u in bulk.updated
                ],
                "refused": [r.to_dict() for r in bulk.refused],
            }
        )
    else:
        for update in bulk.updated:
            action = update.action
            what = ", ".join(update.changed) if update.changed else "nothing (already so)"
            say(f"Action #{action.id} ({action.branch_code}, {action.item_id}) changed: {what}.")
        for refusal in bulk.refused:
            say(f"refused: {refusal.reason}", err=True)
    if bulk.refused:
        raise fail(
            f"{plural(len(bulk.refused), 'action')} of {len(action_ids):,} refused; "
            f"{len(bulk.changed):,} changed",
            code=1,
        )
    if not as_json:
        say(f"{plural(len(bulk.changed), 'action')} changed.", err=True)
