"""Numbers inside the comparison's sentences (notices, methods, readings), as the current
language writes them.

In English they are written exactly as the command line always printed them (``84.9``,
``+2.7``, ``1,653``), so its output stays the same; in Catalan, Romanian and Turkish through
:mod:`audit_app.i18n.formats` (``84,9``, ``+2,7``, ``1.653``).
"""

from __future__ import annotations

from audit_app.i18n import current_language, formats

_AS_ALWAYS = ("en", "qps")


def _english() -> bool:
    return current_language() in _AS_ALWAYS


def num(value: float | None, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals (a dash when missing)."""
    if value is None:
        return formats.MISSING
    if _english():
        return f"{value:.{digits}f}"
    return formats.decimal(value, digits)


def signed(value: float, digits: int = 1) -> str:
    """``value`` with its sign (``+2.7``, ``-4.5``)."""
    if _english():
        return f"{value:+.{digits}f}"
    if value == 0:
        return "+" + formats.decimal(0.0, digits)
    return ("+" if value > 0 else "−") + formats.decimal(abs(value), digits)


def count(value: int) -> str:
    """A count with the language's grouping (``1,653``)."""
    if _english():
        return f"{value:,}"
    return formats.integer(value)
