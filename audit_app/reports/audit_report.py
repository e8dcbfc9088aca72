"""The audit report a branch is handed: who, when, the score, every answer, the rules.

It takes plain data (:class:`AuditReportData`) and returns PDF bytes; gathering the data is
the services' job. Everything but the generation time follows from the data, so the same
audit always gives the same text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from audit_app.domain.audit import Answer, Visit
from audit_app.domain.checklist import (
    Checklist,
    ChoiceItem,
    Item,
    NumberItem,
    PercentageItem,
    ScaleItem,
    YesNoItem,
    localized,
)
from audit_app.domain.labels import action_status_label, channel_label, grade_label, unit_label
from audit_app.domain.safe_text import paragraph_text
from audit_app.domain.scoring import ScoreCard, display
from audit_app.domain.skip_logic import not_applicable
from audit_app.i18n import _, formats, ngettext, use_language
from audit_app.reports import charts
from audit_app.reports.layout import (
    FAIL_FILL,
    FONT,
    FONT_BOLD,
    GREY,
    LIGHT,
    MARGIN,
    PAGE,
    RED,
    Styles,
    render_pdf,
    styles,
)
from audit_app.reports.messages import (
    number,
    plain,
    report_language,
    scoring_rules,
)

CONTENT_WIDTH = PAGE[0] - 2 * MARGIN
HISTORY_POINTS = 12
PHOTO_WIDTH = 45 * mm
"""A thumbnail's largest width (and height) on the page; its aspect is kept."""
PHOTOS_PER_ROW = 3


@dataclass(frozen=True)
class BranchInfo:
    code: str
    name: str
    region: str = ""
    country: str = ""


@dataclass(frozen=True)
class ScorePoint:
    """One earlier (or this) audit's overall score, for the trend."""

    visited_at: datetime
    overall: float | None


@dataclass(frozen=True)
class CorrectiveAction:
    """A follow-up agreed for a failed item (none are stored yet: the report has the hook)."""

    description: str
    item_id: str | None = None
    owner: str = ""
    due: date | None = None
    status: str = ""


@dataclass(frozen=True)
class PhotoThumb:
    """One photo an answer carries, as the report prints it: a downscaled JPEG, or why
    there is none (``unavailable``: ``missing`` or ``altered`` in the media store)."""

    item_id: str
    position: int
    """1-based, in the answer's order."""
    of: int
    """How many photos the answer carries."""
    sha256: str
    jpeg: bytes | None
    captured_at: datetime | None = None
    unavailable: str | None = None


@dataclass(frozen=True)
class AuditReportData:
    audit_id: int
    branch: BranchInfo
    visit: Visit
    checklist: Checklist
    answers: Mapping[str, Answer]
    card: ScoreCard
    """Section and item scores, recomputed from the stored answers."""
    overall: float | None
    """The stored overall score (what ``audit-app scores`` lists)."""
    grade: str | None
    passed: bool | None
    critical_failure: bool
    history: tuple[ScorePoint, ...] = ()
    """Earlier audits of the branch with the same checklist, oldest first, then this one."""
    actions: tuple[CorrectiveAction, ...] = ()
    photos: tuple[PhotoThumb, ...] = ()
    """Every answer's photos, in item and photo order."""


def failed(score: float | None) -> bool:
    """An item fails when it counted and scored below 1."""
    return score is not None and score < 1


def answer_text(item: Item, answer: Answer | None, checklist: Checklist, language: str) -> str:
    """The answer as a person reads it in ``language``: Yes/No/N/A, the option's label, a
    number and its unit."""
    with use_language(report_language(language)):
        return _answer_text(item, answer, checklist, language)


def _answer_text(item: Item, answer: Answer | None, checklist: Checklist, language: str) -> str:
    if answer is None or (not answer.na and answer.value is None):
        return "—"
    if answer.na:
        return _("N/A")
    value = answer.value
    if isinstance(item, YesNoItem):
        return _("Yes") if value else _("No")
    if isinstance(item, ChoiceItem):
        option = next((o for o in item.options if o.value == value), None)
        if option is None:
            return str(value)
        return localized(option.label, language, checklist.language) or option.value
    if isinstance(item, ScaleItem):
        return f"{plain(value)} / {item.max}"
    if isinstance(item, PercentageItem):
        return f"{plain(value)} %"
    if isinstance(item, NumberItem):
        unit = f" {unit_label(item.unit)}" if item.unit else ""
        return f"{plain(value)}{unit}"
    if isinstance(value, date | datetime):
        return formats.date(value)
    return str(value)


def item_score_text(score: float | None, item: Item, language: str, *, asked: bool = True) -> str:
    """The score column: a number, N/A, "not asked" (skip logic left the item out),
    "unscored" (a weight-0 question) or a dash (evidence)."""
    if item.unscored_question:
        return _("unscored")
    if not item.scored:
        return "—"
    if not asked:
        return _("not asked")
    if score is None:
        return _("N/A")
    return number(display(100 * score))


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(paragraph_text(text), style)


def _cell(text: str, style: ParagraphStyle, width: float) -> str | Paragraph:
    """Plain text where it fits on one line (much cheaper to lay out), a wrapping paragraph
    where it does not: a 60-item table stays well inside the render-time budget."""
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - 13:
        return text
    return _p(text, style)


def _summary(data: AuditReportData, lang: str, st: Styles) -> list[Flowable]:
    visit, checklist = data.visit, data.checklist
    branch = f"{data.branch.name} ({data.branch.code})"
    region = ", ".join(part for part in (data.branch.region, data.branch.country) if part)
    rows = [
        (_("Branch"), branch, _("Region"), region or "—"),
        (_("Visit"), formats.datetime(visit.visited_at), _("Auditor"), visit.auditor),
        (
            _("Checklist"),
            checklist.title_in(lang),
            _("Version"),
            str(visit.checklist_version),
        ),
        (_("Channel"), channel_label(visit.channel), "#", str(data.audit_id)),
    ]
    if visit.reference:  # an agency's review number: how the vendor's record is found
        rows.append((_("Reference"), visit.reference, "", ""))
    cells = [
        [_p(a, st.cell_bold), _p(b, st.cell), _p(c, st.cell_bold), _p(d, st.cell)]
        for a, b, c, d in rows
    ]
    table = Table(cells, colWidths=[28 * mm, 78 * mm, 22 * mm, CONTENT_WIDTH - 128 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, LIGHT),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    flowables: list[Flowable] = [table, Spacer(1, 3 * mm)]
    if data.photos:
        flowables += [_p(photo_count_text(data.photos), st.body), Spacer(1, 2 * mm)]
    return flowables


def photo_count_text(photos: Sequence[PhotoThumb]) -> str:
    """ "This audit carries 3 photos.", naming how many the media store could not give."""
    total = len(photos)
    text = ngettext(
        "This audit carries {count} photo.", "This audit carries {count} photos.", total
    ).format(count=formats.integer(total))
    lost = sum(1 for photo in photos if photo.jpeg is None)
    if lost:
        text += " " + ngettext(
            "{count} of them could not be read from the media store.",
            "{count} of them could not be read from the media store.",
            lost,
        ).format(count=formats.integer(lost))
    return text


def photo_caption(photo: PhotoThumb) -> str:
    """ "Photo 1 of 2 · taken 3 Mar 2026 14:05", or the photo named as missing or altered."""
    if photo.jpeg is None:
        name = photo.sha256[:12]
        if photo.unavailable == "altered":
            problem = _("photo {photo}… was altered in the media store").format(photo=name)
        else:
            problem = _("photo {photo}… missing from the media store").format(photo=name)
        return _("Photo {number} of {total}: {problem}").format(
            number=photo.position, total=photo.of, problem=problem
        )
    caption = _("Photo {number} of {total}").format(number=photo.position, total=photo.of)
    if photo.captured_at is not None:
        taken = f"{formats.date(photo.captured_at)} {photo.captured_at:%H:%M}"
        caption += " · " + _("taken {when}").format(when=taken)
    return caption


def _thumbnail(photo: PhotoThumb, st: Styles) -> list[Flowable]:
    """The photo at most :data:`PHOTO_WIDTH` wide and high (aspect kept), its caption
    under it; a photo the store could not give is named in its place."""
    caption = _p(photo_caption(photo), st.small)
    if photo.jpeg is None:
        return [caption]
    width, height = ImageReader(io.BytesIO(photo.jpeg)).getSize()
    factor = min(PHOTO_WIDTH / width, PHOTO_WIDTH / height)
    image = Image(io.BytesIO(photo.jpeg), width=width * factor, height=height * factor)
    image.hAlign = "LEFT"
    return [image, Spacer(1, 1 * mm), caption]


def _photo_grid(photos: Sequence[PhotoThumb], st: Styles) -> Table:
    """An answer's photos, :data:`PHOTOS_PER_ROW` to a row, under its row of the items."""
    cells: list[list[object]] = []
    for start in range(0, len(photos), PHOTOS_PER_ROW):
        row: list[object] = [_thumbnail(p, st) for p in photos[start : start + PHOTOS_PER_ROW]]
        cells.append(row + [""] * (PHOTOS_PER_ROW - len(row)))
    column = (CONTENT_WIDTH - 12) / PHOTOS_PER_ROW
    grid = Table(cells, colWidths=[column] * PHOTOS_PER_ROW, hAlign="LEFT")
    grid.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return grid


def _verdict(data: AuditReportData, lang: str, st: Styles) -> list[Flowable]:
    shown = display(data.overall)
    result = "—" if data.passed is None else (_("Passed") if data.passed else _("Failed"))
    overall, grade, verdict, pass_mark = _("Overall score"), _("Grade"), _("Result"), _("Pass mark")
    text = (
        f"{paragraph_text(overall)}: <b>{number(shown)}</b> · "
        f"{paragraph_text(grade)}: <b>{paragraph_text(grade_label(data.grade))}</b> · "
        f"{paragraph_text(verdict)}: <b>{paragraph_text(result)}</b> "
        f"({paragraph_text(pass_mark)} {plain(data.checklist.pass_mark)})"
    )
    flowables: list[Flowable] = [Paragraph(text, st.heading)]
    if data.critical_failure:
        flowables.append(_critical_box(data, lang, st))
    return flowables


def _critical_box(data: AuditReportData, lang: str, st: Styles) -> Flowable:
    items = data.checklist.items_by_id
    lines = [f"<b>⚠ {paragraph_text(_('Critical failure').upper())}</b>"]
    for item_id in data.card.failed_critical_items:
        question = localized(items[item_id].text, lang, data.checklist.language)
        answer = answer_text(items[item_id], data.answers.get(item_id), data.checklist, lang)
        lines.append(f"✗ {paragraph_text(question)} — {paragraph_text(answer)}")
    box = Table(
        [[Paragraph("<br/>".join(lines), st.body)]], colWidths=[CONTENT_WIDTH], splitInRow=1
    )
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), FAIL_FILL),
                ("BOX", (0, 0), (-1, -1), 1.5, RED),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def _sections(data: AuditReportData, lang: str, st: Styles) -> list[Flowable]:
    titles = {
        s.id: localized(s.title, lang, data.checklist.language) for s in data.checklist.sections
    }
    scored = {section.id for section in data.checklist.scored_sections}
    bars = [
        charts.Bar(titles[s.section_id], s.score, number(display(s.score)))
        for s in data.card.sections
        if s.section_id in scored
    ]
    chart = charts.section_bars(bars, data.checklist.pass_mark, width=CONTENT_WIDTH)
    return [KeepTogether([_p(_("Sections"), st.heading), chart])]


def _history(data: AuditReportData, lang: str, st: Styles) -> list[Flowable]:
    points = [p for p in data.history[-HISTORY_POINTS:] if p.overall is not None]
    heading = _p(_("Previous scores"), st.heading)
    if len(points) < 2:
        return [heading, _p(_("This is the branch's first audit with this checklist."), st.body)]
    shown = [display(p.overall) or 0.0 for p in points]
    chart = charts.trend_line(
        [
            (formats.date(p.visited_at, "short"), value)
            for p, value in zip(points, shown, strict=True)
        ],
        data.checklist.pass_mark,
        width=CONTENT_WIDTH,
        height=80,
        value_texts=[number(value) for value in shown],
        x_title=_("Audit date"),
    )
    return [KeepTogether([heading, chart])]


def _items(data: AuditReportData, lang: str, st: Styles) -> list[Flowable]:
    checklist = data.checklist
    header = [
        _p(_("Question"), st.cell_bold),
        _p(_("Answer"), st.cell_bold),
        _p(_("Item score"), st.cell_bold),
        _p(_("Comment"), st.cell_bold),
    ]
    rows: list[list[object]] = [header]
    commands: list[tuple[object, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    widths = [68 * mm, 32 * mm, 30 * mm, CONTENT_WIDTH - 130 * mm]
    mark = _("✗ failed")
    critical = _("critical")
    left_out = not_applicable(checklist, data.answers)
    photos_of: dict[str, list[PhotoThumb]] = {}
    for photo in data.photos:
        photos_of.setdefault(photo.item_id, []).append(photo)
    for section in checklist.sections:
        row = len(rows)
        rows.append(
            [_p(localized(section.title, lang, checklist.language), st.cell_bold), "", "", ""]
        )
        commands += [
            ("SPAN", (0, row), (-1, row)),
            ("BACKGROUND", (0, row), (-1, row), LIGHT),
        ]
        for item in section.items:
            row = len(rows)
            score = data.card.item_scores.get(item.id)
            question = localized(item.text, lang, checklist.language)
            if item.critical:
                question += f" [{critical}]"
            score_text = item_score_text(score, item, lang, asked=item.id not in left_out)
            if failed(score):
                score_text = f"{score_text} {mark}"
                commands += [
                    ("BACKGROUND", (0, row), (-1, row), FAIL_FILL),
                    ("FONT", (2, row), (2, row), FONT_BOLD, 8),
                ]
            answer = data.answers.get(item.id)
            rows.append(
                [
                    _cell(question, st.cell, widths[0]),
                    _cell(answer_text(item, answer, checklist, lang), st.cell, widths[1]),
                    _cell(score_text, st.cell_bold if failed(score) else st.cell, widths[2]),
                    _cell(answer.comment or "" if answer else "", st.cell, widths[3]),
                ]
            )
            if item.id in photos_of:  # directly under the answer they are evidence of
                row = len(rows)
                rows.append([_photo_grid(photos_of[item.id], st), "", "", ""])
                commands.append(("SPAN", (0, row), (-1, row)))
                if failed(score):
                    commands.append(("BACKGROUND", (0, row), (-1, row), FAIL_FILL))
    # splitInRow: a row whose comment or text answer is taller than a page (2,000
    # characters in the comment column) continues on the next page instead of failing.
    table = Table(rows, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle(commands))
    return [
        _p(_("Items"), st.heading),
        table,
        Spacer(1, 1.5 * mm),
        _p(_("✗ marks a failed item (item score below 100)."), st.small),
    ]


def _actions(data: AuditReportData, lang: str, st: Styles) -> list[Flowable]:
    """Printed only when actions exist; none are stored yet, the section waits for them."""
    if not data.actions:
        return []
    rows = [
        [
            _p(word, st.cell_bold)
            for word in (_("Question"), _("Comment"), _("Owner"), _("Due"), _("Status"))
        ]
    ]
    items = data.checklist.items_by_id
    for action in data.actions:
        item = items.get(action.item_id or "")
        question = localized(item.text, lang, data.checklist.language) if item else "—"
        rows.append(
            [
                _p(question, st.cell),
                _p(action.description, st.cell),
                _p(action.owner or "—", st.cell),
                _p(formats.date(action.due) if action.due else "—", st.cell),
                _p(action_status_label(action.status) if action.status else "—", st.cell),
            ]
        )
    table = Table(
        rows,
        colWidths=[50 * mm, 60 * mm, 25 * mm, 20 * mm, CONTENT_WIDTH - 155 * mm],
        repeatRows=1,
        splitInRow=1,
    )
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, GREY)]))
    return [_p(_("Corrective actions"), st.heading), table]


def audit_story(data: AuditReportData, language: str | None = None) -> list[Flowable]:
    """The report's flowables in ``language`` (default: the audit's own language)."""
    lang = report_language(language or data.visit.language)
    with use_language(lang):
        return _audit_story(data, lang)


def _audit_story(data: AuditReportData, lang: str) -> list[Flowable]:
    st = styles()
    title = _("Audit report: {branch}").format(branch=data.branch.name)
    return [
        _p(title, st.title),
        *_summary(data, lang, st),
        *_verdict(data, lang, st),
        *_sections(data, lang, st),
        *_history(data, lang, st),
        *_items(data, lang, st),
        *_actions(data, lang, st),
        KeepTogether(
            [
                _p(_("Scoring rules"), st.heading),
                _p(scoring_rules(data.checklist), st.body),
            ]
        ),
    ]


def render_audit_report(
    data: AuditReportData, language: str | None, generated_at: datetime
) -> bytes:
    """The audit report as PDF bytes, in ``language`` (default: the audit's own language)."""
    lang = report_language(language or data.visit.language)
    with use_language(lang):
        header = " · ".join(
            [
                _("Audit report"),
                data.branch.code,
                formats.date(data.visit.visited_at),
                f"#{data.audit_id}",
            ]
        )
        return render_pdf(
            _audit_story(data, lang),
            title=header,
            generated_at=generated_at,
            page_label=_("Page {page} of {pages}"),
            generated_label=_("generated {time}"),
        )
