"""How real files write answers, turned into what ``parse_answer`` reads.

Agency workbooks write ``Yes (100.00)``, ``Sí``, ``Hayır``, ``N/A - store has no phone``,
``'91%'``, ``74,5`` or a percentage cell holding 0.91. :func:`normalise` rewrites one such
raw value into a plain answer (``yes``, ``no``, ``na``, a number, an option value) and a
comment when the cell carried a reason. It is pure and leaves anything it does not
recognise unchanged, so that ``parse_answer`` names the problem in its own words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from audit_app.domain.checklist import (
    ChoiceItem,
    DateItem,
    Item,
    NumberItem,
    PercentageItem,
    ScaleItem,
    YesNoItem,
)
from audit_app.domain.intake.dates import DEFAULT_DATE_FORMATS, parse_date

PercentScale = Literal["percent", "fraction", "auto"]

YES_WORDS = ("Yes", "Y", "Sí", "Si", "Sì", "Da", "Evet", "Ja", "Oui", "True", "X")
NO_WORDS = ("No", "N", "Nu", "Hayır", "Nee", "Non", "False", "Fatal")
"""``Fatal``: agencies mark a failed critical question so; for a yes/no item it is a No."""
NA_WORDS = (
    "N/A",
    "NA",
    "n.a.",
    "Not applicable",
    "No aplica",
    "No aplicable",
    "No s'aplica",
    "Nu se aplică",
    "Nu este cazul",
    "Uygulanamaz",
    "Geçerli değil",
    "k.A.",
    "Sans objet",
)

CLOSED_MARKERS = (
    "Closed",
    "Store closed",
    "Shop closed",
    "Cerrado",
    "Tienda cerrada",
    "Tancat",
    "Botiga tancada",
    "Închis",
    "Magazin închis",
    "Kapalı",
    "Mağaza kapalı",
)
"""Words that mark a store not visited, in the chain's and agencies' languages."""
_REASON_MARKS = frozenset("-–—:;,(")

_SPACES = re.compile(r"\s+")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
"""Zero-width characters a copy from a web page brings along with an answer."""
_POINTS = re.compile(
    r"^(?P<answer>.*?)\s*[(\[]\s*[+-]?\d+(?:[.,]\d+)?\s*%?\s*"
    r"(?:pts?\.?|points?|puntos|punts|puncte|puan)?\s*[)\]]$",
    re.IGNORECASE,
)
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(?:(?P<group>[.,])\d{3})+(?:(?P<decimal>[.,])\d+)?$")
_OUT_OF = re.compile(r"^(?P<score>\d+(?:[.,]\d+)?)\s*/\s*(?P<of>\d+)$")
_UNSCORED_EVIDENCE = frozenset({"text", "photo"})


def fold(text: str) -> str:
    """Case, accents, spacing and a trailing full stop ignored: ``Hayır`` -> ``hayir``,
    ``Nu se aplică`` -> ``nu se aplica``, ``k.A.`` -> ``k.a``."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("İ", "I"))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", plain.casefold()).strip().rstrip(".")


class Vocabulary(BaseModel):
    """The answer words and number conventions of one file (one mapping profile).

    ``yes``, ``no`` and ``na`` add words to the built-in lists (English, Spanish, Catalan,
    Italian, Romanian, Turkish, Dutch, German and French).

    ``percent_scale`` says how *numbers* in percentage items are meant; text with a ``%``
    sign is always a percentage as written:

    - ``percent``: as written, 91 is 91 %.
    - ``fraction``: a number from 0 to 1 is a fraction, 0.91 is 91 % (Excel stores a cell
      shown as 91 % as 0.91); a number above 1 is taken as written.
    - ``auto``: decided per column by the reader, which lists in ``fraction_items`` the
      percentage items whose column holds numbers, every one of them from 0 to 1. Without
      a reader (``fraction_items`` empty) ``auto`` reads numbers as written.

    ``date_formats`` are the ``strptime`` formats tried for dates written as text
    (``domain.intake.dates.parse_date``), day-first ones first.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    na: tuple[str, ...] = ()
    percent_scale: PercentScale = "auto"
    fraction_items: frozenset[str] = frozenset()
    percent_items: frozenset[str] = frozenset()
    """Items whose numbers are percentages as written, whatever ``percent_scale`` says."""
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS
    answer_map: dict[str, str] = {}
    """A file's own answer words -> what they mean (``Fatal`` -> ``no``, ``Met`` ->
    ``yes``, ``Partly`` -> an option value or a number), compared folded."""

    @cached_property
    def _mapped(self) -> dict[str, str]:
        return {fold(word): meaning for word, meaning in self.answer_map.items()}

    def mapped(self, text: str) -> str | None:
        """What ``answer_map`` says ``text`` means, else None."""
        return self._mapped.get(fold(text)) if self._mapped else None

    def split_mapped(self, text: str) -> tuple[str, str] | None:
        """(what ``answer_map`` says, reason) for ``Yok - stok yok`` where the map knows
        ``Yok``: a mapped word followed by a mark and a reason, as the built-in words."""
        if not self.answer_map:
            return None
        keys = sorted(self.answer_map, key=len, reverse=True)
        found = re.match(
            rf"^(?P<word>{'|'.join(re.escape(k) for k in keys)})\s*(?P<mark>[-–—:;,(])\s*"
            r"(?P<reason>.+)$",
            text,
            re.IGNORECASE,
        )
        if found is None:
            return None
        reason = found["reason"].strip()
        if found["mark"] == "(":
            if not reason.endswith(")"):
                return None
            reason = reason[:-1].strip()
        meaning = self.mapped(found["word"])
        return (meaning, reason) if meaning is not None and reason else None

    @cached_property
    def _canonical(self) -> dict[str, str]:
        """Folded word -> ``yes`` / ``no`` / ``na``; a profile's own words win."""
        words: dict[str, str] = {}
        for canonical, found in (
            ("yes", YES_WORDS),
            ("no", NO_WORDS),
            ("na", NA_WORDS),
            ("yes", self.yes),
            ("no", self.no),
            ("na", self.na),
        ):
            words.update((fold(word), canonical) for word in found)
        return words

    @cached_property
    def _word_then_reason(self) -> re.Pattern[str]:
        """``<word> - reason``, ``<word>: reason``, ``<word> (reason)``, longest word first."""
        words = {*YES_WORDS, *NO_WORDS, *NA_WORDS, *self.yes, *self.no, *self.na}
        words |= {fold(word) for word in words}
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)
        return re.compile(
            rf"^(?P<word>{alternatives})\s*(?P<separator>[-–—:;,(])\s*(?P<reason>.+)$",
            re.IGNORECASE,
        )

    @cached_property
    def _na_then_words(self) -> re.Pattern[str]:
        """``N/A karena stok tersedia``: an N/A word, a space, any reason."""
        words = {*NA_WORDS, *self.na}
        words |= {fold(word) for word in words}
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)
        return re.compile(rf"^(?P<word>{alternatives})\s+(?P<reason>\S.*)$", re.IGNORECASE)

    def word(self, text: str) -> str | None:
        """``yes``, ``no`` or ``na`` for a known word, else None."""
        return self._canonical.get(fold(text))

    def split_reason(self, text: str) -> tuple[str, str] | None:
        """(``yes``/``no``/``na``, reason) for ``N/A - store has no phone``, else None. An
        N/A word takes a reason after a mere space too (``N/A karena stok tersedia``); Yes
        and No do not (``No smoking sign`` is no answer with a reason)."""
        match = self._word_then_reason.match(text)
        if match is None:
            spaced = self._na_then_words.match(text)
            if spaced is None or self.word(spaced["word"]) != "na":
                return None
            return "na", spaced["reason"].strip()
        reason = match["reason"].strip()
        if match["separator"] == "(":
            if not reason.endswith(")"):
                return None
            reason = reason[:-1].strip()
        canonical = self.word(match["word"])
        return None if canonical is None or not reason else (canonical, reason)

    def reads_as_fraction(self, item: Item) -> bool:
        if item.id in self.percent_items:
            return False
        return self.percent_scale == "fraction" or item.id in self.fraction_items


DEFAULT_VOCABULARY = Vocabulary()


def normalise(
    item: Item, raw: Any, vocabulary: Vocabulary = DEFAULT_VOCABULARY
) -> tuple[Any, str | None]:
    """(a value ``parse_answer`` reads, a comment the cell carried or None).

    Unrecognised values come back unchanged, so that the answer parser reports them.
    """
    if isinstance(raw, bool) or raw is None or item.type in _UNSCORED_EVIDENCE:
        return raw, None
    if isinstance(raw, int | float):
        if isinstance(item, PercentageItem) and vocabulary.reads_as_fraction(item):
            return _from_fraction(float(raw)), None
        return raw, None
    if not isinstance(raw, str):
        return raw, None  # date and time cells: the answer parser knows them
    visible = _INVISIBLE.sub("", raw.replace("\u00a0", " "))
    text = _SPACES.sub(" ", visible).strip().removeprefix("'").strip()
    if not text:
        return raw, None
    if isinstance(item, YesNoItem | ChoiceItem | ScaleItem):
        text = _without_points(text)
    mapped = vocabulary.mapped(text)
    if mapped is None and (mapped_reason := vocabulary.split_mapped(text)) is not None:
        word = vocabulary.word(mapped_reason[0])
        if word == "na" or (word is not None and isinstance(item, YesNoItem)):
            return word, mapped_reason[1]
    if mapped is not None:
        text = mapped
    word = vocabulary.word(text)
    if word == "na" or (word is not None and isinstance(item, YesNoItem)):
        return word, None
    with_reason = vocabulary.split_reason(text)
    if with_reason is not None and (with_reason[0] == "na" or isinstance(item, YesNoItem)):
        return with_reason
    if isinstance(item, ChoiceItem):
        return _option(item, text, raw), None
    if isinstance(item, PercentageItem):
        return _percentage(item, text, raw, vocabulary), None
    if isinstance(item, ScaleItem):
        return _scale(item, text, raw), None
    if isinstance(item, NumberItem):
        number = parse_number(_without_unit(text, item.unit))
        return (raw if number is None else number), None
    if isinstance(item, DateItem):
        day = parse_date(text, vocabulary.date_formats)
        return (raw if day is None else day.date().isoformat()), None
    return raw, None


def parse_number(text: str) -> float | None:
    """A number written as text: ``12``, ``7,5``, ``1.234,5``, ``1,234.5``, ``1 234``.

    A lone comma is a decimal comma (the franchise's countries write 7,5); thousands
    are grouped by a different mark than the decimals, or by spaces.
    """
    text = text.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if _PLAIN_NUMBER.match(text):
        return float(text.replace(",", "."))
    grouped = _GROUPED_NUMBER.match(text)
    if grouped is None or grouped["group"] == grouped["decimal"]:
        return None
    digits = text.replace(grouped["group"], "")
    return float(digits.replace(",", ".") if grouped["decimal"] else digits)


def _from_fraction(number: float) -> float:
    return round(number * 100, 9) if 0 <= number <= 1 else number


def _without_points(text: str) -> str:
    """``Yes (100.00)`` -> ``Yes``; ``No [0 pts]`` -> ``No``."""
    match = _POINTS.match(text)
    return match["answer"] if match and match["answer"] else text


def _without_unit(text: str, unit: str | None) -> str:
    """``12 seconds`` -> ``12`` for an item measured in seconds."""
    if unit and text.casefold().endswith(unit.casefold()):
        return text[: len(text) - len(unit)].strip()
    return text


def _percentage(item: PercentageItem, text: str, raw: str, vocabulary: Vocabulary) -> Any:
    if text.endswith("%"):
        number = parse_number(text.removesuffix("%").strip())
        return raw if number is None else number
    number = parse_number(text)
    if number is None:
        return raw
    return _from_fraction(number) if vocabulary.reads_as_fraction(item) else number


def _scale(item: ScaleItem, text: str, raw: str) -> Any:
    """``4``, ``4,0``, ``4/5`` (out of the scale's maximum) -> 4."""
    out_of = _OUT_OF.match(text)
    if out_of and int(out_of["of"]) == item.max:
        text = out_of["score"]
    number = parse_number(text)
    return raw if number is None else number


def _option(item: ChoiceItem, text: str, raw: str) -> Any:
    """An option by its value (``asked_first``, ``asked first``) or any label."""
    wanted = fold(text)
    for option in item.options:
        names = {fold(option.value), fold(option.value.replace("_", " "))}
        names.update(fold(label) for label in (option.label or {}).values())
        if wanted in names:
            return option.value
    return raw


_FOLDED_MARKERS = tuple(fold(marker) for marker in CLOSED_MARKERS)


def is_closed_marker(value: str, markers: Sequence[str] = _FOLDED_MARKERS) -> bool:
    """Whether a text is a closed marker (``markers`` folded), alone or with a reason:
    ``Closed``, ``Closed - refurbishment``, ``Tancat (obres)``, not ``Closed Loop Coffee``."""
    text = fold(value)
    if not text:
        return False
    for marker in markers:
        if text == marker:
            return True
        if text.startswith(marker) and text[len(marker) :].lstrip()[:1] in _REASON_MARKS:
            return True
    return False
