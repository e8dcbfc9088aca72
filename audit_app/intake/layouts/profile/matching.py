"""Telling which header or question is which: texts compared without case, accents,
punctuation or a leading question number (``Q3.``), items found by their id, by their
question text in any of the checklist's languages, or by similarity above a threshold.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from audit_app.domain.checklist import Checklist
from audit_app.domain.intake.vocabulary import fold

MatchHow = Literal["profile", "question_id", "id", "text", "similarity"]
HEADER_SEARCH_ROWS = 30
"""How far down a sheet the header row is looked for."""

_NOT_WORD = re.compile(r"[^\w]+")
_QUESTION_NUMBER = re.compile(
    r"^(?:q|p|s|n|nr|no|item|pregunta|preg|intrebarea|intrebare|soru)?\s?\d+[a-z]?(?:\s\d+)*\s+"
)


_QUESTION_IDS = (
    re.compile(r"^\s*[(\[]\s*(?P<id>[A-Za-z]{0,3}\d{3,})\s*[)\]]"),
    re.compile(r"^\s*(?P<id>[A-Za-z]{0,3}\d{3,})\s*[-–—:.)]\s*\S"),
    re.compile(r"\S\s*[(\[]\s*(?P<id>[A-Za-z]{0,3}\d{3,})\s*[)\]]\s*$"),
)
_QUESTION_PREFIX = re.compile(r"^(?:QID|Q)(?=\d)")
"""``Q759215`` and ``QID759215`` are question 759215: one agency writes the letter, the
next wave's export the number alone in brackets."""
_BARE_ID = re.compile(r"^\s*(?P<id>[A-Za-z]{0,3}\d{3,})\s*$")


def question_id(value: Any, *, bare: bool = False) -> str | None:
    """The stable question id a header carries, which survives rewording between waves:
    ``(759215) Was the fitting room clean?``, ``[759215] ...``, ``759215 - ...``, ``...
    (759215)``, ``Q759215 - ...`` -> ``759215``. ``bare``: a text that is
    only an id (a profile's ``items:`` key) counts too."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value)
    for pattern in (*_QUESTION_IDS, *((_BARE_ID,) if bare else ())):
        found = pattern.search(text)
        if found:
            return _QUESTION_PREFIX.sub("", found["id"].upper())
    return None


def header_key(value: Any) -> str:
    """``  Visit-Date: `` -> ``visit date``: what two header texts must share to be equal."""
    if value is None:
        return ""
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    return " ".join(_NOT_WORD.sub(" ", fold(text).replace("_", " ")).split())


def question_key(value: Any) -> str:
    """A header or question text without its number: ``Q3. Eye contact?`` -> ``eye contact``."""
    key = header_key(value)
    stripped = _QUESTION_NUMBER.sub("", key)
    return stripped or key


def text_similarity(one: Any, other: Any) -> float:
    """How alike two question texts are, numbers and ids left out, 0 to 1."""
    a, b = question_key(one), question_key(other)
    if len(a) < 4 or len(b) < 4:
        return 0.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class ItemMatch:
    item_id: str
    how: MatchHow
    ratio: float | None = None


class ItemMatcher:
    """Finds the checklist item a header or question text stands for."""

    def __init__(self, checklist: Checklist, threshold: float = 0.8) -> None:
        self.threshold = threshold
        self._ids = {item.id.casefold(): item.id for item in checklist.items}
        self._by_id = {header_key(item.id): item.id for item in checklist.items}
        self._by_text: dict[str, str] = {}
        for item in checklist.items:
            for text in item.text.values():
                self._by_text.setdefault(question_key(text), item.id)
        self._id_pattern = re.compile(
            r"(?<![\w.])("
            + "|".join(re.escape(i) for i in sorted(self._ids, key=len, reverse=True))
            + r")(?![\w.])"
        )

    def exact(self, text: Any) -> ItemMatch | None:
        """By id (``welcome.eye_contact``, also inside ``Eye contact [welcome.eye_contact]``)
        or by the question text itself."""
        raw = str(text).strip().casefold() if text is not None else ""
        if not raw:
            return None
        if raw in self._ids:
            return ItemMatch(self._ids[raw], "id")
        key = header_key(text)
        if key in self._by_id:
            return ItemMatch(self._by_id[key], "id")
        found = self._id_pattern.search(raw)
        if found:
            return ItemMatch(self._ids[found[1]], "id")
        by_text = self._by_text.get(question_key(text))
        return ItemMatch(by_text, "text") if by_text else None

    def similar(self, text: Any) -> ItemMatch | None:
        """The most similar question text, when at least as similar as the threshold."""
        key = question_key(text)
        if len(key) < 4:
            return None
        best: ItemMatch | None = None
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        for candidate, item_id in self._by_text.items():
            matcher.set_seq1(candidate)
            if (
                matcher.real_quick_ratio() < self.threshold
                or matcher.quick_ratio() < self.threshold
            ):
                continue
            ratio = matcher.ratio()
            if ratio >= self.threshold and (best is None or ratio > (best.ratio or 0)):
                best = ItemMatch(item_id, "similarity", round(ratio, 3))
        return best

    def match(self, text: Any) -> ItemMatch | None:
        return self.exact(text) or self.similar(text)

    def is_item_text(self, text: Any) -> bool:
        """Cheap test for header scoring: an item id or question text, no similarity."""
        return self.exact(text) is not None


def assign_one_to_one(
    candidates: Iterable[tuple[int, ItemMatch]],
) -> dict[int, ItemMatch]:
    """Column -> item, no item taken twice: ids first, then texts, then the most similar."""
    rank = {"profile": 0, "question_id": 0, "id": 1, "text": 2, "similarity": 3}
    ordered = sorted(candidates, key=lambda c: (rank[c[1].how], -(c[1].ratio or 1.0), c[0]))
    taken: set[str] = set()
    assigned: dict[int, ItemMatch] = {}
    for column, match in ordered:
        if column in assigned or match.item_id in taken:
            continue
        assigned[column] = match
        taken.add(match.item_id)
    return assigned


def find_header_row(
    rows: Sequence[Sequence[Any]],
    score: Any,
    limit: int = HEADER_SEARCH_ROWS,
) -> tuple[int, int]:
    """(offset, score) of the first row among the first ``limit`` that scores best;
    ``score`` is called with a row's texts. A title or banner row scores low: it holds
    one text, not the expected column names."""
    best_offset, best_score = 0, -1
    for offset, row in enumerate(rows[:limit]):
        points = score([header_key(value) for value in row], row)
        if points > best_score:
            best_offset, best_score = offset, points
    return best_offset, max(best_score, 0)


HEADER_COVERAGE = 0.6
"""A header row names at least this share of the columns that hold data below it."""
HEADER_LOOK_BELOW = 500
"""How many rows below a candidate header row are compared with it."""


def find_header_row_over_data(
    rows: Sequence[Sequence[Any]],
    score: Any,
    limit: int = HEADER_SEARCH_ROWS,
) -> tuple[int, int]:
    """``find_header_row``, but never a row of data when a header row stands above it.

    A row scoring a point (a cell reading ``store`` in a column of store types) can
    outscore the real header when its column names are unusual. So the topmost row that
    looks like a header wins: it scores, every filled cell is a text found nowhere in its
    column below (the whole row repeated is a repeated header, not data), and it names
    most of the columns that hold data under it (a banner or a
    ``Region: North`` line does not). Without such a row, the best-scoring row, as before."""
    shown = rows[:limit]
    for offset, row in enumerate(shown):
        points = score([header_key(value) for value in row], row)
        if points > 0 and _heads_the_data(rows, offset):
            return offset, points
    return find_header_row(rows, score, limit)


def _heads_the_data(rows: Sequence[Sequence[Any]], offset: int) -> bool:
    row = rows[offset]
    filled = [i for i, value in enumerate(row) if not _blank(value)]
    if len(filled) < 2 or not all(isinstance(row[i], str) for i in filled):
        return False
    keys = {i: header_key(row[i]) for i in filled}
    used: set[int] = set()
    for other in rows[offset + 1 : offset + 1 + HEADER_LOOK_BELOW]:
        used.update(i for i, value in enumerate(other) if not _blank(value))
        same = sum(1 for i in filled if i < len(other) and header_key(other[i]) == keys[i])
        if 0 < same < len(filled):  # a value of the data; the whole row again is a repeat
            return False
    if not used:
        return False
    return len(used & set(filled)) >= HEADER_COVERAGE * len(used)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
