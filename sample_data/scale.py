"""The scale data set: 5,000 branches x 8 audits a year x 60 items = 2.4 million answers.

    python -m sample_data.scale DATA_DIR [--database-url URL] [--branches N]
        [--years N] [--audits-per-year N] [--chunk N] [--quiet]

generates the set and loads it into SQLite under DATA_DIR, or into the (empty, or not yet
created schema) database at URL, e.g. ``postgresql+psycopg://user@host/audit_scale``; it
prints a line per chunk (rows, seconds), then the time the load took on that engine and the
process's peak memory. ``--years 3`` is #21's ten-times set: each branch shopped every
fortnight for three years, 390,000 audits and 23.4 million answers with 5,000 branches.

Deterministic (fixed seed). The answers carry structure the comparison must find: lasting
branch effects, region effects, auditors who mark more kindly than others (each covers
one region; a few roam everywhere so that every auditor shares branches with the rest),
seasonal dips and N/A where the checklist allows it; over several years the same effects,
difficulties and seasons hold every year. The true branch effects and auditor leniencies
are kept in :class:`ScaleData` (and :class:`ScalePlan`) so that a benchmark or a test can
check them. The one-year set is the same to the bit as before years existed.

Generation is vectorised with numpy and builds the score cards itself (the scale
checklist uses only yes/no, scale and number items, whose rules are simple); a test
checks a sample of cards against :func:`audit_app.domain.scoring.score_audit`. A year is
drawn at a time and its records built a chunk at a time, so memory stays bounded. Loading
goes through ``repository.add_audits`` like every other write, so the figure measured is
the product's own bulk insert on either engine (driver-level executemany on SQLite,
``COPY`` on PostgreSQL, with every derived row, revision and seal ``verify`` checks).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection

from audit_app.checklists import dump_checklist
from audit_app.domain.audit import (
    Answer,
    AuditKind,
    AuditRecord,
    AuditStatus,
    Branch,
    Channel,
    Visit,
)
from audit_app.domain.checklist import Checklist, NumberItem, ScaleItem, YesNoItem
from audit_app.domain.scoring import ScoreCard, SectionScore, display
from audit_app.errors import AuditAppError
from audit_app.services.context import AppContext

SEED = 20_261_124
CHECKLIST_ID = "scale_visit"
FIRST_DAY = datetime(2025, 1, 1)
BRANCHES = 5_000
AUDITS_PER_BRANCH = 8
"""A year, in the one-year set (the default)."""
MOST_A_YEAR = 60
"""Each visit falls in its own window of the year, at least 6 days long."""
FORTNIGHTLY = 26
"""A year, when several years are made: 5,000 branches x 3 years x 26 = 390,000 audits,
23.4 million answers (#21's ten times the one-year set)."""
BRANCHES_PER_REGION = 100
AUDITORS_PER_REGION = 4
ROAMING_AUDITORS = 5
ROAMING_SHARE = 0.1
SECTION_SIZES = (8, 7, 8, 7, 8, 7, 8, 7)  # 60 items in 8 sections
_SEASON = np.array([-0.15, 0.0, 0.0, 0.05, 0.05, 0.0, -0.2, -0.5, 0.0, 0.05, 0.0, -0.4])


@dataclass(frozen=True)
class ScaleData:
    checklist: Checklist
    branches: tuple[Branch, ...]
    audits: tuple[tuple[AuditRecord, ScoreCard], ...]
    branch_effect: dict[str, float]
    """True branch effect (logit scale, region effect included) by branch code."""
    auditor_leniency: dict[str, float]
    """True leniency (logit scale) by auditor name."""

    @property
    def answers(self) -> int:
        return sum(len(record.answers) for record, _ in self.audits)


def scale_checklist() -> Checklist:
    """60 items in 8 sections: per section a number, a scale, yes/no items, one N/A-able;
    two critical items; failed critical items cap the overall at 59."""
    sections = []
    for s, size in enumerate(SECTION_SIZES, start=1):
        items: list[dict[str, object]] = [
            {
                "id": f"s{s}.wait",
                "type": "number",
                "text": {"en": f"Minutes waited (section {s})"},
                "min": 0,
                "target": 3,
                "direction": "at_most",
                "zero_at": 8,
                "weight": 2,
            },
            {"id": f"s{s}.tone", "type": "scale", "text": {"en": f"Tone (section {s})"}},
        ]
        for i in range(3, size + 1):
            item: dict[str, object] = {
                "id": f"s{s}.q{i}",
                "type": "yes_no",
                "text": {"en": f"Standard {i} of section {s} kept"},
            }
            if i == 3 and s in (1, 5):
                item["critical"] = True
            if i == size:
                item["na_allowed"] = True
            items.append(item)
        sections.append({"id": f"s{s}", "title": {"en": f"Section {s}"}, "items": items})
    return Checklist.model_validate(
        {
            "id": CHECKLIST_ID,
            "version": 1,
            "title": {"en": "Scale benchmark visit"},
            "languages": ["en"],
            "pass_mark": 75,
            "critical_rule": {"cap": 59},
            "sections": sections,
        }
    )


def write_scale_checklist(folder: Path) -> Path:
    """Write the scale checklist as YAML into ``folder`` (a throwaway checklists folder)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{CHECKLIST_ID}.v1.yaml"
    path.write_text(dump_checklist(scale_checklist()), encoding="utf-8")
    return path


def generate_scale(
    branches: int = BRANCHES,
    audits_per_branch: int | None = None,
    seed: int = SEED,
    years: int = 1,
) -> ScaleData:
    """The branches, the audits with their score cards, and the true effects, all at once
    (:meth:`ScalePlan.chunks` makes the same audits a chunk at a time)."""
    plan = plan_scale(branches, audits_per_branch, seed, years)
    audits = tuple(record for year in plan.years_of_audits() for record in year.records())
    return ScaleData(
        checklist=plan.checklist,
        branches=plan.branches,
        audits=audits,
        branch_effect=plan.branch_effect,
        auditor_leniency=plan.auditor_leniency,
    )


def audits_per_year(years: int) -> int:
    """The default pace: today's one-year set shops each branch 8 times; several years are
    the chain of #21, which shops each branch every fortnight."""
    return AUDITS_PER_BRANCH if years == 1 else FORTNIGHTLY


@dataclass(frozen=True)
class ScalePlan:
    """The lasting structure of the set (branches, regions, auditors and their effects)
    before any audit is drawn. Each year's audits are drawn from it in turn
    (:meth:`years_of_audits`), so the whole set never has to be in memory at once.

    Year 0 continues the structure's own random stream, exactly as the one-year set always
    has (the benchmarks and tests rely on its figures); each later year draws from a stream of
    its own (``[seed, year]``) with the same branch effects, leniencies, item difficulties
    and seasons."""

    checklist: Checklist
    branches: tuple[Branch, ...]
    region_of: np.ndarray
    effect: np.ndarray
    auditor_names: tuple[str, ...]
    leniency: np.ndarray
    audits_per_branch: int
    years: int
    seed: int
    state: dict[str, Any]
    """The structure's random stream after the structure was drawn: year 0 starts here."""

    @property
    def audits(self) -> int:
        return len(self.branches) * self.audits_per_branch * self.years

    @property
    def answers(self) -> int:
        return self.audits * len(self.checklist.items)

    @property
    def branch_effect(self) -> dict[str, float]:
        return {b.code: float(e) for b, e in zip(self.branches, self.effect, strict=True)}

    @property
    def auditor_leniency(self) -> dict[str, float]:
        return dict(zip(self.auditor_names, map(float, self.leniency), strict=True))

    def years_of_audits(self) -> Iterator[ScaleYear]:
        """Each year's audits as arrays, one year at a time."""
        difficulty = None
        for year in range(self.years):
            if year == 0:
                rng = np.random.default_rng()
                rng.bit_generator.state = self.state
            else:
                rng = np.random.default_rng([self.seed, year])
            drawn = _draw_year(self, year, rng, difficulty)
            difficulty = drawn.difficulty
            yield drawn

    def chunks(self, size: int) -> Iterator[tuple[tuple[AuditRecord, ScoreCard], ...]]:
        """The audits in order, at most ``size`` at a time (a chunk never spans two years)."""
        for year in self.years_of_audits():
            for start in range(0, year.count, size):
                yield year.records(start, start + size)


def plan_scale(
    branches: int = BRANCHES,
    audits_per_branch: int | None = None,
    seed: int = SEED,
    years: int = 1,
) -> ScalePlan:
    """Draw the set's structure; ``audits_per_branch`` is per year (default
    :func:`audits_per_year`)."""
    if years < 1:
        raise ValueError("years must be at least 1")
    pace = audits_per_year(years) if audits_per_branch is None else audits_per_branch
    if not 1 <= pace <= MOST_A_YEAR:
        raise ValueError(f"audits a year must be 1 to {MOST_A_YEAR} (one visit in each window)")
    rng = np.random.default_rng(seed)
    checklist = scale_checklist()
    regions = max(1, branches // BRANCHES_PER_REGION)
    region_of = np.minimum(np.arange(branches) // BRANCHES_PER_REGION, regions - 1)
    region_effect = rng.normal(0, 0.25, regions)
    branch_effect = region_effect[region_of] + rng.normal(0, 0.5, branches)
    auditor_names = [
        f"Auditor {r:02d}-{a}" for r in range(regions) for a in range(AUDITORS_PER_REGION)
    ] + [f"Roaming auditor {a}" for a in range(ROAMING_AUDITORS)]
    leniency = rng.normal(0, 0.25, len(auditor_names))
    return ScalePlan(
        checklist=checklist,
        branches=tuple(_branches(branches, region_of)),
        region_of=region_of,
        effect=branch_effect,
        auditor_names=tuple(auditor_names),
        leniency=leniency,
        audits_per_branch=pace,
        years=years,
        seed=seed,
        state=rng.bit_generator.state,
    )


@dataclass(frozen=True)
class ScaleYear:
    """One year's audits as arrays (a few hundred bytes an audit); records are built from
    them a slice at a time."""

    checklist: Checklist
    branch_codes: tuple[str, ...]
    auditor_names: tuple[str, ...]
    first_day: datetime
    branch_of: np.ndarray
    auditor_of: np.ndarray
    day: np.ndarray
    minute: np.ndarray
    codes: np.ndarray
    scores: np.ndarray
    difficulty: np.ndarray

    @property
    def count(self) -> int:
        return len(self.branch_of)

    def records(
        self, start: int = 0, stop: int | None = None
    ) -> tuple[tuple[AuditRecord, ScoreCard], ...]:
        """The audits ``start:stop`` of the year with their score cards."""
        part = slice(start, stop)
        return _records(
            self.checklist,
            self.branch_codes,
            self.branch_of[part],
            self.auditor_names,
            self.auditor_of[part],
            self.first_day,
            self.day[part],
            self.minute[part],
            self.codes[part],
            self.scores[part],
        )


def _draw_year(
    plan: ScalePlan, year: int, rng: np.random.Generator, difficulty: np.ndarray | None
) -> ScaleYear:
    """One year of visits: who, when, and every answer (in the order the one-year set
    always drew them)."""
    branches = len(plan.branches)
    regions = int(plan.region_of[-1]) + 1 if branches else 1
    per_branch = plan.audits_per_branch
    n = branches * per_branch
    branch_of = np.repeat(np.arange(branches), per_branch)
    local = plan.region_of[branch_of] * AUDITORS_PER_REGION + rng.integers(
        0, AUDITORS_PER_REGION, n
    )
    roaming = regions * AUDITORS_PER_REGION + rng.integers(0, ROAMING_AUDITORS, n)
    auditor_of = np.where(rng.random(n) < ROAMING_SHARE, roaming, local)
    window = 365 // per_branch
    day = np.tile(np.arange(per_branch) * window, branches) + rng.integers(0, window - 5, n)
    minute = rng.integers(9 * 12, 19 * 12, n) * 5
    first_day = FIRST_DAY.replace(year=FIRST_DAY.year + year)
    month = np.array([(first_day + timedelta(days=int(d))).month for d in range(366)])[day]
    mood = (
        plan.effect[branch_of]
        + plan.leniency[auditor_of]
        + _SEASON[month - 1]
        + rng.normal(0, 0.3, n)
    )
    if difficulty is None:
        difficulty = rng.uniform(-0.8, 1.2, len(plan.checklist.items))
    codes, scores = _item_answers(rng, plan.checklist, mood, difficulty)
    return ScaleYear(
        checklist=plan.checklist,
        branch_codes=tuple(b.code for b in plan.branches),
        auditor_names=plan.auditor_names,
        first_day=first_day,
        branch_of=branch_of,
        auditor_of=auditor_of,
        day=day,
        minute=minute,
        codes=codes,
        scores=scores,
        difficulty=difficulty,
    )


def _branches(count: int, region_of: np.ndarray) -> list[Branch]:
    return [
        Branch(
            code=f"SC-{b:05d}",
            name=f"Scale branch {b:05d}",
            region=f"Region {int(region_of[b]):02d}",
            country=("ES", "RO", "TR")[int(region_of[b]) % 3],
        )
        for b in range(count)
    ]


def _item_answers(
    rng: np.random.Generator, checklist: Checklist, mood: np.ndarray, difficulty: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per audit x item an answer code (index into the item's answer table) and its score
    (NaN for N/A). Code 0 is always N/A."""
    items = checklist.items
    n = len(mood)
    codes = np.zeros((n, len(items)), dtype=np.int16)
    scores = np.zeros((n, len(items)))
    for j, item in enumerate(items):
        logit = 1.4 + mood - difficulty[j] + (2.5 if item.critical else 0.0)
        chance = 1 / (1 + np.exp(-logit))
        if isinstance(item, YesNoItem):
            good = rng.random(n) < chance
            codes[:, j] = np.where(good, 2, 1)  # 1 = no, 2 = yes
            scores[:, j] = good
        elif isinstance(item, ScaleItem):
            level = np.clip(chance + rng.normal(0, 0.15, n), 0, 1)
            value = np.rint(level * (item.max - item.min)).astype(int)
            codes[:, j] = 1 + value  # 1.. = min..max
            scores[:, j] = value / (item.max - item.min)
        elif isinstance(item, NumberItem):
            good = rng.random(n) < chance
            minutes = np.where(good, rng.integers(0, 4, n), rng.integers(4, 10, n))
            codes[:, j] = 1 + minutes  # 1.. = 0..9 minutes
            assert item.zero_at is not None
            scores[:, j] = np.clip((item.zero_at - minutes) / (item.zero_at - item.target), 0, 1)
        if item.na_allowed:
            na = rng.random(n) < 0.05
            codes[na, j] = 0
            scores[na, j] = np.nan
    return codes, scores


def _answer_tables(checklist: Checklist) -> list[list[Answer]]:
    """Every possible answer per item, shared between audits (answers are immutable)."""
    tables = []
    for item in checklist.items:
        table = [Answer(item.id, None, True)]
        if isinstance(item, YesNoItem):
            table += [Answer(item.id, False), Answer(item.id, True)]
        elif isinstance(item, ScaleItem):
            table += [Answer(item.id, v) for v in range(item.min, item.max + 1)]
        elif isinstance(item, NumberItem):
            table += [Answer(item.id, float(v)) for v in range(10)]
        tables.append(table)
    return tables


def _cards(checklist: Checklist, scores: np.ndarray) -> list[ScoreCard]:
    """The score cards by the rules of DESIGN.md, vectorised (pooled section weights)."""
    items = checklist.items
    weight = np.array([item.weight for item in items])
    counted = np.where(np.isnan(scores), 0.0, weight)
    points = np.nan_to_num(scores) * weight
    bounds = np.cumsum((0, *SECTION_SIZES))
    section_points = np.add.reduceat(points, bounds[:-1], axis=1)
    section_weight = np.add.reduceat(counted, bounds[:-1], axis=1)
    section_score = np.minimum(100.0, 100 * (section_points / section_weight))
    raw = np.clip((section_score * section_weight).sum(axis=1) / section_weight.sum(axis=1), 0, 100)
    critical = np.array([item.critical for item in items])
    failed = (scores[:, critical] < 1) & ~np.isnan(scores[:, critical])
    cap = checklist.critical_rule.cap
    assert cap is not None
    overall = np.where(failed.any(axis=1), np.minimum(raw, cap), raw)
    item_ids = [item.id for item in items]
    critical_ids = np.array(item_ids)[critical]
    section_ids = [section.id for section in checklist.sections]
    cards = []
    for a in range(len(scores)):
        shown = display(float(overall[a]))
        assert shown is not None
        cards.append(
            ScoreCard(
                checklist_id=checklist.id,
                checklist_version=checklist.version,
                overall=float(overall[a]),
                raw_overall=float(raw[a]),
                grade=checklist.grade_for(shown),
                passed=shown >= checklist.pass_mark,
                critical_failure=bool(failed[a].any()),
                failed_critical_items=tuple(critical_ids[failed[a]].tolist()),
                sections=tuple(
                    SectionScore(sid, float(score), float(w))
                    for sid, score, w in zip(
                        section_ids, section_score[a], section_weight[a], strict=True
                    )
                ),
                item_scores=dict(
                    zip(item_ids, [None if s != s else s for s in scores[a].tolist()], strict=True)
                ),
            )
        )
    return cards


def _records(
    checklist: Checklist,
    branch_codes: Sequence[str],
    branch_of: np.ndarray,
    auditor_names: Sequence[str],
    auditor_of: np.ndarray,
    first_day: datetime,
    day: np.ndarray,
    minute: np.ndarray,
    codes: np.ndarray,
    scores: np.ndarray,
) -> tuple[tuple[AuditRecord, ScoreCard], ...]:
    tables = _answer_tables(checklist)
    cards = _cards(checklist, scores)
    records = []
    for a, row in enumerate(codes.tolist()):
        visit = Visit(
            branch_code=branch_codes[int(branch_of[a])],
            checklist_id=checklist.id,
            checklist_version=checklist.version,
            visited_at=first_day + timedelta(days=int(day[a]), minutes=int(minute[a])),
            auditor=auditor_names[int(auditor_of[a])],
            kind=AuditKind.MYSTERY_SHOP,
            channel=Channel.IN_PERSON,
        )
        answers = tuple(table[code] for table, code in zip(tables, row, strict=True))
        records.append((AuditRecord(visit, answers, AuditStatus.SUBMITTED, "scale"), cards[a]))
    return tuple(records)


@dataclass(frozen=True)
class Progress:
    """Where a load stands after one chunk (one transaction)."""

    year: int
    """Of the chunk just written (1-based)."""
    audits: int
    answers: int
    """Of the chunk just written."""
    loaded: int
    """Audits written so far."""
    of: int
    generate_seconds: float
    write_seconds: float
    """Of the chunk: building its records, and writing them."""
    elapsed: float
    """Since the load began."""

    def line(self, years: int) -> str:
        return (
            f"  year {self.year}/{years}: {self.loaded:,} of {self.of:,} audits; this chunk "
            f"{self.audits:,} audits, {self.answers:,} answers, built in "
            f"{self.generate_seconds:.2f} s, written in {self.write_seconds:.2f} s; "
            f"{self.elapsed:.1f} s so far"
        )


@dataclass(frozen=True)
class LoadTimes:
    generate_seconds: float
    """Building records from the drawn arrays, chunk by chunk (0 for a ``ScaleData``, made
    before the load)."""
    write_seconds: float
    """The product's bulk insert: branches, then every chunk, then the commit."""
    commit_seconds: float = 0.0
    """Of which the end: on PostgreSQL the foreign keys checked in one pass each, and the
    commit of the one transaction."""


def load_scale(
    ctx: AppContext,
    data: ScaleData | ScalePlan,
    chunk: int = 2_000,
    progress: Callable[[Progress], None] | None = None,
) -> LoadTimes:
    """Write the branches and audits into ``ctx`` through the repository's bulk insert.

    The context must have been opened on a checklists folder holding
    :func:`write_scale_checklist`'s file. Each chunk of audits is its own transaction: one
    transaction of 2.4 million answers made SQLite spill its page cache into a growing WAL
    and took three times as long (39 s against 13 s). On PostgreSQL the whole load is one
    transaction whose foreign keys are checked once at its end
    (``bulk.foreign_keys_checked_once``): checked per row, they were about half the server's
    time. A :class:`ScalePlan` is drawn a year and built a chunk at a time, so memory holds
    one year's arrays and one chunk of records.
    """
    from audit_app.storage import bulk, database, repository

    began = time.perf_counter()
    with database.transaction(ctx.engine) as conn:
        repository.upsert_branches(conn, data.branches)
        branch_id_of = repository.branch_ids(conn)
    written = time.perf_counter() - began
    built = 0.0
    loaded = 0
    total = data.audits if isinstance(data, ScalePlan) else len(data.audits)
    per_year = total // data.years if isinstance(data, ScalePlan) else total
    chunks = (
        data.chunks(chunk)
        if isinstance(data, ScalePlan)
        else (data.audits[start : start + chunk] for start in range(0, len(data.audits), chunk))
    )

    def add(conn: Connection, part: Sequence[tuple[AuditRecord, ScoreCard]]) -> None:
        repository.add_audits(
            conn, part, branch_id_of=branch_id_of, checklist_version_id_of=ctx.checklist_version_ids
        )

    one_transaction = ctx.engine.dialect.name == "postgresql"
    with ExitStack() as whole:
        if one_transaction:
            shared = whole.enter_context(database.transaction(ctx.engine))
            whole.enter_context(bulk.foreign_keys_checked_once(shared, repository.AUDIT_TABLES))
        while True:
            started = time.perf_counter()
            part = next(chunks, None)
            if part is None:
                break
            ready = time.perf_counter()
            if one_transaction:
                add(shared, part)
            else:
                with database.transaction(ctx.engine) as conn:
                    add(conn, part)
            done = time.perf_counter()
            built += ready - started
            written += done - ready
            loaded += len(part)
            if progress is not None:
                progress(
                    Progress(
                        year=(loaded - 1) // max(per_year, 1) + 1,
                        audits=len(part),
                        answers=sum(len(record.answers) for record, _card in part),
                        loaded=loaded,
                        of=total,
                        generate_seconds=ready - started,
                        write_seconds=done - ready,
                        elapsed=done - began,
                    )
                )
        closing = time.perf_counter()
    closed = time.perf_counter() - closing
    written += closed
    return LoadTimes(built, written, closed)


def vacuum_analyze(ctx: AppContext) -> None:
    """On PostgreSQL, ``VACUUM (ANALYZE)`` the freshly loaded tables: the planner learns their
    sizes and index-only scans can skip the heap. Autovacuum would do the same within a
    minute or so of a bulk load; doing it here makes the figures measured next repeatable.
    SQLite is left as the app leaves it (it never runs ``ANALYZE``)."""
    if ctx.engine.dialect.name != "postgresql":
        return
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM (ANALYZE)")


class ScaleLoadError(Exception):
    """The target database cannot take the scale set (it already holds audits)."""


def check_empty(ctx: AppContext) -> None:
    """Refuse a database that already holds audits: the scale set's visits would clash with
    themselves (or mix with real ones) halfway through a long load."""
    from audit_app.storage import database, repository

    with database.transaction(ctx.engine) as conn:
        stored = repository.count_rows(conn)
    if stored["audits"] or stored["drafts"]:
        raise ScaleLoadError(
            f"{ctx.database_label} already holds {stored['audits'] + stored['drafts']:,} "
            "audits; load the scale set into an empty database"
        )


def open_scale_context(data_dir: Path, database_url: str | None = None) -> AppContext:
    """An AppContext whose catalogue is the scale checklist alone, on ``database_url`` (created
    and migrated on first use) or, by default, on a SQLite file in ``data_dir``."""
    from audit_app.config import Settings
    from audit_app.services.context import open_context

    checklists = data_dir / "checklists"
    write_scale_checklist(checklists)
    return open_context(
        Settings(data_dir=data_dir, database_url=database_url, checklists_dir=checklists)
    )


def engine_name(ctx: AppContext) -> str:
    """The engine behind the context as people write it (SQLite, PostgreSQL)."""
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(
        ctx.engine.dialect.name, ctx.engine.dialect.name
    )


def peak_memory_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data.scale",
        description="Generate the scale data set and load it into SQLite or PostgreSQL.",
    )
    parser.add_argument("data_dir", nargs="?", type=Path, default=Path("scale-data"))
    parser.add_argument(
        "--database-url", help="load here instead of SQLite in DATA_DIR (an empty database)"
    )
    parser.add_argument("--branches", type=int, default=BRANCHES, help="default: %(default)s")
    parser.add_argument(
        "--years", type=int, default=1, help="years of history from 2025 (default: 1)"
    )
    parser.add_argument(
        "--audits-per-year",
        type=int,
        help=f"visits of each branch a year (default: {AUDITS_PER_BRANCH} for one year, "
        f"{FORTNIGHTLY} - every fortnight - for several)",
    )
    parser.add_argument(
        "--chunk", type=int, default=2_000, help="audits per transaction (default: %(default)s)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress line per chunk")
    options = parser.parse_args(argv)
    if options.chunk < 1:
        print("error: --chunk must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        plan = plan_scale(options.branches, options.audits_per_year, years=options.years)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    planned = time.perf_counter()
    try:
        ctx = open_scale_context(options.data_dir, options.database_url)
        check_empty(ctx)
    except (ScaleLoadError, AuditAppError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"loading {len(plan.branches):,} branches x {plan.years} year(s) x "
        f"{plan.audits_per_branch} audits x {len(plan.checklist.items)} items = "
        f"{plan.audits:,} audits, {plan.answers:,} answers into {engine_name(ctx)}",
        flush=True,
    )
    opened = time.perf_counter()

    def show(step: Progress) -> None:
        if not options.quiet:
            print(step.line(plan.years), flush=True)

    times = load_scale(ctx, plan, options.chunk, show)
    loaded = time.perf_counter()
    vacuum_analyze(ctx)
    analyzed = time.perf_counter()
    ctx.engine.dispose()
    after = f" (+ VACUUM ANALYZE {analyzed - loaded:.1f} s)" if analyzed - loaded > 0.05 else ""
    print(
        f"{len(plan.branches):,} branches, {plan.audits:,} audits, {plan.answers:,} "
        f"answers: generated in {planned - started + times.generate_seconds:.1f} s, loaded into "
        f"{engine_name(ctx)} in {loaded - opened:.1f} s (writing {times.write_seconds:.1f} s, "
        f"of which the end of the load {times.commit_seconds:.1f} s)"
        f"{after} ({ctx.database_label}); peak memory {peak_memory_mib():,.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
