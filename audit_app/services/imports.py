"""Importing audit files: check everything, then write each file whole or not at all, and
account for every row read.

Every row read from a file ends in exactly one of: imported (its audit), already present
(the stored audit), skipped (its row, reason and text) or rejected (the file was refused;
each problem names its cell and carries a code). The counts add up, and are shown by the
CLI, ``--json``, the Import page and the import log.

An import is identified by the file's content, the mapping profile (name and content) and
the checklist versions it was read against: the same file through the same profile is
"already imported"; through another profile or checklist it is another import. Visits are
de-duplicated by their key (branch, checklist, visit time, auditor, and the visit reference
where there is one) whatever the import.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import astuple, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from audit_app.domain.answers import encode_value
from audit_app.domain.audit import AuditRecord
from audit_app.domain.intake.branches import BranchDirectory
from audit_app.domain.intake.check import CheckedVisit, IntakeReport, check
from audit_app.domain.intake.model import (
    ImportIssue,
    IssueCode,
    RawVisit,
    ReadResult,
    SkippedRow,
    UnreadableFile,
    count_by_reason,
)
from audit_app.domain.scoring import display
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language, use_language
from audit_app.intake.layouts.ours import read_audit_file
from audit_app.intake.layouts.profile.profile import MappingProfile
from audit_app.intake.photo_zip import Bundle, is_photo_zip, read_bundle
from audit_app.intake.source.limits import Limits, RefusedFile, check_upload_size
from audit_app.intake.source.names import safe_file_name
from audit_app.services import activity, auditors
from audit_app.services.access import check_can_write, sees_area
from audit_app.services.context import AppContext
from audit_app.services.import_photos import MemberOutcome, keep_photos, with_photos
from audit_app.services.mappings_reader import profile_reader
from audit_app.services.plan_filling import fill_slots
from audit_app.storage import database, import_log, repository

Status = Literal["imported", "already_imported", "rejected", "checked"]
Reader = Callable[[str, bytes, Callable[[Any], bool]], ReadResult]
"""(file name, content, whether a cell names a known branch) -> what the file holds."""


@dataclass(frozen=True)
class ImportedAudit:
    branch_code: str
    checklist_id: str
    checklist_version: int
    visited_at: datetime
    auditor: str
    overall: float | None
    grade: str | None
    passed: bool | None
    critical_failure: bool
    audit_id: int | None = None
    """The new audit's id; for a visit already stored, the stored one's; None in a dry run."""
    already_present: bool = False
    differs: bool = False
    """Already present, but the file's answers are not the stored ones (nothing changed)."""
    rows: tuple[int, ...] = ()
    """The file's rows the visit was read from."""
    sheet: str = ""
    reference: str | None = None
    """The visit's outside reference (a review number), where the file has one."""
    photos: int = 0
    """Photos its answers carry (the offline zip's)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "audit_id": self.audit_id,
            "differs_from_stored": self.differs,
            "branch_code": self.branch_code,
            "checklist_id": self.checklist_id,
            "checklist_version": self.checklist_version,
            "visited_at": self.visited_at.isoformat(),
            "auditor": self.auditor,
            "visit_reference": self.reference,
            "overall": display(self.overall),
            "grade": self.grade,
            "passed": self.passed,
            "critical_failure": self.critical_failure,
            "already_present": self.already_present,
            "sheet": self.sheet or None,
            "rows": list(self.rows),
            "photos": self.photos,
        }


@dataclass(frozen=True)
class RowCounts:
    """Where every row read went: ``read == imported + already_present + skipped +
    rejected``."""

    read: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: int = 0
    rejected: int = 0

    def __add__(self, other: RowCounts) -> RowCounts:
        return RowCounts(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def adds_up(self) -> bool:
        return self.read == self.imported + self.already_present + self.skipped + self.rejected

    def to_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "imported": self.imported,
            "already_present": self.already_present,
            "skipped": self.skipped,
            "rejected": self.rejected,
        }


@dataclass(frozen=True)
class FileImport:
    """The outcome for one file."""

    file: str
    status: Status
    content_hash: str
    audits: tuple[ImportedAudit, ...] = ()
    problems: tuple[ImportIssue, ...] = ()
    skipped: tuple[SkippedRow, ...] = ()
    rows: RowCounts = RowCounts()
    notes: tuple[ImportIssue, ...] = ()
    """Imported, with a word: answers kept but not scored because skip logic leaves their
    question out (``answer_not_applicable``)."""
    dry_run: bool = False
    import_key: str = ""
    """The import's identity: the file's content, the profile and the checklist versions."""
    mapping: str | None = None
    previous_import: dict[str, Any] | None = None
    """For a file already imported: when, by whom, and as which audits."""
    members: tuple[MemberOutcome, ...] = ()
    """For a zip (a template and its photos): what became of each file in it."""

    @property
    def added(self) -> int:
        """Audits this import wrote (or, in a dry run, would write)."""
        return sum(not a.already_present for a in self.audits)

    @property
    def already_present(self) -> int:
        return sum(a.already_present for a in self.audits)

    @property
    def codes(self) -> set[IssueCode]:
        return {problem.code for problem in self.problems}

    def skipped_by_reason(self) -> dict[str, int]:
        return count_by_reason(self.skipped)

    def audit_ids(self) -> list[int]:
        """The audits this import wrote; for one already imported, those written then."""
        if self.status == "already_imported" and self.previous_import:
            return list(self.previous_import.get("audit_ids") or [])
        if self.status != "imported":
            return []
        return [a.audit_id for a in self.audits if a.audit_id is not None and not a.already_present]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``audit-app import --json`` (docs/importing.md)."""
        return {
            "file": self.file,
            "status": self.status,
            "dry_run": self.dry_run,
            "rows": self.rows.to_dict(),
            "skipped": [row.to_dict() for row in self.skipped],
            "problems": [problem.to_dict() for problem in self.problems],
            "notes": [note.to_dict() for note in self.notes],
            "audits": self.audit_ids(),
            "content_hash": self.content_hash,
            "import_key": self.import_key,
            "mapping": self.mapping,
            "visits": [a.to_dict() for a in self.audits],
            "previous_import": self.previous_import,
            "zip_members": [member.to_dict() for member in self.members],
        }


def import_files(
    ctx: AppContext,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    mapping_name: str | None = None,
    imported_by: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    constants: Mapping[str, str] | None = None,
    template_language: bool = False,
) -> list[FileImport]:
    """Import each file on its own: one file's rejection does not stop the others.
    ``constants`` (``--set auditor="Agency X"``) replace the profile's defaults for this
    import, and so are part of its identity. Files from disk are the command line's: their
    problems are in the current language (English there) unless ``template_language``
    asks for a template's own (as an upload through the app gets, ``import_bytes``)."""
    source = ImportSource.of(ctx, mapping_name, constants)  # the profile is read once
    results = []
    for number, path in enumerate(paths, start=1):
        if progress:
            progress(number, len(paths), str(path))
        results.append(
            import_file(
                ctx,
                Path(path),
                dry_run=dry_run,
                imported_by=imported_by,
                source=source,
                template_language=template_language,
            )
        )
    return results


def import_file(
    ctx: AppContext,
    path: Path,
    *,
    dry_run: bool = False,
    mapping_name: str | None = None,
    imported_by: str | None = None,
    source: ImportSource | None = None,
    template_language: bool = True,
) -> FileImport:
    name = safe_file_name(str(path))
    limits = Limits.from_settings(ctx.settings)
    try:
        check_upload_size(path.stat().st_size, limits)
        data = path.read_bytes()
    except RefusedFile as error:
        return _rejected(name, "", IssueCode.FILE_TOO_LARGE, str(error))
    except OSError as error:
        return _rejected(
            name,
            "",
            IssueCode.FILE_UNREADABLE,
            _("cannot be read ({reason})").format(reason=error.strerror or error),
        )
    return import_bytes(
        ctx,
        str(path),
        data,
        dry_run=dry_run,
        mapping_name=mapping_name,
        imported_by=imported_by,
        source=source,
        template_language=template_language,
    )


@dataclass(frozen=True)
class ImportSource:
    """How files of one import call are read: our own layouts, or one mapping profile."""

    read: Reader
    profile: MappingProfile | None = None

    @classmethod
    def of(
        cls,
        ctx: AppContext,
        mapping_name: str | None,
        constants: Mapping[str, str] | None = None,
    ) -> ImportSource:
        """Files read under the settings' caps, by our layouts or the named profile (with
        ``constants`` as its defaults)."""
        limits = Limits.from_settings(ctx.settings)
        if not mapping_name:
            if constants:
                raise AuditAppError(
                    _("--set gives values to a mapping profile: add --mapping NAME")
                )
            return cls(lambda name, data, _known: read_audit_file(name, data, limits=limits))
        read, profile = profile_reader(ctx, mapping_name, limits, constants)
        return cls(read, profile)

    @property
    def mapping(self) -> str | None:
        return self.profile.name if self.profile else None


def import_bytes(
    ctx: AppContext,
    name: str,
    data: bytes,
    *,
    dry_run: bool = False,
    mapping_name: str | None = None,
    imported_by: str | None = None,
    source: ImportSource | None = None,
    constants: Mapping[str, str] | None = None,
    template_language: bool = True,
) -> FileImport:
    """Import one file's content (the app hands over uploaded bytes). ``mapping_name`` reads
    it through that saved profile; the importer recorded is the acting user by default.

    The name is a label from outside: only its final component, made printable and short,
    is stored and shown. The source reads under the settings' caps (``intake.source``):
    above the upload cap a file is refused before anything parses it.

    A workbook made from our template is checked in the template's language (its problems
    quote its questions and its dropdown words) unless ``template_language`` is False;
    any other file in the current language."""
    check_can_write(ctx, "import audits")
    name = safe_file_name(name)
    content_hash = hashlib.sha256(data).hexdigest()
    source = source or ImportSource.of(ctx, mapping_name, constants)
    if imported_by is None and ctx.user is not None:
        imported_by = ctx.user.username
    with database.snapshot(ctx.engine) as conn:
        directory = BranchDirectory(repository.branch_keys(conn))
        people = auditors.directory(conn)
    bundle: Bundle | None = None
    try:
        if is_photo_zip(name):  # the offline route: the template and its photos
            bundle = read_bundle(data, Limits.from_settings(ctx.settings))
            read = source.read(bundle.workbook.name, bundle.workbook.data, directory.names_branch)
        else:
            read = source.read(name, data, directory.names_branch)
    except UnreadableFile as error:
        return _rejected(name, content_hash, error.code, str(error), mapping=source.mapping)
    outside = {b.code for b in directory.branches if not sees_area(ctx, b.area)}  # type: ignore[attr-defined]
    language = problems_language(read, source) if template_language else current_language()
    with use_language(language):
        checked = check(
            read,
            checklist_of=ctx.catalogue.get,
            branches=directory,
            outside=outside,
            bounds=ctx.settings.bounds,
            auditors=people,
        )
        photos = with_photos(ctx, read, checked, bundle)
    checked = photos.checked
    # A zip's content hash covers its photos: the same template with other photos is
    # another import.
    key = import_key(content_hash, source.profile, checked.checklists or _read_checklist(read))
    outcome = _Outcome(
        name, content_hash, key, read, checked, source.mapping, dry_run, photos.members
    )
    with database.snapshot(ctx.engine) as conn:
        previous = import_log.find(conn, key, content_hash, source.mapping)
        if previous is None and checked.ok:
            present = _present(conn, checked.visits, repository.branch_ids(conn))
        else:
            present = {}
    if previous is not None:
        return outcome.already_imported(previous)
    if not checked.ok:
        return outcome.rejected()
    if dry_run:
        return outcome.done("checked", present, {})
    keep_photos(ctx, photos.photos)  # the files before any answer names them
    try:
        present, new_ids = _write(ctx, checked, outcome, imported_by)
    except IntegrityError:  # another copy of the app stored this file or its visits meanwhile
        with database.snapshot(ctx.engine) as conn:
            previous = import_log.find(conn, key, content_hash, source.mapping)
        if previous is not None:
            return outcome.already_imported(previous)
        # Once more: the visits that copy stored now count as already present.
        try:
            present, new_ids = _write(ctx, checked, outcome, imported_by)
        except IntegrityError:
            return _rejected(
                name,
                content_hash,
                IssueCode.WRITE_CONFLICT,
                _(
                    "another copy of the app stored some of these visits at the same moment; "
                    "nothing of this file was written: import it again"
                ),
                mapping=source.mapping,
            )
    done = outcome.done("imported", present, new_ids)
    activity.record(
        ctx,
        "import",
        name,  # already reduced to a safe final component
        actor=imported_by or None,
        audits_added=done.added,
        already_present=done.already_present,
        mapping=source.mapping,
        sha256=content_hash,
        **{f"rows_{part}": count for part, count in done.rows.to_dict().items()},
    )
    return done


def problems_language(read: ReadResult, source: ImportSource) -> str:
    """The language a file's problems are said in: a workbook made from our template
    speaks its template's language (its questions and dropdown words are in it); any
    other file, the session's (English on the command line)."""
    if source.profile is None and read.language:
        return read.language
    return current_language()


def import_key(content_hash: str, profile: MappingProfile | None, checklists: Sequence[str]) -> str:
    """The identity of an import: the file's content, the profile's name and content, and
    the checklist versions read against (``id@version``, sorted)."""
    parts = [
        content_hash,
        profile.name if profile else "",
        profile.content_hash if profile else "",
        ",".join(sorted(set(checklists))),
    ]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _read_checklist(read: ReadResult) -> list[str]:
    if not read.checklist_id:
        return []
    return [f"{read.checklist_id}@{read.checklist_version or ''}"]


def _rejected(
    name: str, content_hash: str, code: IssueCode, message: str, mapping: str | None = None
) -> FileImport:
    return FileImport(
        name, "rejected", content_hash, problems=(ImportIssue(code, message),), mapping=mapping
    )


def visit_rows(visit: RawVisit) -> tuple[int, ...]:
    return visit.rows or ((visit.row,) if visit.row is not None else (0,))


@dataclass(frozen=True)
class _Outcome:
    """One file read and checked, turned into its result with every row accounted for."""

    name: str
    content_hash: str
    key: str
    read: ReadResult
    checked: IntakeReport
    mapping: str | None
    dry_run: bool
    members: tuple[MemberOutcome, ...] = ()

    def _result(self, status: Status, **values: Any) -> FileImport:
        values.setdefault("members", self.members)
        return FileImport(
            self.name,
            status,
            self.content_hash,
            skipped=self.read.skipped,
            dry_run=self.dry_run,
            import_key=self.key,
            mapping=self.mapping,
            **values,
        )

    def rejected(self) -> FileImport:
        read = self.read.counted_rows
        skipped = len(self.read.skipped)
        rows = RowCounts(read, skipped=skipped, rejected=read - skipped)
        return self._result("rejected", problems=tuple(self.checked.issues), rows=rows)

    def already_imported(self, previous: dict[str, Any]) -> FileImport:
        read = self.read.counted_rows
        skipped = len(self.read.skipped)
        rows = RowCounts(read, already_present=read - skipped, skipped=skipped)
        return self._result("already_imported", rows=rows, previous_import=previous)

    def counts(self, present: dict[int, tuple[int, bool]]) -> RowCounts:
        """Where the rows go when the visits numbered in ``present`` are already stored."""
        already = sum(
            len(visit_rows(v.visit)) for n, v in enumerate(self.checked.visits) if n in present
        )
        imported = sum(len(visit_rows(v.visit)) for v in self.checked.visits) - already
        return RowCounts(self.read.counted_rows, imported, already, len(self.read.skipped), 0)

    def done(
        self, status: Status, present: dict[int, tuple[int, bool]], new_ids: dict[int, int]
    ) -> FileImport:
        audits = tuple(
            _summary(found, *present[n], True)
            if n in present
            else _summary(found, new_ids.get(n), False, False)
            for n, found in enumerate(self.checked.visits)
        )
        return self._result(
            status,
            audits=audits,
            rows=self.counts(present),
            notes=tuple(self.checked.notes),
            members=self._members(present),
        )

    def _members(self, present: dict[int, tuple[int, bool]]) -> tuple[MemberOutcome, ...]:
        """The zip's photos of a visit already stored say that they were not added."""
        stored = {
            (found.visit.branch.sheet or None, found.visit.row)
            for n, found in enumerate(self.checked.visits)
            if n in present
        }
        if not stored:
            return self.members
        said = _("the visit is already stored: its photos are not changed")
        return tuple(
            replace(member, reason=said)
            if member.role == "photo" and (member.sheet, member.row) in stored
            else member
            for member in self.members
        )


# --------------------------------------------------------------------------- writing


def _summary(
    found: CheckedVisit, audit_id: int | None, differs: bool, present: bool
) -> ImportedAudit:
    card, visit = found.card, found.record.visit
    return ImportedAudit(
        visit.branch_code,
        visit.checklist_id,
        visit.checklist_version,
        visit.visited_at,
        visit.auditor,
        card.overall,
        card.grade,
        card.passed,
        card.critical_failure,
        audit_id,
        present,
        differs,
        visit_rows(found.visit),
        found.visit.branch.sheet,
        visit.reference,
        sum(len(answer.photos) for answer in found.record.answers),
    )


def _fingerprint(record: AuditRecord) -> frozenset[tuple[str, str | None, bool, str | None]]:
    return frozenset((a.item_id, encode_value(a), a.na, a.comment) for a in record.answers)


def _present(
    conn: Connection, records: list[CheckedVisit], ids: dict[str, int]
) -> dict[int, tuple[int, bool]]:
    """For each record whose visit is stored: (stored audit id, whether the answers differ).

    A visit with a reference is also the one stored without any (imported before the profile
    named the reference column) when the file holds no other visit of that branch, time and
    auditor: the reference alone must not import the same visit twice."""
    stored = repository.existing_visit_ids(conn, {ids[r.record.visit.branch_code] for r in records})
    keys = [_visit_key(r.record, ids) for r in records]
    per_visit = Counter(key[:4] for key in keys)
    found: dict[int, int] = {}
    for n, key in enumerate(keys):
        if key in stored:
            found[n] = stored[key]
        elif key[4] is not None and per_visit[key[:4]] == 1 and (*key[:4], None) in stored:
            found[n] = stored[(*key[:4], None)]
    prints = repository.answer_fingerprints(conn, sorted(set(found.values())))
    return {
        n: (audit_id, prints[audit_id] != _fingerprint(records[n].record))
        for n, audit_id in found.items()
    }


def _visit_key(record: AuditRecord, branch_ids: dict[str, int]) -> repository.VisitKey:
    return repository.visit_key(branch_ids[record.visit.branch_code], record.visit)


def _write(
    ctx: AppContext, checked: IntakeReport, outcome: _Outcome, imported_by: str | None
) -> tuple[dict[int, tuple[int, bool]], dict[int, int]]:
    """One transaction: the file's log row, then every new visit with answers and scores.
    Returns the visits found already stored and the new audits' ids, by record number."""
    name = outcome.name
    with database.transaction(ctx.engine) as conn:
        ids = repository.branch_ids(conn)
        present = _present(conn, checked.visits, ids)
        fresh_numbers = [n for n in range(len(checked.visits)) if n not in present]
        fresh = [
            (
                AuditRecord(
                    record.visit,
                    record.answers,
                    record.status,
                    f"import:{Path(name).name}"[:500],
                    outcome.key,
                    imported_by,
                ),
                card,
            )
            for n, (record, card) in enumerate((v.record, v.card) for v in checked.visits)
            if n not in present
        ]
        first = checked.visits[0].record.visit
        counts = outcome.counts(present)
        import_log.record(
            conn,
            import_key=outcome.key,
            content_hash=outcome.content_hash,
            file_name=Path(name).name,
            imported_by=imported_by,
            checklist_id=first.checklist_id,
            checklist_version=first.checklist_version,
            mapping=outcome.mapping,
            audits_added=len(fresh),
            visits_already_present=len(present),
            rows_read=counts.read,
            rows_imported=counts.imported,
            rows_already_present=counts.already_present,
            rows_skipped=counts.skipped,
        )
        new_ids = repository.add_audits(
            conn, fresh, branch_id_of=ids, checklist_version_id_of=ctx.checklist_version_ids
        )
        auditors.link_audits(conn, new_ids, [record.visit.auditor for record, _card in fresh])
        fill_slots(conn, new_ids)  # imported visits fill the open slots of published plans
    return present, dict(zip(fresh_numbers, new_ids, strict=True))


def layout_not_recognised(result: FileImport) -> bool:
    """Whether a file was refused only because it is not one of our layouts (any other
    problem means it was read): the app then offers to draft a mapping profile for it."""
    return result.status == "rejected" and result.codes == {IssueCode.LAYOUT_UNKNOWN}
