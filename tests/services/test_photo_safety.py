"""Photo evidence kept safe: photos travel in the backup archive and come back checked (into a
fresh installation with an empty media folder, on either engine); a changed photo member
refuses the restore naming it; verify names a deleted or altered photo file and a photo link
changed behind the app's back; corrections that add or remove a photo are new revisions;
drafts keep their photos and a discarded draft's links are gone."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select, update

from audit_app.domain.audit import Answer, AuditRecord
from audit_app.errors import AuditAppError
from audit_app.services.audits import load_audit, submit_audit
from audit_app.services.backup import export_database, restore_database
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.drafts import discard_draft, load_draft, save_draft
from audit_app.services.evidence import media_store, photo_bytes, photo_info, store_photo
from audit_app.services.revisions import audit_history, revise_audit
from audit_app.services.verify import verify
from audit_app.storage.tables import answer_photos
from tests.databases import drop_database, environment_for, postgres_server_url
from tests.services.test_audits import BRANCHES, phone_answers, phone_visit
from tests.services.test_backup import OTHER, _cli, _forged, _settings, _table_lines

ITEM = "call.tone"
"""The answer the photos are attached to (any scored item of greeting_phone)."""


def jpeg(shade: int, size: tuple[int, int] = (64, 48)) -> bytes:
    """A small photo, different for each ``shade``."""
    image = Image.new("RGB", size, (shade % 256, (shade * 7) % 256, (shade * 13) % 256))
    for x in range(0, size[0], 4):
        image.putpixel((x, x % size[1]), (255 - shade % 256, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def photos_of(stored: Any) -> tuple[str, ...]:
    """The photos of ``ITEM`` in a loaded audit or draft."""
    return next(a.photos for a in stored.record.answers if a.item_id == ITEM)


def answers_with(ctx: AppContext, *hashes: str) -> tuple[Answer, ...]:
    return tuple(
        Answer(a.item_id, a.value, a.na, a.comment, photos=tuple(hashes))
        if a.item_id == ITEM
        else a
        for a in phone_answers(ctx)
    )


def submit_with_photos(ctx: AppContext, *shades: int, day: int = 2) -> tuple[int, list[str]]:
    hashes = [store_photo(ctx, jpeg(shade), f"photo-{shade}.jpg").sha256 for shade in shades]
    when = datetime(2026, 3, day, 10, 30)
    audit_id, _ = submit_audit(ctx, AuditRecord(phone_visit(when=when), answers_with(ctx, *hashes)))
    return audit_id, hashes


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


# --- backups carry the photos -----------------------------------------------------------


@pytest.fixture
def chain(engine_kind: str, tmp_path: Path) -> Iterator[Any]:
    """Installations sharing one trail key (one chain moving its data), each with its own
    data folder and so its own, empty, media folder."""
    made: list[AppContext] = []

    def make(engine: str) -> AppContext:
        ctx = open_context(_settings(engine, tmp_path / f"install-{len(made)}"))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.engine.dispose()
        drop_database(ctx.settings.resolved_database_url)


def _photographed(chain: Any, engine_kind: str, *shades: int) -> tuple[AppContext, int, list[str]]:
    """A new installation with the test branches and one audit carrying these photos."""
    source = chain(engine_kind)
    save_branches(source, BRANCHES)
    audit_id, hashes = submit_with_photos(source, *shades)
    return source, audit_id, hashes


def _one_byte_changed(data: bytes) -> bytes:
    """The same size, one byte different: only the hash can tell."""
    return data[:200] + bytes([data[200] ^ 0x55]) + data[201:]


def _target_engine(engine_kind: str) -> str:
    """The other engine when a PostgreSQL server is at hand, else the same one."""
    return OTHER[engine_kind] if postgres_server_url() else engine_kind


def test_photos_travel_in_the_archive_and_come_back_checked(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    source, audit_id, hashes = _photographed(chain, engine_kind, 10, 20)
    steps: list[tuple[str, str, int, int]] = []
    exported = export_database(
        source, tmp_path / "with-photos.zip", progress=lambda *call: steps.append(call)
    )
    assert ("export", "media files", 2, 2) in steps and exported.photos == 2
    with zipfile.ZipFile(exported.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        members = set(zf.namelist())
        for entry in manifest["media"]:
            assert entry["member"] == f"media/{entry['sha256']}.jpg" in members
            assert entry["bytes"] == len(zf.read(entry["member"]))
            # stored as it is: a JPEG does not shrink, and deflating it costs time
            assert zf.getinfo(entry["member"]).compress_type == zipfile.ZIP_STORED
    assert sorted(entry["sha256"] for entry in manifest["media"]) == sorted(hashes)

    # Into the other engine, a fresh installation whose media folder is empty.
    target = chain(_target_engine(engine_kind))
    assert not target.settings.resolved_media_dir.exists() or not any(
        target.settings.resolved_media_dir.iterdir()
    )
    steps.clear()
    result = restore_database(target, exported.path, progress=lambda *call: steps.append(call))
    assert result.verify.ok, result.verify.problems
    assert result.photos == 2
    assert ("check", "media files", 2, 2) in steps and ("restore", "media files", 2, 2) in steps
    assert sorted(media_store(target.settings).hashes()) == sorted(hashes)
    for shade, sha in zip((10, 20), hashes, strict=True):
        assert photo_bytes(target, audit_id, sha) == media_store(source.settings).read(sha)
        assert photo_info(target, audit_id)[sha].original_name == f"photo-{shade}.jpg"
    assert photos_of(load_audit(target, audit_id)) == tuple(hashes)
    assert verify(target).ok

    # And back again, from the copy, into a third installation: the same photos.
    again = export_database(target, tmp_path / "again.zip")
    back = chain(engine_kind)
    assert restore_database(back, again.path).verify.ok
    assert [photo_bytes(back, audit_id, sha) for sha in hashes] == [
        photo_bytes(source, audit_id, sha) for sha in hashes
    ]


def test_restoring_over_photos_already_there_keeps_them(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    """The store's put is idempotent: a media folder that holds the same photos is fine."""
    source, audit_id, hashes = _photographed(chain, engine_kind, 30)
    exported = export_database(source, tmp_path / "a.zip")
    target = chain(engine_kind)
    media_store(target.settings).put(hashes[0], media_store(source.settings).read(hashes[0]))
    assert restore_database(target, exported.path).verify.ok
    assert photo_bytes(target, audit_id, hashes[0])


def _rewritten(source: Path, target: Path, change: dict[str, bytes | None]) -> Path:
    """A copy of the archive with members replaced (or left out when None)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    new.writestr(info.filename, change[info.filename])  # type: ignore[arg-type]
            else:
                new.writestr(info, old.read(info.filename))
    return target


def _nothing_written(target: AppContext) -> None:
    with target.engine.connect() as conn:
        assert conn.execute(select(answer_photos)).first() is None
    assert list(media_store(target.settings).hashes()) == []


def test_a_changed_photo_member_refuses_the_restore_naming_it(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    source, _, hashes = _photographed(chain, engine_kind, 40, 50)
    exported = export_database(source, tmp_path / "a.zip")
    member = f"media/{hashes[1]}.jpg"
    with zipfile.ZipFile(exported.path) as zf:
        original = zf.read(member)
    changed = _one_byte_changed(original)
    forged = _rewritten(exported.path, tmp_path / "forged.zip", {member: changed})
    target = chain(engine_kind)
    with pytest.raises(AuditAppError, match=f"{member} does not match its hash"):
        restore_database(target, forged)
    _nothing_written(target)


def test_a_media_row_without_its_file_refuses_the_restore_naming_it(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    source, _, hashes = _photographed(chain, engine_kind, 60)
    exported = export_database(source, tmp_path / "a.zip")
    member = f"media/{hashes[0]}.jpg"
    with zipfile.ZipFile(exported.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    manifest["media"] = []
    stripped = _rewritten(
        exported.path,
        tmp_path / "stripped.zip",
        {member: None, "manifest.json": json.dumps(manifest).encode()},
    )
    target = chain(engine_kind)
    with pytest.raises(AuditAppError, match=f"{member} is missing"):
        restore_database(target, stripped)
    _nothing_written(target)


def test_an_archive_made_before_photos_still_restores(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    """A manifest without a media list (the format before photos) and no media rows."""
    source = chain(engine_kind)
    save_branches(source, BRANCHES)
    submit_audit(source, AuditRecord(phone_visit(), phone_answers(source)))
    exported = export_database(source, tmp_path / "a.zip")
    with zipfile.ZipFile(exported.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    del manifest["media"]
    older = _rewritten(
        exported.path, tmp_path / "older.zip", {"manifest.json": json.dumps(manifest).encode()}
    )
    assert restore_database(chain(engine_kind), older).verify.ok


def test_an_export_with_a_photo_file_gone_is_refused_naming_it(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    """An archive that could not be restored is not written."""
    source, _, hashes = _photographed(chain, engine_kind, 70)
    media_store(source.settings).path(hashes[0]).unlink()
    with pytest.raises(AuditAppError, match=f"photo {hashes[0][:12]}.*is missing"):
        export_database(source, tmp_path / "a.zip")
    assert not (tmp_path / "a.zip").exists()


def test_a_restore_refused_at_its_trail_check_takes_its_photo_files_away_again(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    """Refused with nothing written: the photos go into the media folder before the trail
    is checked (the check reads them), so a refusal there removes those it added, and keeps
    one that was there before."""
    source, _, hashes = _photographed(chain, engine_kind, 80, 90)
    exported = export_database(source, tmp_path / "a.zip")
    lines = _table_lines(exported.path, "audit_scores")
    first = json.loads(lines[0])
    assert first["overall"] != 1.0
    lines[0] = json.dumps(first | {"overall": 1.0, "raw_overall": 1.0}).encode() + b"\n"
    crafted = _forged(exported.path, tmp_path / "crafted.zip", "audit_scores", b"".join(lines))
    target = chain(engine_kind)
    kept = media_store(target.settings)
    kept.put(hashes[0], media_store(source.settings).read(hashes[0]))  # there before
    with pytest.raises(AuditAppError, match="its stored scores do not follow from its answers"):
        restore_database(target, crafted)
    with target.engine.connect() as conn:
        assert conn.execute(select(answer_photos)).first() is None
    assert list(kept.hashes()) == [hashes[0]]
    assert restore_database(target, exported.path).verify.ok  # and the good one restores


def test_an_export_with_a_photo_file_altered_is_refused_naming_it(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    source, _, hashes = _photographed(chain, engine_kind, 100)
    path = media_store(source.settings).path(hashes[0])
    data = path.read_bytes()
    path.write_bytes(_one_byte_changed(data))
    with pytest.raises(AuditAppError, match=f"photo {hashes[0][:12]}.*no longer matches its hash"):
        export_database(source, tmp_path / "a.zip")
    assert not (tmp_path / "a.zip").exists()


# --- verify sees the photo files and links ----------------------------------------------


def test_verify_names_a_deleted_and_an_altered_photo_with_its_audit_and_item(
    world: AppContext,
) -> None:
    audit_id, hashes = submit_with_photos(world, 1, 2)
    assert verify(world).ok
    store = media_store(world.settings)
    store.path(hashes[0]).unlink()
    altered = store.path(hashes[1])
    altered.chmod(0o600)
    altered.write_bytes(altered.read_bytes()[:-10] + b"0123456789")
    report = verify(world)
    assert not report.ok
    deleted = [p for p in report.problems if hashes[0][:12] in p]
    changed = [p for p in report.problems if hashes[1][:12] in p]
    assert len(deleted) == 1 and "missing from the media store" in deleted[0]
    assert len(changed) == 1 and "altered in the media store" in changed[0]
    for problem in deleted + changed:
        assert f"#{audit_id}" in problem and f"item {ITEM}" in problem


def test_verify_names_a_photo_link_changed_outside_the_app(world: AppContext) -> None:
    audit_id, hashes = submit_with_photos(world, 3)
    other = store_photo(world, jpeg(4), "other.jpg").sha256  # stored, but on no answer
    with world.engine.begin() as conn:
        conn.execute(
            update(answer_photos).where(answer_photos.c.audit_id == audit_id).values(sha256=other)
        )
    report = verify(world)
    assert not report.ok
    assert any(
        f"#{audit_id}" in p and f"the photos of answer {ITEM} changed" in p for p in report.problems
    ), report.problems
    assert not any(hashes[0][:12] in p or other[:12] in p for p in report.problems if "media" in p)


def test_a_correction_adding_or_removing_a_photo_is_a_new_revision(world: AppContext) -> None:
    audit_id, hashes = submit_with_photos(world, 5)
    added = store_photo(world, jpeg(6), "added.jpg").sha256
    revise_audit(world, audit_id, answers_with(world, hashes[0], added), "a second photo")
    assert photos_of(load_audit(world, audit_id)) == (hashes[0], added)
    assert verify(world).ok
    revise_audit(world, audit_id, answers_with(world, added), "the first was of another shop")
    history = audit_history(world, audit_id)
    assert [r.revision for r in history] == [1, 2, 3]
    assert [r.answers[ITEM].photos for r in history] == [
        (hashes[0],),
        (hashes[0], added),
        (added,),
    ]
    assert photo_info(world, audit_id).keys() == {added}
    report = verify(world)
    assert report.ok, report.problems
    # Removing the last photo is a correction too; the file stays (revision 1 names it).
    revise_audit(world, audit_id, answers_with(world), "no photo after all", keep_photos=False)
    assert photos_of(load_audit(world, audit_id)) == ()
    assert verify(world).ok
    assert media_store(world.settings).read(hashes[0])


def test_drafts_keep_their_photos_and_a_discarded_drafts_links_go(world: AppContext) -> None:
    sha = store_photo(world, jpeg(7), "draft.jpg").sha256
    answers = answers_with(world, sha)
    kept = answers[:2] + tuple(a for a in answers if a.item_id == ITEM)
    record = AuditRecord(phone_visit(), kept)
    draft_id = save_draft(world, record)
    assert photos_of(load_draft(world, draft_id)) == (sha,)
    assert photo_bytes(world, draft_id, sha) == media_store(world.settings).read(sha)
    discard_draft(world, draft_id)
    with world.engine.connect() as conn:
        left = conn.execute(select(answer_photos).where(answer_photos.c.audit_id == draft_id)).all()
    assert left == []
    assert media_store(world.settings).read(sha)  # the file stays; another audit may show it


def test_the_command_line_counts_the_photo_files(
    engine_kind: str, chain: Any, tmp_path: Path
) -> None:
    source = chain(engine_kind)
    save_branches(source, BRANCHES)
    submit_with_photos(source, 80, 90)
    path = tmp_path / "cli.zip"
    done = _cli(environment_for(source.settings), "export", str(path), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["photos"] == 2
    assert re.search(r"export  media files +2 / 2 files", done.stderr), done.stderr
    target = chain(engine_kind)
    restored = _cli(environment_for(target.settings), "restore", str(path))
    assert restored.returncode == 0, restored.stderr
    assert "  and 2 photo files" in restored.stdout
    assert len(list(media_store(target.settings).hashes())) == 2
