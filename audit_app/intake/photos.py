"""Photos as they arrive (a phone's camera, an upload, a file in a zip), made safe to keep.

Every image is opened by Pillow and re-encoded: what is stored is pixels we wrote, never
the bytes we were sent, so a polyglot (a PNG with a zip appended), a script in a comment or
a malformed chunk aimed at a viewer does not survive. The pixel count is read from the
header and checked before anything is decoded (a 30,000 x 30,000 image is 2.7 GB of
pixels); a damaged or truncated file is refused rather than half-shown; metadata (GPS
position, device, owner) is dropped, except the time the photo was taken, kept as data.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from PIL import Image, ImageOps, UnidentifiedImageError

from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats
from audit_app.intake.source.names import printable

try:  # HEIC/HEIF, the iPhone's format, through the maintained pillow-heif plug-in
    from pillow_heif import register_heif_opener
except ImportError:  # pragma: no cover - a dependency; kept optional for odd platforms
    HEIF = False
else:
    register_heif_opener()
    HEIF = True

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "HEIF"})
STORED_TYPE = "image/jpeg"
JPEG_QUALITY = 82
FILE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
"""The names the upload boxes and the offline zip take; the content decides, not the name."""

_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 36867
_DATE_TIME = 306


class PhotoProblem(StrEnum):
    TOO_LARGE = "photo_too_large"
    NOT_AN_IMAGE = "photo_not_an_image"
    FORMAT = "photo_format_not_accepted"
    TOO_MANY_PIXELS = "photo_too_many_pixels"
    DAMAGED = "photo_damaged"


class PhotoRefused(AuditAppError):
    """A file that is not kept as a photo; the message names the file and why."""

    def __init__(self, code: PhotoProblem, file_name: str, message: str) -> None:
        self.code = code
        self.file_name = file_name
        super().__init__(message)


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    max_pixels: int
    long_edge: int


@dataclass(frozen=True)
class CleanPhoto:
    """A photo re-encoded as JPEG, without metadata; ``sha256`` names it in the media store."""

    data: bytes
    sha256: str
    width: int
    height: int
    captured_at: datetime | None
    original_name: str
    content_type: str = STORED_TYPE


def clean_photo(data: bytes, file_name: str, limits: PhotoLimits) -> CleanPhoto:
    """The photo in ``data`` made safe to keep, or ``PhotoRefused`` naming ``file_name``.

    The name is only a label, shown in messages and captions and kept with the photo: a
    right-to-left override or a terminal escape in it would disguise it wherever it is
    shown, so it is made printable before anything else."""
    name = printable(file_name, 255) if file_name else _("(unnamed photo)")
    if len(data) > limits.max_bytes:
        raise PhotoRefused(
            PhotoProblem.TOO_LARGE,
            name,
            _("{file}: the photo is {size} MB, more than the {limit} MB allowed").format(
                file=name,
                size=formats.decimal(len(data) / 1e6, 1),
                limit=formats.decimal(limits.max_bytes / 1e6, 0),
            ),
        )
    with warnings.catch_warnings():
        # Pillow warns at its own pixel limit; ours is checked below, from the header.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError:
            raise _too_many_pixels(name, None, limits) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise PhotoRefused(
                PhotoProblem.NOT_AN_IMAGE,
                name,
                _("{file}: this is not a photo (JPEG, PNG, WebP or HEIC)").format(file=name),
            ) from None
        with image:
            return _re_encoded(image, name, limits)


def _re_encoded(image: Image.Image, name: str, limits: PhotoLimits) -> CleanPhoto:
    if image.format not in ACCEPTED_FORMATS:
        raise PhotoRefused(
            PhotoProblem.FORMAT,
            name,
            _("{file}: {format} images are not taken; send a JPEG, PNG, WebP or HEIC photo").format(
                file=name, format=image.format or "?"
            ),
        )
    width, height = image.size
    if width * height > limits.max_pixels or width <= 0 or height <= 0:
        raise _too_many_pixels(name, (width, height), limits)
    captured_at = _capture_time(image)
    try:
        image.load()  # a truncated or damaged file fails here, before anything is kept
        upright = ImageOps.exif_transpose(image)
        flat = _flattened(upright)
        flat.thumbnail((limits.long_edge, limits.long_edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        flat.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise PhotoRefused(
            PhotoProblem.DAMAGED,
            name,
            _("{file}: the photo is damaged or cut short; take or send it again").format(file=name),
        ) from None
    data = out.getvalue()
    return CleanPhoto(
        data,
        hashlib.sha256(data).hexdigest(),
        flat.width,
        flat.height,
        captured_at,
        name[:255],
    )


def _too_many_pixels(name: str, size: tuple[int, int] | None, limits: PhotoLimits) -> PhotoRefused:
    shown = "" if size is None else f" ({size[0]:,} x {size[1]:,})".replace(",", " ")
    return PhotoRefused(
        PhotoProblem.TOO_MANY_PIXELS,
        name,
        _("{file}: the image is too large{size}; at most {limit} million pixels").format(
            file=name, size=shown, limit=formats.decimal(limits.max_pixels / 1e6, 0)
        ),
    )


def _flattened(image: Image.Image) -> Image.Image:
    """RGB pixels; transparency laid on white, as a report prints it."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _capture_time(image: Image.Image) -> datetime | None:
    """When the camera took the photo (EXIF DateTimeOriginal, else DateTime); None if the
    file does not say or says nonsense."""
    try:
        exif = image.getexif()
        text = exif.get_ifd(_EXIF_IFD).get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
    except Exception:  # broken metadata is dropped, never fatal
        return None
    if not isinstance(text, str):
        return None
    try:
        return datetime.strptime(text.strip().rstrip("\x00"), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def scaled(data: bytes, long_edge: int) -> bytes:
    """A smaller JPEG of a stored photo, for thumbnails on a page or in a PDF."""
    with Image.open(io.BytesIO(data)) as image:
        # A JPEG is decoded at 1/2 to 1/8 scale where that still covers the edge: a page of
        # thumbnails costs a fraction of decoding every photo in full.
        image.draft("RGB", (long_edge, long_edge))
        small = image.convert("RGB")
        small.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        small.save(out, "JPEG", quality=78, optimize=True)
        return out.getvalue()
