"""Made-up photos for the demo: a few failed answers carry evidence, as real ones would.

The pictures are drawn (a shop wall, shelves, a sign with the branch and the item), small
and seeded, so that loading the demo stays quick and gives the same photos every time. Each
carries the visit time as its EXIF capture time, which the app keeps as data.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable, Sequence
from dataclasses import replace

from PIL import Image, ImageDraw

from audit_app.domain.audit import AuditRecord, AuditStatus

PHOTOGRAPHED_CHANNELS = frozenset({"in_person", "on_site"})
MOST_PHOTOS = 24
SIZE = (1280, 960)
_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 36867


def with_photos(
    audits: Sequence[AuditRecord], keep: Callable[[bytes, str], str]
) -> tuple[AuditRecord, ...]:
    """The audits with a photo on the first failed yes/no answer of the latest in-person
    visits (at most ``MOST_PHOTOS``); ``keep`` stores a photo and returns its hash."""
    chosen = sorted(
        (
            index
            for index, record in enumerate(audits)
            if record.status == AuditStatus.SUBMITTED
            and record.visit.channel is not None
            and str(record.visit.channel) in PHOTOGRAPHED_CHANNELS
            and any(answer.value is False for answer in record.answers)
        ),
        key=lambda index: audits[index].visit.visited_at,
        reverse=True,
    )[:MOST_PHOTOS]
    out = list(audits)
    for index in chosen:
        record = audits[index]
        answers = list(record.answers)
        position = next(n for n, answer in enumerate(answers) if answer.value is False)
        failed = answers[position]
        name = f"{record.visit.branch_code}-{failed.item_id}.jpg"
        sha = keep(_picture(record, failed.item_id), name)
        answers[position] = replace(failed, photos=(sha,))
        out[index] = replace(record, answers=tuple(answers))
    return tuple(out)


def _picture(record: AuditRecord, item_id: str) -> bytes:
    visit = record.visit
    rng = random.Random(f"{visit.branch_code}{visit.visited_at.isoformat()}{item_id}")
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    base = [rng.randrange(150, 230) for _ in range(3)]
    for y in range(0, SIZE[1], 8):  # a wall lit from above
        shade = 1 - y / SIZE[1] * 0.35
        draw.rectangle((0, y, SIZE[0], y + 8), fill=tuple(int(c * shade) for c in base))
    for shelf in range(3):  # shelves with boxes, some missing
        top = 260 + shelf * 220
        draw.rectangle((80, top + 150, 1200, top + 165), fill=(90, 70, 50))
        x = 100
        while x < 1160:
            width = rng.randrange(50, 120)
            if rng.random() > 0.25:
                colour = tuple(rng.randrange(40, 220) for _ in range(3))
                draw.rectangle((x, top + rng.randrange(20, 70), x + width, top + 150), fill=colour)
            x += width + rng.randrange(6, 20)
    draw.rectangle((60, 40, 760, 180), fill=(250, 250, 245), outline=(60, 60, 60), width=4)
    draw.text((90, 70), f"{visit.branch_code}  {item_id}", fill=(30, 30, 30), font_size=44)
    draw.text((90, 125), f"{visit.visited_at:%Y-%m-%d %H:%M}", fill=(80, 80, 80), font_size=32)
    exif = Image.Exif()
    exif.get_ifd(_EXIF_IFD)[_DATE_TIME_ORIGINAL] = f"{visit.visited_at:%Y:%m:%d %H:%M:%S}"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif)
    return out.getvalue()
