"""End-to-end fixtures: the real ``audit-app serve`` on a free port over the demo data, and a
page in Debian's Chromium driven by Playwright.

Playwright's own browser download does not work everywhere (no internet on CI except package
registries), so the browser is the system one: ``apt-get install -y chromium``. Without it the
browser tests are skipped with that reason on a developer's machine; in CI (``.ci/run`` sets
``AUDIT_REQUIRE_BROWSER=1``) they fail instead, so they always run there.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1400, "height": 900}
IDLE_MS = 60_000
BUSY_STATES = ("initial", "running", "rerunRequested", "stopRequested")
STARTUP_TIMEOUT = 60.0


def _console_script(name: str) -> str:
    """The console script installed next to the running interpreter (the venv's ``bin``)."""
    path = Path(sys.executable).parent / name
    if not path.exists():
        pytest.fail(f"{path} not found: install the project first (pip install -e '.[dev]')")
    return str(path)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health(base_url: str) -> str | None:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def _server_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"AUDIT_DATABASE_URL", "AUDIT_CHECKLISTS_DIR"}
    }
    env["AUDIT_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env["STREAMLIT_BROWSER_GATHER_USAGE_STATS"] = "false"
    return env


@pytest.fixture(scope="session")
def demo_data_dir() -> Iterator[Path]:
    """A temp data folder with the demo loaded by the real ``audit-app demo``."""
    audit_app = _console_script("audit-app")
    with tempfile.TemporaryDirectory(prefix="audit-e2e-") as tmp:
        data_dir = Path(tmp) / "data"
        demo = subprocess.run(
            [audit_app, "demo"],
            env=_server_env(data_dir),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if demo.returncode != 0:
            pytest.fail(f"audit-app demo failed ({demo.returncode}):\n{demo.stdout}{demo.stderr}")
        _speak_english(data_dir)
        yield data_dir


LOCAL_MANAGERS = {  # user -> (area, the language the app should pick from the area)
    "ana": ("Barcelona", "ca"),
    "ioana": ("București", "ro"),
    "elif": ("İstanbul Avrupa", "tr"),
}
LOCAL_PASSWORD = "local-e2e-2026"


def _speak_english(data_dir: Path) -> None:
    """The journeys read English words: each demo user keeps English as their language (as
    the sidebar's switcher would), where their area would otherwise pick Catalan. Three more
    area managers, who never chose a language, read the app in their area's."""
    from audit_app.config import Settings
    from audit_app.domain.users import Role, User
    from audit_app.services.context import open_context
    from audit_app.services.languages import choose_language
    from audit_app.services.users import add_user
    from audit_app.storage import database, user_store

    ctx = open_context(Settings(data_dir=data_dir))
    try:
        with database.snapshot(ctx.engine) as conn:
            users = user_store.all_users(conn)
        for user in users:
            choose_language(ctx.as_user(user), "en")
        head_office = ctx.as_user(User(username="hq", role=Role.HEAD_OFFICE))
        for username, (area, _language) in LOCAL_MANAGERS.items():
            add_user(head_office, username, "area_manager", LOCAL_PASSWORD, areas=[area])
    finally:
        ctx.engine.dispose()


@contextmanager
def _serving(data_dir: Path, **env_extra: str) -> Iterator[str]:
    """``audit-app serve`` on a free port over ``data_dir``; yields its base URL."""
    audit_app = _console_script("audit-app")
    env = {**_server_env(data_dir), **env_extra}
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = data_dir.parent / f"serve-{port}.log"
    with log_path.open("w+b") as log:
        server = subprocess.Popen(
            [audit_app, "serve", "--port", str(port), "--address", "127.0.0.1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed as a whole below
        )
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT
            while _health(base_url) != "ok":
                if server.poll() is not None or time.monotonic() > deadline:
                    why = (
                        f"exited with code {server.returncode}"
                        if server.returncode is not None
                        else f"did not answer within {STARTUP_TIMEOUT:.0f} s"
                    )
                    output = log_path.read_text(errors="replace")
                    pytest.fail(f"audit-app serve on {base_url} {why}; its output:\n{output}")
                time.sleep(0.25)
            yield base_url
        finally:
            _stop(server)


@pytest.fixture(scope="session")
def served_app(demo_data_dir: Path) -> Iterator[str]:
    """The demo served as a fresh install would: log-in form, no single sign-on."""
    with _serving(demo_data_dir) as base_url:
        yield base_url


SSO_HEADER = "X-Forwarded-User"


@pytest.fixture(scope="session")
def sso_app(demo_data_dir: Path) -> Iterator[str]:
    """The same data served as behind a single-sign-on proxy that sets ``X-Forwarded-User``."""
    with _serving(demo_data_dir, AUDIT_TRUSTED_USER_HEADER=SSO_HEADER) as base_url:
        yield base_url


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        reason = "Debian chromium not installed: apt-get install -y chromium"
        if os.environ.get("AUDIT_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


DEMO_PASSWORDS = {"hq": "hq-demo-2026", "marta": "marta-demo-2026", "guest": "guest-demo-2026"}


def log_in(page, base_url: str, username: str, path: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open the app (at ``path``) and log in as a demo user through the real form."""
    from playwright.sync_api import expect

    page.goto(base_url + "/" + path)
    # The very first page view after the server starts may announce "Page not found" for a
    # deep link before the menu is known; the log-in form is behind the dialog either way.
    expect(page.get_by_label("User name")).to_be_attached(timeout=60_000)
    dialog = page.get_by_role("dialog")
    if dialog.count():
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=60_000)


@pytest.fixture
def browser(_browser):  # type: ignore[no-untyped-def]
    """The shared browser, for tests that need their own context (headers, downloads)."""
    return _browser


@pytest.fixture
def browser_page(_browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh page (own context, 1400x900) in Debian's Chromium."""
    context = _browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def wait_idle(page: Any, timeout_ms: int = IDLE_MS) -> None:
    """Wait until no script run is in progress and nothing is greyed out from the last one.

    Streamlit only shows its running widget (with the header's Stop button, faded in) some
    time after a run starts, so its absence alone can be a page still running; the app's own
    ``data-test-script-state`` says so at once. The short wait first lets the rerun that the
    last click caused begin."""
    from playwright.sync_api import expect

    page.wait_for_timeout(300)
    busy = "".join(f':not([data-test-script-state="{state}"])' for state in BUSY_STATES)
    app = page.locator('[data-testid="stApp"]' + busy)
    expect(app).to_have_count(1, timeout=timeout_ms)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout_ms)
    stale = page.locator('[data-testid="stElementContainer"][data-stale="true"]')
    expect(stale).to_have_count(0, timeout=timeout_ms)
