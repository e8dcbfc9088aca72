"""What every command shares: one-line failures, JSON and table output, the context.

Every failure the user can act on ends in one line on stderr and a non-zero exit code;
``AUDIT_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from audit_app.cli.printer import json_dump, say, say_json, terminal_text
from audit_app.errors import AuditAppError

if TYPE_CHECKING:
    from audit_app.services.context import AppContext

F = TypeVar("F", bound=Callable[..., Any])


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


# The filter options every data command shares, written once.
class ComparePeriod(StrEnum):
    month = "month"
    quarter = "quarter"


class CompareTarget(StrEnum):
    auto = "auto"
    chain = "chain"
    region = "region"
    country = "country"


PeriodOpt = Annotated[
    ComparePeriod,
    typer.Option(
        "--period",
        help="The period whose effects are removed (a good or bad month for everyone), "
        "and of the trend and the change per branch.",
    ),
]
PeriodEffectsOpt = Annotated[
    bool,
    typer.Option(
        "--period-effects/--no-period-effects",
        help="Remove period effects before comparing branches (on by default).",
    ),
]
TargetOpt = Annotated[
    CompareTarget,
    typer.Option(
        "--target",
        help="What each branch's estimate is pulled toward: its region's or country's level, "
        "or the whole selection's; auto takes the region when regions differ clearly.",
    ),
]
ChannelOpt = Annotated[str | None, typer.Option(help="Channel, e.g. phone or email.")]
KindOpt = Annotated[str | None, typer.Option(help="Audit kind, e.g. mystery_shop or inspection.")]
FollowUpsOpt = Annotated[
    bool,
    typer.Option(
        "--include-follow-ups",
        help="Count follow-up audits too (they re-check only failed items; left out by default).",
    ),
]
ClosedOpt = Annotated[
    bool,
    typer.Option(
        "--include-closed",
        help="Compare and rank closed branches too (marked closed; left out by default).",
    ),
]
MinAuditsOpt = Annotated[
    int, typer.Option("--min-audits", min=1, help="Fewer audits than this: not ranked.")
]
ChangeFromOpt = Annotated[
    str | None,
    typer.Option(
        "--change-from",
        metavar="PERIOD",
        help="The change's earlier period, e.g. 2026-03 or 2026Q1 (default: the latest before "
        "the later one that shares a branch with it).",
    ),
]
ChangeToOpt = Annotated[
    str | None,
    typer.Option(
        "--change-to",
        metavar="PERIOD",
        help="The change's later period (default: the selection's last).",
    ),
]
ChecklistOpt = Annotated[str | None, typer.Option("--checklist", help="Checklist id.")]
FromOpt = Annotated[
    datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First visit day.")
]
ToOpt = Annotated[
    datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last visit day.")
]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Region name.")]
CountryOpt = Annotated[str | None, typer.Option("--country", help="Country code, e.g. ES.")]


def day(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


def _debug() -> bool:
    return os.environ.get("AUDIT_DEBUG", "").strip().lower() in {"1", "true", "yes"}


def fail(message: str, code: int = 1) -> typer.Exit:
    say(f"error: {message}", err=True)
    return typer.Exit(code)


def guarded(function: F) -> F:
    """Turn the failures a user can act on into one line; anything else into a short note."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except AuditAppError as error:
            if _debug():
                raise
            raise fail(str(error)) from None
        except BrokenPipeError:
            # the reader went away (`audit-app scores | head`): stop quietly, as Unix tools do
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except OSError as error:
            if _debug():
                raise
            where = f" {error.filename}" if error.filename else ""
            raise fail(f"cannot use{where}: {error.strerror or error}") from None
        except Exception as error:
            if _debug():
                raise
            raise fail(
                f"unexpected failure ({type(error).__name__}: {error}); "
                "run again with AUDIT_DEBUG=1 for details"
            ) from None

    return wrapper  # type: ignore[return-value]


def context() -> AppContext:
    from audit_app.services.context import open_context

    opened = open_context()
    for replaced in opened.replaced_checklists:
        say(f"notice: {replaced.notice()}", err=True)
    return opened


def print_json(data: Any) -> None:
    say_json(data)


def emit(
    rows: list[dict[str, Any]],
    output: OutputFormat,
    table_columns: list[str],
    *,
    path: Path | None = None,
    title: str = "data",
) -> None:
    """Rows as a table, CSV, JSON or Excel, to stdout or to ``path`` (Excel needs a path).

    CSV and Excel text that a spreadsheet would run as a formula is neutralised.
    """
    from audit_app.intake.export import to_csv, to_xlsx

    check_suffix(path, output)
    columns = list(rows[0]) if rows else table_columns
    if output == OutputFormat.xlsx:
        if path is None:
            raise fail("--format xlsx needs -o FILE.xlsx")
        path.write_bytes(to_xlsx(rows, columns, title))
        say(f"Wrote {len(rows)} row(s) to {path}", err=True)
        return
    if output == OutputFormat.json:
        text = json_dump(rows) + "\n"
    elif output == OutputFormat.csv:
        text = to_csv(rows, columns)
    else:
        if path is None:
            print_rows(rows, table_columns)
            return
        text = to_csv(rows, table_columns)
    if path is None:
        say(text, nl=False)
    else:
        path.write_text(text, encoding="utf-8")
        say(f"Wrote {len(rows)} row(s) to {path}", err=True)


SUFFIXES = {OutputFormat.xlsx: ".xlsx", OutputFormat.csv: ".csv", OutputFormat.json: ".json"}


def check_suffix(path: Path | None, output: OutputFormat) -> None:
    """Refuse an output name that would mislead (CSV text in a .xlsx file, and so on)."""
    if path is not None:
        wanted = SUFFIXES.get(output, ".csv")
        output_path(path, wanted, f"--format {output.value} writes a {wanted} file")


def output_path(path: Path, suffix: str, what: str) -> Path:
    """The file to write, once its name fits what is written and its folder exists."""
    if path.suffix.lower() != suffix:
        raise fail(f"{path}: {what}; name it *{suffix}", code=2)
    if not path.parent.exists():
        raise fail(f"{path}: the folder {path.parent} does not exist", code=2)
    return path


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 audit``, ``2 audits``: counts in messages read as a person writes them."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def print_rows(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """An aligned table; a cell's control characters are shown, never sent to the terminal."""

    def text(value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return f"{value:.1f}"
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return terminal_text(str(value))

    cells = [[text(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    say("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        say("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
