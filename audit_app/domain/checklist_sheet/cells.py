"""One cell of a questions sheet read into the checklist's terms: a question type from the
words people write (``Yes/No``, ``Rating 1-5``, ``%``), a flag, a number, the options with
their points, a condition on another question. A cell that cannot be read gives a
:class:`CellProblem` with words a manager reads; the caller names the cell."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from audit_app.domain.intake.vocabulary import fold, parse_number
from audit_app.i18n import _, formats

MAX_VALUE = 64
"""An option's value (what answers and conditions name) is at most this long."""
MAX_LABEL = 500


class CellProblem(ValueError):
    """A cell that says something the checklist cannot hold."""


def cell_text(value: Any) -> str:
    """A cell as a person reads it: ``3.0`` -> ``3``; blanks and None -> ``""``."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def slug(text: str, limit: int = MAX_VALUE) -> str:
    """``Greeted within 30 seconds?`` -> ``greeted_within_30_seconds``; at most ``limit``."""
    folded = re.sub(r"[^a-z0-9]+", "_", fold(text)).strip("_")
    return folded[:limit].rstrip("_")


# ------------------------------------------------------------------ types

_TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "yes_no": (
        "yes no",
        "yes_no",
        "yesno",
        "y n",
        "boolean",
        "binary",
        "pass fail",
        "si no",
        "sí no",
        "da nu",
        "evet hayir",
        "yes no na",
        "yes no n a",
        "check",
        "checkbox",
    ),
    "scale": (
        "scale",
        "rating",
        "score",
        "stars",
        "escala",
        "puntuacion",
        "valoracion",
        "puntuacio",
        "valoracio",
        "scara",
        "nota",
        "olcek",
        "derece",
        "puanlama",
    ),
    "choice": (
        "choice",
        "multiple choice",
        "single choice",
        "select",
        "list",
        "dropdown",
        "options",
        "opcion multiple",
        "seleccion",
        "lista",
        "opcio multiple",
        "seleccio",
        "alegere",
        "alegere multipla",
        "varianta",
        "secim",
        "coktan secmeli",
        "liste",
    ),
    "number": (
        "number",
        "numeric",
        "count",
        "integer",
        "decimal",
        "numero",
        "nombre",
        "numar",
        "sayi",
        "sayisal",
    ),
    "percentage": (
        "percentage",
        "percent",
        "%",
        "pct",
        "porcentaje",
        "percentatge",
        "procent",
        "procentaj",
        "yuzde",
    ),
    "text": (
        "text",
        "free text",
        "comment",
        "comments",
        "texto",
        "texto libre",
        "text lliure",
        "comentari",
        "comentario",
        "text liber",
        "metin",
        "yorum",
        "aciklama",
    ),
    "date": ("date", "fecha", "data", "tarih"),
    "photo": (
        "photo",
        "picture",
        "image",
        "foto",
        "fotografia",
        "imagen",
        "imatge",
        "fotografie",
        "imagine",
        "fotograf",
        "resim",
    ),
}
_TYPE_BY_WORD = {
    " ".join(re.sub(r"[^\w%]+", " ", fold(word)).split()): kind
    for kind, words in _TYPE_WORDS.items()
    for word in words
}
_RANGE = re.compile(r"(?P<low>-?\d+)\s*(?:-|–|to|a|la|ile|\.\.|/)\s*(?P<high>-?\d+)")


@dataclass(frozen=True)
class TypeCell:
    kind: str
    low: int | None = None
    high: int | None = None
    """A range written in the type itself (``Rating 1-5``)."""
    na: bool = False
    """N/A named in the type itself (``Yes/No/N/A``)."""


_NA_IN_TYPE = re.compile(r"\b(?:n a|na)\b")


def read_type(text: str) -> TypeCell:
    """``Yes/No`` -> yes_no; ``Rating 1-5`` -> scale 1..5; ``%`` -> percentage."""
    bounds = _RANGE.search(text)
    words = _RANGE.sub(" ", text) if bounds else text
    key = " ".join(re.sub(r"[^\w%]+", " ", fold(words)).split())
    key = " ".join(
        re.sub(r"\b(?:question|answer|type|pregunta|tipo|tipus|soru)\b", "", key).split()
    )
    na = _NA_IN_TYPE.search(key) is not None
    if na:
        key = " ".join(_NA_IN_TYPE.sub(" ", key).split())
    kind = _TYPE_BY_WORD.get(key) or _TYPE_BY_WORD.get(" ".join(sorted(key.split())))
    if kind is None:
        for word in key.split():
            if word in _TYPE_BY_WORD and word not in {"list", "check"}:
                kind = _TYPE_BY_WORD[word]
                break
    if kind is None:
        raise CellProblem(
            _(
                "{text} is not a question type (write one of: Yes/No, Rating 1-5, Multiple "
                "choice, Number, %, Text, Date, Photo)"
            ).format(text=repr(text))
        )
    if bounds and kind == "scale":
        return TypeCell(kind, int(bounds["low"]), int(bounds["high"]), na)
    return TypeCell(kind, na=na)


# ------------------------------------------------------------------ flags and numbers

_TRUE = frozenset(
    {
        "yes",
        "y",
        "true",
        "1",
        "x",
        "si",
        "sí",
        "da",
        "evet",
        "oui",
        "ja",
        "✓",
        "✔",
        "critical",
        "required",
        "mandatory",
        "ok",
        "allowed",
    }
)
_FALSE = frozenset({"no", "n", "false", "0", "nu", "hayir", "non", "nee", "-", "–", "✗"})


def read_flag(value: Any) -> bool | None:
    """A yes/no cell: None when blank."""
    text = fold(cell_text(value))
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise CellProblem(_("{value} is not yes or no").format(value=repr(cell_text(value))))


def read_action(value: Any) -> str | dict[str, float] | None:
    """An item's action rule: always, never, policy, or a share of the points (0.8: an
    answer below 80 % of the points opens an action). None when blank."""
    text = fold(cell_text(value))
    if not text:
        return None
    if text in ("always", "never", "policy"):
        return text
    try:
        share = read_number(value)
    except CellProblem:
        share = None
    if share is not None and 0 < share <= 1:
        return {"score_below": share}
    raise CellProblem(
        _(
            "{value} is not an action rule: write always, never, policy or a share of the "
            "points such as 0.8"
        ).format(value=repr(cell_text(value)))
    )


PHOTO_RULE_WORDS = {
    "required": "required",
    "yes": "required",
    "si": "required",
    "da": "required",
    "evet": "required",
    "obligatoria": "required",
    "obligatorie": "required",
    "zorunlu": "required",
    "optional": "optional",
    "no": "optional",
    "nu": "optional",
    "hayir": "optional",
    "opcional": "optional",
    "optionala": "optional",
    "istege bagli": "optional",
}
"""What a photo-rule cell may say, folded (accents and case away), in the sheet's languages."""


def read_photo_rule(value: Any) -> str | None:
    """Whether a failed answer needs a photo: required or optional. None when blank."""
    text = fold(cell_text(value))
    if not text:
        return None
    if text in PHOTO_RULE_WORDS:
        return PHOTO_RULE_WORDS[text]
    raise CellProblem(
        _("{value} is not a photo rule: write required or optional").format(
            value=repr(cell_text(value))
        )
    )


def read_number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CellProblem(_("{value} is not a number").format(value=repr(cell_text(value))))
    if isinstance(value, int | float):
        return float(value)
    text = cell_text(value).removesuffix("%").strip()
    number = parse_number(text) if text else None
    if number is None:
        if not cell_text(value):
            return None
        raise CellProblem(_("{value} is not a number").format(value=repr(cell_text(value))))
    return number


_AT_MOST = frozenset(
    {
        "at most",
        "at_most",
        "max",
        "maximum",
        "<=",
        "≤",
        "<",
        "lower",
        "lower is better",
        "below",
        "como maximo",
        "com a maxim",
        "cel mult",
        "en fazla",
        "less",
        "fewer",
    }
)
_AT_LEAST = frozenset(
    {
        "at least",
        "at_least",
        "min",
        "minimum",
        ">=",
        "≥",
        ">",
        "higher",
        "higher is better",
        "above",
        "como minimo",
        "com a minim",
        "cel putin",
        "en az",
        "more",
    }
)


def read_direction(value: Any) -> str | None:
    text = fold(cell_text(value))
    if not text:
        return None
    if text in _AT_MOST:
        return "at_most"
    if text in _AT_LEAST:
        return "at_least"
    raise CellProblem(
        _("{value} is not a direction (write at most or at least)").format(
            value=repr(cell_text(value))
        )
    )


# ------------------------------------------------------------------ options

_POINTS_IN_BRACKETS = re.compile(r"^(?P<text>.*?)\s*\((?P<points>[^()]*)\)\s*$", re.DOTALL)
_POINTS_AFTER_EQUALS = re.compile(r"^(?P<text>.*?)\s*=\s*(?P<points>[^=]*)$", re.DOTALL)
_VALUE_PREFIX = re.compile(r"^\[(?P<value>[^\]]*)\]\s*(?P<rest>.*)$", re.DOTALL)
_VALID_VALUE = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")


@dataclass(frozen=True)
class OptionCell:
    value: str
    points: float
    label: str | None


def split_options(text: str) -> list[str]:
    """One option per line, else separated by ``|``, else by ``;``."""
    for mark in ("\n", "|", ";"):
        if mark in text:
            return [part.strip() for part in text.split(mark) if part.strip()]
    return [text.strip()] if text.strip() else []


def read_options(text: str) -> list[OptionCell]:
    """``Yes (100) | Partly (50) | No (0)``, ``yes=1; no=0`` or one option per line.

    Points are on a 0-1 scale, or on 0-100 when any option has more than 1. A text that
    is no value (``Partly, one part missing``) becomes a short value (a slug) and a label;
    ``[value] Label (points)`` names the value itself.
    """
    parsed: list[tuple[str, float, str]] = []
    for part in split_options(text):
        found = _POINTS_IN_BRACKETS.match(part) or _POINTS_AFTER_EQUALS.match(part)
        if found is None:
            raise CellProblem(
                _("{option} has no points: write them in brackets, e.g. Yes (100)").format(
                    option=repr(part)
                )
            )
        number = parse_number(found["points"].strip().removesuffix("%").strip())
        if number is None:
            if _POINTS_IN_BRACKETS.match(part):
                raise CellProblem(_("{option} has no number in brackets").format(option=repr(part)))
            raise CellProblem(_("{option} has no number after '='").format(option=repr(part)))
        if number < 0:
            raise CellProblem(_("{option}: points cannot be negative").format(option=repr(part)))
        parsed.append((found["text"].strip(), number, part))
    if not parsed:
        return []
    best = max(points for _text, points, _part in parsed)
    scale = 100.0 if best > 1 else 1.0
    if 1 < best < 100:  # out of 10, or 5: a guess at the scale would change every score
        raise CellProblem(
            _(
                "points are read out of 100 (or out of 1), and the best option here has "
                "{best}: give the best answer 100, e.g. 'Yes (100) | Partly (50) | No (0)'"
            ).format(best=_points(best))
        )
    options: list[OptionCell] = []
    for text_part, points, part in parsed:
        if points / scale > 1:
            raise CellProblem(
                _("{option}: points go up to 100 (or up to 1)").format(option=repr(part))
            )
        prefix = _VALUE_PREFIX.match(text_part)
        if prefix:
            value, label = prefix["value"].strip(), prefix["rest"].strip() or None
            if not _VALID_VALUE.match(value) or len(value) > MAX_VALUE:
                raise CellProblem(
                    _(
                        "{option}: [{value}] is not a value (lower-case letters, digits, "
                        "_ . -; at most {limit} characters)"
                    ).format(option=repr(part), value=value, limit=formats.integer(MAX_VALUE))
                )
        else:
            if not text_part:
                raise CellProblem(
                    _("{option} has no text before its points").format(option=repr(part))
                )
            value = slug(text_part)
            if not value:
                raise CellProblem(
                    _("{option}: the text gives no value (write [value] Text)").format(
                        option=repr(part)
                    )
                )
            label = None if text_part == value else text_part
        if label is not None and len(label) > MAX_LABEL:
            raise CellProblem(
                _("{option}…: an option's text is longer than {limit}").format(
                    option=repr(part[:40]), limit=formats.integer(MAX_LABEL)
                )
            )
        options.append(OptionCell(value, points / scale, label))
    return options


def read_labels(text: str) -> list[tuple[str | None, str]]:
    """Option labels in another language, one per line (or ``|`` or ``;``), in the order of
    the options or each naming its option (``[value] Label``); points dropped."""
    labels: list[tuple[str | None, str]] = []
    for part in split_options(text):
        found = _POINTS_IN_BRACKETS.match(part)
        number = found and parse_number(found["points"].strip().removesuffix("%").strip())
        label = found["text"].strip() if found and number is not None else part
        prefix = _VALUE_PREFIX.match(label)
        if prefix:
            labels.append((prefix["value"].strip(), prefix["rest"].strip()))
        else:
            labels.append((None, label))
    return labels


def _points(number: float) -> str:
    """A number of points as the current language writes it (``2.5``, ``2,5``, ``10``)."""
    if float(number).is_integer():
        return formats.integer(number)
    return formats.decimal(number, len(f"{number:g}".partition(".")[2]) or 1)


def format_points(points: float) -> str:
    number = round(points * 100, 6)
    return f"{number:g}"


# ------------------------------------------------------------------ conditions

_LEAD = re.compile(
    r"^(?:ask\s+|show\s+|applies\s+)?(?:only\s+)?(?:if|when|where|si|solo\s+si|només\s+si|"
    r"nomes\s+si|cuando|quan|doar\s+dac[aă]|dac[aă]|sadece|eğer|eger)\s+",
    re.IGNORECASE,
)
_CONDITION = re.compile(
    r"^(?P<ref>[^=<>]+?)\s*(?:(?P<op>==|=|\bis\b|\bes\b|\bés\b|\beste\b|\bin\b|\bone of\b)\s*)"
    r"(?P<values>.+)$",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class ConditionCell:
    ref: str
    values: tuple[str, ...]


def read_condition(text: str) -> ConditionCell:
    """``Only if Q3 = Yes``, ``q3 is yes``, ``item_id in (a, b)``."""
    body = _LEAD.sub("", text.strip()).strip()
    found = _CONDITION.match(body)
    if found is None:
        raise CellProblem(
            _(
                "{text} is not a condition (write e.g. Only if Q3 = Yes, or item_id in (a, b))"
            ).format(text=repr(text))
        )
    values = found["values"].strip()
    if values.startswith("(") and values.endswith(")"):
        values = values[1:-1]
    parts = tuple(v.strip().strip("'\"") for v in re.split(r"[,;|]|\bor\b", values) if v.strip())
    if not parts:
        raise CellProblem(_("{text} names no answer").format(text=repr(text)))
    return ConditionCell(found["ref"].strip(), parts)
