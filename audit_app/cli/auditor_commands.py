"""``audit-app auditors list|add|update|merge``: the people who make visits (staff or agency)."""

from __future__ import annotations

from typing import Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import context, fail, guarded, print_json, print_rows
from audit_app.cli.printer import say

auditors_app = typer.Typer(
    help="List, add, change and merge auditors (the people who make visits).", no_args_is_help=True
)
app.add_typer(auditors_app, name="auditors")

AsJson = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


@auditors_app.command("list")
@guarded
def auditors_list(
    include_inactive: Annotated[
        bool, typer.Option("--all", help="Include inactive auditors.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """List the auditors (merged ones are left out: their visits are their person's)."""
    from audit_app.services.auditors import list_auditors

    found = list_auditors(context(), include_inactive=include_inactive)
    if as_json:
        print_json([auditor.to_dict() for auditor in found])
        return
    if not found:
        say("No auditors yet. Add one with: audit-app auditors add NAME")
        return
    print_rows(
        [{**a.to_dict(), "areas": ", ".join(a.areas), "username": a.username or ""} for a in found],
        ["id", "name", "kind", "organisation", "email", "username", "areas", "active"],
    )


@auditors_app.command("add")
@guarded
def auditors_add(
    name: Annotated[str, typer.Argument(help="The auditor's name.")],
    kind: Annotated[str, typer.Option(help="staff or agency.")] = "staff",
    organisation: Annotated[str, typer.Option(help="Agency or department.")] = "",
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
    username: Annotated[
        str | None, typer.Option(help="The app user this auditor is, if any.")
    ] = None,
    area: Annotated[
        list[str] | None, typer.Option("--area", help="An area visited (repeat; none: anywhere).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Add even when the name is close to another's.")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Add an auditor; a name close to another auditor's is refused unless --force."""
    from audit_app.services.auditors import AuditorCode, AuditorRefused, add_auditor

    try:
        added = add_auditor(
            context(),
            name,
            kind=kind,
            organisation=organisation,
            email=email,
            username=username,
            areas=area or [],
            force=force,
        )
    except AuditorRefused as refused:
        if refused.code == AuditorCode.NEAR_MISS:
            raise AuditorRefused(
                refused.code,
                f"{refused} (merge them with audit-app auditors merge, or --force to add it)",
                refused.near,
            ) from None
        raise
    if as_json:
        print_json(added.to_dict())
        return
    org = f", {added.organisation}" if added.organisation else ""
    say(f"Added auditor #{added.id} {added.name} ({added.kind.value}{org}).")


@auditors_app.command("merge")
@guarded
def auditors_merge(
    source: Annotated[str, typer.Argument(help="The auditor (name or id) that goes.")],
    into: Annotated[str, typer.Argument(help="The auditor (name or id) that stays.")],
    by: Annotated[str | None, typer.Option(help="Who asked for the merge (the log).")] = None,
    as_json: AsJson = False,
) -> None:
    """One person under two names: move SOURCE's visits and planned visits to INTO."""
    from audit_app.services.auditors import merge_auditors

    result = merge_auditors(context(), source, into, by=by)
    if as_json:
        print_json(result.to_dict())
        return
    say(
        f"Merged {result.source.name} into {result.into.name} (#{result.into.id}): "
        f"{result.audits_moved} audit(s) and {result.planned_visits_moved} planned visit(s) moved."
    )


@auditors_app.command("update")
@guarded
def auditors_update(
    auditor: Annotated[str, typer.Argument(help="The auditor (name or id) to change.")],
    kind: Annotated[str | None, typer.Option(help="staff or agency.")] = None,
    organisation: Annotated[str | None, typer.Option(help="Agency or department.")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail address.")] = None,
    area: Annotated[
        list[str] | None,
        typer.Option("--area", help="An area visited (repeat; replaces the areas)."),
    ] = None,
    anywhere: Annotated[
        bool, typer.Option("--anywhere", help="Clear the areas: the auditor visits anywhere.")
    ] = False,
    username: Annotated[
        str | None, typer.Option(help="The app user this auditor is ('' for none).")
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option("--active/--inactive", help="Offer the auditor in forms, or no longer."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Change an auditor's kind, organisation, e-mail, areas, app user or activity; only
    the options given change."""
    from audit_app.services.auditors import update_auditor

    if area and anywhere:
        raise fail("give --area or --anywhere, not both")
    changed = update_auditor(
        context(),
        auditor,
        kind=kind,
        organisation=organisation,
        email=email,
        username=username,
        areas=() if anywhere else area,
        active=active,
    )
    if as_json:
        print_json(changed.to_dict())
        return
    areas = ", ".join(changed.areas) or "anywhere"
    state = "active" if changed.active else "inactive"
    say(f"Changed auditor #{changed.id} {changed.name} ({changed.kind.value}, {areas}, {state}).")
