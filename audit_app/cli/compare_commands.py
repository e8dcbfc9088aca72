"""Comparing locations: ``audit-app compare``."""

from __future__ import annotations

import json
import textwrap
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from audit_app.cli.app import app
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
)
from audit_app.cli.printer import say
from audit_app.domain.safe_text import json_text

if TYPE_CHECKING:
    from audit_app.services.compare import Comparison


class CompareBy(StrEnum):
    branch = "branch"
    region = "region"
    auditor = "auditor"
    item = "item"
    change = "change"
    calibration = "calibration"


class CompareFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


TABLE_COLUMNS = {
    "branch": [
        "rank",
        "tie_band",
        "branch_code",
        "branch_name",
        "region",
        "audits",
        "mean",
        "low",
        "high",
        "adjusted",
        "shrunk",
        "shrunk_low",
        "shrunk_high",
        "pass_rate",
        "grade",
    ],
    "region": [
        "region",
        "branches",
        "audits",
        "mean",
        "branch_sd",
        "best_branch",
        "worst_branch",
        "pass_rate",
        "critical_failures",
    ],
    "auditor": ["auditor", "audits", "branches", "leniency", "low", "high", "flagged", "note"],
    "item": [
        "checklist_id",
        "section_id",
        "item_id",
        "branches",
        "audits",
        "mean",
        "branch_sd",
        "between_sd",
        "icc",
        "meeting_share",
    ],
}
CALIBRATION_COLUMNS = [
    "checklist_id",
    "item_id",
    "item_type",
    "statistic",
    "value",
    "low",
    "high",
    "percent_agreement",
    "pairs",
    "left_out_na",
    "note",
]
TABLE_COLUMNS["calibration"] = CALIBRATION_COLUMNS
TABLE_COLUMNS["change"] = [
    "branch_code",
    "branch_name",
    "earlier_audits",
    "later_audits",
    "earlier_mean",
    "later_mean",
    "change",
    "low",
    "high",
    "clear",
    "sentence",
]
AUDITOR_PAIR_COLUMNS = [
    "auditor_a",
    "auditor_b",
    "pairs",
    "mean_abs_difference",
    "abs_low",
    "abs_high",
    "mean_difference",
    "low",
    "high",
    "note",
]
TITLES = {
    "branch": "League table",
    "region": "Regions",
    "auditor": "Auditor effects",
    "item": "Consistency per item (least consistent first)",
    "calibration": "Calibration: agreement of auditors who scored the same visit",
    "change": "Change per branch between two periods (clear changes first)",
}


@app.command()
@guarded
def compare(
    checklist: ChecklistOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    region: RegionOpt = None,
    country: CountryOpt = None,
    channel: ChannelOpt = None,
    kind: KindOpt = None,
    include_follow_ups: FollowUpsOpt = False,
    include_closed: ClosedOpt = False,
    by: Annotated[CompareBy, typer.Option("--by", help="One row per ...")] = CompareBy.branch,
    min_audits: MinAuditsOpt = 3,
    period: PeriodOpt = ComparePeriod.month,
    period_effects: PeriodEffectsOpt = True,
    target: TargetOpt = CompareTarget.auto,
    change_from: ChangeFromOpt = None,
    change_to: ChangeToOpt = None,
    output: Annotated[CompareFormat, typer.Option("--format", help="Output format.")] = (
        CompareFormat.table
    ),
    out_file: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (xlsx needs it).")
    ] = None,
) -> None:
    """Compare branches, regions, auditors or items: league table with 90 % intervals,
    shrunken estimates and tie bands; consistency; auditor leniency."""
    from audit_app.domain.compare import ComparisonRequest
    from audit_app.domain.filters import AuditFilter
    from audit_app.services.compare import compare as run_compare

    if (change_from or change_to) and by != CompareBy.change:
        raise fail("--change-from and --change-to choose the periods of --by change", code=2)
    if output == CompareFormat.xlsx and out_file is None:
        raise fail("--format xlsx writes a workbook: give the file with -o FILE.xlsx", code=2)
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
        items=by == CompareBy.item,
        auditors=by in (CompareBy.auditor, CompareBy.calibration),
        change_from=change_from,
        change_to=change_to,
        include_closed=include_closed,
    )
    comparison = run_compare(context(), by=by.value, request=request)
    _write(comparison, output, out_file)


def _write(comparison: Comparison, output: CompareFormat, out_file: Path | None) -> None:
    from audit_app.services.compare import (
        comparison_csv,
        comparison_rows,
        comparison_workbook,
    )

    if output == CompareFormat.xlsx:
        assert out_file is not None  # checked before the database was opened
        _save(out_file, comparison_workbook(comparison), comparison)
    elif output == CompareFormat.csv:
        data = comparison_csv(comparison)
        if out_file is None:
            say(data.decode("utf-8-sig"), nl=False)
        else:
            _save(out_file, data, comparison)
    elif output == CompareFormat.json:
        text = _json_text(comparison_rows(comparison), comparison.summary())
        if out_file is None:
            say(text)
        else:
            _save(out_file, (text + "\n").encode("utf-8"), comparison)
    else:
        text = _table_text(comparison)
        if out_file is None:
            say(text, nl=False)
        else:
            _save(out_file, text.encode("utf-8"), comparison)
    if comparison.message and (out_file is not None or output != CompareFormat.table):
        say(comparison.message, err=True)


def _json_text(rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """``{"rows": [...], "summary": {...}}`` with one row per line: readable, and written by
    the C encoder (an indented dump of 5,000 rows takes the slow pure-Python path)."""
    body = ",\n    ".join(
        json_text(json.dumps(row, ensure_ascii=False, default=str)) for row in rows
    )
    summary_text = json_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    rows_text = f"[\n    {body}\n  ]" if rows else "[]"
    return (
        '{\n  "rows": '
        + rows_text
        + ',\n  "summary": '
        + summary_text.replace("\n", "\n  ")
        + "\n}"
    )


def _save(path: Path, data: bytes, comparison: Comparison) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise fail(f"cannot write {path}: {error.strerror}") from None
    say(f"Wrote {path}: {len(comparison.rows)} rows ({comparison.by}).")


def _table_text(comparison: Comparison) -> str:
    """The rows as an aligned table between a title line (with the scope) and the notices
    and the method."""
    from audit_app.services.compare import comparison_rows

    if comparison.empty:
        return (comparison.message or "Nothing to compare.") + "\n"
    result = comparison.result
    index = comparison.consistency_index
    title = TITLES[comparison.by]
    if comparison.by == "change":
        title += f", {result.changes.earlier} to {result.changes.later}"
    lines = [
        f"{title}: {comparison.audit_filter.describe()} — {result.scope.label}, "
        f"{comparison.audits} audits; consistency index "
        f"{'—' if index is None else f'{index:.1f}'}{_raw_index_text(comparison)}",
        "",
        *_aligned(comparison_rows(comparison), TABLE_COLUMNS[comparison.by], comparison.by),
    ]
    if comparison.by == "branch":
        lines.append(
            f"Rank —: fewer than {comparison.min_audits} audits, not ranked. Branches in the "
            "same tie band cannot be told apart."
        )
        closed = [row.branch_code for row in result.league.rows if row.closed]
        if closed:
            lines.append(f"Closed, compared because of --include-closed: {', '.join(closed)}.")
    if comparison.by == "auditor":
        lines += _calibration_lines(comparison)
    for notice in comparison.notices:
        lines += ["", textwrap.fill(f"Note: {notice.message}", width=100)]
    lines += ["", textwrap.fill(comparison.method, width=100)]
    return "\n".join(lines) + "\n"


def _raw_index_text(comparison: Comparison) -> str:
    """Beside the index net of period effects, the raw one (period effects left in)."""
    result = comparison.result
    index, raw = result.consistency_index, result.raw_consistency_index
    if index is None or raw is None or not result.request.adjust_periods:
        return ""
    return f" ({raw:.1f} with period effects left in)"


def _calibration_lines(comparison: Comparison) -> list[str]:
    """Under the auditor effects: who calibrated with whom, and how closely."""
    calibration = comparison.result.calibration
    if calibration.empty:
        return ["", textwrap.fill(calibration.method, width=100)]
    from audit_app.services.compare import Comparison as View
    from audit_app.services.compare import comparison_rows

    pairs = [
        {key: _rounded_gap(key, value) for key, value in pair.__dict__.items()}
        for pair in calibration.auditor_pairs
    ]
    items = comparison_rows(View(comparison.result, "calibration"))
    return [
        "",
        f"Calibration pairs (two auditors, same visit): {len(calibration.pairs)}",
        "",
        *_aligned(pairs, AUDITOR_PAIR_COLUMNS, "auditor"),
        "",
        "Agreement per item (AC1 for yes/no items, ICC(1) for scores; 1 = perfect):",
        "",
        *_aligned(items, CALIBRATION_COLUMNS, "calibration"),
    ]


def _rounded_gap(key: str, value: Any) -> Any:
    return round(value, 1) if isinstance(value, float) and key != "pairs" else value


def _aligned(rows: list[dict[str, Any]], columns: list[str], by: str = "branch") -> list[str]:
    cells = [[_cell(column, row.get(column), by) for column in columns] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    return [
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        for line in [columns, *cells]
    ]


def _cell(column: str, value: Any, by: str = "branch") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        three = column == "icc" or (by == "calibration" and column in ("value", "low", "high"))
        return f"{value:.3f}" if three else f"{value:.1f}"
    return str(value)
