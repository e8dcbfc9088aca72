"""The comparison report for head office: cover with the consistency index, league table,
interval chart, section x branch heatmap, regions, least consistent standards, trends,
auditor effects and the method.

The renderer takes plain data (:class:`ComparisonReportData`) and returns PDF bytes; it
computes no statistics. It stays readable and fast with 5,000 branches: the league table
lists every branch, drawn as plain rows under a header repeated on every page
(:mod:`audit_app.reports.rows`; reportlab's ``Table`` took seconds for 60,000 cells), and
the charts and heatmap show the top and bottom ranked branches by shrunken estimate
instead of every branch, saying so.

Every section shows what its caption says, and a caption that counts counts what it
names ("the 25 highest and 25 lowest of 276 ranked branches"). The level branches are
pooled in is named for the reader's scope: the chain for head office, the area for an area
manager (``ComparisonReportData.pool``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Protocol, cast

import pandas as pd
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
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

from audit_app.domain.checklist import Checklist, localized
from audit_app.domain.compare import (
    AuditorEffect,
    BranchChange,
    BranchStanding,
    Calibration,
    RegionSummary,
    StandardConsistency,
)
from audit_app.domain.evidence import EvidenceCount, evidence_text
from audit_app.domain.filters import AuditFilter
from audit_app.domain.labels import channel_label, grade_label, kind_label
from audit_app.domain.safe_text import paragraph_text
from audit_app.domain.scoring import display
from audit_app.i18n import N_, _, current_language, formats, ngettext, use_language
from audit_app.reports.charts import FAIL_FILL, NEAR_FILL, PASS_FILL
from audit_app.reports.layout import (
    FONT,
    FONT_BOLD,
    GREY,
    LIGHT,
    MARGIN,
    PAGE,
    Styles,
    render_pdf,
    styles,
)
from audit_app.reports.messages import report_language
from audit_app.reports.rows import Columns, LongRows, Row

# Every label of the report in English, marked for the catalogue: ``_L(key)`` prints it in
# the report's language (the English stays here for the tests that look for it).
LABELS: dict[str, str] = {
    "title": N_("Comparison of branches"),
    "page": N_("Page {page} of {pages}"),
    "generated": N_("generated {time}"),
    "selection": N_("Selection: {selection}"),
    "index": N_("Consistency index"),
    "index_none": "—",
    "index_note": N_(
        "100 means every branch keeps every section at the same level; at {index} the "
        "branches' true section scores typically sit about {spread} points apart."
    ),
    "index_note_none": N_(
        "100 means every branch keeps every section at the same level; each point below 100 "
        "is one point of spread between the branches' true section scores."
    ),
    "index_raw": N_("Period effects removed; with them left in the index reads {raw}."),
    "least_sections": N_("Least consistent sections: {sections}."),
    "pool_mean": N_("{pool} (shrinkage target): {mean}."),
    "pool_chain": N_("Chain level (model)"),
    "pool_area": N_("Level of your area (model)"),
    "pool_areas": N_("Level of your areas (model)"),
    "contents": N_("Contents: {sections}."),
    "contents_league": N_("league table"),
    "contents_chart": N_("interval chart"),
    "contents_heatmap": N_("section heatmap"),
    "contents_regions": N_("regions"),
    "contents_standards": N_("least consistent standards"),
    "contents_repeats": N_("repeated failures"),
    "contents_evidence": N_("failed items and their photos"),
    "contents_trend": N_("trend"),
    "contents_changes": N_("change per branch"),
    "contents_calibration": N_("calibration"),
    "changes": N_("Change per branch: {earlier} to {later}"),
    "changes_note": N_(
        "Later mean minus earlier mean, with its 90 % interval; the {shown} clearest of "
        "{count} branches audited in both periods ({up} clearly up, {down} clearly down). A "
        "change is clear when its interval excludes 0."
    ),
    "col_change_before": N_("Before"),
    "col_change_after": N_("After"),
    "col_change_reading": N_("Reading"),
    "calibration": N_("Calibration: two auditors on the same visit"),
    "calibration_overall": N_(
        "{pairs} calibration pairs; agreement on the overall score (ICC) {value}{interval}. 1"
        " = perfect agreement, 0 = no better than chance."
    ),
    "calibration_note": N_(
        "The {shown} items with the lowest agreement of {count}. AC1 for yes/no items, ICC(1)"
        " for scored items; same answer: the share of pairs giving the same answer (scores "
        "within 0.1)."
    ),
    "col_item": N_("Item"),
    "col_statistic": N_("Statistic"),
    "col_agreement": N_("Agreement"),
    "col_same": N_("Same answer"),
    "col_pairs": N_("Pairs"),
    "col_pair": N_("Auditors"),
    "col_gap": N_("Mean gap"),
    "col_a_minus_b": N_("A minus B"),
    "contents_auditors": N_("auditor effects"),
    "contents_method": N_("method"),
    "notices": N_("Read with the numbers"),
    "empty": N_("Nothing to compare."),
    "league": N_("League table"),
    "league_note": N_(
        "Ranked by the estimate: the mean with period effects removed, pulled toward its "
        "group's level by how uncertain it is; its 90 % interval is where the branch's true "
        "level most likely lies (the mean's own interval beside it). No branch in a tie band "
        "(shaded alike) is clearly worse than the band's first."
    ),
    "too_few": N_("Too few to rank (fewer than {min_audits} audits)"),
    "too_few_short": N_("too few"),
    "col_rank": N_("Rank"),
    "col_band": N_("Band"),
    "col_code": N_("Code"),
    "col_name": N_("Branch"),
    "col_region": N_("Region"),
    "col_audits": N_("Audits"),
    "col_mean": N_("Mean"),
    "col_interval": N_("Mean's 90 %"),
    "col_shrunk": N_("Estimate"),
    "col_shrunk_interval": N_("Estimate's 90 %"),
    "col_pass": N_("Pass %"),
    "col_critical": N_("Crit."),
    "col_grade": N_("Grade"),
    "chart": N_("Intervals of the top and bottom branches"),
    "chart_all": N_("Intervals of the ranked branches"),
    "chart_note": N_(
        "Dot: the estimate, which ranks; line: its 90 % interval; tick: the plain mean. "
        "Dashed line: {pool}. Shading alternates with the tie band."
    ),
    "chart_note_no_pool": N_(
        "Dot: the estimate, which ranks; line: its 90 % interval; tick: the plain mean. "
        "Shading alternates with the tie band."
    ),
    "chart_top_bottom": N_(
        "The {top} highest and {top} lowest of {ranked} ranked branches by shrunken estimate,"
        " highest first."
    ),
    "chart_line": N_("{pool} {mean}"),
    "distribution": N_("Distribution of the shrunken estimates ({ranked} ranked branches)"),
    "distribution_axis": N_("Shrunken estimate (points)"),
    "heatmap": N_("Sections by branch"),
    "heatmap_all": N_(
        "Mean section score of every ranked branch ({total}), highest shrunken estimate first."
    ),
    "heatmap_some": N_(
        "Mean section score of the {n} highest and {n} lowest of {total} ranked branches by "
        "shrunken estimate, highest first (the others are in the league table)."
    ),
    "heatmap_rest": N_(
        "Every branch's own section scores are in its branch report; a selection of {limit} "
        "ranked branches or fewer (one region, for example) shows them all here."
    ),
    "heatmap_unranked": N_(
        "Branches with too few audits to rank ({n}) are left out (they are at the end of the "
        "league table)."
    ),
    "heatmap_legend": N_(
        "Fill: dark blue ≥ 90, light blue 80–90, orange 70–80, vermillion < 70; the value is "
        "printed in every cell."
    ),
    "heatmap_gap": N_("⋯ {n} branches between ⋯"),
    "col_branch": N_("Branch"),
    "regions": N_("Regions"),
    "col_branches": N_("Branches"),
    "col_spread": N_("Spread"),
    "col_best": N_("Best (shrunk)"),
    "col_worst": N_("Worst (shrunk)"),
    "regions_note": N_(
        "Regions with the highest mean first. Mean: of the region's audits. Spread: standard "
        "deviation of its branches' means (visit noise included). Best and worst: by the "
        "shrunken estimate, among the region's ranked branches (among all of them when none "
        "is ranked)."
    ),
    "regions_no_difference": N_(
        "No detectable difference between branches in this selection: the spread is visit "
        "noise, and best and worst are only the league table's order (mean, then audits), not"
        " a finding."
    ),
    "standards": N_("Least consistent standards"),
    "standards_top": N_(
        "The {shown} of {total} standards whose branches differ most, largest spread between "
        "branches first; standards whose spread cannot be estimated come last."
    ),
    "standards_note": N_(
        "Between: the spread between branches' true levels (points, noise removed). ICC: the "
        "share of the variation between branches. Meeting: share of branches meeting the "
        "standard (an item: full marks in every audit; a section: mean at or above the "
        "checklist's pass mark)."
    ),
    "col_level": N_("Level"),
    "col_standard": N_("Standard"),
    "col_between": N_("Between"),
    "col_icc": N_("ICC"),
    "col_meeting": N_("Meeting %"),
    "level_section": N_("section"),
    "level_item": N_("item"),
    "trends_chain_month": N_("Trend of the chain per month"),
    "trends_chain_quarter": N_("Trend of the chain per quarter"),
    "trends_area_month": N_("Trend of the area per month"),
    "trends_area_quarter": N_("Trend of the area per quarter"),
    "trends_areas_month": N_("Trend of the areas per month"),
    "trends_areas_quarter": N_("Trend of the areas per quarter"),
    "trend_axis": N_("Mean score"),
    "interval_axis": N_("Score (points)"),
    "distribution_count": N_("Branches"),
    "trends_note": N_(
        "A change exceeds the noise when it is larger than 1.645 standard errors of the "
        "difference (two-sided, 10 %)."
    ),
    "col_period_month": N_("Month"),
    "col_period_quarter": N_("Quarter"),
    "col_change": N_("Change"),
    "col_noise": N_("Beyond noise"),
    "yes": N_("yes"),
    "no": N_("no"),
    "auditors": N_("Auditor effects"),
    "auditors_note": N_(
        "Most lenient first. Leniency: points above (+) or below (−) the average auditor on "
        "the same branches, with its 90 % interval; an auditor is flagged when the interval "
        "excludes 0. Not compared: no shared branches link the auditor to the largest group "
        "of auditors (or there is no other auditor)."
    ),
    "col_auditor": N_("Auditor"),
    "col_leniency": N_("Leniency"),
    "col_flag": N_("Flag"),
    "flag_lenient": N_("FLAGGED: more lenient"),
    "flag_harsh": N_("FLAGGED: harsher"),
    "not_identified": N_("not compared"),
    "col_note": N_("Note"),
    "repeats": N_("Repeated failures"),
    "repeats_top": N_("The {shown} with the most repeated items:"),
    "repeats_note": N_(
        "Consecutive: the branch's audits of that checklist in visit order; an audit where "
        "the item passed, was N/A or was not asked ends the run. Follow-ups are left out."
    ),
    "col_items": N_("Items"),
    "col_longest": N_("Longest run"),
    "col_worst_item": N_("Longest-running item"),
    "col_last": N_("Last failed"),
    "evidence": N_("Failed items and their photos"),
    "evidence_top": N_(
        "The {shown} items failed most often of {total} that failed, with how many of "
        "those failed answers carry at least one photo:"
    ),
    "evidence_note": N_(
        "A failed answer is one that opens a corrective action under its checklist's "
        "policy; N/A and unanswered items never fail. Follow-ups are left out."
    ),
    "col_checklist": N_("Checklist"),
    "col_evidence": N_("Failures and photos"),
    "method": N_("Method"),
    "trail_head": N_(
        "Audit trail head when this report was made: {head}. “audit-app verify --head {head}”"
        " checks that the data still reaches it, so a record removed or rewritten after this "
        "report is named."
    ),
    "trail_head_none": N_("Nothing was sealed in the audit trail when this report was made."),
    "overdue": N_("Overdue corrective actions"),
    "overdue_none": N_("No corrective action in this selection is overdue (on {day})."),
    "col_overdue": N_("Overdue"),
    "col_oldest_due": N_("Oldest due"),
    "none": "—",
}

CHART_TOP = 15
HEATMAP_SIDE = 25
HEATMAP_COLUMNS = 8
STANDARDS_SHOWN = 10
REPEATS_SHOWN = 25
EVIDENCE_SHOWN = 20
OVERDUE_SHOWN = 10
WIDTH = PAGE[0] - 2 * MARGIN

BLACK = colors.black
LIGHT_BLUE = colors.HexColor("#9ECAE9")
"""Heatmap 80-90: a light tint of the Okabe-Ito blue (black text on it)."""
AMBER = NEAR_FILL
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
    failed_items: tuple[tuple[str, str, EvidenceCount], ...] = ()
    """(checklist id, item id, counts) of every item that failed in the selection's scope,
    most failures first (``ComparisonResult.failed_items``); the report prints the top."""
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
    audit_filter: AuditFilter | None = None
    """The selection itself: the report words it in its language (checklist by title,
    channel and kind by their labels, dates as the language writes them); without it the
    report prints ``selection`` as given."""
    checklists: tuple[Checklist, ...] = ()
    """The checklists the comparison covers (any versions): the report names sections and
    items by their titles and questions in its language (``checklist/section`` ids stay
    out of the text). Without them an id is shown as words (``greeting_social`` ->
    "Greeting social")."""


def _L(key: str) -> str:
    """The label ``key`` in the current language."""
    text = LABELS[key]
    return _(text) if text not in ("", "—") else text


def render_comparison_report(
    data: ComparisonReportData, generated_at: datetime, language: str | None = None
) -> bytes:
    """The comparison report as PDF bytes in ``language`` (default: the current language,
    i.e. the app session's, else English)."""
    with use_language(report_language(language or current_language())):
        return _render(data, generated_at)


def _render(data: ComparisonReportData, generated_at: datetime) -> bytes:
    s = styles()
    story: list[Flowable] = _cover(data, s)
    if data.audits and data.league:
        story += [PageBreak(), *_league_section(data, s)]
        story += _heatmap_section(data, s)
        story += _regions_section(data, s)
        story += _standards_section(data, s)
        story += _repeats_section(data, s)
        story += _evidence_section(data, s)
        story += _trend_section(data, s)
        story += _changes_section(data, s)
        story += _auditor_section(data, s)
        story += _calibration_section(data, s)
        story += _method_section(data, s)
    story += _trail_head_section(data, s)
    return render_pdf(
        story,
        title=_L("title"),
        generated_at=generated_at,
        page_label=_L("page"),
        generated_label=_L("generated"),
    )


# ---------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------


def score(value: float | None) -> str:
    """One decimal, halves up, as the command line and every screen show it, with the
    language's decimal sign."""
    shown = display(value)
    return _L("none") if shown is None else _written(current_language(), "decimal", shown)


def _signed(value: float | None) -> str:
    shown = display(value)
    return _L("none") if shown is None else _written(current_language(), "signed", shown)


def _count(value: int | float) -> str:
    return _written(current_language(), "integer", value)


@lru_cache(maxsize=16_384)
def _written(language: str, kind: str, value: float) -> str:
    """A number as ``language`` writes it, kept: a 5,000-branch league table writes the
    same few hundred scores some 40,000 times, and Babel takes about 50 µs for each.
    ``language`` is the current language, the one the value is written in (the key)."""
    if kind == "decimal":
        return formats.decimal(value, 1)
    if kind == "signed":
        return formats.signed(value, 1)
    return formats.integer(value)


def _day(value: date | datetime | pd.Timestamp | None) -> str:
    if value is None:
        return _L("none")
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return formats.date(value, "short")


def _words(code: str) -> str:
    """An id as words when its title is unknown: ``greeting_social`` -> "Greeting social"."""
    return code.replace("_", " ").replace(".", " ").strip().capitalize() or code


class _Names:
    """Titles of checklists and sections and item questions in the current language, from
    the checklists the data carries (later versions win)."""

    def __init__(self, checklists: Sequence[Checklist]) -> None:
        language = current_language()
        self.checklists: dict[str, str] = {}
        self.sections: dict[tuple[str, str], str] = {}
        self.items: dict[tuple[str, str], str] = {}
        for checklist in sorted(checklists, key=lambda c: (c.id, c.version)):
            own = checklist.language
            self.checklists[checklist.id] = checklist.title_in(language)
            for section in checklist.sections:
                title = localized(section.title, language, own) or section.id
                self.sections[(checklist.id, section.id)] = title
                for item in section.items:
                    self.items[(checklist.id, item.id)] = localized(item.text, language, own)

    def checklist(self, checklist_id: str) -> str:
        return self.checklists.get(checklist_id) or _words(checklist_id)

    def section(self, checklist_id: str, section_id: str) -> str:
        title = self.sections.get((checklist_id, section_id)) or _words(section_id)
        return f"{self.checklist(checklist_id)} · {title}"

    def item(self, checklist_id: str, item_id: str) -> str:
        return self.items.get((checklist_id, item_id)) or _words(item_id)

    def section_key(self, key: str) -> str:
        """A ``checklist/section`` key as "Checklist · Section"."""
        checklist_id, _sep, section_id = key.partition("/")
        return self.section(checklist_id, section_id.strip())

    def item_key(self, key: str) -> str:
        """A ``checklist / item`` key (as domain.repeats writes it) as the item's question."""
        checklist_id, _sep, item_id = key.partition("/")
        return self.item(checklist_id.strip(), item_id.strip())


def _fit(text: str, width: float, size: float, font: str = FONT) -> str:
    """The text, cut with an ellipsis only when it would overflow its column."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _head(text: str, width: float, size: float = 7.5, padding: float = 6) -> Paragraph:
    """A column heading that wraps between words and never inside one: the font shrinks
    (down to 4.5 pt) until the longest word fits the column (Catalan and Romanian headings
    run longer than English ones)."""
    words = text.split() or [text]
    longest = max(stringWidth(word, FONT_BOLD, size) for word in words)
    room = max(1.0, width - padding) * 0.96  # a word as wide as the column still breaks
    if longest > room:
        size = max(4.5, size * room / longest)
    style = ParagraphStyle(
        f"head{size:.2f}", fontName=FONT_BOLD, fontSize=size, leading=size * 1.15
    )
    return Paragraph(paragraph_text(text), style)


def _table(
    rows: list[list[Any]], widths: Sequence[float], extra: Sequence[tuple[Any, ...]] = ()
) -> Table:
    """A small table in the report's look: bold shaded header repeated over pages, its
    headings wrapped to their columns."""
    rows = [
        [
            _head(cell, width) if isinstance(cell, str) else cell
            for cell, width in zip(rows[0], widths, strict=True)
        ],
        *rows[1:],
    ]
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


def selection(data: ComparisonReportData) -> str:
    """The filters as a phrase in the report's language ("checklist Greeting by phone,
    visits 1 Oct 2026 to …"), or the given phrase when the data has no filter."""
    chosen = data.audit_filter
    if chosen is None:
        return data.selection
    names = _Names(data.checklists)
    parts = []
    if chosen.checklist_id:
        parts.append(_("checklist {name}").format(name=names.checklist(chosen.checklist_id)))
    if chosen.region:
        parts.append(_("region {name}").format(name=chosen.region))
    if chosen.country:
        parts.append(_("country {name}").format(name=chosen.country))
    if chosen.branch_code:
        parts.append(_("branch {name}").format(name=chosen.branch_code))
    if chosen.kind:
        parts.append(_("kind {name}").format(name=kind_label(chosen.kind)))
    if chosen.channel:
        parts.append(_("channel {name}").format(name=channel_label(chosen.channel)))
    if chosen.auditor:
        parts.append(_("auditor {name}").format(name=chosen.auditor))
    if chosen.reference:
        parts.append(_("reference {name}").format(name=chosen.reference))
    if chosen.areas is not None:
        parts.append(_("area {names}").format(names=", ".join(chosen.areas)))
    if chosen.include_follow_ups and chosen.kind is None:
        parts.append(_("follow-ups included"))
    if chosen.date_from or chosen.date_to:
        start = formats.date(chosen.date_from) if chosen.date_from else "…"
        end = formats.date(chosen.date_to) if chosen.date_to else "…"
        parts.append(_("visits {start} to {end}").format(start=start, end=end))
    return ", ".join(parts) or _("all submitted audits")


def scope_line(data: ComparisonReportData) -> str:
    """Whose branches, in the report's language: "Chain: 5,000 branches", "Area Barcelona:
    6 branches" (from the comparison's scope label, ``Scope.label``)."""
    match = re.match(r"^(Chain|Areas?)\b\s*(.*?):\s*([\d,.]+)\s+branch", data.scope or "")
    if match is None and data.scope and data.scope != "Chain":
        return data.scope  # already worded by the comparison (in the current language)
    count = int(re.sub(r"\D", "", match.group(3))) if match else data.branches
    n = _count(count)
    if data.pool == "chain" or (match and match.group(1) == "Chain"):
        return ngettext("Chain: {n} branch", "Chain: {n} branches", count).format(n=n)
    names = match.group(2) if match else ""
    if data.pool == "areas":
        return ngettext("Areas {names}: {n} branch", "Areas {names}: {n} branches", count).format(
            names=names, n=n
        )
    return ngettext("Area {names}: {n} branch", "Area {names}: {n} branches", count).format(
        names=names, n=n
    )


def scope_name(data: ComparisonReportData) -> str:
    """The scope without its count: "the chain", "area Barcelona"."""
    match = re.match(r"^Areas?\b\s*(.*?):", data.scope or "")
    names = match.group(1) if match else ""
    if match is None and data.pool != "chain" and ":" in (data.scope or ""):
        return data.scope.split(":", 1)[0]  # already worded by the comparison
    if data.pool == "chain" or not names:
        return _("the chain")
    if data.pool == "areas":
        return _("areas {names}").format(names=names)
    return _("area {names}").format(names=names)


def index_note(index: float | None) -> str:
    """What the index says, computed from it: at 92 the branches sit about 8 points apart
    (the index is 100 minus the weighted spread between branches' true section scores)."""
    if index is None:
        return _L("index_note_none")
    shown = display(index) or 0.0
    return _L("index_note").format(index=score(index), spread=score(100 - shown))


def _cover(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    story: list[Flowable] = [
        Paragraph(_L("title"), s.title),
        Paragraph(paragraph_text(scope_line(data)), s.heading),
        Paragraph(paragraph_text(_L("selection").format(selection=selection(data))), s.body),
    ]
    if not data.audits:
        story.append(Paragraph(paragraph_text(data.message or _L("empty")), s.body))
        return story + _overdue_summary(data, s)
    audits = ngettext("{n} audit", "{n} audits", data.audits).format(n=_count(data.audits))
    counts = ngettext(
        "{audits} at {n} branch; branches with fewer than {min_audits} audits are listed but "
        "not ranked.",
        "{audits} at {n} branches; branches with fewer than {min_audits} audits are listed "
        "but not ranked.",
        data.branches,
    ).format(audits=audits, n=_count(data.branches), min_audits=_count(data.min_audits))
    story.append(Paragraph(paragraph_text(counts), s.body))
    index = data.consistency_index
    big = s.title.clone("big", fontSize=54, leading=62, textColor=PASS_FILL, spaceBefore=18)
    story += [
        Spacer(1, 14 * mm),
        Paragraph(_L("index"), s.heading),
        Paragraph(_L("index_none") if index is None else score(index), big),
        Paragraph(paragraph_text(index_note(index)), s.small),
    ]
    if index is not None and data.raw_consistency_index is not None:
        raw = score(data.raw_consistency_index)
        story.append(Paragraph(_L("index_raw").format(raw=raw), s.small))
    story.append(Spacer(1, 8 * mm))
    story += _notices_box(data, s)
    if data.least_consistent_sections:
        names = _Names(data.checklists)
        sections = ", ".join(names.section_key(key) for key in data.least_consistent_sections)
        text = _L("least_sections").format(sections=sections)
        story.append(Paragraph(paragraph_text(text), s.body))
    if data.chain_mean is not None:
        text = _L("pool_mean").format(pool=pool_mean_name(data), mean=score(data.chain_mean))
        story.append(Paragraph(paragraph_text(text), s.body))
    story += _overdue_summary(data, s)
    story += [Spacer(1, 4 * mm), Paragraph(paragraph_text(_contents(data)), s.small)]
    return story


def pool_mean_name(data: ComparisonReportData) -> str:
    """'Chain level (model)' or the level of the user's area(s): the model's estimate the
    branches are pulled toward (not a mean of audits), named for the user's scope."""
    return _L(f"pool_{data.pool}" if f"pool_{data.pool}" in LABELS else "pool_chain")


def _notices_box(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The notices in a box under the index: what must be read with the numbers."""
    if not data.notices:
        return []
    cells: list[Flowable] = [Paragraph(_L("notices"), s.cell_bold)]
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
        "evidence": bool(data.failed_items),
        "trend": data.trend is not None and not data.trend.empty,
        "changes": bool(data.changes),
        "auditors": bool(data.auditors),
        "calibration": data.calibration is not None and not data.calibration.empty,
        "method": bool(data.method or data.notices),
    }
    names = [_L(f"contents_{key}") for key, shown in present.items() if shown]
    return _L("contents").format(sections=", ".join(names))


def _overdue_summary(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The overdue count and the top branches: at most :data:`OVERDUE_SHOWN` rows, so the
    cover stays one page for thousands of branches."""
    if data.overdue_actions is None:
        return []
    day = _day(data.overdue_on)
    story: list[Flowable] = [Spacer(1, 4 * mm), Paragraph(_L("overdue"), s.heading)]
    if not data.overdue_actions:
        return [*story, Paragraph(_L("overdue_none").format(day=day), s.body)]
    count = ngettext(
        "{count} corrective action in this selection is overdue (still open or in progress "
        "after its due date, on {day}).",
        "{count} corrective actions in this selection are overdue (still open or in progress "
        "after their due date, on {day}).",
        data.overdue_actions,
    ).format(count=_count(data.overdue_actions), day=day)
    story.append(Paragraph(paragraph_text(count), s.body))
    shown = data.overdue_branches[:OVERDUE_SHOWN]
    if not shown:
        return story
    total = max(data.overdue_branch_count, len(shown))
    top = ngettext(
        "The {shown} branch with the most overdue actions, of {branches}:",
        "The {shown} branches with the most overdue actions, of {branches}:",
        len(shown),
    ).format(shown=_count(len(shown)), branches=_count(total))
    body: list[list[Any]] = [[_L(f"col_{k}") for k in ("code", "name", "overdue", "oldest_due")]]
    for row in shown:
        body.append(
            [
                _fit(row.branch_code, 26 * mm, 7.5),
                _fit(row.branch_name, 80 * mm, 7.5),
                _count(row.overdue),
                _day(row.oldest_due),
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
    story: list[Flowable] = [Paragraph(_L("league"), s.heading)]
    story += _interval_chart(data, s)
    story.append(Paragraph(_L("league_note"), s.small))
    story.append(Spacer(1, 2 * mm))
    story.append(_league_rows(data))
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
    return [_L(f"col_{k}") for k in keys]


def _league_row(row: BranchStanding) -> list[str]:
    interval = _L("none") if row.low is None else f"{score(row.low)}–{score(row.high)}"
    estimate_interval = (
        _L("none")
        if row.shrunk_low is None
        else f"{score(row.shrunk_low)}–{score(row.shrunk_high)}"
    )
    return [
        _L("too_few_short") if row.too_few_to_rank else str(row.rank),
        "" if row.tie_band is None else str(row.tie_band),
        _fit(row.branch_code, LEAGUE_WIDTHS[2] - 5, LEAGUE_SIZE),
        _fit(row.branch_name, LEAGUE_WIDTHS[3] - 5, LEAGUE_SIZE),
        _fit(row.region, LEAGUE_WIDTHS[4] - 5, LEAGUE_SIZE),
        _count(row.audits),
        score(row.mean),
        interval,
        score(row.shrunk),
        estimate_interval,
        score(row.pass_rate),
        _fit(grade_label(row.grade), LEAGUE_WIDTHS[11] - 5, LEAGUE_SIZE),
    ]


def _league_rows(data: ComparisonReportData) -> LongRows:
    """The whole league table as one flowable: its header repeated on every page, tie
    bands shaded alternately, the branches too few to rank greyed after a spanning line.
    Drawn by :class:`LongRows`: 5,000 rows as reportlab ``Table`` cells took seconds."""
    rows: list[Row] = []
    divided = False
    for row in data.league:
        if row.too_few_to_rank and not divided:
            rows.append(Row([_L("too_few").format(min_audits=data.min_audits)], divider=True))
            divided = True
        fill = None
        if not row.too_few_to_rank and row.tie_band is not None and row.tie_band % 2 == 0:
            fill = BAND_FILL
        rows.append(Row(_league_row(row), fill=fill, ink=GREY if row.too_few_to_rank else BLACK))
    columns = Columns(
        widths=LEAGUE_WIDTHS,
        right=frozenset(range(0, 2)) | frozenset(range(5, 11)),
        font=FONT,
        bold_font=FONT_BOLD,
        size=LEAGUE_SIZE,
        row_height=LEAGUE_ROW,
        line=GREY,
    )
    return LongRows(_league_header_table(), rows, columns)


def _league_header_table() -> Table:
    """The league table's header row: bold, shaded, each heading wrapped to its column."""
    header = [
        _head(text, width, LEAGUE_SIZE, 5)
        for text, width in zip(_league_header(), LEAGUE_WIDTHS, strict=True)
    ]
    table = Table([header], colWidths=LEAGUE_WIDTHS, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, GREY),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.2),
                ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
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
        line = _L("chart_line").format(pool=pool, mean=score(data.chain_mean))
    note = _L("chart_note_no_pool") if line is None else _L("chart_note").format(pool=line)
    story: list[Flowable] = [
        Paragraph(_L("chart") if many else _L("chart_all"), s.cell_bold),
        _interval_drawing(shown, data.chain_mean, line),
        Paragraph(note, s.small),
    ]
    if many:
        note = _L("chart_top_bottom").format(top=CHART_TOP, ranked=_count(len(ranked)))
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
    row_h, label_w, top, bottom = 9.0, 175.0, 12.0, 24.0
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
    drawing.add(
        String(
            label_w + plot_w / 2,
            2,
            _L("interval_axis"),
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
                x(row.shrunk),
                y,
                2.1,
                fillColor=PASS_FILL,
                strokeColor=colors.black,
                strokeWidth=0.4,
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
        h = count / peak * (height - 16)
        drawing.add(
            Rect(
                left + i * bar_w + 0.3,
                bottom,
                bar_w - 0.6,
                h,
                fillColor=PASS_FILL,
                strokeColor=None,
            )
        )
        if count and bar_w >= 7:
            drawing.add(
                String(
                    left + (i + 0.5) * bar_w,
                    bottom + h + 2,
                    _count(count),
                    fontName=FONT,
                    fontSize=5.5,
                    textAnchor="middle",
                )
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
            _L("distribution_axis"),
            fontName=FONT,
            fontSize=6.5,
            textAnchor="middle",
            fillColor=GREY,
        )
    )
    drawing.add(
        String(
            left - 3,
            bottom + height - 20,
            _count(peak),
            fontName=FONT,
            fontSize=6.5,
            textAnchor="end",
            fillColor=GREY,
        )
    )
    drawing.add(
        String(
            0,
            bottom + height - 6,
            _L("distribution_count"),
            fontName=FONT,
            fontSize=6.5,
            fillColor=GREY,
        )
    )
    title = _L("distribution").format(ranked=_count(len(ranked)))
    return [KeepTogether([Paragraph(title, s.cell_bold), drawing])]


# ---------------------------------------------------------------------------
# Heatmap
# ---------------------------------------------------------------------------


def _fill(value: float) -> tuple[colors.Color, colors.Color]:
    """Cell fill and text colour (Okabe-Ito blue, light blue, orange, vermillion: apart for
    every common colour-vision deficiency); text at least 4.5:1 on its fill."""
    if value >= 90:
        return PASS_FILL, colors.white
    if value >= 80:
        return LIGHT_BLUE, colors.black
    if value >= 70:
        return NEAR_FILL, colors.black
    return FAIL_FILL, colors.black


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
        note = _L("heatmap_some").format(n=_count(HEATMAP_SIDE), total=_count(len(order)))
        note += " " + _L("heatmap_rest").format(limit=_count(2 * HEATMAP_SIDE))
    else:
        codes = list(order)
        note = _L("heatmap_all").format(total=_count(len(order)))
    if unranked:
        note += " " + _L("heatmap_unranked").format(n=_count(unranked))
    story: list[Flowable] = [
        CondPageBreak(60 * mm),
        Paragraph(_L("heatmap"), s.heading),
        Paragraph(note, s.small),
        Paragraph(_L("heatmap_legend"), s.small),
        Spacer(1, 2 * mm),
    ]
    columns = list(grid.columns)
    titles = _Names(data.checklists)
    hidden = len(order) - 2 * HEATMAP_SIDE
    for start in range(0, len(columns), HEATMAP_COLUMNS):
        part = columns[start : start + HEATMAP_COLUMNS]
        table = _heatmap_table(grid, part, codes, names, hidden, s, titles)
        story += [table, Spacer(1, 3 * mm)]
    return story


def _heatmap_table(
    grid: pd.DataFrame,
    columns: list[str],
    codes: Sequence[str | None],
    names: dict[str, str],
    hidden: int,
    s: Styles,
    titles: _Names,
) -> Table:
    head_style = s.cell_bold.clone("heat_head", fontSize=6.5, leading=7.5)
    label_w = 62 * mm
    cell_w = min(20 * mm, (WIDTH - label_w) / max(1, len(columns)))
    header: list[Any] = [Paragraph(_L("col_branch"), head_style)]
    header += [_head(titles.section_key(c), cell_w, 6.5) for c in columns]
    body: list[list[Any]] = [header]
    extra: list[tuple[Any, ...]] = []
    values = grid[columns]
    for code in codes:
        at = len(body)
        if code is None:
            body.append([_L("heatmap_gap").format(n=_count(hidden))] + [""] * len(columns))
            extra += [("SPAN", (0, at), (-1, at)), ("TEXTCOLOR", (0, at), (-1, at), GREY)]
            continue
        row: list[Any] = [_fit(f"{code}  {names.get(code, '')}", label_w - 6, 6.8)]
        for j, column in enumerate(columns, start=1):
            # pandas-stubs types a cell as any scalar; the heatmap's are floats (NaN: none)
            value = cast("float", values.at[code, column])
            if pd.isna(value):
                row.append(_L("none"))
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
    body: list[list[Any]] = [[_L(f"col_{k}") for k in keys]]
    for r in data.regions:
        body.append(
            [
                _fit(r.region, 32 * mm, 7.5),
                _count(r.branches),
                _count(r.audits),
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
    note = _L("regions_note")
    if not any(r.differs for r in data.regions):
        note += " " + _L("regions_no_difference")
    return [
        CondPageBreak(40 * mm),
        Paragraph(_L("regions"), s.heading),
        table,
        Paragraph(note, s.small),
    ]


def _standards_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    if not data.standards:
        return []
    keys = ["level", "standard", "branches", "mean", "between", "icc", "meeting"]
    names = _Names(data.checklists)
    body: list[list[Any]] = [[_L(f"col_{k}") for k in keys]]
    for row in data.standards[:STANDARDS_SHOWN]:
        body.append(
            [
                _L(f"level_{row.level}"),
                _fit(
                    names.section(row.checklist_id, row.standard)
                    if row.level == "section"
                    else names.item(row.checklist_id, row.standard),
                    80 * mm,
                    7.5,
                ),
                _count(row.branches),
                score(row.mean),
                score(row.between_sd),
                _L("none") if row.icc is None else formats.decimal(row.icc, 3),
                score(row.meeting_share),
            ]
        )
    widths = [w * mm for w in (16, 84, 16, 14, 16, 14, 18)]
    table = _table(body, widths, [("ALIGN", (2, 0), (-1, -1), "RIGHT")])
    top = _L("standards_top").format(shown=len(body) - 1, total=_count(len(data.standards)))
    return [
        CondPageBreak(40 * mm),
        Paragraph(_L("standards"), s.heading),
        Paragraph(top, s.small),
        table,
        Paragraph(_L("standards_note"), s.small),
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
    names = _Names(data.checklists)
    keys = ["code", "name", "items", "longest", "worst_item", "last"]
    body: list[list[Any]] = [[_L(f"col_{k}") for k in keys]]
    for row in _repeats_rows(shown):
        body.append(
            [
                _fit(str(row.branch_code), 20 * mm, 7.5),
                _fit(str(row.branch_name), 45 * mm, 7.5),
                _count(int(row.items)),
                _count(int(row.longest)),
                _fit(names.item_key(str(row.worst_item)), 58 * mm, 7.5),
                _day(pd.Timestamp(row.last_failed)),
            ]
        )
    widths = [w * mm for w in (22, 47, 12, 18, 60, 20)]
    widths[-1] = WIDTH - sum(widths[:-1])
    table = _table(body, widths, [("ALIGN", (2, 0), (3, -1), "RIGHT")])
    items = int(repeats["items"].sum())
    count = ngettext(
        "{branches} branch failed the same item in two or more consecutive audits of a "
        "checklist ({items} items in all).",
        "{branches} branches failed the same item in two or more consecutive audits of a "
        "checklist ({items} items in all).",
        len(repeats),
    ).format(branches=_count(len(repeats)), items=_count(items))
    return [
        CondPageBreak(40 * mm),
        Paragraph(_L("repeats"), s.heading),
        Paragraph(paragraph_text(count + " " + _L("repeats_top").format(shown=len(shown))), s.body),
        table,
        Paragraph(_L("repeats_note"), s.small),
    ]


def _evidence_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The items failed most often, each with "12 failures, 7 with photos": how well the
    failures a comparison counts are evidenced."""
    if not data.failed_items:
        return []
    names = _Names(data.checklists)
    body: list[list[Any]] = [[_L("col_checklist"), _L("col_item"), _L("col_evidence")]]
    shown = data.failed_items[:EVIDENCE_SHOWN]
    for checklist_id, item_id, counts in shown:
        body.append(
            [
                _fit(names.checklist(checklist_id), 38 * mm, 7.5),
                _fit(names.item(checklist_id, item_id), 90 * mm, 7.5),
                evidence_text(counts),
            ]
        )
    widths = [40 * mm, 92 * mm, WIDTH - 132 * mm]
    top = _L("evidence_top").format(shown=_count(len(shown)), total=_count(len(data.failed_items)))
    return [
        CondPageBreak(40 * mm),
        Paragraph(_L("evidence"), s.heading),
        Paragraph(paragraph_text(top), s.small),
        _table(body, widths),
        Paragraph(_L("evidence_note"), s.small),
    ]


def _trend_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    trend = data.trend
    if trend is None or trend.empty:
        return []
    period = data.period if data.period in ("month", "quarter") else "month"
    body: list[list[Any]] = [
        [_L(f"col_{k}") for k in [f"period_{period}", "audits", "mean", "change", "noise"]]
    ]
    for row in _trend_rows(trend):
        noise = row.exceeds_noise
        body.append(
            [
                period_label(str(row.period)),
                _count(int(row.audits)),
                score(float(row.mean)),
                _L("none") if pd.isna(row.change) else _signed(float(row.change)),
                _L("none") if pd.isna(noise) else _L("yes" if noise else "no"),
            ]
        )
    table = _table(
        body, [w * mm for w in (18, 15, 13, 15, 20)], [("ALIGN", (1, 0), (3, -1), "RIGHT")]
    )
    chart = _trend_drawing(
        [period_label(p) for p in trend["period"].astype(str)],
        list(trend["mean"].astype(float)),
        _L(f"col_period_{period}"),
    )
    layout = Table([[chart, table]], colWidths=[WIDTH - 84 * mm, 84 * mm], hAlign="LEFT")
    layout.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return [
        CondPageBreak(50 * mm),
        Paragraph(
            _L(f"trends_{data.pool if data.pool in ('area', 'areas') else 'chain'}_{period}"),
            s.heading,
        ),
        layout,
        Paragraph(_L("trends_note"), s.small),
    ]


def period_label(period: str) -> str:
    """A trend period as the language writes it: "2026-03" -> "Mar 2026" / "març 2026";
    a quarter ("2026Q1") as written."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", period)
    if not match:
        return period
    return formats.month(date(int(match.group(1)), int(match.group(2)), 1))


def _trend_drawing(periods: list[str], means: list[float], x_title: str) -> Drawing:
    """The mean per period: blue dots on a line, each with its value, axes named."""
    width, height, left, bottom = WIDTH - 88 * mm, 120.0, 24.0, 30.0
    drawing = Drawing(width, height)
    lo, hi = _scale(means)
    plot_w, plot_h = width - left - 8, height - bottom - 20
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
        drawing.add(PolyLine(flat, strokeColor=PASS_FILL, strokeWidth=1.2))
    every = max(1, -(-len(periods) // 5))
    for i, (px, py) in enumerate(points):
        drawing.add(
            Circle(px, py, 1.8, fillColor=PASS_FILL, strokeColor=colors.black, strokeWidth=0.3)
        )
        if i % every == 0 or i == len(points) - 1:
            drawing.add(
                String(px, py + 4, score(means[i]), fontName=FONT, fontSize=6, textAnchor="middle")
            )
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
    drawing.add(
        String(
            left + plot_w / 2,
            2,
            x_title,
            fontName=FONT,
            fontSize=6.5,
            textAnchor="middle",
            fillColor=GREY,
        )
    )
    drawing.add(
        String(left, height - 8, _L("trend_axis"), fontName=FONT, fontSize=6.5, fillColor=GREY)
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
    body: list[list[Any]] = [[_L(f"col_{k}") for k in keys]]
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
            _L("changes_note").format(
                shown=len(shown), count=_count(len(data.changes)), up=up, down=down
            ),
            *data.change_notices,
        ]
    )
    return [
        CondPageBreak(40 * mm),
        Paragraph(
            paragraph_text(_L("changes").format(earlier=data.change_from, later=data.change_to)),
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
    story: list[Flowable] = [CondPageBreak(40 * mm), Paragraph(_L("calibration"), s.heading)]
    overall = calibration.overall
    if overall is not None and overall.value is not None:
        interval = (
            ""
            if overall.low is None or overall.high is None
            else " "
            + _("(90 % interval {low} to {high})").format(
                low=formats.decimal(overall.low, 2), high=formats.decimal(overall.high, 2)
            )
        )
        story.append(
            Paragraph(
                _L("calibration_overall").format(
                    pairs=_count(len(calibration.pairs)),
                    value=formats.decimal(overall.value, 2),
                    interval=interval,
                ),
                s.body,
            )
        )
    pairs: list[list[Any]] = [[_L(f"col_{k}") for k in ("pair", "pairs", "gap", "a_minus_b")]]
    for pair in calibration.auditor_pairs:
        pairs.append(
            [
                _fit(f"{pair.auditor_a} / {pair.auditor_b}", 90 * mm, 7.5),
                _count(pair.pairs),
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
    names = _Names(data.checklists)
    if shown:
        keys = ["item", "statistic", "agreement", "interval", "same", "pairs"]
        body: list[list[Any]] = [[_L(f"col_{k}") for k in keys]]
        for item in shown:
            interval = (
                _L("none")
                if item.low is None or item.high is None
                else _("{low} to {high}").format(
                    low=formats.decimal(item.low, 2), high=formats.decimal(item.high, 2)
                )
            )
            same = (
                ""
                if item.percent_agreement is None
                else formats.percent(item.percent_agreement / 100)
            )
            body.append(
                [
                    _fit(names.item(item.checklist_id, item.item_id), 70 * mm, 7.5),
                    item.statistic,
                    formats.decimal(item.value, 2),
                    interval,
                    same,
                    _count(item.pairs),
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
                paragraph_text(_L("calibration_note").format(shown=len(shown), count=len(rated))),
                s.small,
            ),
        ]
    return story


def _auditor_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    if not data.auditors:
        return []
    keys = ["auditor", "audits", "branches", "leniency", "interval", "flag"]
    body: list[list[Any]] = [[_L(f"col_{k}") for k in keys]]
    extra: list[tuple[Any, ...]] = []
    for row in data.auditors:
        if not row.identified:
            flag = _L("not_identified")
        elif row.flagged:
            flag = _L("flag_lenient" if (row.leniency or 0) > 0 else "flag_harsh")
        else:
            flag = ""
        interval = (
            _L("none")
            if row.low is None
            else _("{low} to {high}").format(low=_signed(row.low), high=_signed(row.high))
        )
        body.append(
            [
                _fit(row.auditor, 50 * mm, 7.5),
                _count(row.audits),
                _count(row.branches),
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
        Paragraph(_L("auditors"), s.heading),
        _table(body, widths, extra),
        Paragraph(_L("auditors_note"), s.small),
    ]


def _trail_head_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    if data.trail_head is None:
        return [Spacer(1, 4 * mm), Paragraph(_L("trail_head_none"), s.small)]
    text = _L("trail_head").format(head=paragraph_text(data.trail_head))
    return [Spacer(1, 4 * mm), Paragraph(text, s.small)]


def _method_section(data: ComparisonReportData, s: Styles) -> list[Flowable]:
    """The method as the comparison states it; for an area manager it opens by saying whose
    branches "the chain" of the model is, and it closes with the notices."""
    if not data.method and not data.notices:
        return []
    story: list[Flowable] = [CondPageBreak(40 * mm), Paragraph(_L("method"), s.heading)]
    if data.pool != "chain":
        text = ngettext(
            "Scope: this report compares the {n} branch of {scope}. Where the method below "
            "speaks of the chain (the level every branch is pulled toward and compared with), "
            "it means this branch only.",
            "Scope: this report compares the {n} branches of {scope}. Where the method below "
            "speaks of the chain (the level every branch is pulled toward and compared with), "
            "it means these branches only: the means, the spreads and the shrinkage target are "
            "theirs, not the whole chain's.",
            data.branches,
        ).format(n=_count(data.branches), scope=scope_name(data))
        story.append(Paragraph(paragraph_text(text), s.body))
    story += [Paragraph(paragraph_text(text), s.body) for text in data.method if text]
    if data.notices:
        story.append(Paragraph(_L("notices"), s.cell_bold))
        story += [Paragraph("• " + paragraph_text(text), s.body) for text in data.notices]
    return story
