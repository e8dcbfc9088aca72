"""The ``audit-app`` command line: parse arguments, call a service, print the answer.

Every failure the user can act on ends in one line on stderr and a non-zero exit code;
``AUDIT_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from audit_app.errors import AuditAppError

app = typer.Typer(
    help="Franchise consistency audits: checklists, scores and comparisons across branches.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
checklists_app = typer.Typer(help="List, show and validate checklists.", no_args_is_help=True)
branches_app = typer.Typer(help="Import and list branches.", no_args_is_help=True)
db_app = typer.Typer(help="Create, upgrade and check the database schema.", no_args_is_help=True)
app.add_typer(checklists_app, name="checklists")
app.add_typer(branches_app, name="branches")
app.add_typer(db_app, name="db")

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


def _debug() -> bool:
    return os.environ.get("AUDIT_DEBUG", "").strip().lower() in {"1", "true", "yes"}


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def guarded(function: F) -> F:
    """Turn the failures a user can act on into one line; anything else into a short note."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from audit_app.domain.answers import AnswersRejected

        try:
            return function(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (AuditAppError, AnswersRejected) as error:
            if _debug():
                raise
            raise fail(str(error)) from None
        except Exception as error:
            if _debug():
                raise
            raise fail(
                f"unexpected failure ({type(error).__name__}: {error}); "
                "run again with AUDIT_DEBUG=1 for details"
            ) from None

    return wrapper  # type: ignore[return-value]


def _context():  # type: ignore[no-untyped-def]
    from audit_app.services.context import open_context

    return open_context()


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# --------------------------------------------------------------------------- demo, serve, db


@app.command()
@guarded
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Load the demo chain (48 branches, a year of audits); running it again adds nothing."""
    from audit_app.services.demo import load_demo

    ctx = _context()
    result = load_demo(ctx)
    if as_json:
        _print_json({**result.__dict__, "database": ctx.database_label})
        return
    typer.echo(
        f"Demo loaded into {ctx.database_label}: {result.branches_added} branches and "
        f"{result.audits_added} audits added, {result.audits_already_present} audits were "
        "already present."
    )


@app.command()
@guarded
def serve(
    port: Annotated[int, typer.Option(help="Port to serve on.", envvar="AUDIT_PORT")] = 8501,
    address: Annotated[
        str, typer.Option(help="Address to listen on.", envvar="AUDIT_ADDRESS")
    ] = "localhost",
) -> None:
    """Start the web app (Streamlit) on http://ADDRESS:PORT."""
    ctx = _context()  # create and migrate the database before the first page asks
    ctx.engine.dispose()
    app_path = Path(__file__).resolve().parent / "ui" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--client.toolbarMode",
        "viewer",
        "--theme.primaryColor",
        "#2E7D4F",
    ]
    typer.echo(f"Serving audit-app on http://{address}:{port} (database {ctx.database_label})")
    sys.stdout.flush()
    os.execv(sys.executable, command)


@db_app.command("upgrade")
@guarded
def db_upgrade() -> None:
    """Create the schema or apply pending migrations."""
    from audit_app.services.admin import upgrade_database

    before, after = upgrade_database()
    if before == after:
        typer.echo(f"The database schema is current (revision {after}).")
    else:
        typer.echo(f"Upgraded the database schema from {before or 'empty'} to {after}.")


@db_app.command("check")
@guarded
def db_check() -> None:
    """Say whether the schema is current; exit 1 when migrations are pending."""
    from audit_app.services.admin import schema_status

    current, head = schema_status()
    if current != head:
        raise fail(
            f"the database schema is at {current or 'nothing'}, this version needs {head}; "
            "run: audit-app db upgrade"
        )
    typer.echo(f"The database schema is current (revision {head}).")


# --------------------------------------------------------------------------- checklists


@checklists_app.command("list")
@guarded
def checklists_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List every checklist version in the checklist folder."""
    from audit_app.services.checklists import catalogue

    rows = [
        {
            "id": c.id,
            "version": c.version,
            "title": c.title_in(),
            "channel": c.channel,
            "sections": len(c.sections),
            "items": len(c.items),
            "languages": c.languages,
            "content_hash": c.content_hash,
        }
        for c in catalogue()
    ]
    if as_json:
        _print_json(rows)
        return
    _print_rows(rows, ["id", "version", "title", "channel", "sections", "items"])


@checklists_app.command("show")
@guarded
def checklists_show(
    checklist: Annotated[str, typer.Argument(help="Checklist id, id@version or a YAML path.")],
    language: Annotated[str | None, typer.Option(help="Language of the texts.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the definition as JSON.")] = False,
    as_yaml: Annotated[bool, typer.Option("--yaml", help="Print the definition as YAML.")] = False,
) -> None:
    """Show a checklist's sections and items."""
    from audit_app.domain.answers import allowed_answers
    from audit_app.domain.checklist import localized
    from audit_app.services.checklists import checklist_yaml, resolve_checklist

    found = resolve_checklist(checklist)
    if as_json:
        _print_json(found.to_data())
        return
    if as_yaml:
        typer.echo(checklist_yaml(found), nl=False)
        return
    typer.echo(f"{found.id} v{found.version}: {found.title_in(language)}")
    typer.echo(
        f"pass mark {found.pass_mark:g}; critical rule: {found.critical_rule.describe()}; "
        f"content hash {found.content_hash[:12]}"
    )
    for section in found.sections:
        weight = f" (weight {section.weight:g})" if section.weight is not None else ""
        typer.echo(f"\n[{section.id}] {localized(section.title, language, found.language)}{weight}")
        for item in section.items:
            flags = [
                flag
                for flag, on in (("critical", item.critical), ("N/A allowed", item.na_allowed))
                if on
            ]
            extra = f" [{', '.join(flags)}]" if flags else ""
            typer.echo(
                f"  {item.id:32} {localized(item.text, language, found.language)}"
                f"  -> {allowed_answers(item, language)}{extra}"
            )


@checklists_app.command("validate")
@guarded
def checklists_validate(
    paths: Annotated[list[Path], typer.Argument(help="Checklist YAML files.")],
) -> None:
    """Validate checklist files; name the file, the place in it and the reason of each problem."""
    from audit_app.services.checklists import validate_files

    results = validate_files(paths)
    for result in results:
        if result.ok and result.checklist is not None:
            c = result.checklist
            typer.echo(f"ok    {result.path}: {c.id} v{c.version}, {len(c.items)} items")
        else:
            for problem in result.problems:
                where = f" {problem.location}:" if problem.location else ""
                typer.echo(f"error {result.path}:{where} {problem.reason}", err=True)
    bad = sum(not r.ok for r in results)
    if bad:
        raise fail(f"{bad} of {len(results)} checklist file(s) are invalid")


# --------------------------------------------------------------------------- branches


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

    result = import_branches(_context(), file)
    if as_json:
        _print_json(result.__dict__)
        return
    typer.echo(
        f"{file}: {result.inserted} branches added, {result.updated} updated, "
        f"{result.unchanged} unchanged."
    )


@branches_app.command("list")
@guarded
def branches_list(
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
) -> None:
    """List the branches."""
    from audit_app.services.branches import list_branches

    rows = [branch.model_dump() for branch in list_branches(_context())]
    _emit(rows, output, ["code", "name", "region", "area", "country", "language", "active"])


# --------------------------------------------------------------------------- scores


@app.command()
@guarded
def scores(
    checklist: Annotated[str | None, typer.Option(help="Checklist id.")] = None,
    date_from: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First visit day.")
    ] = None,
    date_to: Annotated[
        datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last visit day.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Region name.")] = None,
    country: Annotated[str | None, typer.Option(help="Country code, e.g. ES.")] = None,
    branch: Annotated[str | None, typer.Option(help="Branch code.")] = None,
    auditor: Annotated[str | None, typer.Option(help="Auditor name.")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
) -> None:
    """One row per submitted audit with its overall score, grade, pass and critical failure."""
    from audit_app.domain.filters import AuditFilter
    from audit_app.services.audits import score_rows

    audit_filter = AuditFilter(
        checklist_id=checklist,
        date_from=date_from.date() if date_from else None,
        date_to=date_to.date() if date_to else None,
        region=region,
        country=country,
        branch_code=branch,
        auditor=auditor,
    )
    rows = score_rows(_context(), audit_filter)
    if not rows and output == OutputFormat.table:
        typer.echo(f"No submitted audits match ({audit_filter.describe()}).")
        return
    _emit(
        rows,
        output,
        [
            "audit_id",
            "visited_at",
            "branch_code",
            "region",
            "checklist_id",
            "auditor",
            "overall",
            "grade",
            "passed",
            "critical_failure",
        ],
    )


@app.command()
@guarded
def score(
    answers_file: Annotated[
        Path, typer.Argument(help="CSV (item_id,value[,comment]) or JSON {item_id: value}.")
    ],
    checklist: Annotated[
        str, typer.Option(help="Checklist id, id@version or path to a checklist YAML file.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the score card as JSON.")] = False,
) -> None:
    """Score a file of answers against a checklist, without touching the database."""
    from audit_app.domain.checklist import localized
    from audit_app.domain.scoring import display
    from audit_app.services.checklists import resolve_checklist
    from audit_app.services.scoring import score_answers_file

    found = resolve_checklist(checklist)
    card = score_answers_file(found, answers_file)
    if as_json:
        _print_json(card.to_dict())
        return
    overall = "n/a (nothing counted)" if card.overall is None else f"{display(card.overall):.1f}"
    verdict = (
        ""
        if card.passed is None
        else f", {'passed' if card.passed else 'failed'} (pass mark {found.pass_mark:g})"
    )
    grade = f" {card.grade}" if card.grade else ""
    typer.echo(f"{found.id} v{found.version}: {overall}{grade}{verdict}")
    if card.critical_failure:
        typer.echo(
            f"critical failure: {', '.join(card.failed_critical_items)} "
            f"({found.critical_rule.describe()})"
        )
    titles = {s.id: localized(s.title, None, found.language) for s in found.sections}
    for section in card.sections:
        shown = "—" if section.score is None else f"{display(section.score):5.1f}"
        typer.echo(f"  {titles[section.section_id]:40} {shown}")


# --------------------------------------------------------------------------- output helpers


def _emit(rows: list[dict[str, Any]], output: OutputFormat, table_columns: list[str]) -> None:
    if output == OutputFormat.json:
        _print_json(rows)
    elif output == OutputFormat.csv:
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else table_columns)
        writer.writeheader()
        writer.writerows(
            {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in row.items()}
            for row in rows
        )
    else:
        _print_rows(rows, table_columns)


def _print_rows(rows: list[dict[str, Any]], columns: list[str]) -> None:
    def text(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.1f}"
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return str(value)

    cells = [[text(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def main() -> None:
    app()


if __name__ == "__main__":
    main()
