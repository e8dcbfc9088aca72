"""Correcting a submitted audit without editing it in place, and the branch's appeals.

A correction makes a new revision (who, when, a required reason, the hashes that chain it to
the earlier ones) and replaces the audit's current answers and scores, which every query
reads. Earlier revisions stay readable through :func:`audit_history`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from audit_app.domain.answers import (
    AnswersRejected,
    answers_from_stored,
    encode_value,
    index_answers,
)
from audit_app.domain.audit import Answer, AuditStatus
from audit_app.domain.bounds import OutOfBounds
from audit_app.domain.checklist import Checklist
from audit_app.domain.evidence import photo_problems
from audit_app.domain.scoring import ScoreCard, score_audit
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services import actions, activity
from audit_app.services.access import AccessDenied, check_can_write, check_head_office, sees_area
from audit_app.services.context import AppContext
from audit_app.storage import database, evidence_store, repository, trail


class RevisionRefused(AuditAppError):
    """A correction or appeal that cannot be made; the message says why."""


@dataclass(frozen=True)
class Revision:
    """One revision of an audit as it was made: its answers and the score they give."""

    audit_id: int
    revision: int
    created_at: datetime
    created_by: str | None
    reason: str | None
    answers: dict[str, Answer]
    card: ScoreCard | None
    content_hash: str
    current: bool

    @property
    def overall(self) -> float | None:
        return None if self.card is None else self.card.overall


@dataclass(frozen=True)
class Appeal:
    appeal_id: int
    audit_id: int
    raised_at: datetime
    raised_by: str | None
    reason: str
    status: str
    """open, upheld or rejected."""
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None
    revision: int | None
    """The revision an upheld appeal made."""


def revise_audit(
    ctx: AppContext,
    audit_id: int,
    answers: Sequence[Answer],
    reason: str,
    *,
    by: str | None = None,
    keep_photos: bool = True,
) -> Revision:
    """Correct a submitted audit: head office at any time, its area manager within the
    revision window; a reason is required and the answers must differ.

    Evidence is not dropped by an edit that does not mention it: an answer given without
    photos keeps the photos its item carries now (``keep_photos``). With
    ``keep_photos=False`` the answers' photos are the audit's photos, none where they have
    none; the earlier revisions still name every photo, and the files stay."""
    return _revise(
        ctx, audit_id, answers, reason, by=by, allow_unchanged=False, keep_photos=keep_photos
    )


def audit_history(ctx: AppContext, audit_id: int) -> list[Revision]:
    """Every revision of an audit, first to current, each with its answers and score."""
    with database.snapshot(ctx.engine) as conn:
        row = _visible_audit(ctx, conn, audit_id)
        stored = trail.revisions_of(conn, audit_id)
    checklist = ctx.catalogue.get(row["checklist_id"], row["checklist_version"])
    current = row["revision"]
    return [_revision(checklist, r, current) for r in stored]


def raise_appeal(ctx: AppContext, audit_id: int, reason: str, *, by: str | None = None) -> Appeal:
    """Record a branch's appeal against a submitted audit (one open appeal at a time)."""
    check_can_write(ctx, "record appeals")
    reason = _required(reason, _("an appeal needs a reason"), ctx, "the appeal's reason")
    with database.transaction(ctx.engine) as conn:
        row = _visible_audit(ctx, conn, audit_id)
        _check_submitted(row, audit_id)
        open_ = [a for a in trail.appeal_rows(conn, audit_id) if a["status"] == "open"]
        if open_:
            raise RevisionRefused(
                _("audit #{id} already has an open appeal (#{appeal}): resolve it first").format(
                    id=audit_id, appeal=open_[0]["id"]
                )
            )
        appeal_id = trail.add_appeal(conn, audit_id, _who(ctx, by), reason)
        made = _appeal(_required_row(trail.appeal_row(conn, appeal_id), appeal_id))
    activity.record(
        ctx,
        "appeal",
        f"audit #{audit_id}",
        **activity.acting(ctx, by),
        appeal=appeal_id,
        reason=reason,
    )
    return made


def resolve_appeal(
    ctx: AppContext,
    appeal_id: int,
    upheld: bool,
    resolution: str,
    answers: Sequence[Answer] | None = None,
    *,
    by: str | None = None,
) -> Appeal:
    """Head office decides: upheld makes a revision (with ``answers`` if given, else the
    current ones) whose reason is the resolution; rejected keeps the resolution."""
    check_head_office(ctx, "resolve appeals")
    resolution = _required(
        resolution, _("resolving an appeal needs a reason"), ctx, "the appeal's resolution"
    )
    with database.transaction(ctx.engine) as conn:
        appeal = trail.appeal_row(conn, appeal_id)
        if appeal is None:
            raise RevisionRefused(_("no appeal #{id}").format(id=appeal_id))
        audit_id = appeal["audit_id"]
        row = _visible_audit(ctx, conn, audit_id)
        if appeal["status"] != "open":
            raise RevisionRefused(_appeal_closed(appeal_id, appeal["status"]))
        revision = None
        if upheld:
            if answers is None:
                checklist = ctx.catalogue.get(row["checklist_id"], row["checklist_version"])
                answers = list(_parsed(checklist, trail.current_answers(conn, audit_id)).values())
            made = _revise_in(
                conn,
                ctx,
                audit_id,
                answers,
                f"appeal #{appeal_id} upheld: {resolution}",
                by=by,
                allow_unchanged=True,
            )
            revision = made.revision
        trail.close_appeal(
            conn,
            appeal_id,
            "upheld" if upheld else "rejected",
            _who(ctx, by),
            resolution,
            revision,
        )
        closed = _appeal(_required_row(trail.appeal_row(conn, appeal_id), appeal_id))
    activity.record(
        ctx,
        "appeal resolved",
        f"audit #{audit_id}",
        **activity.acting(ctx, by),
        appeal=appeal_id,
        outcome=closed.status,
        revision=revision,
        resolution=resolution,
    )
    return closed


def list_appeals(ctx: AppContext, audit_id: int) -> list[Appeal]:
    with database.snapshot(ctx.engine) as conn:
        _visible_audit(ctx, conn, audit_id)
        return [_appeal(row) for row in trail.appeal_rows(conn, audit_id)]


def appeal_audit_id(ctx: AppContext, appeal_id: int) -> int:
    """The audit an appeal is about (another area's appeal reads as missing)."""
    with database.transaction(ctx.engine) as conn:
        appeal = trail.appeal_row(conn, appeal_id)
        if appeal is None:
            raise RevisionRefused(_("no appeal #{id}").format(id=appeal_id))
        try:
            _visible_audit(ctx, conn, appeal["audit_id"])
        except AccessDenied:
            raise RevisionRefused(_("no appeal #{id}").format(id=appeal_id)) from None
        return int(appeal["audit_id"])


def can_revise(ctx: AppContext, audit_id: int) -> str | None:
    """None when the acting user may correct the audit now, else why not (for the app)."""
    try:
        with database.snapshot(ctx.engine) as conn:
            _check_may_revise(ctx, _visible_audit(ctx, conn, audit_id), audit_id)
    except AuditAppError as error:
        return str(error)
    return None


# --- the work -------------------------------------------------------------------------


def _revise(
    ctx: AppContext,
    audit_id: int,
    answers: Sequence[Answer],
    reason: str,
    *,
    by: str | None,
    allow_unchanged: bool,
    keep_photos: bool = True,
) -> Revision:
    reason = _required(
        reason,
        _("a correction needs a reason: say what was wrong"),
        ctx,
        "the correction's reason",
    )
    with database.transaction(ctx.engine) as conn:
        made = _revise_in(
            conn,
            ctx,
            audit_id,
            answers,
            reason,
            by=by,
            allow_unchanged=allow_unchanged,
            keep_photos=keep_photos,
        )
    activity.record(
        ctx,
        "revision",
        f"audit #{audit_id}",
        **activity.acting(ctx, by),
        revision=made.revision,
        reason=reason,
    )
    return made


def _revise_in(
    conn: Any,
    ctx: AppContext,
    audit_id: int,
    answers: Sequence[Answer],
    reason: str,
    *,
    by: str | None,
    allow_unchanged: bool,
    keep_photos: bool = True,
) -> Revision:
    """The correction inside the caller's transaction."""
    # Corrections queue on the trail's lock before reading the latest revision, so that two
    # made at once on two servers become revisions n+1 and n+2, not two revisions n+1.
    database.lock(conn, database.CHAIN_LOCK)
    row = _visible_audit(ctx, conn, audit_id)
    _check_may_revise(ctx, row, audit_id)
    checklist = ctx.catalogue.get(row["checklist_id"], row["checklist_version"])
    if keep_photos:
        answers = _with_current_photos(answers, trail.current_photos(conn, audit_id))
    try:
        indexed = index_answers([ctx.settings.bounds.answer(a) for a in answers])
        card = score_audit(checklist, indexed)
        problems = photo_problems(checklist, indexed, card)
        if problems:
            raise AnswersRejected(problems)
    except OutOfBounds as error:
        raise error.within(f"audit #{audit_id}") from None
    except AnswersRejected as error:
        raise RevisionRefused(
            _("audit #{id}: {reason}").format(id=audit_id, reason=error)
        ) from None
    stored = [(a.item_id, encode_value(a), a.na, a.comment) for a in indexed.values()]
    last = trail.last_revision(conn, audit_id)
    if last is None:  # sealed before the trail could be trusted: refuse, never guess
        raise RevisionRefused(
            _("audit #{id} has no sealed revision; run audit-app verify").format(id=audit_id)
        )
    trail.check_matches_revision(conn, audit_id, last)
    number = int(last["revision"]) + 1
    now = trail.utcnow()
    who = _who(ctx, by)
    photos = {a.item_id: a.photos for a in indexed.values() if a.photos}
    unknown = {sha for hashes in photos.values() for sha in hashes} - evidence_store.known(
        conn, [sha for hashes in photos.values() for sha in hashes]
    )
    if unknown:
        raise RevisionRefused(
            _("audit #{id}: photo {photo} was never stored").format(
                id=audit_id, photo=sorted(unknown)[0][:12]
            )
        )
    content = trail.revision_content(
        row, stored, revision=number, by=who, at=now, reason=reason, photos=photos
    )
    unchanged = content["answers"] == last["content"].get("answers") and content.get(
        "photos", []
    ) == last["content"].get("photos", [])
    if not allow_unchanged and unchanged:
        raise RevisionRefused(
            _("the answers are the same as revision {number}: nothing to correct").format(
                number=last["revision"]
            )
        )
    trail.replace_current(
        conn,
        audit_id,
        [(*answer, card.item_scores.get(answer[0])) for answer in stored],
        repository.score_values(card, now),
        [(s.section_id, s.score, s.weight) for s in card.sections],
        number,
    )
    evidence_store.replace_links(conn, audit_id, photos)
    seal = trail.Seal(audit_id, number, now, who, reason, content, last["audit_hash"])
    written = trail.append(conn, [seal])[0]
    actions.sync_for_revision(conn, checklist, row, card, number, who, answers=indexed)
    return Revision(
        audit_id,
        number,
        now,
        who,
        reason,
        dict(indexed),
        card,
        written["content_hash"],
        True,
    )


def _visible_audit(ctx: AppContext, conn: Any, audit_id: int) -> dict[str, Any]:
    row = repository.audit_row(conn, audit_id)
    if row is None or not sees_area(ctx, row["branch_area"]):
        raise AccessDenied(_("no audit #{id}").format(id=audit_id))
    return row


def _check_submitted(row: dict[str, Any], audit_id: int) -> None:
    if row["status"] != str(AuditStatus.SUBMITTED):
        raise RevisionRefused(
            _("audit #{id} is a draft: its author finishes it on the New visit page").format(
                id=audit_id
            )
        )


def _with_current_photos(answers: Sequence[Answer], current: dict[str, list[str]]) -> list[Answer]:
    """Each answer given without photos, with the photos its item carries now."""
    return [
        replace(a, photos=tuple(current[a.item_id]))
        if not a.photos and current.get(a.item_id)
        else a
        for a in answers
    ]


def _check_may_revise(ctx: AppContext, row: dict[str, Any], audit_id: int) -> None:
    check_can_write(ctx, "correct audits")
    _check_submitted(row, audit_id)
    user = ctx.user
    if user is None or user.role == Role.HEAD_OFFICE:
        return
    window = timedelta(days=ctx.settings.revision_window_days)
    submitted = row["submitted_at"] or row["created_at"]
    if trail.utcnow() - submitted > window:
        days = f"{ctx.settings.revision_window_days:g}"
        raise AccessDenied(
            _(
                "audit #{id} was submitted on {day}, more than {days} days ago: only head "
                "office can correct it now"
            ).format(id=audit_id, day=f"{submitted:%Y-%m-%d}", days=days)
        )


def _parsed(checklist: Checklist, rows: Sequence[Sequence[Any]]) -> dict[str, Answer]:
    """Stored answers (value as text) read back through the checklist version."""
    return answers_from_stored(checklist, rows)


def _revision(checklist: Checklist, row: dict[str, Any], current: int) -> Revision:
    answers = _with_photos(
        _parsed(checklist, row["content"].get("answers", [])), row["content"].get("photos")
    )
    try:
        card: ScoreCard | None = score_audit(checklist, answers)
    except AnswersRejected:
        card = None
    return Revision(
        row["audit_id"],
        row["revision"],
        row["created_at"],
        row["created_by"],
        row["reason"],
        answers,
        card,
        row["content_hash"],
        row["revision"] == current,
    )


def _with_photos(answers: dict[str, Answer], sealed: Any) -> dict[str, Answer]:
    """The answers with the photos their revision sealed (``[[item, [sha, ...]], ...]``),
    so a revision shows the photos it was made with, not today's."""
    for item_id, hashes in sealed or []:
        answer = answers.get(item_id) or Answer(item_id)
        answers[item_id] = replace(answer, photos=tuple(hashes))
    return answers


def _appeal(row: dict[str, Any]) -> Appeal:
    return Appeal(
        row["id"],
        row["audit_id"],
        row["raised_at"],
        row["raised_by"],
        row["reason"],
        row["status"],
        row["resolved_at"],
        row["resolved_by"],
        row["resolution"],
        row["revision"],
    )


def _required(text: str | None, message: str, ctx: AppContext, field: str) -> str:
    """A reason given, held to the long-text bound (``AUDIT_MAX_TEXT_CHARS``)."""
    text = ctx.settings.bounds.text(text or "", field)
    if not text:
        raise RevisionRefused(message)
    return text


def _appeal_closed(appeal_id: int, status: str) -> str:
    if status == "upheld":
        return _("appeal #{id} is already upheld").format(id=appeal_id)
    if status == "rejected":
        return _("appeal #{id} is already rejected").format(id=appeal_id)
    return _("appeal #{id} is already {status}").format(id=appeal_id, status=status)


def _required_row(row: dict[str, Any] | None, appeal_id: int) -> dict[str, Any]:
    if row is None:
        raise RevisionRefused(_("no appeal #{id}").format(id=appeal_id))
    return row


def _who(ctx: AppContext, by: str | None) -> str | None:
    """The acting user, or the name the command line gave (``--by``), held to the name
    bound."""
    if ctx.user is not None:
        return ctx.user.username
    return ctx.settings.bounds.name(by, "the name given with --by") or None if by else None
