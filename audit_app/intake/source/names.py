"""File names, and texts quoted from a file, made safe to store and to show.

A browser, a crafted request or a script can send any name with a file:
``../../etc/passwd.xlsx``, ``C:\\evil\\x.csv``, control characters that rewrite a terminal
line (``\\x1b[31m``) or split a log line (``\\n``), a right-to-left override that disguises
the suffix, ten thousand characters. A name is only a label here: it never becomes a path.
So only its final component is kept (after ``/`` or ``\\``, whatever the platform), control
and format characters become ``_``, and the length is capped, the suffix kept so that the
reader still knows the file's type.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_CHARS = 120
"""Longer names are cut in the middle of the stem: enough to recognise a file by."""
UNNAMED = "unnamed file"
_SEPARATORS = re.compile(r"[\\/]")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control, format (bidirectional overrides, zero-width), lone surrogates, line and
paragraph separators."""


def safe_file_name(name: object, limit: int = MAX_NAME_CHARS) -> str:
    """The final component of ``name``, printable and at most ``limit`` characters."""
    final = _SEPARATORS.split(str(name))[-1].strip()
    cleaned = "".join(
        "_" if unicodedata.category(char) in _UNSAFE_CATEGORIES else char for char in final
    ).strip()
    if cleaned in {"", ".", ".."}:
        return UNNAMED
    if len(cleaned) <= limit:
        return cleaned
    stem, dot, suffix = cleaned.rpartition(".")
    kept = f".{suffix}" if dot and stem and 0 < len(suffix) <= 10 else ""
    return cleaned[: limit - len(kept) - 1].rstrip() + "…" + kept


def printable(text: object, limit: int = 300) -> str:
    """A text from outside (a parser's error quoting the file) safe to show on one line:
    control and format characters replaced, the length capped."""
    cleaned = "".join(
        "_" if unicodedata.category(char) in _UNSAFE_CATEGORIES else char for char in str(text)
    )
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"
