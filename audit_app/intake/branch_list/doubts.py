"""Doubts about a guessed column, said before anything is written: a ``Name`` column
that holds people (an employee sheet renamed by hand) or numbers where names belong.
Each doubt has a code the CLI and the page branch on; ``--strict`` refuses on any."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from audit_app.domain.intake.vocabulary import fold
from audit_app.i18n import _, formats, pgettext
from audit_app.intake.branch_list.columns import ColumnGuess

MOSTLY = 0.5
"""A doubt is raised when more than this share of a column's filled cells fit it."""
SOME = 0.2
"""Beside a manager column, a ``Name`` column is doubted from this share of people."""
STORE_WORDS = frozenset(
    {
        "store", "shop", "branch", "outlet", "mall", "center", "centre", "plaza", "park",
        "street", "station", "airport", "city", "express", "kiosk", "market",
        "tienda", "centro", "calle", "estacion", "aeropuerto", "botiga", "placa", "carrer",
        "estacio", "magazin", "centrul", "gara", "strada", "magaza", "avm", "cadde",
        "caddesi", "istasyon", "havalimani", "carsi", "nord", "sud", "est", "oest",
    }
)  # fmt: skip
_GIVEN_NAMES_TEXT = """
    James John Robert Michael William David Richard Joseph Thomas Charles Daniel Matthew
    Mark Paul Steven Andrew Peter George Edward Henry Jack Oliver Harry Emma Olivia Sophia
    Mary Patricia Jennifer Linda Elizabeth Susan Sarah Karen Lisa Nancy Laura Emily Anna
    Jessica Helen Alice Grace Lucy Kate Claire Julia Rachel Amy Ruth Jane Chris Sam Alex
    María Maria José Jose Juan Antonio Manuel Francisco Javier Carlos Miguel Pedro Luis
    Jorge Alberto Fernando Pablo Sergio Rafael Ángel Angel Diego Alejandro Raúl Raul
    Carmen Ana Isabel Lucía Lucia Pilar Rosa Teresa Marta Elena Cristina Paula Sara Laia
    Dolores Mercedes Raquel Beatriz Silvia Patricia Natalia Sofía Sofia Andrea Irene Nuria
    Núria Jordi Josep Joan Pere Pau Marc Oriol Arnau Xavier Albert Montse Montserrat Mireia
    Meritxell Gemma Roser Neus Anna Clara Carla Júlia Queralt Ferran Enric Martí Gerard
    Ion Ioan Andrei Alexandru Mihai Ștefan Stefan Gheorghe Vasile Constantin Dan Florin
    Adrian Cristian Bogdan Ionuț Ionut Radu Elena Ioana Andreea Mihaela Alexandra Gabriela
    Raluca Irina Diana Roxana Oana Simona Daniela Georgiana Cristina Alina Larisa Bianca
    Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Ismail İsmail Osman Yusuf Murat Ömer
    Emre Burak Can Cem Kemal Serkan Onur Eren Barış Oğuz Volkan Fatma Ayşe Emine Hatice
    Zeynep Elif Merve Özlem Ozlem Esra Büşra Selin Ebru Derya Deniz Gül Seda Aylin Gizem
    """
GIVEN_NAMES = frozenset(fold(name) for name in _GIVEN_NAMES_TEXT.split())
"""Common given names of the chain's countries: a ``Name`` cell starting with one, in two
or three capitalised words, reads as a person."""
_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_WORD = re.compile(r"^[^\W\d_][^\W\d_'’.-]*$")


class DoubtCode(StrEnum):
    PEOPLE_NAMES = "people_names"
    """The column taken for branch names holds people's names."""
    PEOPLE_SHEET = "people_sheet"
    """A bare ``Name`` header beside ``Employee`` or ``Manager`` columns."""
    NUMBERS_FOR_NAMES = "numbers_for_names"
    """The column taken for names (or regions, areas) holds mostly numbers."""


@dataclass(frozen=True)
class Doubt:
    code: DoubtCode
    field: str
    column: str
    header: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code.value,
            "field": self.field,
            "column": self.column,
            "header": self.header,
            "message": self.message,
        }


def looks_like_person(value: Any) -> bool:
    """``Ana Pérez``, ``Mehmet Ali Yılmaz``: two or three capitalised words, the first a
    common given name, no store word (``Ana Plaza`` is a store)."""
    if not isinstance(value, str):
        return False
    words = value.split()
    if not 2 <= len(words) <= 3:
        return False
    if not all(_WORD.match(word) and word[0].isupper() for word in words):
        return False
    folded = [fold(word) for word in words]
    return folded[0] in GIVEN_NAMES and not STORE_WORDS.intersection(folded)


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return isinstance(value, str) and bool(_NUMBER.match(value.strip()))


def _field_word(field: str) -> str:
    """The branch field a doubt names, as people read it (the field stays an id)."""
    words = {
        "name": pgettext("branch field", "name"),
        "region": pgettext("branch field", "region"),
        "area": pgettext("branch field", "area"),
    }
    return words.get(field, field)


def column_doubts(
    columns: dict[str, ColumnGuess],
    values: Mapping[str, Sequence[Any]],
    people: Sequence[str],
    managers: Sequence[str] = (),
) -> list[Doubt]:
    """The doubts about the guessed columns, given their filled cells, the headers of the
    row that say it lists people (``Employee No``) and those naming a manager.

    A bare ``Name`` beside people's columns is always doubted; beside a manager column
    only when some of its cells read as people (a branch list has ``name`` and
    ``manager`` columns, a staff sheet has them too)."""
    doubts: list[Doubt] = []
    name = columns.get("name")
    if name is not None:
        filled = values.get("name", ())
        persons = sum(1 for value in filled if looks_like_person(value))
        if filled and persons > MOSTLY * len(filled):
            doubts.append(
                Doubt(
                    DoubtCode.PEOPLE_NAMES,
                    "name",
                    name.letter,
                    name.header,
                    _(
                        "column {column} '{header}', taken for the branch names, reads like "
                        "people's names ({count} of {total}, e.g. '{example}'): is this a "
                        "list of staff?"
                    ).format(
                        column=name.letter,
                        header=name.header,
                        count=formats.integer(persons),
                        total=formats.integer(len(filled)),
                        example=next(v for v in filled if looks_like_person(v)),
                    ),
                )
            )
        share = persons / len(filled) if filled else 0.0
        others = [text for text in people if text != name.header]
        if share >= SOME and share <= MOSTLY:
            others += [text for text in managers if text != name.header]
        if name.how == "weak" and others:
            doubts.append(
                Doubt(
                    DoubtCode.PEOPLE_SHEET,
                    "name",
                    name.letter,
                    name.header,
                    _(
                        "column {column} '{header}' is taken for the branch names, but the "
                        "sheet also has {others}: check it names stores, not people (name "
                        'the column with --column name="{header}" to confirm)'
                    ).format(
                        column=name.letter,
                        header=name.header,
                        others=", ".join(repr(t) for t in others[:3]),
                    ),
                )
            )
    for field in ("name", "region", "area"):
        guess = columns.get(field)
        filled = values.get(field, ())
        numbers = sum(1 for value in filled if is_number(value))
        if guess is not None and filled and numbers > MOSTLY * len(filled):
            doubts.append(
                Doubt(
                    DoubtCode.NUMBERS_FOR_NAMES,
                    field,
                    guess.letter,
                    guess.header,
                    _(
                        "column {column} '{header}', taken for the {field}, holds numbers "
                        "({count} of {total}) where names are expected"
                    ).format(
                        column=guess.letter,
                        header=guess.header,
                        field=_field_word(field),
                        count=formats.integer(numbers),
                        total=formats.integer(len(filled)),
                    ),
                )
            )
    return doubts
