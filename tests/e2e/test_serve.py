"""``audit-app serve`` end to end: the real Streamlit server over the demo data, driven in
Debian's Chromium. Streamlit renders asynchronously over a websocket, so every check waits
for the element it needs (``expect`` retries) instead of sleeping.
"""

from __future__ import annotations

import os
import re
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import log_in, wait_idle

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "screenshot-overview.png"
FIRST_RENDER_MS = 60_000  # first page view opens the database and runs the whole script
RERUN_MS = 30_000


def _metric_value(page, label: str):  # type: ignore[no-untyped-def]
    """The value element of the st.metric whose label is exactly ``label``."""
    metric_label = page.get_by_test_id("stMetricLabel").filter(
        has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
    )
    return page.get_by_test_id("stMetric").filter(has=metric_label).get_by_test_id("stMetricValue")


def _number(text: str) -> int:
    digits = text.replace(",", "").replace("\u202f", "").replace("\xa0", "").strip()
    assert digits.isdigit(), f"not a whole number: {text!r}"
    return int(digits)


def _open_overview(page, base_url: str):  # type: ignore[no-untyped-def]
    """Open the app, wait for the KPIs, return the Audits value element."""
    from playwright.sync_api import expect

    log_in(page, base_url, "hq")
    audits = _metric_value(page, "Audits")
    expect(audits).to_have_text(re.compile(r"^\s*[\d,]+\s*$"), timeout=FIRST_RENDER_MS)
    return audits


def _wait_until_idle(page) -> None:  # type: ignore[no-untyped-def]
    """No script run in progress and nothing left greyed out from the previous run."""
    wait_idle(page, RERUN_MS)


def test_health_endpoint_answers_ok(served_app: str) -> None:
    with urllib.request.urlopen(f"{served_app}/_stcore/health", timeout=10) as response:
        assert response.status == 200
        assert response.read().decode() == "ok"


@pytest.mark.browser
def test_overview_shows_kpis_and_latest_audits(served_app: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    audits = _open_overview(page, served_app)

    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    for label in ("Active branches", "Audits", "Mean score", "Pass rate", "Critical failures"):
        expect(_metric_value(page, label)).to_be_visible()
    assert _number(audits.inner_text()) > 1000  # the demo has about 1,650 submitted audits

    heading = page.get_by_role("heading", name="Latest audits", exact=True)
    expect(heading).to_be_attached()
    # The element right after the heading is the table (a glide data grid with real rows).
    table = (
        page.get_by_test_id("stElementContainer")
        .filter(has=heading)
        .locator("xpath=following-sibling::*[1]")
        .get_by_test_id("stDataFrame")
    )
    expect(table).to_be_attached()
    table.scroll_into_view_if_needed()
    expect(table).to_be_visible()
    # Column 0 holds the row markers (a row is chosen to open its audit); 1 is the visit.
    expect(table.get_by_test_id("glide-cell-1-0")).to_be_attached()


@pytest.mark.browser
def test_checklist_filter_narrows_the_audits(served_app: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    audits = _open_overview(page, served_app)
    before_text = audits.inner_text()
    before = _number(before_text)

    checklist = page.get_by_test_id("stSidebar").get_by_role("combobox", name="Checklist")
    expect(checklist).to_have_value("All checklists")
    checklist.click()
    page.get_by_role("option", name="Returns process", exact=True).click()

    expect(checklist).to_have_value("Returns process")
    expect(audits).not_to_have_text(before_text, timeout=RERUN_MS)
    _wait_until_idle(page)
    after = _number(audits.inner_text())
    assert 0 < after < before


@pytest.mark.browser
def test_overview_screenshot_for_the_readme(served_app: str, browser_page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Renders the overview at 1400x900 once the charts are drawn; with
    AUDIT_UPDATE_SCREENSHOTS=1 the picture replaces docs/screenshot-overview.png (README)."""
    from playwright.sync_api import expect

    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 900})
    _open_overview(page, served_app)

    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(2, timeout=RERUN_MS)
    for index in range(2):
        # Vega draws the marks after the embed: wait for the bars / the line to exist.
        expect(
            charts.nth(index)
            .locator(
                "svg.marks g.mark-rect path, svg.marks g.mark-line path, "
                "svg.marks g.mark-symbol path"
            )
            .first
        ).to_be_attached(timeout=RERUN_MS)
    _wait_until_idle(page)
    page.evaluate("() => document.fonts.ready")

    target = SCREENSHOT if os.environ.get("AUDIT_UPDATE_SCREENSHOTS") == "1" else tmp_path / "o.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), animations="disabled")
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert target.stat().st_size > 10_000


@pytest.mark.browser
def test_a_deep_link_opens_its_page_after_the_log_in(served_app: str, browser_page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page = browser_page
    log_in(page, served_app, "marta", path="branch?code=ES-CAT-01")
    expect(page.get_by_test_id("stMain")).to_contain_text("ES-CAT-01", timeout=RERUN_MS)
    assert "branch" in page.url and "code=ES-CAT-01" in page.url
    expect(page.get_by_text("Page not found")).to_have_count(0)
