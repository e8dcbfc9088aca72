"""audit-app verify reads a range of audits (and of branches, and of sealed records) at a
time: what it finds in a world of many chunks is what it finds in one, a record tampered
with in a later chunk is still named, and no read holds more than one chunk."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update

from audit_app.domain.audit import Branch
from audit_app.services import verify as verify_module
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.verify import CHUNK, verify
from audit_app.storage import item_sums, ledger_scan
from audit_app.storage.tables import audit_scores, audits, item_month_sums
from tests.services.test_audits import BRANCHES
from tests.services.test_revisions import submit

MORE = [
    Branch(code="ES-02", name="Sants", region="Catalonia", country="ES", language="ca"),
    Branch(code="ES-03", name="Horta", region="Catalonia", country="ES", language="ca"),
    Branch(code="TR-02", name="Moda", region="Istanbul", country="TR", language="tr"),
]
CODES = ["ES-01", "TR-01", "ES-02", "ES-03", "TR-02"]
SMALL = 2
"""Audits per chunk in these tests: the world of :func:`many` is four chunks."""


@pytest.fixture
def many(ctx: AppContext) -> tuple[AppContext, list[int]]:
    """Seven submitted audits over five branches."""
    save_branches(ctx, [*BRANCHES, *MORE])
    ids = [submit(ctx, CODES[n % len(CODES)], day=2 + n) for n in range(7)]
    return ctx, ids


def test_a_clean_world_of_many_chunks_verifies(many: tuple[AppContext, list[int]]) -> None:
    ctx, ids = many
    chunked, whole = verify(ctx, chunk=SMALL), verify(ctx)
    assert chunked.ok and whole.ok
    assert (chunked.audits, chunked.revisions, chunked.records, chunked.summaries) == (
        whole.audits,
        whole.revisions,
        whole.records,
        whole.summaries,
    )
    assert chunked.audits == len(ids) and chunked.summaries > 0


def _tamper(ctx: AppContext, ids: list[int]) -> None:
    """An answer of the last audit, the score of the fourth (the second chunk), the
    auditor of the last (its seal), and three item summaries: one changed, one removed,
    one that no answer gives."""
    last, fourth = ids[-1], ids[3]
    with ctx.engine.begin() as conn:
        conn.execute(
            text("UPDATE answers SET value = '1' WHERE audit_id = :a AND item_id = 'call.tone'"),
            {"a": last},
        )
        conn.execute(
            update(audit_scores).where(audit_scores.c.audit_id == fourth).values(overall=12.5)
        )
        conn.execute(update(audits).where(audits.c.id == last).values(auditor="Mallory"))
        rows = conn.execute(
            select(item_month_sums).order_by(
                item_month_sums.c.branch_id.desc(), item_month_sums.c.item_id
            )
        ).all()
        changed, removed = rows[0], rows[1]
        key = [item_month_sums.c[name] == changed._mapping[name] for name in item_sums.KEY]
        conn.execute(update(item_month_sums).where(*key).values(n=changed.n + 1))
        gone = [item_month_sums.c[name] == removed._mapping[name] for name in item_sums.KEY]
        conn.execute(item_month_sums.delete().where(*gone))
        extra = dict(changed._mapping) | {"month": "2026-09"}
        conn.execute(insert(item_month_sums).values(**extra))


def test_tampering_in_later_chunks_is_named_as_in_one_chunk(
    many: tuple[AppContext, list[int]],
) -> None:
    ctx, ids = many
    _tamper(ctx, ids)
    chunked = verify(ctx, chunk=SMALL)
    assert chunked.problems == verify(ctx, chunk=CHUNK).problems
    assert chunked.problems == verify(ctx, chunk=1).problems
    last, fourth = ids[-1], ids[3]
    found = "\n".join(chunked.problems)
    assert f"audit #{last} (TR-01, 2026-03-08 10:15): the stored answers no longer match" in found
    assert "answer call.tone changed" in found and "visit auditor changed" in found
    assert f"audit #{fourth} (ES-03, 2026-03-05 10:15): its stored scores do not follow" in found
    assert "overall score 12.5 stored" in found
    assert f"audit #{last} (visited 2026-03-08T10:15) was changed outside the app" in found
    assert "auditor 'Ann' sealed, 'Mallory' now" in found
    summaries = [p for p in chunked.problems if p.startswith("the item summary of branch")]
    assert len(summaries) == 3
    assert any("month 2026-09" in p and "no submitted answer gives it" in p for p in summaries)
    assert any(" is missing; the answers give " in p for p in summaries)
    assert any(" holds n=" in p for p in summaries)


def test_a_tampered_seal_in_the_last_chunk_of_the_ledger_is_named(
    many: tuple[AppContext, list[int]],
) -> None:
    ctx, _ids = many
    with ctx.engine.begin() as conn:
        last = conn.execute(text("SELECT max(sequence) FROM record_seals")).scalar_one()
        conn.execute(
            text("UPDATE record_seals SET digest = :d WHERE sequence = :s"),
            {"d": "0" * 64, "s": last},
        )
        conn.execute(text("DELETE FROM record_seals WHERE sequence = 3"))
    chunked = verify(ctx, chunk=SMALL)
    assert chunked.problems == verify(ctx).problems
    assert any(f"(ledger entry {last}) was changed" in p for p in chunked.problems)
    assert any("sealed records 3–3 are missing" in p for p in chunked.problems)
    assert any(
        p.endswith("was never sealed: it was written outside the app") for p in chunked.problems
    )


def test_no_read_holds_more_than_one_chunk(
    many: tuple[AppContext, list[int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx, ids = many
    read: dict[str, list[int]] = {"answers": [], "audits": [], "revisions": [], "records": []}

    def counted(name: str, reader: Any, size: Any) -> Any:
        def spy(*args: Any, **kwargs: Any) -> Any:
            found = reader(*args, **kwargs)
            if isinstance(found, Iterator):
                found = list(found)
            read[name].append(size(found))
            return iter(found) if name in ("answers", "revisions", "records") else found

        return spy

    monkeypatch.setattr(
        verify_module,
        "_current_answers",
        counted("answers", verify_module._current_answers, lambda rows: len(rows)),
    )
    monkeypatch.setattr(verify_module, "_audits", counted("audits", verify_module._audits, len))
    monkeypatch.setattr(
        verify_module,
        "_revisions",
        counted(
            "revisions", verify_module._revisions, lambda rows: len({r["audit_id"] for r in rows})
        ),
    )
    monkeypatch.setattr(
        ledger_scan,
        "current_chunks",
        counted(
            "records", ledger_scan.current_chunks, lambda batches: max(map(len, batches), default=0)
        ),
    )
    report = verify(ctx, chunk=SMALL)
    assert report.ok
    assert max(read["answers"]) <= SMALL and sum(read["answers"]) == len(ids)
    assert max(read["audits"]) <= SMALL and sum(read["audits"]) == len(ids)
    assert max(read["revisions"]) <= SMALL
    assert max(read["records"]) <= SMALL
    assert len(read["answers"]) >= len(ids) // SMALL
