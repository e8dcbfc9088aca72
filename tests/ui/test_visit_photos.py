"""Photos on the New visit form, run headless with AppTest (this Streamlit's AppTest drives
``st.file_uploader``): upload under an answer, refusals by file name, remove, the photo a
failed answer needs, drafts that keep their photos, the submitted audit carrying them."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from audit_app.config import Settings
from audit_app.domain.checklist import MAX_PHOTOS_PER_ANSWER
from audit_app.services.audits import list_scores, load_audit
from audit_app.services.context import open_context
from audit_app.services.drafts import list_drafts
from audit_app.services.evidence import photo_bytes
from audit_app.ui.components.photo_input import THUMBNAILS, add_photos, photos_key, remove_photo
from tests.ui.apptest import MARTA, run_app, texts
from tests.ui.photos import REF, evidence_world, jpeg, key

__all__ = ["evidence_world"]  # the fixture, imported for the tests below

PHOTO_MARK = "A failed answer needs a photo: add one to submit the visit."


def open_form() -> AppTest:
    app = run_app(MARTA, page="new_visit")
    app.selectbox(key="nv_checklist").select(REF).run()
    assert not app.exception, app.exception
    return app


def upload(app: AppTest, item_id: str, *files: tuple[str, bytes]) -> AppTest:
    """Send files to the item's upload box (the box's key changes after each upload)."""
    [box] = [u for u in app.file_uploader if str(u.key).startswith(key(item_id) + ".upload.")]
    box.set_value([(name, data, "image/jpeg") for name, data in files])
    app.run()
    assert not app.exception, app.exception
    return app


def photos(app: AppTest, item_id: str) -> list[str]:
    return list(app.session_state[photos_key(key(item_id))])


def click(app: AppTest, label: str) -> AppTest:
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception, app.exception
    return app


def expander_labels(app: AppTest) -> list[str]:
    return [e.label for e in app.expander]


def test_every_answer_has_a_photos_control_and_the_rule_is_said(evidence_world: Settings) -> None:
    app = open_form()
    boxes = [str(u.key) for u in app.file_uploader]
    assert len(boxes) == 3 and all(box.endswith(".upload.0") for box in boxes)
    for box in app.file_uploader:
        assert box.accept_multiple_files
        assert box.proto.max_upload_size_mb == 15  # AUDIT_MAX_PHOTO_MB, refused in the browser
        assert set(box.allowed_type) == {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif"}
    assert expander_labels(app).count("Photos (0)") == 3
    shown = texts(app)
    assert shown.count("A failed answer needs a photo") == 1  # floor.clean only: tidy is
    # optional, and a photo item is answered by photos anyway
    assert "Photo reference or link" not in shown
    assert not app.camera_input  # no camera until asked for
    app.toggle(key=key("floor.clean") + ".camera").set_value(True).run()
    assert len(app.camera_input) == 1
    app.camera_input[0].set_value(("image.jpg", jpeg(), "image/jpeg")).run()  # a photo taken
    assert not app.exception, app.exception
    assert len(photos(app, "floor.clean")) == 1 and "Photos (1)" in expander_labels(app)
    assert len(app.camera_input) == 1  # a fresh camera, still on, for the next photo


def test_an_uploaded_photo_is_stored_shown_and_can_be_removed(evidence_world: Settings) -> None:
    app = upload(open_form(), "floor.clean", ("shelf.jpg", jpeg()))
    [sha] = photos(app, "floor.clean")
    assert "Photos (1)" in expander_labels(app)
    thumbnail = app.session_state[THUMBNAILS][sha]
    assert thumbnail[:2] == b"\xff\xd8"  # the cleaned photo's thumbnail, a JPEG
    assert len(app.image) == 1
    # the upload box is a fresh one: rerunning does not store the photo again
    assert any(str(u.key) == key("floor.clean") + ".upload.1" for u in app.file_uploader)
    app.run()
    assert photos(app, "floor.clean") == [sha]
    click(app, "Remove")
    assert photos(app, "floor.clean") == [] and not app.image
    assert "Photos (0)" in expander_labels(app)


def test_a_text_file_named_jpg_is_refused_by_its_name(evidence_world: Settings) -> None:
    app = upload(open_form(), "floor.tidy", ("notes.jpg", b"just some words\n"), ("ok.jpg", jpeg()))
    [error] = [e.value for e in app.error]
    assert "notes.jpg" in error and "not a photo" in error
    assert len(photos(app, "floor.tidy")) == 1  # the good one is kept


def test_a_refused_file_name_is_shown_as_typed_never_as_a_link(evidence_world: Settings) -> None:
    name = "[click me](javascript:alert(1)) *now*.jpg"
    app = upload(open_form(), "floor.tidy", (name, b"just some words\n"))
    [error] = [e.value for e in app.error]
    assert error.startswith("\\[click me\\](javascript:alert(1)) \\*now\\*.jpg: ")  # inert


def test_submitting_keeps_the_photos_with_the_audit(evidence_world: Settings) -> None:
    app = open_form()
    app.radio(key=key("floor.clean")).set_value("Yes")
    app.radio(key=key("floor.tidy")).set_value("No").run()
    upload(app, "floor.shelf", ("a.jpg", jpeg(color=(1, 2, 3))), ("b.png", jpeg(color=(9, 9, 9))))
    shelf = photos(app, "floor.shelf")
    assert len(shelf) == 2
    click(app, "Submit")
    assert not app.error, [e.value for e in app.error]
    ctx = open_context(evidence_world).as_user(MARTA)
    audit_id = int(list_scores(ctx)["audit_id"].iloc[0])
    stored = {a.item_id: a for a in load_audit(ctx, audit_id).record.answers}
    assert list(stored["floor.shelf"].photos) == shelf
    assert stored["floor.shelf"].value is None  # answered by its photos alone
    assert photo_bytes(ctx, audit_id, shelf[0])[:2] == b"\xff\xd8"


def test_a_failed_answer_without_its_photo_is_marked_at_the_question(
    evidence_world: Settings,
) -> None:
    app = open_form()
    app.radio(key=key("floor.clean")).set_value("No")
    app.radio(key=key("floor.tidy")).set_value("No").run()  # optional rule: no photo needed
    click(app, "Submit")
    [error] = [e.value for e in app.error]
    assert "1 failed answer needs a photo" in error and "Is the floor clean?" in error
    assert "Are the shelves tidy?" not in error
    assert PHOTO_MARK in texts(app)
    ctx = open_context(evidence_world).as_user(MARTA)
    assert list_scores(ctx).empty
    upload(app, "floor.clean", ("dirt.jpg", jpeg()))
    assert PHOTO_MARK not in texts(app)  # gone as soon as the photo is there
    click(app, "Submit")
    assert not app.error and len(list_scores(ctx)) == 1


def test_a_draft_keeps_its_photos(evidence_world: Settings) -> None:
    app = upload(open_form(), "floor.clean", ("one.jpg", jpeg()))
    [sha] = photos(app, "floor.clean")
    click(app, "Save draft")
    ctx = open_context(evidence_world).as_user(MARTA)
    [draft] = list_drafts(ctx)
    assert [a.photos for a in load_audit(ctx, draft.audit_id).record.answers] == [(sha,)]

    later = run_app(MARTA, page="new_visit")  # a new session: nothing in memory
    click(later, "Continue draft")
    assert photos(later, "floor.clean") == [sha]
    assert later.session_state[THUMBNAILS][sha][:2] == b"\xff\xd8"  # read through the draft
    assert len(later.image) == 1 and "Photos (1)" in expander_labels(later)


def test_a_draft_whose_photo_file_is_gone_says_so(evidence_world: Settings) -> None:
    app = upload(open_form(), "floor.clean", ("one.jpg", jpeg()))
    [sha] = photos(app, "floor.clean")
    click(app, "Save draft")
    for file in Path(evidence_world.resolved_media_dir).rglob(f"{sha}*"):
        file.unlink()
    later = run_app(MARTA, page="new_visit")
    click(later, "Continue draft")
    assert photos(later, "floor.clean") == [sha]
    assert "Photo 1 cannot be shown: its file is missing or was altered." in texts(later)


# --------------------------------------------------------------------------- the logic alone


@pytest.fixture
def marta_ctx(evidence_world: Settings):  # type: ignore[no-untyped-def]
    ctx = open_context(evidence_world).as_user(MARTA)
    yield ctx
    ctx.engine.dispose()


def test_add_photos_keeps_at_most_the_limit_and_each_photo_once(marta_ctx) -> None:  # type: ignore[no-untyped-def]
    state: dict[str, object] = {}
    files = [
        (f"p{n}.jpg", jpeg(color=(n * 23, 250 - n * 23, 90)))
        for n in range(MAX_PHOTOS_PER_ANSWER + 1)
    ]
    refused = add_photos(marta_ctx, "base", [files[0], ("again.jpg", files[0][1])], state)
    assert len(state[photos_key("base")]) == 1  # type: ignore[arg-type]
    assert refused == ["again.jpg: not added, this photo is already on this answer"]
    refused = add_photos(marta_ctx, "base", files[1:], state)
    assert len(state[photos_key("base")]) == MAX_PHOTOS_PER_ANSWER  # type: ignore[arg-type]
    assert refused == [
        f"p{MAX_PHOTOS_PER_ANSWER}.jpg: not added, an answer carries at most 10 photos"
    ]
    first = state[photos_key("base")][0]  # type: ignore[index]
    remove_photo("base", first, state)
    assert first not in state[photos_key("base")]  # type: ignore[operator]


def test_a_question_with_a_photo_but_no_answer_is_still_missing(evidence_world: Settings) -> None:
    app = upload(open_form(), "floor.clean", ("floor.jpg", jpeg()))
    app.radio(key=key("floor.tidy")).set_value("Yes").run()
    click(app, "Submit")
    [error] = [e.value for e in app.error]
    assert "1 required question still needs an answer" in error and "Is the floor clean?" in error
    ctx = open_context(evidence_world).as_user(MARTA)
    assert list_scores(ctx).empty
    assert len(photos(app, "floor.clean")) == 1  # nothing is lost
