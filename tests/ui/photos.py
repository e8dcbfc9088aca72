"""A checklist that asks for photo evidence, a world with it, and photos made by Pillow."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from audit_app.config import Settings, default_checklists_dir
from audit_app.domain.audit import Branch
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from tests.databases import drop_database, make_settings, point_environment_at

REF = "evidence@1"
EVIDENCE: dict[str, Any] = {
    "id": "evidence",
    "version": 1,
    "title": {"en": "Shop floor evidence"},
    "languages": ["en"],
    "photo_on_fail": "required",
    "sections": [
        {
            "id": "floor",
            "title": {"en": "Floor"},
            "items": [
                {"id": "floor.clean", "type": "yes_no", "text": {"en": "Is the floor clean?"}},
                {
                    "id": "floor.tidy",
                    "type": "yes_no",
                    "photo_on_fail": "optional",
                    "text": {"en": "Are the shelves tidy?"},
                },
                {"id": "floor.shelf", "type": "photo", "text": {"en": "Photo of the shelf"}},
            ],
        }
    ],
}


def jpeg(size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def key(item_id: str) -> str:
    return f"nv.{REF}.{item_id}"


@pytest.fixture
def evidence_world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """The standard checklists and ``evidence@1``; one Barcelona branch."""
    folder = tmp_path / "checklists"
    shutil.copytree(default_checklists_dir(), folder)
    (folder / "evidence.v1.yaml").write_text(
        yaml.safe_dump(EVIDENCE, allow_unicode=True), encoding="utf-8"
    )
    made = make_settings("sqlite", tmp_path / "data", folder)
    point_environment_at(made, monkeypatch)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    ctx = open_context(made)
    save_branches(
        ctx,
        [Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES")],
    )
    ctx.engine.dispose()
    yield made
    drop_database(made.resolved_database_url)
