"""PDF reports as use cases: gather plain data from the other services, hand it to a renderer.

The renderers (``audit_app.reports``) never touch the database; this module is the seam.
A batch writes each PDF under a temporary name and renames it, so a file under its final
name is always whole, even when the batch is interrupted.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, cast

import pandas as pd

from audit_app.config import Settings
from audit_app.domain import repeats
from audit_app.domain.audit import AuditKind, Branch
from audit_app.domain.checklist import Checklist
from audit_app.domain.filters import AuditFilter
from audit_app.domain.followups import restricted_to
from audit_app.domain.scoring import ScoreCard, score_checked
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.reports.audit_report import (
    AuditReportData,
    BranchInfo,
    PhotoThumb,
    ScorePoint,
    render_audit_report,
)
from audit_app.reports.branch_report import (
    AuditRow,
    BranchReportData,
    OverdueAction,
    RepeatedFailure,
    SectionComparison,
    render_branch_report,
)
from audit_app.services.access import scoped
from audit_app.services.actions import ActionFilter, list_actions, today
from audit_app.services.audits import StoredAudit, list_scores, load_audit, score_tuples
from audit_app.services.branches import list_branches
from audit_app.services.compare import failure_evidence, section_standing
from audit_app.services.context import AppContext
from audit_app.services.evidence import photo_bytes, photo_info
from audit_app.services.repeats import policy_thresholds
from audit_app.storage import database, recent_means
from audit_app.storage.media_store import MediaUnavailable

PDF_PHOTO_EDGE = 600
"""Pixels on the long edge of a photo embedded in a PDF: sharp at 45 mm, a few tens of KB."""

Progress = Callable[[int, int], None]
"""Called with (done, total) after each file of a batch."""


def _now() -> datetime:
    return datetime.now(UTC)


def find_branch(ctx: AppContext, code: str) -> Branch:
    for branch in list_branches(ctx):
        if branch.code == code:
            return branch
    raise AuditAppError(_("no branch with code {code}").format(code=repr(code)))


RECENT_DAYS = 90
"""What "recent" means for the weakest branch: the 90 days up to the latest audit seen."""


@dataclass(frozen=True)
class WeakestBranch:
    """The branch a user's Branch page opens on when none is chosen, and why."""

    code: str
    name: str
    mean: float
    """Mean overall score of its audits since ``since``."""
    audits: int
    since: date
    until: date
    branches: int
    """How many of the user's branches had a scored audit in that window."""


def weakest_branch(ctx: AppContext, days: int = RECENT_DAYS) -> WeakestBranch | None:
    """The active branch, among those the user may see, with the lowest mean overall score
    over the ``days`` up to the latest audit the user can see (follow-ups left out: they
    re-ask only failed items). None when the user sees no scored audit."""
    with database.snapshot(ctx.engine) as conn:
        until, sums = recent_means.recent_branch_sums(conn, scoped(ctx, AuditFilter()), days)
    if until is None or sums.empty:
        return None
    # The means rounded before they are ordered: two branches of one mean added up in two
    # orders may differ in the last bit, and the code decides between equals.
    sums["mean"] = (sums["sum"] / sums["count"]).round(9)
    worst = sums.sort_values(["mean", "branch_code"]).iloc[0]
    since = pd.Timestamp(until) - pd.Timedelta(days=days)
    return WeakestBranch(
        code=str(worst["branch_code"]),
        name=str(worst["branch_name"]),
        mean=float(worst["sum"] / worst["count"]),
        audits=int(worst["count"]),
        since=(since + timedelta(days=1)).date(),
        until=pd.Timestamp(until).date(),
        branches=len(sums),
    )


def _info(branch: Branch) -> BranchInfo:
    return BranchInfo(branch.code, branch.name, branch.region, branch.country)


def _card(ctx: AppContext, audit_id: int) -> ScoreCard:
    """An audit's section and item scores, recomputed from its stored answers."""
    stored = load_audit(ctx, audit_id)
    checklist = _checklist_of(ctx, stored)
    return score_checked(checklist, stored.record.answers)


def _checklist_of(ctx: AppContext, stored: StoredAudit) -> Checklist:
    """The checklist an audit was scored on: a follow-up's is cut down to its own items."""
    visit = stored.record.visit
    checklist = ctx.catalogue.get(visit.checklist_id, visit.checklist_version)
    if visit.kind == AuditKind.FOLLOW_UP:
        return restricted_to(checklist, [answer.item_id for answer in stored.record.answers])
    return checklist


def audit_report_data(ctx: AppContext, audit_id: int) -> AuditReportData:
    """Everything the audit report prints, read from the database."""
    stored = load_audit(ctx, audit_id)
    visit = stored.record.visit
    checklist = _checklist_of(ctx, stored)
    card = score_checked(checklist, stored.record.answers)
    branch = find_branch(ctx, visit.branch_code)
    earlier = list_scores(
        ctx, AuditFilter(checklist_id=visit.checklist_id, branch_code=visit.branch_code)
    )
    earlier = earlier[earlier["visited_at"] <= pd.Timestamp(visit.visited_at)]
    history = tuple(
        ScorePoint(row.visited_at.to_pydatetime(), None if pd.isna(row.overall) else row.overall)
        for row in score_tuples(earlier)
    )
    return AuditReportData(
        audit_id=audit_id,
        branch=_info(branch),
        visit=visit,
        checklist=checklist,
        answers={answer.item_id: answer for answer in stored.record.answers},
        card=card,
        overall=stored.overall,
        grade=stored.grade,
        passed=stored.passed,
        critical_failure=stored.critical_failure,
        history=history,
        photos=audit_photos(ctx, stored),
    )


def audit_photos(ctx: AppContext, stored: StoredAudit) -> tuple[PhotoThumb, ...]:
    """Every answer's photos scaled down for the PDF, in answer and photo order; a photo
    missing from the media store or altered there is kept as a named gap, never an error."""
    answers = [answer for answer in stored.record.answers if answer.photos]
    if not answers:
        return ()
    info = photo_info(ctx, stored.audit_id)
    thumbs = []
    for answer in answers:
        for position, sha in enumerate(answer.photos, start=1):
            known = info.get(sha)
            captured = None if known is None else known.captured_at
            try:
                jpeg: bytes | None = photo_bytes(ctx, stored.audit_id, sha, edge=PDF_PHOTO_EDGE)
                unavailable = None
            except MediaUnavailable as gap:
                jpeg, unavailable = None, str(gap.state)
            thumbs.append(
                PhotoThumb(
                    answer.item_id, position, len(answer.photos), sha, jpeg, captured, unavailable
                )
            )
    return tuple(thumbs)


def audit_report(
    ctx: AppContext,
    audit_id: int,
    language: str | None = None,
    *,
    generated_at: datetime | None = None,
) -> bytes:
    """The audit report PDF, in ``language`` or else the audit's own language."""
    data = audit_report_data(ctx, audit_id)
    return render_audit_report(data, language or data.visit.language, generated_at or _now())


# ---------------------------------------------------------------------------
# Branch report
# ---------------------------------------------------------------------------


def branch_report_data(
    ctx: AppContext,
    code: str,
    date_from: date | None = None,
    date_to: date | None = None,
) -> BranchReportData:
    branch = find_branch(ctx, code)
    frame = list_scores(ctx, AuditFilter(branch_code=code, date_from=date_from, date_to=date_to))
    titles = {c.id: c for c in ctx.catalogue}
    audits = tuple(
        AuditRow(
            audit_id=int(row.audit_id),
            visited_at=row.visited_at.to_pydatetime(),
            checklist_id=row.checklist_id,
            checklist_version=int(row.checklist_version),
            auditor=row.auditor,
            overall=None if pd.isna(row.overall) else float(row.overall),
            grade=row.grade,
            passed=None if row.passed is None or pd.isna(row.passed) else bool(row.passed),
            critical_failure=bool(row.critical_failure),
        )
        for row in score_tuples(frame)
    )
    cards = {a.audit_id: _card(ctx, a.audit_id) for a in audits}
    overdue_on = today()
    return BranchReportData(
        branch=_info(branch),
        date_from=date_from,
        date_to=date_to,
        audits=audits,
        checklists={cid: titles[cid] for cid in sorted({a.checklist_id for a in audits})},
        sections=_section_comparison(ctx, branch.code, audits, date_from, date_to),
        repeated=repeated_failures(audits, cards, ctx),
        overdue=overdue_actions(ctx, code, overdue_on),
        overdue_on=overdue_on,
        evidence=failure_evidence(
            ctx, AuditFilter(branch_code=code, date_from=date_from, date_to=date_to)
        ),
    )


def overdue_actions(ctx: AppContext, code: str, on: date) -> tuple[OverdueAction, ...]:
    """The branch's overdue actions, most overdue first, with each item's text in every
    language its checklist has, so the report prints the question in its own language."""
    rows = []
    for action in list_actions(ctx, ActionFilter(branch_code=code, overdue_only=True), on=on):
        question = None
        language = ""
        try:
            checklist = ctx.catalogue.get(action.checklist_id)
            item = checklist.items_by_id.get(action.item_id)
            language = checklist.language
            question = item.text if item else None
        except AuditAppError:
            pass  # a checklist removed since: the service's text still says what it was
        rows.append(
            OverdueAction(
                checklist_id=action.checklist_id,
                item_id=action.item_id,
                question=question or {"": action.item},
                checklist_language=language,
                critical=action.critical,
                due_on=action.due_on,
                days_overdue=(on - action.due_on).days,
                owner=action.owner,
                status=action.status.value,
            )
        )
    rows.sort(key=lambda r: (-r.days_overdue, not r.critical, r.item_id))
    return tuple(rows)


def _section_comparison(
    ctx: AppContext,
    code: str,
    audits: Sequence[AuditRow],
    date_from: date | None,
    date_to: date | None,
) -> tuple[SectionComparison, ...]:
    """The branch's mean per section beside everyone's, in each checklist's section order."""
    wanted = sorted({a.checklist_id for a in audits})
    if not wanted:
        return ()
    # One read for every checklist: the sums never mix checklists.
    standing = section_standing(
        ctx,
        code,
        AuditFilter(
            checklist_id=wanted[0] if len(wanted) == 1 else None,
            date_from=date_from,
            date_to=date_to,
        ),
    )
    rows: list[SectionComparison] = []
    for checklist_id in wanted:
        order = {s.id: i for i, s in enumerate(ctx.catalogue.get(checklist_id).sections)}
        mine = standing[standing["checklist_id"] == checklist_id]
        found = zip(
            mine["section_id"].tolist(),
            mine["branch_mean"].tolist(),
            mine["chain_mean"].tolist(),
            mine["audits"].tolist(),
            strict=True,
        )
        for section_id, branch_mean, chain_mean, count in sorted(
            found, key=lambda r: order.get(r[0], 99)
        ):
            rows.append(
                SectionComparison(
                    checklist_id, str(section_id), float(branch_mean), float(chain_mean), int(count)
                )
            )
    return tuple(rows)


class _RepeatRow(Protocol):
    """A row of :func:`audit_app.domain.repeats.repeated_failures` (``REPEAT_COLUMNS``)."""

    checklist_id: str
    item_id: str
    consecutive: int
    last_failed: pd.Timestamp


def repeated_failures(
    audits: Sequence[AuditRow], cards: dict[int, ScoreCard], ctx: AppContext | None = None
) -> tuple[RepeatedFailure, ...]:
    """Items failed in two or more consecutive audits of one checklist (the rule is
    :func:`audit_app.domain.repeats.repeated_failures`): failed as the checklists' action
    policy says when ``ctx`` gives the checklists, else any score below 1."""
    audit_frame = pd.DataFrame(
        [(a.audit_id, "", a.checklist_id, a.visited_at, a.checklist_version) for a in audits],
        columns=[*repeats.AUDIT_COLUMNS, "checklist_version"],
    )
    item_frame = pd.DataFrame(
        [
            (audit_id, item_id, score)
            for audit_id, card in cards.items()
            for item_id, score in card.item_scores.items()
        ],
        columns=repeats.ITEM_COLUMNS,
    ).astype({"score": float})
    thresholds = None if ctx is None else policy_thresholds(ctx, audit_frame)
    found = repeats.repeated_failures(audit_frame, item_frame, thresholds)
    # pandas-stubs types every field of an itertuples() row as any scalar; the columns of
    # this frame are known (_RepeatRow).
    ordered = found.sort_values("checklist_id", kind="stable")
    rows = cast("Iterator[_RepeatRow]", ordered.itertuples())
    return tuple(
        RepeatedFailure(row.checklist_id, row.item_id, int(row.consecutive), row.last_failed)
        for row in rows
    )


def branch_report(
    ctx: AppContext,
    code: str,
    date_from: date | None = None,
    date_to: date | None = None,
    language: str | None = None,
    *,
    generated_at: datetime | None = None,
) -> bytes:
    """The branch report PDF, in ``language`` or else the branch's language."""
    data = branch_report_data(ctx, code, date_from, date_to)
    if language is None:
        language = find_branch(ctx, code).language
    return render_branch_report(data, language, generated_at or _now())


# ---------------------------------------------------------------------------
# Batch
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    audit_id: int
    name: str


def report_file_name(audit_id: int, branch_code: str, visited_at: datetime) -> str:
    return f"audit-{audit_id}-{branch_code}-{visited_at:%Y-%m-%d}.pdf"


def write_atomically(path: Path, content: bytes) -> None:
    """Write to a new temporary name in the same folder (a planted link there is refused),
    then rename: never a half-written PDF."""
    from audit_app.storage.files import write_replacing

    write_replacing(path, content)


_worker_ctx: AppContext | None = None


def _worker_start(settings: Settings, version_ids: dict[tuple[str, int], int]) -> None:
    """Open a read-only context in a worker: no migration, no checklist writes (two workers
    writing at once would wait on SQLite's lock)."""
    global _worker_ctx
    from audit_app.checklists import Catalogue
    from audit_app.services.sealing import open_engine

    engine = open_engine(settings)
    _worker_ctx = AppContext(
        settings, engine, Catalogue.from_folder(settings.checklists_dir), version_ids
    )


def _write_one(ctx: AppContext, job: _Job, folder: Path, generated_at: datetime) -> Path:
    path = folder / job.name
    write_atomically(path, audit_report(ctx, job.audit_id, generated_at=generated_at))
    return path


def _worker_write(args: tuple[_Job, Path, datetime]) -> Path:
    assert _worker_ctx is not None
    return _write_one(_worker_ctx, *args)


def _process_context() -> multiprocessing.context.BaseContext:
    """fork where it is safe (POSIX, a single thread), else spawn: fork skips ~1 s of imports
    per worker, which is most of what two workers lose against one on a short batch."""
    if os.name == "posix" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def audit_reports_batch(
    ctx: AppContext,
    audit_filter: AuditFilter,
    folder: Path,
    *,
    workers: int = 2,
    progress: Progress | None = None,
    limit: int | None = None,
) -> list[Path]:
    """One audit report per selected audit in ``folder``; ``workers`` processes share them.

    Workers are given the settings, not the context, so each opens its own engine. From
    the command line (one thread) they are forked and start at once with everything
    imported; inside a threaded server they are spawned, which is safe there.
    """
    folder.mkdir(parents=True, exist_ok=True)
    frame = list_scores(ctx, audit_filter)
    if limit is not None:
        frame = frame.head(limit)
    jobs = [
        _Job(
            int(row.audit_id), report_file_name(int(row.audit_id), row.branch_code, row.visited_at)
        )
        for row in score_tuples(frame)
    ]
    generated_at = _now()
    total = len(jobs)
    written: list[Path] = []
    if workers <= 1 or total <= 1:
        for job in jobs:
            written.append(_write_one(ctx, job, folder, generated_at))
            if progress:
                progress(len(written), total)
        return written
    ctx.engine.dispose()  # no pooled connection may cross into a worker
    with _process_context().Pool(
        min(workers, total),
        initializer=_worker_start,
        initargs=(ctx.settings, ctx.checklist_version_ids),
    ) as pool:
        tasks = [(job, folder, generated_at) for job in jobs]
        for path in pool.imap(_worker_write, tasks, chunksize=4):
            written.append(path)
            if progress:
                progress(len(written), total)
    return written
