"""Photos kept with answers (issue #20): stored once, named in the sealed revision, read back
with the audit, refused when never stored or missing where the checklist requires one."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

import pytest
from PIL import Image
from sqlalchemy import select

from audit_app.domain.audit import AuditRecord, AuditStatus
from audit_app.services import evidence
from audit_app.services.audits import AuditRejected, load_audit, store_audits, submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.revisions import audit_history, revise_audit
from audit_app.services.verify import verify
from audit_app.storage import trail
from audit_app.storage.tables import media
from tests.services.test_audits import BRANCHES, phone_answers, phone_visit


def jpeg(colour: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def _with_photo(ctx: AppContext, item_id: str, *shas: str) -> AuditRecord:
    answers = tuple(
        replace(a, photos=shas) if a.item_id == item_id else a
        for a in phone_answers(ctx, **{"call.all_answered": False})
    )
    return AuditRecord(phone_visit(), answers)


def test_a_photo_is_stored_once_and_read_back_with_its_audit(world: AppContext) -> None:
    first = evidence.store_photo(world, jpeg(), "shelf.jpg")
    again = evidence.store_photo(world, jpeg(), "shelf-again.jpg")
    assert first.sha256 == again.sha256
    with world.engine.connect() as conn:
        assert conn.execute(select(media.c.original_name)).scalars().all() == ["shelf.jpg"]
    audit_id, _card = submit_audit(world, _with_photo(world, "call.all_answered", first.sha256))
    stored = load_audit(world, audit_id)
    photos = {a.item_id: a.photos for a in stored.record.answers if a.photos}
    assert photos == {"call.all_answered": (first.sha256,)}
    data = evidence.photo_bytes(world, audit_id, first.sha256)
    assert Image.open(io.BytesIO(data)).size == (640, 480)
    assert evidence.photo_info(world, audit_id)[first.sha256].original_name == "shelf.jpg"


def test_the_photo_hashes_are_sealed_in_the_revision(world: AppContext) -> None:
    photo = evidence.store_photo(world, jpeg(), "shelf.jpg")
    audit_id, _card = submit_audit(world, _with_photo(world, "call.all_answered", photo.sha256))
    with world.engine.connect() as conn:
        content = trail.last_revision(conn, audit_id)["content"]  # type: ignore[index]
    assert content["photos"] == [["call.all_answered", [photo.sha256]]]
    report = verify(world)
    assert report.ok, report.problems
    assert report.photos == 1
    evidence.media_store(world.settings).path(photo.sha256).unlink()
    problems = verify(world).problems
    assert len(problems) == 1
    assert problems[0].startswith(
        f"audit #{audit_id} (ES-01, 2026-03-02 10:30), item call.all_answered: photo "
        f"{photo.sha256[:12]}… is missing from the media store"
    )


def test_a_photo_never_stored_is_refused_by_name_and_nothing_is_written(
    world: AppContext,
) -> None:
    ghost = "ab" * 32
    with pytest.raises(AuditRejected, match=r"call\.all_answered: photo abababababab was never"):
        submit_audit(world, _with_photo(world, "call.all_answered", ghost))
    assert verify(world).audits == 0


def test_a_required_photo_missing_on_a_failed_answer_refuses_the_visit(
    world: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    checklist = world.catalogue.get("greeting_phone")
    strict = checklist.model_copy(update={"photo_on_fail": "required"})
    monkeypatch.setattr(world.catalogue, "get", lambda *_a, **_k: strict)
    with pytest.raises(
        AuditRejected, match=r"a failed answer needs a photo: call\.all_answered"
    ) as refused:
        submit_audit(world, _with_photo(world, "call.tone"))
    assert refused.value.codes == ("photo_required",)
    photo = evidence.store_photo(world, jpeg(), "all.jpg")
    audit_id, _card = submit_audit(world, _with_photo(world, "call.all_answered", photo.sha256))
    assert audit_id > 0


def test_a_draft_keeps_its_photos_without_sealing_them(world: AppContext) -> None:
    photo = evidence.store_photo(world, jpeg(), "shelf.jpg")
    draft = replace(_with_photo(world, "call.tone", photo.sha256), status=AuditStatus.DRAFT)
    (draft_id,) = store_audits(world, [draft]).ids
    tone = next(a for a in load_audit(world, draft_id).record.answers if a.item_id == "call.tone")
    assert tone.photos == (photo.sha256,)
    with world.engine.connect() as conn:
        assert trail.last_revision(conn, draft_id) is None


def test_a_photo_of_the_audit_is_read_only_through_an_audit_that_carries_it(
    world: AppContext,
) -> None:
    photo = evidence.store_photo(world, jpeg(), "shelf.jpg")
    other = evidence.store_photo(world, jpeg((10, 200, 10)), "other.jpg")
    audit_id, _card = submit_audit(world, _with_photo(world, "call.all_answered", photo.sha256))
    with pytest.raises(evidence.AccessDenied, match="has no photo"):
        evidence.photo_bytes(world, audit_id, other.sha256)
    with pytest.raises(evidence.AccessDenied, match="no audit #999"):
        evidence.photo_bytes(world, 999, photo.sha256)


def test_the_capture_time_is_kept_as_data(world: AppContext) -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[36867] = "2026:03:02 10:41:07"
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (9, 9, 9)).save(out, "JPEG", exif=exif)
    photo = evidence.store_photo(world, out.getvalue(), "timed.jpg")
    assert photo.captured_at == datetime(2026, 3, 2, 10, 41, 7)


def test_a_correction_that_does_not_mention_photos_keeps_them(world: AppContext) -> None:
    """The app's correction editor and the command line edit values and comments: a
    correction must not drop the evidence by leaving it out."""
    photo = evidence.store_photo(world, jpeg(), "shelf.jpg")
    audit_id, _card = submit_audit(world, _with_photo(world, "call.all_answered", photo.sha256))
    plain = [replace(a, photos=()) for a in load_audit(world, audit_id).record.answers]
    edited = [replace(a, comment="rang twice") if a.item_id == "call.tone" else a for a in plain]
    revise_audit(world, audit_id, edited, "comment added")
    kept = {a.item_id: a.photos for a in load_audit(world, audit_id).record.answers if a.photos}
    assert kept == {"call.all_answered": (photo.sha256,)}
    revise_audit(world, audit_id, plain, "photo was of another shop", keep_photos=False)
    assert not any(a.photos for a in load_audit(world, audit_id).record.answers)
    history = audit_history(world, audit_id)
    assert [r.answers["call.all_answered"].photos for r in history] == [
        (photo.sha256,),
        (photo.sha256,),
        (),
    ]
    report = verify(world)
    assert report.ok, report.problems
    assert report.photos == 1
    # The photo no answer carries now is still the evidence of revisions 1 and 2.
    evidence.media_store(world.settings).path(photo.sha256).unlink()
    problems = verify(world).problems
    assert len(problems) == 1
    assert problems[0].startswith(
        f"audit #{audit_id} (ES-01, 2026-03-02 10:30) revision 1, item call.all_answered; "
        f"audit #{audit_id} (ES-01, 2026-03-02 10:30) revision 2, item call.all_answered: "
        f"photo {photo.sha256[:12]}… is missing from the media store"
    )
