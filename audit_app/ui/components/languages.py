"""Language codes as people read them, in every picker of the app."""

from __future__ import annotations

LANGUAGE_NAMES = {
    "en": "English",
    "ca": "Català",
    "es": "Español",
    "ro": "Română",
    "tr": "Türkçe",
    "fr": "Français",
    "de": "Deutsch",
    "it": "Italiano",
    "pt": "Português",
}


def language_name(code: str) -> str:
    """``Català`` for ``ca``; an unknown code as itself."""
    return LANGUAGE_NAMES.get(code, code)
