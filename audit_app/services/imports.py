"""Importing audit files: check everything, then write each file whole or not at all.

A file's problems are all listed, each at its sheet, cell and row, before anything is
written. The same file sent twice is recognised by its content hash; a visit already
stored (branch, checklist, visit time, auditor) is not stored again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from audit_app.domain.answers import InvalidAnswer, encode_value, parse_answer, question
from audit_app.domain.audit import (
    Answer,
    AuditKind,
    AuditRecord,
    AuditStatus,
    Channel,
    Visit,
)
from audit_app.domain.checklist import Checklist, Item, PercentageItem
from audit_app.domain.scoring import ScoreCard, display, score_checked
from audit_app.errors import AuditAppError
from audit_app.excel.dates import parse_date, parse_time
from audit_app.excel.limits import Limits, RefusedFile, bounded, check_upload_size
from audit_app.excel.model import Cell, ImportIssue, RawVisit, ReadResult
from audit_app.excel.names import safe_file_name
from audit_app.excel.reader import UnreadableFile, read_audit_file
from audit_app.services import activity
from audit_app.services.access import check_can_write, sees_area
from audit_app.services.context import AppContext
from audit_app.services.mappings_reader import reader_for
from audit_app.storage import database, import_log, repository

Status = Literal["imported", "duplicate", "rejected"]
Normaliser = Callable[[Item, Any], tuple[Any, str | None]]
MAX_FILE_BYTES = 100 * 1024 * 1024


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

    def to_dict(self) -> dict[str, Any]:
        return {
            "audit_id": self.audit_id,
            "differs_from_stored": self.differs,
            "branch_code": self.branch_code,
            "checklist_id": self.checklist_id,
            "checklist_version": self.checklist_version,
            "visited_at": self.visited_at.isoformat(),
            "auditor": self.auditor,
            "overall": display(self.overall),
            "grade": self.grade,
            "passed": self.passed,
            "critical_failure": self.critical_failure,
            "already_present": self.already_present,
        }


@dataclass(frozen=True)
class FileImport:
    """The outcome for one file."""

    file: str
    status: Status
    content_hash: str
    audits: tuple[ImportedAudit, ...] = ()
    errors: tuple[ImportIssue, ...] = ()
    skipped: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    previous_import: dict[str, Any] | None = None
    """For a duplicate: when the file was imported, and as which audits."""

    @property
    def added(self) -> int:
        return sum(not a.already_present for a in self.audits)

    @property
    def already_present(self) -> int:
        return sum(a.already_present for a in self.audits)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "dry_run": self.dry_run,
            "content_hash": self.content_hash,
            "audits_added": self.added,
            "visits_already_present": self.already_present,
            "rows_skipped": self.skipped,
            "audits": [a.to_dict() for a in self.audits],
            "errors": [e.to_dict() for e in self.errors],
            "previous_import": self.previous_import,
        }


def import_files(
    ctx: AppContext,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    reader: Callable[[str, bytes], ReadResult] | None = None,
    mapping_name: str | None = None,
    imported_by: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[FileImport]:
    """Import each file on its own: one file's rejection does not stop the others."""
    reader = reader or _profile_reader(ctx, mapping_name)  # the profile is read once
    results = []
    for number, path in enumerate(paths, start=1):
        if progress:
            progress(number, len(paths), str(path))
        results.append(
            import_file(
                ctx,
                Path(path),
                dry_run=dry_run,
                reader=reader,
                mapping_name=mapping_name,
                imported_by=imported_by,
            )
        )
    return results


def import_file(
    ctx: AppContext,
    path: Path,
    *,
    dry_run: bool = False,
    reader: Callable[[str, bytes], ReadResult] | None = None,
    mapping_name: str | None = None,
    imported_by: str | None = None,
) -> FileImport:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _rejected(name, "", f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except OSError as error:
        return _rejected(name, "", f"cannot be read ({error.strerror or error})")
    return import_bytes(
        ctx,
        name,
        data,
        dry_run=dry_run,
        reader=reader,
        mapping_name=mapping_name,
        imported_by=imported_by,
    )


def import_bytes(
    ctx: AppContext,
    name: str,
    data: bytes,
    *,
    dry_run: bool = False,
    reader: Callable[[str, bytes], ReadResult] | None = None,
    mapping_name: str | None = None,
    imported_by: str | None = None,
) -> FileImport:
    """Import one file's content (the app hands over uploaded bytes). ``mapping_name`` reads
    it through that saved profile; the importer recorded is the acting user by default.

    The name is a label from outside: only its final component, made printable and short,
    is stored and shown. The file is refused above the upload cap before anything reads
    it, and the reader runs under the settings' caps (``excel.limits``)."""
    check_can_write(ctx, "import audits")
    name = safe_file_name(name)
    limits = Limits.from_settings(ctx.settings)
    try:
        check_upload_size(len(data), limits)
    except RefusedFile as error:
        return _rejected(name, "", str(error))
    reader = bounded(reader or _profile_reader(ctx, mapping_name) or read_audit_file, limits)
    if imported_by is None and ctx.user is not None:
        imported_by = ctx.user.username
    content_hash = hashlib.sha256(data).hexdigest()
    with database.snapshot(ctx.engine) as conn:
        previous = import_log.find(conn, content_hash)
    if previous is not None:
        return FileImport(
            name, "duplicate", content_hash, previous_import=previous, dry_run=dry_run
        )
    try:
        read = (reader or read_audit_file)(name, data)
    except UnreadableFile as error:
        return _rejected(name, content_hash, str(error))
    checked = _check(ctx, read)
    if checked.issues:
        return FileImport(
            name,
            "rejected",
            content_hash,
            errors=tuple(checked.issues),
            skipped=read.skipped,
            dry_run=dry_run,
        )
    if dry_run:
        return FileImport(
            name,
            "imported",
            content_hash,
            audits=_would_write(ctx, checked.records),
            skipped=read.skipped,
            dry_run=True,
        )
    try:
        audits = _write(ctx, checked, name, content_hash, read, mapping_name, imported_by)
    except IntegrityError:  # another copy of the app stored this file or its visits meanwhile
        with database.snapshot(ctx.engine) as conn:
            previous = import_log.find(conn, content_hash)
        if previous is not None:
            return FileImport(name, "duplicate", content_hash, previous_import=previous)
        # Once more: the visits that copy stored now count as already present.
        audits = _write(ctx, checked, name, content_hash, read, mapping_name, imported_by)
    done = FileImport(name, "imported", content_hash, audits=audits, skipped=read.skipped)
    activity.record(
        ctx,
        "import",
        name,  # already reduced to a safe final component
        actor=imported_by or None,
        audits_added=done.added,
        already_present=done.already_present,
        mapping=mapping_name,
        sha256=content_hash,
    )
    return done


def _profile_reader(
    ctx: AppContext, mapping_name: str | None
) -> Callable[[str, bytes], ReadResult] | None:
    return reader_for(ctx, mapping_name) if mapping_name else None


def _rejected(name: str, content_hash: str, message: str) -> FileImport:
    return FileImport(name, "rejected", content_hash, errors=(ImportIssue(message),))


# --------------------------------------------------------------------------- checking


@dataclass
class _Checked:
    records: list[tuple[AuditRecord, ScoreCard, RawVisit]] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)


class _AnswerReader:
    """parse_answer with a memory: a bulk file repeats the same few answers per column, and
    an Answer is an immutable value, so one object serves every cell with the same text."""

    def __init__(self, checklist: Checklist, read: ReadResult, normalise: Normaliser | None):
        self.checklist = checklist
        self.fraction = read.percent_as_fraction
        self.normalise = normalise
        self.cache: dict[tuple[str, Any], Answer | InvalidAnswer] = {}

    def answer(self, item: Item, cell: Cell, comment: Any) -> Answer:
        raw = cell.value
        key = (item.id, raw if not isinstance(raw, list | dict) else repr(raw))
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._parse(item, raw)
        if isinstance(found, InvalidAnswer):
            raise found
        if comment is None:
            return found
        text = comment.strip() if isinstance(comment, str) else str(comment)
        if not text:
            return found
        note = found.comment
        return Answer(item.id, found.value, found.na, f"{note}; {text}" if note else text)

    def _parse(self, item: Item, raw: Any) -> Answer | InvalidAnswer:
        note = None
        if self.normalise is not None:
            raw, note = self.normalise(item, raw)
        if (
            self.fraction
            and isinstance(item, PercentageItem)
            and isinstance(raw, int | float)
            and not isinstance(raw, bool)
        ):
            raw = round(raw * 100, 6)
        try:
            answer = parse_answer(item, raw)
        except InvalidAnswer as error:
            return error
        return Answer(item.id, answer.value, answer.na, note)


def _check(ctx: AppContext, read: ReadResult, normalise: Normaliser | None = None) -> _Checked:
    """Every visit against its checklist version and the known branches; nothing written."""
    checked = _Checked(issues=list(read.issues))
    with database.snapshot(ctx.engine) as conn:
        branches = repository.branch_keys(conn)
    by_code = {b.code: b for b in branches}
    by_code_folded = {b.code.casefold(): b for b in branches}
    by_name = {b.name.casefold(): b for b in branches}
    outside = {b.code for b in branches if not sees_area(ctx, b.area)}
    readers: dict[tuple[str, int], _AnswerReader] = {}
    normalise = normalise or _vocabulary_normaliser(read)
    seen: dict[tuple[str, str, datetime, str], RawVisit] = {}
    date_formats = getattr(read.vocabulary, "date_formats", None)
    if not read.visits and not checked.issues:
        checked.issues.append(ImportIssue("the file holds no visits"))
    for visit in read.visits:
        checklist = _checklist_of(ctx, read, visit, checked.issues)
        if checklist is None:
            continue
        key_checklist = (checklist.id, checklist.version)
        if key_checklist not in readers:
            readers[key_checklist] = _AnswerReader(checklist, read, normalise)
        before = len(checked.issues)
        branch_code = _branch_code(visit, by_code, by_code_folded, by_name, checked.issues)
        if branch_code in outside:
            checked.issues.append(
                ImportIssue.at(
                    visit.branch, f"'{_text(visit.branch)}' is not a branch of your areas"
                )
            )
            branch_code = None
        visited_at = _visit_time(visit, checked.issues, date_formats)
        auditor = _text(visit.auditor)
        if not auditor:
            checked.issues.append(ImportIssue.at(visit.auditor, "the auditor's name is missing"))
        channel = _enum(visit.channel, Channel, checklist.channel, "channel", checked.issues)
        kind = _enum(visit.kind, AuditKind, read.default_kind, "audit kind", checked.issues)
        answers = _answers(checklist, visit, readers[key_checklist], checked.issues)
        if len(checked.issues) > before or branch_code is None or visited_at is None:
            continue
        key = (branch_code, checklist.id, visited_at, auditor)
        if key in seen:
            checked.issues.append(
                ImportIssue(
                    f"the same visit ({branch_code}, {visited_at:%Y-%m-%d %H:%M}, {auditor}) "
                    f"appears twice in the file (also at row {seen[key].row})",
                    visit.branch.sheet or None,
                    visit.branch.ref,
                    visit.row,
                )
            )
            continue
        seen[key] = visit
        record = AuditRecord(
            Visit(
                branch_code,
                checklist.id,
                checklist.version,
                visited_at,
                auditor,
                AuditKind(kind),
                Channel(channel) if channel else None,
                read.language
                if read.language in checklist.languages
                else by_code[branch_code].language,
            ),
            tuple(answers),
            AuditStatus.SUBMITTED,
        )
        checked.records.append((record, score_checked(checklist, answers), visit))
    return checked


def _vocabulary_normaliser(read: ReadResult) -> Normaliser | None:
    """A mapping profile's answer words (Yes (100.00), N/A - reason, '91%') -> plain answers."""
    if read.vocabulary is None:
        return None
    from audit_app.excel.vocabulary import normalise

    vocabulary = read.vocabulary
    return lambda item, raw: normalise(item, raw, vocabulary)


def _checklist_of(
    ctx: AppContext, read: ReadResult, visit: RawVisit, issues: list[ImportIssue]
) -> Checklist | None:
    checklist_id = read.checklist_id or _text(visit.checklist_id)
    version = read.checklist_version
    if visit.checklist_version is not None and _text(visit.checklist_version):
        try:
            version = int(float(_text(visit.checklist_version)))
        except ValueError:
            issues.append(
                ImportIssue.at(visit.checklist_version, "the checklist version is not a number")
            )
            return None
    where = visit.checklist_id or visit.branch
    if not checklist_id:
        issues.append(ImportIssue.at(where, "the checklist is missing"))
        return None
    try:
        checklist = ctx.catalogue.get(checklist_id, version)
    except AuditAppError as error:
        issues.append(ImportIssue.at(where, str(error)))
        return None
    if read.content_hash and read.content_hash != checklist.content_hash:
        issues.append(
            ImportIssue(
                f"this workbook was made from a different edition of checklist "
                f"{checklist.id} version {checklist.version} than the one installed here; "
                "make a new template with `audit-app template`"
            )
        )
        return None
    return checklist


def _branch_code(visit, by_code, by_code_folded, by_name, issues) -> str | None:  # type: ignore[no-untyped-def]
    raw = _text(visit.branch)
    if not raw:
        issues.append(ImportIssue.at(visit.branch, "the branch is missing"))
        return None
    found = by_name.get(raw.casefold()) if visit.branch_by_name else None
    found = found or by_code.get(raw) or by_code_folded.get(raw.casefold())
    if found is None:
        what = "branch name" if visit.branch_by_name else "branch code"
        issues.append(ImportIssue.at(visit.branch, f"'{raw}' is not a known {what}"))
        return None
    return found.code


def _visit_time(
    visit: RawVisit, issues: list[ImportIssue], formats: tuple[str, ...] | None = None
) -> datetime | None:
    if visit.visit_date.value is None:
        issues.append(ImportIssue.at(visit.visit_date, "the visit date is missing"))
        return None
    day = parse_date(visit.visit_date.value, *(() if formats is None else (formats,)))
    if day is None:
        issues.append(
            ImportIssue.at(
                visit.visit_date,
                f"'{visit.visit_date.value}' is not a date (write e.g. 2026-05-23 or 23/05/2026)",
            )
        )
        return None
    if visit.visit_time is not None and visit.visit_time.value is not None:
        moment = parse_time(visit.visit_time.value)
        if moment is None:
            issues.append(
                ImportIssue.at(
                    visit.visit_time, f"'{visit.visit_time.value}' is not a time (write e.g. 14:30)"
                )
            )
            return None
        if day.time() == time(0):
            day = datetime.combine(day.date(), moment)
    return day


def _enum(cell: Cell | None, kind: type, default: str | None, label: str, issues) -> str | None:  # type: ignore[no-untyped-def]
    text = _text(cell)
    if not text:
        return default
    value = text.strip().lower().replace(" ", "_").replace("-", "_")
    allowed = [member.value for member in kind]
    if value not in allowed:
        assert cell is not None
        issues.append(
            ImportIssue.at(cell, f"'{text}' is not a {label} (allowed: {', '.join(allowed)})")
        )
        return default
    return value


def _answers(
    checklist: Checklist, visit: RawVisit, reader: _AnswerReader, issues: list[ImportIssue]
) -> list[Answer]:
    items = checklist.items_by_id
    answers: list[Answer] = []
    given: set[str] = set()
    for raw in visit.answers:
        item = items.get(raw.item_id)
        if item is None:
            issues.append(
                ImportIssue.at(
                    raw.value,
                    f"item '{raw.item_id}' is not in checklist {checklist.id} v{checklist.version}",
                )
            )
            continue
        given.add(item.id)
        comment = raw.comment.value if raw.comment is not None else None
        try:
            answer = reader.answer(item, raw.value, comment)
        except InvalidAnswer as error:
            issues.append(ImportIssue.at(raw.value, _at(raw.value, error.problem.message)))
            continue
        if not answer.answered:
            if item.is_required:
                issues.append(
                    ImportIssue.at(
                        raw.value, _at(raw.value, f"required answer missing for '{question(item)}'")
                    )
                )
            if answer.comment is None:
                continue
        answers.append(answer)
    for item in checklist.items:
        if item.is_required and item.id not in given:
            message = f"required item {item.id} '{question(item)}' has no answer column or row"
            if not any(issue.message == message for issue in issues):  # once per file
                issues.append(ImportIssue(message, visit.branch.sheet or None))
    return answers


def _at(cell: Cell, message: str) -> str:
    """In a workbook a manager reads "E17: ..." beside the sheet; a CSV place is in the row."""
    return f"{cell.ref}: {message}" if cell.sheet else message


def _text(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    value = cell.value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --------------------------------------------------------------------------- writing


def _summary(
    record: AuditRecord,
    card: ScoreCard,
    audit_id: int | None,
    present: bool,
    differs: bool = False,
) -> ImportedAudit:
    visit = record.visit
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
    )


def _fingerprint(record: AuditRecord) -> frozenset[tuple[str, str | None, bool, str | None]]:
    return frozenset((a.item_id, encode_value(a), a.na, a.comment) for a in record.answers)


def _present(
    conn: Connection, records: list[tuple[AuditRecord, ScoreCard, RawVisit]], ids: dict[str, int]
) -> dict[int, tuple[int, bool]]:
    """For each record whose visit is stored: (stored audit id, whether the answers differ)."""
    stored = repository.existing_visit_ids(conn, {ids[r.visit.branch_code] for r, _, _ in records})
    found = {
        n: stored[key]
        for n, (record, _, _) in enumerate(records)
        if (key := _visit_key(record, ids)) in stored
    }
    prints = repository.answer_fingerprints(conn, sorted(set(found.values())))
    return {
        n: (audit_id, prints[audit_id] != _fingerprint(records[n][0]))
        for n, audit_id in found.items()
    }


def _would_write(
    ctx: AppContext, records: list[tuple[AuditRecord, ScoreCard, RawVisit]]
) -> tuple[ImportedAudit, ...]:
    with database.snapshot(ctx.engine) as conn:
        present = _present(conn, records, repository.branch_ids(conn))
    return tuple(
        _summary(record, card, present[n][0], True, present[n][1])
        if n in present
        else _summary(record, card, None, False)
        for n, (record, card, _) in enumerate(records)
    )


def _visit_key(record: AuditRecord, branch_ids: dict[str, int]) -> tuple[int, str, datetime, str]:
    v = record.visit
    return (branch_ids[v.branch_code], v.checklist_id, v.visited_at, v.auditor)


def _write(
    ctx: AppContext,
    checked: _Checked,
    name: str,
    content_hash: str,
    read: ReadResult,
    mapping_name: str | None,
    imported_by: str | None,
) -> tuple[ImportedAudit, ...]:
    """One transaction: the file's log row, then every new visit with answers and scores."""
    with database.transaction(ctx.engine) as conn:
        ids = repository.branch_ids(conn)
        present = _present(conn, checked.records, ids)
        fresh = [
            (
                AuditRecord(
                    record.visit,
                    record.answers,
                    record.status,
                    f"import:{Path(name).name}"[:500],
                    content_hash,
                    imported_by,
                ),
                card,
            )
            for n, (record, card, _) in enumerate(checked.records)
            if n not in present
        ]
        first = checked.records[0][0].visit
        import_log.record(
            conn,
            content_hash=content_hash,
            file_name=Path(name).name,
            imported_by=imported_by,
            checklist_id=first.checklist_id,
            checklist_version=first.checklist_version,
            mapping=mapping_name,
            audits_added=len(fresh),
            visits_already_present=len(present),
            rows_skipped=sum(read.skipped.values()),
        )
        new_ids = iter(
            repository.add_audits(
                conn, fresh, branch_id_of=ids, checklist_version_id_of=ctx.checklist_version_ids
            )
        )
    return tuple(
        _summary(record, card, present[n][0], True, present[n][1])
        if n in present
        else _summary(record, card, next(new_ids), False)
        for n, (record, card, _) in enumerate(checked.records)
    )


UNKNOWN_LAYOUT_SIGNS = ("not an audit-app template", "not an audit CSV")


def layout_not_recognised(result: FileImport) -> bool:
    """Whether a file was refused because it is not one of our templates (any cell-level
    problem means it was read): the app then offers to draft a mapping profile for it."""
    return (
        result.status == "rejected"
        and len(result.errors) == 1
        and result.errors[0].cell is None
        and result.errors[0].message.startswith(UNKNOWN_LAYOUT_SIGNS)
    )
