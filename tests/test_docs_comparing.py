"""docs/comparing.md is true: its worked example's scores, stored as the page describes them,
give exactly the output the page prints, and every option it names exists."""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.config import Settings
from audit_app.domain.audit import Answer, AuditRecord, Branch, Visit
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from tests.databases import make_settings, point_environment_at
from tests.test_docs_importing import doc_blocks

DOC = Path(__file__).resolve().parents[1] / "docs" / "comparing.md"
SCORES_MARKER = "<!-- example-scores -->"
ELIDED = "..."
runner = CliRunner()

REGION, AUDITOR, YEAR = "Catalonia", "Marta Puig", 2026
"""As the page says: one region, one auditor, January to March 2026."""
CHECKLIST = """\
id: shop_visit
version: 1
title:
  en: Shop visit
languages: [en]
channel: on_site
pass_mark: 75
sections:
- id: visit
  title:
    en: Visit
  items:
  - id: visit.score
    type: percentage
    text:
      en: Score of the visit
    target: 100
    direction: at_least
    zero_at: 0
"""
"""One item whose score is the number entered, so an audit's overall score is that number."""


def example_scores(path: Path = DOC) -> dict[tuple[str, str], list[list[int]]]:
    """(code, name) -> the scores per month (January first), from the table after the
    marker."""
    text = path.read_text(encoding="utf-8")
    lines = text[text.index(SCORES_MARKER) + len(SCORES_MARKER) :].strip().splitlines()
    table = lines[: next(i for i, line in enumerate(lines) if not line.strip())]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    assert header == ["Branch", "Name", "January", "February", "March"]
    scores: dict[tuple[str, str], list[list[int]]] = {}
    for line in table[2:]:
        code, name, *months = [cell.strip() for cell in line.strip().strip("|").split("|")]
        scores[code, name] = [[int(s) for s in cell.split(",")] if cell else [] for cell in months]
    return scores


def example_records(scores: dict[tuple[str, str], list[list[int]]]) -> list[AuditRecord]:
    """One audit per score: the month's first visit on the 8th, a second on the 18th."""
    records = []
    for (code, _), months in scores.items():
        for month, values in enumerate(months, start=1):
            for k, value in enumerate(values):
                visit = Visit(
                    branch_code=code,
                    checklist_id="shop_visit",
                    checklist_version=1,
                    visited_at=datetime(YEAR, month, 8 + 10 * k, 11),
                    auditor=AUDITOR,
                )
                records.append(AuditRecord(visit, (Answer("visit.score", float(value)),)))
    return records


def console_examples(path: Path = DOC) -> list[tuple[list[str], list[list[str]]]]:
    """(the command's arguments, the shown output in chunks split at ``...`` lines) of every
    ```console block."""
    examples = []
    for fence, text in doc_blocks(path):
        if fence != "console":
            continue
        command, *output = text.rstrip("\n").split("\n")
        assert command.startswith("$ audit-app "), command
        chunks: list[list[str]] = [[]]
        for line in output:
            if line == ELIDED:
                chunks.append([])
            else:
                chunks[-1].append(line)
        examples.append((shlex.split(command)[2:], chunks))
    return examples


EXAMPLES = console_examples()


@pytest.fixture(scope="module")
def example_world(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("docs-comparing")
    checklists = folder / "checklists"
    checklists.mkdir()
    (checklists / "shop_visit.v1.yaml").write_text(CHECKLIST, encoding="utf-8")
    settings = make_settings("sqlite", folder / "data", checklists)
    ctx = open_context(settings)
    scores = example_scores()
    save_branches(ctx, [Branch(code=c, name=n, region=REGION, country="ES") for c, n in scores])
    stored = store_audits(ctx, example_records(scores))
    assert (len(stored.ids), stored.skipped) == (20, 0)
    ctx.engine.dispose()
    return settings


@pytest.fixture
def on_example(example_world: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    point_environment_at(example_world, monkeypatch)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(example_world.checklists_dir))


def test_the_example_has_six_branches_twenty_audits_and_both_commands() -> None:
    scores = example_scores()
    assert len(scores) == 6
    assert sum(len(month) for months in scores.values() for month in months) == 20
    assert [args for args, _ in EXAMPLES] == [
        ["compare"],
        ["compare", "--no-period-effects"],
        ["compare", "--by", "change"],
    ]


@pytest.mark.parametrize(("args", "chunks"), EXAMPLES, ids=[" ".join(a) for a, _ in EXAMPLES])
def test_the_page_prints_what_the_command_prints(
    on_example: None, args: list[str], chunks: list[list[str]]
) -> None:
    """Each shown chunk of lines is, line for line, a run of the real output, in order."""
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    printed = result.output.rstrip("\n").split("\n")
    at = 0
    for chunk in chunks:
        found = next(
            (i for i in range(at, len(printed)) if printed[i : i + len(chunk)] == chunk), None
        )
        assert found is not None, ("not printed (in this order):", chunk, result.output)
        at = found + len(chunk)


@pytest.mark.parametrize("shown", [EXAMPLES[0][1][0], EXAMPLES[1][1][0]])
def test_the_league_tables_are_shown_whole(shown: list[str]) -> None:
    """The league examples show the title, the header and every branch's row, unbroken."""
    assert shown[0].startswith("League table: ") and shown[2].startswith("rank  tie_band")
    rows = [line for line in shown if re.match(r"^(\d+|—)\s{2,}", line)]
    assert len(rows) == len(example_scores())


COMMANDS = (("compare",), ("report", "compare"))


def _options(words: tuple[str, ...]) -> set[str]:
    """Every option name (and its ``--no-`` twin) of the command, from its parameters, not
    from the help text (which narrow terminals cut short)."""
    command = typer.main.get_command(app)
    for word in words:
        assert isinstance(command, TyperGroup), words
        command = command.commands[word]
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


def test_every_option_the_page_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    named = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text))
    known = set().union(*(_options(words) for words in COMMANDS))
    assert named, "the page names options"
    assert named <= known, named - known


def test_every_command_the_page_names_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    commands = set(re.findall(r"`audit-app ([a-z]+(?: [a-z]+)?)", text))
    assert commands == {" ".join(words) for words in COMMANDS}, commands
