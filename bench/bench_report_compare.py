"""The comparison report (#5) over the scale set: 5,000 branches x 8 audits x 60 items, on
each engine.

Target: under 5 s for the whole report from a warm process (imports done, context open),
with the compare service's frame cache emptied first, so the figure includes loading
the frames from the database. The scale set is the one ``bench_compare`` loads
(``bench.scale_world``), loaded here if that benchmark did not run first.
"""

from __future__ import annotations

import io

from bench.common import Figure, best_of
from bench.scale_world import scale_world


def run(engine: str) -> list[Figure]:
    ctx = scale_world(engine).open()
    try:
        return _measure(ctx)
    finally:
        ctx.engine.dispose()


def _measure(ctx: object) -> list[Figure]:
    import pypdf

    from audit_app.domain.compare import ComparisonRequest
    from audit_app.domain.filters import AuditFilter
    from audit_app.reports.comparison_report import render_comparison_report
    from audit_app.services import compare as service
    from audit_app.services.report_compare import comparison_data, comparison_report

    everything = AuditFilter()
    pdf = b""

    def cold() -> None:
        nonlocal pdf
        pdf = comparison_report(ctx, everything)  # type: ignore[arg-type]

    whole = best_of(2, cold)

    def cold_sections() -> None:
        comparison_report(ctx, everything, items=False)  # type: ignore[arg-type]

    sections_only = best_of(2, cold_sections)
    result = service.comparison(ctx, ComparisonRequest(everything))  # type: ignore[arg-type]
    cached = best_of(2, lambda: comparison_report(ctx, result=result))  # type: ignore[arg-type]
    data = None

    def gather() -> None:
        nonlocal data
        data = comparison_data(ctx, everything)  # type: ignore[arg-type]

    gathered = best_of(2, gather)
    rendered = best_of(2, lambda: render_comparison_report(data, _now()))
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return [
        Figure(
            "comparison report, 5,000 branches (first call)",
            whole,
            "s",
            "< 5 s",
            f"{pages} pages, {len(pdf) / 2**20:.1f} MiB; services {gathered:.2f} s "
            f"+ rendering {rendered:.2f} s",
            met=whole < 5,
        ),
        Figure(
            "comparison report, sections only (first call)",
            sections_only,
            "s",
            "< 5 s",
            "least consistent standards without items (per-item consistency left out)",
            met=sections_only < 5,
        ),
        Figure(
            "comparison report from the page's cached comparison",
            cached,
            "s",
            "< 5 s",
            "the Compare page's download: rendering, overdue actions and repeated failures",
            met=cached < 5,
        ),
        Figure(
            "comparison report: pages",
            pages,
            "pages",
            "none set",
            f"{len(data.league):,} league rows in tables of 80 rows",
        ),
    ]


def _now():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime.now(UTC)
