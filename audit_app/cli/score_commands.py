"""Scores: list the stored audits' scores, or score a file of answers without a database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from audit_app.cli.app import app
from audit_app.cli.common import (
    ChecklistOpt,
    CountryOpt,
    FromOpt,
    OutputFormat,
    RegionOpt,
    ToOpt,
    context,
    day,
    emit,
    guarded,
    print_json,
)
from audit_app.cli.printer import say


@app.command()
@guarded
def scores(
    checklist: ChecklistOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    region: RegionOpt = None,
    country: CountryOpt = None,
    branch: Annotated[str | None, typer.Option(help="Branch code.")] = None,
    auditor: Annotated[str | None, typer.Option(help="Auditor name.")] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            metavar="TEXT",
            help="Audits whose visit reference (a review number) contains TEXT, any case.",
        ),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="Output format.")] = (
        OutputFormat.table
    ),
    path: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (needed for xlsx).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
) -> None:
    """One row per submitted audit with its overall score, grade, pass and critical failure."""
    output = OutputFormat.json if as_json else output
    from audit_app.domain.filters import AuditFilter
    from audit_app.services.audits import score_rows

    audit_filter = AuditFilter(
        checklist_id=checklist,
        date_from=day(date_from),
        date_to=day(date_to),
        region=region,
        country=country,
        branch_code=branch,
        auditor=auditor,
        reference=reference,
    )
    rows = score_rows(context(), audit_filter)
    if not rows and output == OutputFormat.table and path is None:
        say(f"No submitted audits match ({audit_filter.describe()}).")
        return
    emit(
        rows,
        output,
        [
            "audit_id",
            "visited_at",
            "branch_code",
            *(["visit_reference"] if any(row["visit_reference"] for row in rows) else []),
            "region",
            "checklist_id",
            "auditor",
            "overall",
            "grade",
            "passed",
            "critical_failure",
        ],
        path=path,
        title="Scores",
    )


@app.command()
@guarded
def score(
    answers_file: Annotated[
        Path, typer.Argument(help="CSV (item_id,value[,comment]) or JSON {item_id: value}.")
    ],
    checklist: Annotated[
        str, typer.Option(help="Checklist id, id@version or path to a checklist YAML file.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the score card as JSON.")] = False,
) -> None:
    """Score a file of answers against a checklist, without touching the database."""
    from audit_app.config import load_settings
    from audit_app.domain.checklist import localized
    from audit_app.domain.scoring import display
    from audit_app.intake.source.limits import Limits
    from audit_app.services.checklists import resolve_checklist
    from audit_app.services.scoring import score_answers_file

    found = resolve_checklist(checklist)
    limits = Limits.from_settings(load_settings())
    card = score_answers_file(found, answers_file, limits=limits)
    if as_json:
        print_json(card.to_dict())
        return
    overall = "n/a (nothing counted)" if card.overall is None else f"{display(card.overall):.1f}"
    verdict = (
        ""
        if card.passed is None
        else f", {'passed' if card.passed else 'failed'} (pass mark {found.pass_mark:g})"
    )
    grade = f" {card.grade}" if card.grade else ""
    say(f"{found.id} v{found.version}: {overall}{grade}{verdict}")
    if card.critical_failure:
        say(
            f"critical failure: {', '.join(card.failed_critical_items)} "
            f"({found.critical_rule.describe()})"
        )
    titles = {s.id: localized(s.title, None, found.language) for s in found.sections}
    for section in card.sections:
        shown = "—" if section.score is None else f"{display(section.score):5.1f}"
        say(f"  {titles[section.section_id]:40} {shown}")
