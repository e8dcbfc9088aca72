"""Comparing locations (#4) on the scale data set: 5,000 branches x 8 audits x 60 items
(2.4 million answers), on each engine.

Targets: scale load < 15 s into SQLite (none set for PostgreSQL: its load time is
reported); league table < 300 ms and consistency per section and item < 500 ms from a warm
process; ``audit-app compare --format json`` as a whole process < 3 s. "Warm process" means
imports done, the context open and the data in the OS (or server) cache. The service keeps
loaded frames in an in-process cache, so two figures are given for each: the first call
(cache emptied) and a repeat call (cache hit, only the data-stamp queries run). The split
names the time in the database (the queries alone) and in pandas (the statistics on loaded
frames). The scale set is loaded once per engine (``bench.scale_world``) and shared with the
report and page benchmarks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Figure, best_of
from bench.databases import LABELS
from bench.scale_world import ScaleWorld, scale_data, scale_world

if TYPE_CHECKING:
    from audit_app.services.context import AppContext

REPO = Path(__file__).resolve().parent.parent


def run_pure() -> list[Figure]:
    data, generated = scale_data()
    return [
        Figure(
            "scale: generate (numpy, score cards)",
            generated,
            "s",
            "none set",
            f"{len(data.audits)} audits, {data.answers} answers",
        )
    ]


def run(engine: str) -> list[Figure]:
    data, _ = scale_data()
    world = scale_world(engine)
    on_sqlite = engine == "sqlite"
    analyzed = "" if on_sqlite else f"; then VACUUM (ANALYZE) {world.analyze_seconds:.1f} s"
    figures = [
        Figure(
            "scale: load (repository.add_audits, bulk inserts)",
            world.load_seconds,
            "s",
            "< 15 s" if on_sqlite else "none set",
            f"{len(data.branches)} branches, {len(data.audits)} audits, {data.answers} answers "
            f"into {LABELS[engine]}{analyzed}",
            met=world.load_seconds < 15 if on_sqlite else None,
        )
    ]
    ctx = world.open()
    try:
        figures += _league_figures(ctx)
        figures += _consistency_figures(ctx)
        figures += _other_figures(ctx)
    finally:
        ctx.engine.dispose()
    figures.append(_whole_process(world))
    return figures


def _split(db: float, pandas: float) -> str:
    return f"database {db * 1000:.0f} ms + pandas {pandas * 1000:.0f} ms"


def _league_figures(ctx: AppContext) -> list[Figure]:
    from audit_app.domain import compare as stats
    from audit_app.domain.filters import AuditFilter
    from audit_app.services import compare as service
    from audit_app.storage import compare_queries as queries

    engine = ctx.engine
    everything = AuditFilter()
    with engine.connect() as conn:
        totals = queries.branch_totals(conn, everything)  # warms the OS cache
        db = best_of(5, lambda: queries.branch_totals(conn, everything))
    pandas = best_of(5, lambda: stats.rank_branches(totals))

    def first_call() -> None:
        service.clear_cache()
        service.league_table(ctx, everything)

    first = best_of(5, first_call)
    repeat = best_of(5, lambda: service.league_table(ctx, everything))
    quarter = AuditFilter(date_from=_day("2025-04-01"), date_to=_day("2025-06-30"))

    def quarter_call() -> None:
        service.clear_cache()
        service.league_table(ctx, quarter)

    one_quarter = best_of(5, quarter_call)
    return [
        Figure(
            "league table, first call (5,000 branches, year)",
            first * 1000,
            "ms",
            "< 300 ms",
            _split(db, pandas) + "; the rest: data stamp, branch names, checklist lookup",
            met=first < 0.3,
        ),
        Figure(
            "league table, repeat call (cached frames)",
            repeat * 1000,
            "ms",
            "< 300 ms",
            "data-stamp query + pandas",
            met=repeat < 0.3,
        ),
        Figure(
            "league table, one quarter, first call",
            one_quarter * 1000,
            "ms",
            "none set",
            "10,000 audits",
        ),
    ]


def _consistency_figures(ctx: AppContext) -> list[Figure]:
    from audit_app.domain import compare as stats
    from audit_app.domain.filters import AuditFilter
    from audit_app.services import compare as service
    from audit_app.storage import compare_queries as queries

    engine = ctx.engine
    everything = AuditFilter()
    marks = {"scale_visit": 75.0}
    with engine.connect() as conn:
        sections = queries.section_cells(conn, everything)
        section_db = best_of(3, lambda: queries.section_cells(conn, everything))
        items = queries.item_cells(conn, everything)
        item_db = best_of(2, lambda: queries.item_cells(conn, everything))
    section_pandas = best_of(5, lambda: stats.section_consistency(sections, marks))
    item_pandas = best_of(5, lambda: stats.item_consistency(stats.scale_cells(items, 100)))

    def first_call() -> None:
        service.clear_cache()
        service.consistency(ctx, everything)

    first = best_of(2, first_call)
    repeat = best_of(5, lambda: service.consistency(ctx, everything))

    def sections_only() -> None:
        service.clear_cache()
        service.consistency(ctx, everything, items=False)

    section_first = best_of(3, sections_only)
    return [
        Figure(
            "consistency, sections only, first call",
            section_first * 1000,
            "ms",
            "none set",
            _split(section_db, section_pandas) + " (320,000 section scores)",
        ),
        Figure(
            "consistency, sections + items, first call",
            first * 1000,
            "ms",
            "< 500 ms",
            _split(section_db + item_db, section_pandas + item_pandas)
            + " (items: 40,000 item-score vectors summed in numpy)",
            met=first < 0.5,
        ),
        Figure(
            "consistency, sections + items, repeat call",
            repeat * 1000,
            "ms",
            "< 500 ms",
            "cached cells: data-stamp query + pandas",
            met=repeat < 0.5,
        ),
    ]


def _other_figures(ctx: AppContext) -> list[Figure]:
    from audit_app.domain.filters import AuditFilter
    from audit_app.services import compare as service

    everything = AuditFilter()

    def fresh(work: Callable[[], object]) -> float:
        def once() -> None:
            service.clear_cache()
            work()

        return best_of(2, once)

    from audit_app.services.repeats import repeated_failures
    from audit_app.storage import compare_queries as queries

    with ctx.engine.connect() as conn:
        item_rows = best_of(2, lambda: queries.item_rows(conn, everything, ["scale_visit"]))
    repeats = best_of(2, lambda: repeated_failures(ctx, everything))
    auditors = fresh(lambda: service.auditor_effects(ctx, everything))
    trend = fresh(lambda: service.trends(ctx, everything, level="branch"))
    index = fresh(lambda: service.consistency_trend(ctx, everything))
    heatmap = fresh(lambda: service.section_heatmap(ctx, everything))
    return [
        Figure(
            "item rows (rescoring across versions, repeats), one read",
            item_rows * 1000,
            "ms",
            "none set",
            "2.4 M audit x item scores from 40,000 item-score vectors",
        ),
        Figure(
            "repeated failures, whole call",
            repeats * 1000,
            "ms",
            "none set",
            "audit frame + item rows + runs in pandas",
        ),
        Figure("auditor effects, first call", auditors * 1000, "ms", "none set", "205 auditors"),
        Figure("trend per branch and month, first call", trend * 1000, "ms", "none set", ""),
        Figure("consistency index per month, first call", index * 1000, "ms", "none set", ""),
        Figure("section x branch heatmap, first call", heatmap * 1000, "ms", "none set", ""),
    ]


def _whole_process(world: ScaleWorld) -> Figure:
    env = {**os.environ, **world.environment()}
    command = [sys.executable, "-m", "audit_app", "compare", "--format", "json"]

    def once() -> None:
        result = subprocess.run(
            command, capture_output=True, text=True, env=env, cwd=REPO, timeout=120
        )
        if result.returncode != 0:
            raise RuntimeError(result.stderr)

    seconds = best_of(3, once)
    return Figure(
        "audit-app compare --format json (whole process)",
        seconds,
        "s",
        "< 3 s",
        "Python start, imports, migration check, queries, 5,000 rows of JSON",
        met=seconds < 3,
    )


def _day(text: str) -> date:
    return date.fromisoformat(text)
