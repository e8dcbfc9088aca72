"""Who may see and store photos: a photo is read through an audit the user may see, so an
area manager meets another area's photo exactly as a missing audit, and a hash alone (through
an audit of their own area that does not carry it) opens nothing; a viewer stores none. The
media row keeps the capture time and nothing of the sender's device or position."""

from __future__ import annotations

from datetime import datetime

import pytest

from audit_app.domain.audit import AuditRecord
from audit_app.services.access import AccessDenied
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.evidence import media_store, photo_bytes, photo_info, store_photo
from audit_app.storage import evidence_store
from tests.intake.test_photos import phone_jpeg_with_exif
from tests.services.test_drafts import BRANCHES, GUEST, MARTA, PEDRO, visit
from tests.services.test_photo_safety import answers_with, jpeg


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def audit_with_photo(ctx: AppContext, branch: str, shade: int) -> tuple[int, str]:
    sha = store_photo(ctx, jpeg(shade), f"{branch}.jpg").sha256
    audit_id, _ = submit_audit(ctx, AuditRecord(visit(branch), answers_with(ctx, sha)))
    return audit_id, sha


def test_an_area_manager_cannot_read_another_areas_photo(world: AppContext) -> None:
    madrid, madrid_photo = audit_with_photo(world, "ES-MAD-01", 1)
    barcelona, _ = audit_with_photo(world, "ES-BCN-01", 2)
    marta = world.as_user(MARTA)
    missing = 999_999
    with pytest.raises(AccessDenied) as absent:
        photo_info(marta, missing)
    for read in (
        lambda: photo_bytes(marta, madrid, madrid_photo),
        lambda: photo_bytes(marta, madrid, madrid_photo, edge=64),
        lambda: photo_info(marta, madrid),
    ):
        with pytest.raises(AccessDenied) as denied:
            read()
        # The same words as an audit that does not exist, the number apart.
        assert str(denied.value) == str(absent.value).replace(str(missing), str(madrid))
    # Pedro manages Madrid: the photo is his to see.
    assert photo_bytes(world.as_user(PEDRO), madrid, madrid_photo) == media_store(
        world.settings
    ).read(madrid_photo)
    assert photo_info(marta, barcelona)


def test_a_hash_alone_opens_nothing_through_an_audit_that_does_not_carry_it(
    world: AppContext,
) -> None:
    _, madrid_photo = audit_with_photo(world, "ES-MAD-01", 3)
    barcelona, own_photo = audit_with_photo(world, "ES-BCN-01", 4)
    marta = world.as_user(MARTA)
    assert photo_bytes(marta, barcelona, own_photo)
    with pytest.raises(AccessDenied, match=f"audit #{barcelona} has no photo {madrid_photo[:12]}"):
        photo_bytes(marta, barcelona, madrid_photo)
    assert madrid_photo not in photo_info(marta, barcelona)


def test_a_viewer_cannot_store_a_photo(world: AppContext) -> None:
    with pytest.raises(AccessDenied):
        store_photo(world.as_user(GUEST), jpeg(5), "viewer.jpg")
    assert list(media_store(world.settings).hashes()) == []
    with world.engine.connect() as conn:
        assert evidence_store.photo_count(conn) == 0


def test_the_media_row_keeps_the_capture_time_and_no_device_or_position(
    world: AppContext,
) -> None:
    stored = store_photo(world, phone_jpeg_with_exif(), "IMG_0001.jpg")
    with world.engine.connect() as conn:
        row = evidence_store.media_rows(conn, [stored.sha256])[stored.sha256]
    assert row["captured_at"] == datetime(2026, 3, 2, 10, 31, 5)
    assert row["original_name"] == "IMG_0001.jpg" and row["content_type"] == "image/jpeg"
    data = media_store(world.settings).read(stored.sha256)
    assert b"Acme" not in data and row["bytes"] == len(data)
