"""Photo evidence on a phone, in Debian's Chromium against the real ``audit-app serve``: an
area manager enters a visit with a photo under an answer (uploaded through the real upload
box), submits it, the photo is stored with the audit, and the Audit page shows it (thumbnail,
then full size). With ``AUDIT_UPDATE_SCREENSHOTS=1`` ``docs/screenshot-evidence.png`` (the
form with the photo's thumbnail, on a phone) is renewed.
"""

from __future__ import annotations

import io
import os
import re
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.axe import AXE, serious_violations
from tests.e2e.conftest import log_in
from tests.e2e.test_journeys import PHONE, SLOW_MS, _choose, _idle, _screenshot
from tests.e2e.test_plans_journey import PHONE_VIEWPORT

ITEM = "nv-greeting_phone-1-answer-greeting"
"""The greeting question's widgets' CSS class stem (Streamlit's ``st-key-`` of their keys)."""


def _shop_photo() -> bytes:
    """A JPEG made by Pillow: a blue wall with a yellow counter, 1200x900."""
    image = Image.new("RGB", (1200, 900), (40, 90, 160))
    image.paste((230, 190, 40), (0, 600, 1200, 900))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.browser
def test_a_visit_with_a_photo_on_a_phone_is_stored_and_shown(
    served_app: str,
    demo_data_dir: Path,
    browser,  # type: ignore[no-untyped-def]
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport=PHONE_VIEWPORT)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        log_in(page, served_app, "marta", path="new-visit")
        main = page.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name="New visit")).to_be_visible(timeout=SLOW_MS)
        _idle(page)
        _choose(page, "Checklist", "Greeting: telephone")
        _choose(page, "Language", "English")
        visit_date = (
            page.get_by_test_id("stDateInput").filter(has_text="Visit date").locator("input")
        )
        visit_date.fill(date.today().isoformat())
        visit_date.press("Enter")
        _idle(page)
        for question, answer in PHONE.items():
            page.get_by_role("radiogroup", name=question).get_by_text(answer, exact=True).click()
            _idle(page)
        page.get_by_role("radiogroup", name="Putting the caller on hold").get_by_role(
            "radio"
        ).first.check(force=True)
        _idle(page)
        for question, value in (
            ("Rings before the call is answered", "3"),
            ("Hours until a voicemail message is returned", "2"),
        ):
            field = page.get_by_label(question, exact=True)
            field.fill(value)
            field.press("Enter")
            _idle(page)

        photos = page.locator(f".st-key-{ITEM}-photos_open")
        expect(photos).to_contain_text("Photos (0)")
        photos.get_by_text("Photos (0)").click()
        photos.locator(f".st-key-{ITEM}-upload-0 input[type=file]").set_input_files(
            files=[{"name": "counter.jpg", "mimeType": "image/jpeg", "buffer": _shop_photo()}]
        )
        expect(photos).to_contain_text("Photos (1)", timeout=SLOW_MS)
        _idle(page)
        thumbnail = photos.get_by_test_id("stImage").locator("img")
        expect(thumbnail).to_have_count(1)
        expect(photos.get_by_role("button", name="Remove")).to_be_visible()
        assert thumbnail.evaluate("img => img.naturalWidth") > 0  # the image really loads
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0  # nothing runs off the side of the phone's screen
        page.get_by_role("radiogroup", name=next(iter(PHONE))).scroll_into_view_if_needed()
        _screenshot(page, "screenshot-evidence.png", tmp_path)

        page.get_by_role("button", name="Submit").click()
        submitted = main.get_by_text(re.compile(r"Audit #\d+ for .* submitted\."))
        expect(submitted).to_be_visible(timeout=SLOW_MS)
        audit_id = int(re.search(r"#(\d+)", submitted.inner_text()).group(1))  # type: ignore[union-attr]

        [sha] = _stored_photos(demo_data_dir, audit_id)

        page.goto(f"{served_app}/audit?id={audit_id}")
        expect(main).to_contain_text("1 photo", timeout=SLOW_MS)
        _idle(page)
        expect(main.get_by_test_id("stImage").locator("img")).to_have_count(1)
        _passes_axe(page)  # the thumbnail has its alternative text
        main.get_by_role("button", name="View full size").click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_be_visible(timeout=SLOW_MS)
        expect(dialog).to_contain_text("1,200 × 900 pixels · counter.jpg")
        full = dialog.get_by_test_id("stImage").locator("img")
        expect(full).to_have_count(1)
        assert full.evaluate("img => img.naturalWidth") == 1200
        _passes_axe(page)
        assert len(sha) == 64
        _no_address_of_a_photo(page, served_app, demo_data_dir, sha)
    finally:
        context.close()


def _passes_axe(page) -> None:  # type: ignore[no-untyped-def]
    """No serious WCAG violation with photos on the page (checked where axe-core is
    installed, always in CI)."""
    if AXE.exists() or os.environ.get("AUDIT_REQUIRE_BROWSER") == "1":
        assert serious_violations(page) == []


def _no_address_of_a_photo(page, served_app: str, data_dir: Path, sha: str) -> None:  # type: ignore[no-untyped-def]
    """The photos reached this browser inside the page (``data:`` URLs), so no server
    address of a photo exists to copy or guess; the media folder is served under no path,
    and a browser without the session gets nothing."""
    sources = page.evaluate("() => [...document.images].map(img => img.src)")
    photos = [src for src in sources if src.startswith("data:image/jpeg")]
    assert photos and not [src for src in sources if "/media/" in src]
    anonymous = page.context.browser.new_context()
    try:
        for path in (
            f"/media/{sha}.jpg",
            f"/media/{sha[:2]}/{sha}.jpg",
            f"/app/static/{sha}.jpg",
            f"/app/static/../media/{sha[:2]}/{sha}.jpg",
            f"/{sha[:2]}/{sha}.jpg",
        ):
            response = anonymous.request.get(served_app + path)
            assert response.status == 404 or b"\xff\xd8\xff" not in response.body(), path
    finally:
        anonymous.close()
    assert (data_dir / "media" / sha[:2] / f"{sha}.jpg").is_file()


def _stored_photos(data_dir: Path, audit_id: int) -> list[str]:
    """The greeting answer's photos as the services read them, and each file is whole."""
    from audit_app.config import Settings
    from audit_app.services.audits import load_audit
    from audit_app.services.context import open_context
    from audit_app.services.evidence import photo_bytes
    from audit_app.storage import database, user_store

    ctx = open_context(Settings(data_dir=data_dir))
    try:
        with database.snapshot(ctx.engine) as conn:
            marta = user_store.find_exact(conn, "marta")
        assert marta is not None
        ctx = ctx.as_user(marta)
        answers = {a.item_id: a for a in load_audit(ctx, audit_id).record.answers}
        photos = list(answers["answer.greeting"].photos)
        for sha in photos:
            data = photo_bytes(ctx, audit_id, sha)
            assert data[:2] == b"\xff\xd8"
            assert Image.open(io.BytesIO(data)).size == (1200, 900)
        return photos
    finally:
        ctx.engine.dispose()
