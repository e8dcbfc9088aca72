"""Which column of a branch list holds which field of a branch: named by the user
(``--column name="Store"``), else guessed from the header by synonyms, each guess kept
with its header text and column letter so the report can show it."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from audit_app.i18n import _
from audit_app.intake.branch_list.synonyms import BRANCH_SYNONYMS, PERSON_WORDS, WEAK
from audit_app.intake.layouts.profile.matching import header_key

GuessHow = Literal["given", "synonym", "weak", "contains"]
LONGEST_HEADER_WORDS = 4
"""A longer header containing ``store`` is a note or a question, not a column name."""
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


@dataclass(frozen=True)
class ColumnGuess:
    """One field's column: its index in the grid, its header text and letter (or the
    CSV's header), and how it was found."""

    field: str
    index: int
    header: str
    letter: str
    how: GuessHow

    def to_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "column": self.letter,
            "header": self.header,
            "how": self.how,
        }


def field_key(text: Any) -> str:
    """``StoreCode`` -> ``store code``, ``Mağaza Kodu:`` -> ``magaza kodu``."""
    if text is None:
        return ""
    raw = str(text)
    return header_key(_CAMEL.sub(" ", raw))


def field_score(key: str, field: str) -> int:
    """How well a header names a field: 100 a synonym, 60 a weak word alone (``Name``),
    else 10 per word of the longest synonym it contains, 0 for a header of people."""
    if not key:
        return 0
    words = key.split()
    if field != "manager" and PERSON_WORDS.intersection(words):
        return 0
    synonyms = BRANCH_SYNONYMS[field]
    if key in synonyms:
        return 100
    if key in WEAK.get(field, ()):
        return 60
    if len(words) > LONGEST_HEADER_WORDS:
        return 0
    best = 0
    for synonym in synonyms:
        needed = synonym.split()
        if all(word in words for word in needed):
            best = max(best, 10 * len(needed))
    return best


def is_header_like(key: str) -> bool:
    """Whether a header cell names any field: how a header row is told from data."""
    return any(field_score(key, field) for field in BRANCH_SYNONYMS)


def guess_columns(
    header: Sequence[str],
    letters: Sequence[str],
    given: Mapping[str, str] | None = None,
) -> tuple[dict[str, ColumnGuess], list[str]]:
    """Field -> column, each column used once: the user's choices first, then the
    best-named column per field (ties: the leftmost). Also the user's choices that name
    no column of the header (as problems)."""
    keys = [field_key(text) for text in header]
    chosen: dict[str, ColumnGuess] = {}
    problems: list[str] = []
    for field, wanted in (given or {}).items():
        if field not in BRANCH_SYNONYMS:
            problems.append(
                _("{field} is not a field of a branch ({fields})").format(
                    field=field, fields=", ".join(BRANCH_SYNONYMS)
                )
            )
            continue
        index = next((i for i, key in enumerate(keys) if key and key == field_key(wanted)), None)
        if index is None:
            shown = ", ".join(f"'{text}'" for text in header if text)
            problems.append(
                _("no column '{column}' for {field} in the header ({header})").format(
                    column=wanted, field=field, header=shown
                )
            )
            continue
        chosen[field] = ColumnGuess(field, index, header[index], letters[index], "given")
    used = {guess.index for guess in chosen.values()}
    pairs = [
        (score, -index, field, index)
        for field in BRANCH_SYNONYMS
        if field not in chosen
        for index, key in enumerate(keys)
        if (score := field_score(key, field))
    ]
    for score, _left, field, index in sorted(pairs, reverse=True):
        if field in chosen or index in used:
            continue
        how: GuessHow = "synonym" if score == 100 else "weak" if score == 60 else "contains"
        chosen[field] = ColumnGuess(field, index, header[index], letters[index], how)
        used.add(index)
    order = {field: n for n, field in enumerate(BRANCH_SYNONYMS)}
    return dict(sorted(chosen.items(), key=lambda pair: order[pair[0]])), problems


def person_headers(header: Sequence[str]) -> tuple[list[str], list[str]]:
    """Headers that say the sheet lists people (``Employee``, ``Job title``), and those
    that name a manager (a branch list's ``Area Manager`` column, or a staff sheet's)."""
    people, managers = [], []
    for text in header:
        words = field_key(text).split()
        if PERSON_WORDS.intersection(words):
            people.append(text)
        elif field_score(" ".join(words), "manager") > 0:
            managers.append(text)
    return people, managers
