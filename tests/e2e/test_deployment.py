"""The deployment of the README: several ``audit-app serve`` processes, each with its own data
folder (as on separate machines), on ONE PostgreSQL database and one trail key, all
configured by environment variables. Behind a proxy any of them may answer any request."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import drop_database, new_database_url, require_postgres
from tests.e2e.conftest import _console_script, _free_port, _server_env, _serving

SHARED_KEY = "a-key-every-server-behind-the-proxy-shares"


@pytest.fixture(scope="module")
def shared_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new PostgreSQL database, migrated and loaded by the real commands."""
    require_postgres()
    url = new_database_url("postgresql", tmp_path_factory.mktemp("unused"), migrated=False)
    env = {
        **_server_env(tmp_path_factory.mktemp("loader")),
        "AUDIT_DATABASE_URL": url,
        "AUDIT_TRAIL_KEY": SHARED_KEY,
    }
    for command in (["db", "upgrade"], ["demo"]):
        done = subprocess.run(
            [_console_script("audit-app"), *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    added = subprocess.run(
        [
            *(_console_script("audit-app"), "users", "add", "ioana", "--role", "viewer"),
            *("--password-stdin", "--name", "Ioana Pop"),
        ],
        env=env,
        input="ioana-pass-2026\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    yield url
    drop_database(url)


def test_two_servers_on_one_postgres_database_share_data_and_log_ins(
    shared_database: str, tmp_path: Path, browser
) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    settings = {"AUDIT_DATABASE_URL": shared_database, "AUDIT_TRAIL_KEY": SHARED_KEY}
    (tmp_path / "one" / "data").mkdir(parents=True)
    (tmp_path / "two" / "data").mkdir(parents=True)
    with (
        _serving(tmp_path / "one" / "data", **settings) as first,
        _serving(tmp_path / "two" / "data", **settings) as second,
    ):
        context = browser.new_context()
        page = context.new_page()
        # The user added on the command line logs in through the second server...
        page.goto(second + "/")
        expect(page.get_by_label("User name")).to_be_attached(timeout=60_000)
        if page.get_by_role("dialog").count():
            page.keyboard.press("Escape")
        page.get_by_label("User name").fill("ioana")
        page.get_by_label("Password", exact=True).fill("ioana-pass-2026")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=60_000)
        # ...and the first server knows her session: it lives in the shared database.
        page.goto(first + "/branch?code=TR-IST-07")
        expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("Verd Natural Bakırköy").first).to_be_visible(timeout=60_000)
        context.close()
    # Neither server wrote a database of its own: everything is in PostgreSQL.
    assert not (tmp_path / "one" / "data" / "audit.db").exists()
    assert not (tmp_path / "two" / "data" / "audit.db").exists()


@pytest.mark.parametrize("command", ["serve", "verify"])
def test_a_server_without_the_chains_trail_key_refuses_to_start(
    shared_database: str, tmp_path: Path, command: str
) -> None:
    """Its own random key would seal records no other server could check: ``serve`` stops
    before it listens (a server that started would run until the timeout), and so does any
    other command."""
    env = {**_server_env(tmp_path / "lone"), "AUDIT_DATABASE_URL": shared_database}
    arguments = ["--port", str(_free_port()), "--address", "127.0.0.1"]
    done = subprocess.run(
        [_console_script("audit-app"), command, *(arguments if command == "serve" else [])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "was sealed under another trail key than this server holds" in done.stderr
    assert "AUDIT_TRAIL_KEY" in done.stderr
