"""Checking a file's raw visits, purely: each visit against its checklist version and the
known branches, every answer against its item, the same visit twice. Nothing is read from a
file or a database here; the import service hands in what it found and gets back the
audits to store, or every problem with its code and place (``IntakeReport``).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from audit_app.domain.answers import InvalidAnswer, parse_answer, question, shown
from audit_app.domain.audit import Answer, AuditKind, AuditRecord, AuditStatus, Channel, Visit
from audit_app.domain.auditors import AuditorDirectory, name_key
from audit_app.domain.bounds import (
    BoundCode,
    Bounds,
    OutOfBounds,
    answer_field,
    comment_field,
)
from audit_app.domain.checklist import Checklist, Item, PercentageItem
from audit_app.domain.intake.branches import BranchDirectory, label_text
from audit_app.domain.intake.dates import parse_date, parse_time
from audit_app.domain.intake.model import Cell, ImportIssue, IssueCode, RawVisit, ReadResult
from audit_app.domain.intake.vocabulary import is_closed_marker, normalise
from audit_app.domain.scoring import ScoreCard, score_checked
from audit_app.domain.skip_logic import not_applicable
from audit_app.errors import AuditAppError
from audit_app.i18n import _, ngettext

Normaliser = Callable[[Item, Any], tuple[Any, str | None]]
ChecklistLookup = Callable[[str, int | None], Checklist]
"""(checklist id, version or None for the current one) -> the checklist; raises
``AuditAppError`` naming the known ones for an id that is not installed."""


@dataclass(frozen=True)
class CheckedVisit:
    """A raw visit that passed every check: the audit to store, its score, where it was."""

    record: AuditRecord
    card: ScoreCard
    visit: RawVisit


@dataclass
class IntakeReport:
    """What a file's visits come to: the audits to store, or every problem (coded and
    placed), and the checklist versions they were checked against (``id@version``)."""

    visits: list[CheckedVisit] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    checklists: list[str] = field(default_factory=list)
    notes: list[ImportIssue] = field(default_factory=list)
    """What was imported but deserves a word, never a refusal: an answer given to a question
    that skip logic leaves out (kept, not scored)."""

    @property
    def ok(self) -> bool:
        return not self.issues


class AnswerReader:
    """parse_answer with a memory: a bulk file repeats the same few answers per column, and
    an Answer is an immutable value, so one object serves every cell with the same text."""

    def __init__(self, checklist: Checklist, read: ReadResult, normalise: Normaliser | None):
        self.checklist = checklist
        self.fraction = read.percent_as_fraction
        self.normalise = normalise
        self.cache: dict[tuple[str, Any], Answer | InvalidAnswer] = {}
        self.unanswerable: set[tuple[str, str]] = set()
        """(item id, checklist id) of required items no column answers, said once."""

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


def check(
    read: ReadResult,
    *,
    checklist_of: ChecklistLookup,
    branches: BranchDirectory,
    outside: Set[str] = frozenset(),
    normalise: Normaliser | None = None,
    bounds: Bounds = Bounds(),
    auditors: AuditorDirectory | None = None,
) -> IntakeReport:
    """Every visit of a file against its checklist version and the known branches: the
    audits it holds, or every problem with its code and place. ``checklist_of(id,
    version)`` finds a checklist (raising ``AuditAppError`` for an unknown one); branches
    whose codes are in ``outside`` are refused as not the importer's; auditors, comments,
    text answers and visit dates are held to ``bounds``, each refusal at its cell; an
    auditor's name close to one of ``auditors`` is a warning (a note) at its first cell."""
    enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of small answers, none in a cycle: no need to scan
    try:
        return _check(read, checklist_of, branches, outside, normalise, bounds, auditors)
    finally:
        if enabled:
            gc.enable()


def _check(
    read: ReadResult,
    checklist_of: ChecklistLookup,
    branches: BranchDirectory,
    outside: Set[str],
    normalise: Normaliser | None,
    bounds: Bounds,
    auditors: AuditorDirectory | None = None,
) -> IntakeReport:
    checked = IntakeReport(issues=list(read.issues), notes=list(read.notes))
    asked: set[str] = set()  # auditor keys already checked: one warning per name
    in_file = {answer.item_id for visit in read.visits for answer in visit.answers}
    readers: dict[tuple[str, int], AnswerReader] = {}
    normalise = normalise or _vocabulary_normaliser(read)
    seen: dict[tuple[str, str, datetime, str, str | None], RawVisit] = {}
    date_formats = getattr(read.vocabulary, "date_formats", None)
    if not read.visits and not checked.issues:
        checked.issues.append(ImportIssue(IssueCode.NO_VISITS, _("the file holds no visits")))
    for visit in read.visits:
        checklist = _checklist_of(checklist_of, read, visit, checked.issues)
        if checklist is None:
            continue
        key_checklist = (checklist.id, checklist.version)
        if key_checklist not in readers:
            readers[key_checklist] = AnswerReader(checklist, read, normalise)
            checked.checklists.append(f"{checklist.id}@{checklist.version}")
        before = len(checked.issues)
        notes: list[ImportIssue] = []
        branch_code = _branch_code(visit, branches, checked.issues)
        if branch_code in outside:
            checked.issues.append(
                ImportIssue.at(
                    IssueCode.BRANCH_OUTSIDE_AREAS,
                    visit.branch,
                    _("'{branch}' is not a branch of your areas").format(
                        branch=_text(visit.branch)
                    ),
                )
            )
            branch_code = None
        visited_at = _visit_time(visit, checked.issues, date_formats)
        if visited_at is not None:
            try:
                bounds.visit_date(visited_at)
            except OutOfBounds as error:
                checked.issues.append(_bound_issue(error, visit.visit_date))
                visited_at = None
        auditor = _text(visit.auditor)
        if not auditor:
            checked.issues.append(
                ImportIssue.at(
                    IssueCode.AUDITOR_MISSING, visit.auditor, _("the auditor's name is missing")
                )
            )
        else:
            try:
                auditor = bounds.name(auditor, _("the auditor's name"))
            except OutOfBounds as error:
                checked.issues.append(_bound_issue(error, visit.auditor))
        reference = _reference(visit.reference, bounds, checked.issues)
        channel = _enum(
            visit.channel, Channel, checklist.channel, IssueCode.CHANNEL_INVALID, checked.issues
        )
        kind = _enum(
            visit.kind, AuditKind, read.default_kind, IssueCode.KIND_INVALID, checked.issues
        )
        answers = _answers(
            checklist, visit, readers[key_checklist], checked.issues, in_file, bounds, notes
        )
        if len(checked.issues) > before or branch_code is None or visited_at is None:
            continue
        key = (branch_code, checklist.id, visited_at, auditor, reference)
        if key in seen:
            if reference:
                twice = _(
                    "the same visit ({branch}, {time}, {auditor}, reference {reference}) "
                    "appears twice in the file (also at row {row})"
                )
            else:
                twice = _(
                    "the same visit ({branch}, {time}, {auditor}) appears twice in the file "
                    "(also at row {row})"
                )
            checked.issues.append(
                ImportIssue(
                    IssueCode.VISIT_TWICE,
                    twice.format(
                        branch=branch_code,
                        time=f"{visited_at:%Y-%m-%d %H:%M}",
                        auditor=auditor,
                        reference=reference,
                        row=seen[key].row,
                    ),
                    visit.branch.sheet or None,
                    visit.branch.ref,
                    visit.row,
                )
            )
            continue
        seen[key] = visit
        if auditors is not None and name_key(auditor) not in asked:
            asked.add(name_key(auditor))
            notes.extend(_near_miss(auditors, auditor, visit.auditor))
        checked.notes.extend(notes)
        record = AuditRecord(
            Visit(
                branch_code,
                checklist.id,
                checklist.version,
                visited_at,
                auditor,
                AuditKind(kind or read.default_kind),
                Channel(channel) if channel else None,
                read.language
                if read.language in checklist.languages
                else branches.language_of(branch_code),
                reference=reference,
            ),
            tuple(answers),
            AuditStatus.SUBMITTED,
        )
        checked.visits.append(CheckedVisit(record, score_checked(checklist, answers), visit))
    return checked


def _near_miss(auditors: AuditorDirectory, name: str, cell: Cell) -> list[ImportIssue]:
    near = auditors.near_misses(name)
    if not near:
        return []
    message = ngettext(
        "{name} is close to the auditor {auditors}: same person?",
        "{name} is close to the auditors {auditors}: same person?",
        len(near),
    ).format(name=repr(name), auditors=", ".join(repr(n) for n in near))
    return [ImportIssue.at(IssueCode.AUDITOR_NEAR_MISS, cell, message)]


def _vocabulary_normaliser(read: ReadResult) -> Normaliser | None:
    """A mapping profile's answer words (Yes (100.00), N/A - reason, '91%') -> plain answers."""
    if read.vocabulary is None:
        return None
    vocabulary = read.vocabulary
    return lambda item, raw: normalise(item, raw, vocabulary)


def _checklist_of(
    lookup: ChecklistLookup, read: ReadResult, visit: RawVisit, issues: list[ImportIssue]
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
                    _("the checklist version is not a number"),
                )
            )
            return None
    where = visit.checklist_id or visit.branch
    if not checklist_id:
        issues.append(
            ImportIssue.at(IssueCode.CHECKLIST_MISSING, where, _("the checklist is missing"))
        )
        return None
    try:
        checklist = lookup(checklist_id, version)
    except AuditAppError as error:
        issues.append(ImportIssue.at(IssueCode.CHECKLIST_UNKNOWN, where, str(error)))
        return None
    if read.content_hash and read.content_hash != checklist.content_hash:
        issues.append(
            ImportIssue(
                IssueCode.CHECKLIST_EDITION_CHANGED,
                _(
                    "this workbook was made from a different edition of checklist {checklist} "
                    "version {version} than the one installed here; make a new template from "
                    "the Import page"
                ).format(checklist=checklist.id, version=checklist.version),
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
            ImportIssue.at(IssueCode.BRANCH_MISSING, visit.branch, _("the branch is missing"))
        )
        return None
    found = directory.find(raw, by_name=visit.branch_by_name)
    if found is None:
        if visit.branch_by_name:
            unknown = _("'{branch}' is not a known branch name").format(branch=raw)
        else:
            unknown = _("'{branch}' is not a known branch code").format(branch=raw)
        issues.append(ImportIssue.at(IssueCode.BRANCH_UNKNOWN, visit.branch, unknown))
        return None
    return found.code


def _visit_time(
    visit: RawVisit, issues: list[ImportIssue], formats: tuple[str, ...] | None = None
) -> datetime | None:
    if visit.visit_date.value is None:
        issues.append(
            ImportIssue.at(IssueCode.DATE_MISSING, visit.visit_date, _("the visit date is missing"))
        )
        return None
    day = parse_date(visit.visit_date.value, *(() if formats is None else (formats,)))
    if day is None:
        issues.append(
            ImportIssue.at(
                IssueCode.DATE_INVALID,
                visit.visit_date,
                _("'{value}' is not a date (write e.g. 2026-05-23 or 23/05/2026)").format(
                    value=shown(visit.visit_date.value)
                ),
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
                    _("'{value}' is not a time (write e.g. 14:30)").format(
                        value=shown(visit.visit_time.value)
                    ),
                )
            )
            return None
        if day.time() == time(0):
            day = datetime.combine(day.date(), moment)
    return day


def _reference(cell: Cell | None, bounds: Bounds, issues: list[ImportIssue]) -> str | None:
    """The visit's outside reference as one line of text (a number read as 1234, not
    1234.0), held to the name bound; blank is no reference."""
    text = _text(cell)
    if not text:
        return None
    assert cell is not None
    try:
        return bounds.name(text, _("the visit reference")) or None
    except OutOfBounds as error:
        issues.append(_bound_issue(error, cell))
        return None


def _enum(
    cell: Cell | None,
    kind: type[Channel] | type[AuditKind],
    default: str | None,
    code: IssueCode,
    issues: list[ImportIssue],
) -> str | None:
    text = _text(cell)
    if not text:
        return default
    value = text.strip().lower().replace(" ", "_").replace("-", "_")
    allowed = [member.value for member in kind]
    if value not in allowed:
        assert cell is not None
        if code is IssueCode.CHANNEL_INVALID:
            sentence = _("'{value}' is not a channel (allowed: {allowed})")
        else:
            sentence = _("'{value}' is not an audit kind (allowed: {allowed})")
        issues.append(
            ImportIssue.at(code, cell, sentence.format(value=text, allowed=", ".join(allowed)))
        )
        return default
    return value


def _answers(
    checklist: Checklist,
    visit: RawVisit,
    reader: AnswerReader,
    issues: list[ImportIssue],
    in_file: Set[str],
    bounds: Bounds,
    notes: list[ImportIssue] | None = None,
) -> list[Answer]:
    items = checklist.items_by_id
    answers: list[Answer] = []
    given: set[str] = set()
    blank: list[tuple[int, Item, Cell]] = []
    """Required items left blank: missing unless skip logic leaves them out."""
    cells: dict[str, Cell] = {}
    for raw in visit.answers:
        item = items.get(raw.item_id)
        if item is None:
            issues.append(
                ImportIssue.at(
                    IssueCode.ITEM_UNKNOWN,
                    raw.value,
                    _("item '{item}' is not in checklist {checklist} v{version}").format(
                        item=raw.item_id, checklist=checklist.id, version=checklist.version
                    ),
                )
            )
            continue
        if item.id in given:
            issues.append(
                ImportIssue.at(
                    IssueCode.ANSWERED_TWICE,
                    raw.value,
                    _at(
                        raw.value,
                        _("item {item} is answered twice for this visit").format(item=item.id),
                    ),
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
        try:
            answer = _bounded(answer, bounds)
        except _BoundAt as error:
            cell = raw.comment if error.on_comment and raw.comment is not None else raw.value
            issues.append(_bound_issue(error.error, cell))
            continue
        if not answer.answered:
            if item.is_required:
                blank.append((len(issues), item, raw.value))
            if answer.comment is None:
                continue
        else:
            cells[item.id] = raw.value
        answers.append(answer)
    left_out = not_applicable(checklist, {answer.item_id: answer for answer in answers})
    for position, item, cell in reversed(blank):  # each in its place among the cell issues
        if item.id not in left_out:
            issues.insert(
                position,
                ImportIssue.at(
                    IssueCode.ANSWER_MISSING,
                    cell,
                    _at(
                        cell,
                        _("required answer missing for '{question}'").format(
                            question=question(item)
                        ),
                    ),
                ),
            )
    if notes is not None:
        notes.extend(_answered_anyway(checklist, left_out, cells))
    for item in checklist.items:
        if item.is_required and item.id not in given and item.id not in left_out:
            if item.id in in_file:  # other visits answer it: this one's rows lack it
                issues.append(
                    ImportIssue(
                        IssueCode.ANSWER_MISSING,
                        _(
                            "the visit of {branch} starting at row {row} has no answer for "
                            "required item {item} '{question}'"
                        ).format(
                            branch=_text(visit.branch) or _("the branch"),
                            row=visit.row,
                            item=item.id,
                            question=question(item),
                        ),
                        visit.branch.sheet or None,
                        None,
                        visit.row,
                    )
                )
                continue
            if (item.id, checklist.id) in reader.unanswerable:
                continue  # said once per file
            reader.unanswerable.add((item.id, checklist.id))
            message = _("required item {item} '{question}' has no answer column or row").format(
                item=item.id, question=question(item)
            )
            issues.append(
                ImportIssue(IssueCode.ITEM_NO_COLUMN, message, visit.branch.sheet or None)
            )
    return answers


_BOUND_ISSUES = {
    BoundCode.TOO_LONG: IssueCode.TEXT_TOO_LONG,
    BoundCode.CONTROL_CHARACTER: IssueCode.TEXT_CONTROL_CHARACTER,
    BoundCode.DATE_OUT_OF_RANGE: IssueCode.DATE_OUT_OF_RANGE,
    BoundCode.NOT_FINITE: IssueCode.ANSWER_INVALID,
}


def _bound_issue(error: OutOfBounds, cell: Cell) -> ImportIssue:
    return ImportIssue.at(_BOUND_ISSUES[error.code], cell, _at(cell, str(error)))


class _BoundAt(Exception):
    """An answer's text out of bounds, and whether its comment (not its value) is at fault."""

    def __init__(self, error: OutOfBounds, on_comment: bool) -> None:
        self.error = error
        self.on_comment = on_comment


def _answered_anyway(
    checklist: Checklist, left_out: Set[str], cells: dict[str, Cell]
) -> list[ImportIssue]:
    """A note per answer given to an item its ``applies_if`` leaves out: kept, not scored."""
    notes: list[ImportIssue] = []
    for item_id in sorted(left_out & cells.keys(), key=list(checklist.items_by_id).index):
        cell = cells[item_id]
        notes.append(
            ImportIssue.at(
                IssueCode.ANSWER_NOT_APPLICABLE,
                cell,
                _at(
                    cell,
                    _(
                        "'{question}' does not apply to this visit (its condition is not met): "
                        "the answer is kept but not scored"
                    ).format(question=question(checklist.items_by_id[item_id])),
                ),
            )
        )
    return notes


def _bounded(answer: Answer, bounds: Bounds) -> Answer:
    """The answer with its text value and comment held to the long-text bound (cleaned
    line breaks), or ``_BoundAt`` saying which of the two broke it."""
    value, comment = answer.value, answer.comment
    if isinstance(value, str):
        try:
            value = bounds.text(value, answer_field(answer.item_id))
        except OutOfBounds as error:
            raise _BoundAt(error, on_comment=False) from None
    if comment is not None:
        try:
            comment = bounds.text(comment, comment_field(answer.item_id)) or None
        except OutOfBounds as error:
            raise _BoundAt(error, on_comment=True) from None
    if value == answer.value and comment == answer.comment:
        return answer
    return Answer(answer.item_id, value, answer.na, comment, answer.photos)


def _closed_hint(cell: Cell) -> str:
    """A closed-store marker where an answer should be: the guesses never look in answer
    columns, so say how to leave such rows out."""
    value = cell.value
    if not isinstance(value, str) or not is_closed_marker(value):
        return ""
    return "; " + _(
        "if the store was closed, leave such rows out with a rule in the mapping profile, "
        "skip: [{{column: <this column's header>, equals: '{value}'}}]"
    ).format(value=value.strip())


def _at(cell: Cell, message: str) -> str:
    """In a workbook a manager reads "E17: ..." beside the sheet; a CSV place is in the row."""
    return f"{cell.ref}: {message}" if cell.sheet else message


def _text(cell: Cell | None) -> str:
    return "" if cell is None else label_text(cell.value)
