"""Every page, rendered in the pseudo-language, shows no word that skipped the catalogue
(see ``tests/ui/pseudo.py``): a word left English here stays English in Catalan, Romanian and
Turkish."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from audit_app.config import Settings
from audit_app.domain.users import User
from audit_app.services.context import AppContext, open_context
from audit_app.services.demo import load_demo
from tests.databases import make_settings, point_environment_at
from tests.ui.apptest import HQ, MARTA, PAGES, run_app
from tests.ui.pseudo import data_vocabulary, shown_strings, untranslated

DEMO_PAGES = [(HQ, page) for page in PAGES] + [(MARTA, page) for page in PAGES if page != "admin"]


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, list[str]]]:
    """The demo, loaded once for the module, with the words it holds."""
    settings = make_settings("sqlite", tmp_path_factory.mktemp("demo") / "data")
    context = open_context(settings)
    load_demo(context)
    vocabulary = data_vocabulary(context)
    context.engine.dispose()
    yield settings, vocabulary


@pytest.fixture
def demo_world(
    demo_settings: tuple[Settings, list[str]], monkeypatch: pytest.MonkeyPatch
) -> tuple[Settings, list[str]]:
    point_environment_at(demo_settings[0], monkeypatch)
    return demo_settings


@pytest.mark.parametrize(
    ("user", "page"), DEMO_PAGES, ids=[f"{u.username}-{p}" for u, p in DEMO_PAGES]
)
def test_every_word_on_the_page_passes_through_the_catalogue(
    demo_world: tuple[Settings, list[str]], user: User, page: str
) -> None:
    _, vocabulary = demo_world
    app = run_app(user, page, language="qps")
    left = untranslated(shown_strings(app), vocabulary)
    assert not left, (
        f"{page} as {user.username}: {len(left)} strings skip the catalogue: {left[:15]}"
    )


def test_the_log_in_page_passes_through_the_catalogue(ctx: AppContext) -> None:
    app = run_app(None, language="qps")
    left = untranslated(shown_strings(app), data_vocabulary(ctx))
    assert not left, left
