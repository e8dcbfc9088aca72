"""A user's language: kept with the user once chosen; until then their area's."""

from __future__ import annotations

import pytest

from audit_app.domain.audit import Branch
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.languages import area_language, choose_language
from audit_app.services.users import add_user, list_users
from audit_app.services.verify import verify


def _branch(code: str, area: str, language: str) -> Branch:
    return Branch(code=code, name=code, region=area, area=area, country=code[:2], language=language)


BRANCHES = [
    _branch("ES-01", "Barcelona", "ca"),
    _branch("ES-02", "Barcelona", "ca"),
    _branch("ES-03", "Barcelona", "en"),
    _branch("RO-01", "Cluj", "ro"),
    _branch("PT-01", "Porto", "pt"),
]
HQ = User(username="hq", role=Role.HEAD_OFFICE)


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    add_user(ctx, "marta", "area_manager", "correct horse", areas=["Barcelona", "Cluj"])
    add_user(ctx, "joao", "area_manager", "correct horse", areas=["Porto"])
    return ctx


def _user(ctx: AppContext, name: str) -> User:
    return next(u for u in list_users(ctx.as_user(HQ)) if u.username == name)


def test_a_users_area_speaks_the_language_most_of_its_branches_speak(world: AppContext) -> None:
    assert area_language(world.as_user(_user(world, "marta"))) == "ca"
    assert area_language(world.as_user(_user(world, "joao"))) is None  # no catalogue for pt
    assert area_language(world.as_user(HQ)) is None  # head office has no area


def test_a_chosen_language_is_kept_with_the_user(world: AppContext) -> None:
    marta = _user(world, "marta")
    assert marta.language is None
    choose_language(world.as_user(marta), "tr")
    assert _user(world, "marta").language == "tr"
    choose_language(world.as_user(marta), "ro")
    assert _user(world, "marta").language == "ro"
    assert _user(world, "joao").language is None
    assert verify(world.as_user(HQ)).ok  # a preference, not a sealed record: the trail stays whole


def test_only_a_language_with_a_catalogue_and_a_user_to_keep_it(world: AppContext) -> None:
    with pytest.raises(AuditAppError, match="not 'pt'"):
        choose_language(world.as_user(_user(world, "joao")), "pt")
    with pytest.raises(AuditAppError, match="Log in"):
        choose_language(world.as_user(None), "ca")
    assert _user(world, "joao").language is None
