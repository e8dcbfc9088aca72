"""``audit-app calendar AUDITOR -o FILE.ics``: an auditor's (or an area's) planned visits
as a calendar file any calendar app imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import context, fail, guarded, output_path, plural, print_json
from audit_app.cli.printer import say


@app.command("calendar")
@guarded
def calendar(
    auditor: Annotated[
        str | None,
        typer.Argument(help="The auditor's name or number (see `audit-app auditors list`)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The .ics file to write.")
    ] = None,
    area: Annotated[
        str | None,
        typer.Option("--area", help="An area's calendar (every visit of its branches) instead."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a summary of the calendar as JSON.")
    ] = False,
) -> None:
    """Write the planned visits of published plans as an .ics calendar: one all-day event
    per visit, on its planned day."""
    from audit_app.services.calendars import area_calendar, auditor_calendar
    from audit_app.services.reports import write_atomically

    if (auditor is None) == (area is None):
        raise fail("give an AUDITOR or --area, not both and not neither", code=2)
    if output is None and not as_json:
        raise fail("give -o FILE.ics (or --json for a summary)", code=2)
    path = output_path(output, ".ics", "a calendar is an .ics file") if output else None
    ctx = context()
    made = area_calendar(ctx, area) if area is not None else auditor_calendar(ctx, auditor or "")
    if path is not None:
        write_atomically(path, made.data)
        say(f"Wrote {plural(len(made.visits), 'visit')} to {path}", err=True)
    if as_json:
        print_json(made.to_dict())
    elif not made.visits:
        say("No planned visits in published plans for this calendar.", err=True)
