"""The comparison report for head office: cover with the consistency index, league table,
interval chart, section x branch heatmap, regions, least consistent standards, trends,
auditor effects and the method.

The renderer takes plain data (:class:`ComparisonReportData`) and returns PDF bytes; it
computes no statistics. It stays readable and fast with 5,000 branches: the league table
is laid out as tables of :data:`CHUNK_ROWS` rows with repeated headers (one 5,000-row
table lays out twice as slowly), and the charts and heatmap show the top and bottom
ranked branches by shrunken estimate instead of every branch.

Every section shows what its caption says, and a caption that counts counts what it
names ("the 25 highest and 25 lowest of 276 ranked branches"). The level branches are
pooled in is named for the reader's scope: the chain for head office, the area for an area
manager (``ComparisonReportData.pool``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, cast

import pandas as pd
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from audit_app.domain.compare import (
    AuditorEffect,
    BranchChange,
    BranchStanding,
    Calibration,
    RegionSummary,
    StandardConsistency,
)
from audit_app.domain.safe_text import paragraph_text
from audit_app.domain.scoring import display
from audit_app.reports.layout import (
    AMBER,
    FONT,
    FONT_BOLD,
    GREEN,
    GREY,
    LIGHT,
    MARGIN,
    PAGE,
    RED,
    Styles,
    render_pdf,
    styles,
)

# Every label of the report, in one place so it can move to a message catalogue.
LABELS: dict[str, str] = {
    "title": "Comparison of branches",
    "page": "Page {page} of {pages}",
    "generated": "generated {time}",
    "selection": "Selection: {selection}",
    "counts": "{audits} audits at {branches} branches; branches with fewer than "
    "{min_audits} audits are listed but not ranked.",
    "index": "Consistency index",
    "index_none": "—",
    "index_note": "100 means every branch keeps every section at the same level; at 92 the "
    "branches' true section scores typically sit about 8 points apart.",
    "index_raw": "Period effects removed; with them left in the index reads {raw}.",
    "least_sections": "Least consistent sections: {sections}.",
    "pool_mean": "{pool} (shrinkage target): {mean}.",
    "pool_chain": "Chain mean",
    "pool_area": "Area mean",
    "pool_areas": "Mean of the areas",
    "contents": "Contents: {sections}.",
    "contents_league": "league table",
    "contents_chart": "interval chart",
    "contents_heatmap": "section heatmap",
    "contents_regions": "regions",
    "contents_standards": "least consistent standards",
    "contents_repeats": "repeated failures",
    "contents_trend": "trend",
    "contents_changes": "change per branch",
    "contents_calibration": "calibration",
    "changes": "Change per branch: {earlier} to {later}",
    "changes_note": "Later mean minus earlier mean, with its 90 % interval; the {shown} "
    "clearest of {count} branches audited in both periods ({up} clearly up, {down} clearly "
    "down). A change is clear when its interval excludes 0.",
    "col_change_before": "Before",
    "col_change_after": "After",
    "col_change_reading": "Reading",
    "calibration": "Calibration: two auditors on the same visit",
    "calibration_overall": "{pairs} calibration pairs; agreement on the overall score (ICC) "
    "{value}{interval}. 1 = perfect agreement, 0 = no better than chance.",
    "calibration_note": "The {shown} items with the lowest agreement of {count}. AC1 for yes/no "
    "items, ICC(1) for scored items; same answer: the share of pairs giving the same answer "
    "(scores within 0.1).",
    "col_item": "Item",
    "col_statistic": "Statistic",
    "col_agreement": "Agreement",
    "col_same": "Same answer",
    "col_pairs": "Pairs",
    "col_pair": "Auditors",
    "col_gap": "Mean gap",
    "col_a_minus_b": "A minus B",
    "contents_auditors": "auditor effects",
    "contents_method": "method",
    "notices": "Read with the numbers",
    "method_scope": "Scope: this report compares the {branches} of {scope}. Where the method "
    "below speaks of the chain (the level every branch is pulled toward and compared "
    "with), it means these branches only: the means, the spreads and the shrinkage target "
    "are theirs, not the whole chain's.",
    "empty": "Nothing to compare.",
    "league": "League table",
    "league_note": "Ranked by the estimate: the mean with period effects removed, pulled "
    "toward its group's level by how uncertain it is; its 90 % interval is where the "
    "branch's true level most likely lies (the mean's own interval beside it). No branch in "
    "a tie band (shaded alike) is clearly worse than the band's first.",
    "too_few": "Too few to rank (fewer than {min_audits} audits)",
    "too_few_short": "too few",
    "col_rank": "Rank",
    "col_band": "Band",
    "col_code": "Code",
    "col_name": "Branch",
    "col_region": "Region",
    "col_audits": "Audits",
    "col_mean": "Mean",
    "col_interval": "Mean's 90 %",
    "col_shrunk": "Estimate",
    "col_shrunk_interval": "Estimate's 90 %",
    "col_pass": "Pass %",
    "col_critical": "Crit.",
    "col_grade": "Grade",
    "chart": "Intervals of the top and bottom branches",
    "chart_all": "Intervals of the ranked branches",
    "chart_note": "Dot: the estimate, which ranks; line: its 90 % interval; tick: the plain "
    "mean. Dashed line: {pool}. Shading alternates with the tie "
    "band.",
    "chart_note_no_pool": "Dot: the estimate, which ranks; line: its 90 % interval; tick: the "
    "plain mean. Shading alternates with the tie band.",
    "chart_top_bottom": "The {top} highest and {top} lowest of {ranked} ranked branches by "
    "shrunken estimate, highest first.",
    "chart_line": "{pool} {mean}",
    "distribution": "Distribution of the shrunken estimates ({ranked} ranked branches)",
    "distribution_axis": "shrunken estimate (points)",
    "heatmap": "Sections by branch",
    "heatmap_all": "Mean section score of every ranked branch ({total}), highest shrunken "
    "estimate first.",
    "heatmap_some": "Mean section score of the {n} highest and {n} lowest of {total} ranked "
    "branches by shrunken estimate, highest first (the others are in the league table).",
    "heatmap_unranked": "Branches with too few audits to rank ({n}) are left out (they are at "
    "the end of the league table).",
    "heatmap_legend": "Fill: dark ≥ 90, light 80–90, amber 70–80, dark red < 70; the value "
    "is printed in every cell.",
    "heatmap_gap": "⋯ {n} branches between ⋯",
    "col_branch": "Branch",
    "regions": "Regions",
    "col_branches": "Branches",
    "col_spread": "Spread",
    "col_best": "Best (shrunk)",
    "col_worst": "Worst (shrunk)",
    "regions_note": "Regions with the highest mean first. Mean: of the region's audits. "
    "Spread: standard deviation of its branches' means (visit noise included). Best and "
    "worst: by the shrunken estimate, among the region's ranked branches (among all of them "
    "when none is ranked).",
    "regions_no_difference": "No detectable difference between branches in this selection: "
    "the spread is visit noise, and best and worst are only the league table's order (mean, "
    "then audits), not a finding.",
    "standards": "Least consistent standards",
    "standards_top": "The {shown} of {total} standards whose branches differ most, largest "
    "spread between branches first; standards whose spread cannot be estimated come last.",
    "standards_note": "Between: the spread between branches' true levels (points, noise "
    "removed). ICC: the share of the variation between branches. Meeting: share of "
    "branches meeting the standard (an item: full marks in every audit; a section: mean at "
    "or above the checklist's pass mark).",
    "col_level": "Level",
    "col_standard": "Standard",
    "col_between": "Between",
    "col_icc": "ICC",
    "col_meeting": "Meeting %",
    "level_section": "section",
    "level_item": "item",
    "trends": "Trend of the {pool} per {period}",
    "trend_pool_chain": "chain",
    "trend_pool_area": "area",
    "trend_pool_areas": "areas",
    "trends_note": "A change exceeds the noise when it is larger than 1.645 standard errors "
    "of the difference (two-sided, 10 %).",
    "col_period_month": "Month",
    "col_period_quarter": "Quarter",
    "col_change": "Change",
    "col_noise": "Beyond noise",
    "yes": "yes",
    "no": "no",
    "auditors": "Auditor effects",
    "auditors_note": "Most lenient first. Leniency: points above (+) or below (−) the average "
    "auditor on the same branches, with its 90 % interval; an auditor is flagged when the "
    "interval excludes 0. Not compared: no shared branches link the auditor to the largest "
    "group of auditors (or there is no other auditor).",
    "col_auditor": "Auditor",
    "col_leniency": "Leniency",
    "col_flag": "Flag",
    "flag_lenient": "FLAGGED: more lenient",
    "flag_harsh": "FLAGGED: harsher",
    "not_identified": "not compared",
    "col_note": "Note",
    "repeats": "Repeated failures",
    "repeats_count": "{branches} branches failed the same item in two or more consecutive "
    "audits of a checklist ({items} items in all).",
    "repeats_top": "The {shown} with the most repeated items:",
    "repeats_note": "Consecutive: the branch's audits of that checklist in visit order; an "
    "audit where the item passed, was N/A or was not asked ends the run. Follow-ups are "
    "left out.",
    "col_items": "Items",
    "col_longest": "Longest run",
    "col_worst_item": "Longest-running item",
    "col_last": "Last failed",
    "method": "Method",
    "trail_head": "Audit trail head when this report was made: {head}. "
    "“audit-app verify --head {head}” checks that the data still "
    "reaches it, so a record removed or rewritten after this report is named.",
    "trail_head_none": "Nothing was sealed in the audit trail when this report was made.",
    "overdue": "Overdue corrective actions",
    "overdue_count": "{count} corrective actions in this selection are overdue (still open or "
    "in progress after their due date, on {day}).",
    "overdue_none": "No corrective action in this selection is overdue (on {day}).",
    "overdue_top": "The {shown} branches with the most overdue actions, of {branches}:",
    "col_overdue": "Overdue",
    "col_oldest_due": "Oldest due",
    "none": "—",
}

CHUNK_ROWS = 80
"""League-table rows per Table: reportlab lays out many small tables faster than one."""
CHART_TOP = 15
HEATMAP_SIDE = 25
HEATMAP_COLUMNS = 8
STANDARDS_SHOWN = 10
REPEATS_SHOWN = 25
OVERDUE_SHOWN = 10
WIDTH = PAGE[0] - 2 * MARGIN

LIGHT_GREEN = colors.HexColor("#CFE8D6")
BAND_FILL = colors.HexColor("#E4E4E4")
HEADER_FILL = colors.HexColor("#DDE6DF")


@dataclass(frozen=True)
class OverdueBranch:
    """A branch with corrective actions past their due date."""

    branch_code: str
    branch_name: str
    overdue: int
    oldest_due: date


@dataclass(frozen=True)
class ComparisonReportData:
    """Everything the report shows, computed by the compare services."""

    selection: str
    """The filters as a phrase (``AuditFilter.describe()``)."""
    audits: int
    branches: int
    min_audits: int
    consistency_index: float | None
    league: tuple[BranchStanding, ...]
    chain_mean: float | None = None
    least_consistent_sections: tuple[str, ...] = ()
    heatmap: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)
    """Branches as rows (index: branch code), ``checklist/section`` columns, mean points."""
    regions: tuple[RegionSummary, ...] = ()
    standards: tuple[StandardConsistency, ...] = ()
    """Sections and items, least consistent first (all of them: the report shows the top
    :data:`STANDARDS_SHOWN` and says of how many)."""
    trend: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)
    """The chain per month (``stats.TREND_COLUMNS``)."""
    auditors: tuple[AuditorEffect, ...] = ()
    method: tuple[str, ...] = ()
    """Paragraphs of the method, as the comparison states them."""
    message: str | None = None
    """Why there is nothing to compare, when there is nothing."""
    repeats: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)
    """Branches with an item failed in consecutive audits (``domain.repeats.BRANCH_COLUMNS``
    plus ``branch_name``), most repeated items first; the report prints the top of it."""
    overdue_actions: int | None = None
    """Overdue corrective actions in the selection's scope (None: not counted, no section)."""
    overdue_branches: tuple[OverdueBranch, ...] = ()
    """The branches with the most overdue actions, most first (the report's top of them)."""
    overdue_branch_count: int = 0
    """How many branches have an overdue action (more than ``overdue_branches`` may list)."""
    overdue_on: date | None = None
    trail_head: str | None = None
    """The audit trail's head (SEQUENCE:DIGEST) as the report was made: printed on its last
    page, for ``audit-app verify --head`` later."""
    scope: str = "Chain"
    """Whose branches: 'Chain: 5,000 branches' or 'Area Barcelona: 6 branches'."""
    notices: tuple[str, ...] = ()
    changes: tuple[BranchChange, ...] = ()
    """Change per branch between ``change_from`` and ``change_to``, clear changes first."""
    change_from: str | None = None
    change_to: str | None = None
    change_notices: tuple[str, ...] = ()
    """What to read with the changes (their noise, how far everyone moved)."""
    calibration: Calibration | None = None
    """Agreement of auditors who scored the same visit."""
    raw_consistency_index: float | None = None
    """The index with period effects left in, beside the period-adjusted one."""
    """What must be read with the numbers (no detectable difference, few degrees of
    freedom, a ceiling...), as the comparison states it."""
    pool: str = "chain"
    """What the branches are pooled in and compared with: 'chain', 'area' or 'areas'
    (``Scope.noun``); names the mean, the trend and the chart's reference line."""
    period: str = "month"
    """The trend's period: 'month' or 'quarter'."""


def render_comparison_report(data: ComparisonReportData, generated_at: datetime) -> bytes:
    """The comparison report as PDF bytes."""
    s = styles()
    story: list[Flowable] = _cover(data, s)
    if data.audits and data.league:
        story += [PageBreak(), *_league_section(data, s)]
        story += _heatmap_section(data, s)
        story += _regions_section(data, s)
        story += _standards_section(data, s)
        story += _repeats_section(data, s)
        story += _trend_section(data, s)
        story += _changes_section(data, s)
        story += _auditor_section(data, s)
        story += _calibration_section(data, s)
        story += _method_section(data, s)
    story += _trail_head_section(data, s)
    return render_pdf(
        story,
        title=LABELS["title"],
        generated_at=generated_at,
        page_label=LABELS["page"],
        generated_label=LABELS["generated"],
    )


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def score(value: float | None) -> str:
    """One decimal, halves up, as the command line and every screen show it."""
    shown = display(value)
    return LABELS["none"] if shown is None else f"{shown:.1f}"


def _signed(value: float | None) -> str:
    shown = display(value)
    return LABELS["none"] if shown is None else f"{shown:+.1f}"


def _fit(text: str, width: float, size: float, font: str = FONT) -> str:
    """The text, cut with an ellipsis only when it would overflow its column."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _table(
    rows: list[list[Any]], widths: Sequence[float], extra: Sequence[tuple[Any, ...]] = ()
) -> Table:
    """A small table in the report's look: bold shaded header repeated over pages."""
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 7.5),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
                ("LINEBELOW", (0, -1), (-1, -1), 0.4, GREY),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    return table


# ---------------------------------------------------------------------------
# Cover
# ---------------------------------------------------------------------------


def _cover(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(LABELS["title"], s.title),
        Paragraph(paragraph_text(data.scope), s.heading),
        Paragraph(paragraph_text(LABELS["selection"].format(selection=data.selection)), s.body),
    ]
    if not data.audits:
        story.append(Paragraph(paragraph_text(data.message or LABELS["empty"]), s.body))
        return story + _overdue_summary(data, s)
    story.append(
        Paragraph(
            LABELS["counts"].format(
                audits=f"{data.audits:,}", branches=f"{data.branches:,}", min_audits=data.min_audits
            ),
            s.body,
        )
    )
    index = data.consistency_index
    big = s.title.clone("big", fontSize=54, leading=62, textColor=GREEN, spaceBefore=18)
    story += [
        Spacer(1, 14 * mm),
        Paragraph(LABELS["index"], s.heading),
        Paragraph(LABELS["index_none"] if index is None else score(index), big),
        Paragraph(LABELS["index_note"], s.small),
    ]
    if index is not None and data.raw_consistency_index is not None:
        raw = score(data.raw_consistency_index)
        story.append(Paragraph(LABELS["index_raw"].format(raw=raw), s.small))
    story.append(Spacer(1, 8 * mm))
    story += _notices_box(data, s)
    if data.least_consistent_sections:
        text = LABELS["least_sections"].format(sections=", ".join(data.least_consistent_sections))
        story.append(Paragraph(paragraph_text(text), s.body))
    if data.chain_mean is not None:
        text = LABELS["pool_mean"].format(pool=pool_mean_name(data), mean=score(data.chain_mean))
        story.append(Paragraph(text, s.body))
    story += _overdue_summary(data, s)
    story += [Spacer(1, 4 * mm), Paragraph(_contents(data), s.small)]
    return story


def pool_mean_name(data: ComparisonReportData) -> str:
    """'Chain mean', 'Area mean' or 'Mean of the areas': the level branches are pulled
    toward, named for the user's scope."""
    return LABELS.get(f"pool_{data.pool}", LABELS["pool_chain"])


def _notices_box(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The notices in a box under the index: what must be read with the numbers."""
    if not data.notices:
        return []
    cells: list[Flowable] = [Paragraph(LABELS["notices"], s.cell_bold)]
    cells += [Paragraph("• " + paragraph_text(text), s.small) for text in data.notices]
    box = Table([[cells]], colWidths=[WIDTH], hAlign="LEFT")
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, AMBER),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return [box, Spacer(1, 4 * mm)]


def _contents(data: ComparisonReportData) -> str:
    """The sections this report has, in their order (a section without data is left out,
    so the list names only what follows)."""
    ranked = [r for r in data.league if not r.too_few_to_rank and r.low is not None]
    present = {
        "league": bool(data.league),
        "chart": bool(ranked),
        "heatmap": bool(_heatmap_codes(data)[0]),
        "regions": bool(data.regions),
        "standards": bool(data.standards),
        "repeats": data.repeats is not None and not data.repeats.empty,
        "trend": data.trend is not None and not data.trend.empty,
        "changes": bool(data.changes),
        "auditors": bool(data.auditors),
        "calibration": data.calibration is not None and not data.calibration.empty,
        "method": bool(data.method or data.notices),
    }
    names = [LABELS[f"contents_{key}"] for key, shown in present.items() if shown]
    return LABELS["contents"].format(sections=", ".join(names))


def _overdue_summary(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The overdue count and the top branches: at most :data:`OVERDUE_SHOWN` rows, so the
    cover stays one page for thousands of branches."""
    if data.overdue_actions is None:
        return []
    day = f"{data.overdue_on:%Y-%m-%d}" if data.overdue_on else LABELS["none"]
    story: list[Flowable] = [Spacer(1, 4 * mm), Paragraph(LABELS["overdue"], s.heading)]
    if not data.overdue_actions:
        return [*story, Paragraph(LABELS["overdue_none"].format(day=day), s.body)]
    count = LABELS["overdue_count"].format(count=f"{data.overdue_actions:,}", day=day)
    story.append(Paragraph(paragraph_text(count), s.body))
    shown = data.overdue_branches[:OVERDUE_SHOWN]
    if not shown:
        return story
    top = LABELS["overdue_top"].format(
        shown=len(shown), branches=f"{max(data.overdue_branch_count, len(shown)):,}"
    )
    body: list[list[Any]] = [
        [LABELS[f"col_{k}"] for k in ("code", "name", "overdue", "oldest_due")]
    ]
    for row in shown:
        body.append(
            [
                _fit(row.branch_code, 26 * mm, 7.5),
                _fit(row.branch_name, 80 * mm, 7.5),
                f"{row.overdue:,}",
                f"{row.oldest_due:%Y-%m-%d}",
            ]
        )
    widths = [w * mm for w in (28, 82, 18, 24)]
    story += [
        Paragraph(paragraph_text(top), s.small),
        _table(body, widths, [("ALIGN", (2, 0), (2, -1), "RIGHT")]),
    ]
    return story


# ---------------------------------------------------------------------------
# League table and interval chart
# ---------------------------------------------------------------------------

LEAGUE_WIDTHS = [
    w * mm for w in (10, 8, 17, 33, 19, 10, 10, 18, 11, 18, 10, 14)
]  # 178 mm: the A4 frame
LEAGUE_SIZE = 6.8
LEAGUE_ROW = 8.6


def _league_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    story: list[Flowable] = [Paragraph(LABELS["league"], s.heading)]
    story += _interval_chart(data, s)
    story.append(Paragraph(LABELS["league_note"], s.small))
    story.append(Spacer(1, 2 * mm))
    rows = data.league
    unranked = next((i for i, r in enumerate(rows) if r.too_few_to_rank), None)
    for start in range(0, len(rows), CHUNK_ROWS):
        part = rows[start : start + CHUNK_ROWS]
        divider = None if unranked is None else unranked - start
        story.append(_league_chunk(part, data.min_audits, divider))
    return story


def _league_header() -> list[str]:
    keys = [
        "rank",
        "band",
        "code",
        "name",
        "region",
        "audits",
        "mean",
        "interval",
        "shrunk",
        "shrunk_interval",
        "pass",
        "grade",
    ]
    return [LABELS[f"col_{k}"] for k in keys]


def _league_row(row: BranchStanding) -> list[str]:
    interval = LABELS["none"] if row.low is None else f"{score(row.low)}–{score(row.high)}"
    estimate_interval = (
        LABELS["none"]
        if row.shrunk_low is None
        else f"{score(row.shrunk_low)}–{score(row.shrunk_high)}"
    )
    return [
        LABELS["too_few_short"] if row.too_few_to_rank else str(row.rank),
        "" if row.tie_band is None else str(row.tie_band),
        _fit(row.branch_code, LEAGUE_WIDTHS[2] - 5, LEAGUE_SIZE),
        _fit(row.branch_name, LEAGUE_WIDTHS[3] - 5, LEAGUE_SIZE),
        _fit(row.region, LEAGUE_WIDTHS[4] - 5, LEAGUE_SIZE),
        str(row.audits),
        score(row.mean),
        interval,
        score(row.shrunk),
        estimate_interval,
        score(row.pass_rate),
        _fit(row.grade or LABELS["none"], LEAGUE_WIDTHS[11] - 5, LEAGUE_SIZE),
    ]


def _league_chunk(rows: Sequence[BranchStanding], min_audits: int, divider: int | None) -> Table:
    """One piece of the league table: header, rows, tie bands shaded alternately, and a
    spanning line before the first branch with too few audits to rank."""
    body: list[list[str]] = [_league_header()]
    extra: list[tuple[Any, ...]] = []
    for i, row in enumerate(rows):
        if i == divider:
            body.append([LABELS["too_few"].format(min_audits=min_audits)] + [""] * 11)
            at = len(body) - 1
            extra += [
                ("SPAN", (0, at), (-1, at)),
                ("FONT", (0, at), (-1, at), FONT_BOLD, LEAGUE_SIZE),
                ("LINEABOVE", (0, at), (-1, at), 0.6, GREY),
            ]
        body.append(_league_row(row))
        at = len(body) - 1
        if row.too_few_to_rank:
            extra.append(("TEXTCOLOR", (0, at), (-1, at), GREY))
        elif row.tie_band is not None and row.tie_band % 2 == 0:
            extra.append(("BACKGROUND", (0, at), (-1, at), BAND_FILL))
    table = Table(
        body,
        colWidths=LEAGUE_WIDTHS,
        rowHeights=[LEAGUE_ROW * 1.3] + [LEAGUE_ROW] * (len(body) - 1),
        repeatRows=1,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, LEAGUE_SIZE),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, LEAGUE_SIZE),
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
                ("ALIGN", (5, 0), (10, -1), "RIGHT"),
                ("ALIGN", (0, 0), (1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
                *extra,
            ]
        )
    )
    return table


def _interval_chart(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    ranked = [r for r in ranked_by_shrunk(data.league) if r.low is not None]
    if not ranked:
        return []
    many = len(ranked) > 2 * CHART_TOP + 20
    shown: list[BranchStanding | None] = (
        [*ranked[:CHART_TOP], None, *ranked[-CHART_TOP:]] if many else list(ranked)
    )
    pool = pool_mean_name(data)
    line = None
    if data.chain_mean is not None:
        line = LABELS["chart_line"].format(pool=pool, mean=score(data.chain_mean))
    note = LABELS["chart_note_no_pool"] if line is None else LABELS["chart_note"].format(pool=line)
    story: list[Flowable] = [
        Paragraph(LABELS["chart"] if many else LABELS["chart_all"], s.cell_bold),
        _interval_drawing(shown, data.chain_mean, line),
        Paragraph(note, s.small),
    ]
    if many:
        note = LABELS["chart_top_bottom"].format(top=CHART_TOP, ranked=f"{len(ranked):,}")
        story.insert(1, Paragraph(note, s.small))
        story += [Spacer(1, 3 * mm), *_distribution(ranked, s)]
    return [KeepTogether(story[:4]), *story[4:], Spacer(1, 3 * mm)]


def _scale(values: Sequence[float]) -> tuple[float, float]:
    """A 0-100 axis window around the values, on multiples of 10."""
    low = max(0.0, (min(values) // 10) * 10)
    high = min(100.0, -(-max(values) // 10) * 10)
    return (low, high) if high > low else (max(0.0, low - 10), min(100.0, high + 10))


def _interval_drawing(
    shown: Sequence[BranchStanding | None], chain_mean: float | None, line_label: str | None
) -> Drawing:
    row_h, label_w, top, bottom = 9.0, 175.0, 12.0, 16.0
    height = top + bottom + row_h * len(shown)
    drawing = Drawing(WIDTH, height)
    rows = [r for r in shown if r is not None]
    lo, hi = _scale(
        [r.shrunk_low for r in rows if r.shrunk_low is not None]
        + [r.shrunk_high or r.shrunk for r in rows]
        + [r.mean for r in rows]
    )
    plot_w = WIDTH - label_w - 10

    def x(value: float) -> float:
        return label_w + (min(max(value, lo), hi) - lo) / (hi - lo) * plot_w

    for tick in range(int(lo), int(hi) + 1, 10 if hi - lo > 30 else 5):
        drawing.add(Line(x(tick), bottom, x(tick), height - top, strokeColor=LIGHT))
        drawing.add(
            String(
                x(tick),
                bottom - 9,
                str(tick),
                fontName=FONT,
                fontSize=6.5,
                textAnchor="middle",
                fillColor=GREY,
            )
        )
    if chain_mean is not None:
        drawing.add(
            Line(
                x(chain_mean),
                bottom,
                x(chain_mean),
                height - top,
                strokeColor=GREY,
                strokeDashArray=[2, 2],
                strokeWidth=0.6,
            )
        )
        if line_label:
            # centred on the line, or ending (starting) there when near the right (left) edge
            at = x(chain_mean)
            half = stringWidth(line_label, FONT, 6.5) / 2
            anchor = "end" if at + half > WIDTH else "start" if at - half < 0 else "middle"
            drawing.add(
                String(
                    at,
                    height - top + 3,
                    line_label,
                    fontName=FONT,
                    fontSize=6.5,
                    textAnchor=anchor,
                    fillColor=GREY,
                )
            )
    for i, row in enumerate(shown):
        y = height - top - row_h * (i + 0.5)
        if row is None:
            drawing.add(
                String(
                    label_w - 4,
                    y - 2,
                    "⋯",
                    fontName=FONT,
                    fontSize=7,
                    textAnchor="end",
                    fillColor=GREY,
                )
            )
            continue
        if row.tie_band is not None and row.tie_band % 2 == 0:
            drawing.add(Rect(0, y - row_h / 2, WIDTH, row_h, fillColor=BAND_FILL, strokeColor=None))
        label = f"{row.rank}. {row.branch_code}  {row.branch_name}"
        drawing.add(String(2, y - 2.3, _fit(label, label_w - 8, 6.5), fontName=FONT, fontSize=6.5))
        if row.shrunk_low is not None and row.shrunk_high is not None:
            drawing.add(
                Line(
                    x(row.shrunk_low),
                    y,
                    x(row.shrunk_high),
                    y,
                    strokeColor=colors.black,
                    strokeWidth=1,
                )
            )
        drawing.add(
            Line(x(row.mean), y - 2.5, x(row.mean), y + 2.5, strokeColor=GREY, strokeWidth=0.8)
        )
        drawing.add(
            Circle(
                x(row.shrunk), y, 2.1, fillColor=GREEN, strokeColor=colors.black, strokeWidth=0.4
            )
        )
    return drawing


def _distribution(ranked: Sequence[BranchStanding], s: Styles) -> list[Flowable]:
    """A histogram of the shrunken estimates in 1-point bins: the whole chain at a glance."""
    values = [r.shrunk for r in ranked]
    lo, hi = _scale(values)
    bins = max(1, int(hi - lo))
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, max(0, int(v - lo)))] += 1
    height, bottom, left = 90.0, 18.0, 28.0
    drawing = Drawing(WIDTH, height + bottom)
    plot_w = WIDTH - left - 6
    bar_w = plot_w / bins
    peak = max(counts) or 1
    for i, count in enumerate(counts):
        h = count / peak * (height - 8)
        drawing.add(
            Rect(left + i * bar_w + 0.3, bottom, bar_w - 0.6, h, fillColor=GREEN, strokeColor=None)
        )
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=GREY, strokeWidth=0.6))
    for tick in range(int(lo), int(hi) + 1, 5 if hi - lo > 20 else 1):
        drawing.add(
            String(
                left + (tick - lo) * bar_w,
                bottom - 9,
                str(tick),
                fontName=FONT,
                fontSize=6.5,
                textAnchor="middle",
                fillColor=GREY,
            )
        )
    drawing.add(
        String(
            left + plot_w / 2,
            0,
            LABELS["distribution_axis"],
            fontName=FONT,
            fontSize=6.5,
            textAnchor="middle",
            fillColor=GREY,
        )
    )
    drawing.add(
        String(
            left - 3,
            bottom + height - 12,
            str(peak),
            fontName=FONT,
            fontSize=6.5,
            textAnchor="end",
            fillColor=GREY,
        )
    )
    title = LABELS["distribution"].format(ranked=f"{len(ranked):,}")
    return [KeepTogether([Paragraph(title, s.cell_bold), drawing])]


# ---------------------------------------------------------------------------
# Heatmap
# ---------------------------------------------------------------------------


def _fill(value: float) -> tuple[colors.Color, colors.Color]:
    """Cell fill and text colour: dark fills get white text, light fills black."""
    if value >= 90:
        return GREEN, colors.white
    if value >= 80:
        return LIGHT_GREEN, colors.black
    if value >= 70:
        return AMBER, colors.black
    return RED, colors.white


def ranked_by_shrunk(league: Sequence[BranchStanding]) -> list[BranchStanding]:
    """The ranked branches, highest shrunken estimate first; equal estimates keep the
    league table's order. The charts and the heatmap take their top and bottom from here,
    so "the 25 lowest" are the 25 lowest ranked branches, never the table's last rows
    (which are the branches too few audits to rank)."""
    ranked = [row for row in league if not row.too_few_to_rank]
    return sorted(ranked, key=lambda row: -row.shrunk)


def _heatmap_codes(data: ComparisonReportData) -> tuple[list[str], int]:
    """The ranked branches the heatmap has a row for (highest shrunken estimate first),
    and how many unranked branches it leaves out."""
    grid = data.heatmap
    if grid is None or grid.empty:
        return [], 0
    present = set(grid.index)
    ranked = [r.branch_code for r in ranked_by_shrunk(data.league) if r.branch_code in present]
    unranked = sum(r.too_few_to_rank and r.branch_code in present for r in data.league)
    return ranked, unranked


def _heatmap_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    grid = data.heatmap
    order, unranked = _heatmap_codes(data)
    if not order:
        return []
    names = {r.branch_code: r.branch_name for r in data.league}
    if len(order) > 2 * HEATMAP_SIDE:
        codes: list[str | None] = [*order[:HEATMAP_SIDE], None, *order[-HEATMAP_SIDE:]]
        note = LABELS["heatmap_some"].format(n=HEATMAP_SIDE, total=f"{len(order):,}")
    else:
        codes = list(order)
        note = LABELS["heatmap_all"].format(total=f"{len(order):,}")
    if unranked:
        note += " " + LABELS["heatmap_unranked"].format(n=f"{unranked:,}")
    story: list[Flowable] = [
        CondPageBreak(60 * mm),
        Paragraph(LABELS["heatmap"], s.heading),
        Paragraph(note, s.small),
        Paragraph(LABELS["heatmap_legend"], s.small),
        Spacer(1, 2 * mm),
    ]
    columns = list(grid.columns)
    hidden = len(order) - 2 * HEATMAP_SIDE
    for start in range(0, len(columns), HEATMAP_COLUMNS):
        part = columns[start : start + HEATMAP_COLUMNS]
        story += [_heatmap_table(grid, part, codes, names, hidden, s), Spacer(1, 3 * mm)]
    return story


def _heatmap_table(
    grid: pd.DataFrame,
    columns: list[str],
    codes: Sequence[str | None],
    names: dict[str, str],
    hidden: int,
    s: Styles,
) -> Table:
    head_style = s.cell_bold.clone("heat_head", fontSize=6.5, leading=7.5)
    label_w = 62 * mm
    cell_w = min(16 * mm, (WIDTH - label_w) / max(1, len(columns)))
    header: list[Any] = [Paragraph(LABELS["col_branch"], head_style)]
    header += [
        Paragraph(paragraph_text(c.replace("/", "/ ").replace("_", " ")), head_style)
        for c in columns
    ]
    body: list[list[Any]] = [header]
    extra: list[tuple[Any, ...]] = []
    values = grid[columns]
    for code in codes:
        at = len(body)
        if code is None:
            body.append([LABELS["heatmap_gap"].format(n=f"{hidden:,}")] + [""] * len(columns))
            extra += [("SPAN", (0, at), (-1, at)), ("TEXTCOLOR", (0, at), (-1, at), GREY)]
            continue
        row: list[Any] = [_fit(f"{code}  {names.get(code, '')}", label_w - 6, 6.8)]
        for j, column in enumerate(columns, start=1):
            # pandas-stubs types a cell as any scalar; the heatmap's are floats (NaN: none)
            value = cast("float", values.at[code, column])
            if pd.isna(value):
                row.append(LABELS["none"])
                continue
            fill, ink = _fill(float(value))
            row.append(score(float(value)))
            extra += [("BACKGROUND", (j, at), (j, at), fill), ("TEXTCOLOR", (j, at), (j, at), ink)]
        body.append(row)
    extra += [
        ("ALIGN", (1, 1), (-1, -1), "CENTER"),
        ("GRID", (1, 1), (-1, -1), 0.5, colors.white),
        ("FONT", (0, 1), (-1, -1), FONT, 6.8),
    ]
    return _table(body, [label_w] + [cell_w] * len(columns), extra)


# ---------------------------------------------------------------------------
# Regions, standards, trends, auditors, method
# ---------------------------------------------------------------------------


def _regions_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    if not data.regions:
        return []
    keys = ["region", "branches", "audits", "mean", "spread", "best", "worst", "pass", "critical"]
    body: list[list[Any]] = [[LABELS[f"col_{k}"] for k in keys]]
    for r in data.regions:
        body.append(
            [
                _fit(r.region, 32 * mm, 7.5),
                f"{r.branches:,}",
                f"{r.audits:,}",
                score(r.mean),
                score(r.branch_sd),
                _fit(f"{r.best_branch} ({score(r.best_shrunk)})", 33 * mm, 7.5),
                _fit(f"{r.worst_branch} ({score(r.worst_shrunk)})", 33 * mm, 7.5),
                score(r.pass_rate),
                str(r.critical_failures),
            ]
        )
    widths = [w * mm for w in (30, 14, 14, 11, 12, 35, 35, 13, 14)]
    widths[-1] = WIDTH - sum(widths[:-1])
    table = _table(
        body, widths, [("ALIGN", (1, 0), (4, -1), "RIGHT"), ("ALIGN", (7, 0), (8, -1), "RIGHT")]
    )
    note = LABELS["regions_note"]
    if not any(r.differs for r in data.regions):
        note += " " + LABELS["regions_no_difference"]
    return [
        CondPageBreak(40 * mm),
        Paragraph(LABELS["regions"], s.heading),
        table,
        Paragraph(note, s.small),
    ]


def _standards_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    if not data.standards:
        return []
    keys = ["level", "standard", "branches", "mean", "between", "icc", "meeting"]
    body: list[list[Any]] = [[LABELS[f"col_{k}"] for k in keys]]
    for row in data.standards[:STANDARDS_SHOWN]:
        body.append(
            [
                LABELS[f"level_{row.level}"],
                _fit(f"{row.checklist_id} / {row.standard}", 80 * mm, 7.5),
                f"{row.branches:,}",
                score(row.mean),
                score(row.between_sd),
                LABELS["none"] if row.icc is None else f"{row.icc:.3f}",
                score(row.meeting_share),
            ]
        )
    widths = [w * mm for w in (16, 84, 16, 14, 16, 14, 18)]
    table = _table(body, widths, [("ALIGN", (2, 0), (-1, -1), "RIGHT")])
    top = LABELS["standards_top"].format(shown=len(body) - 1, total=f"{len(data.standards):,}")
    return [
        CondPageBreak(40 * mm),
        Paragraph(LABELS["standards"], s.heading),
        Paragraph(top, s.small),
        table,
        Paragraph(LABELS["standards_note"], s.small),
    ]


class _RepeatsRow(Protocol):
    """A row of :attr:`ComparisonReportData.repeats`."""

    branch_code: str
    branch_name: str
    items: int
    longest: int
    worst_item: str
    last_failed: pd.Timestamp


class _TrendRow(Protocol):
    """A row of :attr:`ComparisonReportData.trend` (the columns the report prints)."""

    period: str
    audits: int
    mean: float
    change: float
    """NaN in the first period."""
    exceeds_noise: bool | float
    """NaN when there is no change to judge."""


# pandas-stubs types every field of an itertuples() row as any scalar, since it cannot know
# a frame's columns; the two functions below state the columns these frames have.


def _repeats_rows(frame: pd.DataFrame) -> Iterator[_RepeatsRow]:
    return cast("Iterator[_RepeatsRow]", frame.itertuples())


def _trend_rows(frame: pd.DataFrame) -> Iterator[_TrendRow]:
    return cast("Iterator[_TrendRow]", frame.itertuples(index=False))


def _repeats_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The branches with repeated failures: a count, then the top :data:`REPEATS_SHOWN`, so
    the section stays one page for thousands of branches."""
    repeats = data.repeats
    if repeats is None or repeats.empty:
        return []
    shown = repeats.head(REPEATS_SHOWN)
    keys = ["code", "name", "items", "longest", "worst_item", "last"]
    body: list[list[Any]] = [[LABELS[f"col_{k}"] for k in keys]]
    for row in _repeats_rows(shown):
        body.append(
            [
                _fit(str(row.branch_code), 20 * mm, 7.5),
                _fit(str(row.branch_name), 45 * mm, 7.5),
                f"{int(row.items):,}",
                f"{int(row.longest):,}",
                _fit(str(row.worst_item), 58 * mm, 7.5),
                f"{pd.Timestamp(row.last_failed):%Y-%m-%d}",
            ]
        )
    widths = [w * mm for w in (22, 47, 12, 18, 60, 20)]
    widths[-1] = WIDTH - sum(widths[:-1])
    table = _table(body, widths, [("ALIGN", (2, 0), (3, -1), "RIGHT")])
    count = LABELS["repeats_count"].format(
        branches=f"{len(repeats):,}", items=f"{int(repeats['items'].sum()):,}"
    )
    return [
        CondPageBreak(40 * mm),
        Paragraph(LABELS["repeats"], s.heading),
        Paragraph(
            paragraph_text(count + " " + LABELS["repeats_top"].format(shown=len(shown))), s.body
        ),
        table,
        Paragraph(LABELS["repeats_note"], s.small),
    ]


def _trend_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    trend = data.trend
    if trend is None or trend.empty:
        return []
    period = data.period if data.period in ("month", "quarter") else "month"
    body: list[list[Any]] = [
        [LABELS[f"col_{k}"] for k in [f"period_{period}", "audits", "mean", "change", "noise"]]
    ]
    for row in _trend_rows(trend):
        noise = row.exceeds_noise
        body.append(
            [
                str(row.period),
                f"{int(row.audits):,}",
                score(float(row.mean)),
                LABELS["none"] if pd.isna(row.change) else _signed(float(row.change)),
                LABELS["none"] if pd.isna(noise) else LABELS["yes" if noise else "no"],
            ]
        )
    table = _table(
        body, [w * mm for w in (18, 15, 13, 15, 20)], [("ALIGN", (1, 0), (3, -1), "RIGHT")]
    )
    chart = _trend_drawing(list(trend["period"].astype(str)), list(trend["mean"].astype(float)))
    layout = Table([[chart, table]], colWidths=[WIDTH - 84 * mm, 84 * mm], hAlign="LEFT")
    layout.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return [
        CondPageBreak(50 * mm),
        Paragraph(
            LABELS["trends"].format(
                pool=LABELS.get(f"trend_pool_{data.pool}", LABELS["trend_pool_chain"]),
                period=period,
            ),
            s.heading,
        ),
        layout,
        Paragraph(LABELS["trends_note"], s.small),
    ]


def _trend_drawing(periods: list[str], means: list[float]) -> Drawing:
    width, height, left, bottom = WIDTH - 88 * mm, 110.0, 24.0, 22.0
    drawing = Drawing(width, height)
    lo, hi = _scale(means)
    plot_w, plot_h = width - left - 8, height - bottom - 6
    step = plot_w / max(1, len(periods) - 1)

    def y(value: float) -> float:
        return bottom + (value - lo) / (hi - lo) * plot_h

    for tick in range(int(lo), int(hi) + 1, 10 if hi - lo > 30 else 5):
        drawing.add(Line(left, y(tick), left + plot_w, y(tick), strokeColor=LIGHT))
        drawing.add(
            String(
                left - 3,
                y(tick) - 2,
                str(tick),
                fontName=FONT,
                fontSize=6.5,
                textAnchor="end",
                fillColor=GREY,
            )
        )
    points = [(left + i * step, y(m)) for i, m in enumerate(means)]
    if len(points) > 1:
        flat = [c for p in points for c in p]
        drawing.add(PolyLine(flat, strokeColor=GREEN, strokeWidth=1.2))
    every = max(1, -(-len(periods) // 5))
    for i, (px, py) in enumerate(points):
        drawing.add(Circle(px, py, 1.8, fillColor=GREEN, strokeColor=colors.black, strokeWidth=0.3))
        if i % every == 0 or i == len(points) - 1:
            drawing.add(
                String(
                    px,
                    bottom - 10,
                    periods[i],
                    fontName=FONT,
                    fontSize=6,
                    textAnchor="middle",
                    fillColor=GREY,
                )
            )
    return drawing


CHANGES_SHOWN = 25
CALIBRATION_ITEMS_SHOWN = 10


def _changes_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The clearest changes per branch between the two periods the comparison names."""
    if not data.changes:
        return []
    shown = data.changes[:CHANGES_SHOWN]
    up = sum(1 for r in data.changes if r.clear and r.change > 0)
    down = sum(1 for r in data.changes if r.clear and r.change < 0)
    keys = ["branch", "change_before", "change_after", "change", "change_reading"]
    body: list[list[Any]] = [[LABELS[f"col_{k}"] for k in keys]]
    extra: list[tuple[Any, ...]] = []
    for row in shown:
        body.append(
            [
                _fit(f"{row.branch_code} {row.branch_name}", 62 * mm, 7.5),
                score(row.earlier_mean),
                score(row.later_mean),
                _signed(row.change),
                _fit(row.sentence, 66 * mm, 7.5),
            ]
        )
        if row.clear:
            at = len(body) - 1
            extra.append(("FONT", (0, at), (-1, at), FONT_BOLD, 7.5))
    extra.append(("ALIGN", (1, 0), (3, -1), "RIGHT"))
    widths = [w * mm for w in (64, 16, 16, 18, 68)]
    note = " ".join(
        [
            LABELS["changes_note"].format(
                shown=len(shown), count=f"{len(data.changes):,}", up=up, down=down
            ),
            *data.change_notices,
        ]
    )
    return [
        CondPageBreak(40 * mm),
        Paragraph(
            paragraph_text(
                LABELS["changes"].format(earlier=data.change_from, later=data.change_to)
            ),
            s.heading,
        ),
        _table(body, widths, extra),
        Paragraph(paragraph_text(note), s.small),
    ]


def _calibration_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """Agreement of auditors who scored the same visit: overall, per pair, lowest items."""
    calibration = data.calibration
    if calibration is None or calibration.empty:
        return []
    story: list[Flowable] = [CondPageBreak(40 * mm), Paragraph(LABELS["calibration"], s.heading)]
    overall = calibration.overall
    if overall is not None and overall.value is not None:
        interval = (
            ""
            if overall.low is None or overall.high is None
            else f" (90 % interval {overall.low:.2f} to {overall.high:.2f})"
        )
        story.append(
            Paragraph(
                LABELS["calibration_overall"].format(
                    pairs=f"{len(calibration.pairs):,}",
                    value=f"{overall.value:.2f}",
                    interval=interval,
                ),
                s.body,
            )
        )
    pairs: list[list[Any]] = [[LABELS[f"col_{k}"] for k in ("pair", "pairs", "gap", "a_minus_b")]]
    for pair in calibration.auditor_pairs:
        pairs.append(
            [
                _fit(f"{pair.auditor_a} / {pair.auditor_b}", 90 * mm, 7.5),
                f"{pair.pairs:,}",
                score(pair.mean_abs_difference),
                _signed(pair.mean_difference),
            ]
        )
    story.append(
        _table(pairs, [w * mm for w in (92, 20, 24, 24)], [("ALIGN", (1, 0), (3, -1), "RIGHT")])
    )
    rated = sorted(
        (i for i in calibration.items if i.value is not None), key=lambda i: (i.value, i.item_id)
    )
    shown = rated[:CALIBRATION_ITEMS_SHOWN]
    if shown:
        keys = ["item", "statistic", "agreement", "interval", "same", "pairs"]
        body: list[list[Any]] = [[LABELS[f"col_{k}"] for k in keys]]
        for item in shown:
            interval = (
                LABELS["none"]
                if item.low is None or item.high is None
                else f"{item.low:.2f} to {item.high:.2f}"
            )
            same = "" if item.percent_agreement is None else f"{item.percent_agreement:.0f} %"
            body.append(
                [
                    _fit(f"{item.checklist_id} / {item.item_id}", 70 * mm, 7.5),
                    item.statistic,
                    f"{item.value:.2f}",
                    interval,
                    same,
                    f"{item.pairs:,}",
                ]
            )
        story += [
            Spacer(1, 3 * mm),
            _table(
                body,
                [w * mm for w in (72, 20, 20, 30, 22, 16)],
                [("ALIGN", (2, 0), (5, -1), "RIGHT")],
            ),
            Paragraph(
                paragraph_text(
                    LABELS["calibration_note"].format(shown=len(shown), count=len(rated))
                ),
                s.small,
            ),
        ]
    return story


def _auditor_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    if not data.auditors:
        return []
    keys = ["auditor", "audits", "branches", "leniency", "interval", "flag"]
    body: list[list[Any]] = [[LABELS[f"col_{k}"] for k in keys]]
    extra: list[tuple[Any, ...]] = []
    for row in data.auditors:
        if not row.identified:
            flag = LABELS["not_identified"]
        elif row.flagged:
            flag = LABELS["flag_lenient" if (row.leniency or 0) > 0 else "flag_harsh"]
        else:
            flag = ""
        interval = (
            LABELS["none"] if row.low is None else f"{_signed(row.low)} to {_signed(row.high)}"
        )
        body.append(
            [
                _fit(row.auditor, 50 * mm, 7.5),
                f"{row.audits:,}",
                f"{row.branches:,}",
                _signed(row.leniency),
                interval,
                flag,
            ]
        )
        if row.flagged:
            at = len(body) - 1
            extra += [
                ("FONT", (0, at), (-1, at), FONT_BOLD, 7.5),
                ("BACKGROUND", (0, at), (-1, at), BAND_FILL),
            ]
    widths = [w * mm for w in (54, 15, 16, 17, 30, 46)]
    extra.append(("ALIGN", (1, 0), (4, -1), "RIGHT"))
    return [
        CondPageBreak(40 * mm),
        Paragraph(LABELS["auditors"], s.heading),
        _table(body, widths, extra),
        Paragraph(LABELS["auditors_note"], s.small),
    ]


def _trail_head_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    if data.trail_head is None:
        return [Spacer(1, 4 * mm), Paragraph(LABELS["trail_head_none"], s.small)]
    text = LABELS["trail_head"].format(head=paragraph_text(data.trail_head))
    return [Spacer(1, 4 * mm), Paragraph(text, s.small)]


def _method_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The method as the comparison states it; for an area manager it opens by saying whose
    branches "the chain" of the model is, and it closes with the notices."""
    if not data.method and not data.notices:
        return []
    story: list[Flowable] = [CondPageBreak(40 * mm), Paragraph(LABELS["method"], s.heading)]
    if data.pool != "chain":
        branches = f"{data.branches:,} branch{'' if data.branches == 1 else 'es'}"
        scope = data.scope.split(":", 1)[0]
        text = LABELS["method_scope"].format(branches=branches, scope=scope)
        story.append(Paragraph(paragraph_text(text), s.body))
    story += [Paragraph(paragraph_text(text), s.body) for text in data.method if text]
    if data.notices:
        story.append(Paragraph(LABELS["notices"], s.cell_bold))
        story += [Paragraph("• " + paragraph_text(text), s.body) for text in data.notices]
    return story
