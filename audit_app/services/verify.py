"""``audit-app verify``: recompute the trail and name every record that no longer matches.

The checks: each revision's content against its hash, each audit's chain of revisions, the
chain over all submissions in order, each audit's current rows (visit and answers, what
every query reads) against its latest revision, each audit's stored scores against those
its answers give, its item-score vector (what item comparisons read) against its answers, the
item summaries (``item_month_sums``) against the answers, the
ledger of every sealed record under the trail key, and the ledger's
head against the checkpoint outside the database (and a head someone wrote down), and every
photo a submitted answer carries against its file in the media store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
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
from audit_app.services.verify_sums import check_item_sums
from audit_app.storage import database, evidence_store, item_vectors, ledger, raw_formats, trail
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

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(ctx: AppContext, *, head: Head | None = None) -> VerifyReport:
    """Recompute every hash and score, compare every submitted audit with its latest
    revision and every sealed record with its seal; ``head``: a head written down before."""
    check_head_office(ctx, "verify the audit trail")
    started = time.perf_counter()
    with database.snapshot(ctx.engine) as conn:
        return verify_in(ctx, conn, head=head, started=started)


def verify_in(
    ctx: AppContext,
    conn: Connection,
    *,
    head: Head | None = None,
    checkpoint: bool = True,
    started: float | None = None,
) -> VerifyReport:
    """The checks on an open connection (a restore runs them before it commits, without
    the checkpoint: a restore starts the database's history again)."""
    started = time.perf_counter() if started is None else started
    problems = [str(found) for found in raw_formats.malformed(conn)]
    stored: dict[int, dict[str, Any]] = {}
    revisions: list[dict[str, Any]] = []  # light: hashes and a fingerprint, no content

    photos: dict[int, dict[str, list[str]]] = {}  # the current photos of submitted audits
    earlier: dict[str, list[str]] = {}  # every photo a revision names, and where

    def audits_and_trail() -> None:
        stored.update(_audits(conn))
        photos.update(_photos(conn))
        problems.extend(_check_revisions(stored, _revisions(conn), revisions, earlier))
        problems.extend(_check_current(conn, stored, revisions, photos))

    def photo_files() -> None:
        problems.extend(_check_photo_files(ctx, conn, stored, photos, earlier))

    summaries = 0

    def item_summaries() -> None:
        nonlocal summaries
        try:
            found, summaries = check_item_sums(conn)
        except item_vectors.VectorError as error:  # the vector itself is named above
            found = [f"the item summaries were not checked: {error}"]
        problems.extend(found)

    sequence, digest = 0, None

    def sealed_records() -> None:
        nonlocal sequence, digest
        ledger_problems, (sequence, digest) = check_ledger(conn)
        problems.extend(ledger_problems)

    _guarded(problems, "the audits and their trail", audits_and_trail)
    _guarded(problems, "the photo files", photo_files)
    _guarded(problems, "the item summaries", item_summaries)
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
        len(stored),
        len(revisions),
        tuple(problems),
        time.perf_counter() - started,
        reached,
        sequence,
        len(earlier.keys() | _hashes(photos)),
        summaries,
    )


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


def _audits(conn: Connection) -> dict[int, dict[str, Any]]:
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
        .where(audits.c.status == str(AuditStatus.SUBMITTED))
    )
    return {row.id: dict(row._mapping) for row in conn.execute(query)}


def _revisions(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every revision in chain order, streamed: the contents of a large chain (40,000 audits
    of 60 answers) held at once took most of a gigabyte."""
    query = select(audit_revisions).order_by(audit_revisions.c.sequence)
    for row in conn.execute(query.execution_options(yield_per=1_000)):
        yield dict(row._mapping)


def _fingerprint(content: Any) -> str | None:
    """A digest of what a revision says about the visit and its answers, to compare the
    current rows with the latest revision without keeping every revision's content."""
    if not isinstance(content, dict):
        return None
    visit = content.get("visit") or {}
    photos = content.get("photos")
    return trail.content_hash(
        {
            "visit": {key: visit.get(key) for key in trail.VISIT_FIELDS},
            "answers": [list(answer) for answer in content.get("answers") or []],
            **({"photos": photos} if photos else {}),
        }
    )


def _label(audit_id: int, row: dict[str, Any] | None) -> str:
    if row is None:
        return f"audit #{audit_id}"
    return f"audit #{audit_id} ({row['branch_code']}, {row['visited_at']:%Y-%m-%d %H:%M})"


def _check_revisions(
    stored: dict[int, dict[str, Any]],
    revisions: Iterable[dict[str, Any]],
    kept: list[dict[str, Any]],
    named_photos: dict[str, list[str]],
) -> list[str]:
    """Check each revision as it streams past; ``kept`` receives a light copy of each and
    ``named_photos`` the photos it names (hash -> where)."""
    problems: list[str] = []
    previous_chain: str | None = None
    previous_sequence = 0
    by_audit: dict[int, list[dict[str, Any]]] = {}
    for rev in revisions:
        name = _label(rev["audit_id"], stored.get(rev["audit_id"]))
        number = rev["revision"]
        light = {
            key: rev[key] for key in ("audit_id", "revision", "content_hash", "audit_hash")
        } | {"fingerprint": _fingerprint(rev["content"])}
        kept.append(light)
        by_audit.setdefault(rev["audit_id"], []).append(light)
        if trail.content_hash(rev["content"]) != rev["content_hash"]:
            problems.append(f"{name}: the stored content of revision {number} was changed")
        meta = rev["content"] if isinstance(rev["content"], dict) else {}
        for item_id, hashes in meta.get("photos") or []:
            for sha in hashes:
                named_photos.setdefault(sha, []).append(f"{name} revision {number}, item {item_id}")
        if (meta.get("revision"), meta.get("by"), meta.get("reason"), meta.get("at")) != (
            number,
            rev["created_by"],
            rev["reason"],
            trail.iso(rev["created_at"]),
        ):
            problems.append(
                f"{name}: who, when or why of revision {number} no longer matches its content"
            )
        if rev["sequence"] != previous_sequence + 1:
            problems.append(
                f"the chain of all submissions is broken before {name} revision {number}: "
                f"sequence {previous_sequence + 1} is missing (a revision was removed)"
            )
        elif trail.link(previous_chain, rev["audit_hash"]) != rev["chain_hash"]:
            problems.append(
                f"the chain of all submissions is broken at {name} revision {number} "
                f"(sequence {rev['sequence']})"
            )
        previous_chain, previous_sequence = rev["chain_hash"], rev["sequence"]
    for audit_id, chain in by_audit.items():
        problems += _check_audit_chain(audit_id, stored.get(audit_id), chain)
    for audit_id, row in stored.items():
        if audit_id not in by_audit:
            problems.append(f"{_label(audit_id, row)}: has no sealed revision in the trail")
    return problems


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


def _current_answers(conn: Connection) -> Iterator[tuple[int, list[StoredAnswer]]]:
    """Every submitted audit's current answers, one audit at a time (streamed through the
    driver: 2.4 million answers of the scale set read in a third of the time)."""
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.exec_driver_sql(
        "SELECT a.audit_id, a.item_id, a.value, a.na, a.comment, a.score FROM answers a "
        f"JOIN audits u ON u.id = a.audit_id WHERE u.status = {marker} "
        "ORDER BY a.audit_id, a.item_id",
        (str(AuditStatus.SUBMITTED),),
    )
    for audit_id, group in groupby(cursor, key=lambda r: r[0]):
        yield audit_id, [(r[1], r[2], bool(r[3]), r[4], r[5]) for r in group]


VECTOR_ITEMS_SHOWN = 5
"""Items named when an audit's item-score vector disagrees with its answers."""


def _photos(conn: Connection) -> dict[int, dict[str, list[str]]]:
    """Every submitted audit's photo hashes, by audit and item, in order."""
    found: dict[int, dict[str, list[str]]] = {}
    for audit_id, item_id, sha in evidence_store.submitted_links(conn):
        found.setdefault(audit_id, {}).setdefault(item_id, []).append(sha)
    return found


def _hashes(photos: dict[int, dict[str, list[str]]]) -> set[str]:
    return {sha for by_item in photos.values() for shas in by_item.values() for sha in shas}


PHOTO_PLACES_SHOWN = 3
"""Answers named for one missing or altered photo file."""


def _check_photo_files(
    ctx: AppContext,
    conn: Connection,
    stored: dict[int, dict[str, Any]],
    photos: dict[int, dict[str, list[str]]],
    earlier: dict[str, list[str]],
) -> list[str]:
    """Every photo a submitted answer carries, or an earlier revision named, must be
    recorded and its file present and unchanged (the file's name is its hash, so any change
    to it shows). A photo a correction took off an answer is still evidence of what was
    first said."""
    places: dict[str, list[str]] = {}
    for audit_id, by_item in sorted(photos.items()):
        for item_id, hashes in sorted(by_item.items()):
            for sha in hashes:
                places.setdefault(sha, []).append(
                    f"{_label(audit_id, stored.get(audit_id))}, item {item_id}"
                )
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
    stored: dict[int, dict[str, Any]],
    revisions: list[dict[str, Any]],
    photos: dict[int, dict[str, list[str]]],
) -> list[str]:
    latest: dict[int, dict[str, Any]] = {}
    for rev in revisions:
        seen = latest.get(rev["audit_id"])
        if seen is None or rev["revision"] > seen["revision"]:
            latest[rev["audit_id"]] = rev
    problems: dict[tuple[int, int], str] = {}
    scores = ScoreChecker(conn)
    vectors = item_vectors.stored(conn)
    layouts = item_vectors.Layouts(conn)

    def check(audit_id: int, scored: list[StoredAnswer]) -> None:
        row, rev = stored.get(audit_id), latest.get(audit_id)
        if row is None:
            return  # not submitted
        changed = scores.differences(row["checklist_version_id"], audit_id, scored)
        if changed:
            problems[(audit_id, 1)] = (
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
            problems[(audit_id, 2)] = (
                f"{_label(audit_id, row)}: the item scores that comparisons read do not match "
                f"its answers ({'; '.join(shown)})"
            )
        if rev is None or rev["fingerprint"] is None:
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
        if _fingerprint(now) == rev["fingerprint"]:
            return
        sealed = conn.execute(
            select(audit_revisions.c.content).where(
                audit_revisions.c.audit_id == audit_id,
                audit_revisions.c.revision == rev["revision"],
            )
        ).scalar_one()
        changes = _differences(now, sealed)
        if changes:
            problems[(audit_id, 0)] = (
                f"{_label(audit_id, row)}: the stored answers no longer match revision "
                f"{rev['revision']} ({'; '.join(changes)})"
            )

    answered = set()
    for audit_id, rows in _current_answers(conn):
        answered.add(audit_id)
        check(audit_id, rows)
    for audit_id in stored.keys() - answered:
        check(audit_id, [])
    return [problems[key] for key in sorted(problems)]


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
