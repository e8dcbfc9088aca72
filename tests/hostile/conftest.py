"""Fixtures for the hostile-input tests: the corpus of bad files, written once per session
into a temporary folder, and a world that knows the demo branches (no audits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_app.services.branches import import_branches
from audit_app.services.context import AppContext
from tests.hostile.corpus import BadFile, write_all

REPO = Path(__file__).resolve().parents[2]
BRANCHES = REPO / "sample_data" / "demo" / "branches.csv"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, BadFile]:
    return write_all(tmp_path_factory.mktemp("corpus"))


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    import_branches(ctx, BRANCHES)
    return ctx
