"""Seen from a real browser: every tab is titled by its page (not "audit-app"), and a page
outside the user's role answers in the app's words, without Streamlit's "Page not found"."""

from __future__ import annotations

from tests.e2e.conftest import log_in

SLOW_MS = 60_000


def test_each_tab_has_its_page_title_and_no_dead_end(served_app: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    page.goto(served_app + "/")
    expect(page.get_by_label("User name")).to_be_attached(timeout=SLOW_MS)
    expect(page).to_have_title("Log in", timeout=SLOW_MS)
    log_in(page, served_app, "marta")
    expect(page).to_have_title("Overview", timeout=SLOW_MS)
    for path, title in (("compare", "Compare"), ("branch", "Branch"), ("actions", "Actions")):
        page.goto(f"{served_app}/{path}")
        expect(page).to_have_title(title, timeout=SLOW_MS)
    page.goto(f"{served_app}/admin")
    expect(page.get_by_text("This page is for head office.")).to_be_visible(timeout=SLOW_MS)
    expect(page).to_have_title("Admin", timeout=SLOW_MS)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    page.get_by_role("link", name="Back to the overview").click()
    expect(page).to_have_title("Overview", timeout=SLOW_MS)
