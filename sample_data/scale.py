"""The scale data set: 5,000 branches x 8 audits a year x 60 items = 2.4 million answers.

    python -m sample_data.scale DATA_DIR [--database-url URL] [--branches N]

generates the set and loads it into SQLite under DATA_DIR, or into the (empty, or not yet
created schema) database at URL, e.g. ``postgresql+psycopg://user@host/audit_scale``; it
prints the time the load took on that engine.

Deterministic (fixed seed). The answers carry structure the comparison must find: lasting
branch effects, region effects, auditors who mark more kindly than others (each covers
one region; a few roam everywhere so that every auditor shares branches with the rest),
seasonal dips and N/A where the checklist allows it. The true branch effects and auditor
leniencies are kept in :class:`ScaleData` so that a benchmark or a test can check them.

Generation is vectorised with numpy and builds the score cards itself (the scale
checklist uses only yes/no, scale and number items, whose rules are simple); a test
checks a sample of cards against :func:`audit_app.domain.scoring.score_audit`. Loading
goes through ``repository.add_audits`` like every other write, so the figure measured is
the product's own bulk insert on either engine (driver-level executemany on SQLite,
``COPY`` on PostgreSQL).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

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
    branches: int = BRANCHES, audits_per_branch: int = AUDITS_PER_BRANCH, seed: int = SEED
) -> ScaleData:
    """The branches, the audits with their score cards, and the true effects."""
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

    n = branches * audits_per_branch
    branch_of = np.repeat(np.arange(branches), audits_per_branch)
    local = region_of[branch_of] * AUDITORS_PER_REGION + rng.integers(0, AUDITORS_PER_REGION, n)
    roaming = regions * AUDITORS_PER_REGION + rng.integers(0, ROAMING_AUDITORS, n)
    auditor_of = np.where(rng.random(n) < ROAMING_SHARE, roaming, local)
    window = 365 // audits_per_branch
    day = np.tile(np.arange(audits_per_branch) * window, branches) + rng.integers(0, window - 5, n)
    minute = rng.integers(9 * 12, 19 * 12, n) * 5
    month = np.array([(FIRST_DAY + timedelta(days=int(d))).month for d in range(366)])[day]
    mood = (
        branch_effect[branch_of] + leniency[auditor_of] + _SEASON[month - 1] + rng.normal(0, 0.3, n)
    )
    codes, scores = _item_answers(rng, checklist, mood)
    branch_list = _branches(branches, region_of)
    audits = _records(
        checklist, branch_list, branch_of, auditor_names, auditor_of, day, minute, codes, scores
    )
    return ScaleData(
        checklist=checklist,
        branches=tuple(branch_list),
        audits=audits,
        branch_effect={b.code: float(e) for b, e in zip(branch_list, branch_effect, strict=True)},
        auditor_leniency=dict(zip(auditor_names, map(float, leniency), strict=True)),
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
    rng: np.random.Generator, checklist: Checklist, mood: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per audit x item an answer code (index into the item's answer table) and its score
    (NaN for N/A). Code 0 is always N/A."""
    items = checklist.items
    n = len(mood)
    difficulty = rng.uniform(-0.8, 1.2, len(items))
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
    branch_list: Sequence[Branch],
    branch_of: np.ndarray,
    auditor_names: Sequence[str],
    auditor_of: np.ndarray,
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
            branch_code=branch_list[int(branch_of[a])].code,
            checklist_id=checklist.id,
            checklist_version=checklist.version,
            visited_at=FIRST_DAY + timedelta(days=int(day[a]), minutes=int(minute[a])),
            auditor=auditor_names[int(auditor_of[a])],
            kind=AuditKind.MYSTERY_SHOP,
            channel=Channel.IN_PERSON,
        )
        answers = tuple(table[code] for table, code in zip(tables, row, strict=True))
        records.append((AuditRecord(visit, answers, AuditStatus.SUBMITTED, "scale"), cards[a]))
    return tuple(records)


def load_scale(ctx: AppContext, data: ScaleData, chunk: int = 2_000) -> None:
    """Write the branches and audits into ``ctx`` through the repository's bulk insert.

    The context must have been opened on a checklists folder holding
    :func:`write_scale_checklist`'s file. Each chunk of audits is its own transaction: one
    transaction of 2.4 million answers made SQLite spill its page cache into a growing WAL
    and took three times as long (39 s against 13 s).
    """
    from audit_app.storage import database, repository

    with database.transaction(ctx.engine) as conn:
        repository.upsert_branches(conn, data.branches)
        branch_id_of = repository.branch_ids(conn)
    for start in range(0, len(data.audits), chunk):
        with database.transaction(ctx.engine) as conn:
            repository.add_audits(
                conn,
                data.audits[start : start + chunk],
                branch_id_of=branch_id_of,
                checklist_version_id_of=ctx.checklist_version_ids,
            )


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
    options = parser.parse_args(argv)
    started = time.perf_counter()
    data = generate_scale(branches=options.branches)
    generated = time.perf_counter()
    try:
        ctx = open_scale_context(options.data_dir, options.database_url)
        check_empty(ctx)
    except (ScaleLoadError, AuditAppError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    opened = time.perf_counter()
    load_scale(ctx, data)
    loaded = time.perf_counter()
    vacuum_analyze(ctx)
    analyzed = time.perf_counter()
    ctx.engine.dispose()
    after = f" (+ VACUUM ANALYZE {analyzed - loaded:.1f} s)" if analyzed - loaded > 0.05 else ""
    print(
        f"{len(data.branches):,} branches, {len(data.audits):,} audits, {data.answers:,} "
        f"answers: generated in {generated - started:.1f} s, loaded into "
        f"{engine_name(ctx)} in {loaded - opened:.1f} s{after} ({ctx.database_label})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
