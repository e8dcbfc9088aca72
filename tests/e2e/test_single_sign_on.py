"""Behind a single-sign-on proxy: with ``AUDIT_TRUSTED_USER_HEADER`` set, the user the proxy
names is logged in without a password; without the header the log-in form still guards."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import SSO_HEADER, VIEWPORT


@pytest.mark.browser
def test_the_proxy_header_logs_the_user_in(sso_app: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    context = browser.new_context(viewport=VIEWPORT, extra_http_headers={SSO_HEADER: "marta"})
    try:
        page = context.new_page()
        page.goto(sso_app + "/")
        expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=60_000)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar).to_contain_text("Area manager · Barcelona")
        expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    finally:
        context.close()


@pytest.mark.browser
def test_an_unknown_name_or_no_header_gets_the_form(sso_app: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    for headers in ({SSO_HEADER: "mallory"}, {}):
        context = browser.new_context(viewport=VIEWPORT, extra_http_headers=headers)
        try:
            page = context.new_page()
            page.goto(sso_app + "/")
            expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
            expect(page.get_by_role("button", name=re.compile("Log out"))).to_have_count(0)
        finally:
            context.close()


@pytest.mark.browser
def test_the_header_is_ignored_unless_configured(served_app: str, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    context = browser.new_context(viewport=VIEWPORT, extra_http_headers={SSO_HEADER: "hq"})
    try:
        page = context.new_page()
        page.goto(served_app + "/")
        expect(page.get_by_label("User name")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    finally:
        context.close()
