"""Test databases on both engines.

SQLite is a file in the test's folder. PostgreSQL is a fresh database on the server named by
``AUDIT_TEST_POSTGRES_URL`` (``.ci/postgres start`` prints one), cloned from a template that
the migrations built once per session, and dropped when the test is done. Without that URL
the PostgreSQL runs are skipped with the reason, unless ``AUDIT_REQUIRE_POSTGRES=1`` (set by
CI) turns the skip into a failure.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from audit_app.config import Settings, default_checklists_dir
from audit_app.storage import database, seal_keys

ENGINES = ("sqlite", "postgresql")
SERVER_ENV = "AUDIT_TEST_POSTGRES_URL"
REQUIRE_ENV = "AUDIT_REQUIRE_POSTGRES"
SKIP_REASON = (
    f"PostgreSQL run skipped: set {SERVER_ENV} to a server URL "
    "(`.ci/postgres start /tmp/audit-pg` starts a throwaway one and prints it)"
)


def postgres_server_url() -> str | None:
    return os.environ.get(SERVER_ENV) or None


def require_postgres() -> str:
    """The server URL, or skip (fail in CI) the test that needs it."""
    url = postgres_server_url()
    if url is None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {SERVER_ENV} is not set", pytrace=False)
        pytest.skip(SKIP_REASON)
    return url


@dataclass
class _Server:
    """The session's handle on the PostgreSQL server: makes and drops test databases."""

    url: str
    admin: Engine = field(init=False)
    template: str | None = None
    counter: itertools.count = field(default_factory=itertools.count)

    def __post_init__(self) -> None:
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", future=True)

    def _url_for(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> None:
        clause = f' TEMPLATE "{template}"' if template else ""
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))

    def _migrated_template(self) -> str:
        if self.template is None:
            name = f"audit_template_{os.getpid()}"
            self._create(name)
            engine = database.create_database_engine(self._url_for(name))
            database.upgrade(engine)
            engine.dispose()
            self.template = name
        return self.template

    def new_database(self, *, migrated: bool = True) -> str:
        name = f"audit_test_{os.getpid()}_{next(self.counter)}"
        self._create(name, self._migrated_template() if migrated else None)
        return self._url_for(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_servers: dict[str, _Server] = {}


def _server() -> _Server:
    url = require_postgres()
    if url not in _servers:
        _servers[url] = _Server(url)
    return _servers[url]


def new_database_url(engine: str, folder: Path, *, migrated: bool = True) -> str:
    """A database nobody else uses: a SQLite file in ``folder`` or a new PostgreSQL database
    (already at the newest schema unless ``migrated`` is false)."""
    if engine == "sqlite":
        return f"sqlite:///{folder / 'audit.db'}"
    return _server().new_database(migrated=migrated)


def drop_database(url: str) -> None:
    """Drop a PostgreSQL test database (a SQLite file goes with its temporary folder)."""
    if url.startswith("postgresql"):
        _server().drop(url)


def make_settings(engine: str, folder: Path, checklists_dir: Path | None = None) -> Settings:
    """Settings for a test world in ``folder`` on ``engine``."""
    folder.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=folder,
        database_url=new_database_url(engine, folder),
        checklists_dir=checklists_dir or default_checklists_dir(),
    )


def point_environment_at(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the CLI and anything reading ``AUDIT_*`` open this test world."""
    monkeypatch.setenv("AUDIT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("AUDIT_DATABASE_URL", settings.resolved_database_url)


def environment_for(settings: Settings) -> dict[str, str]:
    """The ``AUDIT_*`` variables a subprocess needs to open this test world."""
    found = {
        "AUDIT_DATA_DIR": str(settings.data_dir),
        "AUDIT_DATABASE_URL": settings.resolved_database_url,
    }
    if settings.trail_key is not None:
        found["AUDIT_TRAIL_KEY"] = settings.trail_key.get_secret_value()
    return found


TEST_TRAIL_KEY = b"a trail key for storage tests"


def keyed_engine(url: str) -> Engine:
    """An engine as storage tests use it: opened directly, sealing under a test key (the
    application's context hands over the installation's key instead)."""
    engine = database.create_database_engine(url)
    seal_keys.attach(engine, TEST_TRAIL_KEY)
    return engine
