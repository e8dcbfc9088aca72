"""Save, load and query audits. Every function works on a connection inside a transaction
that its caller opened, so a use case decides what is written together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, insert, select, update

from audit_app.domain.answers import encode_value
from audit_app.domain.audit import AuditRecord, AuditStatus, Branch, Visit
from audit_app.domain.bounds import code_key
from audit_app.domain.checklist import Checklist
from audit_app.domain.filters import AuditFilter
from audit_app.domain.scoring import ScoreCard
from audit_app.errors import AuditAppError
from audit_app.storage import (
    activity_store,
    branch_sums,
    evidence_store,
    item_sums,
    item_vectors,
    ledger,
    section_vectors,
    trail,
)
from audit_app.storage.bulk import insert_many, next_ids, worth_copying
from audit_app.storage.tables import (
    answer_photos,
    answers,
    audit_item_scores,
    audit_revisions,
    audit_scores,
    audit_section_scores,
    audits,
    branches,
    checklist_versions,
    section_scores,
)

BRANCH_FIELDS = tuple(Branch.model_fields)
VisitKey = tuple[int, str, datetime, str, str | None]
"""(branch id, checklist id, visit time, auditor, visit reference): one visit is stored
once. The outside reference tells two visits of one store at one time apart; None where
there is none."""


def visit_key(branch_id: int, visit: Visit) -> VisitKey:
    return (branch_id, visit.checklist_id, visit.visited_at, visit.auditor, visit.reference)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class BranchUpsert:
    inserted: int
    updated: int
    unchanged: int


def upsert_branches(conn: Connection, incoming: Sequence[Branch]) -> BranchUpsert:
    """Insert new branch codes (with their ``code_key``), update changed ones, leave
    identical ones alone."""
    existing = {
        row.code: row
        for row in conn.execute(select(branches.c.id, *(branches.c[f] for f in BRANCH_FIELDS)))
    }
    now = utcnow()
    new_rows: list[dict[str, Any]] = []
    touched: list[int] = []
    updated = unchanged = 0
    for branch in incoming:
        data = branch.model_dump()
        row = existing.get(branch.code)
        if row is None:
            new_rows.append(
                {**data, "code_key": code_key(branch.code), "created_at": now, "updated_at": now}
            )
        elif any(getattr(row, field) != data[field] for field in BRANCH_FIELDS):
            ledger.check_unchanged(conn, branches, [row.id])
            conn.execute(
                update(branches).where(branches.c.id == row.id).values(**data, updated_at=now)
            )
            touched.append(row.id)
            updated += 1
        else:
            unchanged += 1
    if new_rows:
        touched += conn.execute(
            insert(branches).returning(branches.c.id, sort_by_parameter_order=True), new_rows
        ).scalars()
    ledger.seal(conn, branches, touched)
    return BranchUpsert(len(new_rows), updated, unchanged)


def list_branches(conn: Connection, *, active_only: bool = False) -> list[Branch]:
    query = select(*(branches.c[f] for f in BRANCH_FIELDS)).order_by(branches.c.code)
    if active_only:
        query = query.where(branches.c.active.is_(True))
    return [Branch.model_validate(dict(row._mapping)) for row in conn.execute(query)]


def branch_stamp(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever a branch is added, changed or removed (every change sets
    ``updated_at``): count, newest id, newest change."""
    query = select(func.count(), func.max(branches.c.id), func.max(branches.c.updated_at))
    return tuple(conn.execute(query.select_from(branches)).one())


def branch_ids(conn: Connection) -> dict[str, int]:
    return {code: id_ for id_, code in conn.execute(select(branches.c.id, branches.c.code))}


CHECKLIST_REPLACED = "checklist version replaced"
"""The activity-log action written when a stored version no audit uses takes a file's new
content."""
CHECKLIST_FILES = "checklist files"
"""The actor of that entry: the files in the checklists folder, not a person."""


@dataclass(frozen=True)
class ReplacedVersion:
    """A stored checklist version that no audit used, replaced by its file's new content."""

    checklist_id: str
    version: int
    old_hash: str
    new_hash: str

    def notice(self) -> str:
        return (
            f"checklist {self.checklist_id} v{self.version} changed and no audit uses it: "
            "the stored version was replaced by the file's content"
        )


@dataclass(frozen=True)
class StoredChecklists:
    ids: dict[tuple[str, int], int]
    replaced: tuple[ReplacedVersion, ...] = ()


def store_checklists(
    conn: Connection, checklists: Iterable[Checklist]
) -> dict[tuple[str, int], int]:
    """The ids of every stored version, after :func:`store_checklist_versions`."""
    return store_checklist_versions(conn, checklists).ids


def store_checklist_versions(conn: Connection, checklists: Iterable[Checklist]) -> StoredChecklists:
    """Record each checklist version once. A changed file under a version that audits use is
    refused, because they would silently change meaning; a version no audit uses yet is
    replaced (sealed anew, and the activity log says so)."""
    stored = {
        (row.checklist_id, row.version): row
        for row in conn.execute(
            select(
                checklist_versions.c.id,
                checklist_versions.c.checklist_id,
                checklist_versions.c.version,
                checklist_versions.c.content_hash,
            )
        )
    }
    ids: dict[tuple[str, int], int] = {}
    replaced: list[ReplacedVersion] = []
    for checklist in checklists:
        key = (checklist.id, checklist.version)
        row = stored.get(key)
        if row is None:
            ids[key] = conn.execute(
                insert(checklist_versions)
                .values(
                    checklist_id=checklist.id,
                    version=checklist.version,
                    title=checklist.title_in()[:200],
                    content_hash=checklist.content_hash,
                    definition=checklist.to_data(),
                    stored_at=utcnow(),
                )
                .returning(checklist_versions.c.id)
            ).scalar_one()
            ledger.seal(conn, checklist_versions, [ids[key]])
        elif row.content_hash != checklist.content_hash:
            if _stored_hash_now(conn, row.id) != checklist.content_hash:
                if _version_in_use(conn, row.id):
                    raise AuditAppError(
                        f"checklist {checklist.id} v{checklist.version} differs from the "
                        "version already stored in the database; give the changed file a new "
                        "version number"
                    )
                replaced.append(_replace_version(conn, row.id, row.content_hash, checklist))
            else:
                # Same content, hashed by an older rule or newly translated: keep the file's form.
                conn.execute(
                    update(checklist_versions)
                    .where(checklist_versions.c.id == row.id)
                    .values(content_hash=checklist.content_hash, definition=checklist.to_data())
                )
                ledger.seal(conn, checklist_versions, [row.id])
            ids[key] = row.id
        else:
            ids[key] = row.id
    for key, row in stored.items():
        ids.setdefault(key, row.id)
    return StoredChecklists(ids, tuple(replaced))


def _version_in_use(conn: Connection, version_id: int) -> bool:
    """An audit (draft or submitted) was given under this version."""
    found = conn.execute(
        select(audits.c.id).where(audits.c.checklist_version_id == version_id).limit(1)
    ).first()
    return found is not None


def _replace_version(
    conn: Connection, version_id: int, old_hash: str, checklist: Checklist
) -> ReplacedVersion:
    """The unused version takes the file's content: checked against its seal first (a row
    changed behind the app is not sealed over), sealed after, and logged in the same
    transaction."""
    ledger.check_unchanged(conn, checklist_versions, [version_id])
    now = utcnow()
    conn.execute(
        update(checklist_versions)
        .where(checklist_versions.c.id == version_id)
        .values(
            title=checklist.title_in()[:200],
            content_hash=checklist.content_hash,
            definition=checklist.to_data(),
            stored_at=now,
        )
    )
    ledger.seal(conn, checklist_versions, [version_id])
    done = ReplacedVersion(checklist.id, checklist.version, old_hash, checklist.content_hash)
    activity_store.add(
        conn,
        at=now,
        actor=CHECKLIST_FILES,
        action=CHECKLIST_REPLACED,
        subject=f"checklist {checklist.id} v{checklist.version}",
        detail={"previous_content": old_hash, "content": checklist.content_hash},
    )
    return done


def _stored_hash_now(conn: Connection, version_id: int) -> str | None:
    """The stored definition's hash by today's rule (translations do not count)."""
    definition = conn.execute(
        select(checklist_versions.c.definition).where(checklist_versions.c.id == version_id)
    ).scalar_one()
    try:
        return Checklist.model_validate(definition).content_hash
    except ValueError:
        return None


def stored_checklist_definitions(conn: Connection) -> list[dict[str, Any]]:
    """Every checklist version ever stored, so old audits stay readable after a file goes."""
    return [row.definition for row in conn.execute(select(checklist_versions.c.definition))]


def existing_visit_keys(
    conn: Connection, branch_id_list: Iterable[int] | None = None
) -> set[VisitKey]:
    query = select(
        audits.c.branch_id,
        audits.c.checklist_id,
        audits.c.visited_at,
        audits.c.auditor,
        audits.c.visit_reference,
    )
    if branch_id_list is not None:
        query = query.where(audits.c.branch_id.in_(list(branch_id_list)))
    return {tuple(row) for row in conn.execute(query)}


AUDIT_TABLES = (
    audits,
    answers,
    audit_item_scores,
    audit_scores,
    section_scores,
    audit_section_scores,
    answer_photos,
    audit_revisions,
)
"""The tables :func:`add_audits` writes rows into (and ``record_seals``, which has no foreign
key): a bulk load may check their foreign keys once (``bulk.foreign_keys_checked_once``)."""
ANSWER_COLUMNS = ("audit_id", "item_id", "value", "na", "comment", "score")
ANSWER_CHUNK = 50_000


def add_audits(
    conn: Connection,
    records: Sequence[tuple[AuditRecord, ScoreCard | None]],
    *,
    branch_id_of: dict[str, int],
    checklist_version_id_of: dict[tuple[str, int], int],
) -> list[int]:
    """Insert audits with their answers and scores in bulk; returns the new ids in order."""
    if not records:
        return []
    now = utcnow()
    audit_rows = []
    for record, _card in records:
        visit = record.visit
        try:
            branch_id = branch_id_of[visit.branch_code]
        except KeyError:
            raise AuditAppError(f"unknown branch code {visit.branch_code!r}") from None
        audit_rows.append(
            {
                "branch_id": branch_id,
                "checklist_version_id": checklist_version_id_of[
                    (visit.checklist_id, visit.checklist_version)
                ],
                "checklist_id": visit.checklist_id,
                "checklist_version": visit.checklist_version,
                "kind": str(visit.kind),
                "channel": None if visit.channel is None else str(visit.channel),
                "visited_at": visit.visited_at,
                "auditor": visit.auditor,
                "language": visit.language,
                "status": str(record.status),
                "source": record.source,
                "source_hash": record.source_hash,
                "created_at": now,
                "created_by": record.created_by,
                "submitted_at": now if record.status == AuditStatus.SUBMITTED else None,
                "follow_up_of": visit.follow_up_of,
                "visit_reference": visit.reference,
            }
        )
    ids = _insert_audits(conn, audit_rows)
    answer_rows: list[tuple[Any, ...]] = []
    vector_rows: list[tuple[int, bytes]] = []  # item_vectors: the comparisons' item scores
    layouts = item_vectors.Layouts(conn)
    score_rows: list[dict[str, Any]] = []  # one per audit, with a datetime: through Core
    section_rows: list[tuple[Any, ...]] = []
    section_vector_rows: list[tuple[int, bytes]] = []  # section_vectors: what comparisons read
    seals: list[trail.Seal] = []
    shares: list[item_sums.Share] = []  # what the submitted audits add to the item summaries
    photo_rows: list[dict[str, Any]] = []  # drafts keep their photos too
    for audit_id, audit_row, (record, card) in zip(ids, audit_rows, records, strict=True):
        photos = {answer.item_id: answer.photos for answer in record.answers if answer.photos}
        photo_rows.extend(evidence_store.link_rows(audit_id, photos))
        item_scores = card.item_scores if card is not None else {}
        stored = [
            (answer.item_id, encode_value(answer), answer.na, answer.comment)
            for answer in record.answers
        ]
        answer_rows.extend((audit_id, *row, item_scores.get(row[0])) for row in stored)
        version_id = checklist_version_id_of[
            (record.visit.checklist_id, record.visit.checklist_version)
        ]
        vector = layouts[version_id].encode({row[0] for row in stored}, item_scores)
        vector_rows.append((audit_id, vector))
        if record.status == AuditStatus.SUBMITTED:  # drafts are sealed when submitted
            shares.append(
                (
                    branch_id_of[record.visit.branch_code],
                    version_id,
                    item_sums.month_of(record.visit.visited_at),
                    str(record.visit.kind),
                    item_sums.channel_key(record.visit.channel),
                    vector,
                    1,
                )
            )
            visit_row = {**audit_row, "branch_code": record.visit.branch_code}
            content = trail.revision_content(
                visit_row,
                stored,
                revision=1,
                by=record.created_by,
                at=now,
                reason=None,
                photos=photos,
            )
            seals.append(trail.Seal(audit_id, 1, now, record.created_by, None, content))
        if len(answer_rows) >= ANSWER_CHUNK:  # bounded memory for a 300,000-answer file
            insert_many(conn, answers, ANSWER_COLUMNS, answer_rows)
            answer_rows.clear()
        if card is not None:
            score_rows.append({"audit_id": audit_id, **score_values(card, now)})
            sections = [(s.section_id, s.score, s.weight) for s in card.sections]
            section_rows.extend((audit_id, *section) for section in sections)
            section_vector_rows.append(
                (audit_id, section_vectors.encode(layouts[version_id], sections))
            )
    insert_many(conn, answers, ANSWER_COLUMNS, answer_rows)
    insert_many(conn, audit_item_scores, ("audit_id", "scores"), vector_rows)
    evidence_store.add_links(conn, photo_rows)
    if worth_copying(conn, len(score_rows)):
        insert_many(
            conn,
            audit_scores,
            SCORE_ROW_COLUMNS,
            [tuple(r[c] for c in SCORE_ROW_COLUMNS) for r in score_rows],
        )
    elif score_rows:
        conn.execute(insert(audit_scores), score_rows)
    insert_many(conn, section_scores, ("audit_id", "section_id", "score", "weight"), section_rows)
    insert_many(conn, audit_section_scores, ("audit_id", "scores"), section_vector_rows)
    ledger.seal(
        conn,
        audits,
        [i for i, (r, _c) in zip(ids, records, strict=True) if r.status == AuditStatus.SUBMITTED],
    )
    trail.append(conn, seals)
    item_sums.add(conn, shares)  # after the chain lock: submitters add their sums in turn
    branch_sums.add_audits(
        conn,
        [i for i, (r, _c) in zip(ids, records, strict=True) if r.status == AuditStatus.SUBMITTED],
    )
    return ids


def _insert_audits(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert audit rows (all with the same keys) and return their ids in order: many on
    PostgreSQL by ids from the sequence and COPY, otherwise INSERT ... RETURNING."""
    if not worth_copying(conn, len(rows)):
        return list(
            conn.execute(
                insert(audits).returning(audits.c.id, sort_by_parameter_order=True), rows
            ).scalars()
        )
    ids = next_ids(conn, audits, len(rows))
    columns = ("id", *rows[0])
    insert_many(
        conn, audits, columns, [(i, *row.values()) for i, row in zip(ids, rows, strict=True)]
    )
    return ids


SCORE_ROW_COLUMNS = (
    "audit_id",
    "overall",
    "raw_overall",
    "grade",
    "passed",
    "critical_failure",
    "scored_at",
)
"""The order of an ``audit_scores`` row built as ``{"audit_id": ..., **score_values()}``."""


def score_values(card: ScoreCard, scored_at: datetime) -> dict[str, Any]:
    """An ``audit_scores`` row's values (without its audit id) for a score card."""
    return {
        "overall": card.overall,
        "raw_overall": card.raw_overall,
        "grade": card.grade,
        "passed": card.passed,
        "critical_failure": card.critical_failure,
        "scored_at": scored_at,
    }


def _filtered(query: Any, audit_filter: AuditFilter) -> Any:
    f = audit_filter
    conditions = [audits.c.status == str(AuditStatus.SUBMITTED)]
    if f.checklist_id:
        conditions.append(audits.c.checklist_id == f.checklist_id)
    if f.date_from:
        conditions.append(audits.c.visited_at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        conditions.append(
            audits.c.visited_at < datetime.combine(f.date_to + timedelta(days=1), time.min)
        )
    conditions += branch_conditions(f)
    if f.kind:
        conditions.append(audits.c.kind == f.kind)
    elif not f.include_follow_ups:  # a follow-up re-checks a few items: not comparable
        conditions.append(audits.c.kind != "follow_up")
    if f.channel:
        conditions.append(audits.c.channel == f.channel)
    if f.auditor:
        conditions.append(audits.c.auditor == f.auditor)
    if f.reference and f.reference.strip():
        wanted = f.reference.strip().lower()
        conditions.append(func.lower(audits.c.visit_reference).contains(wanted, autoescape=True))
    return query.where(*conditions)


def branch_conditions(f: AuditFilter) -> list[Any]:
    """The filter's conditions on the ``branches`` table (region, country, branch, areas)."""
    conditions = []
    if f.region:
        conditions.append(func.lower(branches.c.region) == f.region.lower())
    if f.country:
        conditions.append(branches.c.country == f.country.upper())
    if f.branch_code:
        conditions.append(func.lower(branches.c.code) == f.branch_code.lower())
    if f.areas is not None:
        conditions.append(branches.c.area.in_(f.areas))
    if f.branches is not None:
        conditions.append(branches.c.code.in_(f.branches))
    return conditions


def branch_codes_of(conn: Connection, f: AuditFilter) -> list[str]:
    """The codes of the branches the filter's branch conditions select (every branch
    without one), open or closed."""
    return [
        str(code)
        for code in conn.execute(select(branches.c.code).where(*branch_conditions(f))).scalars()
    ]


SCORE_COLUMNS = [
    "audit_id",
    "branch_code",
    "branch_name",
    "region",
    "area",
    "country",
    "language",
    "checklist_id",
    "checklist_version",
    "kind",
    "channel",
    "visited_at",
    "auditor",
    "visit_reference",
    "overall",
    "grade",
    "passed",
    "critical_failure",
]


def audit_scores_frame(
    conn: Connection, audit_filter: AuditFilter = AuditFilter(), *, newest: int | None = None
) -> pd.DataFrame:
    """One row per submitted audit with its branch and overall score, oldest visit first;
    only the ``newest`` last visits when given (read newest first through the visit-time
    index, not the whole selection: a picker of the latest fifty on the ten-times set)."""
    query = _filtered(
        select(
            audits.c.id.label("audit_id"),
            branches.c.code.label("branch_code"),
            branches.c.name.label("branch_name"),
            branches.c.region,
            branches.c.area,
            branches.c.country,
            audits.c.language,
            audits.c.checklist_id,
            audits.c.checklist_version,
            audits.c.kind,
            audits.c.channel,
            audits.c.visited_at,
            audits.c.auditor,
            audits.c.visit_reference,
            audit_scores.c.overall,
            audit_scores.c.grade,
            audit_scores.c.passed,
            audit_scores.c.critical_failure,
        )
        .select_from(
            audits.join(branches, branches.c.id == audits.c.branch_id).join(
                audit_scores, audit_scores.c.audit_id == audits.c.id
            )
        )
        .order_by(audits.c.visited_at.desc(), audits.c.id.desc()),
        audit_filter,
    )
    if newest is not None:
        query = query.limit(newest)
    rows = conn.execute(query).all()[::-1]  # oldest first
    frame = pd.DataFrame(rows, columns=SCORE_COLUMNS)
    if not frame.empty:
        frame["visited_at"] = pd.to_datetime(frame["visited_at"])
        frame["overall"] = frame["overall"].astype(float)
        frame["critical_failure"] = frame["critical_failure"].astype(bool)
    return frame


def count_rows(conn: Connection) -> dict[str, int]:
    return {
        "branches": conn.execute(select(func.count()).select_from(branches)).scalar_one(),
        "audits": conn.execute(
            select(func.count())
            .select_from(audits)
            .where(audits.c.status == str(AuditStatus.SUBMITTED))
        ).scalar_one(),
        "drafts": conn.execute(
            select(func.count())
            .select_from(audits)
            .where(audits.c.status == str(AuditStatus.DRAFT))
        ).scalar_one(),
    }


def audit_row(conn: Connection, audit_id: int) -> dict[str, Any] | None:
    """An audit's visit fields with its branch code and overall score, or None."""
    row = conn.execute(
        select(
            audits,
            branches.c.code.label("branch_code"),
            branches.c.area.label("branch_area"),
            audit_scores.c.overall,
            audit_scores.c.grade,
            audit_scores.c.passed,
            audit_scores.c.critical_failure,
        )
        .select_from(
            audits.join(branches, branches.c.id == audits.c.branch_id).outerjoin(
                audit_scores, audit_scores.c.audit_id == audits.c.id
            )
        )
        .where(audits.c.id == audit_id)
    ).first()
    return None if row is None else dict(row._mapping)


def answer_rows(conn: Connection, audit_id: int) -> list[dict[str, Any]]:
    """The stored answers of an audit (value as stored text), in item id order."""
    query = select(answers).where(answers.c.audit_id == audit_id).order_by(answers.c.item_id)
    return [dict(row._mapping) for row in conn.execute(query)]


@dataclass(frozen=True)
class BranchKey:
    """What an import needs to recognise a branch, without loading whole branch records."""

    code: str
    name: str
    language: str
    area: str


def branch_keys(conn: Connection) -> list[BranchKey]:
    query = select(branches.c.code, branches.c.name, branches.c.language, branches.c.area)
    return [BranchKey(*row) for row in conn.execute(query)]


def existing_visit_ids(conn: Connection, branch_id_list: Iterable[int]) -> dict[VisitKey, int]:
    """The stored audit id of every visit of these branches, by visit key."""
    query = select(
        audits.c.branch_id,
        audits.c.checklist_id,
        audits.c.visited_at,
        audits.c.auditor,
        audits.c.visit_reference,
        audits.c.id,
    ).where(audits.c.branch_id.in_(list(branch_id_list)))
    return {(b, c, v, a, r): audit_id for b, c, v, a, r, audit_id in conn.execute(query)}


def answer_fingerprints(
    conn: Connection, audit_ids: Sequence[int]
) -> dict[int, frozenset[tuple[str, str | None, bool, str | None]]]:
    """Each audit's answers as a comparable set: has a re-sent visit changed?"""
    found: dict[int, set[tuple[str, str | None, bool, str | None]]] = {i: set() for i in audit_ids}
    for start in range(0, len(audit_ids), 900):
        chunk = list(audit_ids[start : start + 900])
        query = select(
            answers.c.audit_id, answers.c.item_id, answers.c.value, answers.c.na, answers.c.comment
        ).where(answers.c.audit_id.in_(chunk))
        for audit_id, item_id, value, na, comment in conn.execute(query):
            found[audit_id].add((item_id, value, bool(na), comment))
    return {audit_id: frozenset(rows) for audit_id, rows in found.items()}


def delete_draft(conn: Connection, audit_id: int) -> bool:
    """Remove a draft, its answers and their photo links (the photo files stay: another
    audit may show the same photo); a submitted audit is never deleted."""
    if (
        conn.execute(
            select(audits.c.id).where(
                audits.c.id == audit_id, audits.c.status == str(AuditStatus.DRAFT)
            )
        ).first()
        is None
    ):
        return False
    evidence_store.delete_links(conn, audit_id)
    with item_sums.kept(conn, [audit_id]):  # a draft counts for nothing: kept all the same
        conn.execute(answers.delete().where(answers.c.audit_id == audit_id))
        conn.execute(audit_item_scores.delete().where(audit_item_scores.c.audit_id == audit_id))
        result = conn.execute(
            audits.delete().where(
                audits.c.id == audit_id, audits.c.status == str(AuditStatus.DRAFT)
            )
        )
    return bool(result.rowcount)


def draft_rows(conn: Connection, areas: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Drafts, newest first, with their branch and the number of answers given."""
    answered = (
        select(answers.c.audit_id, func.count().label("answered"))
        .group_by(answers.c.audit_id)
        .subquery()
    )
    query = (
        select(
            audits.c.id.label("audit_id"),
            branches.c.code.label("branch_code"),
            branches.c.name.label("branch_name"),
            audits.c.checklist_id,
            audits.c.checklist_version,
            audits.c.visited_at,
            audits.c.auditor,
            audits.c.created_by,
            audits.c.created_at,
            func.coalesce(answered.c.answered, 0).label("answered"),
        )
        .select_from(
            audits.join(branches, branches.c.id == audits.c.branch_id).outerjoin(
                answered, answered.c.audit_id == audits.c.id
            )
        )
        .where(audits.c.status == str(AuditStatus.DRAFT))
        .order_by(audits.c.created_at.desc(), audits.c.id.desc())
    )
    if areas is not None:
        query = query.where(branches.c.area.in_(list(areas)))
    return [dict(row._mapping) for row in conn.execute(query)]
