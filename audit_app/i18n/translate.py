"""The gettext calls the source uses; Babel extracts their first argument into the catalogue."""

from __future__ import annotations

from audit_app.i18n.catalogue import PSEUDO, translations
from audit_app.i18n.current import current_language


def _mark(text: str) -> str:
    return f"⟦{text}⟧"


def _(message: str) -> str:
    """``message`` in the current language."""
    language = current_language()
    if language == PSEUDO:
        return _mark(message)
    return translations(language).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (Romanian has three)."""
    language = current_language()
    if language == PSEUDO:
        return _mark(singular if n == 1 else plural)
    return translations(language).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language where the same English word means two things
    (``pgettext("result", "Failed")``)."""
    language = current_language()
    if language == PSEUDO:
        return _mark(message)
    return translations(language).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it yet."""
    return message
