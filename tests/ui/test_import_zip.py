"""The Import page takes the offline zip: the preview shows the photos found per visit and
every file of the zip; the import writes the visit with its photos."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from audit_app.config import Settings
from audit_app.services.audits import list_scores, load_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.databases import drop_database, make_settings, point_environment_at
from tests.intake.photo_zips import BRANCHES, GOOD, checklists_folder, jpeg, single_workbook, zipped
from tests.ui.apptest import HQ, run_app, texts


@pytest.fixture
def settings(
    tmp_path: Path, engine_kind: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    folder = checklists_folder(tmp_path)
    made = make_settings(engine_kind, tmp_path / "data", folder)
    point_environment_at(made, monkeypatch)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    yield made
    drop_database(made.resolved_database_url)


def test_a_zip_previews_its_photos_per_visit_then_imports(ctx: AppContext) -> None:
    save_branches(ctx, BRANCHES)
    workbook = single_workbook(ctx.catalogue.get("shopfront"), {**GOOD, "door_clean": "No"})
    data = zipped(
        {
            "shop.xlsx": workbook,
            "door_clean.jpg": jpeg("red"),
            "door_clean-2.jpg": jpeg("blue"),
            ".DS_Store": b"finder",
        }
    )
    app = run_app(HQ, "import")
    assert ".zip" in app.file_uploader[0].proto.type
    app.file_uploader[0].set_value([("offline.zip", data, "application/zip")]).run()
    assert not app.exception, app.exception
    assert "would add 1 audit" in texts(app)
    visits, members = app.dataframe[0].value, app.dataframe[1].value
    assert list(visits["photos"]) == [2]
    assert list(members["member"]) == [
        "shop.xlsx",
        "door_clean.jpg",
        "door_clean-2.jpg",
        ".DS_Store",
    ]
    assert list(members["role"]) == ["workbook", "photo", "photo", "left aside"]
    assert list_scores(ctx).empty
    app.button(key="import_commit").click().run()
    assert not app.exception, app.exception
    audit_id = int(list_scores(ctx)["audit_id"].iloc[0])
    answers = {a.item_id: a for a in load_audit(ctx, audit_id).record.answers}
    assert len(answers["door_clean"].photos) == 2
