"""Files (issue #15): the database, its WAL and SHM files are readable by their owner only,
in a folder only the owner can enter; temporary files are created new, and a symbolic link
planted at a temporary name is refused, not followed."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from audit_app.config import Settings
from audit_app.domain.audit import Branch
from audit_app.errors import AuditAppError
from audit_app.intake.layouts.profile import parse_profile
from audit_app.intake.photos import clean_photo
from audit_app.services import evidence
from audit_app.services.backup import export_database
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.mappings import save_mapping
from audit_app.services.reports import write_atomically
from audit_app.storage import media_store
from audit_app.storage.files import UnsafeFileError, create_new


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The umask most accounts have (022): files 0644 unless the app says otherwise."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def fresh(settings: Settings, tmp_path: Path) -> Settings:
    """The default layout: the database in a data folder that does not exist yet."""
    data = tmp_path / "new" / "data"
    return Settings(
        data_dir=data,
        database_url=f"sqlite:///{data / 'audit.db'}",
        checklists_dir=settings.checklists_dir,
    )


@pytest.mark.usefixtures("usual_umask")
def test_the_database_and_its_wal_and_shm_are_private(settings: Settings, tmp_path: Path) -> None:
    settings = fresh(settings, tmp_path)
    folder = settings.data_dir
    assert not folder.exists()
    ctx = open_context(settings)
    try:
        save_branches(ctx, [Branch(code="ES-01", name="Gràcia", region="C", country="ES")])
        with ctx.engine.connect() as conn:  # an open connection keeps -wal and -shm there
            conn.exec_driver_sql("SELECT count(*) FROM branches").scalar()
            database = folder / "audit.db"
            found = {p.name: mode(p) for p in folder.iterdir() if p.name.startswith("audit.db")}
            assert found == {"audit.db": 0o600, "audit.db-wal": 0o600, "audit.db-shm": 0o600}
            assert database.stat().st_size > 0
        assert mode(folder) == 0o700
    finally:
        ctx.engine.dispose()


@pytest.mark.usefixtures("usual_umask")
def test_a_database_made_readable_to_all_by_an_older_version_is_narrowed(
    settings: Settings, tmp_path: Path
) -> None:
    settings = fresh(settings, tmp_path)
    settings.data_dir.mkdir(parents=True)
    database = settings.data_dir / "audit.db"
    database.touch(mode=0o644)
    assert mode(database) == 0o644
    open_context(settings).engine.dispose()
    assert mode(database) == 0o600


def test_a_temporary_file_is_created_new(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("theirs", encoding="utf-8")
    link = tmp_path / ".out.part"
    link.symlink_to(victim)
    with pytest.raises(UnsafeFileError, match="a symbolic link is already at this temporary name"):
        create_new(link)
    dangling = tmp_path / ".dangling.part"
    dangling.symlink_to(tmp_path / "not-yet")
    with pytest.raises(UnsafeFileError):
        create_new(dangling)
    assert not (tmp_path / "not-yet").exists()
    fresh = tmp_path / ".fresh.part"
    os.close(create_new(fresh))
    assert mode(fresh) == 0o600


def plant(target: Path, suffix: str, victim: Path) -> Path:
    """A link where the app will put its temporary file for ``target``."""
    link = target.with_name(f".{target.name}.{os.getpid()}.{suffix}")
    link.symlink_to(victim)
    return link


def test_export_refuses_a_link_planted_at_its_temporary_name(
    ctx: AppContext, tmp_path: Path
) -> None:
    victim = tmp_path / "attacker-readable.zip"
    victim.write_bytes(b"")
    victim.chmod(0o666)
    target = tmp_path / "backup.zip"
    link = plant(target, "partial", victim)
    with pytest.raises(AuditAppError, match="symbolic link is already at this temporary name"):
        export_database(ctx, target)
    assert victim.read_bytes() == b"" and link.is_symlink() and not target.exists()
    link.unlink()
    export_database(ctx, target)
    assert mode(target) == 0o600  # it holds the password hashes


def test_the_export_command_says_why_in_one_line(ctx: AppContext, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from audit_app.cli import app

    target = tmp_path / "backup.zip"
    # the CLI runs in this process, so the temporary name carries this pid
    plant(target, "partial", tmp_path / "elsewhere.zip")
    result = CliRunner().invoke(app, ["export", str(target)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ") and "it was not followed" in result.stderr
    assert not (tmp_path / "elsewhere.zip").exists()


def test_a_report_write_refuses_a_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"theirs")
    target = tmp_path / "audit-1-ES-01-2026-05-01.pdf"
    plant(target, "part", victim)
    with pytest.raises(UnsafeFileError):
        write_atomically(target, b"%PDF-1.4 ours")
    assert victim.read_bytes() == b"theirs" and not target.exists()


def test_saving_a_mapping_profile_refuses_a_planted_link(ctx: AppContext, tmp_path: Path) -> None:
    folder = ctx.settings.resolved_mappings_dir
    folder.mkdir(parents=True)
    victim = tmp_path / "victim.yaml"
    victim.write_text("theirs", encoding="utf-8")
    plant(folder / "agency.yaml", "part", victim)
    profile = parse_profile({"name": "agency", "checklist": "greeting_phone"})
    with pytest.raises(UnsafeFileError):
        save_mapping(ctx, profile)
    assert victim.read_text(encoding="utf-8") == "theirs"


@pytest.mark.usefixtures("usual_umask")
def test_the_trail_key_and_head_are_private(settings: Settings, tmp_path: Path) -> None:
    """The trail key seals the records (whoever reads it can re-seal a change) and the head
    checkpoint is what deleting the newest records is measured against."""
    settings = fresh(settings, tmp_path)
    ctx = open_context(settings)
    try:
        save_branches(ctx, [Branch(code="ES-01", name="Gràcia", region="C", country="ES")])
        folder = settings.data_dir
        assert mode(folder) == 0o700
        assert mode(folder / "trail.key") == 0o600
        assert mode(folder / "trail.head") == 0o600
        assert len((folder / "trail.key").read_bytes()) == 32
    finally:
        ctx.engine.dispose()


def test_a_link_planted_at_the_head_checkpoints_temporary_name_is_refused(
    tmp_path: Path,
) -> None:
    from audit_app.services import trail_head

    folder = tmp_path / "checkpoint"
    folder.mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me", encoding="utf-8")
    planted = folder / f".trail.head.{os.getpid()}.part"
    planted.symlink_to(target)
    with pytest.raises(UnsafeFileError, match="not followed"):
        trail_head.advance(folder, "sqlite:///x.db", 5, "ab" * 32)
    assert target.read_text(encoding="utf-8") == "keep me"
    assert not (folder / "trail.head").exists()


@pytest.mark.usefixtures("usual_umask")
def test_photos_are_private_files_in_a_private_folder(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Photos show people and shops: another local account may not read them, and a planted
    link at a photo's temporary name is refused like every other file the app writes."""
    settings = fresh(settings, tmp_path)
    ctx = open_context(settings)
    try:
        out = io.BytesIO()
        Image.new("RGB", (64, 48), (1, 2, 3)).save(out, "PNG")
        photo = evidence.store_photo(ctx, out.getvalue(), "p.png")
        path = evidence.media_store(settings).path(photo.sha256)
        assert path.is_relative_to(settings.data_dir / "media")
        assert mode(settings.data_dir / "media") == 0o700
        assert mode(path.parent) == 0o700
        assert mode(path) == 0o600
        other = io.BytesIO()
        Image.new("RGB", (64, 48), (9, 9, 9)).save(other, "PNG")
        clean = clean_photo(other.getvalue(), "q.png", evidence.limits(settings))
        target = evidence.media_store(settings).path(clean.sha256)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        monkeypatch.setattr(media_store, "temporary_suffix", lambda: "photo-known")
        planted = target.with_name(f".{target.name}.{os.getpid()}.photo-known")
        planted.symlink_to(tmp_path / "elsewhere")
        with pytest.raises(UnsafeFileError):
            evidence.keep(ctx, clean)
        assert not (tmp_path / "elsewhere").exists()
    finally:
        ctx.engine.dispose()
