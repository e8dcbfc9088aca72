"""``audit-app export FILE`` and ``audit-app restore FILE``: the whole database to one archive
and back, also the way to move from the embedded SQLite to PostgreSQL."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import context, fail, guarded, plural, print_json
from audit_app.cli.printer import live_line, say

if TYPE_CHECKING:
    from audit_app.services.backup import TableRows

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


class _Progress:
    """Rows done per table on stderr: updated in place on a terminal, else one line a table."""

    def __init__(self) -> None:
        from audit_app.services.backup import PHOTO_FILES

        self.photo_files = PHOTO_FILES
        self.live = sys.stderr.isatty()
        self.finished: set[tuple[str, str]] = set()

    def __call__(self, step: str, table: str, done: int, total: int) -> None:
        if (step, table) in self.finished:
            return
        unit = "files" if table == self.photo_files else "rows"
        line = f"{step:<8}{table:<20}{done:>12,} / {total:,} {unit}"
        if done >= total:
            self.finished.add((step, table))
            live_line(line, final=True, live=self.live)
        elif self.live:
            live_line(line, final=False, live=True)


def _size(count: int) -> str:
    size = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{count:,} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def _print_tables(tables: tuple[TableRows, ...]) -> None:
    width = max(len(t.name) for t in tables)
    for table in tables:
        say(f"  {table.name:<{width}}  {table.rows:>12,}")


@app.command("export")
@guarded
def export_command(
    file: Annotated[Path, typer.Argument(help="The archive to write, e.g. backup.zip.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Back up every table to one archive file (a zip), restorable on either engine."""
    from audit_app.services.backup import export_database

    ctx = context()
    result = export_database(ctx, file, force=force, progress=_Progress())
    if as_json:
        print_json(
            {
                "file": str(result.path),
                "database": ctx.database_label,
                "revision": result.revision,
                "rows": result.rows,
                "bytes": result.bytes,
                "seconds": round(result.seconds, 3),
                "tables": {t.name: t.rows for t in result.tables},
                "photos": result.photos,
            }
        )
        return
    say(
        f"Exported {plural(result.rows, 'row')} in {plural(len(result.tables), 'table')} "
        f"from {ctx.database_label} to {result.path} ({_size(result.bytes)}, schema "
        f"revision {result.revision}) in {result.seconds:.1f} s:"
    )
    _print_tables(result.tables)
    say(f"  and {plural(result.photos, 'photo file')}")


@app.command("restore")
@guarded
def restore_command(
    file: Annotated[Path, typer.Argument(help="An archive written by `audit-app export`.")],
    as_json: JsonOpt = False,
    trust_archive: Annotated[
        bool,
        typer.Option(
            "--trust-archive",
            help="Accept an archive sealed under another installation's trail key: its "
            "records are sealed again under this one's (recorded in the activity log).",
        ),
    ] = False,
) -> None:
    """Load an archive into the configured database, which must be empty; then verify it.

    Into AUDIT_DATABASE_URL (else AUDIT_DATA_DIR's SQLite file), all of it or nothing.
    """
    from audit_app.services.backup import restore_database

    ctx = context()
    result = restore_database(ctx, file, progress=_Progress(), trust_archive=trust_archive)
    report = result.verify
    if as_json:
        print_json(
            {
                "file": str(result.path),
                "database": ctx.database_label,
                "revision": result.revision,
                "exported_from": result.source_engine,
                "exported_at": result.created_at,
                "rows": result.rows,
                "bytes": result.bytes,
                "seconds": round(result.seconds, 3),
                "tables": {t.name: t.rows for t in result.tables},
                "photos": result.photos,
                "verify": {
                    "ok": report.ok,
                    "audits": report.audits,
                    "revisions": report.revisions,
                    "problems": list(report.problems),
                },
                "checklist_note": result.checklist_note,
            }
        )
    else:
        say(
            f"Restored {plural(result.rows, 'row')} in {plural(len(result.tables), 'table')} "
            f"from {result.path} ({_size(result.bytes)}, exported from {result.source_engine} "
            f"at {result.created_at}) into {ctx.database_label} in {result.seconds:.1f} s:"
        )
        _print_tables(result.tables)
        say(f"  and {plural(result.photos, 'photo file')}")
        if report.ok:
            say(
                f"Trail check: OK, {report.audits:,} audits and {report.revisions:,} "
                f"revisions verified in {report.seconds:.1f} s."
            )
        else:
            say(f"Trail check: {plural(len(report.problems), 'problem')}:")
            for problem in report.problems:
                say(f"  {problem}")
        if result.checklist_note:
            say(f"warning: {result.checklist_note}", err=True)
    if not report.ok:
        raise fail(
            "the restored database does not pass the trail check (the problems are listed "
            "above; they were in the archive as exported)"
        )
