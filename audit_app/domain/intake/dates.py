"""Visit dates and times as real files hold them: date cells, ISO text, 23/05/2026,
23.05.2026, 2026/05/23, Excel serial numbers, month names (``7 November 2025``, ``Nov 30,
2025``, ``30 de novembre de 2025``, ``May 2025``), with or without a time.

A month alone (``May 2025``) is the first day of that month."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from audit_app.domain.intake.months import date_parts

DEFAULT_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%d-%m-%Y",
    "%Y/%m/%d",
    "%d/%m/%y",
    "%d.%m.%y",
)
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%H.%M")
EXCEL_EPOCH = datetime(1899, 12, 30)


def parse_date(value: Any, formats: tuple[str, ...] = DEFAULT_DATE_FORMATS) -> datetime | None:
    """A visit date (with its time when the value carries one), or None if unreadable.

    Day-first formats come before month-first ones: the franchise's countries write
    23/05/2026. Add ``%m/%d/%Y`` to a mapping profile's formats for US-style files.
    """
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if 20_000 < value < 80_000:  # an Excel serial day number (1954 to 2119)
            return (EXCEL_EPOCH + timedelta(days=float(value))).replace(microsecond=0)
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=None, microsecond=0)
    except ValueError:
        pass
    for day_text, time_text in _day_and_time(text):
        day = _formatted(day_text, formats)
        if day is None:
            continue
        if not time_text:
            return day
        moment = parse_time(time_text)
        return None if moment is None else datetime.combine(day.date(), moment)
    return None


def _day_and_time(text: str) -> list[tuple[str, str]]:
    """The text whole, then split before its last word when that word is a time
    (``7 November 2025 14:30``): a date may hold spaces, so no cut at the first one."""
    candidates = [(text, "")]
    head, _, tail = text.rpartition(" ")
    if head and parse_time(tail) is not None:
        candidates.append((head.strip(), tail))
    return candidates


def _formatted(text: str, formats: tuple[str, ...]) -> datetime | None:
    """By the formats (``%d %B %Y`` reads English month names), else by month names in
    the franchise's languages (``domain.intake.months``)."""
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    parts = date_parts(text)
    if parts is None:
        return None
    year, month, day = parts
    try:
        return datetime(year, month, day or 1)
    except ValueError:
        return None


_SHORT_YEAR = re.compile(r"^([^\W\d_]+)\.?[\s\-/,']*(\d{2})$")
_NUMERIC_MONTH = re.compile(r"^(?:(\d{4})[-/.](\d{1,2})|(\d{1,2})[-/.](\d{4}))$")


def parse_month_label(value: Any) -> date | None:
    """A month as a column header writes it (``Jan 2025``, ``noiembrie 2025``, ``Oca
    2025``, ``Jan-25``, ``2025-01``, ``01/2025``) -> its first day; None for anything else.
    Month names in the franchise's languages (``domain.intake.months``)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = " ".join(value.strip().split())
    short = _SHORT_YEAR.match(text)
    if short:
        text = f"{short[1]} {2000 + int(short[2])}"
    parts = date_parts(text)
    if parts is not None and parts[2] is None:
        return date(parts[0], parts[1], 1)
    numeric = _NUMERIC_MONTH.match(text)
    if numeric:
        year = int(numeric[1] or numeric[4])
        month = int(numeric[2] or numeric[3])
        return date(year, month, 1) if 1 <= month <= 12 else None
    return None


def parse_time(value: Any) -> time | None:
    """A time of day from a time cell, a fraction of a day, or text such as 14:30."""
    if isinstance(value, time):
        return value.replace(microsecond=0, tzinfo=None)
    if isinstance(value, datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds()) % 86_400
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(value * 86_400) % 86_400
        return time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
    text = str(value or "").strip()
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None
