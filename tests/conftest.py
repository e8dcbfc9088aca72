"""Fixtures that build tiny worlds: a settings object on a throwaway SQLite file, an opened
application context, and the standard checklist catalogue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from audit_app.checklists import Catalogue
from audit_app.config import Settings, default_checklists_dir
from audit_app.services.context import AppContext, open_context

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may touch the user's real database: point every default at a temp folder."""
    monkeypatch.setenv("AUDIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("AUDIT_DATABASE_URL", raising=False)
    monkeypatch.delenv("AUDIT_CHECKLISTS_DIR", raising=False)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", checklists_dir=default_checklists_dir())


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    context = open_context(settings)
    yield context
    context.engine.dispose()


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return Catalogue.from_folder(REPO / "checklists")
