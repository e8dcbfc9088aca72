"""Rows of a real-world sheet that are not visits: blank rows, separator rows, subtotal
and average rows, and stores marked closed. They are left out and counted by reason, so
that an import can say "3 subtotal rows and 1 store closed were skipped"."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from audit_app.excel.mapping.profile import SkipRules
from audit_app.excel.vocabulary import fold

BLANK = "blank row"
SEPARATOR = "separator row"
SUBTOTAL = "subtotal row"
CLOSED = "store closed"
REPEATED_HEADER = "repeated header row"

_DECORATION = " -_=*.#~|/\\"


def is_empty(value: Any) -> bool:
    """Empty, or only rule characters (``-----``, ``====``) as separator rows hold."""
    if value is None or value == "":
        return True
    return isinstance(value, str) and not value.strip(_DECORATION + "\t\u00a0")


class RowSkipper:
    """Decides, once per row and cheaply, whether a row is a visit or why it is not.

    A row is a separator when its ``identity`` cells (the date; in a long layout also the
    question) and its ``answers`` cells are all empty: a region label or a rule of dashes
    does not make a visit. ``labels`` (branch code and name) are where subtotal labels
    and closed markers are looked for. A row whose identity cells repeat the header's
    texts is the header printed again on a new page.
    """

    def __init__(
        self,
        rules: SkipRules,
        *,
        identity: Sequence[int],
        labels: Sequence[int],
        answers: Sequence[int],
        marker_column: int | None = None,
        header: Sequence[str] = (),
    ) -> None:
        self.identity = tuple(identity)
        self.labels = tuple(labels)
        self.answers = tuple(answers)
        self.subtotal = re.compile(rules.subtotal_pattern) if rules.subtotal_pattern else None
        self.markers = tuple(fold(marker) for marker in rules.closed_markers if marker.strip())
        self.exact_markers = frozenset(
            variant
            for marker in rules.closed_markers
            for variant in (
                marker,
                marker.lower(),
                marker.upper(),
                marker.title(),
                marker.capitalize(),
            )
        )
        self.marker_column = marker_column
        self.marker_places = tuple(dict.fromkeys((*labels, *answers[:1])))
        self._marker_texts: dict[str, bool] = {}
        self.header_texts = tuple(
            (column, header[column]) for column in self.identity if column < len(header)
        )

    def reason(self, values: Sequence[Any]) -> str | None:
        """None for a visit; else why the row is skipped."""
        if not any(values) and all(value == "" or value is None for value in values):
            return BLANK
        if self.subtotal is not None and self._is_subtotal(values):
            return SUBTOTAL
        if self.markers and self._is_closed(values):
            return CLOSED
        if self.header_texts and all(
            isinstance(values[c], str) and values[c].strip() == text
            for c, text in self.header_texts
        ):
            return REPEATED_HEADER
        if all(is_empty(values[c]) for c in self.identity) and all(
            is_empty(values[c]) for c in self.answers
        ):
            return SEPARATOR
        return None

    def _is_subtotal(self, values: Sequence[Any]) -> bool:
        search = self.subtotal.search  # type: ignore[union-attr]
        for column in self.labels:
            value = values[column]
            if isinstance(value, str) and search(value):
                return True
        for value in values:
            if value != "" and value is not None:
                return isinstance(value, str) and search(value) is not None
        return False

    def _is_closed(self, values: Sequence[Any]) -> bool:
        if self.marker_column is not None:
            return self._is_marker(values[self.marker_column])
        if not self.exact_markers.isdisjoint(values):
            return True
        return any(self._is_marker(values[column]) for column in self.marker_places)

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
        text = fold(value)
        if not text:
            return False
        for marker in self.markers:
            if text == marker or (text.startswith(marker) and text[len(marker)] in " -–—:;,("):
                return True
        return False
