"""``audit-app plans create|show|list|publish|move|delete``: visit plans from the command
line (the command line acts as head office)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from audit_app.cli.app import plans_app
from audit_app.cli.common import context, fail, guarded, plural, print_json, print_rows
from audit_app.cli.coverage_commands import coverage_command
from audit_app.cli.printer import say

if TYPE_CHECKING:
    from audit_app.domain.plans import ChannelNeed
    from audit_app.services.plans import PlanView

ANY_CHANNEL = "any"
SHOW_COLUMNS = [
    "id",
    "planned_on",
    "due_by",
    "branch_code",
    "branch_name",
    "channel",
    "auditor",
    "audit_id",
    "unassigned",
]
LIST_COLUMNS = ["id", "name", "checklist_id", "starts_on", "ends_on", "status", "visits"]
LIST_COLUMNS += ["filled", "unassigned"]


@plans_app.command("create")
@guarded
def plans_create(
    checklist: Annotated[str, typer.Option("--checklist", help="Checklist id.")],
    starts: Annotated[
        datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="First day, YYYY-MM-DD.")
    ],
    ends: Annotated[
        datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day, YYYY-MM-DD.")
    ],
    need: Annotated[
        list[str],
        typer.Option(
            "--need",
            metavar="CHANNEL=VISITS",
            help="Visits per branch on a channel, e.g. in_person=2 (repeat for more; "
            f"'{ANY_CHANNEL}=3' for any channel).",
        ),
    ],
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Plan this region (repeat for more).")
    ] = None,
    area: Annotated[
        list[str] | None, typer.Option("--area", help="Plan this area (repeat for more).")
    ] = None,
    branch: Annotated[
        list[str] | None, typer.Option("--branch", help="Plan this branch code (repeat).")
    ] = None,
    lockout_days: Annotated[
        int,
        typer.Option(
            "--lockout-days", min=0, help="No auditor at the same branch within this many days."
        ),
    ] = 30,
    window_days: Annotated[
        int | None,
        typer.Option(
            "--window-days",
            min=0,
            help="Days after its planned day a visit is still on time (default: until the "
            "next visit's share of the period).",
        ),
    ] = None,
    name: Annotated[str, typer.Option("--name", help="The plan's name.")] = "",
    seed: Annotated[int, typer.Option("--seed", help="Another seed, another spread.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Draft a plan: the planner spreads each branch's visits through the period and assigns
    auditors (rotation, lockout, areas, never a branch's own manager on a mystery shop).
    No scope option plans every active branch."""
    from audit_app.domain.plans import PlanRequest, PlanScope
    from audit_app.services.plans import create_plan, show_plan

    request = PlanRequest(
        name=name,
        checklist_id=checklist,
        starts_on=starts.date(),
        ends_on=ends.date(),
        scope=PlanScope(tuple(region or ()), tuple(area or ()), tuple(branch or ())),
        needs=_needs(need),
        lockout_days=lockout_days,
        visit_window_days=window_days,
    )
    ctx = context()
    plan = show_plan(ctx, create_plan(ctx, request, seed=seed))
    if as_json:
        print_json(plan.to_dict())
        return
    open_slots = sum(slot.auditor_id is None for slot in plan.slots)
    branches = len({slot.branch_id for slot in plan.slots})
    say(
        f"Drafted plan #{plan.id} '{plan.name}': {plural(len(plan.slots), 'visit')} at "
        f"{plural(branches, 'branch', 'branches')}, {open_slots:,} without an auditor."
    )
    say(
        f"See it with `audit-app plans show {plan.id}`; publish it with `audit-app plans "
        f"publish {plan.id}`."
    )


@plans_app.command("show")
@guarded
def plans_show(
    plan_id: Annotated[int, typer.Argument(help="The plan's number (see plans list).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """A plan and its visits, by day."""
    from audit_app.services.plans import show_plan

    plan = show_plan(context(), plan_id)
    if as_json:
        print_json(plan.to_dict())
        return
    _header(plan)
    rows = [
        slot.to_dict() | {"unassigned": slot.unassigned_reason() or None} for slot in plan.slots
    ]
    print_rows(rows, SHOW_COLUMNS)


@plans_app.command("list")
@guarded
def plans_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Every plan, newest period first, with its visits filled and without an auditor."""
    from audit_app.services.plans import list_plans

    rows = [plan.to_dict() for plan in list_plans(context())]
    if as_json:
        print_json(rows)
        return
    if not rows:
        say("No visit plans yet: `audit-app plans create --help` says how to draft one.")
        return
    print_rows(rows, LIST_COLUMNS)


@plans_app.command("publish")
@guarded
def plans_publish(
    plan_id: Annotated[int, typer.Argument(help="The draft plan's number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Publish a draft: from now on submitted and imported visits fill its slots."""
    from audit_app.services.plans import publish_plan

    filled = publish_plan(context(), plan_id)
    if as_json:
        print_json({"plan_id": plan_id, "status": "published", "filled_at_publish": filled})
        return
    made = f" {plural(filled, 'visit')} already made filled its slots." if filled else ""
    say(f"Published plan #{plan_id}.{made}")


@plans_app.command("move")
@guarded
def plans_move(
    visit_id: Annotated[int, typer.Argument(help="The planned visit's number (plans show).")],
    on: Annotated[
        datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="The new day, YYYY-MM-DD."),
    ] = None,
    auditor: Annotated[int | None, typer.Option("--auditor", help="The auditor's id.")] = None,
    unassign: Annotated[
        bool, typer.Option("--unassign", help="Take the auditor off the visit.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Move a planned visit to another day or auditor, checked like the planner's own."""
    from audit_app.services.plans import move_visit

    if on is None and auditor is None and not unassign:
        raise fail("give --on, --auditor or --unassign", code=2)
    if auditor is not None and unassign:
        raise fail("give --auditor or --unassign, not both", code=2)
    slot = move_visit(
        context(),
        visit_id,
        planned_on=on.date() if on else None,
        auditor_id=auditor,
        unassign=unassign,
    )
    if as_json:
        print_json(slot.to_dict())
        return
    say(
        f"Planned visit #{slot.id} ({slot.branch_code}): {slot.planned_on}, due by "
        f"{slot.due_by}, auditor {slot.auditor_name or '—'}."
    )


@plans_app.command("delete")
@guarded
def plans_delete(
    plan_id: Annotated[int, typer.Argument(help="The draft plan's number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Delete a draft plan (a published one stays)."""
    from audit_app.services.plans import delete_draft

    delete_draft(context(), plan_id)
    if as_json:
        print_json({"plan_id": plan_id, "deleted": True})
        return
    say(f"Deleted draft plan #{plan_id}.")


def _needs(given: list[str]) -> tuple[ChannelNeed, ...]:
    from audit_app.domain.plans import ChannelNeed

    needs = []
    for text in given:
        channel, sep, count = text.partition("=")
        if not sep or not count.strip().isdigit():
            raise fail(f"--need {text!r}: write CHANNEL=VISITS, e.g. in_person=2", code=2)
        channel = channel.strip()
        needs.append(ChannelNeed(None if channel == ANY_CHANNEL else channel, int(count)))
    return tuple(needs)


def _header(plan: PlanView) -> None:
    scope = plan.scope
    where = (
        "every active branch"
        if scope.everything
        else "; ".join(
            f"{label} {', '.join(values)}"
            for label, values in (
                ("regions", scope.regions),
                ("areas", scope.areas),
                ("branches", scope.branches),
            )
            if values
        )
    )
    needs = ", ".join(f"{n.visits} {n.channel or ANY_CHANNEL}" for n in plan.needs)
    say(f"Plan #{plan.id} '{plan.name}' ({plan.status})")
    say(f"  {plan.checklist_title} ({plan.checklist_id}), {plan.starts_on} to {plan.ends_on}")
    say(f"  {where}; per branch: {needs}; lockout {plural(plan.lockout_days, 'day')}")
    filled = sum(slot.filled for slot in plan.slots)
    say(f"  {plural(len(plan.slots), 'visit')}, {filled:,} made")


plans_app.command("coverage")(coverage_command)
