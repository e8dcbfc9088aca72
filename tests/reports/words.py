"""The report's words as a test expects them: through the catalogue, in a given language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir

import audit_app.reports as reports_package
from audit_app.domain import labels
from audit_app.domain.checklist import Checklist
from audit_app.i18n import _, formats, ngettext, use_language
from audit_app.reports import messages


def t(english: str, language: str, **values: object) -> str:
    """``english`` as the catalogue translates it into ``language``, values filled in."""
    with use_language(language):
        text = _(english)
    return text.format(**values) if values else text


def number(value: float | None, language: str) -> str:
    """A score with one decimal as ``language`` writes it (85.0, 85,0)."""
    with use_language(language):
        return messages.number(value)


def scoring_rules(checklist: Checklist, language: str) -> str:
    with use_language(language):
        return messages.scoring_rules(checklist)


def unit_label(unit: str, language: str) -> str:
    with use_language(language):
        return labels.unit_label(unit)


@dataclass(frozen=True)
class Word:
    id: str
    translations: dict[str, tuple[str, ...]]


def catalogue_words() -> list[Word]:
    """Every word marked in ``audit_app/reports`` with its ca/ro/tr translations from the
    compiled catalogues (empty when missing)."""
    folder = Path(reports_package.__file__).parent
    ids: list[str | tuple[str, ...]] = []
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(folder), method_map=[("**.py", "python")]
    ):
        if message not in ids:
            ids.append(message)
    words = []
    for message in ids:
        singular = message if isinstance(message, str) else message[0]
        translations: dict[str, tuple[str, ...]] = {}
        for language in ("ca", "ro", "tr"):
            with use_language(language):
                if isinstance(message, str):
                    text = _(message)
                    translations[language] = () if text == message and _same(message) else (text,)
                else:
                    forms = (
                        ngettext(message[0], message[1], 1),
                        ngettext(message[0], message[1], 5),
                    )
                    translations[language] = () if forms == tuple(message[:2]) else forms
        words.append(Word(singular, translations))
    return words


_SAME = {
    "auditor {name}",
    "Auditors",
    "ICC",
    "regions",
    "Regions",
    "no",
    "{pool} {mean}",
    "Auditor",
    "Canal",
    "N/A",
    "No",
    "Crit.",
    "A minus B",
    "Standard",
}


def _same(message: str) -> bool:
    """True when an unchanged translation means a missing one (a few words are the same)."""
    return message not in _SAME


def day(value: date | datetime, language: str) -> str:
    """A date as the reports' tables write it in ``language`` (short: 11/20/26, 20/11/26)."""
    with use_language(language):
        return formats.date(value, "short")
