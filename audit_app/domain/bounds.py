"""Bounds on what people type, checked on the server for every way in (the visit form, JSON
and CSV answers, workbooks, branch lists, appeals, action notes, users).

One row must not break a page, a PDF or an export that many people share, so every text
has a length limit and every visit date a range. The limits live in ``Settings``
(``AUDIT_MAX_NAME_CHARS``, ``AUDIT_MAX_TEXT_CHARS``, ``AUDIT_EARLIEST_VISIT_DATE``,
``AUDIT_LATEST_VISIT_DAYS_AHEAD``) and reach here as one :class:`Bounds` value.

Control characters, decided once for every field:

- A **name** (auditor, branch name, owner, display name, region, ...) is one line: a tab
  or a line break in it (a pasted cell, Word's soft break) becomes a space; any other
  control character (NUL, ESC, DEL, C1) or a lone surrogate is refused, naming the field
  and the character. Dropping it silently would make "Ann" and "An\\x00n" two auditors.
- A **long text** (comment, reason, note, resolution, a text answer) keeps tabs and line
  breaks (CR LF, CR, vertical tab, form feed and Unicode line separators become one
  ``\\n``); any other control character is refused.

So no stored text holds a character a spreadsheet refuses (openpyxl's
IllegalCharacterError) or PostgreSQL cannot store (NUL).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from audit_app.domain.audit import Answer
from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats

NAME_COLUMN_CHARS = 200
"""The width of the name columns (``tables.py``); ``AUDIT_MAX_NAME_CHARS`` cannot exceed it,
so a name the services accept always fits the database, PostgreSQL included."""
TEXT_CEILING_CHARS = 2000
"""The longest long text any setting allows: the reports are tested at this length."""
CODE_KEY_CHARS = 128
"""The width of ``branches.code_key``: NFKC and case folding may lengthen a code."""


class BoundCode(StrEnum):
    """Which bound a value broke, for code that branches (never on the message)."""

    TOO_LONG = "too_long"
    CONTROL_CHARACTER = "control_character"
    DATE_OUT_OF_RANGE = "date_out_of_range"
    NOT_FINITE = "not_finite"


class OutOfBounds(AuditAppError):
    """A value outside its bound; the message names the field and the limit."""

    def __init__(self, code: BoundCode, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field

    def within(self, where: str) -> OutOfBounds:
        """The same refusal, said of a place (``action #12: the note is ...``)."""
        return OutOfBounds(self.code, self.field, f"{where}: {self}")


_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_NAME_SPACES = re.compile(r"\r\n|[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_NAME_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class Bounds:
    """The limits every service checks input against (see the module's docstring)."""

    name_chars: int = NAME_COLUMN_CHARS
    text_chars: int = TEXT_CEILING_CHARS
    earliest_visit: date = date(2000, 1, 1)
    latest_visit_days_ahead: int = 1
    """The latest visit date is today (by the server's clock) plus this many days:
    tomorrow by default, so a visit late in the day in a zone ahead of the server is kept."""

    def latest_visit(self, today: date | None = None) -> date:
        return (today or date.today()) + timedelta(days=self.latest_visit_days_ahead)

    def name(self, value: str, field: str, *, limit: int | None = None) -> str:
        """A one-line name, cleaned (line breaks and tabs as spaces, trimmed), or
        :class:`OutOfBounds`. ``limit`` replaces ``name_chars`` for a one-line field whose
        column has its own width (a region, an address)."""
        text = _NAME_SPACES.sub(" ", value).strip()
        _refuse_control(text, field, _NAME_CONTROL)
        _refuse_length(text, field, self.name_chars if limit is None else limit)
        return text

    def text(self, value: str, field: str) -> str:
        """A long text with its line breaks as ``\\n`` and tabs kept, trimmed, or
        :class:`OutOfBounds`."""
        text = _LINE_BREAKS.sub("\n", value).strip()
        _refuse_control(text, field, _CONTROL)
        _refuse_length(text, field, self.text_chars)
        return text

    def optional_text(self, value: str | None, field: str) -> str | None:
        """:meth:`text` for a text that may be absent; blank reads as absent."""
        if value is None:
            return None
        return self.text(value, field) or None

    def answer(self, answer: Answer) -> Answer:
        """The answer with its text value and comment held to the long-text bound."""
        value = answer.value
        if isinstance(value, str):
            value = self.text(value, answer_field(answer.item_id))
        comment = self.optional_text(answer.comment, comment_field(answer.item_id))
        if value == answer.value and comment == answer.comment:
            return answer
        return Answer(answer.item_id, value, answer.na, comment, answer.photos)

    def visit_date(self, when: date | datetime, field: str | None = None) -> None:
        """Refuse a visit before ``earliest_visit`` or after :meth:`latest_visit`."""
        field = field or _("the visit date")
        day = when.date() if isinstance(when, datetime) else when
        latest = self.latest_visit()
        if not self.earliest_visit <= day <= latest:
            raise OutOfBounds(
                BoundCode.DATE_OUT_OF_RANGE,
                field,
                _("{field} {day} is outside the accepted range {earliest} to {latest}").format(
                    field=field,
                    day=day.isoformat(),
                    earliest=self.earliest_visit.isoformat(),
                    latest=latest.isoformat(),
                ),
            )


def finite(value: object, field: str) -> None:
    """Refuse NaN and the infinities by name: JSON and pandas let them through as numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        shown = "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
        raise OutOfBounds(
            BoundCode.NOT_FINITE,
            field,
            _("{field}: {value} is not a number that can be stored").format(
                field=field, value=shown
            ),
        )


def answer_field(item_id: str) -> str:
    """How a refusal names an answer's value."""
    return _("the answer to item {item}").format(item=item_id)


def comment_field(item_id: str) -> str:
    """How a refusal names an answer's comment."""
    return _("the comment on item {item}").format(item=item_id)


def code_key(code: str) -> str:
    """What makes two branch codes the same: Unicode width and case ignored (NFKC, then
    case folding), so ``es-cat-01`` and ``ＥＳ-CAT-01`` are ``ES-CAT-01``."""
    return unicodedata.normalize("NFKC", code).casefold()


def _refuse_control(text: str, field: str, pattern: re.Pattern[str]) -> None:
    found = pattern.search(text)
    if found is not None:
        raise OutOfBounds(
            BoundCode.CONTROL_CHARACTER,
            field,
            _(
                "{field} holds the control character {character} at character {position}; remove it"
            ).format(
                field=field,
                character=f"U+{ord(found.group(0)):04X}",
                position=formats.integer(found.start() + 1),
            ),
        )


def _refuse_length(text: str, field: str, limit: int) -> None:
    if len(text) > limit:
        raise OutOfBounds(
            BoundCode.TOO_LONG,
            field,
            _("{field} is {length} characters long; the limit is {limit}").format(
                field=field, length=formats.integer(len(text)), limit=formats.integer(limit)
            ),
        )
