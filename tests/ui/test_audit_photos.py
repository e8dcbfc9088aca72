"""The Audit page's photos, run headless with AppTest: a thumbnail and a count beside each
answer that carries photos, the full photo in a dialog with its caption, and a missing file
said in place of its image."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from streamlit.testing.v1 import AppTest

from audit_app.config import Settings
from audit_app.domain.audit import Answer, AuditRecord, Visit
from audit_app.services.audits import submit_audit
from audit_app.services.context import open_context
from audit_app.services.drafts import save_draft
from audit_app.services.evidence import StoredPhoto, store_photo
from audit_app.ui.components.audit_photos import photo_caption
from tests.ui.apptest import MARTA, run_app, texts
from tests.ui.photos import evidence_world, jpeg

__all__ = ["evidence_world"]  # the fixture, imported for the tests below


def stored_audit(settings: Settings, *, draft: bool = False) -> tuple[int, list[str]]:
    """An audit of ES-01 whose shelf photo item carries two photos (the second 300x200)."""
    ctx = open_context(settings).as_user(MARTA)
    first = store_photo(ctx, jpeg((64, 48), (10, 120, 200)), "front.jpg").sha256
    second = store_photo(ctx, jpeg((300, 200), (220, 200, 20)), "shelf.png").sha256
    answers = (
        Answer("floor.clean", True),
        Answer("floor.tidy", True),
        Answer("floor.shelf", photos=(first, second)),
    )
    record = AuditRecord(
        Visit("ES-01", "evidence", 1, datetime(2026, 11, 20, 10, 0), "Marta"), answers
    )
    audit_id = save_draft(ctx, record) if draft else submit_audit(ctx, record)[0]
    ctx.engine.dispose()
    return audit_id, [first, second]


def open_audit(audit_id: int) -> AppTest:
    app = run_app(MARTA, page="audit", query={"id": str(audit_id)})
    assert not app.exception, app.exception
    return app


def test_the_audit_page_shows_each_answers_photos_and_their_count(
    evidence_world: Settings,
) -> None:
    audit_id, _photos = stored_audit(evidence_world)
    app = open_audit(audit_id)
    shown = texts(app)
    assert "Photo of the shelf** · 2 photos" in shown
    assert len(app.image) == 2
    views = [b for b in app.button if b.label == "View full size"]
    assert len(views) == 2


def test_view_full_size_opens_the_photo_with_its_caption(evidence_world: Settings) -> None:
    audit_id, _photos = stored_audit(evidence_world)
    app = open_audit(audit_id)
    [b for b in app.button if b.label == "View full size"][1].click().run()
    assert not app.exception, app.exception
    captions = [caption for image in app.image for caption in image.captions]
    assert "300 × 200 pixels · shelf.png" in captions
    assert len(app.image) == 3  # the two thumbnails and the full photo


def test_a_photos_file_name_in_its_caption_is_shown_as_typed() -> None:
    name = "[x](javascript:alert(1)) **bold**.jpg"
    photo = StoredPhoto("0" * 64, 40, 30, 1234, None, name)
    caption = photo_caption(photo)
    assert caption.endswith(" · \\[x\\](javascript:alert(1)) \\*\\*bold\\*\\*.jpg")


def test_a_draft_shows_its_photos_too(evidence_world: Settings) -> None:
    audit_id, _photos = stored_audit(evidence_world, draft=True)
    app = open_audit(audit_id)
    assert "2 photos" in texts(app) and len(app.image) == 2


def test_a_missing_photo_file_is_said_in_place_of_its_image(evidence_world: Settings) -> None:
    audit_id, (first, _second) = stored_audit(evidence_world)
    [path] = [p for p in Path(evidence_world.resolved_media_dir).rglob(f"{first}*") if p.is_file()]
    path.unlink()
    app = open_audit(audit_id)
    assert [w.value for w in app.warning if "Photo" in w.value] == [
        "Photo 1 cannot be shown: its file is missing or was altered."
    ]
    assert len(app.image) == 1  # the other photo is still shown
