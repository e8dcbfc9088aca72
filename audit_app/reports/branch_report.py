"""The branch report for an area manager: a branch's audits over time, its trend, its
sections against the chain, and the items it keeps failing.

Plain data in (:class:`BranchReportData`), PDF bytes out.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from audit_app.domain.checklist import Checklist, LocalText, localized
from audit_app.domain.evidence import EvidenceCount, evidence_text
from audit_app.domain.labels import action_status_label, grade_label
from audit_app.domain.safe_text import paragraph_text
from audit_app.domain.scoring import display
from audit_app.i18n import _, formats, use_language
from audit_app.reports import charts
from audit_app.reports.audit_report import CONTENT_WIDTH, BranchInfo
from audit_app.reports.layout import (
    FAIL_FILL,
    FONT,
    FONT_BOLD,
    GREY,
    LIGHT,
    Styles,
    render_pdf,
    styles,
)
from audit_app.reports.messages import number, report_language, scoring_rules


@dataclass(frozen=True)
class AuditRow:
    audit_id: int
    visited_at: datetime
    checklist_id: str
    checklist_version: int
    auditor: str
    overall: float | None
    grade: str | None
    passed: bool | None
    critical_failure: bool


@dataclass(frozen=True)
class SectionComparison:
    checklist_id: str
    section_id: str
    branch_mean: float
    """Mean section score (0-100) over the branch's audits in the period."""
    chain_mean: float
    """The same over every branch's audits with the checklist in the period."""
    audits: int


@dataclass(frozen=True)
class RepeatedFailure:
    checklist_id: str
    item_id: str
    consecutive: int
    """The longest run of consecutive audits in which the item failed."""
    last_failed: datetime


@dataclass(frozen=True)
class OverdueAction:
    """A corrective action of the branch past its due date and not yet done."""

    checklist_id: str
    item_id: str
    question: LocalText | None
    """The item's text in every language the checklist has (None: item no longer known)."""
    checklist_language: str
    critical: bool
    due_on: date
    days_overdue: int
    owner: str
    status: str
    """``open`` or ``in_progress``."""


@dataclass(frozen=True)
class BranchReportData:
    branch: BranchInfo
    date_from: date | None
    date_to: date | None
    audits: tuple[AuditRow, ...]
    """Oldest first."""
    checklists: Mapping[str, Checklist]
    """The checklists the audits used (latest version known), by id."""
    sections: tuple[SectionComparison, ...]
    repeated: tuple[RepeatedFailure, ...]
    overdue: tuple[OverdueAction, ...] = ()
    """The branch's overdue corrective actions, most overdue first (whatever the period)."""
    overdue_on: date | None = None
    """The day overdue was judged on (None: the section is left out)."""
    evidence: Mapping[tuple[str, str], EvidenceCount] = field(default_factory=dict)
    """(checklist id, item id) -> the item's failed answers in the period and how many of
    them carry a photo (items that never failed are absent)."""


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(paragraph_text(text), style)


def _title(data: BranchReportData, cid: str, lang: str) -> str:
    checklist = data.checklists.get(cid)
    return checklist.title_in(lang) if checklist else cid


def _period(data: BranchReportData, lang: str) -> str:
    if not data.date_from and not data.date_to:
        return _("all visits")
    start = formats.date(data.date_from) if data.date_from else "…"
    end = formats.date(data.date_to) if data.date_to else "…"
    return f"{start} – {end}"


def _summary(data: BranchReportData, lang: str, st: Styles) -> list[Flowable]:
    region = ", ".join(part for part in (data.branch.region, data.branch.country) if part)
    rows = [
        (_("Branch"), f"{data.branch.name} ({data.branch.code})"),
        (_("Region"), region or "—"),
        (_("Period"), _period(data, lang)),
        (_("Audits"), formats.integer(len(data.audits))),
    ]
    table = Table(
        [[_p(a, st.cell_bold), _p(b, st.cell)] for a, b in rows],
        colWidths=[35 * mm, CONTENT_WIDTH - 35 * mm],
    )
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, LIGHT)]))
    return [table, Spacer(1, 2 * mm)]


def _trend(data: BranchReportData, lang: str, st: Styles) -> list[Flowable]:
    by_month: dict[date, list[float]] = defaultdict(list)
    for audit in data.audits:
        if audit.overall is not None:
            by_month[date(audit.visited_at.year, audit.visited_at.month, 1)].append(audit.overall)
    points = [(formats.month(month), sum(v) / len(v)) for month, v in sorted(by_month.items())]
    if not points:
        return []
    shown = [(month, display(value) or 0.0) for month, value in points]
    marks = Counter(c.pass_mark for c in data.checklists.values())
    pass_mark = marks.most_common(1)[0][0] if marks else None
    chart = charts.trend_line(
        shown,
        pass_mark,
        width=CONTENT_WIDTH,
        height=100,
        value_texts=[number(value) for _month, value in shown],
        x_title=_("Month"),
    )
    return [KeepTogether([_p(_("Monthly mean score"), st.heading), chart])]


def _audit_table(data: BranchReportData, lang: str, st: Styles) -> list[Flowable]:
    heading = _p(_("Audits over time"), st.heading)
    if not data.audits:
        return [heading, _p(_("No submitted audits in this period."), st.body)]
    words = (_("Date"), _("Checklist"), _("Auditor"), _("Score"), _("Grade"), _("Result"))
    rows: list[list[object]] = [[_p(word, st.cell_bold) for word in words]]
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
        ("ALIGN", (3, 1), (3, -1), "RIGHT"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for audit in data.audits:
        if audit.passed is None:
            result = "—"
        else:
            result = _("Passed") if audit.passed else "✗ " + _("Failed")
        if audit.critical_failure:
            result += " · ⚠ " + _("critical")
        if audit.passed is False:
            commands += [
                ("BACKGROUND", (0, len(rows)), (-1, len(rows)), FAIL_FILL),
                ("FONT", (5, len(rows)), (5, len(rows)), FONT_BOLD, 8),
            ]
        rows.append(
            [
                formats.date(audit.visited_at, "short"),
                _p(_title(data, audit.checklist_id, lang), st.cell),
                _p(audit.auditor, st.cell),
                number(display(audit.overall)),
                _p(grade_label(audit.grade), st.cell),
                _p(result, st.cell),
            ]
        )
    table = Table(
        rows,
        colWidths=[20 * mm, 55 * mm, 32 * mm, 15 * mm, 28 * mm, CONTENT_WIDTH - 150 * mm],
        repeatRows=1,
    )
    table.setStyle(TableStyle(commands))
    return [heading, table]


def _sections(data: BranchReportData, lang: str, st: Styles) -> list[Flowable]:
    if not data.sections:
        return []
    out: list[Flowable] = [
        _p(_("Sections against the chain average"), st.heading),
        _p(_("The black tick on each bar marks the chain average."), st.small),
    ]
    grouped: dict[str, list[SectionComparison]] = defaultdict(list)
    for row in data.sections:
        grouped[row.checklist_id].append(row)
    for cid, rows in grouped.items():
        checklist = data.checklists.get(cid)
        titles = (
            {s.id: localized(s.title, lang, checklist.language) for s in checklist.sections}
            if checklist
            else {}
        )
        bars = [
            charts.Bar(
                titles.get(r.section_id, r.section_id),
                r.branch_mean,
                f"{number(display(r.branch_mean))} ({number(display(r.chain_mean))})",
                marker=r.chain_mean,
            )
            for r in rows
        ]
        pass_mark = checklist.pass_mark if checklist else 75.0
        chart = charts.section_bars(bars, pass_mark, width=CONTENT_WIDTH)
        out.append(KeepTogether([_p(_title(data, cid, lang), st.cell_bold), chart]))
    out.append(
        _p(_("Each bar's value: the branch's score (the chain average in brackets)."), st.small),
    )
    return out


def _repeated(data: BranchReportData, lang: str, st: Styles) -> list[Flowable]:
    heading = _p(_("Repeated failures"), st.heading)
    if not data.repeated:
        return [heading, _p(_("No item failed in two consecutive audits."), st.body)]
    words = (_("Checklist"), _("Question"), _("Consecutive failures"), _("Last failed"))
    rows: list[list[object]] = [[_p(word, st.cell_bold) for word in words]]
    for failure in data.repeated:
        counts = data.evidence.get((failure.checklist_id, failure.item_id), EvidenceCount())
        checklist = data.checklists.get(failure.checklist_id)
        item = checklist.items_by_id.get(failure.item_id) if checklist else None
        question = (
            localized(item.text, lang, checklist.language)
            if item and checklist
            else failure.item_id
        )
        rows.append(
            [
                _p(_title(data, failure.checklist_id, lang), st.cell),
                # In the period: how often the item failed, how many failures carry a photo.
                [_p(f"✗ {question}", st.cell), _p(evidence_text(counts), st.small)],
                str(failure.consecutive),
                formats.date(failure.last_failed, "short"),
            ]
        )
    table = Table(
        rows, colWidths=[45 * mm, CONTENT_WIDTH - 115 * mm, 40 * mm, 30 * mm], repeatRows=1
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
                ("ALIGN", (2, 1), (2, -1), "CENTER"),
            ]
        )
    )
    return [heading, table]


def _overdue(data: BranchReportData, lang: str, st: Styles) -> list[Flowable]:
    """Corrective actions past due: they are about today, not the report's period."""
    if data.overdue_on is None:
        return []
    heading = _p(_("Overdue corrective actions"), st.heading)
    note = _p(
        _("Actions still open or in progress after their due date, on {day}.").format(
            day=formats.date(data.overdue_on)
        ),
        st.small,
    )
    if not data.overdue:
        return [heading, _p(_("No corrective action of this branch is overdue."), st.body)]
    words = (_("Question"), _("Due date"), _("Days overdue"), _("Owner"), _("Status"))
    rows: list[list[object]] = [[_p(word, st.cell_bold) for word in words]]
    for action in data.overdue:
        question = localized(action.question, lang, action.checklist_language) or action.item_id
        if action.critical:
            question = f"⚠ {question}"
        rows.append(
            [
                _p(question, st.cell),
                formats.date(action.due_on, "short"),
                formats.integer(action.days_overdue),
                _p(action.owner or "—", st.cell),
                _p(action_status_label(action.status), st.cell),
            ]
        )
    table = Table(
        rows,
        colWidths=[CONTENT_WIDTH - 105 * mm, 22 * mm, 20 * mm, 38 * mm, 25 * mm],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
                ("ALIGN", (2, 1), (2, -1), "RIGHT"),
            ]
        )
    )
    return [heading, note, table]


def _method(data: BranchReportData, lang: str, st: Styles) -> list[Flowable]:
    out: list[Flowable] = [
        _p(_("Scoring rules"), st.heading),
        _p(
            _(
                "A section's score at the branch is the mean of its audits' section scores; the "
                "chain average is the same mean over every branch's audits with the same "
                "checklist in the same period. An item is a repeated failure when it scored "
                "below 100 in two or more consecutive audits of the same checklist at the branch."
            ),
            st.body,
        ),
    ]
    out += [Spacer(1, 1.5 * mm)]
    out += [_p(scoring_rules(c), st.small) for _cid, c in sorted(data.checklists.items())]
    return out


def render_branch_report(
    data: BranchReportData, language: str | None, generated_at: datetime
) -> bytes:
    """The branch report as PDF bytes in ``language`` (English when unknown)."""
    lang = report_language(language)
    with use_language(lang):
        st = styles()
        story = [
            _p(_("Branch report: {branch}").format(branch=data.branch.name), st.title),
            *_summary(data, lang, st),
            *_trend(data, lang, st),
            *_sections(data, lang, st),
            *_repeated(data, lang, st),
            *_overdue(data, lang, st),
            *_audit_table(data, lang, st),
            *_method(data, lang, st),
        ]
        return render_pdf(
            story,
            title=" · ".join([_("Branch report"), data.branch.code, _period(data, lang)]),
            generated_at=generated_at,
            page_label=_("Page {page} of {pages}"),
            generated_label=_("generated {time}"),
        )
