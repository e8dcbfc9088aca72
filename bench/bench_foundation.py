"""Foundation (#2): demo generation and scoring throughput (pure, measured once); demo load,
listing, overview and opening a context (per engine)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import Figure, best_of
from bench.databases import fresh_database_url

if TYPE_CHECKING:
    from audit_app.config import Settings


def run_pure() -> list[Figure]:
    from audit_app.checklists import Catalogue
    from audit_app.config import default_checklists_dir
    from audit_app.demo import generate
    from audit_app.domain.scoring import score_audit

    figures: list[Figure] = []
    catalogue = Catalogue.from_folder(default_checklists_dir())
    data = generate(catalogue.latest())
    answers = sum(len(r.answers) for r in data.audits)

    seconds = best_of(3, lambda: generate(catalogue.latest()))
    figures.append(
        Figure(
            "demo: generate",
            seconds,
            "s",
            "none set",
            f"{len(data.audits)} audits, {answers} answers",
        )
    )

    def score_all() -> None:
        for record in data.audits:
            v = record.visit
            score_audit(catalogue.get(v.checklist_id, v.checklist_version), record.answers)

    seconds = best_of(3, score_all)
    figures.append(
        Figure(
            "score_audit throughput",
            len(data.audits) / seconds,
            "audits/s",
            "none set",
            f"{len(data.audits)} audits in {seconds:.3f} s",
        )
    )
    return figures


def _settings(engine: str) -> Settings:
    from audit_app.config import Settings

    folder = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    return Settings(data_dir=folder, database_url=fresh_database_url(engine, folder))


def run(engine: str) -> list[Figure]:
    from audit_app.checklists import Catalogue
    from audit_app.config import default_checklists_dir
    from audit_app.demo import generate
    from audit_app.services.audits import list_scores
    from audit_app.services.context import open_context
    from audit_app.services.demo import load_demo
    from audit_app.services.overview import overview

    figures: list[Figure] = []
    data = generate(Catalogue.from_folder(default_checklists_dir()).latest())
    answers = sum(len(r.answers) for r in data.audits)

    def fresh_load() -> None:
        ctx = open_context(_settings(engine))
        load_demo(ctx)
        ctx.engine.dispose()

    seconds = best_of(3, fresh_load)
    figures.append(
        Figure(
            "demo: migrate + load",
            seconds,
            "s",
            "none set",
            f"{len(data.audits)} audits with {answers} answers",
        )
    )

    ctx = open_context(_settings(engine))
    load_demo(ctx)
    seconds = best_of(3, lambda: load_demo(ctx))
    figures.append(
        Figure(
            "demo: second load (nothing to add)",
            seconds,
            "s",
            "none set",
            "idempotence check of every visit",
        )
    )
    seconds = best_of(5, lambda: list_scores(ctx))
    figures.append(
        Figure(
            "scores listing (all audits)",
            seconds * 1000,
            "ms",
            "none set",
            f"{len(data.audits)} rows",
        )
    )
    seconds = best_of(5, lambda: overview(ctx))
    figures.append(
        Figure(
            "overview figures",
            seconds * 1000,
            "ms",
            "none set",
            "KPIs, by region, by month, latest",
        )
    )
    opened: list[object] = []
    seconds = best_of(3, lambda: opened.append(open_context(ctx.settings)))
    for context in opened:
        context.engine.dispose()  # type: ignore[attr-defined]
    figures.append(
        Figure(
            "open context (migrated database)",
            seconds * 1000,
            "ms",
            "none set",
            "engine, migration check, checklist sync",
        )
    )
    ctx.engine.dispose()
    return figures
