"""The one way the command line writes to the terminal.

Names, comments and cell values come from people and from outside workbooks; printed raw,
an ESC or a bidi control in them would act on the reader's terminal (clear it, retitle it,
write the clipboard with OSC 52, plant a hidden link, reverse a line). Every command prints
through these functions, which show such characters as ``\\x1b`` or ``\\u202e``; only the
line breaks and tabs of the layout pass. ``tests/test_cli_terminal.py`` fails when a
command module writes any other way.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import typer

from audit_app.domain.safe_text import json_text, terminal_lines, terminal_text

__all__ = ["json_dump", "live_line", "progress_bar", "say", "say_json", "terminal_text"]


def say(text: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Print ``text`` (to stderr with ``err``) with every control and bidi character shown."""
    typer.echo(terminal_lines(str(text)), err=err, nl=nl)


def json_dump(data: Any) -> str:
    """JSON whose strings carry control and bidi characters as ``\\uXXXX`` escapes: the
    same document to a parser, inert on a terminal."""
    return json_text(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))


def say_json(data: Any) -> None:
    typer.echo(json_dump(data))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def live_line(text: str, *, final: bool, live: bool) -> None:
    """A progress line on stderr that a live terminal redraws in place (our own ``\\r`` and
    erase-line code; the text itself is shown inert)."""
    shown = terminal_text(text)
    if final:
        sys.stderr.write(("\r\033[K" if live else "") + shown + "\n")
    else:
        sys.stderr.write("\r\033[K" + shown)
    sys.stderr.flush()


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Any]:
    """Typer's progress bar on stderr, its label shown inert."""
    with typer.progressbar(length=total, label=terminal_text(label), file=sys.stderr) as bar:
        yield bar
