"""Storing a photo from the form: kept once, with a thumbnail of what was kept (the form shows
it before any audit names the photo); a file that is not a photo is refused by name and
nothing is kept."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from audit_app.domain.users import Role, User
from audit_app.intake.photos import PhotoProblem, PhotoRefused, scaled
from audit_app.services.context import AppContext
from audit_app.services.evidence import THUMBNAIL_EDGE, media_store, store_photo_with_thumbnail

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))


def jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (30, 60, 200))
    image.paste((240, 200, 10), (0, 0, size[0] // 2, size[1]))
    image.save(out, "JPEG")
    return out.getvalue()


def test_the_thumbnail_is_of_the_kept_photo(ctx: AppContext) -> None:
    stored, thumbnail = store_photo_with_thumbnail(ctx.as_user(MARTA), jpeg((1600, 1200)), "a.jpg")
    kept = media_store(ctx.settings).read(stored.sha256)
    assert (stored.width, stored.height, stored.original_name) == (1600, 1200, "a.jpg")
    with Image.open(io.BytesIO(thumbnail)) as small:
        assert small.format == "JPEG" and small.size == (THUMBNAIL_EDGE, 240)
        left, right = small.getpixel((10, 120)), small.getpixel((310, 120))
    assert left[0] > 200 and right[2] > 150  # the same picture, smaller
    assert thumbnail == scaled(kept, THUMBNAIL_EDGE)


def test_a_text_file_named_jpg_is_refused_and_nothing_is_kept(ctx: AppContext) -> None:
    with pytest.raises(PhotoRefused) as refused:
        store_photo_with_thumbnail(ctx.as_user(MARTA), b"not a photo\n", "notes.jpg")
    assert refused.value.code == PhotoProblem.NOT_AN_IMAGE
    assert refused.value.file_name == "notes.jpg" and "notes.jpg" in str(refused.value)
    assert list(media_store(ctx.settings).hashes()) == []


def test_scaled_keeps_the_shape_and_never_enlarges() -> None:
    with Image.open(io.BytesIO(scaled(jpeg((900, 3000)), 300))) as tall:
        assert tall.size == (90, 300)
    with Image.open(io.BytesIO(scaled(jpeg((120, 80)), 300))) as small:
        assert small.size == (120, 80)
