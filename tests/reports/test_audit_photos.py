"""Photos in the audit PDF: downscaled thumbnails under the answers that carry them, each
captioned, a count of the audit's photos, and a named gap where a file is missing."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pdfplumber
import pytest

from audit_app.i18n import formats, use_language
from audit_app.reports.audit_report import PHOTO_WIDTH, photo_caption
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.evidence import media_store
from audit_app.services.reports import audit_report, audit_report_data
from tests.reports.conftest import flat, pdf_text
from tests.services.photo_world import audit_with_photos, photo
from tests.services.test_audits import BRANCHES

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
POINTS_PER_MM = 72 / 25.4


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def _images(content: bytes) -> list[dict[str, Any]]:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return [dict(image) for page in pdf.pages for image in page.images]


def _photo_audit(ctx: AppContext) -> tuple[int, list[str]]:
    wide = photo(ctx, 2400, 1600, "red", taken="2026:03:03 14:05:00")
    tall = photo(ctx, 900, 1500, "blue")
    other = photo(ctx, 1200, 1200, "green")
    audit_id = audit_with_photos(
        ctx,
        "ES-01",
        datetime(2026, 3, 3, 15, 0),
        {"answer.greeting": (wide, tall), "call.clear_speech": (other,)},
        failing=("answer.greeting",),
    )
    return audit_id, [wide, tall, other]


def test_the_pdf_holds_each_photo_scaled_with_its_caption(world: AppContext) -> None:
    audit_id, _shas = _photo_audit(world)
    content = audit_report(world, audit_id, "en", generated_at=WHEN)
    images = _images(content)
    text = flat(pdf_text(content))

    assert len(images) == 3
    for image in images:  # at most 45 mm wide and high on the page, aspect kept
        assert image["width"] <= PHOTO_WIDTH + 0.5 and image["height"] <= PHOTO_WIDTH + 0.5
        assert max(image["srcsize"]) <= 600  # embedded downscaled, not the 2,400 px original
    sizes = sorted(tuple(image["srcsize"]) for image in images)
    assert sizes == [(360, 600), (600, 400), (600, 600)]
    wide = next(i for i in images if i["srcsize"][0] == 600 and i["srcsize"][1] == 400)
    assert wide["width"] / wide["height"] == pytest.approx(1.5, rel=0.02)
    assert "This audit carries 3 photos." in text
    assert "Photo 1 of 2 · taken Mar 3, 2026 14:05" in text
    assert "Photo 2 of 2" in text and "Photo 2 of 2 · taken" not in text
    assert "Photo 1 of 1" in text


def test_a_missing_photo_file_is_named_in_the_pdf_in_its_place(world: AppContext) -> None:
    audit_id, shas = _photo_audit(world)
    media_store(world.settings).path(shas[1]).unlink()

    content = audit_report(world, audit_id, "en", generated_at=WHEN)
    text = flat(pdf_text(content))

    assert len(_images(content)) == 2
    assert f"Photo 2 of 2: photo {shas[1][:12]}… missing from the media store" in text
    assert "1 of them could not be read from the media store." in text


def test_an_altered_photo_file_is_named_not_shown(world: AppContext) -> None:
    audit_id, shas = _photo_audit(world)
    media_store(world.settings).path(shas[0]).write_bytes(b"not the photo")

    content = audit_report(world, audit_id, "en", generated_at=WHEN)

    assert len(_images(content)) == 2
    assert f"photo {shas[0][:12]}… was altered in the media store" in flat(pdf_text(content))


@pytest.mark.parametrize("language", ["ca", "ro", "tr"])
def test_the_photo_captions_are_in_the_reports_language(world: AppContext, language: str) -> None:
    audit_id, _shas = _photo_audit(world)
    data = audit_report_data(world, audit_id)
    content = audit_report(world, audit_id, language, generated_at=WHEN)
    text = flat(pdf_text(content))

    assert len(_images(content)) == 3
    with use_language(language):
        captions = [photo_caption(p) for p in data.photos]
    with use_language(language):
        day = formats.date(datetime(2026, 3, 3))
    # The catalogues get this branch's msgids later (PO fragments): the date is the locale's.
    assert captions[0].endswith(f"{day} 14:05")
    for caption in captions:
        assert flat(caption) in text


def test_an_audit_without_photos_says_nothing_about_photos(world: AppContext) -> None:
    audit_id = audit_with_photos(world, "ES-01", datetime(2026, 3, 4, 10, 0), {})
    content = audit_report(world, audit_id, "en", generated_at=WHEN)
    assert _images(content) == [] and "photo" not in pdf_text(content).lower()


def test_an_answer_with_the_most_photos_lays_out_over_pages(world: AppContext) -> None:
    colours = ["red", "blue", "green", "white", "gray", "yellow", "navy", "olive", "teal", "pink"]
    shas = tuple(photo(world, 300, 900, colour) for colour in colours)  # portraits: tallest
    audit_id = audit_with_photos(
        world, "ES-01", datetime(2026, 3, 5, 10, 0), {"answer.greeting": shas}
    )
    content = audit_report(world, audit_id, "en", generated_at=WHEN)
    assert len(_images(content)) == 10
    assert "Photo 10 of 10" in flat(pdf_text(content))
