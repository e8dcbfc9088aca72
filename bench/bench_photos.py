"""Photo evidence (#20): what a phone photo costs once cleaned and stored, and what checking
the media store costs.

Photos are made here, like a phone's: 4032 x 3024 JPEGs of gradients and noise at two scales
(3-5 MB, as a camera's files are, since noise does not compress), and one 12 MP PNG screenshot
(flat colours, text-like lines). Each is stored through ``services.evidence.store_photo``
(clean: decode, turn upright, scale to AUDIT_PHOTO_LONG_EDGE, re-encode; write the file
durably; add the row). Then 1,000 photos on 100 submitted audits (10 each, of the stored
photos' real size) are verified, against the same 100 audits without photos.

``AUDIT_BENCH_PHOTOS`` sets how many phone photos are stored (default 20).
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import Figure
from bench.databases import fresh_database_url

WIDTH, HEIGHT = 4032, 3024
PHOTOS = int(os.environ.get("AUDIT_BENCH_PHOTOS", "20"))
VERIFY_AUDITS, PER_AUDIT = 100, 10


class _Camera:
    """Phone-like photos: a gradient, coarse noise (the scene) and fine noise (the sensor)."""

    def __init__(self) -> None:
        from PIL import Image

        self.fine = [Image.effect_noise((WIDTH, HEIGHT), 40) for _ in range(3)]
        self.gradient = Image.linear_gradient("L").resize((WIDTH, HEIGHT))

    def photo(self, number: int) -> bytes:
        from PIL import Image

        channels = []
        for channel in range(3):
            scene = Image.effect_noise((WIDTH // 4, HEIGHT // 4), 70).resize(
                (WIDTH, HEIGHT), Image.Resampling.BICUBIC
            )
            base = self.gradient
            if (number + channel) % 2:
                base = base.transpose(Image.Transpose.ROTATE_180)
            mixed = Image.blend(base, scene, 0.6)
            channels.append(Image.blend(mixed, self.fine[(number + channel) % 3], 0.12))
        out = io.BytesIO()
        Image.merge("RGB", channels).save(out, "JPEG", quality=88)
        return out.getvalue()


def _screenshot() -> bytes:
    """A 12 MP screen capture: flat panels and rows of 'text'."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), (246, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 220), fill=(32, 84, 160))
    draw.rectangle((0, 220, 700, HEIGHT), fill=(228, 230, 236))
    for row in range(300, HEIGHT - 100, 60):
        for word in range(760, WIDTH - 200, 260):
            length = 80 + (row * 7 + word * 13) % 150
            draw.rectangle((word, row, word + length, row + 22), fill=(40, 40, 48))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _context(engine: str, prefix: str) -> Any:
    from audit_app.config import Settings
    from audit_app.domain.audit import Branch
    from audit_app.services.branches import save_branches
    from audit_app.services.context import open_context

    folder = Path(tempfile.mkdtemp(prefix=prefix))
    ctx = open_context(Settings(data_dir=folder, database_url=fresh_database_url(engine, folder)))
    save_branches(ctx, [Branch(code="ES-01", name="Gràcia", region="Catalonia", country="ES")])
    return ctx


def _best_answers(ctx: Any, hashes: list[str]) -> tuple[Any, ...]:
    """Every scored item of greeting_phone at its best; the photos on call.tone."""
    from audit_app.domain.audit import Answer
    from audit_app.domain.checklist import ChoiceItem, NumberItem, PercentageItem, ScaleItem

    answers = []
    for item in ctx.catalogue.get("greeting_phone").items:
        if not item.scored:
            continue
        value: Any = True
        if isinstance(item, ScaleItem):
            value = item.max
        elif isinstance(item, ChoiceItem):
            value = max(item.options, key=lambda option: option.points).value
        elif isinstance(item, NumberItem | PercentageItem):
            value = float(item.target)
        photos = tuple(hashes) if item.id == "call.tone" else ()
        answers.append(Answer(item.id, value, photos=photos))
    return tuple(answers)


def _store_figures(ctx: Any) -> tuple[list[Figure], list[bytes]]:
    from audit_app.services.evidence import media_store, store_photo

    camera = _Camera()
    sent, stored, seconds = [], [], []
    for number in range(PHOTOS):
        data = camera.photo(number)
        started = time.perf_counter()
        kept = store_photo(ctx, data, f"IMG_{number:04}.jpg")
        seconds.append(time.perf_counter() - started)
        sent.append(len(data))
        stored.append(media_store(ctx.settings).read(kept.sha256))
    screenshot = _screenshot()
    started = time.perf_counter()
    shot = store_photo(ctx, screenshot, "screenshot.png")
    shot_seconds = time.perf_counter() - started
    sizes = [len(data) for data in stored]
    figures = [
        Figure(
            "photos: bytes per stored phone photo (mean)",
            statistics.mean(sizes) / 1e3,
            "kB",
            "none set",
            f"{PHOTOS} photos of 4032 x 3024 sent at {statistics.mean(sent) / 1e6:.1f} MB mean "
            f"({min(sent) / 1e6:.1f}-{max(sent) / 1e6:.1f} MB), stored at "
            f"{statistics.mean(sizes) / statistics.mean(sent):.0%} of that",
        ),
        Figure(
            "photos: bytes per stored phone photo (median)",
            statistics.median(sizes) / 1e3,
            "kB",
            "none set",
            f"re-encoded JPEG q82, long edge {ctx.settings.photo_long_edge} px",
        ),
        Figure(
            "photos: store one phone photo (p50)",
            _percentile(seconds, 0.5) * 1000,
            "ms",
            "none set",
            "clean (decode, scale, re-encode) + durable file write + media row",
        ),
        Figure(
            "photos: store one phone photo (p95)",
            _percentile(seconds, 0.95) * 1000,
            "ms",
            "none set",
            f"of {PHOTOS}; slowest {max(seconds) * 1000:.0f} ms",
        ),
        Figure(
            "photos: store a 12 MP PNG screenshot",
            shot_seconds * 1000,
            "ms",
            "none set",
            f"sent {len(screenshot) / 1e6:.2f} MB PNG, stored {shot.size / 1e3:.0f} kB JPEG",
        ),
    ]
    return figures, stored


def _submit(ctx: Any, photos: list[list[str]]) -> None:
    from audit_app.domain.audit import AuditRecord, Visit
    from audit_app.services.audits import store_audits

    start = datetime(2026, 1, 5, 9, 0)
    records = [
        AuditRecord(
            Visit("ES-01", "greeting_phone", 1, start + timedelta(hours=number), "Ann"),
            _best_answers(ctx, hashes),
        )
        for number, hashes in enumerate(photos)
    ]
    store_audits(ctx, records)


def _verify_seconds(ctx: Any) -> float:
    from audit_app.services.verify import verify

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        report = verify(ctx)
        best = min(best, time.perf_counter() - started)
        assert report.ok, report.problems[:3]
    return best


def _verify_figures(engine: str, stored: list[bytes]) -> list[Figure]:
    """1,000 distinct files of the stored photos' sizes (each stored photo with a different
    tail after its end marker), 10 on each of 100 audits; and the same audits bare."""
    from audit_app.intake.photos import CleanPhoto
    from audit_app.services.evidence import keep
    from audit_app.storage.media_store import digest

    with_photos = _context(engine, "audit-bench-photos-")
    hashes = []
    for number in range(VERIFY_AUDITS * PER_AUDIT):
        data = stored[number % len(stored)] + number.to_bytes(4, "big")
        photo = CleanPhoto(data, digest(data), 2048, 1536, None, f"p{number}.jpg")
        hashes.append(keep(with_photos, photo).sha256)
    _submit(with_photos, [hashes[i : i + PER_AUDIT] for i in range(0, len(hashes), PER_AUDIT)])
    bare = _context(engine, "audit-bench-photos-bare-")
    _submit(bare, [[] for _ in range(VERIFY_AUDITS)])
    seconds, baseline = _verify_seconds(with_photos), _verify_seconds(bare)
    total = sum(len(stored[n % len(stored)]) for n in range(len(hashes)))
    for ctx in (with_photos, bare):
        _close(ctx)
    return [
        Figure(
            "photos: verify 1,000 photos on 100 audits",
            seconds,
            "s",
            "none set",
            f"{total / 1e6:,.0f} MB of photo files hashed; the same 100 audits without photos "
            f"verify in {baseline:.2f} s, so the photos' share is {seconds - baseline:.2f} s "
            f"({(seconds - baseline) / len(hashes) * 1000:.2f} ms a photo); best of 3",
        )
    ]


def _close(ctx: Any) -> None:
    """Dispose of the engine and remove the folder: 1,000 photos are a gigabyte."""
    ctx.engine.dispose()
    shutil.rmtree(ctx.settings.data_dir, ignore_errors=True)


def run(engine: str) -> list[Figure]:
    ctx = _context(engine, "audit-bench-store-")
    figures, stored = _store_figures(ctx)
    _close(ctx)
    return figures + _verify_figures(engine, stored)
