"""Mapping profiles: draft one from a file we did not design, show and list saved ones."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import context, guarded, print_json, print_rows
from audit_app.cli.printer import say

mapping_app = typer.Typer(
    help="Mapping profiles: how to read spreadsheets in layouts we did not design.",
    no_args_is_help=True,
)
app.add_typer(mapping_app, name="mapping")


@mapping_app.command("suggest")
@guarded
def mapping_suggest(
    file: Annotated[Path, typer.Argument(help="The workbook (.xlsx) or CSV file to read.")],
    checklist: Annotated[str, typer.Option(help="Checklist id, id@version or a YAML path.")],
    name: Annotated[
        str | None, typer.Option(help="Profile name (default: from the file name).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the profile to this YAML file.")
    ] = None,
    save: Annotated[
        bool, typer.Option("--save", help="Save the profile into the mappings folder.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="With --save: replace a profile of the same name.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help='A value the file does not hold, as ROLE=VALUE (repeat): auditor="Agency X", '
            "visit_date=2025-05-01, branch, visit_time, channel, kind.",
        ),
    ] = None,
) -> None:
    """Draft a mapping profile from FILE's headers and say what it matched.

    The YAML goes to standard output, the match report follows as # comments, so that
    `> profile.yaml` keeps both. Edit the draft, save it, then import with
    `audit-app import FILE --mapping NAME`.
    """
    from audit_app.services.mappings import (
        parse_constants,
        save_mapping,
        suggest_mapping,
        write_mapping_file,
    )

    draft = suggest_mapping(file, checklist, name, constants=parse_constants(set_ or []))
    saved: Path | None = None
    if output is not None:
        saved = write_mapping_file(draft.profile, output)
    elif save:  # into the shared folder, as head office: recorded in the activity log
        saved = save_mapping(context(), draft.profile, overwrite=force)
    if as_json:
        print_json(
            {
                "profile": draft.profile.to_data(),
                "yaml": draft.yaml,
                "report": draft.report.to_dict(),
                "saved_to": str(saved) if saved else None,
            }
        )
        return
    say(draft.yaml, nl=False)
    say("")
    for line in draft.report.lines():
        say(f"# {line}")
    if saved is not None:
        reference = draft.profile.name if output is None else saved
        say(f"# Saved to {saved}; import with: audit-app import FILE --mapping {reference}")
    else:
        say("# Not saved: add --save (mappings folder) or -o FILE.yaml.")


@mapping_app.command("show")
@guarded
def mapping_show(
    name: Annotated[str, typer.Argument(help="A saved profile's name, or a profile YAML path.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the profile as JSON.")] = False,
) -> None:
    """Show a mapping profile as YAML."""
    from audit_app.services.mappings import load_mapping, mapping_location, mapping_owner

    profile = load_mapping(name)
    owner = mapping_owner(name)
    if as_json:
        print_json(
            {"path": str(mapping_location(name)), "owner": owner, "profile": profile.to_data()}
        )
        return
    from audit_app.intake.layouts.profile import dump_profile

    say(f"# {mapping_location(name)}")
    say(f"# owner: {owner}")
    say(dump_profile(profile), nl=False)


@mapping_app.command("list")
@guarded
def mapping_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the profiles saved in the mappings folder."""
    from audit_app.services.mappings import list_mappings, mapping_owner, mappings_folder

    rows = [
        {
            "name": p.name,
            "checklist": p.checklist,
            "layout": p.layout,
            "sheet": p.sheet,
            "owner": mapping_owner(p.name),
        }
        for p in list_mappings()
    ]
    if as_json:
        print_json(rows)
    elif rows:
        print_rows(rows, ["name", "checklist", "layout", "sheet", "owner"])
    else:
        say(f"No mapping profiles in {mappings_folder()} yet.")


@mapping_app.command("delete")
@guarded
def mapping_delete(
    name: Annotated[str, typer.Argument(help="A saved profile's name (see mapping list).")],
) -> None:
    """Delete a saved mapping profile (recorded in the activity log)."""
    from audit_app.services.mappings import delete_mapping

    path = delete_mapping(context(), name)
    say(f"Deleted the mapping profile {name} ({path}).")
