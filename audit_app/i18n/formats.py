"""Numbers, percentages, dates and months as the current language writes them (Babel).

``decimal(84.95, 1)`` is ``85.0`` in English, ``85,0`` in Catalan, Romanian and Turkish;
``integer(1653)`` is ``1,653`` / ``1.653``; ``month(date(2026, 3, 1))`` is ``Mar 2026`` /
``març 2026``. None and NaN are an em dash, so a missing figure never reads as zero.
"""

from __future__ import annotations

import decimal as _decimal
import json
import math
from datetime import date as Date
from datetime import datetime as DateTime

from babel import dates as babel_dates
from babel import numbers as babel_numbers

from audit_app.i18n.catalogue import LANGUAGES, PSEUDO
from audit_app.i18n.current import current_language

MISSING = "—"


def locale() -> str:
    """The Babel locale for the current language (the pseudo-language formats as English)."""
    language = current_language()
    return language if language in LANGUAGES else "en"


def _missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _wide() -> _decimal.Context:
    """A decimal context wide enough for any float: Babel quantizes in the current context,
    whose 28 digits refuse 1e30 written with one decimal (InvalidOperation)."""
    return _decimal.Context(prec=800, Emax=_decimal.MAX_EMAX, Emin=_decimal.MIN_EMIN)


# Beyond these a typed number is written in scientific notation rather than hundreds of digits.
_PLAIN_ABOVE = 1e-9
_PLAIN_BELOW = 1e15


def typed(value: float | int) -> str:
    """A number as a person typed it, in the current language's way: 7 (not 7.0), 3.5 in
    English, 3,5 in Catalan; 1E18 for a number too large or small to write out."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    with _decimal.localcontext(_wide()):
        if magnitude and not _PLAIN_ABOVE <= magnitude < _PLAIN_BELOW:
            return babel_numbers.format_scientific(value, format="0.######E0", locale=locale())
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return babel_numbers.format_decimal(
            value, format="#,##0.##########", locale=locale(), decimal_quantization=False
        )


def decimal(value: float | int | None, digits: int = 1) -> str:
    """``value`` with exactly ``digits`` decimals and the locale's separators."""
    if _missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    with _decimal.localcontext(_wide()):
        return babel_numbers.format_decimal(
            value,  # type: ignore[arg-type]
            format=pattern,
            locale=locale(),
            decimal_quantization=True,
        )


def integer(value: int | float | None) -> str:
    """A count with the locale's grouping: ``1,653``, ``1.653``."""
    if _missing(value):
        return MISSING
    with _decimal.localcontext(_wide()):
        return babel_numbers.format_decimal(round(value), format="#,##0", locale=locale())  # type: ignore[arg-type]


def percent(value: float | None, digits: int = 0) -> str:
    """A share from 0 to 1 as the locale writes a percentage: ``85%``, ``85 %``, ``%85``."""
    if _missing(value):
        return MISSING
    where = babel_numbers.Locale.parse(locale())
    pattern = where.percent_formats[None].pattern.split(";")[0]
    if digits > 0:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits)
    with _decimal.localcontext(_wide()):
        return babel_numbers.format_percent(value, format=pattern, locale=where)  # type: ignore[arg-type]


def signed(value: float | None, digits: int = 1) -> str:
    """A change with its sign: ``+2.5``, ``−1,0``."""
    if _missing(value):
        return MISSING
    text = decimal(abs(value), digits)  # type: ignore[arg-type]
    return ("+" if value > 0 else "−" if value < 0 else "±") + text  # type: ignore[operator]


def date(value: Date | DateTime | None, length: str = "medium") -> str:
    """A day: ``3 Mar 2026`` / ``3 de març 2026`` (``short``, ``medium``, ``long``)."""
    if value is None:
        return MISSING
    day = value.date() if isinstance(value, DateTime) else value
    if current_language() == PSEUDO:
        return day.isoformat()  # no English month names where a test looks for words
    return babel_dates.format_date(day, format=length, locale=locale())


def datetime(value: DateTime | None, length: str = "short") -> str:
    """A moment: the locale's date and time."""
    if value is None:
        return MISSING
    if current_language() == PSEUDO:
        return value.strftime("%Y-%m-%d %H:%M")
    return babel_dates.format_datetime(value, format=length, locale=locale())


def month(value: Date | DateTime | None) -> str:
    """A month and year: ``Mar 2026``, ``març 2026``, ``mar. 2026``, ``Mar 2026`` (Turkish)."""
    if value is None:
        return MISSING
    if current_language() == PSEUDO:
        return f"{value:%Y-%m}"
    return babel_dates.format_skeleton("yMMM", value, locale=locale())


def month_label_expr(first_year: int, last_year: int) -> str:
    """A Vega expression that labels a time axis's tick as :func:`month` labels its month,
    for ticks in ``first_year`` to ``last_year`` (Vega-Lite's own ``%b %Y`` knows English
    alone); any other tick keeps Vega's label."""
    labels = {
        f"{year:04d}-{number:02d}": month(Date(year, number, 1))
        for year in range(first_year, last_year + 1)
        for number in range(1, 13)
    }
    table = ",".join(
        f"{json.dumps(key)}:{json.dumps(label, ensure_ascii=False)}"
        for key, label in labels.items()
    )
    return f"{{{table}}}[timeFormat(datum.value, '%Y-%m')] || datum.label"


def month_name(month_number: int) -> str:
    """The month's full name in the current language (1 -> January, gener, ianuarie, Ocak)."""
    if current_language() == PSEUDO:
        return f"{month_number:02d}"
    return babel_dates.get_month_names("wide", context="stand-alone", locale=locale())[month_number]
