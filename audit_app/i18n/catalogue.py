"""The compiled catalogues in ``audit_app/locales`` and the languages they cover.

``qps`` is a pseudo-language for tests: every translated word comes back wrapped in
``⟦…⟧``, so a test can see which visible words did not pass through the catalogue.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
LANGUAGES = ("en", "ca", "ro", "tr")
DEFAULT = "en"
PSEUDO = "qps"

_NAMES = {
    "en": "English",
    "ca": "Català",
    "es": "Español",
    "ro": "Română",
    "tr": "Türkçe",
    "fr": "Français",
    "de": "Deutsch",
    "it": "Italiano",
    "pt": "Português",
    PSEUDO: "Pseudo",
}


def language_name(code: str) -> str:
    """``Català`` for ``ca``: a language in its own words, as a picker shows it; an unknown
    code as itself."""
    return _NAMES.get(code, code)


def supported(code: str | None) -> str | None:
    """The catalogue language a code or a browser locale names (``ca-ES`` -> ``ca``), or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-")[0].lower()
    if base in LANGUAGES or base == PSEUDO:
        return base
    return None


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue for ``language`` (English and unknown codes: the words as
    written in the source)."""
    if language in (DEFAULT, PSEUDO) or language not in LANGUAGES:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALES, languages=[language])
