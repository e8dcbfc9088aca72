"""Excel and CSV: fill-in templates and imports."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import OutputFormat, check_suffix, context, guarded, plural, print_json
from audit_app.cli.printer import say

if TYPE_CHECKING:
    from audit_app.services.imports import FileImport


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
    say(
        f"Wrote {output}: {made.checklist_id} v{made.checklist_version}, "
        f"{plural(made.items, 'item')}, {plural(made.branches, 'branch code')} in the dropdown"
        + (f", {plural(rows, 'visit row')}" if bulk else "")
        + (f". Note: {made.note}" if made.note else "")
    )


@app.command("import")
@guarded
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Filled-in templates (.xlsx), CSV files, or a .zip of a template and its "
            "photos (named by question code)."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and show what would be written; write nothing.")
    ] = False,
    mapping: Annotated[
        str | None,
        typer.Option(help="Mapping profile (name or YAML path) for a layout we did not design."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="With --mapping: ROLE=VALUE (repeat) for a value the file does not hold "
            '(auditor="Agency X", visit_date=2025-05-01); part of the import\'s identity.',
        ),
    ] = None,
) -> None:
    """Import audits; each file is written whole or not at all. Exit 1 if any file is rejected."""
    from audit_app.services.imports import import_files
    from audit_app.services.mappings import parse_constants

    ctx = context()
    show_progress = not as_json and len(files) > 1

    def progress(number: int, total: int, name: str) -> None:
        if show_progress:
            say(f"[{number}/{total}] {name}", err=True)

    results = import_files(
        ctx,
        files,
        dry_run=dry_run,
        mapping_name=mapping,
        progress=progress,
        constants=parse_constants(set_ or []),
    )
    if as_json:
        print_json({"files": [r.to_dict() for r in results]})
    else:
        for result in results:
            _print_result(result)
    rejected = sum(r.status == "rejected" for r in results)
    if not as_json and len(results) > 1:
        _print_total(results)
    if rejected:
        raise typer.Exit(1)


SHOWN_ROWS = 20
"""Skipped rows and visits listed per file on the terminal; ``--json`` lists them all."""


def _print_result(result: FileImport) -> None:
    from audit_app.domain.safe_text import terminal_text
    from audit_app.services.import_report import describe, rows_line

    name = terminal_text(result.file)
    rejected = result.status == "rejected"  # a rejected file's whole story goes to stderr
    say(f"{name}: {describe(result)}", err=rejected)
    say(f"  rows: {rows_line(result)}", err=rejected)
    for problem in result.problems:
        say(f"  {terminal_text(str(problem))}", err=True)
    for note in result.notes[:SHOWN_ROWS]:
        say(f"  note: {terminal_text(str(note))}")
    if len(result.notes) > SHOWN_ROWS:
        say(f"  … and {len(result.notes) - SHOWN_ROWS:,} more notes (--json lists all)")
    if result.skipped and result.status != "already_imported":
        say(f"  skipped rows ({len(result.skipped):,}):", err=rejected)
        for row in result.skipped[:SHOWN_ROWS]:
            text = f" '{terminal_text(row.text)}'" if row.text else ""
            where = f"{row.sheet} row" if row.sheet else "row"
            say(f"    {where} {row.row}: {row.reason.label}{text}", err=rejected)
        if len(result.skipped) > SHOWN_ROWS:
            more = len(result.skipped) - SHOWN_ROWS
            say(f"    … and {more:,} more (--json lists all)", err=rejected)
    changed = [a for a in result.audits if a.differs]
    for audit in changed[:SHOWN_ROWS]:
        say(
            f"  note: {audit.branch_code} {audit.visited_at:%Y-%m-%d %H:%M} {audit.checklist_id} "
            f"{terminal_text(audit.auditor)} is already stored as audit #{audit.audit_id} with "
            "different answers; it was not changed (a submitted audit is corrected by a revision)",
            err=True,
        )
    new = [a for a in result.audits if not a.already_present]
    for audit in new[:SHOWN_ROWS]:
        score = "—" if audit.overall is None else f"{audit.overall:.1f}"
        flag = " CRITICAL" if audit.critical_failure else ""
        ident = f"#{audit.audit_id} " if audit.audit_id else ""
        reference = f" (ref {terminal_text(audit.reference)})" if audit.reference else ""
        photos = f", {plural(audit.photos, 'photo')}" if result.members else ""
        say(
            f"  {ident}{audit.branch_code} {audit.visited_at:%Y-%m-%d %H:%M} {audit.checklist_id} "
            f"{terminal_text(audit.auditor)}{reference}: {score} {audit.grade or ''}{flag}{photos}"
        )
    if len(new) > SHOWN_ROWS:
        say(f"  … and {len(new) - SHOWN_ROWS:,} more")
    _print_members(result)


def _print_members(result: FileImport) -> None:
    """A zip's files: each photo with its visit row and question; the refused ones are
    among the problems above, the ones left aside are named here."""
    from audit_app.domain.safe_text import terminal_text

    for member in result.members:
        name = terminal_text(member.member)
        if member.role == "photo":
            note = f" ({member.reason})" if member.reason else ""
            say(f"  photo {name}: row {member.row}, {member.item_id}{note}")
        elif member.role == "ignored":
            say(f"  left aside {name}: {member.reason}")


def _print_total(results: list[FileImport]) -> None:
    from audit_app.services.imports import RowCounts

    rows = sum((r.rows for r in results), RowCounts())
    say(
        f"{plural(len(results), 'file')}: {rows.read:,} rows read = {rows.imported:,} imported + "
        f"{rows.already_present:,} already present + {rows.skipped:,} skipped + "
        f"{rows.rejected:,} rejected"
    )
