"""Item-score vectors (``audit_item_scores``, migration 0012): the item-level comparison reads
(``item_cells``, ``item_rows``, repeated failures) give exactly what the answers table gives,
on both engines, after every way answers are written, after the upgrade that fills them, and
after a restore."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from alembic import command
from sqlalchemy import Connection, func, select, update

from audit_app import demo
from audit_app.checklists import Catalogue, dump_checklist
from audit_app.config import default_checklists_dir
from audit_app.domain import repeats
from audit_app.domain.audit import AuditKind, AuditRecord, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import store_audits, submit_audit
from audit_app.services.backup import export_database, restore_database
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.drafts import discard_draft, save_draft
from audit_app.services.repeats import policy_thresholds, repeated_failures
from audit_app.services.revisions import revise_audit
from audit_app.services.verify import verify
from audit_app.storage import compare_queries as queries
from audit_app.storage import database, item_vectors
from audit_app.storage.compare_queries import PERIOD_CELL_COLUMNS
from audit_app.storage.repository import _filtered
from audit_app.storage.tables import answers, audit_item_scores, audits, branches
from tests.databases import drop_database, make_settings
from tests.services.test_compare import phone_v2
from tests.services.test_revisions import good_answers

PHONE = "greeting_phone"
EMAIL = "greeting_email"


# --- the answers-table queries the vectors replace (as they were before migration 0012) ---


def answers_item_cells(conn: Connection, audit_filter: AuditFilter) -> pd.DataFrame:
    score = answers.c.score
    if conn.dialect.name == "postgresql":
        month = func.to_char(audits.c.visited_at, "YYYY-MM")
    else:
        month = func.substr(audits.c.visited_at, 1, 7)
    query = _filtered(
        select(
            branches.c.code,
            audits.c.checklist_id,
            answers.c.item_id,
            month,
            func.count(score),
            func.sum(score),
            func.sum(score * score),
        )
        .select_from(
            audits.join(branches, branches.c.id == audits.c.branch_id).join(
                answers, answers.c.audit_id == audits.c.id
            )
        )
        .where(score.is_not(None))
        .group_by(branches.c.code, audits.c.checklist_id, answers.c.item_id, month),
        audit_filter,
    )
    columns = ["branch_code", "checklist_id", "standard", "period", "n", "sum", "sum_sq"]
    return pd.DataFrame([tuple(r) for r in conn.execute(query)], columns=columns)


def answers_item_rows(
    conn: Connection, audit_filter: AuditFilter, checklist_ids: Sequence[str]
) -> pd.DataFrame:
    query = _filtered(
        select(answers.c.audit_id, answers.c.item_id, answers.c.score)
        .select_from(
            audits.join(branches, branches.c.id == audits.c.branch_id).join(
                answers, answers.c.audit_id == audits.c.id
            )
        )
        .where(audits.c.checklist_id.in_(list(checklist_ids))),
        audit_filter,
    )
    rows = pd.DataFrame(
        [tuple(r) for r in conn.execute(query)], columns=["audit_id", "item_id", "score"]
    )
    return rows.astype({"audit_id": int, "score": float})


def assert_same_cells(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = ["branch_code", "checklist_id", "standard", "period"]
    assert list(got.columns) == PERIOD_CELL_COLUMNS
    got = got.sort_values(keys, ignore_index=True)
    want = want.sort_values(keys, ignore_index=True)
    assert got[keys].to_numpy().tolist() == want[keys].to_numpy().tolist()
    assert got["n"].tolist() == want["n"].astype(int).tolist()
    for column in ("sum", "sum_sq"):
        np.testing.assert_allclose(got[column], want[column].astype(float), rtol=1e-12, atol=0)


def assert_same_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = ["audit_id", "item_id"]
    got = got.sort_values(keys, ignore_index=True)
    want = want.sort_values(keys, ignore_index=True)
    assert list(got.columns) == ["audit_id", "item_id", "score"]
    assert got[keys].to_numpy().tolist() == want[keys].to_numpy().tolist()
    np.testing.assert_array_equal(got["score"].to_numpy(), want["score"].to_numpy())


def assert_vectors_follow_answers(ctx: AppContext) -> None:
    """Every audit has one vector, equal to the one its answers give; and the item reads
    agree with the answers table over everything stored."""
    with database.snapshot(ctx.engine) as conn:
        version_of = dict(conn.execute(select(audits.c.id, audits.c.checklist_version_id)).all())
        stored = dict(conn.execute(select(audit_item_scores)).all())
        answered: dict[int, list[tuple[str, Any]]] = {}
        for audit_id, item_id, score in conn.execute(
            select(answers.c.audit_id, answers.c.item_id, answers.c.score)
        ):
            answered.setdefault(audit_id, []).append((item_id, score))
        assert set(stored) == set(version_of)
        layouts = item_vectors.Layouts(conn)
        wrong = {
            audit_id: problems
            for audit_id, version_id in version_of.items()
            if (
                problems := item_vectors.differences(
                    layouts[version_id], bytes(stored[audit_id]), answered.get(audit_id, [])
                )
            )
        }
        assert wrong == {}
        everything = AuditFilter(include_follow_ups=True)
        assert_same_cells(
            queries.item_cells(conn, everything), answers_item_cells(conn, everything)
        )
        ids = [PHONE, EMAIL]
        assert_same_rows(
            queries.item_rows(conn, everything, ids), answers_item_rows(conn, everything, ids)
        )


# --- a messy world: two versions of one checklist, N/A, unscored and unanswered items,
# channels, follow-ups -------------------------------------------------------------------


def _messy(records: Sequence[AuditRecord], catalogue: Catalogue) -> list[AuditRecord]:
    """Leave out a fifth of the optional answers and make every 15th audit a follow-up."""
    rng = np.random.default_rng(17)
    out = []
    for index, record in enumerate(records):
        checklist = catalogue.get(record.visit.checklist_id, record.visit.checklist_version)
        items = checklist.items_by_id
        kept = tuple(
            a for a in record.answers if items[a.item_id].is_required or rng.random() > 0.2
        )
        visit = record.visit
        if index % 15 == 7:
            visit = replace(visit, kind=AuditKind.FOLLOW_UP)
        out.append(replace(record, visit=visit, answers=kept))
    return out


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[AppContext]:
    folder = tmp_path_factory.mktemp("checklists")
    for path in default_checklists_dir().glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    v1 = Catalogue.from_folder(folder).get(PHONE, 1)
    (folder / "greeting_phone.v2.yaml").write_text(dump_checklist(phone_v2(v1)), encoding="utf-8")
    catalogue = Catalogue.from_folder(folder)
    ctx = open_context(make_settings(engine_kind, tmp_path_factory.mktemp("vectors"), folder))
    old = demo.generate([v1, catalogue.get(EMAIL)])
    new = demo.generate([catalogue.get(PHONE, 2)], seed=99)
    save_branches(ctx, old.branches)
    stored = store_audits(ctx, _messy([*old.audits, *new.audits], catalogue))
    assert stored.skipped == 0
    yield ctx
    ctx.engine.dispose()
    drop_database(ctx.settings.resolved_database_url)


def test_the_messy_world_is_messy(messy: AppContext) -> None:
    """What the comparisons below must get right is there: N/A and unscored answers, items
    left unanswered, two versions, follow-ups, two channels."""
    with messy.engine.connect() as conn:
        rows = answers_item_rows(conn, AuditFilter(include_follow_ups=True), [PHONE, EMAIL])
        versions = conn.execute(select(audits.c.checklist_version).distinct()).scalars().all()
        kinds = conn.execute(select(audits.c.kind).distinct()).scalars().all()
        channels = conn.execute(select(audits.c.channel).distinct()).scalars().all()
    assert rows["score"].isna().sum() > 100 and rows["score"].notna().sum() > 5000
    per_audit = rows.groupby("audit_id").size()
    assert per_audit.min() < per_audit.max()  # some audits answered fewer items
    assert set(versions) == {1, 2}
    assert set(kinds) == {"mystery_shop", "follow_up"}
    assert {"email", "web_form"} <= set(channels)


FILTERS = {
    "everything": AuditFilter(),
    "with follow-ups": AuditFilter(include_follow_ups=True),
    "follow-ups only": AuditFilter(kind="follow_up"),
    "phone": AuditFilter(checklist_id=PHONE),
    "dates": AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 6, 30)),
    "region": AuditFilter(region="aegean"),
    "channel": AuditFilter(channel="web_form"),
    "kind": AuditFilter(kind="mystery_shop"),
    "areas": AuditFilter(areas=("Barcelona", "Sud", "Transilvania")),
    "branch": AuditFilter(branch_code="es-cat-02"),
    "nothing": AuditFilter(date_from=date(2031, 1, 1)),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_item_cells_and_rows_equal_the_answers_tables(messy: AppContext, name: str) -> None:
    audit_filter = FILTERS[name]
    with database.snapshot(messy.engine) as conn:
        want_cells = answers_item_cells(conn, audit_filter)
        assert_same_cells(queries.item_cells(conn, audit_filter), want_cells)
        for ids in ([PHONE], [EMAIL], [PHONE, EMAIL]):
            assert_same_rows(
                queries.item_rows(conn, audit_filter, ids),
                answers_item_rows(conn, audit_filter, ids),
            )
    if name not in ("nothing", "follow-ups only"):
        assert len(want_cells) > 0, "the filter should select something"


@pytest.mark.parametrize("name", ["everything", "dates", "region", "areas"])
def test_repeated_failures_equal_those_from_the_answers_table(messy: AppContext, name: str) -> None:
    audit_filter = FILTERS[name]
    got = repeated_failures(messy, audit_filter)
    with database.snapshot(messy.engine) as conn:
        frame = queries.audit_frame(conn, audit_filter)
        want = repeats.repeated_failures(
            frame,
            answers_item_rows(conn, audit_filter, [PHONE, EMAIL]),
            policy_thresholds(messy, frame),
        )
    assert len(want) > 0
    pd.testing.assert_frame_equal(got, want)


# --- every write path keeps the vectors equal to the answers ------------------------------


def test_the_upgrade_to_0012_fills_the_vectors_from_the_answers(messy: AppContext) -> None:
    with messy.engine.connect() as conn:
        before = dict(conn.execute(select(audit_item_scores)).all())
    with database._migrating(messy.engine) as conn:
        command.downgrade(database._alembic_config(conn), "0011")
    assert database.upgrade(messy.engine) == ("0011", database.head_revision())
    with messy.engine.connect() as conn:
        after = dict(conn.execute(select(audit_item_scores)).all())
    assert len(after) > 500
    assert {k: bytes(v) for k, v in after.items()} == {k: bytes(v) for k, v in before.items()}
    assert_vectors_follow_answers(messy)


def _phone_record(ctx: AppContext, code: str, day: int, **values: object) -> AuditRecord:
    visit = Visit(code, PHONE, 1, datetime(2026, 3, day, 10, 15), "Ann")
    return AuditRecord(visit, tuple(good_answers(ctx, **values)))


@pytest.fixture
def small(ctx: AppContext) -> AppContext:
    data = demo.generate([ctx.catalogue.get(PHONE)])
    save_branches(ctx, data.branches)
    store_audits(ctx, data.audits[:40])  # bulk
    return ctx


def test_submit_revision_draft_and_bulk_keep_the_vectors(small: AppContext) -> None:
    assert_vectors_follow_answers(small)
    audit_id, _ = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    assert_vectors_follow_answers(small)
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 2})
    revise_audit(small, audit_id, list(revised.answers), "tone misheard")
    with small.engine.connect() as conn:
        cells = queries.item_cells(
            conn, AuditFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 2))
        )
    tone = cells[cells["standard"] == "call.tone"]
    assert tone["n"].tolist() == [1] and tone["sum"].tolist() == [pytest.approx(0.25)]
    assert_vectors_follow_answers(small)
    draft = save_draft(small, _phone_record(small, "ES-CAT-02", 3))
    assert_vectors_follow_answers(small)
    discard_draft(small, draft)
    assert_vectors_follow_answers(small)
    draft = save_draft(small, _phone_record(small, "ES-CAT-02", 4))
    submit_audit(small, _phone_record(small, "ES-CAT-02", 4), replacing_draft=draft)
    assert_vectors_follow_answers(small)
    assert verify(small).ok


def test_a_restore_rebuilds_the_vectors(small: AppContext, tmp_path: Path) -> None:
    audit_id, _ = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 2})
    revise_audit(small, audit_id, list(revised.answers), "tone misheard")
    archive = tmp_path / "backup.zip"
    export_database(small, archive)
    with small.engine.connect() as conn:
        before = dict(conn.execute(select(audit_item_scores)).all())
    target = open_context(make_settings(small.engine.dialect.name, tmp_path / "restored"))
    try:
        restore_database(target, archive, trust_archive=True)  # another trail key here
        with target.engine.connect() as conn:
            after = dict(conn.execute(select(audit_item_scores)).all())
        assert {k: bytes(v) for k, v in after.items()} == {k: bytes(v) for k, v in before.items()}
        assert_vectors_follow_answers(target)
    finally:
        target.engine.dispose()
        drop_database(target.settings.resolved_database_url)


def test_a_vector_that_does_not_fit_its_checklist_is_named_not_read(small: AppContext) -> None:
    with small.engine.begin() as conn:
        first = conn.execute(select(func.min(audit_item_scores.c.audit_id))).scalar_one()
        conn.execute(
            update(audit_item_scores)
            .where(audit_item_scores.c.audit_id == first)
            .values(scores=b"\x00" * 16)
        )
    with (
        small.engine.connect() as conn,
        pytest.raises(
            item_vectors.VectorError,
            match=rf"audit #{first}: its stored item scores hold 16 bytes, not 8 for each of the "
            r"\d+ items of its checklist version; `audit-app verify` names every such audit",
        ),
    ):
        queries.item_cells(conn, AuditFilter())
