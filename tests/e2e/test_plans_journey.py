"""An area manager's day with a visit plan, in Debian's Chromium against the real
``audit-app serve`` over the demo (whose plan runs from the week it was loaded): Marta opens
her home, sees a visit due this week, enters it from there, and Coverage counts it done.
With ``AUDIT_UPDATE_SCREENSHOTS=1`` the README pictures ``docs/screenshot-home.png`` and
``docs/screenshot-coverage.png`` are renewed.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import log_in
from tests.e2e.test_journeys import PHONE, SLOW_MS, UPDATE, _choose, _idle, _screenshot

PHONE_VIEWPORT = {"width": 390, "height": 844}


def _coverage_done(page, base_url: str) -> int:  # type: ignore[no-untyped-def]
    """The "Done" count of the plan running today (Coverage's default), in her areas."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/coverage")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Coverage", exact=True)).to_be_visible(timeout=SLOW_MS)
    _idle(page)
    done = main.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("Done", exact=True)
    )
    expect(done).to_have_count(1, timeout=SLOW_MS)
    return int(done.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


@pytest.mark.browser
def test_an_area_manager_enters_a_due_visit_from_her_home_and_coverage_counts_it(
    served_app: str,
    browser_page,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, served_app, "marta", path="coverage")
    before = _coverage_done(page, served_app)

    page.goto(served_app + "/")  # her home: the Overview
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Visits due this week")).to_be_visible(timeout=SLOW_MS)
    _idle(page)
    row = (  # the plan that runs now: a telephone greeting (the last quarter's are overdue)
        main.get_by_test_id("stHorizontalBlock")
        .filter(has=page.get_by_role("button", name="Enter visit"))
        .filter(has_text=re.compile(r"Greeting: telephone .* due by "))
        .first
    )
    expect(row).to_be_visible()
    text = row.inner_text()
    name, code = re.search(r"(Verd Natural [^(]+?) \((ES-CAT-\d\d)\)", text).groups()  # type: ignore[union-attr]
    assert "auditor:" in text  # someone the lockout allows is planned for it
    if UPDATE:
        page.get_by_role("heading", name="Overview").scroll_into_view_if_needed()
    _screenshot(page, "screenshot-home.png", tmp_path)

    row.get_by_role("button", name="Enter visit").click()
    expect(main.get_by_role("heading", name="New visit")).to_be_visible(timeout=SLOW_MS)
    _idle(page)
    assert re.search(r"/new-visit", page.url)
    expect(page.get_by_role("combobox", name="Branch", exact=True)).to_have_value(
        re.compile(rf"^{code}\b")
    )
    expect(page.get_by_role("combobox", name="Checklist", exact=True)).to_have_value(
        "Greeting: telephone"
    )
    _choose(page, "Language", "English")
    visit_date = page.get_by_test_id("stDateInput").filter(has_text="Visit date").locator("input")
    visit_date.fill(date.today().isoformat())
    visit_date.press("Enter")
    _idle(page)
    for question, answer in PHONE.items():
        page.get_by_role("radiogroup", name=question).get_by_text(answer, exact=True).click()
        _idle(page)
    page.get_by_role("radiogroup", name="Putting the caller on hold").get_by_role(
        "radio"
    ).first.check(force=True)
    _idle(page)
    for question, value in (
        ("Rings before the call is answered", "3"),
        ("Hours until a voicemail message is returned", "2"),
    ):
        field = page.get_by_label(question, exact=True)
        field.fill(value)
        field.press("Enter")
        _idle(page)
    page.get_by_role("button", name="Submit").click()
    submitted = main.get_by_text(re.compile(r"Audit #\d+ for .* submitted\."))
    expect(submitted).to_be_visible(timeout=SLOW_MS)
    assert name in submitted.inner_text()

    assert _coverage_done(page, served_app) == before + 1
    _past_quarter(page)
    _screenshot(page, "screenshot-coverage.png", tmp_path)


def _past_quarter(page) -> None:  # type: ignore[no-untyped-def]
    """Coverage of the demo's last quarter: visits done and overdue."""
    from playwright.sync_api import expect

    box = page.get_by_role("combobox", name="Plan", exact=True)
    box.click()
    page.get_by_role("option", name=re.compile(r"^Complaint handling")).click()
    expect(box).to_have_value(re.compile(r"^Complaint handling"))
    _idle(page)
    main = page.get_by_test_id("stMain")
    overdue = main.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text("Overdue", exact=True)
    )
    assert int(overdue.get_by_test_id("stMetricValue").inner_text()) > 0
    page.get_by_role("heading", name="Coverage", exact=True).scroll_into_view_if_needed()


@pytest.mark.browser
def test_her_home_fits_a_phone(served_app: str, browser) -> None:  # type: ignore[no-untyped-def]
    """On a phone-sized screen the home still shows the due visits and nothing runs off
    the side of the page."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE_VIEWPORT)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        log_in(page, served_app, "marta")
        main = page.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name="Visits due this week")).to_be_visible(
            timeout=SLOW_MS
        )
        _idle(page)
        expect(page.get_by_role("button", name="Enter visit").first).to_be_visible()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        context.close()
