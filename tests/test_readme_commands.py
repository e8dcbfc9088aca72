"""The README's command table tells the truth: every command it lists exists, and every
option it shows for a command is one that command declares."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audit_app.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"
runner = CliRunner()


def _table_commands() -> list[tuple[str, list[str], set[str]]]:
    """(the cell's command, its words, the options it shows) per command of the table."""
    found = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `audit-app "):
            continue
        cell = line.split(" | ")[0]
        for written in re.findall(r"`(audit-app [^`]+)`", cell):
            words = []
            for token in written.split()[1:]:
                if not re.fullmatch(r"[a-z][a-z-]*", token):
                    break
                words.append(token)
            options = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", written))
            found.append((written, words, options))
        for alternative in re.findall(r"/ `([a-z][a-z -]*?)(?: [A-Z\[`]|`)", cell):
            first = re.findall(r"`audit-app ([a-z]+)", cell)[0]
            said = alternative.split()
            # `list` beside `users add` is `users list`; `restore` beside `export` is its own
            grouped = said if said[0] == first else [first, *said]
            found.append((alternative, grouped if _names(grouped) else said, set()))
    return found


def _names(words: list[str]) -> bool:
    """Whether ``words`` are a command: its help's usage line names them."""
    result = runner.invoke(app, [*words, "--help"], terminal_width=200)
    return result.exit_code == 0 and f" {' '.join(words)} [OPTIONS]" in result.output


COMMANDS = _table_commands()


def test_the_table_lists_the_new_commands() -> None:
    listed = {" ".join(words) for _, words, _ in COMMANDS}
    assert {"checklists import", "checklists export", "branches import", "mapping suggest"} <= (
        listed
    )


@pytest.mark.parametrize(
    ("written", "words", "options"), COMMANDS, ids=[" ".join(c[1]) or c[0] for c in COMMANDS]
)
def test_each_command_and_option_in_the_readme_exists(
    written: str, words: list[str], options: set[str]
) -> None:
    result = runner.invoke(app, [*words, "--help"], terminal_width=200)
    assert result.exit_code == 0, (written, result.output)
    assert _names(words), (written, result.output)
    shown = _declared_options(words)
    assert options <= shown, (written, options - shown)


def _declared_options(words: list[str]) -> set[str]:
    """Every option the command declares (help text may cut a long name short)."""
    import typer.main

    command = typer.main.get_command(app)
    context = command.make_context("audit-app", [], resilient_parsing=True)
    for word in words:
        command = command.get_command(context, word)  # type: ignore[attr-defined]
        context = command.make_context(word, [], parent=context, resilient_parsing=True)
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


def _cells(line: str) -> int:
    """A table row's cell count, as Markdown splits it (an escaped pipe does not split)."""
    return len(re.sub(r"\\\|", "", line).strip().strip("|").split("|"))


@pytest.mark.parametrize(
    "document",
    [README, *sorted((README.parent / "docs").glob("*.md"))],
    ids=lambda path: path.name,
)
def test_every_table_row_has_its_header_s_cells(document: Path) -> None:
    """A stray `|` in a cell makes a column the header does not have: the renderer drops
    the last cell, so a benchmark's "met / gap" went missing from five rows (#21)."""
    wrong = []
    header: tuple[int, int] | None = None
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), 1):
        if not line.startswith("|"):
            header = None
        elif header is None:
            header = (number, _cells(line))
        elif _cells(line) != header[1]:
            wrong.append(
                f"line {number}: {_cells(line)} cells, header (line {header[0]}) has {header[1]}"
            )
    assert not wrong, wrong
