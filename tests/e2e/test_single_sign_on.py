"""Behind a single-sign-on proxy: with ``AUDIT_TRUSTED_USER_HEADER`` set, the user the proxy
names is logged in without a password; without the header the log-in form still guards.

The proxy is a real one in front of ``audit-app serve`` (``tests/e2e/sso_proxy.py``): it
knows the user from its own session cookie and sets ``X-Forwarded-User`` on every request it
passes on, the websocket's included, as oauth2-proxy does."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import VIEWPORT
from tests.e2e.sso_proxy import EXTRA_COOKIE, SESSION_COOKIE, sso_proxy


@pytest.fixture(scope="module")
def behind_sso(sso_app: str) -> Iterator[str]:
    """The app configured for the header, reached through the proxy."""
    with sso_proxy(sso_app) as url:
        yield url


@pytest.fixture(scope="module")
def behind_proxy_unconfigured(served_app: str) -> Iterator[str]:
    """The app NOT configured for the header, reached through the same kind of proxy."""
    with sso_proxy(served_app) as url:
        yield url


def _signed_in_by_proxy(browser, url: str, user: str | None):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT)
    if user is not None:
        context.add_cookies([{"name": SESSION_COOKIE, "value": user, "url": url}])
    return context


@pytest.mark.browser
def test_the_proxy_header_logs_the_user_in(behind_sso: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    context = _signed_in_by_proxy(browser, behind_sso, "marta")
    try:
        page = context.new_page()
        page.goto(behind_sso + "/")
        expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=60_000)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("Area manager · Barcelona")
        expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_an_unknown_name_or_no_header_gets_the_form(behind_sso: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    for user in ("mallory", None):
        context = _signed_in_by_proxy(browser, behind_sso, user)
        try:
            page = context.new_page()
            page.goto(behind_sso + "/")
            expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name=re.compile("Log out"))).to_have_count(0)
        finally:
            context.close()


@pytest.mark.browser
def test_the_header_is_ignored_unless_configured(  # type: ignore[no-untyped-def]
    behind_proxy_unconfigured: str, browser
) -> None:
    from playwright.sync_api import expect

    context = _signed_in_by_proxy(browser, behind_proxy_unconfigured, "hq")
    try:
        page = context.new_page()
        page.goto(behind_proxy_unconfigured + "/")
        expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.browser
def test_a_header_sent_twice_is_refused(behind_sso: str, browser) -> None:  # type: ignore[no-untyped-def]
    """A proxy that passes on the client's copy next to its own: two ``X-Forwarded-User``
    headers reach the app, and neither is believed, even when both name the same user."""
    from playwright.sync_api import expect

    for extra in ("hq", "marta"):
        context = _signed_in_by_proxy(browser, behind_sso, "marta")
        context.add_cookies([{"name": EXTRA_COOKIE, "value": extra, "url": behind_sso}])
        try:
            page = context.new_page()
            page.goto(behind_sso + "/")
            expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name="Log out")).to_have_count(0)
        finally:
            context.close()


@pytest.mark.browser
def test_a_tab_logged_in_by_the_proxy_is_refused_once_its_user_is_disabled(  # type: ignore[no-untyped-def]
    behind_sso: str, demo_data_dir, browser
) -> None:
    """The proxy still vouches for the name, but the app checks the user at every click."""
    from playwright.sync_api import expect

    from tests.e2e.test_sessions import _cli, _new_user

    name = _new_user(demo_data_dir)
    context = _signed_in_by_proxy(browser, behind_sso, name)
    try:
        page = context.new_page()
        page.goto(behind_sso + "/")
        expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=60_000)
        _cli(demo_data_dir, "users", "disable", name)
        page.get_by_test_id("stSidebarNav").get_by_text("Compare", exact=True).click()
        expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    finally:
        context.close()
