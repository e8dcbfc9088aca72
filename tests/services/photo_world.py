"""Audits with photos for report tests: Pillow-made JPEGs stored through the service."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

from PIL import Image

from audit_app.domain.audit import Answer, AuditRecord
from audit_app.services.audits import submit_audit
from audit_app.services.context import AppContext
from audit_app.services.evidence import store_photo
from tests.services.test_audits import phone_answers, phone_visit


def jpeg(width: int, height: int, colour: str, taken: str | None = None) -> bytes:
    """A JPEG of one colour; ``taken`` ("2026:03:03 14:05:00") goes in its EXIF DateTime."""
    exif = Image.Exif()
    if taken:
        exif[306] = taken
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", exif=exif)
    return out.getvalue()


def photo(ctx: AppContext, width: int, height: int, colour: str, taken: str | None = None) -> str:
    """A photo kept in the media store, its hash."""
    return store_photo(ctx, jpeg(width, height, colour, taken), f"{colour}.jpg").sha256


def audit_with_photos(
    ctx: AppContext,
    branch: str,
    when: datetime,
    photos: dict[str, tuple[str, ...]],
    failing: tuple[str, ...] = (),
) -> int:
    """A submitted greeting_phone audit: the yes/no items in ``failing`` answered No, the
    answers named in ``photos`` carrying those photo hashes."""
    answers = phone_answers(ctx, **dict.fromkeys(failing, False))
    answers = tuple(a if a.item_id not in photos else _with(a, photos[a.item_id]) for a in answers)
    audit_id, _card = submit_audit(ctx, AuditRecord(phone_visit(branch, when), answers))
    return audit_id


def _with(answer: Answer, photos: tuple[str, ...]) -> Answer:
    return replace(answer, photos=photos)
