"""Seen from a real browser: every tab is titled by its page (not "audit-app"), and a page
outside the user's role answers in the app's words, without Streamlit's "Page not found"."""

from __future__ import annotations

import re

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


def test_a_latest_audit_opens_from_the_overview(served_app: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, served_app, "hq")
    heading = page.get_by_role("heading", name="Latest audits", exact=True)
    table = (
        page.get_by_test_id("stElementContainer")
        .filter(has=heading)
        .locator("xpath=following-sibling::*[1]")
        .get_by_test_id("stDataFrame")
    )
    table.scroll_into_view_if_needed()
    expect(table.get_by_test_id("glide-cell-1-0")).to_be_attached(timeout=SLOW_MS)
    # The grid is a canvas: click the first row's marker (left of the first row).
    box = table.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 54)
    expect(page).to_have_title("Audit", timeout=SLOW_MS)
    expect(page).to_have_url(re.compile(r"/audit\?id=\d+$"), timeout=SLOW_MS)
    expect(page.get_by_role("heading", name=re.compile(r"^Audit #\d+"))).to_be_visible(
        timeout=SLOW_MS
    )
