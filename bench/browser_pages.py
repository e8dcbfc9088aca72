"""``python -m bench.browser_pages --url URL --user NAME --password-env VAR``: every page of
a running app in a real browser (Debian's Chromium, headless), each opened from the sidebar
as a user does, timed from the click until the app is idle again (no script running,
nothing greyed out); each page twice, the first time with nothing cached for it.

The services' benchmarks (``bench.tenfold``) time what the pages compute; this times what a
user waits for, drawing included. ``--data-dir DIR`` serves the demo from DIR instead of a
running app (the demo is loaded there first when DIR is empty). A page that shows an
exception is an error. The figures go to ``bench/results/latest-browser-pages.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "latest-browser-pages.json"
PAGES = (
    "actions",
    "compare",
    "plans",
    "coverage",
    "branch",
    "audit",
    "new-visit",
    "import",
    "checklists",
    "admin",
    "overview",  # last: the log-in opens it
)
DEFAULT_PAGE = "overview"
"""Its link is the app's own address."""
BUSY = ("initial", "running", "rerunRequested", "stopRequested")
TARGET_S = 2.0


def _idle(page: Any, timeout_ms: int = 180_000) -> None:
    """The app's own script state, Streamlit's running widget and stale elements (the
    browser tests' ``wait_idle``)."""
    from playwright.sync_api import expect

    page.wait_for_timeout(200)
    busy = "".join(f':not([data-test-script-state="{state}"])' for state in BUSY)
    expect(page.locator('[data-testid="stApp"]' + busy)).to_have_count(1, timeout=timeout_ms)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout_ms)
    stale = page.locator('[data-testid="stElementContainer"][data-stale="true"]')
    expect(stale).to_have_count(0, timeout=timeout_ms)


def walk(
    url: str,
    user: str,
    password: str,
    pages: tuple[str, ...],
    rounds: int,
    whole_history: bool = False,
) -> dict[str, Any]:
    """Log in, then open each page ``rounds`` times from the sidebar: seconds per visit and
    the errors seen (a page missing from the menu, an exception shown); ``whole_history``:
    then :func:`_whole_history`."""
    from playwright.sync_api import expect, sync_playwright

    seconds: dict[str, list[float]] = {}
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url + "/")
        _idle(page)
        page.get_by_label("User name").fill(user)
        page.get_by_role("textbox", name="Password").fill(password)
        started = time.perf_counter()
        page.get_by_role("button", name="Log in").click()
        # Log-in reruns the script: between its run and the Overview's the app can look idle
        # for a moment, so the Overview's title (drawn once its figures are computed) is
        # waited for as well.
        expect(page.get_by_role("heading", name="Overview")).to_be_visible(timeout=180_000)
        _idle(page)
        seconds["log in (to the Overview)"] = [round(time.perf_counter() - started, 2)]
        for _round in range(rounds):
            for name in pages:
                link = _nav_link(page, url, name)
                if link.count() == 0:
                    errors.append(f"{name}: not in the menu")
                    continue
                started = time.perf_counter()
                link.first.click()
                _idle(page)
                seconds.setdefault(name, []).append(round(time.perf_counter() - started, 2))
                shown = page.get_by_test_id("stException")
                if shown.count():
                    errors.append(f"{name}: {shown.first.inner_text()[:300]}")
        if whole_history:
            _whole_history(page, url, seconds, errors)
        browser.close()
    return {"seconds": seconds, "errors": errors}


def _whole_history(page: Any, url: str, seconds: dict[str, list[float]], errors: list[str]) -> None:
    """On the Compare page, the sidebar's *Whole history*, then its Consistency tab and
    *Include items*, then the Overview over the same period: each timed from the click."""
    steps = (
        ("compare", "whole history (the button)", lambda: _sidebar_button(page, "Whole history")),
        ("compare", "whole history, Consistency tab", lambda: _tab(page, "Consistency")),
        ("compare", "whole history, Include items", lambda: _toggle(page, "Include items")),
        ("overview", "whole history", None),
    )
    for address, name, act in steps:
        link = _nav_link(page, url, address)
        started = time.perf_counter()
        if act is None:
            link.first.click()
        else:
            if not page.url.rstrip("/").endswith(address):
                link.first.click()
                _idle(page)
                started = time.perf_counter()
            act()
        _idle(page)
        seconds[f"{address}: {name}"] = [round(time.perf_counter() - started, 2)]
        shown = page.get_by_test_id("stException")
        if shown.count():
            errors.append(f"{address}, {name}: {shown.first.inner_text()[:300]}")


def _nav_link(page: Any, url: str, name: str) -> Any:
    """The sidebar's link to the page ``name`` (the Overview's is the app's own address)."""
    href = f'="{url}/"' if name == DEFAULT_PAGE else f'$="/{name}"'
    return page.locator(f'[data-testid="stSidebarNav"] a[href{href}]')


def _sidebar_button(page: Any, label: str) -> None:
    """Click it; where it is not offered (*Whole history*: the period shown already holds
    every audit, as the demo's default year does) the page stays as it is."""
    button = page.get_by_test_id("stSidebar").get_by_role("button", name=label)
    if button.count():
        button.first.click()


def _tab(page: Any, label: str) -> None:
    page.get_by_role("tab", name=label).click()


def _toggle(page: Any, label: str) -> None:
    page.get_by_text(label, exact=True).click()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_pages")
    parser.add_argument("--url", help="a running app (default: serve the demo, --data-dir)")
    parser.add_argument("--data-dir", type=Path, help="serve the demo from this folder")
    parser.add_argument("--user", default="hq")
    parser.add_argument(
        "--password-env", default="AUDIT_BENCH_PASSWORD", help="variable holding the password"
    )
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated addresses")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--set", default="the demo", help="what the data is, for the results")
    parser.add_argument(
        "--whole-history",
        action="store_true",
        help="then choose the whole history on Compare, its items, and the Overview",
    )
    options = parser.parse_args(argv)
    password = os.environ.get(options.password_env, "hq-demo-2026")
    pages = tuple(p for p in options.pages.split(",") if p)
    server = None
    url = options.url
    if url is None:
        from bench.load.__main__ import _load_demo, _serve

        data_dir = options.data_dir or Path(os.environ.get("AUDIT_DATA_DIR", ".bench-browser"))
        _load_demo(data_dir)
        server, url = _serve(data_dir, None)
    try:
        found = walk(
            url.rstrip("/"), options.user, password, pages, options.rounds, options.whole_history
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    figures = [
        {
            "page": name,
            "seconds": times,
            "target_s": TARGET_S,
            "met": all(t < TARGET_S for t in times),
        }
        for name, times in found["seconds"].items()
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
                "set": options.set,
                "figures": figures,
                "errors": found["errors"],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    for figure in figures:
        print(f"{figure['page']}: " + " / ".join(f"{t:.2f} s" for t in figure["seconds"]))
    for error in found["errors"]:
        print(f"error: {error}", file=sys.stderr)
    return 1 if found["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
