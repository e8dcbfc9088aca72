"""Fill-in workbooks for audits done offline: one visit per workbook, or many per sheet.

Templates are always generated from the checklist, never loaded and re-saved from a user's
workbook. A very hidden ``_meta`` sheet records the checklist id, version and content hash
and the template format, so that an import knows exactly which checklist edition was
filled in. Answer cells carry validation that fits their item; everything else is locked.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from audit_app.domain.answers import allowed_answers
from audit_app.domain.audit import AuditKind, Branch, Channel
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
from audit_app.domain.intake.model import cell_ref, column_letter
from audit_app.domain.labels import CHANNELS, KINDS, channel_label, kind_label
from audit_app.domain.safe_text import spreadsheet_text
from audit_app.domain.skip_logic import condition_text
from audit_app.i18n import LANGUAGES, N_, _, use_language

FORMAT_NAME = "audit-app template"
FORMAT_VERSION = 1
VISIT_SHEET = "Audit"
BULK_SHEET = "Visits"
META_SHEET = "_meta"
LISTS_SHEET = "_lists"

# Single-visit layout: the header block in column B, the items table below it.
HEADER_FIELDS = ("branch", "visit_date", "visit_time", "auditor", "channel", "kind")
HEADER_LABELS = {
    "branch": N_("Branch"),
    "visit_date": N_("Visit date"),
    "visit_time": N_("Visit time"),
    "auditor": N_("Auditor"),
    "channel": N_("Channel"),
    "kind": N_("Audit kind"),
}
HEADER_FIRST_ROW = 4
ITEMS_HEADER_ROW = 11
ITEMS_FIRST_ROW = 12
ITEM_COLUMNS = (
    N_("Section"),
    N_("Question code"),
    N_("Question"),
    N_("Guidance"),
    N_("Answer"),
    N_("Comment"),
)
ANSWER_COLUMN = 4  # E
COMMENT_COLUMN = 5  # F

# Bulk layout: one row per visit from row 5, the visit columns, then one column per item.
BULK_SECTION_ROW = 2
BULK_QUESTION_ROW = 3
BULK_ID_ROW = 4
BULK_FIRST_ROW = 5

# The words the answer parser reads back (domain/answers.py YES_WORDS/NO_WORDS): data agreed
# with the reader, not catalogue words a translator could change.
YES_NO_WORDS = {
    "en": ("Yes", "No"),
    "ca": ("Sí", "No"),
    "ro": ("Da", "Nu"),
    "tr": ("Evet", "Hayır"),
}
NA_WORD = "N/A"

_BRAND = "2E7D4F"
_TITLE = Font(bold=True, size=14, color=_BRAND)
_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DCEBE1")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF8DC")
_MUTED = Font(color="666666", size=9)
_WRAP = Alignment(wrap_text=True, vertical="top")
_THIN = Side(style="thin", color="BBBBBB")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_OPEN = Protection(locked=False)


@dataclass(frozen=True)
class TemplateMeta:
    """What the hidden sheet records; the reader checks it before trusting the layout."""

    kind: str  # "single" or "bulk"
    checklist_id: str
    checklist_version: int
    content_hash: str
    language: str

    def rows(self) -> list[tuple[str, str | int]]:
        return [
            ("format", FORMAT_NAME),
            ("format_version", FORMAT_VERSION),
            ("kind", self.kind),
            ("checklist_id", self.checklist_id),
            ("checklist_version", self.checklist_version),
            ("content_hash", self.content_hash),
            ("language", self.language),
        ]


def write_template(
    checklist: Checklist,
    branches: Sequence[Branch],
    *,
    language: str | None = None,
    bulk: bool = False,
    rows: int = 500,
    auditors: Sequence[str] = (),
) -> bytes:
    """The workbook as bytes. One branch given: it is filled in; several: a dropdown.
    ``auditors`` (the active auditors' names) make the auditor cell a dropdown that still
    takes a new name after a warning.
    Every word of the workbook is in ``language`` (the checklist's texts where the
    checklist has them, the rest from the catalogue); the dropdowns offer channel and kind
    labels and branch names with their codes, which :func:`template_code` reads back."""
    language = language or checklist.language
    with use_language(language):
        return _write_template(checklist, branches, language, bulk, rows, auditors)


def _write_template(
    checklist: Checklist,
    branches: Sequence[Branch],
    language: str,
    bulk: bool,
    rows: int,
    auditors: Sequence[str] = (),
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    lists = _ListsSheet(workbook.create_sheet(LISTS_SHEET))
    lists.add("branches", [branch_choice(b) for b in branches] or [""])
    lists.add("channels", [channel_label(c) for c in Channel])
    lists.add("kinds", [kind_label(k) for k in AuditKind if k != AuditKind.IMPORT])
    if auditors:
        lists.add("auditors", list(auditors))
    validations = _Validations(sheet, lists, language, checklist)
    if bulk:
        sheet.title = BULK_SHEET
        _write_bulk(sheet, checklist, language, rows, validations)
    else:
        sheet.title = VISIT_SHEET
        _write_single(sheet, checklist, branches, language, validations)
    meta = workbook.create_sheet(META_SHEET)
    kind = "bulk" if bulk else "single"
    for row in TemplateMeta(
        kind, checklist.id, checklist.version, checklist.content_hash, language
    ).rows():
        meta.append(row)
    meta.sheet_state = "veryHidden"
    lists.sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_single(
    sheet: Worksheet,
    checklist: Checklist,
    branches: Sequence[Branch],
    language: str,
    validations: _Validations,
) -> None:
    sheet["A1"] = _("{checklist} — visit form").format(checklist=checklist.title_in(language))
    sheet["A1"].font = _TITLE
    sheet["A2"] = _(
        "Version {version} of the checklist. Fill in the yellow cells; the other cells are "
        "locked. When the form is filled in, upload it on the Import page of audit-app."
    ).format(version=checklist.version)
    sheet["A2"].font = _MUTED
    sheet["A3"] = _(
        "Photos: put this workbook and the photos in one .zip, each photo named by its "
        "question code ({code}.jpg; a second one {code}-2.jpg), and upload the zip."
    ).format(code=checklist.items[0].id)
    sheet["A3"].font = _MUTED
    for offset, field in enumerate(HEADER_FIELDS):
        row = HEADER_FIRST_ROW + offset
        label = sheet.cell(row, 1, _(HEADER_LABELS[field]))
        label.font = _BOLD
        value = sheet.cell(row, 2)
        value.fill = _ANSWER_FILL
        value.border = _BOX
        value.protection = _OPEN
        validations.header(field, value.coordinate)
    if len(branches) == 1:
        sheet.cell(HEADER_FIRST_ROW, 2, branch_choice(branches[0]))
    default_channel = channel_label(checklist.channel) if checklist.channel else None
    sheet.cell(HEADER_FIRST_ROW + HEADER_FIELDS.index("channel"), 2, default_channel)
    kind = kind_label(_default_kind(checklist))
    sheet.cell(HEADER_FIRST_ROW + HEADER_FIELDS.index("kind"), 2, kind)
    sheet.cell(HEADER_FIRST_ROW + 1, 2).number_format = "yyyy-mm-dd"
    sheet.cell(HEADER_FIRST_ROW + 2, 2).number_format = "hh:mm"

    for column, title in enumerate(ITEM_COLUMNS, start=1):
        cell = sheet.cell(ITEMS_HEADER_ROW, column, _(title))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.border = _BOX
    row = ITEMS_FIRST_ROW
    for section in checklist.sections:
        section_title = localized(section.title, language, checklist.language)
        for item in section.items:
            values = (
                section_title,
                item.id,
                localized(item.text, language, checklist.language),
                "\n".join(
                    part
                    for part in (
                        item_note(checklist, item, language),
                        localized(item.guidance, language, checklist.language),
                    )
                    if part
                ),
            )
            for column, value in enumerate(values, start=1):
                cell = sheet.cell(row, column, value)
                cell.alignment = _WRAP
                cell.border = _BOX
            sheet.cell(row, 2).font = _MUTED
            answer = sheet.cell(row, ANSWER_COLUMN + 1)
            answer.fill = _ANSWER_FILL
            answer.border = _BOX
            answer.protection = _OPEN
            comment = sheet.cell(row, COMMENT_COLUMN + 1)
            comment.border = _BOX
            comment.alignment = _WRAP
            comment.protection = _OPEN
            _format_answer(answer, item)
            validations.item(item, answer.coordinate)
            row += 1
    for letter, width in zip("ABCDEF", (18, 24, 48, 48, 16, 36), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = sheet.cell(ITEMS_FIRST_ROW, 1).coordinate


BULK_VISIT_COLUMNS = ("branch", "visit_date", "visit_time", "auditor", "channel", "kind")


def _write_bulk(
    sheet: Worksheet, checklist: Checklist, language: str, rows: int, validations: _Validations
) -> None:
    sheet["A1"] = _(
        "{checklist} — one row per visit (version {version} of the checklist). When the "
        "sheet is filled in, upload it on the Import page of audit-app."
    ).format(checklist=checklist.title_in(language), version=checklist.version)
    sheet["A1"].font = _TITLE
    sheet["A2"] = _(
        "Photos: put this workbook and the photos in one .zip, a folder per visit named by "
        "its row ('row 5/'), each photo named by its question code ({code}.jpg; a "
        "second one {code}-2.jpg), and upload the zip."
    ).format(code=checklist.items[0].id)
    sheet["A2"].font = _MUTED
    last_row = BULK_FIRST_ROW + rows - 1
    for column, field in enumerate(BULK_VISIT_COLUMNS):
        letter = column_letter(column)
        header = sheet.cell(BULK_QUESTION_ROW, column + 1, _(HEADER_LABELS[field]))
        header.font = _BOLD
        header.fill = _HEADER_FILL
        sheet.cell(BULK_ID_ROW, column + 1, field).font = _MUTED
        validations.header(field, f"{letter}{BULK_FIRST_ROW}:{letter}{last_row}")
        sheet.column_dimensions[letter].width = 14
    column = len(BULK_VISIT_COLUMNS)
    for section in checklist.sections:
        section_cell = sheet.cell(BULK_SECTION_ROW, column + 1)
        section_cell.value = localized(section.title, language, checklist.language)
        section_cell.font = _BOLD
        for item in section.items:
            letter = column_letter(column)
            question = sheet.cell(
                BULK_QUESTION_ROW, column + 1, localized(item.text, language, checklist.language)
            )
            question.font = _BOLD
            question.fill = _HEADER_FILL
            question.alignment = _WRAP
            sheet.cell(BULK_ID_ROW, column + 1, item.id).font = _MUTED
            validations.item(item, f"{letter}{BULK_FIRST_ROW}:{letter}{last_row}")
            sheet.column_dimensions[letter].width = 18
            column += 1
    sheet.row_dimensions[BULK_QUESTION_ROW].height = 60
    for row in sheet.iter_rows(min_row=BULK_FIRST_ROW, max_row=last_row, max_col=column):
        for cell in row:
            cell.protection = _OPEN
    sheet.freeze_panes = sheet.cell(BULK_FIRST_ROW, 3).coordinate


def _default_kind(checklist: Checklist) -> str:
    on_site = checklist.channel == Channel.ON_SITE
    return (AuditKind.INSPECTION if on_site else AuditKind.MYSTERY_SHOP).value


def _format_answer(cell: object, item: Item) -> None:
    if isinstance(item, PercentageItem):
        cell.number_format = "0.0%"  # type: ignore[attr-defined]
    elif isinstance(item, NumberItem):
        cell.number_format = "General"  # type: ignore[attr-defined]


class _ListsSheet:
    """Dropdown values live on a hidden sheet: inline lists break on commas and length."""

    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.ranges: dict[str, str] = {}
        self._next_column = 0

    def add(self, name: str, values: Sequence[str]) -> str:
        if name in self.ranges:
            return self.ranges[name]
        column = self._next_column
        self._next_column += 1
        for row, value in enumerate(values, start=1):
            # A branch named "=HYPERLINK(…)" stays text, never a formula: an apostrophe
            # before it and the string type (the reader takes the code in brackets).
            cell = self.sheet.cell(row, column + 1, spreadsheet_text(value))
            if isinstance(value, str):
                cell.data_type = "s"
        letter = column_letter(column)
        self.ranges[name] = f"{LISTS_SHEET}!${letter}$1:${letter}${max(1, len(values))}"
        return self.ranges[name]


class _Validations:
    """One data validation per rule, shared by every cell that follows the same rule."""

    def __init__(
        self, sheet: Worksheet, lists: _ListsSheet, language: str, checklist: Checklist
    ) -> None:
        self.checklist = checklist
        self.sheet = sheet
        self.lists = lists
        self.language = language
        self._by_rule: dict[tuple[object, ...], DataValidation] = {}

    def _rule(self, key: tuple[object, ...], **options: object) -> DataValidation:
        found = self._by_rule.get(key)
        if found is None:
            found = DataValidation(
                allow_blank=True, showErrorMessage=True, showInputMessage=True, **options
            )
            self.sheet.add_data_validation(found)
            self._by_rule[key] = found
        return found

    def header(self, field: str, where: str) -> None:
        if field == "branch":
            rule = self._rule(
                ("branch",),
                type="list",
                formula1=self.lists.ranges["branches"],
                error=_("Pick a branch from the list."),
                prompt=_("The branch visited"),
            )
        elif field == "auditor":
            if "auditors" not in self.lists.ranges:
                return
            # A warning, not a stop: a new auditor's name can still be typed.
            rule = self._rule(
                ("auditor",),
                type="list",
                formula1=self.lists.ranges["auditors"],
                errorStyle="warning",
                errorTitle=_("A new auditor?"),
                error=_("This name is not on the list of auditors. Keep it as a new auditor?"),
                prompt=_("Pick the auditor from the list, or type a new name"),
            )
        elif field in ("channel", "kind"):
            rule = self._rule(
                (field,),
                type="list",
                formula1=self.lists.ranges[f"{field}s"],
                error=(
                    _("Pick a channel from the list.")
                    if field == "channel"
                    else _("Pick an audit kind from the list.")
                ),
            )
        elif field == "visit_date":
            rule = self._rule(
                ("date",),
                type="date",
                operator="greaterThan",
                formula1="36526",
                error=_("Type a date, e.g. {example}.").format(example="2026-05-23"),
                prompt=_("Date of the visit (YYYY-MM-DD)"),
            )
        elif field == "visit_time":
            rule = self._rule(
                ("time",),
                type="time",
                operator="between",
                formula1="0",
                formula2="0.999988",
                error=_("Type a time, e.g. {example}.").format(example="14:30"),
                prompt=_("Time of the visit, e.g. {example}").format(example="14:30"),
            )
        else:
            return
        rule.add(where)

    def item(self, item: Item, where: str) -> None:
        na = item.na_allowed
        note = item_note(self.checklist, item, self.language)
        answers = allowed_answers(item, self.language)
        if isinstance(item, YesNoItem):  # the words its dropdown offers, in its language
            answers = ", ".join(
                [*YES_NO_WORDS.get(self.language, YES_NO_WORDS["en"]), *([NA_WORD] if na else [])]
            )
        allowed = _("Allowed: {answers}").format(answers=answers)
        prompt = (f"{note}. {allowed}" if note else allowed)[:255]
        error = _("Not an answer to this question. {allowed}").format(allowed=allowed)[:255]
        own = (item.id,) if note else ()  # a rule shared by items carries one prompt
        first = where.split(":")[0]
        rule: DataValidation | None = None
        if isinstance(item, YesNoItem):
            yes, no = YES_NO_WORDS.get(self.language, YES_NO_WORDS["en"])
            words = [yes, no, *([NA_WORD] if na else [])]
            rule = self._rule(("list", *words, *own), type="list", formula1=f'"{",".join(words)}"')
        elif isinstance(item, ChoiceItem):
            labels = [o.label_in(self.language, self.checklist.language) for o in item.options]
            source = self.lists.add(f"choice:{item.id}", [*labels, *([NA_WORD] if na else [])])
            rule = self._rule(("choice", item.id), type="list", formula1=source)
        elif isinstance(item, ScaleItem) and not na:
            rule = self._rule(
                ("whole", item.min, item.max, *own),
                type="whole",
                operator="between",
                formula1=str(item.min),
                formula2=str(item.max),
            )
        elif isinstance(item, ScaleItem | NumberItem | PercentageItem):
            rule = self._rule(
                ("custom", item.id, first),
                type="custom",
                formula1=_numeric_formula(item, first, na),
            )
        elif note:  # text, date, photo: no rule on the value, the note still shows
            rule = self._rule(("note", item.id))
        if rule is None:
            return
        rule.prompt = prompt
        rule.error = error
        rule.add(where)


def item_note(checklist: Checklist, item: Item, language: str) -> str:
    """What the filler must know beyond the answers allowed: when the question is asked at
    all (skip logic, the item's or its section's) and that it is not scored."""
    notes: list[str] = []
    section = next(s for s in checklist.sections if item in s.items)
    for condition in (section.applies_if, item.applies_if):
        if condition is not None:
            notes.append(condition_text(checklist, condition, language, question_chars=90))
    if item.unscored_question:
        with use_language(language):
            notes.append(_("Unscored (weight 0)"))
    return ". ".join(notes)


def _numeric_formula(item: ScaleItem | NumberItem | PercentageItem, cell: str, na: bool) -> str:
    """A custom rule: a number within the item's bounds, or N/A where it is allowed."""
    checks = [f"ISNUMBER({cell})"]
    if isinstance(item, PercentageItem):
        # 0 to 100 as the prompt says: 93 typed in a General cell is 93; a cell shown as
        # 93 % holds 0.93, which is within the bounds too and read as 93 (its format says so)
        checks += [f"{cell}>=0", f"{cell}<=100"]
    elif isinstance(item, ScaleItem):
        checks += [f"{cell}>={item.min}", f"{cell}<={item.max}", f"INT({cell})={cell}"]
    else:
        if item.min is not None:
            checks.append(f"{cell}>={item.min:g}")
        if item.max is not None:
            checks.append(f"{cell}<={item.max:g}")
    number = f"AND({','.join(checks)})"
    return f'OR({number},UPPER(TRIM({cell}))="{NA_WORD}")' if na else number


def template_cells() -> dict[str, str]:
    """Where the single-visit header values sit, by field (for the reader)."""
    return {field: cell_ref(HEADER_FIRST_ROW + i, 1) for i, field in enumerate(HEADER_FIELDS)}


def branch_choice(branch: Branch) -> str:
    """A branch as the template offers it: its name, then its code in brackets."""
    return f"{branch.name} ({branch.code})" if branch.name else branch.code


_CODE_IN_BRACKETS = re.compile(r"\(([^()]+)\)\s*$")


def template_code(field: str, value: object) -> object:
    """What a filled-in template's header cell means, as the reader's codes: a branch
    written as "Name (CODE)" is CODE; a channel or audit kind written as its label in any
    of the app's languages ("Presencial", "Yüz yüze") is its code (``in_person``). Any other
    value (a code typed by hand, a date, blank) comes back as it was."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if field == "branch":
        found = _CODE_IN_BRACKETS.search(text)
        return found[1].strip() if found else value
    if field in ("channel", "kind"):
        return _label_codes(field).get(text.casefold(), value)
    return value


_LABEL_CODES: dict[str, dict[str, str]] = {}


def _label_codes(field: str) -> dict[str, str]:
    found = _LABEL_CODES.get(field)
    if found is None:
        words = CHANNELS if field == "channel" else KINDS
        found = {}
        for language in LANGUAGES:
            with use_language(language):
                found.update({_(word).casefold(): str(code) for code, word in words.items()})
        _LABEL_CODES[field] = found
    return found
