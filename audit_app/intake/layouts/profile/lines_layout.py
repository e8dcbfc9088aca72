"""Line-level sheets: many rows per visit (one per product on a shelf), grouped into one
visit by key columns, each item's answer aggregated from its column by a rule (mean,
sum, min, max, count, share of rows meeting a condition, or the visit's first filled
cell). The aggregated answer's cell names the range it came from (``Shelf!E5:E40``);
every row is counted into its visit's rows, or skipped with a reason.

A ``share`` is a fraction 0..1: its percentage item reads it as a fraction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from audit_app.domain.checklist import PercentageItem
from audit_app.domain.intake.model import (
    Cell,
    ImportIssue,
    IssueCode,
    RawAnswer,
    RawVisit,
    column_letter,
)
from audit_app.domain.intake.vocabulary import fold, parse_number
from audit_app.i18n import _, ngettext
from audit_app.intake.layouts.profile.matching import header_key
from audit_app.intake.layouts.profile.profile import AggregateRule, Condition
from audit_app.intake.layouts.profile.skipping import is_empty, shown

if TYPE_CHECKING:
    from audit_app.intake.layouts.profile.reading import _Found, _SheetReader

DECIMALS = 6
"""An aggregate is rounded to this many decimals: 2/3 is 0.666667, not a float's tail."""


def number_of(value: Any) -> float | None:
    """A cell's number (``91``, ``'91,5'``, ``88 %`` as 88), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip().removeprefix("'").removesuffix("%").strip()
        return parse_number(text) if text else None
    return None


@dataclass(frozen=True)
class Meets:
    """A rule's condition, ready to apply to cells."""

    condition: Condition

    def __call__(self, value: Any) -> bool:
        told = self.condition
        if told.filled is not None and (not is_empty(value)) != told.filled:
            return False
        if told.equals and fold(shown(value)) not in {fold(str(t)) for t in told.equals}:
            return False
        if told.at_least is not None or told.at_most is not None:
            number = number_of(value)
            if number is None:
                return False
            if told.at_least is not None and number < told.at_least:
                return False
            if told.at_most is not None and number > told.at_most:
                return False
        return not (told.matches and not re.search(told.matches, shown(value)))


@dataclass
class _Visit:
    offsets: list[int] = field(default_factory=list)


def read_lines(reader: _SheetReader) -> _Found:
    """Group the sheet's rows into visits and aggregate each item over its visit's rows."""
    found = reader.found
    profile = reader.profile
    assert profile.lines is not None  # the profile's validator says so
    header = reader.grid.header
    position: dict[str, int] = {}
    for index, text in enumerate(header):
        if header_key(text):
            position.setdefault(header_key(text), index)
    rules: list[tuple[str, int, AggregateRule]] = []
    for item_id, rule in profile.lines.aggregate.items():
        column = position.get(header_key(rule.column))
        if item_id not in reader.checklist.items_by_id:
            found.issues.append(
                _problem(
                    reader,
                    IssueCode.PROFILE_ITEM_UNKNOWN,
                    _(
                        "lines.aggregate names {item}, which is not an item of checklist "
                        "{checklist}"
                    ).format(item=item_id, checklist=reader.checklist.id),
                )
            )
        elif column is None:
            found.issues.append(
                _problem(
                    reader,
                    IssueCode.COLUMN_MISSING,
                    _(
                        "the column '{column}' (lines.aggregate.{item}) is not in the header row"
                    ).format(column=rule.column, item=item_id),
                )
            )
        else:
            rules.append((item_id, column, rule))
    keys = [position.get(header_key(text)) for text in profile.lines.keys]
    if any(k is None for k in keys):
        missing = [t for t, k in zip(profile.lines.keys, keys, strict=True) if k is None]
        found.issues.append(
            _problem(
                reader,
                IssueCode.COLUMN_MISSING,
                ngettext(
                    "the key column {columns} (lines.keys) is not in the header row",
                    "the key columns {columns} (lines.keys) are not in the header row",
                    len(missing),
                ).format(columns=", ".join(missing)),
            )
        )
    if found.issues:
        return found
    key_columns = [k for k in keys if k is not None] or [
        c
        for c in (
            reader.code,
            reader.name,
            reader.date,
            reader.time,
            reader.auditor,
            reader.reference,
        )
        if c is not None
    ]
    reader.grid.fill_merged(set(key_columns), reader.first_data)
    skipper = reader.skipper(
        [c for c in (reader.date,) if c is not None], [column for _, column, _ in rules]
    )
    groups: dict[tuple[Any, ...], _Visit] = {}
    last_key: tuple[Any, ...] | None = None
    last_row: list[Any] | None = None
    for offset in range(reader.first_data, reader.last_data):
        values = reader.rows[offset]
        continues = last_row is not None and all(is_empty(values[c]) for c in key_columns)
        skip = skipper.reason(values, last_row if continues else None)
        if skip is not None:
            reader.skip(offset, *skip)
            continue
        if not continues or last_key is None:
            last_key = tuple(fold(shown(values[c])) for c in key_columns)
            last_row = values
        groups.setdefault(last_key, _Visit()).offsets.append(offset)
    for visit in groups.values():
        first = visit.offsets[0]
        number = reader.grid.row_number(first)
        answers = tuple(
            RawAnswer(item_id, _aggregate(reader, rule, column, visit.offsets))
            for item_id, column, rule in rules
        )
        found.visits.append(
            RawVisit(
                answers=answers,
                row=number,
                rows=tuple(reader.grid.row_number(o) for o in visit.offsets),
                **reader.visit_cells(first, number),
            )
        )
    _percent(reader, rules, [o for v in groups.values() for o in v.offsets])
    return found


def _problem(reader: _SheetReader, code: IssueCode, message: str) -> ImportIssue:
    row = reader.grid.row_number(reader.first_data - 1)
    return ImportIssue(code, message, reader.sheet or None, None, row)


def _range(reader: _SheetReader, column: int, offsets: Sequence[int]) -> str:
    grid = reader.grid
    if grid.is_csv:
        first, last = grid.row_number(offsets[0]), grid.row_number(offsets[-1])
        return _("{column}, lines {first}-{last}").format(
            column=grid.column_ref(column), first=first, last=last
        )
    letter = column_letter(grid.first_column + column)
    return f"{letter}{grid.row_number(offsets[0])}:{letter}{grid.row_number(offsets[-1])}"


def _aggregate(reader: _SheetReader, rule: AggregateRule, column: int, offsets: list[int]) -> Cell:
    """The answer of one visit from its rows: a number placed at the column's range, or
    (``first``) the first filled cell itself."""
    first_number = reader.grid.row_number(offsets[0])
    cells = [(o, reader.rows[o][column]) for o in offsets]
    filled = [(o, v) for o, v in cells if not is_empty(v)]
    if rule.rule == "first":
        if not filled:
            return reader.cell(offsets[0], column, first_number)
        o = filled[0][0]
        return reader.cell(o, column, reader.grid.row_number(o))
    place = Cell(None, reader.sheet, _range(reader, column, offsets), first_number)
    test = Meets(rule.where) if rule.where is not None else None
    value: float | None
    if rule.rule == "count":
        value = float(sum(1 for _, v in filled if test is None or test(v)))
    elif rule.rule == "share":
        assert test is not None  # the rule's validator says so
        value = sum(1 for _, v in filled if test(v)) / len(filled) if filled else None
    else:
        numbers = []
        for o, v in filled:
            if test is not None and not test(v):
                continue
            n = number_of(v)
            if n is None:
                reader.found.issues.append(
                    ImportIssue.at(
                        IssueCode.ANSWER_INVALID,
                        reader.cell(o, column, reader.grid.row_number(o)),
                        _("'{value}' is not a number (the {rule} of column '{column}')").format(
                            value=shown(v), rule=rule.rule, column=rule.column
                        ),
                    )
                )
                continue
            numbers.append(n)
        if not numbers:
            value = None
        elif rule.rule == "mean":
            value = sum(numbers) / len(numbers)
        elif rule.rule == "sum":
            value = sum(numbers)
        elif rule.rule == "min":
            value = min(numbers)
        else:
            value = max(numbers)
    return place._replace(value=None if value is None else round(value, DECIMALS))


def _percent(
    reader: _SheetReader, rules: list[tuple[str, int, AggregateRule]], offsets: list[int]
) -> None:
    """A share is a fraction; another rule keeps its column's scale, decided as a wide
    column's is."""
    items = reader.checklist.items_by_id
    for item_id, column, rule in rules:
        if not isinstance(items[item_id], PercentageItem):
            continue
        if rule.rule == "share":
            reader.found.fraction_items.add(item_id)
        elif rule.rule != "count":
            reader.decide_percent(item_id, column, reader.grid.header[column], offsets)
