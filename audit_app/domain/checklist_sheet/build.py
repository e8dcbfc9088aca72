"""A questions sheet read into a checklist's data (the YAML shape), every problem named at its
cell. Pure: the adapter hands the cells (each knowing its sheet and ref) and the header's
columns; validation through the checklist model is the caller's, with :func:`locate` to put
each of the model's problems back on a cell."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit_app.domain.checklist_sheet.cells import (
    CellProblem,
    ConditionCell,
    OptionCell,
    TypeCell,
    cell_text,
    read_action,
    read_condition,
    read_direction,
    read_flag,
    read_labels,
    read_number,
    read_options,
    read_photo_rule,
    read_type,
    slug,
)
from audit_app.domain.checklist_sheet.columns import LOCALIZED, Column
from audit_app.domain.intake.model import Cell, ImportIssue, IssueCode
from audit_app.domain.intake.vocabulary import fold
from audit_app.domain.labels import item_type_label
from audit_app.i18n import N_, _, formats, ngettext, pgettext

ID_LIMIT = 64
_ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_QUESTION_NUMBER = re.compile(r"^(?:q|p|s|no|nr|n)?\s*\.?\s*(?P<n>\d+(?:[.\-]\d+)*)$")

FIELD_ROLE = {
    "text": "question",
    "id": "item_id",
    "type": "type",
    "options": "options",
    "weight": "weight",
    "critical": "critical",
    "na_allowed": "na_allowed",
    "required": "required",
    "applies_if": "applies_if",
    "guidance": "guidance",
    "min": "min",
    "max": "max",
    "target": "target",
    "direction": "direction",
    "zero_at": "zero_at",
    "unit": "unit",
    "action": "action",
    "photo_on_fail": "photo_on_fail",
}
"""An item's field in the model -> the column that holds it (to name a problem's cell)."""


def _role_words() -> dict[str, str]:
    """A column's role as a message names it (the keys are ids)."""
    return {
        "section": pgettext("checklist column", "section"),
        "section_id": pgettext("checklist column", "section id"),
        "section_weight": pgettext("checklist column", "section weight"),
        "section_applies_if": pgettext("checklist column", "section applies if"),
        "number": pgettext("checklist column", "number"),
        "item_id": pgettext("checklist column", "item id"),
        "question": pgettext("checklist column", "question"),
        "type": pgettext("checklist column", "type"),
        "options": pgettext("checklist column", "options"),
        "weight": pgettext("checklist column", "weight"),
        "critical": pgettext("checklist column", "critical"),
        "na_allowed": pgettext("checklist column", "na allowed"),
        "required": pgettext("checklist column", "required"),
        "applies_if": pgettext("checklist column", "applies if"),
        "guidance": pgettext("checklist column", "guidance"),
        "min": pgettext("checklist column", "min"),
        "max": pgettext("checklist column", "max"),
        "target": pgettext("checklist column", "target"),
        "direction": pgettext("checklist column", "direction"),
        "zero_at": pgettext("checklist column", "zero at"),
        "unit": pgettext("checklist column", "unit"),
        "action": pgettext("checklist column", "action rule"),
        "photo_on_fail": pgettext("checklist column", "photo on fail"),
    }


NO_TARGET = {
    ("number", "target"): N_("a number question is scored against a target: give it a target"),
    ("number", "direction"): N_(
        "a number question is scored against a target: give it a direction (at most or at least)"
    ),
    ("percentage", "target"): N_(
        "a percentage question is scored against a target: give it a target"
    ),
    ("percentage", "direction"): N_(
        "a percentage question is scored against a target: give it a direction "
        "(at most or at least)"
    ),
}


@dataclass(frozen=True)
class ChecklistRequest:
    """What the command line or the page says about the checklist as a whole."""

    checklist_id: str
    title: str | None = None
    version: int | None = None
    language: str | None = None
    """The language of question columns whose header names none (``Question``)."""
    fallback_title: str = ""
    """The sheet's or the file's name: the title when nothing else gives one."""


@dataclass(frozen=True)
class QuestionSheet:
    """The cells below a questions sheet's header row, as the adapter found them."""

    columns: Sequence[Column]
    header: Sequence[Cell]
    rows: Sequence[Sequence[Cell]]
    settings: Mapping[str, tuple[Cell, Cell]] = field(default_factory=dict)
    """From a ``Checklist`` sheet: folded key -> (key cell, value cell)."""


@dataclass(frozen=True)
class SheetReading:
    data: dict[str, Any] | None
    """The checklist's data for the model; None when any cell could not be read."""
    issues: tuple[ImportIssue, ...]
    places: Mapping[str, Cell]
    """Model locations (``sections[0].items[2].weight``) -> the cell that holds them."""
    rows_read: int = 0
    questions: int = 0
    banners: tuple[int, ...] = ()
    """Rows read as section banners (a section title alone on its row)."""
    blank_rows: tuple[int, ...] = ()


@dataclass
class _Item:
    row: Sequence[Cell]
    data: dict[str, Any]
    kind: str
    number: str | None
    condition: tuple[ConditionCell, Cell] | None = None


@dataclass
class _Section:
    data: dict[str, Any]
    row: Sequence[Cell]
    items: list[_Item] = field(default_factory=list)
    condition: tuple[ConditionCell, Cell] | None = None


class _Reader:
    def __init__(self, sheet: QuestionSheet, request: ChecklistRequest) -> None:
        self.sheet = sheet
        self.request = request
        self.issues: list[ImportIssue] = []
        self.places: dict[str, Cell] = {}
        self.by_role: dict[str, dict[str | None, int]] = {}
        self.languages: list[str] = []
        self.failed: set[str] = set()
        """Numbers and ids of rows that could not be read (conditions on them say nothing)."""
        self._columns()

    # -- columns

    def _columns(self) -> None:
        questions = [c for c in self.sheet.columns if c.role == "question"]
        unmarked = self.request.language or "en"
        first = (questions[0].language or unmarked) if questions else unmarked
        for column in self.sheet.columns:
            language = column.language
            if column.role == "question":
                language = language or unmarked
            elif column.role in LOCALIZED:
                language = language or first
            slot = self.by_role.setdefault(column.role, {})
            if language in slot:
                header = self.sheet.header[column.index]
                role = _role_words().get(column.role, column.role.replace("_", " "))
                if language:
                    message = _("a second {role} column in {language} ({header}); keep one").format(
                        role=role, language=repr(language), header=repr(column.header)
                    )
                else:
                    message = _("a second {role} column ({header}); keep one").format(
                        role=role, header=repr(column.header)
                    )
                self.issue(IssueCode.CHECKLIST_COLUMN_REPEATED, header, message)
                continue
            slot[language] = column.index
            if column.role == "question" and language is not None:
                self.languages.append(language)

    def cell(self, row: Sequence[Cell], role: str, language: str | None = None) -> Cell | None:
        index = self.by_role.get(role, {}).get(language)
        if index is None and language is None and self.by_role.get(role):
            index = next(iter(self.by_role[role].values()))
        if index is None or index >= len(row):
            return None
        return row[index]

    def text(self, row: Sequence[Cell], role: str, language: str | None = None) -> str:
        found = self.cell(row, role, language)
        return cell_text(found.value) if found is not None else ""

    def texts(self, row: Sequence[Cell], role: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for language, index in self.by_role.get(role, {}).items():
            if language is not None and index < len(row):
                value = cell_text(row[index].value)
                if value:
                    out[language] = value
        return out

    def issue(self, code: IssueCode, cell: Cell, message: str) -> None:
        self.issues.append(ImportIssue.at(code, cell, message))

    def read(
        self, row: Sequence[Cell], role: str, reader: Callable[[Any], Any], code: IssueCode
    ) -> Any:
        found = self.cell(row, role)
        if found is None:
            return None
        try:
            return reader(found.value)
        except CellProblem as problem:
            self.issue(code, found, str(problem))
            return None

    # -- rows

    def run(self) -> SheetReading:
        sections: list[_Section] = []
        by_title: dict[str, _Section] = {}
        current: _Section | None = None
        banners: list[int] = []
        blanks: list[int] = []
        questions = 0
        for row in self.sheet.rows:
            if all(cell_text(c.value) == "" for c in row):
                blanks.append(row[0].row if row else 0)
                continue
            section_texts = self.texts(row, "section")
            question = self.texts(row, "question")
            if not question:
                banner = self._banner(row)
                if banner is None:
                    filled = next(c for c in row if cell_text(c.value))
                    self.issue(
                        IssueCode.CHECKLIST_ROW_INVALID,
                        filled,
                        _("this row has no question (write one, or clear the row)"),
                    )
                    continue
                section_texts = banner
                banners.append(row[0].row)
            if section_texts:
                key = section_texts.get(self.first) or next(iter(section_texts.values()))
                found = by_title.get(fold(key))
                if found is None:
                    found = self._new_section(row, section_texts, len(sections))
                    by_title[fold(key)] = found
                    sections.append(found)
                current = found
            elif current is None:
                title = self.request.title or self.request.fallback_title or "Questions"
                current = _Section({"id": slug(title) or "questions", "title": {}}, row)
                current.data["title"] = {self.first: title}
                sections.append(current)
                by_title[fold(title)] = current
            if not question:
                continue
            self._section_extras(current, row, sections.index(current))
            questions += 1
            item = self._item(row, question, current)
            if item is not None:
                current.items.append(item)
        self._ids(sections)
        self._conditions(sections)
        data = None if self.issues else self._data(sections)
        return SheetReading(
            data,
            tuple(sorted(self.issues, key=_reading_order)),
            self.places,
            rows_read=len(self.sheet.rows),
            questions=questions,
            banners=tuple(banners),
            blank_rows=tuple(blanks),
        )

    @property
    def first(self) -> str:
        return self.languages[0] if self.languages else (self.request.language or "en")

    def _banner(self, row: Sequence[Cell]) -> dict[str, str] | None:
        """A section title alone on its row (in the section column, or the only text)."""
        section = self.texts(row, "section")
        filled = [c for c in row if cell_text(c.value)]
        section_indexes = (
            set(self.by_role.get("section", {}).values())
            | set(self.by_role.get("section_id", {}).values())
            | set(self.by_role.get("section_weight", {}).values())
            | set(self.by_role.get("section_applies_if", {}).values())
        )
        if section and all(
            any(c is row[i] for i in section_indexes if i < len(row)) for c in filled
        ):
            return section
        questions = self.by_role.get("question", {}).values()
        if (
            len(filled) == 1
            and not section
            and isinstance(filled[0].value, str)
            and read_number_or_none(filled[0].value) is None
            and any(
                c is row[i]
                for i in range(min(max(questions, default=0) + 1, len(row)))
                for c in filled
            )
        ):
            return {self.first: cell_text(filled[0].value)}
        return None

    def _new_section(self, row: Sequence[Cell], titles: dict[str, str], index: int) -> _Section:
        where = f"sections[{index}]"
        given = self.text(row, "section_id")
        title_cell = self.cell(row, "section", self.first) or self.cell(row, "section")
        if title_cell is not None and cell_text(title_cell.value):
            self.places[where] = self.places[f"{where}.title"] = title_cell
        else:
            self.places[where] = next(c for c in row if cell_text(c.value))
        if given:
            section_id = self._id_from(given, self.cell(row, "section_id"))
        else:
            first_title = titles.get(self.first) or next(iter(titles.values()))
            section_id = slug(first_title, ID_LIMIT) or f"section_{index + 1}"
        return _Section({"id": section_id, "title": dict(titles)}, row)

    def _section_extras(self, section: _Section, row: Sequence[Cell], index: int) -> None:
        where = f"sections[{index}]"
        weight_cell = self.cell(row, "section_weight")
        if weight_cell is not None and cell_text(weight_cell.value):
            weight = self.read(row, "section_weight", read_number, IssueCode.CHECKLIST_CELL_INVALID)
            if weight is not None:
                known = section.data.get("weight")
                if known is not None and known != weight:
                    self.issue(
                        IssueCode.CHECKLIST_CELL_INVALID,
                        weight_cell,
                        _(
                            "the section's weight is {weight} on an earlier row; give one weight"
                        ).format(weight=_number(known)),
                    )
                section.data["weight"] = weight
                self.places.setdefault(f"{where}.weight", weight_cell)
        condition_cell = self.cell(row, "section_applies_if")
        if condition_cell is not None and cell_text(condition_cell.value) and not section.condition:
            try:
                section.condition = (
                    read_condition(cell_text(condition_cell.value)),
                    condition_cell,
                )
            except CellProblem as problem:
                self.issue(IssueCode.CHECKLIST_CONDITION_INVALID, condition_cell, str(problem))

    def _id_from(self, text: str, cell: Cell | None) -> str:
        value = text.strip().lower()
        if not _ID.match(value):
            value = slug(value, ID_LIMIT)
        if (not value or len(value) > ID_LIMIT) and cell is not None:
            self.issue(
                IssueCode.CHECKLIST_CELL_INVALID,
                cell,
                _("{text} is not an id").format(text=repr(text)),
            )
        return value

    def _item(self, row: Sequence[Cell], texts: dict[str, str], section: _Section) -> _Item | None:
        before = len(self.issues)
        data: dict[str, Any] = {"id": "", "text": texts}
        type_cell = self.cell(row, "type")
        options_text = self.text(row, "options", self.first) or self.text(row, "options")
        kind: TypeCell | None = None
        if type_cell is not None and cell_text(type_cell.value):
            try:
                kind = read_type(cell_text(type_cell.value))
            except CellProblem as problem:
                self.issue(IssueCode.CHECKLIST_TYPE_UNKNOWN, type_cell, str(problem))
                self._failed(row)
                return None
        else:
            kind = TypeCell("choice" if options_text else "yes_no")
        data["type"] = kind.kind
        self._options(row, data, kind.kind, options_text)
        weight = self.read(row, "weight", read_number, IssueCode.CHECKLIST_CELL_INVALID)
        data["weight"] = 1.0 if weight is None else weight
        for flag in ("na_allowed", "critical", "required"):
            value = self.read(row, flag, read_flag, IssueCode.CHECKLIST_CELL_INVALID)
            if value is None and flag == "na_allowed" and kind.na:
                value = True  # Yes/No/N/A
            if value is not None and (value or flag == "required"):
                data[flag] = value
        guidance = self.texts(row, "guidance")
        if guidance:
            data["guidance"] = guidance
        action = self.read(row, "action", read_action, IssueCode.CHECKLIST_CELL_INVALID)
        if action is not None:
            data["action"] = action
        photo = self.read(row, "photo_on_fail", read_photo_rule, IssueCode.CHECKLIST_CELL_INVALID)
        if photo is not None:
            data["photo_on_fail"] = photo
        self._measures(row, data, kind)
        if len(self.issues) > before:
            self._failed(row)
            return None
        number = self.text(row, "number") or None
        item = _Item(row, data, kind.kind, number)
        condition_cell = self.cell(row, "applies_if")
        if condition_cell is not None and cell_text(condition_cell.value):
            try:
                item.condition = (read_condition(cell_text(condition_cell.value)), condition_cell)
            except CellProblem as problem:
                self.issue(IssueCode.CHECKLIST_CONDITION_INVALID, condition_cell, str(problem))
        given = self.text(row, "item_id")
        if given:
            data["id"] = self._id_from(given, self.cell(row, "item_id"))
        return item

    def _failed(self, row: Sequence[Cell]) -> None:
        for role in ("number", "item_id"):
            ref = self.text(row, role)
            if ref:
                self.failed.add(_number_key(ref))

    def _options(self, row: Sequence[Cell], data: dict[str, Any], kind: str, text: str) -> None:
        cell = self.cell(row, "options", self.first) or self.cell(row, "options")
        if not text or cell is None:
            return
        try:
            options = read_options(text)
        except CellProblem as problem:
            self.issue(IssueCode.CHECKLIST_OPTIONS_INVALID, cell, str(problem))
            return
        if kind != "choice":
            values = {o.value for o in options}
            if kind == "yes_no" and values <= {"yes", "no", "si", "da", "evet", "hayir", "nu"}:
                return  # the yes/no a Yes/No question has anyway
            self.issue(
                IssueCode.CHECKLIST_OPTIONS_INVALID,
                cell,
                _(
                    "options are given for a question of type {type}; "
                    "make it a Multiple choice question or clear the options"
                ).format(type=item_type_label(kind)),
            )
            return
        data["options"] = [self._option(option) for option in options]
        for language, index in self.by_role.get("options", {}).items():
            if language in (None, self.first) or index >= len(row):
                continue
            other = cell_text(row[index].value)
            if not other:
                continue
            self._labels(row[index], language, data["options"], read_labels(other))

    def _labels(
        self,
        cell: Cell,
        language: str,
        options: list[dict[str, Any]],
        labels: list[tuple[str | None, str]],
    ) -> None:
        """Labels in another language: each naming its option by ``[value]``, or all of them
        in the options' order."""
        by_value = {option["value"]: option for option in options}
        if all(value is not None for value, _label in labels):
            for value, _label in labels:
                if value not in by_value:
                    self.issue(
                        IssueCode.CHECKLIST_OPTIONS_INVALID,
                        cell,
                        _("[{value}] is none of the options ({options})").format(
                            value=value, options=", ".join(by_value)
                        ),
                    )
                    return
            pairs = [(by_value[str(value)], label) for value, label in labels]
        elif len(labels) == len(options):
            pairs = [(option, label) for option, (_, label) in zip(options, labels, strict=True)]
        else:
            self.issue(
                IssueCode.CHECKLIST_OPTIONS_INVALID,
                cell,
                ngettext(
                    "{count} option in {language}, {other_count} in {other}: list the same "
                    "options in the same order",
                    "{count} options in {language}, {other_count} in {other}: list the same "
                    "options in the same order",
                    len(labels),
                ).format(
                    count=formats.integer(len(labels)),
                    language=repr(language),
                    other_count=formats.integer(len(options)),
                    other=repr(self.first),
                ),
            )
            return
        for option, label in pairs:
            if label:
                option.setdefault("label", {})[language] = label

    def _option(self, option: OptionCell) -> dict[str, Any]:
        data: dict[str, Any] = {"value": option.value, "points": option.points}
        if option.label is not None:
            data["label"] = {self.first: option.label}
        return data

    def _measures(self, row: Sequence[Cell], data: dict[str, Any], kind: TypeCell) -> None:
        low = self.read(row, "min", read_number, IssueCode.CHECKLIST_CELL_INVALID)
        high = self.read(row, "max", read_number, IssueCode.CHECKLIST_CELL_INVALID)
        if kind.kind == "scale":
            low = kind.low if low is None else low
            high = kind.high if high is None else high
            for name, value in (("min", low), ("max", high)):
                if value is not None:
                    if float(value).is_integer():
                        data[name] = int(value)
                    else:
                        place = self.cell(row, name)
                        if place is not None:
                            self.issue(
                                IssueCode.CHECKLIST_CELL_INVALID,
                                place,
                                _("{value}: a rating scale runs between whole numbers").format(
                                    value=_number(value)
                                ),
                            )
            return
        if kind.kind not in ("number", "percentage"):
            return
        if kind.kind == "number":
            for name, value in (("min", low), ("max", high)):
                if value is not None:
                    data[name] = value
            unit = self.text(row, "unit")
            if unit:
                data["unit"] = unit
        target = self.read(row, "target", read_number, IssueCode.CHECKLIST_CELL_INVALID)
        direction = self.read(row, "direction", read_direction, IssueCode.CHECKLIST_CELL_INVALID)
        zero_at = self.read(row, "zero_at", read_number, IssueCode.CHECKLIST_CELL_INVALID)
        if target is None or direction is None:
            place = self.cell(row, "target" if target is None else "direction") or next(
                c for c in row if cell_text(c.value)
            )
            missing = "target" if target is None else "direction"
            self.issue(IssueCode.CHECKLIST_CELL_INVALID, place, _(NO_TARGET[kind.kind, missing]))
            return
        data["target"] = target
        data["direction"] = direction
        if zero_at is not None:
            data["zero_at"] = zero_at

    # -- ids and conditions

    def _ids(self, sections: list[_Section]) -> None:
        taken: dict[str, Cell] = {}
        for section in sections:
            for item in section.items:
                if item.data["id"]:
                    found = taken.get(item.data["id"])
                    place = self.cell(item.row, "item_id") or item.row[0]
                    if found is not None:
                        self.issue(
                            IssueCode.CHECKLIST_CELL_INVALID,
                            place,
                            _("item id {id} is already used at {cell}").format(
                                id=repr(item.data["id"]), cell=found.ref
                            ),
                        )
                    taken.setdefault(item.data["id"], place)
        for section in sections:
            for item in section.items:
                if item.data["id"]:
                    continue
                language = self.first if self.first in item.data["text"] else None
                text = (
                    item.data["text"][language]
                    if language
                    else next(iter(item.data["text"].values()))
                )
                base = f"{section.data['id']}.{slug(text, ID_LIMIT)}"[:ID_LIMIT].rstrip("_.-")
                candidate, n = base, 2
                while candidate in taken:
                    suffix = f"_{n}"
                    candidate = base[: ID_LIMIT - len(suffix)].rstrip("_.-") + suffix
                    n += 1
                item.data["id"] = candidate
                taken[candidate] = item.row[0]

    def _conditions(self, sections: list[_Section]) -> None:
        items = [item for section in sections for item in section.items]
        by_id = {item.data["id"]: item for item in items}
        by_number = {_number_key(item.number): item for item in items if item.number}
        by_text = {fold(text): item for item in items for text in item.data["text"].values()}

        def find(ref: str) -> _Item | None:
            text = ref.strip()
            key = _number_key(text)
            return (
                by_id.get(text.lower())
                or by_id.get(slug(text, ID_LIMIT))
                or by_number.get(key)
                or (
                    items[int(key) - 1]
                    if not by_number and key.isdigit() and 0 < int(key) <= len(items)
                    else None
                )
                or by_text.get(fold(text))
            )

        def resolve(
            condition: tuple[ConditionCell, Cell], own: str | None
        ) -> dict[str, Any] | None:
            read, cell = condition
            target = find(read.ref)
            if target is None and _number_key(read.ref) in self.failed:
                return None  # the row it names has its own problem
            if target is None:
                self.issue(
                    IssueCode.CHECKLIST_CONDITION_INVALID,
                    cell,
                    _("{reference} names no question of this sheet (use its id or number)").format(
                        reference=repr(read.ref)
                    ),
                )
                return None
            if target.data["id"] == own:
                self.issue(
                    IssueCode.CHECKLIST_CONDITION_INVALID,
                    cell,
                    _("a question cannot depend on itself"),
                )
                return None
            values = []
            for value in read.values:
                answer = _answer_value(target, value)
                if answer is None:
                    self.issue(
                        IssueCode.CHECKLIST_CONDITION_INVALID,
                        cell,
                        _("{value} is not an answer to {item}").format(
                            value=repr(value), item=target.data["id"]
                        ),
                    )
                    return None
                values.append(answer)
            if len(values) == 1:
                return {"item": target.data["id"], "equals": values[0]}
            return {"item": target.data["id"], "in": values}

        for section in sections:
            if section.condition is not None:
                found = resolve(section.condition, None)
                if found is not None:
                    section.data["applies_if"] = found
            for item in section.items:
                if item.condition is not None:
                    found = resolve(item.condition, item.data["id"])
                    if found is not None:
                        item.data["applies_if"] = found

    # -- the checklist

    def _data(self, sections: list[_Section]) -> dict[str, Any]:
        settings = _Settings(self.sheet.settings, self)
        languages = settings.languages() or self.languages or [self.first]
        data: dict[str, Any] = {
            "id": self.request.checklist_id,
            "version": self.request.version or settings.version() or 1,
            "title": self._title(settings, languages[0]),
            "languages": languages,
        }
        data.update(settings.extras())
        data["sections"] = []
        for s, section in enumerate(sections):
            where = f"sections[{s}]"
            section_data = dict(section.data)
            if section.condition is not None:
                self.places[f"{where}.applies_if"] = section.condition[1]
            section_data["items"] = []
            for i, item in enumerate(section.items):
                at = f"{where}.items[{i}]"
                question = self.cell(item.row, "question", self.first) or self.cell(
                    item.row, "question"
                )
                self.places[at] = question or item.row[0]
                for name, role in FIELD_ROLE.items():
                    place = self.cell(item.row, role, self.first if role in LOCALIZED else None)
                    if place is not None:
                        self.places[f"{at}.{name}"] = place
                section_data["items"].append(item.data)
            if not section.items:
                self.places.setdefault(f"{where}.items", self.places.get(where, section.row[0]))
            data["sections"].append(section_data)
        return data

    def _title(self, settings: _Settings, first: str) -> dict[str, str]:
        if self.request.title:
            return {first: self.request.title}
        titles = settings.texts("title")
        if titles:
            return titles
        return {first: self.request.fallback_title or self.request.checklist_id}


def _reading_order(issue: ImportIssue) -> tuple[int, int, str]:
    """Row by row, left to right, as a person reads the sheet."""
    cell = issue.cell or ""
    return (issue.row or 0, len(cell), cell)


def _number_key(text: str | None) -> str:
    if not text:
        return ""
    folded = fold(text)
    found = _QUESTION_NUMBER.match(folded)
    return found["n"] if found else folded


def _answer_value(item: _Item, text: str) -> Any:
    """A condition's answer as the item stores it: ``yes`` or ``no``, an option's value, a
    scale's whole number."""
    if item.kind == "yes_no":
        try:
            flag = read_flag(text)
        except CellProblem:
            return None
        return None if flag is None else "yes" if flag else "no"
    if item.kind == "choice":
        for option in item.data.get("options", []):
            labels = [str(v) for v in option.get("label", {}).values()]
            if text == option["value"] or fold(text) in {
                fold(x) for x in [option["value"], *labels]
            }:
                return option["value"]
            if slug(text) == option["value"]:
                return option["value"]
        return None
    if item.kind in ("scale", "number", "percentage"):
        try:
            number = read_number(text)
        except CellProblem:
            return None
        if number is None:
            return None
        return f"{number:g}"
    return text


class _Settings:
    """The optional ``Checklist`` sheet: one setting per row (key, value)."""

    def __init__(self, rows: Mapping[str, tuple[Cell, Cell]], reader: _Reader) -> None:
        self.rows = rows
        self.reader = reader

    def value(self, key: str) -> tuple[str, Cell] | None:
        found = self.rows.get(key)
        if found is None:
            return None
        text = cell_text(found[1].value)
        return (text, found[1]) if text else None

    def texts(self, key: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, (_label, value) in self.rows.items():
            if name.startswith(f"{key} ") and cell_text(value.value):
                out[name.removeprefix(f"{key} ")] = cell_text(value.value)
        found = self.value(key)
        if found and not out:
            out[self.reader.first] = found[0]
        return out

    def languages(self) -> list[str]:
        found = self.value("languages")
        if found is None:
            return []
        return [part.strip() for part in re.split(r"[,;\s]+", found[0]) if part.strip()]

    def version(self) -> int | None:
        found = self.value("version")
        if found is None:
            return None
        number = parse_int(found[0])
        if number is None:
            self.reader.issue(
                IssueCode.CHECKLIST_CELL_INVALID, found[1], _("is not a version number")
            )
        return number

    def extras(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        description = self.texts("description")
        if description:
            data["description"] = description
        for key, name in (("channel", "channel"), ("pass mark", "pass_mark")):
            found = self.value(key)
            if found is not None:
                self.reader.places[name] = found[1]
                data[name] = found[0] if name == "channel" else _number_or_text(found[0])
        grades = self.value("grades")
        if grades is not None:
            self.reader.places["grades"] = grades[1]
            data["grades"] = [_grade(part) for part in grades[0].split("|") if part.strip()]
        rule = self.value("critical rule")
        if rule is not None:
            self.reader.places["critical_rule"] = rule[1]
            words = rule[0].split()
            data["critical_rule"] = (
                {"cap": _number_or_text(words[1])}
                if len(words) == 2 and words[0] == "cap"
                else rule[0]
            )
        due = self.value("action due days")
        if due is not None:
            self.reader.places["action_due_days"] = due[1]
            pairs = dict(re.findall(r"(critical|other)\s*[:=]?\s*(\d+)", due[0]))
            data["action_due_days"] = {k: int(v) for k, v in pairs.items()}
        policy: dict[str, Any] = {}
        opens = self.value("action opens on")
        if opens is not None:
            self.reader.places["action_policy"] = opens[1]
            words = [w for w in re.split(r"[,;\s]+", opens[0]) if w and w != "nothing"]
            policy["opens_on"] = words
        below = self.value("action score below")
        if below is not None:
            self.reader.places.setdefault("action_policy", below[1])
            policy["score_below"] = _number_or_text(below[0])
        if policy:
            data["action_policy"] = policy
        photo = self.value("photo on fail")
        if photo is not None:
            self.reader.places["photo_on_fail"] = photo[1]
            try:
                data["photo_on_fail"] = read_photo_rule(photo[0])
            except CellProblem:  # the model names the setting's cell and the two words
                data["photo_on_fail"] = photo[0]
        for name in ("title", "languages", "version", "description"):
            row = self.rows.get(name)
            if row is not None:
                self.reader.places.setdefault(name, row[1])
        return data


def read_number_or_none(text: str) -> float | None:
    try:
        return read_number(text)
    except CellProblem:
        return None


def parse_int(text: str) -> int | None:
    number = read_number(text) if text else None
    return int(number) if number is not None and number.is_integer() else None


def _number_or_text(text: str) -> Any:
    try:
        number = read_number(text)
    except CellProblem:
        return text
    return text if number is None else number


def _grade(part: str) -> dict[str, Any]:
    """``90 Excellent`` -> {min: 90, label: Excellent}."""
    found = re.match(r"^\s*(?P<min>\d+(?:[.,]\d+)?)\s+(?P<label>.+?)\s*$", part)
    if found is None:
        return {"label": part.strip()}
    return {"min": float(found["min"].replace(",", ".")), "label": found["label"]}


def _number(value: float) -> str:
    """A weight or scale end as the current language writes it (``2.5``, ``2,5``)."""
    if float(value).is_integer():
        return formats.integer(value)
    return formats.decimal(value, len(f"{value:g}".partition(".")[2]) or 1)


def read_question_sheet(sheet: QuestionSheet, request: ChecklistRequest) -> SheetReading:
    """Every row of a questions sheet read: the checklist's data, or its problems."""
    return _Reader(sheet, request).run()


def locate(location: str, places: Mapping[str, Cell]) -> Cell | None:
    """The cell behind a model location: the longest known prefix of it."""
    path = location
    while path:
        if path in places:
            return places[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return None
