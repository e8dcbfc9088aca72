"""Turning what people type into typed answers, and saying plainly what is wrong.

One parser serves every way an answer arrives: the ``score`` command's CSV and JSON,
Excel cells, the app's widgets and the database's stored text. Messages name the
question, not only the item id, because a manager reads them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from audit_app.domain.audit import Answer, AnswerValue
from audit_app.domain.checklist import (
    Checklist,
    ChoiceItem,
    Item,
    NumberItem,
    PercentageItem,
    ScaleItem,
    YesNoItem,
    localized,
)
from audit_app.domain.skip_logic import not_applicable
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language, formats, pgettext

NA_WORDS = frozenset({"na", "n/a", "n.a.", "not applicable", "no aplica", "nu se aplică", "yok"})
YES_WORDS = frozenset({"yes", "y", "true", "1", "sí", "si", "da", "evet", "x"})
NO_WORDS = frozenset({"no", "n", "false", "0", "nu", "hayır", "hayir"})

ProblemKind = Literal[
    "missing",
    "invalid",
    "unknown_item",
    "na_not_allowed",
    "duplicate",
    "too_many_photos",
    "bad_photo_reference",
    "photo_required",
]


@dataclass(frozen=True)
class AnswerProblem:
    item_id: str
    kind: ProblemKind
    message: str

    def __str__(self) -> str:
        return self.message


class AnswersRejected(AuditAppError):
    """The answers cannot be scored; every problem is listed, not only the first."""

    def __init__(self, problems: Iterable[AnswerProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(problem.message for problem in self.problems))

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p.item_id for p in self.problems if p.kind == "missing")


class InvalidAnswer(AuditAppError):
    def __init__(self, problem: AnswerProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def question(item: Item, language: str | None = None) -> str:
    """The item's question in ``language`` (by default the current one), else English."""
    return localized(item.text, language or current_language(), "en")


def shown_number(value: float | int) -> str:
    """A number as a person typed it, in the current language's way (7, not 7.0)."""
    return formats.typed(value)


def shown(raw: Any) -> str:
    """What was written, as it was written: text as typed, a number without a stray .0."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return pgettext("answer", "Yes") if raw else pgettext("answer", "No")
    if isinstance(raw, int | float) and math.isfinite(raw):
        return shown_number(raw)
    if isinstance(raw, date):
        return raw.isoformat()[:10]
    return str(raw)


def allowed_answers(item: Item, language: str | None = None) -> str:
    """What may be written for ``item``, as a manager would read it, in the current
    language; ``language`` chooses the checklist's own words (choice labels)."""
    na = ", N/A" if item.na_allowed else ""
    if isinstance(item, YesNoItem):
        return f"{pgettext('answer', 'Yes')}, {pgettext('answer', 'No')}{na}"
    if isinstance(item, ScaleItem):
        words = _("a whole number from {low} to {high}").format(
            low=shown_number(item.min), high=shown_number(item.max)
        )
        return words + na
    if isinstance(item, ChoiceItem):
        chosen = language or current_language()
        labels = (localized(o.label, chosen, "en") or o.value for o in item.options)
        return ", ".join(labels) + na
    if isinstance(item, PercentageItem):
        return _("a percentage from 0 to 100") + na
    if isinstance(item, NumberItem):
        if item.min is not None and item.max is not None:
            words = _("a number from {low} to {high}").format(
                low=shown_number(item.min), high=shown_number(item.max)
            )
        elif item.min is not None:
            words = _("a number from {low}").format(low=shown_number(item.min))
        elif item.max is not None:
            words = _("a number up to {high}").format(high=shown_number(item.max))
        else:
            words = _("a number")
        unit = f" ({item.unit})" if item.unit else ""
        return f"{words}{unit}{na}"
    if item.type == "date":
        return _("a date (YYYY-MM-DD)") + na
    return _("any text") + na


def is_na(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip().casefold() in NA_WORDS


def is_blank(raw: Any) -> bool:
    """Nothing written. A float NaN is not blank: it is a number that went wrong (JSON's
    ``NaN``), refused by :func:`parse_answer` with its item; pages turn a table's empty cell
    (pandas' NaN) into ``None`` before they parse it."""
    if raw is None:
        return True
    return isinstance(raw, str) and not raw.strip()


def parse_answer(
    item: Item, raw: Any, *, comment: str | None = None, language: str | None = None
) -> Answer:
    """Read ``raw`` (text, number or bool) as an answer to ``item``.

    Blank means unanswered; ``na`` (any case) means N/A where the item allows it.
    Raises :class:`InvalidAnswer` with a message that quotes the question.
    """
    comment = comment.strip() if isinstance(comment, str) and comment.strip() else None
    if isinstance(raw, float) and not math.isfinite(raw):
        written = "NaN" if math.isnan(raw) else ("Infinity" if raw > 0 else "-Infinity")
        raise InvalidAnswer(
            AnswerProblem(
                item.id,
                "invalid",
                _(
                    "{value} is not a number: it is not an answer to '{question}' "
                    "(allowed: {allowed})"
                ).format(
                    value=written,
                    question=question(item, language),
                    allowed=allowed_answers(item, language),
                ),
            )
        )
    if is_blank(raw):
        return Answer(item.id, None, False, comment)
    if is_na(raw):
        if not item.na_allowed:
            raise InvalidAnswer(
                AnswerProblem(
                    item.id,
                    "na_not_allowed",
                    _("N/A is not allowed for '{question}' (allowed: {allowed})").format(
                        question=question(item, language),
                        allowed=allowed_answers(item, language),
                    ),
                )
            )
        return Answer(item.id, None, True, comment)
    value = _typed_value(item, raw, language)
    if value is None:
        raise InvalidAnswer(AnswerProblem(item.id, "invalid", refusal(item, raw, language)))
    return Answer(item.id, value, False, comment)


def refusal(item: Item, raw: Any, language: str | None = None) -> str:
    """Why ``raw`` is not an answer to ``item``, in the user's terms: "7 is above the
    scale's 5", "3.5 is not a whole number on a 1–5 scale", "120 is over 100%"; else that
    it is not an answer, with what is allowed. Always quotes the question."""
    values = {
        "value": shown(raw),
        "question": question(item, language),
        "allowed": allowed_answers(item, language),
    }
    why = _value_refusal(item, raw)
    if why is not None:
        sentence, bounds = why
        return sentence.format(**values, **bounds)
    return _("'{value}' is not an answer to '{question}' (allowed: {allowed})").format(**values)


def _value_refusal(item: Item, raw: Any) -> tuple[str, dict[str, str]] | None:
    """The translated sentence (placeholders value, question, allowed, and the bounds
    given with it) for a number or a date that is one but does not fit; None when ``raw``
    is not even that."""
    if isinstance(item, ScaleItem):
        number = _number(raw)
        if number is None:
            return None
        low, high = shown_number(item.min), shown_number(item.max)
        if not number.is_integer():
            return _(
                "{value} is not a whole number on a {low}–{high} scale: '{question}' "
                "(allowed: {allowed})"
            ), dict(low=low, high=high)
        if number > item.max:
            return _(
                "{value} is above the scale's {high}: '{question}' (allowed: {allowed})"
            ), dict(high=high)
        if number < item.min:
            return _("{value} is below the scale's {low}: '{question}' (allowed: {allowed})"), dict(
                low=low
            )
        return None
    if isinstance(item, PercentageItem):
        number = _number(raw, percent_sign=True)
        if number is None:
            return None
        if number > 100:
            return _("{value} is over 100%: '{question}' (allowed: {allowed})"), {}
        if number < 0:
            return _("{value} is below 0%: '{question}' (allowed: {allowed})"), {}
        return None
    if isinstance(item, NumberItem):
        number = _number(raw)
        if number is None:
            return None
        if item.max is not None and number > item.max:
            return _(
                "{value} is above the maximum of {high}: '{question}' (allowed: {allowed})"
            ), dict(high=shown_number(item.max))
        if item.min is not None and number < item.min:
            return _(
                "{value} is below the minimum of {low}: '{question}' (allowed: {allowed})"
            ), dict(low=shown_number(item.min))
        return None
    if item.type == "date":
        return _("'{value}' is not a date: '{question}' (allowed: {allowed})"), {}
    return None


def _typed_value(item: Item, raw: Any, language: str | None) -> AnswerValue:
    """The typed value, or None when ``raw`` does not fit the item."""
    if isinstance(item, YesNoItem):
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().casefold()
        if isinstance(raw, int | float) and raw in (0, 1):
            return bool(raw)
        return True if word in YES_WORDS else False if word in NO_WORDS else None
    if isinstance(item, ScaleItem):
        number = _number(raw)
        if number is None or not number.is_integer() or not item.min <= number <= item.max:
            return None
        return int(number)
    if isinstance(item, ChoiceItem):
        return option_value(item, str(raw))
    if isinstance(item, PercentageItem):
        number = _number(raw, percent_sign=True)
        return number if number is not None and 0 <= number <= 100 else None
    if isinstance(item, NumberItem):
        number = _number(raw)
        if number is None:
            return None
        if (item.min is not None and number < item.min) or (
            item.max is not None and number > item.max
        ):
            return None
        return number
    if item.type == "date":
        if isinstance(raw, date):
            return raw.isoformat()[:10]
        try:
            return date.fromisoformat(str(raw).strip()[:10]).isoformat()
        except ValueError:
            return None
    text = str(raw).strip()
    return text or None


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def option_value(item: ChoiceItem, written: str) -> str | None:
    """The option written as its value or its label in any language, ignoring case and
    spacing (``Asked first``, ``asked_first``, a 500-character label); None: no option."""
    word = _folded(written)
    for option in item.options:
        names = {_folded(option.value), _folded(option.value.replace("_", " "))}
        names.update(_folded(label) for label in (option.label or {}).values())
        if word in names or word.replace(" ", "_") in names:
            return option.value
    return None


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def _number(raw: Any, *, percent_sign: bool = False) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
        if percent_sign:
            text = text.removesuffix("%")
        if _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def encode_value(answer: Answer) -> str | None:
    """The stored text of an answer's value; :func:`parse_answer` reads it back exactly."""
    value = answer.value
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def check_answer(item: Item, answer: Answer) -> AnswerProblem | None:
    """A problem if an already-typed answer (built in code, not parsed) does not fit its item."""
    if answer.na:
        if item.na_allowed:
            return None
        return AnswerProblem(
            item.id,
            "na_not_allowed",
            _("N/A is not allowed for '{question}'").format(question=question(item)),
        )
    if answer.value is None or _typed_value(item, answer.value, None) == answer.value:
        return None
    return AnswerProblem(item.id, "invalid", refusal(item, answer.value))


def index_answers(answers: Iterable[Answer] | Mapping[str, Answer]) -> dict[str, Answer]:
    """Answers by item id; an item answered twice is an error, not a silent overwrite."""
    if isinstance(answers, Mapping):
        return dict(answers)
    indexed: dict[str, Answer] = {}
    duplicates: list[AnswerProblem] = []
    for answer in answers:
        if answer.item_id in indexed:
            duplicates.append(
                AnswerProblem(
                    answer.item_id,
                    "duplicate",
                    _("item {item} is answered twice").format(item=answer.item_id),
                )
            )
        indexed[answer.item_id] = answer
    if duplicates:
        raise AnswersRejected(duplicates)
    return indexed


def is_answered(item: Item, answer: Answer) -> bool:
    """N/A or a value; a photo item is answered by its photos alone."""
    return answer.answered or (item.type == "photo" and bool(answer.photos))


def validate_answers(
    checklist: Checklist, answers: Mapping[str, Answer], *, require_complete: bool = True
) -> list[AnswerProblem]:
    """Every problem with a set of answers; a draft passes ``require_complete=False``. An
    item left out by skip logic (``applies_if``) is never missing."""
    problems: list[AnswerProblem] = []
    items = checklist.items_by_id
    for item_id in answers:
        if item_id not in items:
            problems.append(
                AnswerProblem(
                    item_id,
                    "unknown_item",
                    _("item '{item}' is not in checklist {checklist} v{version}").format(
                        item=item_id, checklist=checklist.id, version=checklist.version
                    ),
                )
            )
    left_out = not_applicable(checklist, answers) if require_complete else frozenset()
    for item in checklist.items:
        answer = answers.get(item.id)
        if answer is None or not is_answered(item, answer):
            if require_complete and item.is_required and item.id not in left_out:
                problems.append(
                    AnswerProblem(
                        item.id,
                        "missing",
                        _("required answer missing: {item} '{question}'").format(
                            item=item.id, question=question(item)
                        ),
                    )
                )
            continue
        problem = check_answer(item, answer)
        if problem is not None:
            problems.append(problem)
    return problems


MEMO_SIZE = 100_000
"""Parsed values a memo of :func:`answers_from_stored` keeps at most."""


def answers_from_stored(
    checklist: Checklist,
    rows: Iterable[Sequence[Any]],
    memo: dict[tuple[str, Any], AnswerValue] | None = None,
) -> dict[str, Answer]:
    """Stored answers (item id, value as text, N/A, comment) read back through the checklist
    version they were given under; items the version does not have are left out. ``memo``
    (one per checklist version) keeps each (item, stored text) parsed once: ``verify``
    reads millions of answers that take a few values each."""
    items = checklist.items_by_id
    out: dict[str, Answer] = {}
    for item_id, value, na, comment in rows:
        if na:
            out[item_id] = Answer(item_id, None, True, comment)
        elif item_id in items:
            if memo is None:
                parsed = parse_answer(items[item_id], value).value
            elif (parsed := memo.get((item_id, value), _UNSEEN)) is _UNSEEN:
                parsed = parse_answer(items[item_id], value).value
                if len(memo) < MEMO_SIZE:
                    memo[(item_id, value)] = parsed
            out[item_id] = Answer(item_id, parsed, False, comment)
    return out


_UNSEEN: Any = object()
