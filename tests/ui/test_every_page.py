"""Every page, for every role, on an empty database and on the demo: it renders without an
exception, the menu matches the role, and an area manager never sees another area's branch."""

from __future__ import annotations

import pytest

from audit_app.domain.users import User
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from tests.ui.apptest import GUEST, HQ, MARTA, PAGES, run_app, texts

WRITERS_ONLY = {"new_visit", "import"}
HEAD_OFFICE_ONLY = {"admin"}


def _pages_for(user: User) -> list[str]:
    return [
        page
        for page in PAGES
        if (page not in WRITERS_ONLY or user.can_write)
        and (page not in HEAD_OFFICE_ONLY or user is HQ)
    ]


@pytest.mark.parametrize("user", [HQ, MARTA, GUEST], ids=lambda u: u.username)
def test_every_page_renders_on_an_empty_database(ctx: AppContext, user: User) -> None:
    for page in _pages_for(user):
        app = run_app(user, page)
        assert app.title, f"{page} has no title"


def test_the_menu_follows_the_role(ctx: AppContext) -> None:
    """A page outside the role is left out of the menu, and its address answers in the
    app's own words (not Streamlit's "Page not found") with the way back."""
    for user, hidden in (
        (HQ, set()),
        (MARTA, HEAD_OFFICE_ONLY),
        (GUEST, WRITERS_ONLY | HEAD_OFFICE_ONLY),
    ):
        for page in hidden:
            app = run_app(user, page)
            shown = texts(app)
            assert "This page is for" in app.info[0].value, (user.username, page)
            links = [link.proto.label for link in app.get("page_link")]
            assert "Back to the overview" in links, (user.username, page)
            assert "Page not found" not in shown


def test_a_page_outside_the_role_says_whose_it_is(ctx: AppContext) -> None:
    marta_on_admin = run_app(MARTA, "admin")
    assert marta_on_admin.title[0].value == "Admin"
    assert marta_on_admin.info[0].value == "This page is for head office."
    assert not marta_on_admin.dataframe and not marta_on_admin.data_editor
    guest_on_visit = run_app(GUEST, "new_visit")
    assert guest_on_visit.title[0].value == "New visit"
    assert "area managers and head office" in guest_on_visit.info[0].value
    assert not guest_on_visit.get("form")
    catalan = run_app(MARTA, "admin", language="ca")
    assert catalan.info[0].value == "Aquesta pàgina és per a la central."


def test_an_area_manager_never_sees_another_area(ctx: AppContext) -> None:
    load_demo(ctx)
    others = [b for b in list_branches(ctx) if b.area != "Barcelona"]
    mine = [b for b in list_branches(ctx) if b.area == "Barcelona"]
    seen_mine = False
    for page in _pages_for(MARTA):
        shown = texts(run_app(MARTA, page))
        leaked = [b.code for b in others if b.code in shown] + [
            b.name for b in others if b.name in shown
        ]
        assert not leaked, f"{page} shows {leaked}"
        seen_mine = seen_mine or any(b.code in shown for b in mine)
    assert seen_mine


@pytest.mark.parametrize("user", [HQ, GUEST], ids=lambda u: u.username)
def test_every_page_renders_on_the_demo(ctx: AppContext, user: User) -> None:
    load_demo(ctx)
    for page in _pages_for(user):
        app = run_app(user, page)
        assert app.title, f"{page} has no title"
