"""``audit-app report audit|branch|audits``: PDF reports for one audit, one branch, or a batch."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import report_app
from audit_app.cli.common import (
    ChecklistOpt,
    CountryOpt,
    FromOpt,
    RegionOpt,
    ToOpt,
    context,
    day,
    fail,
    guarded,
    output_path,
    plural,
)
from audit_app.cli.printer import progress_bar, say

PdfOpt = Annotated[Path, typer.Option("-o", "--output", help="The PDF file to write.")]
LanguageOpt = Annotated[
    str | None,
    typer.Option("--language", help="en, ca, ro or tr (default: the audit's or branch's)."),
]


def _pdf_path(path: Path) -> Path:
    return output_path(path, ".pdf", "a report is a PDF")


@report_app.command("audit")
@guarded
def report_audit(
    audit_id: Annotated[int, typer.Argument(help="The audit's id (see `audit-app scores`).")],
    output: PdfOpt,
    language: LanguageOpt = None,
) -> None:
    """One audit's report: scores, every answer, failed items, the scoring rules."""
    from audit_app.services.reports import audit_report, write_atomically

    path = _pdf_path(output)
    write_atomically(path, audit_report(context(), audit_id, language))
    say(f"Wrote {path}", err=True)


@report_app.command("branch")
@guarded
def report_branch(
    code: Annotated[str, typer.Argument(help="The branch code.")],
    output: PdfOpt,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    language: LanguageOpt = None,
) -> None:
    """A branch's audits over time, trend, sections against the chain, repeated failures."""
    from audit_app.services.reports import branch_report, write_atomically

    path = _pdf_path(output)
    content = branch_report(context(), code, day(date_from), day(date_to), language)
    write_atomically(path, content)
    say(f"Wrote {path}", err=True)


@report_app.command("audits")
@guarded
def report_audits(
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the PDFs.")],
    checklist: ChecklistOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    region: RegionOpt = None,
    country: CountryOpt = None,
    branch: Annotated[str | None, typer.Option(help="Branch code.")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 2,
) -> None:
    """One PDF per selected audit in a folder, named audit-ID-BRANCH-DATE.pdf."""
    from audit_app.domain.filters import AuditFilter
    from audit_app.services.reports import audit_reports_batch

    if output.exists() and not output.is_dir():
        raise fail(f"{output}: not a folder")
    audit_filter = AuditFilter(
        checklist_id=checklist,
        date_from=day(date_from),
        date_to=day(date_to),
        region=region,
        country=country,
        branch_code=branch,
    )
    bars: list[typing.Any] = []  # the context manager, then the bar it gave

    def progress(done: int, total: int) -> None:
        if not bars:
            bars.append(progress_bar(total, "Reports"))
            bars.append(bars[0].__enter__())
        bars[1].update(1)

    try:
        paths = audit_reports_batch(
            context(), audit_filter, output, workers=workers, progress=progress
        )
    finally:
        if bars:
            bars[0].__exit__(None, None, None)
    say(f"Wrote {plural(len(paths), 'report')} to {output}", err=True)
