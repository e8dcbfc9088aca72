"""Hostile and awkward photos: what ``clean_photo`` keeps is always a fresh JPEG we encoded,
within the limits, without the sender's metadata; everything else is refused with a code and
the file's name, and random bytes never raise anything but ``PhotoRefused``."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageFile

from audit_app.config import Settings
from audit_app.intake.photos import PhotoLimits, PhotoProblem, PhotoRefused, clean_photo
from audit_app.services.evidence import limits

DEFAULTS = limits(Settings())
"""The limits a default installation applies (AUDIT_MAX_PHOTO_MB, _MEGAPIXELS, _LONG_EDGE)."""


def encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, kind, **options)
    return out.getvalue()


def photo(size: tuple[int, int] = (120, 80)) -> Image.Image:
    """A small picture with a gradient, so it is not one flat colour."""
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    image.paste((200, 30, 30), (0, 0, size[0] // 2, size[1]))  # left half red
    return image


def refused(data: bytes, name: str, limit: PhotoLimits = DEFAULTS) -> PhotoRefused:
    with pytest.raises(PhotoRefused) as caught:
        clean_photo(data, name, limit)
    assert caught.value.file_name == name and name in str(caught.value)
    return caught.value


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header declares ``width`` x ``height`` followed by a tiny IDAT: a few
    dozen bytes that would be gigabytes of pixels if decoded."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + _chunk(b"IEND", b"")
    )


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("payload.sh", "#!/bin/sh\necho owned\n")
    return out.getvalue()


def test_a_zip_named_png_is_not_an_image() -> None:
    assert refused(zip_bytes(), "x.png").code == PhotoProblem.NOT_AN_IMAGE


def test_a_png_with_a_zip_appended_is_kept_without_the_zip() -> None:
    polyglot = encoded(photo(), "PNG") + zip_bytes()
    assert b"PK\x03\x04" in polyglot
    clean = clean_photo(polyglot, "polyglot.png", DEFAULTS)
    assert clean.data.startswith(b"\xff\xd8") and b"PK\x03\x04" not in clean.data
    assert b"payload.sh" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert (stored.format, stored.size) == ("JPEG", (120, 80))


def test_a_huge_image_is_refused_from_its_header_without_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_decoding(self: ImageFile.ImageFile) -> None:
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    bomb = png_header(30_000, 30_000)
    assert len(bomb) < 100
    assert refused(bomb, "bomb.png").code == PhotoProblem.TOO_MANY_PIXELS
    # Under Pillow's own bomb limit but over ours: refused by our check, the size named.
    large = refused(png_header(8_000, 8_000), "large.png")
    assert large.code == PhotoProblem.TOO_MANY_PIXELS
    assert "8 000 x 8 000" in str(large) and "50" in str(large)


def test_a_truncated_jpeg_is_refused_as_damaged() -> None:
    whole = encoded(photo((400, 300)), "JPEG", quality=90)
    assert refused(whole[: len(whole) // 2], "cut.jpg").code == PhotoProblem.DAMAGED


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_other_formats_are_refused_naming_the_format(kind: str) -> None:
    problem = refused(encoded(photo(), kind), f"x.{kind.lower()}")
    assert problem.code == PhotoProblem.FORMAT and kind in str(problem)


def test_a_file_over_the_size_limit_is_refused_naming_its_size() -> None:
    one_mb = limits(Settings(max_photo_mb=1))
    noise = Image.merge("RGB", [Image.effect_noise((1200, 1000), 90) for _ in range(3)])
    data = encoded(noise, "JPEG", quality=100)
    assert len(data) > 1_000_000
    problem = refused(data, "big.jpg", one_mb)
    size = f"{len(data) / 1e6:.1f}"
    assert problem.code == PhotoProblem.TOO_LARGE
    assert size in str(problem) and "1 MB" in str(problem)


GPS_IFD = 0x8825
EXIF_IFD = 0x8769


def phone_jpeg_with_exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Acme Phones"  # Make
    exif[0x0110] = "Acme X1000"  # Model
    exif.get_ifd(EXIF_IFD)[36867] = "2026:03:02 10:31:05"  # DateTimeOriginal
    gps = exif.get_ifd(GPS_IFD)
    gps[1], gps[2] = "N", (41.0, 24.0, 12.5)
    gps[3], gps[4] = "E", (2.0, 10.0, 30.25)
    return encoded(photo(), "JPEG", exif=exif, quality=90)


def test_gps_and_device_are_gone_and_the_capture_time_is_kept() -> None:
    sent = phone_jpeg_with_exif()
    with Image.open(io.BytesIO(sent)) as original:  # the test photo does carry them
        assert original.getexif().get_ifd(GPS_IFD) and original.getexif()[0x010F]
    clean = clean_photo(sent, "IMG_0001.jpg", DEFAULTS)
    assert clean.captured_at == datetime(2026, 3, 2, 10, 31, 5)
    assert b"Acme" not in clean.data
    with Image.open(io.BytesIO(clean.data)) as stored:
        exif = stored.getexif()
        assert not exif.get_ifd(GPS_IFD) and 0x010F not in exif and 0x0110 not in exif
        assert "exif" not in stored.info


def test_the_orientation_is_applied_to_the_pixels() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90 degrees clockwise to show
    sent = encoded(photo((80, 40)), "JPEG", exif=exif, quality=95)
    clean = clean_photo(sent, "turned.jpg", DEFAULTS)
    assert (clean.width, clean.height) == (40, 80)
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert 0x0112 not in stored.getexif()
        rgb = stored.convert("RGB")
        top, bottom = rgb.getpixel((20, 10)), rgb.getpixel((20, 70))
    # The red left half is on top once turned upright.
    assert top[0] > 150 and top[1] < 90  # type: ignore[index]
    assert bottom[0] < top[0]  # type: ignore[index]


def test_a_heic_photo_is_accepted() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    try:
        pillow_heif.from_pillow(photo()).save(out, quality=80)
    except Exception as error:  # an encoder missing from this build of libheif
        pytest.skip(f"pillow_heif cannot write HEIC here: {error}")
    clean = clean_photo(out.getvalue(), "IMG_0002.HEIC", DEFAULTS)
    assert clean.data.startswith(b"\xff\xd8") and (clean.width, clean.height) == (120, 80)


def test_transparency_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (60, 40), (0, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 30, 40))
    clean = clean_photo(encoded(image, "PNG"), "screenshot.png", DEFAULTS)
    with Image.open(io.BytesIO(clean.data)) as stored:
        assert stored.mode == "RGB"
        clear, blue = stored.getpixel((50, 20)), stored.getpixel((10, 20))
    assert min(clear) > 240  # type: ignore[arg-type]
    assert blue[2] > 200 and blue[0] < 50  # type: ignore[index]


def test_the_stored_photo_is_at_most_the_long_edge() -> None:
    clean = clean_photo(encoded(photo((3000, 1200)), "JPEG"), "wide.jpg", DEFAULTS)
    assert max(clean.width, clean.height) == DEFAULTS.long_edge == 2048
    assert clean.height == round(1200 * 2048 / 3000)
    small = limits(Settings(photo_long_edge=500))
    assert clean_photo(encoded(photo((3000, 1200)), "PNG"), "w.png", small).width == 500


SMALL_PNG = encoded(photo((16, 12)), "PNG")
SMALL_JPEG = encoded(photo((16, 12)), "JPEG")


SIGNATURES = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0", b"RIFF\x00\x00\x00\x00WEBP"]


@st.composite
def hostile_bytes(draw: st.DrawFn) -> bytes:
    """Random bytes, random bytes behind an image signature, and real small images with
    bytes changed or cut short."""
    kind = draw(st.sampled_from(["random", "signature", "mutated", "cut"]))
    if kind == "random":
        return draw(st.binary(max_size=2048))
    if kind == "signature":
        start = draw(st.sampled_from(SIGNATURES))
        return start + draw(st.binary(max_size=2048))
    base = bytearray(draw(st.sampled_from([SMALL_PNG, SMALL_JPEG])))
    if kind == "cut":
        return bytes(base[: draw(st.integers(0, len(base)))])
    for _ in range(draw(st.integers(1, 8))):
        base[draw(st.integers(0, len(base) - 1))] = draw(st.integers(0, 255))
    return bytes(base)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_bytes())
def test_random_bytes_never_raise_anything_but_photo_refused(data: bytes) -> None:
    try:
        clean = clean_photo(data, "fuzz.jpg", DEFAULTS)
    except PhotoRefused as refusal:
        assert refusal.code in set(PhotoProblem) and refusal.file_name == "fuzz.jpg"
    else:
        assert clean.data.startswith(b"\xff\xd8")
        assert max(clean.width, clean.height) <= DEFAULTS.long_edge


def test_a_name_that_would_disguise_itself_is_shown_printable() -> None:
    """A right-to-left override reverses the message it is quoted in (``exe.jpg`` reads as
    ``gpj.exe``), an escape recolours a terminal: the name kept and quoted is printable."""
    sneaky = "\u202egpj.exe\x1b[31mred.jpg"
    with pytest.raises(PhotoRefused) as caught:
        clean_photo(b"not an image", sneaky, DEFAULTS)
    assert caught.value.file_name == "_gpj.exe_[31mred.jpg"
    assert str(caught.value).startswith("_gpj.exe_[31mred.jpg: ")
    kept = clean_photo(encoded(photo(), "JPEG"), "\u202eshelf\x07.jpg", DEFAULTS)
    assert kept.original_name == "_shelf_.jpg"
