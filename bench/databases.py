"""The databases a benchmark run measures on: SQLite files, or fresh PostgreSQL databases on
the server named by ``AUDIT_BENCH_POSTGRES_URL``, made for this run and dropped at its end.

The URL is a server admin URL (any database the user may connect to, usually ``postgres``);
each database made here is named ``audit_bench_<pid>_<n>`` so that two runs on one server
never meet, and nothing this run did not make is ever dropped.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

ENGINES = ("sqlite", "postgresql")
LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "none": "-"}
SERVER_ENV = "AUDIT_BENCH_POSTGRES_URL"
HOW_TO_ENABLE = (
    f"set {SERVER_ENV} to a PostgreSQL server admin URL, e.g. "
    f"{SERVER_ENV}=postgresql+psycopg://postgres@127.0.0.1:55432/postgres "
    "(`.ci/postgres start /tmp/audit-pg` starts a throwaway server and prints one)"
)


def server_url() -> str | None:
    return os.environ.get(SERVER_ENV) or None


class _Server:
    """Makes and drops this run's databases on one PostgreSQL server."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.url = url
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []
        self.counter = itertools.count()

    def _execute(self, sql: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as connection:
            connection.execute(text(sql))

    def new(self) -> str:
        from sqlalchemy.engine import make_url

        name = f"audit_bench_{os.getpid()}_{next(self.counter)}"
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        while self.made:
            self._execute(f'DROP DATABASE IF EXISTS "{self.made.pop()}" WITH (FORCE)')
        self.admin.dispose()

    def describe(self) -> dict[str, Any]:
        """The server's version and the settings that move the figures most."""
        from sqlalchemy import text

        names = (
            "shared_buffers",
            "work_mem",
            "effective_cache_size",
            "max_parallel_workers_per_gather",
            "jit",
            "fsync",
            "synchronous_commit",
        )
        with self.admin.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
            settings = {
                name: connection.execute(text(f"SHOW {name}")).scalar_one() for name in names
            }
        return {"server_version": version, **settings}


_server: _Server | None = None


def _the_server() -> _Server:
    global _server
    url = server_url()
    if url is None:
        raise RuntimeError(f"PostgreSQL benchmarks need a server: {HOW_TO_ENABLE}")
    if _server is None:
        _server = _Server(url)
    return _server


def fresh_database_url(engine: str, folder: Path) -> str:
    """A new, empty database for ``engine``: a SQLite file in ``folder`` (which must be this
    caller's own) or a new database on the PostgreSQL server."""
    if engine == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{folder / 'audit.db'}"
    if engine == "postgresql":
        return _the_server().new()
    raise ValueError(f"unknown engine {engine!r}")


def describe_server() -> dict[str, Any] | None:
    """Version and main settings of the PostgreSQL server, once one has been used."""
    return None if _server is None else _server.describe()


def drop_all() -> None:
    """Drop every PostgreSQL database this run made (SQLite files go with their folders)."""
    if _server is not None:
        _server.drop_all()
