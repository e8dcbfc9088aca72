"""``audit-app plans coverage [PLAN_ID]``: a plan's visits done, due and overdue per branch,
area and region, and the branches with enough audits to rank.

The function is registered on the ``plans`` group by :mod:`audit_app.cli.plan_commands`
(``plans_app.command("coverage")(coverage_command)``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, cast

import typer

from audit_app.cli.common import context, guarded, plural, print_json, print_rows
from audit_app.cli.printer import say

BRANCH_COLUMNS = [
    "branch_code",
    "branch_name",
    "area",
    "planned",
    "done",
    "due",
    "overdue",
    "unassigned",
    "audits",
    "rankable",
]


@guarded
def coverage_command(
    plan_id: Annotated[
        int | None,
        typer.Argument(help="The plan's number (default: the published plan running today)."),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only this region.")] = None,
    area: Annotated[str | None, typer.Option("--area", help="Only this area.")] = None,
    on: Annotated[
        datetime | None,
        typer.Option("--on", formats=["%Y-%m-%d"], help="Judge due and overdue on this day."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Visits done, due and overdue per branch, area and region, and the share of branches with enough audits to rank."""  # noqa: E501
    from audit_app.services.coverage import coverage_dict, plan_coverage

    result = plan_coverage(
        context(), plan_id, region=region, area=area, today=on.date() if on else None
    )
    data = coverage_dict(result)
    if json_output:
        print_json(data)
        return
    plan = result.plan
    cover = result.coverage
    say(
        f"Plan {plan.id} {plan.name!r} ({plan.status}): {plan.checklist_title}, "
        f"{plan.starts_on} to {plan.ends_on}; on {cover.today}"
    )
    if not cover.branches:
        say("No planned visits in this selection.")
        return
    rows = cast("list[dict[str, object]]", data["branches"])
    print_rows(
        [{**row, "rankable": "yes" if row["rankable"] else "no"} for row in rows], BRANCH_COLUMNS
    )
    say("")
    for region_row in cover.regions:
        t = region_row.tally
        say(
            f"{region_row.region}: {t.done} done, {t.due} due, {t.overdue} overdue "
            f"of {plural(t.planned, 'planned visit')}"
        )
    total = cover.total
    share = total.rankable_share or 0.0
    say(
        f"Total: {total.done} done, {total.due} due, {total.overdue} overdue, "
        f"{total.unassigned} unassigned of {plural(total.planned, 'planned visit')}; "
        f"{total.rankable} of {plural(total.branches, 'branch', 'branches')} can be ranked "
        f"({share:.0%}, at least {cover.min_audits} audits in the period)"
    )
