"""docs/comparing.md is true: its worked example's scores, stored as the page describes them,
give exactly the output the page prints, and every option it names exists."""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.config import Settings
from audit_app.domain.audit import Answer, AuditRecord, Branch, Visit
from audit_app.domain.compare.periods import PERIOD_CELL_COLUMNS, fit_periods
from audit_app.domain.compare.shrinkage import raw_between, shrink
from audit_app.domain.compare.variance import t_quantile
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


def test_the_sums_done_by_hand_on_the_page_are_the_models() -> None:
    """The page's hand calculations (noise, pulls, the estimates before averaging over b,
    the t values) follow from the example's scores by the model's own parts."""
    scores = example_scores()
    cells = pd.DataFrame(
        [
            (code, str(month), len(values), float(sum(values)), float(sum(v * v for v in values)))
            for (code, _), months in scores.items()
            for month, values in enumerate(months)
            if values
        ],
        columns=PERIOD_CELL_COLUMNS,
    )
    fit = fit_periods(cells, adjust=True)
    assert fit.within is not None and fit.adjusted_factor is not None
    noise = fit.within * fit.adjusted_factor
    b = raw_between(fit.adjusted_means, noise, np.zeros(len(noise), dtype=int))
    chain = shrink(fit.adjusted_means, noise).chain
    at = {code: i for i, code in enumerate(fit.branches)}
    shown: dict[str, float] = {}
    for code, name in (("ES-CAT-01", "Gràcia"), ("ES-CAT-06", "Lleida")):
        i = at[code]
        pull = b / (b + noise[i])
        shown[f"{name} v"] = round(noise[i], 1)
        shown[f"{name} λ"] = round(pull, 2)
        shown[f"{name} estimate"] = round(
            round(chain, 1) + round(pull, 2) * (round(fit.adjusted_means[i], 1) - round(chain, 1)),
            1,
        )
    computed = {
        "s": round(np.sqrt(fit.within), 2),
        "s²": round(fit.within, 1),
        "b": round(b, 1),
        "chain": round(chain, 1),
        "t change": round(t_quantile(fit.df_within), 3),
        "t mean": round(t_quantile(20 - 6), 3),
        **shown,
    }
    assert computed == {
        "s": 2.83,
        "s²": 8.0,
        "b": 49.5,
        "chain": 81.2,
        "t change": 1.782,
        "t mean": 1.761,
        "Gràcia v": 2.1,
        "Gràcia λ": 0.96,
        "Gràcia estimate": 88.4,
        "Lleida v": 8.7,
        "Lleida λ": 0.85,
        "Lleida estimate": 86.0,
    }
    text = " ".join(DOC.read_text(encoding="utf-8").split())
    for sentence in (
        "s = 2.83 points (s² = 8.0)",
        "chain level of 81.2 (b = 49.5)",
        "Gràcia: v = 2.1 (four audits), λ = 49.5 / (49.5 + 2.1) = 0.96",
        "81.2 + 0.96 × (88.7 − 81.2) = 88.4",
        "Lleida: v = 8.7 (one audit, in March), λ = 0.85",
        "81.2 + 0.85 × (86.8 − 81.2) = 86.0",
        "(5.1 points, t = 1.761)",
        "−9.0 ± 1.782 × 2.83 × √(1/2 + 1/1)",
    ):
        assert sentence in text, sentence
