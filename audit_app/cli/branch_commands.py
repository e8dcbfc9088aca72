"""Branches: import and list."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import branches_app
from audit_app.cli.common import OutputFormat, context, emit, guarded, print_json
from audit_app.cli.printer import say


@branches_app.command("import")
@guarded
def branches_import(
    file: Annotated[Path, typer.Argument(help="CSV or Excel file with a header row.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Add or update branches from CSV or Excel (code, name, region, country, ...).

    Every row is checked first; if any is wrong, nothing is imported.
    """
    from audit_app.services.branches import import_branches

    result = import_branches(context(), file)
    if as_json:
        print_json(result.__dict__)
        return
    say(
        f"{file}: {result.inserted} branches added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )


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
