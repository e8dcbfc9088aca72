"""Sessions live on the server, seen from a real browser on the real ``audit-app serve``: a
cookie copied before log-out is worthless after it, and an open tab whose user head office
disables, or gives a new password, is back at the log-in form at its next click.

Each test adds its own user with the real command line (the served demo is shared by every
browser test, so the demo accounts are left alone) and changes it the same way."""

from __future__ import annotations

import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import VIEWPORT, _console_script, _server_env

SLOW_MS = 60_000
PASSWORD = "a long enough password"


def _cli(data_dir: Path, *args: str, stdin: str = "") -> None:
    done = subprocess.run(
        [_console_script("audit-app"), *args],
        env=_server_env(data_dir),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _new_user(data_dir: Path) -> str:
    name = f"tab-{uuid.uuid4().hex[:8]}"
    _cli(data_dir, "users", "add", name, "--role", "viewer", "--password-stdin", stdin=PASSWORD)
    return name


def _log_in(page, base_url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(base_url + "/")
    expect(page.get_by_label("User name")).to_be_attached(timeout=SLOW_MS)
    dialog = page.get_by_role("dialog")
    if dialog.count():
        page.keyboard.press("Escape")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=SLOW_MS)


def _session_cookie(context) -> dict:  # type: ignore[no-untyped-def]
    """The app's session cookie, once the page's script has written it."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = [c for c in context.cookies() if c["name"] == "audit_session" and c["value"]]
        if found:
            return dict(found[0])
        time.sleep(0.2)
    raise AssertionError("the session cookie was never written")


def _opens_logged_in(browser, base_url: str, cookie: dict) -> bool:  # type: ignore[no-untyped-def]
    """Whether a fresh browser holding only ``cookie`` gets in (else: the log-in form)."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_cookies([{"name": cookie["name"], "value": cookie["value"], "url": base_url}])
        page = context.new_page()
        page.goto(base_url + "/")
        form = page.get_by_label("User name")
        log_out = page.get_by_role("button", name="Log out")
        expect(form.or_(log_out)).to_be_visible(timeout=SLOW_MS)
        return bool(log_out.count())
    finally:
        context.close()


@pytest.mark.browser
def test_a_cookie_copied_before_log_out_does_not_log_in_after_it(  # type: ignore[no-untyped-def]
    served_app: str, demo_data_dir: Path, browser
) -> None:
    from playwright.sync_api import expect

    name = _new_user(demo_data_dir)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        _log_in(page, served_app, name)
        copied = _session_cookie(context)
        assert _opens_logged_in(browser, served_app, copied)  # the copy works while logged in
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_label("User name")).to_be_visible(timeout=SLOW_MS)
    finally:
        context.close()
    assert not _opens_logged_in(browser, served_app, copied)


@pytest.mark.browser
@pytest.mark.parametrize(
    "change",
    [
        lambda name: ("users", "disable", name),
        lambda name: ("users", "set-password", name, "--password-stdin"),
    ],
    ids=["disabled", "new-password"],
)
def test_an_open_tab_is_logged_out_at_its_next_click(  # type: ignore[no-untyped-def]
    served_app: str, demo_data_dir: Path, browser_page, change
) -> None:
    from playwright.sync_api import expect

    page = browser_page
    name = _new_user(demo_data_dir)
    _log_in(page, served_app, name)
    expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible()
    _cli(demo_data_dir, *change(name), stdin="another long password\n")  # head office
    page.get_by_test_id("stSidebarNav").get_by_text("Compare", exact=True).click()
    expect(page.get_by_label("User name")).to_be_visible(timeout=SLOW_MS)
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_role("heading", name="Compare")).to_have_count(0)
