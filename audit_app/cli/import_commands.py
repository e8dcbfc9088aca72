"""Excel and CSV: fill-in templates and imports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import OutputFormat, check_suffix, context, guarded, plural, print_json


@app.command()
@guarded
def template(
    checklist: Annotated[str, typer.Argument(help="Checklist id or id@version.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write (.xlsx).")],
    branch: Annotated[
        list[str] | None,
        typer.Option("--branch", help="Branch code for the dropdown (repeat); default: all."),
    ] = None,
    language: Annotated[str | None, typer.Option(help="Language of the questions.")] = None,
    bulk: Annotated[
        bool, typer.Option("--bulk", help="One row per visit, for many visits in one sheet.")
    ] = False,
    rows: Annotated[int, typer.Option(help="Rows prepared in a bulk template.")] = 500,
) -> None:
    """Write a fill-in Excel workbook for audits done offline."""
    from audit_app.services.templates import make_template

    check_suffix(output, OutputFormat.xlsx)
    made = make_template(
        context(), checklist, branch_codes=branch or [], language=language, bulk=bulk, rows=rows
    )
    output.write_bytes(made.content)
    typer.echo(
        f"Wrote {output}: {made.checklist_id} v{made.checklist_version}, "
        f"{plural(made.items, 'item')}, {plural(made.branches, 'branch code')} in the dropdown"
        + (f", {plural(rows, 'visit row')}" if bulk else "")
        + (f". Note: {made.note}" if made.note else "")
    )


@app.command("import")
@guarded
def import_(
    files: Annotated[list[Path], typer.Argument(help="Filled-in templates (.xlsx) or CSV files.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show what would be written; write nothing.")
    ] = False,
    mapping: Annotated[
        str | None,
        typer.Option(help="Mapping profile (name or YAML path) for a layout we did not design."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Import audits; each file is written whole or not at all. Exit 1 if any file is rejected."""
    from audit_app.services.imports import import_files

    ctx = context()
    show_progress = not as_json and len(files) > 1

    def progress(number: int, total: int, name: str) -> None:
        if show_progress:
            typer.echo(f"[{number}/{total}] {name}", err=True)

    results = import_files(ctx, files, dry_run=dry_run, mapping_name=mapping, progress=progress)
    if as_json:
        print_json({"files": [r.to_dict() for r in results]})
    else:
        for result in results:
            _print_result(result)
    rejected = sum(r.status == "rejected" for r in results)
    if rejected:
        raise typer.Exit(1)


def _print_result(result) -> None:  # type: ignore[no-untyped-def]
    name = result.file
    if result.status == "duplicate":
        previous = result.previous_import or {}
        ids = previous.get("audit_ids") or []
        shown = ", ".join(str(i) for i in ids[:10]) + (" …" if len(ids) > 10 else "")
        typer.echo(
            f"{name}: already imported on {previous.get('imported_at')} "
            f"as audit {shown or 'none (all its visits were already present)'}; nothing written."
        )
        return
    if result.status == "rejected":
        typer.echo(
            f"{name}: rejected, nothing written ({len(result.errors)} problem(s)):", err=True
        )
        for error in result.errors:
            typer.echo(f"  {error}", err=True)
        return
    verb = "would import" if result.dry_run else "imported"
    skipped = ", ".join(f"{n} {reason}" for reason, n in result.skipped.items())
    typer.echo(
        f"{name}: {verb} {plural(result.added, 'audit')}"
        + (
            f", {plural(result.already_present, 'visit')} already present"
            if result.already_present
            else ""
        )
        + (f", skipped {skipped}" if skipped else "")
        + "."
    )
    changed = [a for a in result.audits if a.differs]
    for audit in changed[:20]:
        typer.echo(
            f"  note: {audit.branch_code} {audit.visited_at:%Y-%m-%d %H:%M} {audit.checklist_id} "
            f"{audit.auditor} is already stored as audit #{audit.audit_id} with different "
            "answers; it was not changed (a submitted audit is corrected by a revision)",
            err=True,
        )
    for audit in result.audits[:20]:
        if audit.already_present:
            continue
        score = "—" if audit.overall is None else f"{audit.overall:.1f}"
        flag = " CRITICAL" if audit.critical_failure else ""
        ident = f"#{audit.audit_id} " if audit.audit_id else ""
        typer.echo(
            f"  {ident}{audit.branch_code} {audit.visited_at:%Y-%m-%d %H:%M} {audit.checklist_id} "
            f"{audit.auditor}: {score} {audit.grade or ''}{flag}"
        )
    if result.added > 20:
        typer.echo(f"  … and {result.added - 20} more")
