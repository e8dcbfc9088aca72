"""Submitting, drafting and listing audits."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Protocol, cast

import pandas as pd
from sqlalchemy import Connection

from audit_app.domain.answers import (
    AnswersRejected,
    index_answers,
    parse_answer,
    validate_answers,
)
from audit_app.domain.audit import Answer, AuditKind, AuditRecord, AuditStatus, Channel, Visit
from audit_app.domain.bounds import Bounds, OutOfBounds
from audit_app.domain.evidence import photo_problems
from audit_app.domain.filters import AuditFilter
from audit_app.domain.followups import restricted_to
from audit_app.domain.scoring import ScoreCard, display, score_audit
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services import activity, auditors
from audit_app.services.access import AccessDenied, check_can_write, scoped, sees_area
from audit_app.services.actions import create_for_audits
from audit_app.services.context import AppContext
from audit_app.services.plan_filling import fill_slots
from audit_app.storage import database, evidence_store, repository


class AuditRejected(AuditAppError):
    """An audit that cannot be stored, with every reason."""

    def __init__(self, reasons: Sequence[str], codes: Sequence[str] = ()) -> None:
        self.reasons = tuple(reasons)
        self.codes = tuple(codes)
        """The codes of the refusals that have one (``BoundCode`` values, answer problem
        kinds such as ``photo_required``), for callers that branch on them."""
        super().__init__("; ".join(self.reasons))


@dataclass(frozen=True)
class StoredAudits:
    ids: tuple[int, ...]
    cards: tuple[ScoreCard | None, ...]
    skipped: int
    """Visits already in the database (same branch, checklist, visit time and auditor)."""


def bounded(record: AuditRecord, bounds: Bounds) -> AuditRecord:
    """The record with its visit date, auditor, text answers and comments held to the input
    bounds (names on one line, long texts with their line breaks), or ``OutOfBounds``.

    Every way an audit is entered (the form, a JSON or CSV answers file, the command line,
    a draft) passes here, so no page, PDF or export meets an audit it cannot show."""
    visit = record.visit
    bounds.visit_date(visit.visited_at)
    auditor = bounds.name(visit.auditor, "the auditor's name")
    reference = (
        None
        if visit.reference is None
        else bounds.name(visit.reference, "the visit reference") or None
    )
    answers = tuple(bounds.answer(answer) for answer in record.answers)
    if auditor == visit.auditor and reference == visit.reference and answers == record.answers:
        return record
    visit = replace(visit, auditor=auditor, reference=reference)
    return replace(record, visit=visit, answers=answers)


def prepare(ctx: AppContext, record: AuditRecord) -> tuple[AuditRecord, ScoreCard | None]:
    """Check a record against its input bounds and its checklist version; score it unless
    it is a draft."""
    record = bounded(record, ctx.settings.bounds)
    visit = record.visit
    checklist = ctx.catalogue.get(visit.checklist_id, visit.checklist_version)
    if visit.kind == AuditKind.FOLLOW_UP:  # scored on its own items (services.followups)
        checklist = restricted_to(checklist, [answer.item_id for answer in record.answers])
    answers = index_answers(record.answers)
    if record.status == AuditStatus.DRAFT:
        problems = validate_answers(checklist, answers, require_complete=False)
        problems += photo_problems(checklist, answers, None)
        if problems:
            raise AnswersRejected(problems)
        return record, None
    card = score_audit(checklist, answers)
    problems = photo_problems(checklist, answers, card)
    if problems:
        raise AnswersRejected(problems)
    return record, card


def store_audits(
    ctx: AppContext,
    records: Sequence[AuditRecord],
    *,
    skip_existing: bool = True,
    replacing_draft: int | None = None,
) -> StoredAudits:
    """Validate and score every record, then write them all in one transaction.

    Nothing is written if any record is invalid. A visit already stored is skipped (or,
    with ``skip_existing=False``, refused) so that loading the same data twice adds nothing.
    """
    check_can_write(ctx, "enter or import audits")
    prepared = []
    reasons: list[str] = []
    codes: list[str] = []
    for number, record in enumerate(records, start=1):
        try:
            prepared.append(prepare(ctx, record))
        except AuditAppError as error:
            visit = record.visit
            reasons.append(
                f"audit {number} ({visit.branch_code}, {visit.checklist_id}, "
                f"{visit.visited_at:%Y-%m-%d %H:%M}): {error}"
            )
            if isinstance(error, OutOfBounds):
                codes.append(error.code.value)
            elif isinstance(error, AnswersRejected):
                codes.extend(problem.kind for problem in error.problems)
    if reasons:
        raise AuditRejected(reasons, codes)
    # A visit another copy of the app stored meanwhile counts as present on the second try.
    ids, fresh = database.once_more_on_conflict(
        lambda: _write(ctx, prepared, skip_existing, replacing_draft)
    )
    return StoredAudits(tuple(ids), tuple(card for _id, card in fresh), len(prepared) - len(fresh))


def _write(
    ctx: AppContext,
    prepared: Sequence[tuple[AuditRecord, ScoreCard | None]],
    skip_existing: bool,
    replacing_draft: int | None,
) -> tuple[list[int], list[tuple[AuditRecord, ScoreCard | None]]]:
    """One transaction: the visits not stored yet, their answers, scores and actions."""
    with database.transaction(ctx.engine) as conn:
        if replacing_draft is not None and not repository.delete_draft(conn, replacing_draft):
            raise AuditRejected(
                [_("draft #{id} is gone (submitted or discarded)").format(id=replacing_draft)]
            )
        branch_id_of = repository.branch_ids(conn)
        if ctx.user is not None:
            area_of = {b.code: b.area for b in repository.list_branches(conn)}
            branch_id_of = {c: i for c, i in branch_id_of.items() if sees_area(ctx, area_of[c])}
        unknown = sorted({r.visit.branch_code for r, _ in prepared} - branch_id_of.keys())
        if unknown:
            raise AuditRejected(
                [_("unknown branch code {code}").format(code=repr(code)) for code in unknown]
            )
        _check_photos_stored(conn, [record for record, _card in prepared])
        existing = repository.existing_visit_keys(
            conn, {branch_id_of[r.visit.branch_code] for r, _card in prepared}
        )
        fresh = []
        for record, card in prepared:
            visit = record.visit
            key = repository.visit_key(branch_id_of[visit.branch_code], visit)
            if key in existing:
                if not skip_existing:
                    raise AuditRejected(
                        [
                            _(
                                "{branch} was already audited with {checklist} at {when} "
                                "by {auditor}"
                            ).format(
                                branch=visit.branch_code,
                                checklist=visit.checklist_id,
                                when=f"{visit.visited_at:%Y-%m-%d %H:%M}",
                                auditor=visit.auditor,
                            )
                        ]
                    )
                continue
            existing.add(key)
            fresh.append((record, card))
        ids = repository.add_audits(
            conn,
            fresh,
            branch_id_of=branch_id_of,
            checklist_version_id_of=ctx.checklist_version_ids,
        )
        # A submitted visit is linked to its auditor (a person) in the same transaction;
        # a draft is linked when it is submitted.
        submitted = [
            (audit_id, record.visit.auditor)
            for audit_id, (record, _card) in zip(ids, fresh, strict=True)
            if record.status == AuditStatus.SUBMITTED
        ]
        auditors.link_audits(conn, [i for i, _n in submitted], [n for _i, n in submitted])
        # Every failed item of a submitted audit gets its corrective action, in the same
        # transaction: an audit is never stored without them.
        create_for_audits(
            conn,
            ctx.catalogue,
            [
                (audit_id, record, card)
                for audit_id, (record, card) in zip(ids, fresh, strict=True)
                if record.status == AuditStatus.SUBMITTED and card is not None
            ],
            branch_id_of=branch_id_of,
        )
        fill_slots(conn, ids)  # submitted visits fill the open slots of published plans
    return ids, fresh


def _check_photos_stored(conn: Connection, records: Sequence[AuditRecord]) -> None:
    """Every photo an answer names must be in the media store's table: a hash typed into a
    file, or a photo lost before it was stored, is refused by name."""
    named = {
        sha: (record.visit.branch_code, answer.item_id)
        for record in records
        for answer in record.answers
        for sha in answer.photos
    }
    missing = sorted(named.keys() - evidence_store.known(conn, named))
    if missing:
        raise AuditRejected(
            [
                _("{branch}, item {item}: photo {photo} was never stored").format(
                    branch=named[sha][0], item=named[sha][1], photo=sha[:12]
                )
                for sha in missing
            ],
            ["photo_not_stored"],
        )


def submit_audit(
    ctx: AppContext, record: AuditRecord, *, replacing_draft: int | None = None
) -> tuple[int, ScoreCard]:
    """Validate, score and store one submitted audit in one transaction (which also removes
    the draft it was completed from, so a draft is never both kept and submitted)."""
    submitted = AuditRecord(
        record.visit,
        record.answers,
        AuditStatus.SUBMITTED,
        record.source,
        record.source_hash,
        record.created_by,
    )
    stored = store_audits(ctx, [submitted], skip_existing=False, replacing_draft=replacing_draft)
    card = stored.cards[0]
    assert card is not None
    visit = record.visit
    activity.record(
        ctx,
        "submission",
        f"audit #{stored.ids[0]}",
        branch=visit.branch_code,
        checklist=visit.checklist_id,
        visited_at=f"{visit.visited_at:%Y-%m-%d %H:%M}",
        kind=str(visit.kind),
        overall=None if card.overall is None else round(card.overall, 1),
    )
    return stored.ids[0], card


def list_scores(
    ctx: AppContext, audit_filter: AuditFilter = AuditFilter(), *, newest: int | None = None
) -> pd.DataFrame:
    """One row per submitted audit: branch, visit, overall score, grade, pass, critical;
    oldest visit first, and only the ``newest`` last ones when given."""
    check_filter(ctx, audit_filter)
    with database.snapshot(ctx.engine) as conn:
        return repository.audit_scores_frame(conn, scoped(ctx, audit_filter), newest=newest)


def check_filter(ctx: AppContext, audit_filter: AuditFilter) -> None:
    """Refuse a filter no list can answer: an unknown checklist (naming the known ones) or
    a period that ends before it starts."""
    if audit_filter.checklist_id:
        ctx.catalogue.get(audit_filter.checklist_id)  # an unknown id names the known ones
    if (
        audit_filter.date_from
        and audit_filter.date_to
        and (audit_filter.date_from > audit_filter.date_to)
    ):
        raise AuditAppError(
            _("the period is reversed: {start} is after {end}").format(
                start=audit_filter.date_from, end=audit_filter.date_to
            )
        )


class ScoreRow(Protocol):
    """One row of a :func:`list_scores` frame as ``DataFrame.itertuples()`` yields it."""

    audit_id: int
    branch_code: str
    branch_name: str
    checklist_id: str
    checklist_version: int
    visited_at: pd.Timestamp
    auditor: str
    visit_reference: str | float | None
    """The visit's outside reference; None or NaN where it has none."""
    overall: float
    """NaN when the audit has no score."""
    grade: str | None
    passed: bool | None
    critical_failure: bool


def score_tuples(frame: pd.DataFrame) -> Iterator[ScoreRow]:
    """``frame.itertuples()`` of a :func:`list_scores` frame, with its fields typed."""
    # pandas-stubs types every field of an itertuples() row as any scalar, since it cannot
    # know a frame's columns; the columns of this frame are known (ScoreRow).
    return cast("Iterator[ScoreRow]", frame.itertuples())


def score_rows(
    ctx: AppContext, audit_filter: AuditFilter = AuditFilter()
) -> list[dict[str, object]]:
    """:func:`list_scores` as plain rows, scores shown with one decimal."""
    frame = list_scores(ctx, audit_filter)
    rows: list[dict[str, object]] = []
    for record in frame.to_dict("records"):
        record["visited_at"] = record["visited_at"].to_pydatetime()
        record["overall"] = display(record["overall"])
        record["passed"] = None if record["passed"] is None else bool(record["passed"])
        record["critical_failure"] = bool(record["critical_failure"])
        record["checklist_version"] = int(record["checklist_version"])
        record["audit_id"] = int(record["audit_id"])
        reference = record["visit_reference"]  # pandas may hold a missing one as NaN
        record["visit_reference"] = reference if isinstance(reference, str) else None
        rows.append({str(column): value for column, value in record.items()})
    return rows


@dataclass(frozen=True)
class StoredAudit:
    audit_id: int
    record: AuditRecord
    overall: float | None
    grade: str | None
    passed: bool | None
    critical_failure: bool


def load_audit(ctx: AppContext, audit_id: int) -> StoredAudit:
    """An audit as stored, its answers read back through the checklist version it used."""
    with database.snapshot(ctx.engine) as conn:
        row = repository.audit_row(conn, audit_id)
        stored_answers = repository.answer_rows(conn, audit_id)
        photos = evidence_store.photos_of(conn, [audit_id]).get(audit_id, {})
    if row is None or not sees_area(ctx, row["branch_area"]):
        # Another area's audit is reported exactly like a missing one.
        raise AccessDenied(_("no audit #{id}").format(id=audit_id))
    checklist = ctx.catalogue.get(row["checklist_id"], row["checklist_version"])
    items = checklist.items_by_id
    answers = tuple(
        Answer(
            a["item_id"],
            None if a["na"] else parse_answer(items[a["item_id"]], a["value"]).value,
            bool(a["na"]),
            a["comment"],
            tuple(photos.get(a["item_id"], ())),
        )
        for a in stored_answers
    )
    visit = Visit(
        row["branch_code"],
        row["checklist_id"],
        row["checklist_version"],
        row["visited_at"],
        row["auditor"],
        AuditKind(row["kind"]),
        Channel(row["channel"]) if row["channel"] else None,
        row["language"],
        row.get("follow_up_of"),
        row.get("visit_reference"),
    )
    record = AuditRecord(
        visit,
        answers,
        AuditStatus(row["status"]),
        row["source"],
        row["source_hash"],
        row["created_by"],
    )
    return StoredAudit(
        audit_id,
        record,
        row["overall"],
        row["grade"],
        row["passed"],
        bool(row["critical_failure"]),
    )
