"""Backups: the whole database to one archive file, and that file into an empty database.

The archive does not depend on the engine, so the same two steps move a chain from the
embedded SQLite to PostgreSQL: export from the one, restore into the other. The photo files
travel in the archive too, so a restored installation shows its evidence. A restore is all
or nothing, checks every member (each photo against its hash) before writing, and ends with
the trail check, which sees the restored photo files.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection

from audit_app.errors import AuditAppError
from audit_app.services import activity, evidence, trail_head
from audit_app.services.access import check_head_office
from audit_app.services.context import AppContext
from audit_app.services.verify import VerifyReport, verify_in
from audit_app.storage import (
    archive,
    archive_media,
    database,
    files,
    ledger,
    repository,
    session_store,
    trail,
)

Progress = Callable[[str, str, int, int], None]
"""Called as (step, table, rows done, rows in the table); step is "export", "check" (the
archive's checksums, before anything is written) or "restore". The photo files are counted
as the table ``PHOTO_FILES`` (files done, files in the archive)."""

PHOTO_FILES = archive_media.PROGRESS_NAME


class BackupError(AuditAppError):
    """An export or restore refused; the message says which file or table and why."""


@dataclass(frozen=True)
class TableRows:
    name: str
    rows: int


@dataclass(frozen=True)
class ExportResult:
    path: Path
    tables: tuple[TableRows, ...]
    bytes: int
    seconds: float
    revision: str
    photos: int = 0
    """Photo files in the archive."""

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    tables: tuple[TableRows, ...]
    bytes: int
    seconds: float
    """To check, load and verify the archive; the trail check's own share is in ``verify``."""
    revision: str
    source_engine: str
    created_at: str
    verify: VerifyReport
    checklist_note: str | None = None
    """Set when this installation's checklist files disagree with the restored ones."""
    photos: int = 0
    """Photo files restored into the media store."""

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def export_database(
    ctx: AppContext, path: Path, *, force: bool = False, progress: Progress | None = None
) -> ExportResult:
    """Write every table to ``path``; an existing file is kept unless ``force``.

    The archive is written under a temporary name beside ``path`` and renamed at the end, so
    a failed or interrupted export never leaves a half-written file under the final name.
    """
    check_head_office(ctx, "export the database")
    path = Path(path)
    if path.is_dir():
        raise BackupError(f"{path} is a folder; name the archive file to write")
    if path.exists() and not force:
        raise BackupError(f"{path} already exists; choose another name or pass --force")
    if not path.parent.is_dir():
        raise BackupError(f"{path}: the folder {path.parent} does not exist")
    started = time.perf_counter()
    revision = database.current_revision(ctx.engine) or "none"
    try:
        # Private from the start (the archive holds the users' password hashes), and a new
        # file: a link planted at the temporary name is refused, not followed.
        with (
            files.replacing(path, files.PRIVATE_FILE, "partial") as target,
            archive.snapshot(ctx.engine) as conn,
        ):
            manifest = archive.write_archive(
                conn,
                target,
                revision=revision,
                media_store=evidence.media_store(ctx.settings),
                progress=_step(progress, "export"),
            )
    except OSError as error:  # no permission, a full disk
        raise BackupError(f"{path}: cannot write it ({error.strerror or error})") from None
    return ExportResult(
        path=path,
        tables=tuple(TableRows(t.name, t.rows) for t in manifest.tables),
        bytes=path.stat().st_size,
        seconds=time.perf_counter() - started,
        revision=manifest.revision,
        photos=len(manifest.media),
    )


def restore_database(
    ctx: AppContext,
    path: Path,
    *,
    progress: Progress | None = None,
    trust_archive: bool = False,
) -> RestoreResult:
    """Load the archive at ``path`` into the (empty) database of ``ctx``, verified.

    The archive's photo files go into this installation's media store (a photo already
    there intact is kept). Refused, with nothing written, when the archive is damaged (a
    photo member that does not match its hash, a media row without its file), made by another schema
    revision, holds a row its columns do not allow, or the database already holds data; and
    when the restored trail does not verify under this installation's key (an archive
    sealed elsewhere, or changed after it was sealed). ``trust_archive`` accepts an archive
    sealed under another key: its records are sealed again under this key, and the activity
    log says so; every other check still applies. Checklist versions that opening the app
    stored in an otherwise empty database are replaced by the archive's. The context's
    checklist ids are refreshed afterwards, so it can store audits at once.
    """
    check_head_office(ctx, "restore a backup")
    path = Path(path)
    started = time.perf_counter()
    head = database.head_revision()
    with archive.open_archive(path) as (zf, manifest):
        if manifest.revision != head:
            raise BackupError(
                f"{path} was exported at schema revision {manifest.revision}, this version "
                f"needs revision {head}: restore it with the version that exported it, run "
                "`audit-app db upgrade`, and export it again"
            )
        archive.check_tables(path, manifest)
        database.upgrade(ctx.engine)
        with database.snapshot(ctx.engine) as conn:
            _check_empty(ctx, conn)
        archive.check_members(path, zf, manifest, _step(progress, "check"))
        store = evidence.media_store(ctx.settings)
        written: list[str] = []
        try:
            with database.transaction(ctx.engine) as conn:
                _check_empty(ctx, conn)  # again: someone may have written meanwhile
                archive.clear_checklists(conn)
                archive.load_tables(path, conn, zf, manifest, _step(progress, "restore"))
                # Into the media store before the trail check, which reads them.
                archive.restore_media(
                    path, zf, manifest, store, _step(progress, "restore"), written
                )
                session_store.end_every_session(conn, "restored", trail.utcnow())
                report = _verified(ctx, conn, path, trust_archive)
        except BaseException:
            # Refused, or failed: the rows were rolled back, and the photo files this
            # restore added (named by no row now) go too; those that were there stay.
            for sha256 in written:
                store.discard(sha256)
            raise
    # The restored database's history starts here (a checkpoint of a database that was at
    # this address before would name records it never had).
    trail_head.replace(ctx.settings.data_dir, ctx.database_label, report.head)
    note = _refresh_checklists(ctx)
    seconds = time.perf_counter() - started
    if trust_archive:
        activity.record(ctx, "restore", path.name, trusted_archive=True)
    return RestoreResult(
        path=path,
        tables=tuple(TableRows(t.name, t.rows) for t in manifest.tables),
        bytes=path.stat().st_size,
        seconds=seconds,
        revision=manifest.revision,
        source_engine=manifest.engine,
        created_at=manifest.created_at,
        verify=report,
        checklist_note=note,
        photos=len(manifest.media),
    )


def _verified(ctx: AppContext, conn: Connection, path: Path, trust_archive: bool) -> VerifyReport:
    """Check the restored trail before it is committed; refuse the restore if it fails."""
    sealed_elsewhere = ledger.sealed_here(conn) is False
    if sealed_elsewhere and not trust_archive:
        raise BackupError(
            f"{path} was sealed under another installation's trail key, so its seals cannot "
            "be checked here: restore it with that key (AUDIT_TRAIL_KEY), or pass "
            "--trust-archive to accept it as it is (its records are then sealed under this "
            "installation's key, and the activity log records that)"
        )
    if trust_archive and not sealed_elsewhere:
        raise BackupError(
            f"{path} was sealed by this installation (its trail key checks its first seal), "
            "so it needs no trust: restore it without --trust-archive, and any change made "
            "to it since is named"
        )
    if trust_archive:
        ledger.reseal_everything(conn)
    report = verify_in(ctx, conn, checkpoint=False)
    if not report.ok:
        shown = "; ".join(report.problems[:5])
        more = f" (and {len(report.problems) - 5:,} more)" if len(report.problems) > 5 else ""
        raise BackupError(f"{path} does not verify, so nothing was restored: {shown}{more}")
    ledger.store_key_check(conn)  # the archive's own copy of the fingerprint proves nothing
    return report


def _step(progress: Progress | None, step: str) -> archive.Progress | None:
    if progress is None:
        return None
    return lambda table, done, total: progress(step, table, done, total)


def _check_empty(ctx: AppContext, conn: Connection) -> None:
    filled = archive.first_filled_table(conn)
    if filled is not None:
        raise BackupError(
            f"the database {ctx.database_label} is not empty (table {filled} has rows); "
            "restore into a new, empty database"
        )


def _refresh_checklists(ctx: AppContext) -> str | None:
    """Store this installation's checklist files beside the restored versions (as opening
    the app does) and point the context at the restored ids."""
    ctx.checklist_version_ids.clear()  # the ids of before the restore mean nothing now
    try:
        with database.transaction(ctx.engine) as conn:
            ids = repository.store_checklists(conn, ctx.catalogue)
    except AuditAppError as error:
        return f"the checklist files here disagree with the restored database: {error}"
    ctx.checklist_version_ids.update(ids)
    return None
