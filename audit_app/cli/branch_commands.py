"""Branches: import and list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import branches_app
from audit_app.cli.common import OutputFormat, context, emit, fail, guarded, print_json
from audit_app.cli.printer import say


@branches_app.command("import")
@guarded
def branches_import(
    file: Annotated[Path, typer.Argument(help="CSV or Excel branch list.")],
    country: Annotated[
        str | None,
        typer.Option("--country", help="Country (ES, RO, TR) of branches the file gives none."),
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Region of branches the file gives none.")
    ] = None,
    area: Annotated[
        str | None, typer.Option("--area", help="Area of branches the file gives none.")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help='A column named by hand: FIELD="Header" (fields: code, name, region, area, '
            "country, address, status, language, manager, franchisee). Repeatable.",
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuse when a guessed column looks wrong (people, numbers)."
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Show what was recognised and would change; write nothing."),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Add or update branches from a CSV or Excel list, whatever its headers say.

    The header row is found (also under banners and merged titles) and its columns
    recognised by name in English, Spanish, Catalan, Romanian and Turkish (Site Code,
    StoreCode, Facility ID, Store Name, Outlet, Region, Area Manager, Status, Address,
    ...); what was taken for what is printed. Rows whose status says closed are kept as
    inactive branches. Every row is checked first; if any is wrong, nothing is imported.
    """
    from audit_app.services.branch_lists import BranchListOptions, import_branch_list

    options = BranchListOptions(
        constants={
            name: value
            for name, value in (("country", country), ("region", region), ("area", area))
            if value
        },
        columns=_named_columns(column or []),
        strict=strict,
    )
    result = import_branch_list(context(), file, options, dry_run=dry_run)
    if as_json:
        print_json(result.to_dict())
        return
    for line in result.branch_list.report_lines():
        say(line)
    if dry_run:
        say(
            f"{file}: {_branches(result.inserted)} would be added, {result.updated} updated, "
            f"{result.unchanged} unchanged. Nothing was written (dry run)."
        )
        return
    say(
        f"{file}: {_branches(result.inserted)} added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )


def _named_columns(given: list[str]) -> dict[str, str]:
    """``name=Store`` pairs -> {field: header}; a pair without ``=`` is refused."""
    named: dict[str, str] = {}
    for pair in given:
        field, sep, header = pair.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise fail(f'--column {pair}: write FIELD="Header", e.g. --column name="Store"')
        named[field.strip().lower()] = header.strip()
    return named


@branches_app.command("list")
@guarded
def branches_list(
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """List the branches."""
    output = OutputFormat.json if as_json else output
    from audit_app.services.branches import list_branches

    rows = [branch.model_dump() for branch in list_branches(context())]
    emit(rows, output, ["code", "name", "region", "area", "country", "language", "active"])


def _branches(count: int) -> str:
    return f"{count} branch" if count == 1 else f"{count} branches"
