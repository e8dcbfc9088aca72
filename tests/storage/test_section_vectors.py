"""Section-score vectors (``audit_section_scores``, migration 0017): the comparisons' section
rows give exactly what ``section_scores`` holds, on both engines, after every way scores are
written, after the upgrade that fills them and after a restore; ``verify`` names a vector
that disagrees, and a vector that does not fit its checklist is named, not read."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from alembic import command
from sqlalchemy import Connection, delete, func, select, update

from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import submit_audit
from audit_app.services.backup import export_database, restore_database
from audit_app.services.context import AppContext, open_context
from audit_app.services.drafts import discard_draft, save_draft
from audit_app.services.revisions import revise_audit
from audit_app.services.verify import verify
from audit_app.storage import compare_queries as queries
from audit_app.storage import database, item_vectors, section_vectors
from audit_app.storage.repository import _filtered
from audit_app.storage.tables import (
    audit_scores,
    audit_section_scores,
    audits,
    branches,
    section_scores,
)
from tests.databases import drop_database, make_settings
from tests.storage.test_item_vectors import FILTERS, _phone_record, messy, small

__all__ = ["messy", "small"]  # fixtures shared with the item vectors' tests


def table_section_rows(conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame:
    """The read the vectors replace: ``section_scores`` joined to the selected audits."""
    query = _filtered(
        select(
            section_scores.c.audit_id,
            section_scores.c.section_id,
            section_scores.c.score,
            section_scores.c.weight,
        ).select_from(
            audits.join(branches, branches.c.id == audits.c.branch_id).join(
                section_scores, section_scores.c.audit_id == audits.c.id
            )
        ),
        audit_filter,
    )
    rows = pd.DataFrame(
        [tuple(r) for r in conn.execute(query)],
        columns=["audit_id", "section_id", "score", "weight"],
    )
    return rows.astype({"audit_id": int, "score": float, "weight": float})


def assert_same_section_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = ["audit_id", "section_id"]
    assert list(got.columns) == ["audit_id", "section_id", "score", "weight"]
    got = got.sort_values(keys, ignore_index=True)
    want = want.sort_values(keys, ignore_index=True)
    assert got[keys].to_numpy().tolist() == want[keys].to_numpy().tolist()
    np.testing.assert_array_equal(got["score"].to_numpy(), want["score"].to_numpy())
    np.testing.assert_array_equal(got["weight"].to_numpy(), want["weight"].to_numpy())


def _decoded(conn: Connection) -> dict[int, dict[str, tuple[float, float]]]:
    """Every stored vector read with numpy alone, by the section order of its version's
    stored definition: (score, weight) by section id, absent sections left out."""
    layouts = item_vectors.Layouts(conn)
    out: dict[int, dict[str, tuple[float, float]]] = {}
    for audit_id, version_id, blob in conn.execute(
        select(
            audit_section_scores.c.audit_id,
            audits.c.checklist_version_id,
            audit_section_scores.c.scores,
        ).select_from(audit_section_scores.join(audits))
    ):
        pairs = np.frombuffer(bytes(blob), dtype="<f8").reshape(-1, 2)
        sections = layouts[version_id].sections
        assert len(pairs) == len(sections)
        out[audit_id] = {
            section: (float(score), float(weight))
            for section, (score, weight) in zip(sections, pairs, strict=True)
            if weight != float("-inf")
        }
    return out


def assert_vectors_follow_section_scores(ctx: AppContext) -> None:
    """Every scored audit has one vector, holding exactly its ``section_scores`` rows; no
    other audit has one; and the comparisons' read equals the table over everything."""
    with database.snapshot(ctx.engine) as conn:
        scored = set(conn.execute(select(audit_scores.c.audit_id)).scalars())
        rows: dict[int, dict[str, tuple[float, float]]] = {}
        for audit_id, section_id, score, weight in conn.execute(select(section_scores)):
            rows.setdefault(audit_id, {})[section_id] = (
                float("nan") if score is None else float(score),
                float(weight),
            )
        decoded = _decoded(conn)
        assert set(decoded) == set(rows) == scored
        assert {
            audit_id: {s: (repr(a), repr(b)) for s, (a, b) in sections.items()}
            for audit_id, sections in decoded.items()
        } == {
            audit_id: {s: (repr(a), repr(b)) for s, (a, b) in sections.items()}
            for audit_id, sections in rows.items()
        }
        everything = AuditFilter(include_follow_ups=True)
        assert_same_section_rows(
            queries.section_rows(conn, everything), table_section_rows(conn, everything)
        )


def test_the_messy_world_has_sections_without_a_score(messy: AppContext) -> None:
    with messy.engine.connect() as conn:
        rows = table_section_rows(conn, AuditFilter(include_follow_ups=True))
        versions = conn.execute(select(audits.c.checklist_version_id).distinct()).all()
    assert rows["score"].isna().sum() >= 3 and rows["score"].notna().sum() > 1000
    assert (rows["weight"] == 0).any()
    assert len(versions) >= 3  # two versions of one checklist, one of another


@pytest.mark.parametrize("name", list(FILTERS))
def test_section_rows_equal_the_section_scores_table(messy: AppContext, name: str) -> None:
    audit_filter = FILTERS[name]
    with database.snapshot(messy.engine) as conn:
        want = table_section_rows(conn, audit_filter)
        assert_same_section_rows(queries.section_rows(conn, audit_filter), want)
    if name not in ("nothing", "follow-ups only"):
        assert len(want) > 0, "the filter should select something"


def test_the_messy_world_keeps_its_vectors(messy: AppContext) -> None:
    assert_vectors_follow_section_scores(messy)


def test_the_upgrade_to_0017_fills_the_vectors(messy: AppContext) -> None:
    with messy.engine.connect() as conn:
        before = {k: bytes(v) for k, v in conn.execute(select(audit_section_scores)).all()}
    with database._migrating(messy.engine) as conn:
        command.downgrade(database._alembic_config(conn), "0016")
    assert database.upgrade(messy.engine) == ("0016", database.head_revision())
    with messy.engine.connect() as conn:
        after = {k: bytes(v) for k, v in conn.execute(select(audit_section_scores)).all()}
    assert len(after) > 500
    assert after == before
    assert_vectors_follow_section_scores(messy)


def test_submit_revision_draft_and_bulk_keep_the_vectors(small: AppContext) -> None:
    assert_vectors_follow_section_scores(small)
    audit_id, card = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    assert_vectors_follow_section_scores(small)
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 2})
    revise_audit(small, audit_id, list(revised.answers), "tone misheard")
    with small.engine.connect() as conn:
        day = date(2026, 3, 2)
        rows = queries.section_rows(conn, AuditFilter(date_from=day, date_to=day))
    before = {s.section_id: s.score for s in card.sections}
    after = dict(zip(rows["section_id"], rows["score"], strict=True))
    assert after.keys() == before.keys()
    assert any(after[s] != pytest.approx(before[s]) for s in before if before[s] is not None)
    assert_vectors_follow_section_scores(small)
    draft = save_draft(small, _phone_record(small, "ES-CAT-02", 3))
    assert_vectors_follow_section_scores(small)
    discard_draft(small, draft)
    draft = save_draft(small, _phone_record(small, "ES-CAT-02", 4))
    submit_audit(small, _phone_record(small, "ES-CAT-02", 4), replacing_draft=draft)
    assert_vectors_follow_section_scores(small)
    assert verify(small).ok


def test_a_restore_rebuilds_the_vectors(small: AppContext, tmp_path: Path) -> None:
    audit_id, _ = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 2})
    revise_audit(small, audit_id, list(revised.answers), "tone misheard")
    archive = tmp_path / "backup.zip"
    export_database(small, archive)
    with small.engine.connect() as conn:
        before = {k: bytes(v) for k, v in conn.execute(select(audit_section_scores)).all()}
    target = open_context(make_settings(small.engine.dialect.name, tmp_path / "restored"))
    try:
        restore_database(target, archive, trust_archive=True)
        with target.engine.connect() as conn:
            after = {k: bytes(v) for k, v in conn.execute(select(audit_section_scores)).all()}
        assert after == before
        assert_vectors_follow_section_scores(target)
    finally:
        target.engine.dispose()
        drop_database(target.settings.resolved_database_url)


def _first(conn: Connection) -> int:
    found: int = conn.execute(select(func.min(audit_section_scores.c.audit_id))).scalar_one()
    return found


def _changed_score(conn: Connection, audit_id: int) -> None:
    blob = conn.execute(
        select(audit_section_scores.c.scores).where(audit_section_scores.c.audit_id == audit_id)
    ).scalar_one()
    pairs = np.frombuffer(bytes(blob), dtype="<f8").reshape(-1, 2).copy()
    pairs[0, 0] = 12.5
    conn.execute(
        update(audit_section_scores)
        .where(audit_section_scores.c.audit_id == audit_id)
        .values(scores=pairs.tobytes())
    )


def _removed(conn: Connection, audit_id: int) -> None:
    conn.execute(delete(audit_section_scores).where(audit_section_scores.c.audit_id == audit_id))


def _wrong_size(conn: Connection, audit_id: int) -> None:
    conn.execute(
        update(audit_section_scores)
        .where(audit_section_scores.c.audit_id == audit_id)
        .values(scores=b"\x00" * 24)
    )


TAMPERING = {
    "a changed score": (
        _changed_score,
        r"section \S+ 12\.5 \(weight [\d.]+\) in its section-score vector, ",
    ),
    "a removed vector": (_removed, r"no section-score vector is stored"),
    "a vector of the wrong size": (
        _wrong_size,
        r"holds 24 bytes, not \d+ \(16 for each of its \d+ sections\)",
    ),
}


@pytest.mark.parametrize("name", list(TAMPERING))
def test_verify_names_a_vector_that_disagrees(small: AppContext, name: str) -> None:
    tamper, said = TAMPERING[name]
    with small.engine.begin() as conn:
        audit_id = _first(conn)
        tamper(conn, audit_id)
    report = verify(small)
    named = [p for p in report.problems if f"#{audit_id}" in p]
    assert len(report.problems) == 1 and len(named) == 1, report.problems
    assert "the section scores that comparisons read do not match" in named[0]
    assert re.search(said, named[0]), named[0]


@pytest.mark.parametrize("name", ["a removed vector", "a vector of the wrong size"])
def test_a_vector_that_cannot_be_read_is_named_not_read(small: AppContext, name: str) -> None:
    tamper, _said = TAMPERING[name]
    with small.engine.begin() as conn:
        audit_id = _first(conn)
        tamper(conn, audit_id)
    with (
        small.engine.connect() as conn,
        pytest.raises(
            item_vectors.VectorError,
            match=rf"audit #{audit_id}: its stored section scores are (missing|24 bytes), not "
            r"\d+ bytes \(16 for each of the \d+ sections of its checklist version\); "
            r"`audit-app verify` names every such audit",
        ),
    ):
        queries.section_rows(conn, AuditFilter())


def test_encode_keeps_the_definitions_order_and_marks_absent_sections() -> None:
    layout = item_vectors.Layout.of(
        "c", {"sections": [{"id": "b", "items": []}, {"id": "a", "items": []}, {"id": "z"}]}
    )
    blob = section_vectors.encode(layout, [("a", None, 0.0), ("b", 75.0, 2.0), ("x", 1.0, 1.0)])
    pairs = np.frombuffer(blob, dtype="<f8").reshape(-1, 2)
    assert layout.sections == ("b", "a", "z")
    assert pairs[0].tolist() == [75.0, 2.0]
    assert np.isnan(pairs[1, 0]) and pairs[1, 1] == 0.0
    assert pairs[2].tolist() == [float("-inf"), float("-inf")]
    assert section_vectors.differences(layout, blob, [("a", None, 0.0), ("b", 75.0, 2.0)]) == []
    assert section_vectors.differences(layout, blob, [("b", 75.0, 2.0)]) == [
        "section a no score (weight 0) in its section-score vector, absent in its section scores"
    ]


def test_a_scored_audit_without_section_rows_still_has_a_vector(small: AppContext) -> None:
    """As ``add_audits`` writes it: every audit with an overall score has a vector, all
    absent when it has no section rows; the comparisons read it as no sections."""
    with small.engine.begin() as conn:
        audit_id = _first(conn)
        conn.execute(delete(section_scores).where(section_scores.c.audit_id == audit_id))
        section_vectors.rebuild(conn, [audit_id])
        blob = conn.execute(
            select(audit_section_scores.c.scores).where(audit_section_scores.c.audit_id == audit_id)
        ).scalar_one()
        assert set(np.frombuffer(bytes(blob), dtype="<f8").tolist()) == {float("-inf")}
        rows = queries.section_rows(conn, AuditFilter(include_follow_ups=True))
        assert audit_id not in set(rows["audit_id"].tolist()) and len(rows) > 100
        assert (
            section_vectors.rebuild(conn)
            == conn.execute(select(func.count()).select_from(audit_scores)).scalar_one()
        )
