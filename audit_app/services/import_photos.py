"""Photos that come with an import (the offline zip), put on the answers they belong to.

Every photo is cleaned while the file is checked, so that a dry run already names a photo
that is not an image, and the visits it belongs to carry its hash before anything is
written. The photos are kept in the media store only once the whole file passed, just
before its audits are written in the import's one transaction: an answer never names a
photo whose file was not written, and a refused import links nothing. A failed answer
without the photo its checklist requires (``photo_on_fail: required``) refuses its visit,
with or without a zip: the import is one way in like any other.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from audit_app.domain.audit import Answer, AuditRecord
from audit_app.domain.checklist import Checklist
from audit_app.domain.evidence import photo_problems
from audit_app.domain.intake.check import CheckedVisit, IntakeReport
from audit_app.domain.intake.model import ImportIssue, IssueCode, RawVisit, ReadResult
from audit_app.domain.intake.photo_names import VisitPlace, match_photos
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.intake.photo_zip import Bundle
from audit_app.intake.photos import CleanPhoto, PhotoRefused, clean_photo
from audit_app.services.context import AppContext
from audit_app.services.evidence import keep, limits

Role = Literal["workbook", "photo", "ignored", "refused"]

_PHOTO_CODES = {
    "photo_required": IssueCode.PHOTO_REQUIRED,
    "too_many_photos": IssueCode.PHOTO_TOO_MANY,
}


@dataclass(frozen=True)
class MemberOutcome:
    """What became of one file of the zip; every member has exactly one."""

    member: str
    role: Role
    sheet: str | None = None
    row: int | None = None
    """The row of the visit the photo went to (as the workbook shows it)."""
    item_id: str | None = None
    sha256: str | None = None
    reason: str | None = None
    """Why a member was refused or left aside."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "member": self.member,
            "role": self.role,
            "sheet": self.sheet,
            "row": self.row,
            "item": self.item_id,
            "sha256": self.sha256,
            "reason": self.reason,
        }


@dataclass
class WithPhotos:
    """The checked file with its photos on its answers, and the photos to keep first."""

    checked: IntakeReport
    photos: list[CleanPhoto] = field(default_factory=list)
    members: tuple[MemberOutcome, ...] = ()


def with_photos(
    ctx: AppContext, read: ReadResult, checked: IntakeReport, bundle: Bundle | None
) -> WithPhotos:
    """``checked`` with the zip's photos on their answers, each member accounted for, and
    the photo rule applied to every visit (problems added to ``checked.issues``)."""
    issues = list(checked.issues)
    visits = list(checked.visits)
    outcome = WithPhotos(checked)
    if bundle is not None:
        visits, outcome = _attach(ctx, read, visits, bundle, issues)
    for found in visits:
        issues.extend(_rule_problems(ctx, found))
    outcome.checked = IntakeReport(visits, issues, list(checked.checklists), list(checked.notes))
    return outcome


def keep_photos(ctx: AppContext, photos: list[CleanPhoto]) -> None:
    """Write the photos (files first, then rows) before the audits that name them."""
    for photo in photos:
        keep(ctx, photo)


def _attach(
    ctx: AppContext,
    read: ReadResult,
    visits: list[CheckedVisit],
    bundle: Bundle,
    issues: list[ImportIssue],
) -> tuple[list[CheckedVisit], WithPhotos]:
    members: dict[str, MemberOutcome] = {
        bundle.workbook.name: MemberOutcome(bundle.workbook.name, "workbook")
    }
    for name in bundle.ignored:
        members[name] = MemberOutcome(name, "ignored", reason=_("added by the operating system"))
    data = {member.name: member.data for member in bundle.files}
    places = [VisitPlace(v.branch.sheet, v.row) for v in read.visits]
    matches, problems = match_photos(list(data), places, _item_ids(ctx, read, visits))
    for member, problem in problems:
        issues.append(problem)
        members[member] = MemberOutcome(member, "refused", reason=problem.message)
    checked_of = {id(found.visit): n for n, found in enumerate(visits)}
    cleaned: dict[str, CleanPhoto] = {}
    by_answer: dict[tuple[int, str], list[tuple[int, str, str]]] = defaultdict(list)
    for match in matches:
        try:
            photo = clean_photo(data[match.member], match.member, limits(ctx.settings))
        except PhotoRefused as error:
            issues.append(ImportIssue(IssueCode.PHOTO_REFUSED, str(error)))
            members[match.member] = MemberOutcome(match.member, "refused", reason=str(error))
            continue
        raw = read.visits[match.visit]
        members[match.member] = MemberOutcome(
            match.member, "photo", raw.branch.sheet or None, raw.row, match.item_id, photo.sha256
        )
        cleaned[photo.sha256] = photo
        if id(raw) in checked_of:  # a visit refused for its own cells takes no photo
            key = (checked_of[id(raw)], match.item_id)
            by_answer[key].append((match.ordinal, match.member, photo.sha256))
    visits = list(visits)
    for (number, item_id), photos in sorted(by_answer.items()):
        shas = tuple(dict.fromkeys(sha for _o, _m, sha in sorted(photos)))  # one of each
        attached = _put(ctx, visits[number], item_id, shas)
        if isinstance(attached, ImportIssue):
            issues.append(attached)
            for _o, member, _sha in photos:
                members[member] = replace(members[member], role="refused", reason=attached.message)
        else:
            visits[number] = attached
    order = bundle.order or (bundle.workbook.name, *data, *bundle.ignored)
    return visits, WithPhotos(
        IntakeReport(),
        [cleaned[sha] for sha in dict.fromkeys(_linked(visits))],
        tuple(members[name] for name in order),
    )


def _put(
    ctx: AppContext, found: CheckedVisit, item_id: str, shas: tuple[str, ...]
) -> CheckedVisit | ImportIssue:
    """The visit with ``shas`` on its answer to ``item_id``; a photo question is answered
    by its photos alone, any other question must be answered to carry them."""
    record = found.record
    checklist = _checklist(ctx, record)
    answers = list(record.answers)
    at = next((n for n, a in enumerate(answers) if a.item_id == item_id), None)
    if at is not None and (answers[at].answered or _is_photo(checklist, item_id)):
        answers[at] = replace(answers[at], photos=shas)
    elif at is None and _is_photo(checklist, item_id):
        answers.append(Answer(item_id, None, False, None, shas))
    else:
        message = _(
            "a photo for {item}, which this visit leaves unanswered: answer the question "
            "in the workbook, or leave the photo out"
        ).format(item=item_id)
        return _placed(found.visit, item_id, IssueCode.PHOTO_UNANSWERED, message)
    return CheckedVisit(replace(record, answers=tuple(answers)), found.card, found.visit)


def _rule_problems(ctx: AppContext, found: CheckedVisit) -> list[ImportIssue]:
    checklist = _checklist(ctx, found.record)
    answers = {answer.item_id: answer for answer in found.record.answers}
    return [
        _placed(found.visit, problem.item_id, _PHOTO_CODES[problem.kind], problem.message)
        for problem in photo_problems(checklist, answers, found.card)
        if problem.kind in _PHOTO_CODES
    ]


def _placed(visit: RawVisit, item_id: str, code: IssueCode, message: str) -> ImportIssue:
    """The problem at the item's answer cell, or at its visit's row."""
    for raw in visit.answers:
        if raw.item_id == item_id:
            return ImportIssue.at(code, raw.value, message)
    return ImportIssue(code, message, visit.branch.sheet or None, None, visit.row)


def _linked(visits: list[CheckedVisit]) -> list[str]:
    return [sha for v in visits for answer in v.record.answers for sha in answer.photos]


def _checklist(ctx: AppContext, record: AuditRecord) -> Checklist:
    return ctx.catalogue.get(record.visit.checklist_id, record.visit.checklist_version)


def _is_photo(checklist: Checklist, item_id: str) -> bool:
    item = checklist.items_by_id.get(item_id)
    return item is not None and item.type == "photo"


def _item_ids(ctx: AppContext, read: ReadResult, visits: list[CheckedVisit]) -> list[str]:
    if visits:
        return [item.id for item in _checklist(ctx, visits[0].record).items]
    if not read.checklist_id:
        return []
    try:
        checklist = ctx.catalogue.get(read.checklist_id, read.checklist_version)
    except AuditAppError:
        return []  # the check names the checklist that is not installed
    return [item.id for item in checklist.items]
