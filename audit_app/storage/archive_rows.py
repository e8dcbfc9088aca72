"""What a restored row may hold: each column's type, length and allowed values, checked
before the row is written, so a crafted archive (a user with role ``root``, a score as text,
a name longer than its column) is refused naming the member, row and column."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String, Table

from audit_app.domain.actions import ActionStatus
from audit_app.domain.audit import AuditKind, AuditStatus, Channel
from audit_app.domain.bounds import Bounds, OutOfBounds
from audit_app.domain.users import Role
from audit_app.i18n.catalogue import LANGUAGES

ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    ("users", "role"): frozenset(str(role) for role in Role),
    ("users", "language"): frozenset(LANGUAGES),
    ("audits", "status"): frozenset(str(status) for status in AuditStatus),
    ("audits", "kind"): frozenset(str(kind) for kind in AuditKind),
    ("audits", "channel"): frozenset(str(channel) for channel in Channel),
    ("corrective_actions", "status"): frozenset(str(status) for status in ActionStatus),
    ("appeals", "status"): frozenset({"open", "upheld", "rejected"}),
}
"""Columns holding one of a fixed set of words (the domain's enumerations)."""
ONE_LINE: frozenset[tuple[str, str]] = frozenset({("audits", "visit_reference")})
"""Text columns the services hold to one line without control characters (a name bound):
an archive cannot slip in what the app would have refused."""

Check = Callable[[Any], str | None]
"""A value -> why it is not valid (None: valid)."""


def checks_for(table: Table) -> list[tuple[str, Check]]:
    """(column name, check) for every column of ``table``, built once per table."""
    return [(column.name, _check(table.name, column)) for column in table.columns]


def _check(table: str, column: Column[Any]) -> Check:
    kind = _kind(column)
    if (table, column.name) in ONE_LINE:
        kind = _chained(kind, _one_line)
    allowed = ALLOWED.get((table, column.name))
    nullable = bool(column.nullable) and not column.primary_key

    def check(value: Any) -> str | None:
        if value is None:
            return None if nullable else "is empty, and the column requires a value"
        why = kind(value)
        if why is None and allowed is not None and value not in allowed:
            return f"{value!r} is not one of {', '.join(sorted(allowed))}"
        return why

    return check


def _kind(column: Column[Any]) -> Check:
    kind = column.type
    if isinstance(kind, DateTime):
        return _parses(datetime.fromisoformat, "a date and time")
    if isinstance(kind, Date):
        return _parses(date.fromisoformat, "a date")
    if isinstance(kind, Boolean):
        return lambda v: None if isinstance(v, bool) else f"{_shown(v)} is not true or false"
    if isinstance(kind, Integer):
        return lambda v: (
            None
            if isinstance(v, int) and not isinstance(v, bool)
            else f"{_shown(v)} is not a whole number"
        )
    if isinstance(kind, Float):
        return _number
    if isinstance(kind, JSON):
        return lambda v: None
    if isinstance(kind, String):
        limit = kind.length

        def text(v: Any) -> str | None:
            if not isinstance(v, str):
                return f"{_shown(v)} is not text"
            if limit is not None and len(v) > limit:
                return f"holds {len(v):,} characters, more than the column's {limit:,}"
            return None

        return text
    return lambda v: None


def _chained(first: Check, then: Check) -> Check:
    return lambda value: first(value) or then(value)


def _one_line(value: Any) -> str | None:
    try:
        cleaned = Bounds().name(value, "the value")
    except OutOfBounds as error:
        return str(error)
    if cleaned != value:
        return f"{_shown(value)} is not one line of trimmed text"
    return None


def _number(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{_shown(value)} is not a number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    return None


def _parses(parse: Callable[[str], Any], what: str) -> Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"{_shown(value)} is not {what}"
        try:
            parse(value)
        except ValueError:
            return f"{_shown(value)} is not {what}"
        return None

    return check


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
