"""Month names as agencies write them in dates (``7 November 2025``, ``30 de novembre de
2025``, ``7 noiembrie 2025``, ``7 Kasım 2025``): English, Catalan, Spanish, Romanian and
Turkish, full and abbreviated, compared folded (no case, no accents).

A table, not the platform's locale: ``strptime`` reads month names in the process's
locale only, and the server's locale is not the file's.
"""

from __future__ import annotations

import re
import unicodedata

_NAMES: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "gener", "gen", "enero", "ene", "ianuarie", "ian", "ocak", "oca"),
    2: ("february", "feb", "febrer", "febrero", "februarie", "subat", "sub"),
    3: ("march", "mar", "marc", "marzo", "martie", "mart"),
    4: ("april", "apr", "abril", "abr", "aprilie", "nisan", "nis"),
    5: ("may", "maig", "mayo", "mai", "mayis", "may"),
    6: ("june", "jun", "juny", "junio", "iunie", "iun", "haziran", "haz"),
    7: ("july", "jul", "juliol", "julio", "iulie", "iul", "temmuz", "tem"),
    8: ("august", "aug", "agost", "ago", "agosto", "agustos", "agu"),
    9: ("september", "sep", "sept", "setembre", "set", "septiembre", "septembrie", "eylul", "eyl"),
    10: ("october", "oct", "octubre", "octombrie", "ekim", "eki"),
    11: ("november", "nov", "novembre", "noviembre", "noiembrie", "noi", "kasim", "kas"),
    12: ("december", "dec", "desembre", "des", "diciembre", "dic", "decembrie", "aralik", "ara"),
}
MONTHS: dict[str, int] = {name: number for number, names in _NAMES.items() for name in names}
"""Folded month name or abbreviation -> month number."""

FILLER_WORDS = frozenset({"de", "del", "d", "of", "the"})
"""Words between a day, a month and a year (``30 de novembre de 2025``, ``d'abril``)."""

MONTH_PATTERN = "|".join(sorted(MONTHS, key=len, reverse=True))
"""A regular expression alternative of every folded month name, longest first."""


def fold_word(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("İ", "I"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def month_number(word: str) -> int | None:
    """``Noiembrie`` -> 11, ``Kasım`` -> 11, ``sept.`` -> 9; None for any other word."""
    return MONTHS.get(fold_word(word).strip(".").strip())


_TOKEN = re.compile(r"[^\W\d_]+|\d+")


def date_parts(text: str) -> tuple[int, int, int | None] | None:
    """(year, month, day or None) from a date written with a month name in any order a
    person writes it: ``7 November 2025``, ``Nov 30, 2025``, ``30 de novembre de 2025``,
    ``May 2025`` (no day); None when the text holds anything else."""
    tokens = _TOKEN.findall(fold_word(text))
    month: int | None = None
    numbers: list[str] = []
    for token in tokens:
        if token.isdigit():
            numbers.append(token)
        elif token in FILLER_WORDS:
            continue
        elif month is None and token in MONTHS:
            month = MONTHS[token]
        else:
            return None
    if month is None:
        return None
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(days) > 1 or len(years) + len(days) != len(numbers):
        return None
    return int(years[0]), month, int(days[0]) if days else None
