"""PDF reports (#5): one audit report's render time (pure, measured once), and per engine one
report from the database and 500 audit reports in batch on one worker against two."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Figure, best_of
from bench.databases import fresh_database_url

ITEMS_WANTED = 60


def _sixty_item_checklist(catalogue: object) -> object:
    """The demo checklists' sections put together until there are 60 items (ids prefixed so
    they stay unique), under the id "complaints" so that the demo generator answers it."""
    from audit_app.domain.checklist import Checklist

    sections, count = [], 0
    for checklist in catalogue:  # type: ignore[attr-defined]
        for section in checklist.to_data()["sections"]:
            prefix = f"{checklist.id}.{section['id']}"
            section = {**section, "id": prefix, "weight": None}
            section.pop("weight")
            section["items"] = [
                {**item, "id": f"{checklist.id}.{item['id']}"} for item in section["items"]
            ]
            sections.append(section)
            count += len(section["items"])
            if count >= ITEMS_WANTED:
                break
        if count >= ITEMS_WANTED:
            break
    return Checklist.model_validate(
        {
            "id": "complaints",
            "version": 1,
            "title": {"en": "Sixty items"},
            "languages": ["en"],
            "sections": sections,
        }
    )


def _render_figure() -> Figure:
    from audit_app.checklists import Catalogue
    from audit_app.config import default_checklists_dir
    from audit_app.demo import generate
    from audit_app.domain.scoring import score_audit
    from audit_app.reports.audit_report import (
        AuditReportData,
        BranchInfo,
        ScorePoint,
        render_audit_report,
    )

    checklist = _sixty_item_checklist(Catalogue.from_folder(default_checklists_dir()))
    record = generate([checklist]).audits[0]  # type: ignore[list-item]
    card = score_audit(checklist, record.answers)  # type: ignore[arg-type]
    start = record.visit.visited_at
    data = AuditReportData(
        audit_id=1,
        branch=BranchInfo(record.visit.branch_code, "Verd Natural Kadıköy", "Istanbul", "TR"),
        visit=record.visit,
        checklist=checklist,  # type: ignore[arg-type]
        answers={a.item_id: a for a in record.answers},
        card=card,
        overall=card.overall,
        grade=card.grade,
        passed=card.passed,
        critical_failure=card.critical_failure,
        history=tuple(
            ScorePoint(start - timedelta(days=30 * (8 - i)), 60.0 + 4 * i) for i in range(8)
        ),
    )
    now = datetime.now(UTC)
    pages = render_audit_report(data, "en", now).count(b"/Type /Page\n")
    seconds = best_of(10, lambda: render_audit_report(data, "en", now))
    return Figure(
        "report: one audit report (60 items)",
        seconds * 1000,
        "ms",
        "< 40 ms",
        f"{len(checklist.items)} items, {len(checklist.sections)} sections, "  # type: ignore[attr-defined]
        f"bar chart + trend, ~{pages or '?'} page(s); render only, best of 10",
        met=seconds < 0.040,
    )


def run_pure() -> list[Figure]:
    return [_render_figure()]


def run(engine: str) -> list[Figure]:
    from audit_app.config import Settings
    from audit_app.domain.filters import AuditFilter
    from audit_app.services.context import open_context
    from audit_app.services.demo import load_demo
    from audit_app.services.reports import audit_report, audit_reports_batch

    figures: list[Figure] = []
    folder = Path(tempfile.mkdtemp(prefix="audit-bench-"))
    url = fresh_database_url(engine, folder)
    ctx = open_context(Settings(data_dir=folder, database_url=url))
    load_demo(ctx)
    seconds = best_of(5, lambda: audit_report(ctx, 140))
    figures.append(
        Figure(
            "report: one audit report from the database",
            seconds * 1000,
            "ms",
            "none set",
            "demo audit #140: load, rescore, history, render",
        )
    )
    times = {}
    for workers in (1, 2):
        folder = Path(tempfile.mkdtemp(prefix="audit-bench-pdf-"))
        start = datetime.now(UTC)
        paths = audit_reports_batch(ctx, AuditFilter(), folder, workers=workers, limit=500)
        times[workers] = (datetime.now(UTC) - start).total_seconds()
        assert len(paths) == 500
        figures.append(
            Figure(
                f"report: 500 audit reports, {workers} worker(s)",
                times[workers],
                "s",
                "none set",
                f"{500 / times[workers]:.0f} reports/s, including process start",
            )
        )
    ratio = times[1] / times[2]
    figures.append(
        Figure(
            "report: batch speed-up, 2 workers vs 1",
            ratio,
            "x",
            ">= 1.8x",
            f"{times[1]:.2f} s on 1, {times[2]:.2f} s on 2",
            met=ratio >= 1.8,
        )
    )
    ctx.engine.dispose()
    return figures
