"""The session's language in the app: the user's choice, else their area's, else English;
the sidebar's switcher changes it at once and keeps it with the user."""

from __future__ import annotations

import pytest

from audit_app.domain.audit import Branch
from audit_app.domain.users import Role, User
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.languages import choose_language
from audit_app.services.users import list_users
from tests.ui.apptest import run_app

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(
        ctx,
        [
            Branch(
                code=f"ES-0{n}",
                name=f"Botiga {n}",
                region="Catalonia",
                area="Barcelona",
                country="ES",
                language="ca",
            )
            for n in (1, 2)
        ],
    )
    return ctx


def _picker(app):  # type: ignore[no-untyped-def]
    return app.selectbox(key="language_picker")


def _saved(ctx: AppContext, username: str) -> str | None:
    return next(u for u in list_users(ctx.as_user(HQ)) if u.username == username).language


def test_an_area_manager_starts_in_her_areas_language(world: AppContext) -> None:
    app = run_app(MARTA, language=None)
    assert _picker(app).value == "ca"
    assert _picker(app).label == "Idioma de l'aplicació"
    assert app.button(key="logout").label == "Tanca la sessió"
    assert _saved(world, "marta") is None  # a default, not a choice


def test_head_office_without_an_area_or_a_browser_reads_english(world: AppContext) -> None:
    app = run_app(HQ, language=None)
    assert _picker(app).value == "en"
    assert app.button(key="logout").label == "Log out"


def test_a_chosen_language_beats_the_areas(world: AppContext) -> None:
    run_app(MARTA, language=None)  # adds marta to the world
    choose_language(world.as_user(MARTA), "tr")
    app = run_app(MARTA, language=None)
    assert _picker(app).value == "tr"
    assert app.button(key="logout").label == "Çıkış yap"


def test_the_switcher_changes_the_words_and_keeps_the_choice(world: AppContext) -> None:
    app = run_app(MARTA, language=None)
    _picker(app).set_value("ro").run()
    assert not app.exception
    assert app.button(key="logout").label == "Deconectare"
    assert _saved(world, "marta") == "ro"
    app.run()  # a later rerun keeps it
    assert _picker(app).value == "ro"


def test_the_log_in_page_switches_without_saving(world: AppContext) -> None:
    app = run_app(None, language=None)
    assert _picker(app).value == "en"
    _picker(app).set_value("ca").run()
    assert not app.exception
    assert (_picker(app).value, _picker(app).label) == ("ca", "Idioma de l'aplicació")
    assert [u.language for u in list_users(world.as_user(HQ))] == []  # nobody to keep it
