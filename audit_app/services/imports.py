"""Importing audit files: check everything, then write each file whole or not at all, and
account for every row read.

Every row read from a file ends in exactly one of: imported (its audit), already present
(the stored audit), skipped (its row, reason and text) or rejected (the file was refused;
each problem names its cell and carries a code). The counts add up, and are shown by the
CLI, ``--json``, the Import page and the import log.

An import is identified by the file's content, the mapping profile (name and content) and
the checklist versions it was read against: the same file through the same profile is
"already imported"; through another profile or checklist it is another import. Visits are
de-duplicated by their key (branch, checklist, visit time, auditor) whatever the import.
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
from audit_app.domain.branch_directory import BranchDirectory, label_text
from audit_app.domain.checklist import Checklist, Item, PercentageItem
from audit_app.domain.scoring import ScoreCard, display, score_checked
from audit_app.errors import AuditAppError
from audit_app.excel.dates import parse_date, parse_time
from audit_app.excel.limits import Limits, RefusedFile, bounded, check_upload_size
from audit_app.excel.mapping.profile import DEFAULT_CLOSED_MARKERS, MappingProfile
from audit_app.excel.mapping.skipping import is_marker
from audit_app.excel.model import (
    Cell,
    ImportIssue,
    IssueCode,
    RawVisit,
    ReadResult,
    SkippedRow,
    UnreadableFile,
)
from audit_app.excel.names import safe_file_name
from audit_app.excel.reader import read_audit_file
from audit_app.excel.vocabulary import fold
from audit_app.services import activity
from audit_app.services.access import check_can_write, sees_area
from audit_app.services.context import AppContext
from audit_app.services.mappings_reader import profile_reader
from audit_app.storage import database, import_log, repository

CLOSED_MARKERS = tuple(fold(marker) for marker in DEFAULT_CLOSED_MARKERS)
Status = Literal["imported", "already_imported", "rejected", "checked"]
Normaliser = Callable[[Item, Any], tuple[Any, str | None]]
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
            "sheet": self.sheet or None,
            "rows": list(self.rows),
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
    dry_run: bool = False
    import_key: str = ""
    """The import's identity: the file's content, the profile and the checklist versions."""
    mapping: str | None = None
    previous_import: dict[str, Any] | None = None
    """For a file already imported: when, by whom, and as which audits."""

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
        counts: dict[str, int] = {}
        for row in self.skipped:
            counts[row.reason.value] = counts.get(row.reason.value, 0) + 1
        return counts

    def audit_ids(self) -> list[int]:
        if self.status == "already_imported" and self.previous_import:
            return list(self.previous_import.get("audit_ids") or [])
        return [a.audit_id for a in self.audits if a.audit_id is not None]

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``audit-app import --json`` (docs/importing.md)."""
        return {
            "file": self.file,
            "status": self.status,
            "dry_run": self.dry_run,
            "rows": self.rows.to_dict(),
            "skipped": [row.to_dict() for row in self.skipped],
            "problems": [problem.to_dict() for problem in self.problems],
            "audits": self.audit_ids(),
            "content_hash": self.content_hash,
            "import_key": self.import_key,
            "mapping": self.mapping,
            "visits": [a.to_dict() for a in self.audits],
            "previous_import": self.previous_import,
        }


def import_files(
    ctx: AppContext,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    mapping_name: str | None = None,
    imported_by: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> list[FileImport]:
    """Import each file on its own: one file's rejection does not stop the others."""
    source = ImportSource.of(ctx, mapping_name)  # the profile is read once
    results = []
    for number, path in enumerate(paths, start=1):
        if progress:
            progress(number, len(paths), str(path))
        results.append(
            import_file(ctx, Path(path), dry_run=dry_run, imported_by=imported_by, source=source)
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
            name, "", IssueCode.FILE_UNREADABLE, f"cannot be read ({error.strerror or error})"
        )
    return import_bytes(
        ctx,
        str(path),
        data,
        dry_run=dry_run,
        mapping_name=mapping_name,
        imported_by=imported_by,
        source=source,
    )


@dataclass(frozen=True)
class ImportSource:
    """How files of one import call are read: our own layouts, or one mapping profile."""

    read: Reader
    profile: MappingProfile | None = None

    @classmethod
    def of(cls, ctx: AppContext, mapping_name: str | None) -> ImportSource:
        if not mapping_name:
            return cls(lambda name, data, names_branch: read_audit_file(name, data))
        read, profile = profile_reader(ctx, mapping_name)
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
) -> FileImport:
    """Import one file's content (the app hands over uploaded bytes). ``mapping_name`` reads
    it through that saved profile; the importer recorded is the acting user by default.

    The name is a label from outside: only its final component, made printable and short,
    is stored and shown. The file is refused above the upload cap before anything reads
    it, and the reader runs under the settings' caps (``excel.limits``)."""
    check_can_write(ctx, "import audits")
    name = safe_file_name(name)
    limits = Limits.from_settings(ctx.settings)
    content_hash = hashlib.sha256(data).hexdigest()
    try:
        check_upload_size(len(data), limits)
    except RefusedFile as error:
        return _rejected(name, content_hash, IssueCode.FILE_TOO_LARGE, str(error))
    source = source or ImportSource.of(ctx, mapping_name)
    if imported_by is None and ctx.user is not None:
        imported_by = ctx.user.username
    with database.snapshot(ctx.engine) as conn:
        directory = BranchDirectory(repository.branch_keys(conn))
    try:
        read = bounded(
            lambda label, content: source.read(label, content, directory.names_branch), limits
        )(name, data)
    except UnreadableFile as error:
        return _rejected(name, content_hash, error.code, str(error), mapping=source.mapping)
    checked = _check(ctx, read, directory)
    key = import_key(content_hash, source.profile, checked.checklists or _read_checklist(read))
    outcome = _Outcome(name, content_hash, key, read, checked, source.mapping, dry_run)
    with database.snapshot(ctx.engine) as conn:
        previous = import_log.find(conn, key, content_hash, source.mapping)
        if previous is None and not checked.issues:
            present = _present(conn, checked.records, repository.branch_ids(conn))
        else:
            present = {}
    if previous is not None:
        return outcome.already_imported(previous)
    if checked.issues:
        return outcome.rejected()
    if dry_run:
        return outcome.done("checked", present, {})
    try:
        present, new_ids = _write(ctx, checked, outcome, imported_by)
    except IntegrityError:  # another copy of the app stored this file or its visits meanwhile
        with database.snapshot(ctx.engine) as conn:
            previous = import_log.find(conn, key, content_hash, source.mapping)
        if previous is not None:
            return outcome.already_imported(previous)
        # Once more: the visits that copy stored now count as already present.
        present, new_ids = _write(ctx, checked, outcome, imported_by)
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
        rows=done.rows.to_dict(),
    )
    return done


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
    checked: _Checked
    mapping: str | None
    dry_run: bool

    def _result(self, status: Status, **values: Any) -> FileImport:
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

    def done(
        self, status: Status, present: dict[int, tuple[int, bool]], new_ids: dict[int, int]
    ) -> FileImport:
        audits = []
        imported = already = 0
        for n, (record, card, visit) in enumerate(self.checked.records):
            rows = visit_rows(visit)
            if n in present:
                already += len(rows)
                audit = _summary(record, card, present[n][0], True, present[n][1])
            else:
                imported += len(rows)
                audit = _summary(record, card, new_ids.get(n), False)
            sheet = visit.branch.sheet
            audits.append(ImportedAudit(**{**audit.__dict__, "rows": rows, "sheet": sheet}))
        counts = RowCounts(self.read.counted_rows, imported, already, len(self.read.skipped), 0)
        return self._result(status, audits=tuple(audits), rows=counts)


# --------------------------------------------------------------------------- checking


@dataclass
class _Checked:
    records: list[tuple[AuditRecord, ScoreCard, RawVisit]] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    checklists: list[str] = field(default_factory=list)
    """The checklist versions the visits were checked against, ``id@version``."""


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


def _check(
    ctx: AppContext,
    read: ReadResult,
    directory: BranchDirectory,
    normalise: Normaliser | None = None,
) -> _Checked:
    """Every visit against its checklist version and the known branches; nothing written."""
    checked = _Checked(issues=list(read.issues))
    languages = {b.code: b.language for b in directory.branches}  # type: ignore[attr-defined]
    outside = {b.code for b in directory.branches if not sees_area(ctx, b.area)}  # type: ignore[attr-defined]
    readers: dict[tuple[str, int], _AnswerReader] = {}
    normalise = normalise or _vocabulary_normaliser(read)
    seen: dict[tuple[str, str, datetime, str], RawVisit] = {}
    date_formats = getattr(read.vocabulary, "date_formats", None)
    if not read.visits and not checked.issues:
        checked.issues.append(ImportIssue(IssueCode.NO_VISITS, "the file holds no visits"))
    for visit in read.visits:
        checklist = _checklist_of(ctx, read, visit, checked.issues)
        if checklist is None:
            continue
        key_checklist = (checklist.id, checklist.version)
        if key_checklist not in readers:
            readers[key_checklist] = _AnswerReader(checklist, read, normalise)
            checked.checklists.append(f"{checklist.id}@{checklist.version}")
        before = len(checked.issues)
        branch_code = _branch_code(visit, directory, checked.issues)
        if branch_code in outside:
            checked.issues.append(
                ImportIssue.at(
                    IssueCode.BRANCH_OUTSIDE_AREAS,
                    visit.branch,
                    f"'{_text(visit.branch)}' is not a branch of your areas",
                )
            )
            branch_code = None
        visited_at = _visit_time(visit, checked.issues, date_formats)
        auditor = _text(visit.auditor)
        if not auditor:
            checked.issues.append(
                ImportIssue.at(
                    IssueCode.AUDITOR_MISSING, visit.auditor, "the auditor's name is missing"
                )
            )
        channel = _enum(
            visit.channel, Channel, checklist.channel, IssueCode.CHANNEL_INVALID, checked.issues
        )
        kind = _enum(
            visit.kind, AuditKind, read.default_kind, IssueCode.KIND_INVALID, checked.issues
        )
        answers = _answers(checklist, visit, readers[key_checklist], checked.issues)
        if len(checked.issues) > before or branch_code is None or visited_at is None:
            continue
        key = (branch_code, checklist.id, visited_at, auditor)
        if key in seen:
            checked.issues.append(
                ImportIssue(
                    IssueCode.VISIT_TWICE,
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
                AuditKind(kind or read.default_kind),
                Channel(channel) if channel else None,
                read.language if read.language in checklist.languages else languages[branch_code],
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
                ImportIssue.at(
                    IssueCode.CHECKLIST_VERSION_INVALID,
                    visit.checklist_version,
                    "the checklist version is not a number",
                )
            )
            return None
    where = visit.checklist_id or visit.branch
    if not checklist_id:
        issues.append(
            ImportIssue.at(IssueCode.CHECKLIST_MISSING, where, "the checklist is missing")
        )
        return None
    try:
        checklist = ctx.catalogue.get(checklist_id, version)
    except AuditAppError as error:
        issues.append(ImportIssue.at(IssueCode.CHECKLIST_UNKNOWN, where, str(error)))
        return None
    if read.content_hash and read.content_hash != checklist.content_hash:
        issues.append(
            ImportIssue(
                IssueCode.CHECKLIST_EDITION_CHANGED,
                f"this workbook was made from a different edition of checklist "
                f"{checklist.id} version {checklist.version} than the one installed here; "
                "make a new template with `audit-app template`",
            )
        )
        return None
    return checklist


def _branch_code(
    visit: RawVisit, directory: BranchDirectory, issues: list[ImportIssue]
) -> str | None:
    raw = _text(visit.branch)
    if not raw:
        issues.append(
            ImportIssue.at(IssueCode.BRANCH_MISSING, visit.branch, "the branch is missing")
        )
        return None
    found = directory.find(raw, by_name=visit.branch_by_name)
    if found is None:
        what = "branch name" if visit.branch_by_name else "branch code"
        issues.append(
            ImportIssue.at(IssueCode.BRANCH_UNKNOWN, visit.branch, f"'{raw}' is not a known {what}")
        )
        return None
    return found.code


def _visit_time(
    visit: RawVisit, issues: list[ImportIssue], formats: tuple[str, ...] | None = None
) -> datetime | None:
    if visit.visit_date.value is None:
        issues.append(
            ImportIssue.at(IssueCode.DATE_MISSING, visit.visit_date, "the visit date is missing")
        )
        return None
    day = parse_date(visit.visit_date.value, *(() if formats is None else (formats,)))
    if day is None:
        issues.append(
            ImportIssue.at(
                IssueCode.DATE_INVALID,
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
                    IssueCode.TIME_INVALID,
                    visit.visit_time,
                    f"'{visit.visit_time.value}' is not a time (write e.g. 14:30)",
                )
            )
            return None
        if day.time() == time(0):
            day = datetime.combine(day.date(), moment)
    return day


def _enum(
    cell: Cell | None,
    kind: type[Channel] | type[AuditKind],
    default: str | None,
    code: IssueCode,
    issues: list[ImportIssue],
) -> str | None:
    label = "channel" if code is IssueCode.CHANNEL_INVALID else "audit kind"
    text = _text(cell)
    if not text:
        return default
    value = text.strip().lower().replace(" ", "_").replace("-", "_")
    allowed = [member.value for member in kind]
    if value not in allowed:
        assert cell is not None
        issues.append(
            ImportIssue.at(code, cell, f"'{text}' is not a {label} (allowed: {', '.join(allowed)})")
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
                    IssueCode.ITEM_UNKNOWN,
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
            message = error.problem.message + _closed_hint(raw.value)
            issues.append(
                ImportIssue.at(IssueCode.ANSWER_INVALID, raw.value, _at(raw.value, message))
            )
            continue
        if not answer.answered:
            if item.is_required:
                issues.append(
                    ImportIssue.at(
                        IssueCode.ANSWER_MISSING,
                        raw.value,
                        _at(raw.value, f"required answer missing for '{question(item)}'"),
                    )
                )
            if answer.comment is None:
                continue
        answers.append(answer)
    for item in checklist.items:
        if item.is_required and item.id not in given:
            message = f"required item {item.id} '{question(item)}' has no answer column or row"
            if not any(issue.message == message for issue in issues):  # once per file
                issues.append(
                    ImportIssue(IssueCode.ITEM_NO_COLUMN, message, visit.branch.sheet or None)
                )
    return answers


def _closed_hint(cell: Cell) -> str:
    """A closed-store marker where an answer should be: the guesses never look in answer
    columns, so say how to leave such rows out."""
    value = cell.value
    if not isinstance(value, str) or not is_marker(value, CLOSED_MARKERS):
        return ""
    return (
        "; if the store was closed, leave such rows out with a rule in the mapping profile, "
        f"skip: [{{column: <this column's header>, equals: '{value.strip()}'}}]"
    )


def _at(cell: Cell, message: str) -> str:
    """In a workbook a manager reads "E17: ..." beside the sheet; a CSV place is in the row."""
    return f"{cell.ref}: {message}" if cell.sheet else message


def _text(cell: Cell | None) -> str:
    return "" if cell is None else label_text(cell.value)


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


def _visit_key(record: AuditRecord, branch_ids: dict[str, int]) -> tuple[int, str, datetime, str]:
    v = record.visit
    return (branch_ids[v.branch_code], v.checklist_id, v.visited_at, v.auditor)


def _write(
    ctx: AppContext, checked: _Checked, outcome: _Outcome, imported_by: str | None
) -> tuple[dict[int, tuple[int, bool]], dict[int, int]]:
    """One transaction: the file's log row, then every new visit with answers and scores.
    Returns the visits found already stored and the new audits' ids, by record number."""
    name = outcome.name
    with database.transaction(ctx.engine) as conn:
        ids = repository.branch_ids(conn)
        present = _present(conn, checked.records, ids)
        fresh_numbers = [n for n in range(len(checked.records)) if n not in present]
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
            for n, (record, card, _) in enumerate(checked.records)
            if n not in present
        ]
        first = checked.records[0][0].visit
        counts = outcome.done("imported", present, {}).rows
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
    return present, dict(zip(fresh_numbers, new_ids, strict=True))


def layout_not_recognised(result: FileImport) -> bool:
    """Whether a file was refused only because it is not one of our layouts (any other
    problem means it was read): the app then offers to draft a mapping profile for it."""
    return result.status == "rejected" and result.codes == {IssueCode.LAYOUT_UNKNOWN}
