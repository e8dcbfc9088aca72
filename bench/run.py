"""Benchmarks: run them all, print a table, write bench/results/latest.json.

    python bench/run.py

Each figure is the best of a few runs on the embedded SQLite engine (a fresh file per
run). Targets come from the issues; where an issue sets none yet the target column says so.
"""

from __future__ import annotations

import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    detail: str


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    os.environ["AUDIT_DATA_DIR"] = tempfile.mkdtemp(prefix="audit-bench-")
    from audit_app.checklists import Catalogue
    from audit_app.config import Settings, default_checklists_dir
    from audit_app.demo import generate
    from audit_app.domain.scoring import score_audit
    from audit_app.services.audits import list_scores
    from audit_app.services.context import open_context
    from audit_app.services.demo import load_demo
    from audit_app.services.overview import overview

    figures: list[Figure] = []
    catalogue = Catalogue.from_folder(default_checklists_dir())
    data = generate(catalogue.latest())
    answers = sum(len(r.answers) for r in data.audits)

    seconds = best_of(3, lambda: generate(catalogue.latest()))
    figures.append(Figure("demo: generate", seconds, "s", "none set",
                          f"{len(data.audits)} audits, {answers} answers"))

    def score_all() -> None:
        for record in data.audits:
            v = record.visit
            score_audit(catalogue.get(v.checklist_id, v.checklist_version), record.answers)

    seconds = best_of(3, score_all)
    figures.append(Figure("score_audit throughput", len(data.audits) / seconds, "audits/s",
                          "none set", f"{len(data.audits)} audits in {seconds:.3f} s"))

    def fresh_load() -> None:
        folder = Path(tempfile.mkdtemp(prefix="audit-bench-db-"))
        ctx = open_context(Settings(data_dir=folder))
        load_demo(ctx)
        ctx.engine.dispose()

    seconds = best_of(3, fresh_load)
    figures.append(Figure("demo: migrate + load into SQLite", seconds, "s", "none set",
                          f"{len(data.audits)} audits with {answers} answers"))

    ctx = open_context(Settings(data_dir=Path(tempfile.mkdtemp(prefix="audit-bench-db-"))))
    load_demo(ctx)
    seconds = best_of(3, lambda: load_demo(ctx))
    figures.append(Figure("demo: second load (nothing to add)", seconds, "s", "none set",
                          "idempotence check of every visit"))
    seconds = best_of(5, lambda: list_scores(ctx))
    figures.append(Figure("scores listing (all audits)", seconds * 1000, "ms", "none set",
                          f"{len(data.audits)} rows"))
    seconds = best_of(5, lambda: overview(ctx))
    figures.append(Figure("overview figures", seconds * 1000, "ms", "none set",
                          "KPIs, by region, by month, latest"))
    seconds = best_of(3, lambda: open_context(Settings(data_dir=ctx.settings.data_dir)))
    figures.append(Figure("open context (migrated DB)", seconds * 1000, "ms", "none set",
                          "engine, migration check, checklist sync"))

    print(f"{'benchmark':40} {'value':>12}  {'unit':10} {'target':10} detail")
    for f in figures:
        print(f"{f.name:40} {f.value:12.2f}  {f.unit:10} {f.target:10} {f.detail}")
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": "sqlite",
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "figures": [asdict(f) for f in figures],
    }
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
