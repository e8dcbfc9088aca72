"""Fixtures that build tiny worlds: a settings object on a throwaway database, an opened
application context, and the standard checklist catalogue.

The storage, services and compare tests run twice, once on SQLite and once on PostgreSQL
(``engine_kind``); every other test runs on SQLite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit_app.checklists import Catalogue
from audit_app.config import Settings, default_checklists_dir
from audit_app.services import history_rows
from audit_app.services.context import AppContext, open_context
from tests.databases import (
    ENGINES,
    drop_database,
    make_settings,
    point_environment_at,
    require_postgres,
)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# Charts are drawn without Altair's schema check in production; the tests check them, the
# browser tests' servers too (started by session fixtures, before any test's own set-up).
os.environ["AUDIT_CHECK_CHARTS"] = "1"


@pytest.fixture(autouse=True)
def _no_history_kept() -> Iterator[None]:
    """A test's database may have the URL of an earlier test's: a history kept in this
    process (``services.history_rows``) is never another world's."""
    history_rows.forget()
    yield
    history_rows.forget()


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real database: point every default at a temp folder."""
    monkeypatch.setenv("AUDIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AUDIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("AUDIT_CHECKLISTS_DIR", raising=False)
    # Charts are drawn without Altair's schema check in production; the tests check them.
    monkeypatch.setenv("AUDIT_CHECK_CHARTS", "1")


BOTH_ENGINES = (
    "tests/storage/",
    "tests/services/",
    "tests/test_cli_compare.py",
    "tests/test_cli_auditors.py",
    "tests/hostile/test_bad_files.py",  # a rejection must leave either engine unchanged
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run the tests under ``BOTH_ENGINES`` once per engine, a module's fixtures shared."""
    if "engine_kind" not in metafunc.fixturenames:
        return
    where = metafunc.definition.path.relative_to(REPO).as_posix()
    if where.startswith(BOTH_ENGINES):
        metafunc.parametrize("engine_kind", ENGINES, indirect=True, scope="module")


@pytest.fixture(scope="module")
def engine_kind(request: pytest.FixtureRequest) -> str:
    kind = getattr(request, "param", "sqlite")
    if kind == "postgresql":
        require_postgres()
    return kind


@pytest.fixture
def settings(
    tmp_path: Path, engine_kind: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """The test's world; the ``AUDIT_*`` variables point at it too, for the CLI."""
    made = make_settings(engine_kind, tmp_path / "data", default_checklists_dir())
    point_environment_at(made, monkeypatch)
    yield made
    drop_database(made.resolved_database_url)


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = open_context(settings)
    yield context
    context.engine.dispose()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.from_folder(REPO / "checklists")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per engine with its outcomes (the CI log's proof of the PostgreSQL run), and
    skip reasons counted once each instead of one line per skipped test."""
    outcomes: dict[str, dict[str, set[str]]] = {}
    reasons: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            engine = next((e for e in ENGINES if f"[{e}" in nodeid or f"-{e}]" in nodeid), None)
            if engine is not None:
                outcomes.setdefault(engine, {}).setdefault(outcome, set()).add(nodeid)
            if outcome == "skipped" and isinstance(report.longrepr, tuple):
                reason = str(report.longrepr[2]).removeprefix("Skipped: ")
                reasons[reason] = reasons.get(reason, 0) + 1
    if outcomes:
        terminalreporter.section("tests run on each database engine")
        for engine in ENGINES:
            counts = outcomes.get(engine, {})
            line = ", ".join(f"{len(ids)} {o}" for o, ids in counts.items()) or "none ran"
            terminalreporter.write_line(f"{engine}: {line}")
    if reasons:
        terminalreporter.section("skipped, by reason")
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            terminalreporter.write_line(f"{count} x {reason}")
