"""What the file does not say in its rows: constants (``defaults:``) and values taken from
the file's name, a sheet's name or one cell (``values:``), applied to every visit a reader
found, whatever the layout, and the profile's kind and channel maps.

One step after reading: a reader leaves a role's cell empty (value None) where no column
gives it; here a column's non-empty cell stays, else the value from the file, else the
constant. Each filled cell is placed where a message can name it: the real cell, the file
name, or ``defaults.visit_date``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from audit_app.domain.intake.dates import parse_date
from audit_app.domain.intake.model import Cell, ImportIssue, IssueCode, RawVisit
from audit_app.domain.intake.vocabulary import fold
from audit_app.i18n import _
from audit_app.intake.layouts.profile.date_sources import date_in_text
from audit_app.intake.layouts.profile.profile import MappingProfile, ProfileError, ValueSource

ROLES = ("branch", "visit_date", "visit_time", "auditor", "channel", "kind")
_CELL = re.compile(r"^(?:(?P<sheet>.+)!)?\$?(?P<column>[A-Za-z]{1,3})\$?(?P<row>\d+)$")

CellLookup = Callable[[str | None, int, int], tuple[Any, str]]
"""(sheet name or None for the profile's sheet, row number, column index) -> (value,
the sheet's name); raises ``LookupError`` when there is no such sheet."""


@dataclass(frozen=True)
class FileContext:
    """Where the file-derived values come from."""

    file_name: str
    sheet_name: str
    cell: CellLookup


@dataclass(frozen=True)
class FoundValue:
    value: str
    cell: Cell
    """Where it was found (a real cell, or the file or sheet name)."""


def apply_visit_values(
    visits: Sequence[RawVisit], profile: MappingProfile, context: FileContext
) -> tuple[list[RawVisit], list[ImportIssue]]:
    """``visits`` with empty role cells filled from ``values:`` and ``defaults:``, kinds
    and channels mapped; issues for values the file should hold and does not."""
    issues: list[ImportIssue] = []
    found: dict[str, FoundValue] = {}
    failed: set[str] = set()
    for role, source in profile.values.items():
        value = find_value(role, source, context)
        if isinstance(value, ImportIssue):
            if not getattr(profile.defaults, role, None):
                issues.append(value)
                failed.add(role)
        else:
            found[role] = value
    constants = profile.defaults.given()
    kinds = {fold(k): v for k, v in profile.kinds.items()}
    channels = {fold(k): v for k, v in profile.channels.items()}
    if not (found or failed or constants or kinds or channels):
        return list(visits), issues
    sheet = context.sheet_name
    filled = []
    for visit in visits:
        row = visit.row or 0
        changes: dict[str, Any] = {}
        for name in ROLES:
            current: Cell | None = getattr(visit, name)
            if current is not None and not _empty(current.value):
                continue
            if name in found:
                changes[name] = found[name].cell._replace(row=found[name].cell.row or row)
            elif name in constants:
                changes[name] = Cell(constants[name], sheet, f"defaults.{name}", row)
            elif name in failed:  # named where the file was to give it (the issue above)
                changes[name] = Cell(None, sheet, f"values.{name}", row)
        if "branch" in changes:
            changes["branch_by_name"] = False
        for role, mapping in (("kind", kinds), ("channel", channels)):
            cell = changes.get(role, getattr(visit, role))
            if mapping and cell is not None and isinstance(cell.value, str):
                meaning = mapping.get(fold(cell.value))
                if meaning is not None:
                    changes[role] = cell._replace(value=meaning)
        filled.append(replace(visit, **changes) if changes else visit)
    return filled, issues


def find_value(role: str, source: ValueSource, context: FileContext) -> FoundValue | ImportIssue:
    """The value ``source`` finds in the file, or the issue that says why there is none."""
    label = f"values.{role}"
    if source.source == "cell":
        assert source.cell is not None  # the profile checks it
        parsed = _CELL.match(source.cell.strip())
        assert parsed is not None
        number = int(parsed["row"])
        try:
            raw, sheet = context.cell(parsed["sheet"], number, _column_index(parsed["column"]))
        except LookupError as error:
            return ImportIssue(IssueCode.VALUE_NOT_FOUND, f"{label}: {error}")
        place = Cell(raw, sheet, parsed["column"].upper() + parsed["row"], number)
        text = "" if _empty(raw) else str(raw).strip()
        if not text:
            return ImportIssue.at(
                IssueCode.VALUE_NOT_FOUND,
                place,
                _("{setting}: the cell is empty").format(setting=label),
            )
        if not source.pattern and not source.map:
            return FoundValue(raw, place)  # a date cell stays a date
        where = _("cell {cell}").format(cell=place.where)
    elif source.source == "file_name":
        text = Path(context.file_name).stem
        where = _("the file name '{name}'").format(name=Path(context.file_name).name)
        place = Cell(None, context.sheet_name, _from(label, where), 0)
    else:
        text = context.sheet_name
        where = _("the sheet name '{name}'").format(name=text)
        place = Cell(None, context.sheet_name, _from(label, where), 0)
    value = pick(text, source)
    if role == "visit_date" and value is not None and not (source.pattern or source.map):
        value = _date_within(value)
    if value is None:
        if source.pattern and re.search(source.pattern, text) is None:
            why = _("{place} does not match the pattern {pattern}").format(
                place=where, pattern=source.pattern
            )
        else:
            keys = ", ".join(f"'{key}'" for key in source.map)
            why = _("{place} names no key of its map ({keys})").format(place=where, keys=keys)
        return ImportIssue(IssueCode.VALUE_NOT_FOUND, f"{label}: {why}")
    return FoundValue(value, place._replace(value=value))


def _from(label: str, where: str) -> str:
    """``values.visit_date (from the file name 'May.xlsx')``: where a value came from."""
    return _("{setting} (from {place})").format(setting=label, place=where)


def pick(text: str, source: ValueSource) -> str | None:
    """What ``source`` takes from ``text``: the pattern's first group (else its whole
    match), then through the map; without a pattern, the value of the first map key found
    as words in the text; without either, the text itself."""
    if source.pattern:
        match = re.search(source.pattern, text)
        if match is None:
            return None
        found = (match.group(1) if match.groups() else match.group(0)).strip()
        found = re.sub(r"[_\s]+", " ", found)
        if not source.map:
            return found
        mapped = {fold(key): value for key, value in source.map.items()}
        return mapped.get(fold(found))
    if source.map:
        words = _words(text)
        for key, value in sorted(source.map.items(), key=lambda kv: -len(kv[0])):
            if re.search(rf"(?<!\w){re.escape(_words(key))}(?!\w)", words):
                return value
        return None
    return re.sub(r"[_\s]+", " ", text).strip() or None


def _date_within(text: str) -> str:
    """A name that is not a date itself (``Mystery Shop May 2025``) gives the date it
    holds (``May 2025``); else it is kept whole, for the date check to name it."""
    if parse_date(text) is not None:
        return text
    found = date_in_text(text)
    return found[1] if found is not None else text


def _words(text: str) -> str:
    return " ".join(re.sub(r"[_\W]+", " ", fold(text)).split())


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def parse_constants(pairs: Sequence[str]) -> dict[str, str]:
    """``["auditor=Agency X", "visit_date=2025-05-01"]`` (``--set``) -> constants, each
    role once; raises ``ProfileError`` naming an unknown role or an empty value."""
    constants: dict[str, str] = {}
    for pair in pairs:
        role, equals, value = pair.partition("=")
        role, value = role.strip(), value.strip()
        if not equals or role not in ROLES:
            raise ProfileError(f"--set {pair!r}: write ROLE=VALUE, ROLE one of {', '.join(ROLES)}")
        if not value:
            raise ProfileError(f"--set {pair!r}: the value is empty")
        if role in constants and constants[role] != value:
            raise ProfileError(f"--set gives {role} twice ({constants[role]!r} and {value!r})")
        constants[role] = value
    return constants
