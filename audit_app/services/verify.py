"""``audit-app verify``: recompute the trail and name every record that no longer matches.

The checks: each revision's content against its hash, each audit's chain of revisions, the
chain over all submissions in order, each audit's current rows (visit and answers, what
every query reads) against its latest revision, each audit's stored scores against those
its answers give, its item-score vector (what item comparisons read) against its answers, the
item summaries (``item_month_sums``) against the answers, the branch-month totals
(``branch_month_sums``) against the scores, the ledger of every sealed record under the
trail key, and the ledger's head against the checkpoint outside the database (and a head
someone wrote down), and every photo a submitted answer carries against its file in the
media store.

Everything is read in one snapshot, a range of :data:`CHUNK` audits at a time (the item
summaries a range of branches, the ledger a chunk of records of one table), so memory does
not grow with the data; the findings and their order are those of one pass over
everything. The chain over all submissions is checked first, from its hashes alone.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, select

from audit_app.domain.audit import AuditStatus
from audit_app.services import evidence, trail_head
from audit_app.services.access import check_head_office
from audit_app.services.context import AppContext
from audit_app.services.trail_head import Head
from audit_app.services.verify_records import check_ledger
from audit_app.services.verify_scores import ScoreChecker, StoredAnswer
from audit_app.services.verify_sums import check_branch_sums, check_item_sums
from audit_app.storage import (
    database,
    evidence_store,
    item_vectors,
    ledger,
    raw_formats,
    section_vectors,
    trail,
)
from audit_app.storage.media_store import MediaState
from audit_app.storage.tables import audit_revisions, audits, branches


@dataclass(frozen=True)
class VerifyReport:
    audits: int
    revisions: int
    problems: tuple[str, ...] = field(default_factory=tuple)
    seconds: float = 0.0
    head: Head | None = None
    """Where the ledger ends: write it down, and ``verify --head`` checks it is still reached."""
    records: int = 0
    """Sealed records checked (every record of every sealed table)."""
    photos: int = 0
    """Photo files checked against their hashes (each once, however many answers show it)."""
    summaries: int = 0
    """Stored item summaries checked against the answers."""
    totals: int = 0
    """Stored branch-month totals checked against the audits' scores."""

    @property
    def ok(self) -> bool:
        return not self.problems


CHUNK = 2_000
"""Audits read at a time (their rows, revisions, answers, scores and vectors): the
ten-times set's 23.4 million answers held at once took 5 GiB; a chunk is 120,000 answers."""

Progress = Callable[[str, int, int], None]
"""Told (step, done, total) as each chunk of a long step is checked; the steps are
``audits`` (audits), ``summaries`` (ranges of branches) and ``ledger`` (sealed records)."""


def verify(
    ctx: AppContext,
    *,
    head: Head | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> VerifyReport:
    """Recompute every hash and score, compare every submitted audit with its latest
    revision and every sealed record with its seal; ``head``: a head written down before.
    Everything is read in one snapshot, ``chunk`` audits at a time."""
    check_head_office(ctx, "verify the audit trail")
    started = time.perf_counter()
    with _collected_by_chunk(), database.snapshot(ctx.engine) as conn:
        return verify_in(ctx, conn, head=head, started=started, progress=progress, chunk=chunk)


def verify_in(
    ctx: AppContext,
    conn: Connection,
    *,
    head: Head | None = None,
    checkpoint: bool = True,
    started: float | None = None,
    progress: Progress | None = None,
    chunk: int = CHUNK,
) -> VerifyReport:
    """The checks on an open connection (a restore runs them before it commits, without
    the checkpoint: a restore starts the database's history again)."""
    started = time.perf_counter() if started is None else started

    def told(step: str, done: int, total: int) -> None:
        _tidy()
        if progress is not None:
            progress(step, done, total)

    problems = [str(found) for found in raw_formats.malformed(conn)]
    tally = _Tally()

    def audits_and_trail() -> None:
        problems.extend(_check_trail(conn, tally, max(1, chunk), told))

    def photo_files() -> None:
        problems.extend(_check_photo_files(ctx, conn, tally.places, tally.earlier_places()))

    summaries = 0

    def item_summaries() -> None:
        nonlocal summaries
        try:
            found, summaries = check_item_sums(
                conn,
                span=max(1, chunk),
                progress=lambda done, total: told("summaries", done, total),
            )
        except item_vectors.VectorError as error:  # the vector itself is named above
            found = [f"the item summaries were not checked: {error}"]
        problems.extend(found)

    totals = 0

    def branch_totals() -> None:
        nonlocal totals
        found, totals = check_branch_sums(conn)
        problems.extend(found)

    sequence, digest = 0, None

    def sealed_records() -> None:
        nonlocal sequence, digest
        ledger_problems, (sequence, digest) = check_ledger(
            conn, chunk=max(1, chunk), progress=lambda done, total: told("ledger", done, total)
        )
        problems.extend(ledger_problems)

    _guarded(problems, "the audits and their trail", audits_and_trail)
    _guarded(problems, "the photo files", photo_files)
    _guarded(problems, "the item summaries", item_summaries)
    _guarded(problems, "the branch-month totals", branch_totals)
    _guarded(problems, "the sealed records", sealed_records)
    first = ledger.entry_at(conn, 1)
    reached = (
        None
        if digest is None
        else Head(sequence, digest, None if first is None else first.chain_hash)
    )
    label = database.redact(ctx.settings.resolved_database_url)
    recorded = trail_head.recorded(ctx.settings.data_dir, label) if checkpoint else None
    if recorded is not None:
        problems += _check_head(
            conn, recorded, reached, f"the checkpoint {trail_head.path_in(ctx.settings.data_dir)}"
        )
    if head is not None:
        problems += _check_head(conn, head, reached, "the head given")
    return VerifyReport(
        tally.audits,
        tally.revisions,
        tuple(problems),
        time.perf_counter() - started,
        reached,
        sequence,
        len(tally.places.keys() | tally.earlier.keys()),
        summaries,
        totals,
    )


GARBAGE = 1_000_000
"""Objects a run may gain between two chunks before the collector runs (it is paused)."""


@contextmanager
def _collected_by_chunk() -> Iterator[None]:
    """Pause Python's automatic collector, which a chunk's hundred thousand rows set off
    again and again (a third of verify's time on the scale set); :func:`_tidy` collects
    between chunks when the objects have grown by :data:`GARBAGE`."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _tidy() -> None:
    if not gc.isenabled() and gc.get_count()[0] > GARBAGE:
        gc.collect()


@dataclass
class _Tally:
    """What the chunks add up to: counts, and the photos (few, each named where it is used)."""

    audits: int = 0
    revisions: int = 0
    places: dict[str, list[str]] = field(default_factory=dict)
    """Each photo a submitted answer carries now: where, in audit and item order."""
    earlier: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """Each photo a revision names: (sequence, where)."""

    def earlier_places(self) -> dict[str, list[str]]:
        """The photos revisions name, each with its places in the order of the chain."""
        ordered = sorted(self.earlier.items(), key=lambda entry: min(entry[1]))
        return {sha: [place for _s, place in sorted(where)] for sha, where in ordered}


Span = tuple[int | None, int | None]
"""Audit ids ``after < id <= upto``; None: no bound."""


def _spans(conn: Connection, chunk: int) -> tuple[list[Span], int]:
    """Ranges of ``chunk`` audit ids covering every id (the last one open, so a revision of
    an audit that no longer exists falls in one), and how many audits there are."""
    bounds: list[int] = []
    count = 0
    ids = conn.execute(
        select(audits.c.id).order_by(audits.c.id).execution_options(yield_per=10_000)
    )
    for count, audit_id in enumerate(ids.scalars(), start=1):
        if count % chunk == 0:
            bounds.append(int(audit_id))
    starts: list[int | None] = [None, *bounds]
    ends: list[int | None] = [*bounds, None]
    return list(zip(starts, ends, strict=True)), count


def _between(column: Any, span: Span) -> list[Any]:
    after, upto = span
    return [
        *(() if after is None else (column > after,)),
        *(() if upto is None else (column <= upto,)),
    ]


ProblemKey = tuple[int, ...]
"""Where a finding of the trail stands in the report: the revision's sequence for those of
one revision, the audit's first sequence for those of its chain, then the audit's id for
those of its rows (the order of one pass over everything)."""


def _check_trail(conn: Connection, tally: _Tally, chunk: int, told: Progress) -> list[str]:
    """The chain of all submissions (hashes only), then each range of audits: their
    revisions' contents and chains, their current rows, scores and item-score vectors."""
    found: dict[ProblemKey, str] = {}
    pending: dict[ProblemKey, tuple[int, str]] = {}  # findings still to be given a name
    tally.revisions = _check_sequence(conn, pending)
    spans, total = _spans(conn, chunk)
    scores = ScoreChecker(conn)
    layouts = item_vectors.Layouts(conn)
    done = 0
    for span in spans:
        stored = _audits(conn, span)
        latest = _check_revisions(conn, span, stored, found, tally)
        _check_current(conn, span, stored, latest, scores, layouts, found, tally)
        tally.audits += len(stored)
        done = min(total, done + chunk)
        told("audits", done, total)
    if pending:
        names = _audits(conn, ids=sorted({audit_id for audit_id, _ in pending.values()}))
        for key, (audit_id, text) in pending.items():
            found[key] = text.format(name=_label(audit_id, names.get(audit_id)))
    return [found[key] for key in sorted(found)]


def _check_sequence(conn: Connection, pending: dict[ProblemKey, tuple[int, str]]) -> int:
    """The chain over all submissions in order, its hashes streamed without the contents;
    returns how many revisions there are."""
    query = select(
        audit_revisions.c.sequence,
        audit_revisions.c.audit_id,
        audit_revisions.c.revision,
        audit_revisions.c.audit_hash,
        audit_revisions.c.chain_hash,
    ).order_by(audit_revisions.c.sequence)
    previous_chain: str | None = None
    previous_sequence = count = 0
    for sequence, audit_id, number, audit_hash, chain_hash in conn.execute(
        query.execution_options(yield_per=10_000)
    ):
        count += 1
        if sequence != previous_sequence + 1:
            pending[(0, sequence, 2)] = (
                audit_id,
                "the chain of all submissions is broken before {name} revision "
                f"{number}: sequence {previous_sequence + 1} is missing (a revision was removed)",
            )
        elif trail.link(previous_chain, audit_hash) != chain_hash:
            pending[(0, sequence, 2)] = (
                audit_id,
                "the chain of all submissions is broken at {name} revision "
                f"{number} (sequence {sequence})",
            )
        previous_chain, previous_sequence = chain_hash, sequence
    return count


def _guarded(problems: list[str], what: str, check: Callable[[], None]) -> None:
    """Run one group of checks; a value it cannot even read is a finding, not a crash that
    would hide every other one."""
    try:
        check()
    except (ValueError, TypeError, KeyError, AttributeError, LookupError) as error:
        problems.append(
            f"the check of {what} stopped at a value it cannot read ({type(error).__name__}: "
            f"{str(error)[:200]}): a value was written outside the app; fix the values named "
            "above and run verify again"
        )


def _check_head(conn: Connection, wanted: Head, reached: Head | None, source: str) -> list[str]:
    """The ledger must still hold the entry ``wanted`` names, with the same digest."""
    if wanted.first is not None and reached is not None and reached.first != wanted.first:
        return [
            f"the ledger was replaced as a whole: its first seal is not the one {source} "
            "recorded, so every record may have been sealed again over changes made outside "
            "the app (a dropped ledger re-made by an upgrade, or another database): compare "
            "with a backup"
        ]
    end = 0 if reached is None else reached.sequence
    if wanted.sequence > end:
        return [
            f"the trail ends at sealed record {end:,}, but {source} says it reached "
            f"{wanted.sequence:,}: the newest {wanted.sequence - end:,} sealed records "
            "(audits, revisions, actions, log entries) were deleted"
        ]
    entry = ledger.entry_at(conn, wanted.sequence)
    if entry is None or entry.chain_hash != wanted.digest:
        return [
            f"sealed record {wanted.sequence:,} is not the one {source} names "
            f"({wanted.digest[:12]}…): the trail was rewritten from there on"
        ]
    return []


def _audits(
    conn: Connection, span: Span = (None, None), *, ids: list[int] | None = None
) -> dict[int, dict[str, Any]]:
    """The submitted audits of one range of ids (or these ``ids``), by id."""
    query = (
        select(
            audits.c.id,
            branches.c.code.label("branch_code"),
            audits.c.checklist_id,
            audits.c.checklist_version,
            audits.c.visited_at,
            audits.c.auditor,
            audits.c.kind,
            audits.c.channel,
            audits.c.language,
            audits.c.source_hash,
            audits.c.visit_reference,
            audits.c.revision,
            audits.c.checklist_version_id,
        )
        .select_from(audits.join(branches, branches.c.id == audits.c.branch_id))
        .where(audits.c.status == str(AuditStatus.SUBMITTED), *_between(audits.c.id, span))
        .order_by(audits.c.id)
    )
    if ids is None:
        return {row.id: dict(row._mapping) for row in conn.execute(query)}
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 900):  # SQLite's parameter limit
        part = query.where(audits.c.id.in_(ids[start : start + 900]))
        found.update({row.id: dict(row._mapping) for row in conn.execute(part)})
    return found


def _revisions(conn: Connection, span: Span) -> Iterator[dict[str, Any]]:
    """The revisions of one range of audits, by audit and revision."""
    query = (
        select(audit_revisions)
        .where(*_between(audit_revisions.c.audit_id, span))
        .order_by(audit_revisions.c.audit_id, audit_revisions.c.revision)
    )
    for row in conn.execute(query):
        yield dict(row._mapping)


Said = tuple[tuple[Any, ...], Any, str | None]
"""What a revision says about the visit and its answers (the fields the current rows
hold), and its photos as JSON."""


def _said(content: Any) -> Said | None:
    """The part of a revision's content that the current rows must repeat, for comparing
    the latest revision of each audit in a chunk with its rows (hashing both, as before,
    took a tenth of verify)."""
    if not isinstance(content, dict):
        return None
    visit = content.get("visit") or {}
    photos = content.get("photos")
    return (
        tuple(visit.get(key) for key in trail.VISIT_FIELDS),
        content.get("answers") or [],  # lists, as JSON reads them
        json.dumps(photos, sort_keys=True) if photos else None,
    )


def _same(now: Said, then: Said) -> bool:
    """As strict as comparing the JSON: ``1 == 1.0 == True`` in Python, not in JSON."""
    return (
        now == then
        and [type(value) for value in now[0]] == [type(value) for value in then[0]]
        and [type(value) for answer in now[1] for value in answer]
        == [type(value) for answer in then[1] for value in answer]
    )


def _label(audit_id: int, row: dict[str, Any] | None) -> str:
    if row is None:
        return f"audit #{audit_id}"
    return f"audit #{audit_id} ({row['branch_code']}, {row['visited_at']:%Y-%m-%d %H:%M})"


def _check_revisions(
    conn: Connection,
    span: Span,
    stored: dict[int, dict[str, Any]],
    found: dict[ProblemKey, str],
    tally: _Tally,
) -> dict[int, dict[str, Any]]:
    """Check the revisions of one range of audits (content against hash, who/when/why, each
    audit's own chain); ``tally`` receives the photos they name. Returns each audit's
    latest revision, light: hashes and what it says of the visit and the answers."""
    by_audit: dict[int, list[dict[str, Any]]] = {}
    for rev in _revisions(conn, span):
        audit_id = rev["audit_id"]
        number, sequence = rev["revision"], rev["sequence"]
        light = {
            key: rev[key]
            for key in ("audit_id", "revision", "content_hash", "audit_hash", "sequence")
        } | {"said": _said(rev["content"])}
        by_audit.setdefault(rev["audit_id"], []).append(light)
        if trail.content_hash(rev["content"]) != rev["content_hash"]:
            found[(0, sequence, 0)] = (
                f"{_label(audit_id, stored.get(audit_id))}: the stored content of revision "
                f"{number} was changed"
            )
        meta = rev["content"] if isinstance(rev["content"], dict) else {}
        for item_id, hashes in meta.get("photos") or []:
            for sha in hashes:
                tally.earlier.setdefault(sha, []).append(
                    (
                        sequence,
                        f"{_label(audit_id, stored.get(audit_id))} revision {number}, "
                        f"item {item_id}",
                    )
                )
        if (meta.get("revision"), meta.get("by"), meta.get("reason"), meta.get("at")) != (
            number,
            rev["created_by"],
            rev["reason"],
            trail.iso(rev["created_at"]),
        ):
            found[(0, sequence, 1)] = (
                f"{_label(audit_id, stored.get(audit_id))}: who, when or why of revision "
                f"{number} no longer matches its content"
            )
    latest: dict[int, dict[str, Any]] = {}
    for audit_id, chain in by_audit.items():
        first = min(rev["sequence"] for rev in chain)
        for index, problem in enumerate(_check_audit_chain(audit_id, stored.get(audit_id), chain)):
            found[(1, first, index)] = problem
        latest[audit_id] = max(chain, key=lambda rev: rev["revision"])
    for audit_id, row in stored.items():
        if audit_id not in by_audit:
            found[(2, audit_id)] = f"{_label(audit_id, row)}: has no sealed revision in the trail"
    return latest


def _check_audit_chain(
    audit_id: int, row: dict[str, Any] | None, chain: list[dict[str, Any]]
) -> list[str]:
    name = _label(audit_id, row)
    if row is None:
        return [f"{name} is in the trail but no longer a submitted audit in the database"]
    problems: list[str] = []
    previous: str | None = None
    chain = sorted(chain, key=lambda r: r["revision"])
    for expected, rev in enumerate(chain, start=1):
        if rev["revision"] != expected:
            problems.append(f"{name}: revision {expected} is missing from its chain")
            break
        if trail.link(previous, rev["content_hash"]) != rev["audit_hash"]:
            problems.append(f"{name}: the chain of its revisions is broken at revision {expected}")
            break
        previous = rev["audit_hash"]
    if chain and chain[-1]["revision"] != row["revision"]:
        problems.append(
            f"{name}: the audit says revision {row['revision']} but its trail ends at "
            f"revision {chain[-1]['revision']}"
        )
    return problems


def _current_answers(conn: Connection, span: Span) -> Iterator[tuple[int, list[StoredAnswer]]]:
    """The current answers of one range of submitted audits, one audit at a time (through
    the driver: no SQLAlchemy row per answer)."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    after, upto = span
    bounds = "".join(
        [
            "" if after is None else f" AND a.audit_id > {marker}",
            "" if upto is None else f" AND a.audit_id <= {marker}",
        ]
    )
    params = (str(AuditStatus.SUBMITTED), *(bound for bound in span if bound is not None))
    result = conn.exec_driver_sql(
        "SELECT a.audit_id, a.item_id, a.value, a.na, a.comment, a.score FROM answers a "
        f"JOIN audits u ON u.id = a.audit_id WHERE u.status = {marker}{bounds} "
        "ORDER BY a.audit_id, a.item_id",
        params,
    )
    try:  # the driver's rows as they are: a chunk is small, SQLAlchemy's row per answer was not
        rows = result.cursor.fetchall()
    finally:
        result.close()
    for audit_id, group in groupby(rows, key=lambda r: r[0]):
        yield audit_id, [(r[1], r[2], bool(r[3]), r[4], r[5]) for r in group]


VECTOR_ITEMS_SHOWN = 5
"""Items named when an audit's item-score vector disagrees with its answers."""


def _photos(conn: Connection, span: Span) -> dict[int, dict[str, list[str]]]:
    """The photo hashes of one range of submitted audits, by audit and item, in order."""
    found: dict[int, dict[str, list[str]]] = {}
    for audit_id, item_id, sha in evidence_store.submitted_links(conn, *span):
        found.setdefault(audit_id, {}).setdefault(item_id, []).append(sha)
    return found


PHOTO_PLACES_SHOWN = 3
"""Answers named for one missing or altered photo file."""


def _check_photo_files(
    ctx: AppContext,
    conn: Connection,
    current: dict[str, list[str]],
    earlier: dict[str, list[str]],
) -> list[str]:
    """Every photo a submitted answer carries (``current``: where, in audit and item
    order), or an earlier revision named, must be recorded and its file present and
    unchanged (the file's name is its hash, so any change to it shows). A photo a
    correction took off an answer is still evidence of what was first said."""
    places = dict(current)
    for sha, where in earlier.items():
        places.setdefault(sha, where)
    recorded = evidence_store.known(conn, places)
    store = evidence.media_store(ctx.settings)
    problems = []
    for sha, where in sorted(places.items(), key=lambda entry: entry[1][0]):
        shown = "; ".join(where[:PHOTO_PLACES_SHOWN]) + (
            f" and {len(where) - PHOTO_PLACES_SHOWN} more"
            if len(where) > PHOTO_PLACES_SHOWN
            else ""
        )
        state = store.state(sha)
        if state == MediaState.MISSING:
            problems.append(
                f"{shown}: photo {sha[:12]}… is missing from the media store "
                f"({store.path(sha)}): restore it from a backup"
            )
        elif state == MediaState.ALTERED:
            problems.append(
                f"{shown}: photo {sha[:12]}… was altered in the media store "
                f"({store.path(sha)}): its content no longer matches its hash"
            )
        if sha not in recorded:
            problems.append(f"{shown}: photo {sha[:12]}… has no row in the media table")
    return problems


def _check_current(
    conn: Connection,
    span: Span,
    stored: dict[int, dict[str, Any]],
    latest: dict[int, dict[str, Any]],
    scores: ScoreChecker,
    layouts: item_vectors.Layouts,
    found: dict[ProblemKey, str],
    tally: _Tally,
) -> None:
    """One range of submitted audits: current rows against the latest revision, stored
    scores and item-score vector against the answers."""
    photos = _photos(conn, span)
    for audit_id, by_item in sorted(photos.items()):
        for item_id, hashes in sorted(by_item.items()):
            for sha in hashes:
                tally.places.setdefault(sha, []).append(
                    f"{_label(audit_id, stored.get(audit_id))}, item {item_id}"
                )
    scores.load(conn, *span)
    vectors = item_vectors.stored(conn, *span)
    section_blobs = section_vectors.stored(conn, *span)

    def check(audit_id: int, scored: list[StoredAnswer]) -> None:
        row, rev = stored.get(audit_id), latest.get(audit_id)
        if row is None:
            return  # not submitted
        changed = scores.differences(row["checklist_version_id"], audit_id, scored)
        if changed:
            found[(3, audit_id, 1)] = (
                f"{_label(audit_id, row)}: its stored scores do not follow from its answers "
                f"({'; '.join(changed)})"
            )
        _, vector = vectors.get(audit_id, (None, None))
        answered = [(answer[0], answer[4]) for answer in scored]
        wrong = item_vectors.differences(layouts[row["checklist_version_id"]], vector, answered)
        if wrong:
            shown = wrong[:VECTOR_ITEMS_SHOWN]
            if len(wrong) > len(shown):
                shown.append(f"{len(wrong) - len(shown)} more")
            found[(3, audit_id, 2)] = (
                f"{_label(audit_id, row)}: the item scores that comparisons read do not match "
                f"its answers ({'; '.join(shown)})"
            )
        wrong = section_vectors.differences(
            layouts[row["checklist_version_id"]],
            section_blobs.get(audit_id),
            scores.section_rows(audit_id),
            scored=scores.scored(audit_id),
        )
        if wrong:
            found[(3, audit_id, 3)] = (
                f"{_label(audit_id, row)}: the section scores that comparisons read do not "
                f"match its stored section scores ({'; '.join(wrong)})"
            )
        if rev is None or rev["said"] is None:
            return  # reported by the chain checks
        rows = [answer[:4] for answer in scored]
        now = trail.revision_content(
            row,
            rows,
            revision=0,
            by=None,
            at=row["visited_at"],
            reason=None,
            photos=photos.get(audit_id),
        )
        said = _said(now)
        if said is not None and _same(said, rev["said"]):
            return
        sealed = conn.execute(
            select(audit_revisions.c.content).where(
                audit_revisions.c.audit_id == audit_id,
                audit_revisions.c.revision == rev["revision"],
            )
        ).scalar_one()
        changes = _differences(now, sealed)
        if changes:
            found[(3, audit_id, 0)] = (
                f"{_label(audit_id, row)}: the stored answers no longer match revision "
                f"{rev['revision']} ({'; '.join(changes)})"
            )

    answered = set()
    for audit_id, rows in _current_answers(conn, span):
        answered.add(audit_id)
        check(audit_id, rows)
    for audit_id in sorted(stored.keys() - answered):
        check(audit_id, [])


def _differences(now: dict[str, Any], sealed: dict[str, Any]) -> list[str]:
    changes = []
    sealed_visit = sealed.get("visit") or {}
    for key in trail.VISIT_FIELDS:
        if now["visit"].get(key) != sealed_visit.get(key):
            changes.append(f"visit {key} changed")
    then = {a[0]: list(a) for a in sealed.get("answers") or []}
    here = {a[0]: list(a) for a in now["answers"]}
    for item_id in sorted(then.keys() | here.keys()):
        if item_id not in here:
            changes.append(f"answer {item_id} removed")
        elif item_id not in then:
            changes.append(f"answer {item_id} added")
        elif here[item_id] != then[item_id]:
            changes.append(f"answer {item_id} changed")
    photos_then = {item_id: hashes for item_id, hashes in sealed.get("photos") or []}
    photos_now = {item_id: hashes for item_id, hashes in now.get("photos") or []}
    for item_id in sorted(photos_then.keys() | photos_now.keys()):
        if photos_then.get(item_id) != photos_now.get(item_id):
            changes.append(f"the photos of answer {item_id} changed")
    return changes
