"""Rows of a real-world sheet that are not visits: blank rows, separator rows, subtotal and
average rows, stores marked closed, the header printed again, and rows an explicit rule of
the profile leaves out. Each is listed with its row, reason and the text that decided it.

The guesses look only at the columns they are about (the branch code and name columns,
and a declared status column) and never leave out a row that names a known branch and
holds an answer: such a row is imported, or the file is refused naming it. Only an
explicit ``skip.rules`` entry on a named column leaves out any row.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from audit_app.domain.intake.model import SkipReason
from audit_app.domain.intake.vocabulary import fold, is_closed_marker
from audit_app.intake.layouts.profile.profile import SkipRule, SkipRules

_DECORATION = " -_=*.#~|/\\"
TEXT_CAP = 200
"""A skipped row's text is shown, not stored: long enough to recognise it."""


def is_empty(value: Any) -> bool:
    """Empty, or only rule characters (``-----``, ``====``) as separator rows hold."""
    if value is None or value == "":
        return True
    return isinstance(value, str) and not value.strip(_DECORATION + "\t\u00a0")


def shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text if len(text) <= TEXT_CAP else text[: TEXT_CAP - 1] + "…"


Skip = tuple[SkipReason, str]
"""Why a row is left out, and the text that decided it."""


class RowSkipper:
    """Decides, once per row and cheaply, whether a row is a visit or why it is not.

    ``identity`` are the cells every visit fills (the date; in a long layout also the
    question), ``labels`` the branch code and name columns, ``answers`` the mapped answer
    columns, ``status`` a declared status column, ``rules`` the profile's explicit rules
    as (column, rule), and ``names_branch`` whether a cell names a known branch.
    """

    def __init__(
        self,
        rules: SkipRules,
        *,
        identity: Sequence[int],
        labels: Sequence[int],
        answers: Sequence[int],
        status: int | None = None,
        header: Sequence[str] = (),
        explicit: Sequence[tuple[int, SkipRule]] = (),
        names_branch: Callable[[Any], bool] | None = None,
    ) -> None:
        self.identity = tuple(identity)
        self.date = self.identity[0] if self.identity else None
        """The visit date's column: the first identity cell."""
        self.labels = tuple(labels)
        self.answers = tuple(answers)
        self.status = status
        self.subtotal = re.compile(rules.subtotal_pattern) if rules.subtotal_pattern else None
        self.markers = tuple(fold(marker) for marker in rules.closed_markers if marker.strip())
        self.marker_places = tuple(dict.fromkeys((*labels, *(() if status is None else (status,)))))
        self.explicit = tuple(
            (column, frozenset(fold(str(text)) for text in rule.equals), _pattern(rule))
            for column, rule in explicit
        )
        self.names_branch = names_branch or (lambda value: False)
        self._marker_texts: dict[str, bool] = {}
        self.header_texts = tuple(
            (column, header[column]) for column in self.identity if column < len(header)
        )

    def reason(self, values: Sequence[Any], carried: Sequence[Any] | None = None) -> Skip | None:
        """None for a visit; else why the row is left out and the text that decided it.
        ``carried``: the row whose visit cells this one continues (a long layout writes the
        branch and date on a visit's first row only)."""
        if not any(values) and all(value == "" or value is None for value in values):
            return SkipReason.BLANK, ""
        for column, equals, pattern in self.explicit:
            value = values[column]
            text = shown(value)
            if (equals and fold(text) in equals) or (pattern and pattern.search(text)):
                return SkipReason.RULE, text
        if self.header_texts and all(
            isinstance(values[c], str) and values[c].strip() == text
            for c, text in self.header_texts
        ):
            return SkipReason.REPEATED_HEADER, " | ".join(text for _, text in self.header_texts)
        guess = self._guess(values)
        if guess is not None and not self._protected(values, carried):
            return guess
        if all(is_empty(values[c]) for c in self.identity) and all(
            is_empty(values[c]) for c in self.answers
        ):
            return SkipReason.SEPARATOR, next((shown(v) for v in values if shown(v)), "")
        return None

    def _guess(self, values: Sequence[Any]) -> Skip | None:
        if self.subtotal is not None:
            for column in self.labels:
                value = values[column]
                if isinstance(value, str) and self.subtotal.search(value):
                    return SkipReason.SUBTOTAL, shown(value)
        if self.markers:
            for column in self.marker_places:
                if self._is_marker(values[column]):
                    return SkipReason.CLOSED, shown(values[column])
        return None

    def _protected(self, values: Sequence[Any], carried: Sequence[Any] | None) -> bool:
        """A row that holds an answer and names a known branch, or a visit date, is never
        guessed away (its own cells, or those of the row it continues): it is a visit, to
        be imported or refused by name."""
        if all(is_empty(values[c]) for c in self.answers):
            return False
        rows = (values,) if carried is None else (values, carried)
        return any(
            any(self.names_branch(row[c]) for c in self.labels)
            or (self.date is not None and not is_empty(row[self.date]))
            for row in rows
        )

    def _is_marker(self, value: Any) -> bool:
        """``Closed``, ``store closed``, ``Closed - refurbishment``, ``Tancat (obres)``;
        remembered per text, since branch names repeat down a sheet."""
        if not isinstance(value, str):
            return False
        known = self._marker_texts.get(value)
        if known is None:
            known = self._marker_texts[value] = self._starts_with_marker(value)
        return known

    def _starts_with_marker(self, value: str) -> bool:
        return is_closed_marker(value, self.markers)


def _pattern(rule: SkipRule) -> re.Pattern[str] | None:
    return re.compile(rule.matches) if rule.matches else None
