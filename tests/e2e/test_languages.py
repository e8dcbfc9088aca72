"""The app in its users' languages, in Debian's Chromium against the real ``audit-app serve``:
three area managers who never chose a language (Barcelona, București, İstanbul Avrupa) read
every page in their area's language, and axe-core finds no serious or critical accessibility
violation on any page, in any of the four languages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from audit_app.i18n import _, use_language
from tests.e2e.axe import serious_violations
from tests.e2e.conftest import LOCAL_MANAGERS, LOCAL_PASSWORD, log_in

SLOW_MS = 60_000
PAGES = {  # address -> the page's title (English, as the catalogue knows it)
    "overview": "Overview",
    "new-visit": "New visit",
    "import": "Import",
    "actions": "Actions",
    "compare": "Compare",
    "branch": "Branch",
    "audit": "Audit",
    "checklists": "Checklists",
}


def said(language: str, message: str) -> str:
    with use_language(language):
        return _(message)


def idle(page: Any) -> None:
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SLOW_MS)
    stale = page.locator('[data-testid="stElementContainer"][data-stale="true"]')
    expect(stale).to_have_count(0, timeout=SLOW_MS)


def log_in_local(page: Any, base_url: str, username: str, path: str = "") -> str:
    """Log in through the real (English, the browser's) form; returns the area's language."""
    from playwright.sync_api import expect

    language = LOCAL_MANAGERS[username][1]
    page.goto(base_url + "/" + path)
    expect(page.get_by_label("User name")).to_be_attached(timeout=SLOW_MS)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(LOCAL_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name=said(language, "Log out"))).to_be_visible(
        timeout=SLOW_MS
    )
    return language


def _page_violations(page: Any, base_url: str, address: str, title: str) -> list[Any]:
    from playwright.sync_api import expect

    page.goto(f"{base_url}/{address}")
    expect(page).to_have_title(re.compile(re.escape(title)), timeout=SLOW_MS)  # the tab's name
    expect(page.get_by_test_id("stMain").get_by_role("heading").first).to_be_visible(
        timeout=SLOW_MS
    )
    idle(page)
    return [{"page": address, **v} for v in serious_violations(page)]


@pytest.mark.browser
@pytest.mark.parametrize("username", list(LOCAL_MANAGERS))
def test_every_page_speaks_the_areas_language_and_passes_axe(
    served_app: str,
    browser_page: Any,
    username: str,
) -> None:
    page = browser_page
    language = log_in_local(page, served_app, username)
    found: list[Any] = []
    for address, title in PAGES.items():
        found += _page_violations(page, served_app, address, said(language, title))
    nav = page.get_by_test_id("stSidebarNav")
    assert said(language, "Compare") in nav.inner_text()
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)[:8000]


@pytest.mark.browser
def test_head_office_in_english_passes_axe_on_every_page_and_the_log_in(
    served_app: str,
    browser_page: Any,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    page.goto(served_app + "/")
    expect(page.get_by_label("User name")).to_be_attached(timeout=SLOW_MS)
    idle(page)
    found = [{"page": "log in", **v} for v in serious_violations(page)]
    log_in(page, served_app, "hq")
    for address, title in {**PAGES, "admin": "Admin"}.items():
        found += _page_violations(page, served_app, address, title)
    assert not found, json.dumps(found, ensure_ascii=False, indent=1)[:8000]
