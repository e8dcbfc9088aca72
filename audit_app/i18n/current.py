"""Which language the words are in right now.

A caller that knows (a report, a template, an import in its template's language) says so
with ``use_language``; otherwise the app's session says (the UI registers its source once);
otherwise English, which is what the command line prints.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from audit_app.i18n.catalogue import DEFAULT, supported

_chosen: ContextVar[str | None] = ContextVar("audit_app_language", default=None)
_session_source: list[Callable[[], str | None]] = []


def current_language() -> str:
    """The language words are translated into at this moment."""
    chosen = _chosen.get()
    if chosen:
        return chosen
    for source in _session_source:
        language = supported(source())
        if language:
            return language
    return DEFAULT


@contextmanager
def use_language(language: str | None) -> Iterator[str]:
    """Translate into ``language`` inside the block (None or an unknown code: English)."""
    chosen = supported(language) or DEFAULT
    token = _chosen.set(chosen)
    try:
        yield chosen
    finally:
        _chosen.reset(token)


def set_session_language_source(source: Callable[[], str | None]) -> None:
    """Register how the app finds the session's language (once; a second call replaces it)."""
    _session_source[:] = [source]
