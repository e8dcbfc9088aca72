"""Fixtures for the hostile-input tests: the corpus of bad files, written once per session
into a temporary folder, and a world that knows the demo branches (no audits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_app.services.branches import import_branches
from audit_app.services.context import AppContext
from tests.databases import ENGINES
from tests.hostile.corpus import BadFile, write_all

REPO = Path(__file__).resolve().parents[2]
BRANCHES = REPO / "sample_data" / "demo" / "branches.csv"
BOTH_ENGINES = ("tests/hostile/test_bad_files.py",)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The bad files go through the import service on both engines: a rejection must
    leave SQLite and PostgreSQL alike unchanged."""
    if "engine_kind" not in metafunc.fixturenames:
        return
    where = metafunc.definition.path.relative_to(REPO).as_posix()
    if where.startswith(BOTH_ENGINES):
        metafunc.parametrize("engine_kind", ENGINES, indirect=True, scope="module")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BadFile]:
    return write_all(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    import_branches(ctx, BRANCHES)
    return ctx
