"""Translating: the language a caller chose, else the session's, else English; plurals by
each language's rule; the pseudo-language marks every word."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from audit_app.i18n import (
    _,
    current_language,
    ngettext,
    set_session_language_source,
    supported,
    use_language,
)
from audit_app.i18n import current as current_module


@pytest.fixture
def session_says() -> Iterator[list[str | None]]:
    """A stand-in for the app's session: whatever the list holds is the session's language."""
    saved = list(current_module._session_source)
    said: list[str | None] = [None]
    set_session_language_source(lambda: said[0])
    yield said
    current_module._session_source[:] = saved


def test_words_follow_the_chosen_language() -> None:
    assert _("Log out") == "Log out"
    with use_language("ca"):
        assert _("Log out") == "Tanca la sessió"
        with use_language("tr"):
            assert _("Log out") == "Çıkış yap"
        assert current_language() == "ca"
    with use_language("ro"):
        assert _("Log out") == "Deconectare"
    assert current_language() == "en"


def test_the_session_speaks_when_no_caller_chose(session_says: list[str | None]) -> None:
    session_says[0] = "tr"
    assert _("Log out") == "Çıkış yap"
    with use_language("ca"):
        assert _("Log out") == "Tanca la sessió"
    session_says[0] = "xx"  # a language without a catalogue: English
    assert _("Log out") == "Log out"


def test_unknown_languages_and_browser_locales() -> None:
    assert supported("ca-ES") == "ca"
    assert supported("tr_TR") == "tr"
    assert supported("es-ES") is None
    assert supported(None) is None
    with use_language("es"):
        assert current_language() == "en"


def test_the_pseudo_language_marks_every_word() -> None:
    with use_language("qps"):
        assert _("Log out") == "⟦Log out⟧"
        assert ngettext("{n} audit", "{n} audits", 2) == "⟦{n} audits⟧"


def test_a_word_missing_from_the_catalogue_stays_readable() -> None:
    with use_language("ro"):
        assert _("A sentence no catalogue has") == "A sentence no catalogue has"
