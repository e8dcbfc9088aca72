"""``audit-app report compare``: the comparison report for head office as a PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import report_app
from audit_app.cli.common import (
    ChangeFromOpt,
    ChangeToOpt,
    ChannelOpt,
    ChecklistOpt,
    ClosedOpt,
    ComparePeriod,
    CompareTarget,
    CountryOpt,
    FollowUpsOpt,
    FromOpt,
    KindOpt,
    MinAuditsOpt,
    PeriodEffectsOpt,
    PeriodOpt,
    RegionOpt,
    TargetOpt,
    ToOpt,
    context,
    day,
    fail,
    guarded,
    output_path,
)
from audit_app.cli.printer import say
from audit_app.i18n import LANGUAGES


@report_app.command("compare")
@guarded
def report_compare(
    output: Annotated[Path, typer.Option("-o", "--output", help="The PDF file to write.")],
    checklist: ChecklistOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    region: RegionOpt = None,
    country: CountryOpt = None,
    min_audits: MinAuditsOpt = 3,
    channel: ChannelOpt = None,
    kind: KindOpt = None,
    include_follow_ups: FollowUpsOpt = False,
    include_closed: ClosedOpt = False,
    period: PeriodOpt = ComparePeriod.month,
    period_effects: PeriodEffectsOpt = True,
    target: TargetOpt = CompareTarget.auto,
    change_from: ChangeFromOpt = None,
    change_to: ChangeToOpt = None,
    language: Annotated[
        str | None, typer.Option("--language", help="en, ca, ro or tr (default: en).")
    ] = None,
) -> None:
    """Comparison report: consistency index, league table with intervals and tie bands,
    section heatmap, regions, least consistent standards, trends, auditor effects, method."""
    from audit_app.domain.compare import ComparisonRequest
    from audit_app.domain.filters import AuditFilter
    from audit_app.services.report_compare import comparison_report
    from audit_app.services.reports import write_atomically

    output_path(output, ".pdf", "the report is a PDF")
    if language is not None and language not in LANGUAGES:
        raise fail(f"--language {language!r}: the reports speak {', '.join(LANGUAGES)}", code=2)
    audit_filter = AuditFilter(
        checklist_id=checklist,
        date_from=day(date_from),
        date_to=day(date_to),
        region=region,
        country=country,
        channel=channel,
        kind=kind,
        include_follow_ups=include_follow_ups,
    )
    request = ComparisonRequest(
        audit_filter,
        min_audits=min_audits,
        period=period.value,
        adjust_periods=period_effects,
        grouping=target.value,
        change_from=change_from,
        change_to=change_to,
        include_closed=include_closed,
    )
    pdf = comparison_report(context(), request=request, language=language or "en")
    write_atomically(output, pdf)
    say(f"Wrote {output} ({len(pdf) // 1024:,} KiB).")
