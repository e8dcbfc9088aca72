"""The trail's building blocks: canonical content, hashes and chains, and the sealing of
submitted audits (never drafts) in the same bulk write."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from audit_app.domain.audit import AuditRecord, AuditStatus, Visit
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.storage import trail
from audit_app.storage.tables import audit_revisions
from tests.services.test_revisions import BRANCHES, good_answers

VISIT = {
    "branch_code": "ES-01",
    "checklist_id": "greeting_phone",
    "checklist_version": 1,
    "visited_at": datetime(2026, 3, 2, 10, 15),
    "auditor": "Ann",
    "kind": "mystery_shop",
    "channel": None,
    "language": "ca",
    "source_hash": None,
}
AT = datetime(2026, 3, 2, 12)


def content(answers: list[trail.AnswerRow]) -> dict[str, object]:
    return trail.revision_content(VISIT, answers, revision=1, by="ann", at=AT, reason=None)


def test_content_is_canonical_whatever_the_answer_order() -> None:
    one = content([("b", "yes", False, None), ("a", "3", False, "late")])
    two = content([("a", "3", False, "late"), ("b", "yes", False, None)])
    assert one == two and trail.content_hash(one) == trail.content_hash(two)
    assert one["answers"] == [["a", "3", False, "late"], ["b", "yes", False, None]]
    assert one["visit"]["visited_at"] == "2026-03-02T10:15:00"  # type: ignore[index]
    changed = content([("a", "4", False, "late"), ("b", "yes", False, None)])
    assert trail.content_hash(changed) != trail.content_hash(one)


def test_hashes_chain_the_previous_link() -> None:
    digest = trail.content_hash(content([]))
    assert trail.link(None, digest) == trail.sha256(digest)
    assert trail.link("abc", digest) == trail.sha256("abc" + digest)
    seals = [
        trail.Seal(1, 1, AT, None, None, content([])),
        trail.Seal(2, 1, AT, None, None, content([("a", "1", False, None)])),
    ]
    rows = trail.chained_rows(seals, (7, "head"))
    assert [r["sequence"] for r in rows] == [8, 9]
    assert rows[0]["chain_hash"] == trail.link("head", rows[0]["audit_hash"])
    assert rows[1]["chain_hash"] == trail.link(rows[0]["chain_hash"], rows[1]["audit_hash"])


def test_submitted_audits_are_sealed_in_bulk_and_drafts_are_not(ctx: AppContext) -> None:
    save_branches(ctx, BRANCHES)
    answers = tuple(good_answers(ctx))
    records = [
        AuditRecord(Visit("ES-01", "greeting_phone", 1, datetime(2026, 3, d, 9), "Ann"), answers)
        for d in (1, 2, 3)
    ]
    draft = AuditRecord(
        Visit("TR-01", "greeting_phone", 1, datetime(2026, 3, 4, 9), "Ann"),
        answers[:2],
        AuditStatus.DRAFT,
    )
    stored = store_audits(ctx, [*records, draft])
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(audit_revisions).order_by(audit_revisions.c.sequence)).all()
    assert [(r.audit_id, r.revision, r.sequence) for r in rows] == [
        (audit_id, 1, n) for n, audit_id in enumerate(stored.ids[:3], start=1)
    ]
    first = rows[0]
    assert first.content["visit"]["branch_code"] == "ES-01"
    assert len(first.content["answers"]) == len(answers)
    assert first.content_hash == trail.content_hash(first.content)
    assert first.audit_hash == trail.link(None, first.content_hash)
    assert rows[1].chain_hash == trail.link(first.chain_hash, rows[1].audit_hash)
    more = store_audits(
        ctx,
        [AuditRecord(Visit("TR-01", "greeting_phone", 1, datetime(2026, 3, 5), "Bo"), answers)],
    )
    with ctx.engine.connect() as conn:
        head = trail.chain_head(conn)
        assert head[0] == 4
        assert trail.last_revision(conn, more.ids[0])["chain_hash"] == head[1]  # type: ignore[index]
