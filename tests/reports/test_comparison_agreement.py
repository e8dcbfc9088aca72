"""One request, three outputs, one league: ``audit-app compare --format json``, ``--format
csv`` and ``audit-app report compare`` (the PDF read back as text) list the same branches
in the same order with the same rank, tie band, mean and shrunken estimate as shown (one
decimal), and the JSON and the PDF the same consistency index and scope (the CSV holds the
rows only).

Hypothesis draws small worlds (3 to 9 branches, 1 to 20 audits each, a spread, no
difference or a ceiling) and builds a database for each, so it runs a few examples; the
three named worlds of the issue always run as explicit examples. The three commands get
the same options (minimum audits, period, checklist) drawn from :data:`OPTIONS`.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from audit_app.checklists import dump_checklist
from audit_app.cli import app
from audit_app.config import Settings
from audit_app.domain.audit import Answer, AuditRecord, Branch, Channel, Visit
from audit_app.domain.checklist import Checklist
from audit_app.reports.comparison_report import LABELS
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from tests.reports.conftest import pdf_text

runner = CliRunner()
CHECKLIST = "probe"
ITEMS = 10
FIRST_DAY = datetime(2026, 1, 5, 10, 0)
AUDITORS = ("Ana", "Bo", "Cem")


def probe_checklist() -> Checklist:
    """Two sections of five yes/no items: an audit scores 0, 10, ..., 100."""
    sections = [
        {
            "id": section,
            "title": {"en": section.title()},
            "items": [
                {"id": f"{section}.q{i}", "type": "yes_no", "text": {"en": f"Kept {i}"}}
                for i in range(1, ITEMS // 2 + 1)
            ],
        }
        for section in ("front", "back")
    ]
    return Checklist.model_validate(
        {
            "id": CHECKLIST,
            "version": 1,
            "title": {"en": "Probe visit"},
            "languages": ["en"],
            "pass_mark": 75,
            "grades": [{"min": 90, "label": "Top"}, {"min": 0, "label": "Rest"}],
            "sections": sections,
        }
    )


@dataclass(frozen=True)
class World:
    """Per branch: how many audits and the chance that an item is kept."""

    audits: tuple[int, ...]
    chance: tuple[float, ...]
    seed: int


def spread(audits: Sequence[int], seed: int) -> World:
    rng = np.random.default_rng(seed)
    chance = np.clip(rng.normal(0.75, 0.12, len(audits)), 0.05, 0.98)
    return World(tuple(audits), tuple(float(c) for c in chance), seed)


UNBALANCED = spread([1, 2, 3, 5, 8, 13, 20, 4], seed=1)
NO_DIFFERENCE = World((6, 6, 6, 6, 6, 6), (0.8,) * 6, seed=2)
CEILING = World((5, 7, 4, 9, 6), (1.0, 1.0, 1.0, 0.999, 0.9), seed=3)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    audits = draw(st.lists(st.integers(1, 20), min_size=3, max_size=9))
    seed = draw(st.integers(0, 2**16))
    kind = draw(st.sampled_from(["spread", "no difference", "ceiling"]))
    if kind == "spread":
        return spread(audits, seed)
    level = 0.8 if kind == "no difference" else 0.995
    return World(tuple(audits), (level,) * len(audits), seed)


def build(world: World, folder: Path) -> Settings:
    """The world's branches and audits in a SQLite database under ``folder``."""
    checklists = folder / "checklists"
    checklists.mkdir(parents=True)
    checklist = probe_checklist()
    (checklists / f"{CHECKLIST}.v1.yaml").write_text(dump_checklist(checklist), encoding="utf-8")
    made = Settings(data_dir=folder / "data", checklists_dir=checklists)
    ctx = open_context(made)
    rng = np.random.default_rng(world.seed)
    branches = [
        Branch(
            code=f"PR-{b:02d}", name=f"Probe{b:02d}", region=("North", "South")[b % 2], country="ES"
        )
        for b in range(len(world.audits))
    ]
    save_branches(ctx, branches)
    records = []
    for b, (count, chance) in enumerate(zip(world.audits, world.chance, strict=True)):
        for a in range(count):
            kept = rng.random(ITEMS) < chance
            visit = Visit(
                branch_code=branches[b].code,
                checklist_id=CHECKLIST,
                checklist_version=1,
                visited_at=FIRST_DAY + timedelta(days=9 * a, hours=b % 7),
                auditor=AUDITORS[(a + b) % len(AUDITORS)],
                channel=Channel.IN_PERSON,
            )
            answers = tuple(
                Answer(item.id, bool(k)) for item, k in zip(checklist.items, kept, strict=True)
            )
            records.append(AuditRecord(visit, answers))
    store_audits(ctx, records)
    ctx.engine.dispose()
    return made


@dataclass(frozen=True)
class Line:
    """A league row as an output shows it."""

    code: str
    rank: str
    """'' when the branch has too few audits to rank."""
    band: str
    mean: str
    shrunk: str


def shown(value: object) -> str:
    """A score as the outputs print it: one decimal ('' for none)."""
    return "" if value in (None, "") else f"{float(str(value)):.1f}"


def from_json(rows: list[dict]) -> list[Line]:
    return [
        Line(
            r["branch_code"],
            "" if r["too_few_to_rank"] else str(r["rank"]),
            "" if r["tie_band"] is None else str(r["tie_band"]),
            shown(r["mean"]),
            shown(r["shrunk"]),
        )
        for r in rows
    ]


def from_csv(text: str) -> list[Line]:
    rows = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return [
        Line(
            r["branch_code"],
            "" if r["too_few_to_rank"] == "yes" else r["rank"],
            r["tie_band"],
            shown(r["mean"]),
            shown(r["shrunk"]),
        )
        for r in rows
    ]


def from_pdf(text: str) -> list[Line]:
    """The league table's lines: 'RANK [BAND] CODE NAME REGION AUDITS MEAN INTERVAL SHRUNK
    ...' or 'too few CODE ...' (names and regions here are one word)."""
    lines = []
    for line in text.splitlines():
        words = line.split()
        if line.startswith(LABELS["too_few_short"] + " PR-"):
            rank, band, rest = "", "", words[2:]
        elif len(words) > 3 and words[0].isdigit() and words[1].startswith("PR-"):
            rank, band, rest = words[0], "", words[1:]
        elif len(words) > 3 and words[0].isdigit() and words[2].startswith("PR-"):
            rank, band, rest = words[0], words[1], words[2:]
        else:
            continue
        code, _name, _region, _audits, mean, _interval, shrunk = rest[:7]
        lines.append(Line(code, rank, band, mean, shrunk))
    return lines


def cover_index(text: str) -> str:
    """The consistency index as the cover prints it ('' for none)."""
    after = text.split(LABELS["index"], 1)[1].split()[0]
    return "" if after == LABELS["index_none"] else after


OPTIONS: tuple[tuple[str, ...], ...] = (
    (),
    ("--min-audits", "2", "--period", "quarter"),
    ("--min-audits", "5", "--checklist", CHECKLIST),
)
"""The request, given alike to the three commands."""


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(world=worlds(), options=st.sampled_from(OPTIONS))
@example(world=UNBALANCED, options=OPTIONS[0])
@example(world=NO_DIFFERENCE, options=OPTIONS[0])
@example(world=CEILING, options=OPTIONS[1])
def test_the_json_the_csv_and_the_pdf_show_the_same_league(
    world: World, options: tuple[str, ...]
) -> None:
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as env:
        made = build(world, Path(folder))
        env.setenv("AUDIT_DATA_DIR", str(made.data_dir))
        env.setenv("AUDIT_CHECKLISTS_DIR", str(made.checklists_dir))
        env.delenv("AUDIT_DATABASE_URL", raising=False)
        data = json.loads(run("compare", *options, "--format", "json"))
        table = run("compare", *options, "--format", "csv")
        pdf = Path(folder) / "compare.pdf"
        run("report", "compare", *options, "-o", str(pdf))
        text = pdf_text(pdf.read_bytes())
    league = from_json(data["rows"])
    assert len(league) == len(world.audits)
    assert from_csv(table) == league
    assert from_pdf(text) == league
    summary = data["summary"]
    assert cover_index(text) == shown(summary["consistency_index"])
    assert summary["scope"] in text.splitlines()
