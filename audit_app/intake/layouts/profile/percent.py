"""Fraction or percentage, decided per column: Excel stores a cell shown as 91 % as 0.91,
agencies type 91. ``auto`` decides only when every number in the column agrees; a column
holding both (0.9 beside 1.6: a typo, or two conventions) is refused naming the cells, so
that no value is read a hundred times too small without a word."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from audit_app.domain.intake.model import Cell, ImportIssue, IssueCode
from audit_app.domain.intake.vocabulary import parse_number
from audit_app.i18n import _, formats

_LETTERS = re.compile(r"[A-Z]{1,3}")
"""A workbook's column (``D``); a CSV file's column is named already (``column Share``)."""
SHOWN = 6
"""Cells named in the message; the rest are counted."""


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip() and not value.strip().endswith("%"):
        return parse_number(value.strip().removeprefix("'"))
    return None  # text with a % sign, words and blanks say nothing either way


@dataclass
class PercentColumn:
    """The numbers of one column, sorted by what they look like."""

    fractions: list[tuple[float, Cell]] = field(default_factory=list)
    """From 0 to 1 (0.91 is 91 %)."""
    percents: list[tuple[float, Cell]] = field(default_factory=list)
    """Above 1 (91 is 91 %)."""

    @classmethod
    def of(cls, cells: Iterable[tuple[Any, Cell]]) -> PercentColumn:
        column = cls()
        for value, cell in cells:
            number = _number(value)
            if number is None or number < 0:
                continue
            (column.fractions if number <= 1 else column.percents).append((number, cell))
        return column

    @property
    def mixed(self) -> bool:
        """Both kinds, and a fraction that cannot be a percentage (0 and 1 fit either)."""
        return bool(self.percents) and any(0 < number < 1 for number, _ in self.fractions)


def percent_issue(column: PercentColumn, header: str, where: str) -> ImportIssue:
    """``column D 'Organic share' holds fractions (0.9 at D4, …) and percentages (1.6 at
    D12, 2.6 at D30)``, naming the fewer kind's cells, and the setting that decides."""
    fractions = [(n, c) for n, c in column.fractions if 0 < n < 1] or column.fractions
    few, _many = sorted((fractions, column.percents), key=len)
    first = few[0][1]

    def at(number: float, cell: Cell) -> str:
        return _("{value} at {cell}").format(value=_plain(number), cell=cell.ref)

    def part(found: list[tuple[float, Cell]]) -> str:
        if found is not few:  # the usual kind: one example is enough
            return at(*found[0]) + (", …" if len(found) > 1 else "")
        shown = ", ".join(at(n, cell) for n, cell in found[:SHOWN])
        more = len(found) - SHOWN
        if more > 0:
            return _("{cells} and {count} more").format(cells=shown, count=formats.integer(more))
        return shown

    label = f"'{header}'" if header else ""
    place = _("column {name}").format(name=where) if _LETTERS.fullmatch(where) else where
    message = (
        _(
            "{column} {label} holds fractions ({fractions}) and percentages ({percentages}): "
            "say how this column is meant in the mapping profile, percent_columns: "
            "{{'{header}': fraction}} (0.9 is 90 %) or percent (0.9 is 0.9 %)"
        )
        .format(
            column=place,
            label=label,
            fractions=part(fractions),
            percentages=part(column.percents),
            header=header,
        )
        .replace("  ", " ")
    )
    return ImportIssue(
        IssueCode.PERCENT_SCALE_MIXED, message, first.sheet or None, first.ref, first.row
    )


def _plain(number: float) -> str:
    return f"{number:g}"
