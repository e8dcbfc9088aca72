"""Item summaries kept on write (``item_month_sums``, migration 0016), on both engines: after
every way an audit is written (form, draft submitted, single and bulk import, revisions of a
score and to N/A, a restore, the upgrade) the stored rows equal a recomputation from the
answers table, counting failures as repeated failures do; verify passes, and names a row
changed, removed or added behind the app; two sessions adding to one branch and month at
once both count."""

from __future__ import annotations

import io
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from alembic import command
from sqlalchemy import delete, insert, select, update

from audit_app.domain import repeats
from audit_app.domain.audit import Answer, AuditRecord, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.intake.templates import write_template
from audit_app.services.audits import submit_audit
from audit_app.services.backup import export_database, restore_database
from audit_app.services.context import AppContext, open_context
from audit_app.services.drafts import discard_draft, save_draft
from audit_app.services.imports import import_files
from audit_app.services.revisions import revise_audit
from audit_app.services.verify import verify
from audit_app.storage import compare_queries as queries
from audit_app.storage import database, item_sums
from audit_app.storage.tables import answers, audit_item_scores, audits, branches, item_month_sums
from tests.databases import drop_database, make_settings
from tests.helpers import PHONE_ANSWERS
from tests.services.test_concurrency import Crowd
from tests.services.test_imports import fill_template
from tests.services.test_revisions import good_answers
from tests.storage.test_item_vectors import _phone_record, assert_same_cells, messy, small

__all__ = ["messy", "small"]  # fixtures shared with the vector tests

KEY = list(item_sums.KEY)


def sums_from_answers(ctx: AppContext) -> pd.DataFrame:
    """The rows as the answers table gives them: submitted audits, scored answers, failures
    by the checklists' action policies (``domain.repeats.failing``)."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(
                audits.c.id,
                audits.c.branch_id,
                audits.c.checklist_id,
                audits.c.checklist_version,
                audits.c.visited_at,
                audits.c.kind,
                audits.c.channel,
                answers.c.item_id,
                answers.c.score,
            )
            .select_from(audits.join(answers, answers.c.audit_id == audits.c.id))
            .where(audits.c.status == "submitted", answers.c.score.is_not(None))
        ).all()
    frame = pd.DataFrame(
        [tuple(row) for row in rows],
        columns=[
            "audit_id",
            "branch_id",
            "checklist_id",
            "checklist_version",
            "visited_at",
            "kind",
            "channel",
            "item_id",
            "score",
        ],
    )
    if frame.empty:
        return pd.DataFrame(columns=item_sums.COLUMNS)
    frame["score"] = frame["score"].astype(float)
    versions = frame[["audit_id", "checklist_id", "checklist_version"]].drop_duplicates()
    thresholds = repeats.policy_thresholds(list(ctx.catalogue))
    frame["failed"] = repeats.failing(versions, frame, thresholds).to_numpy().astype(int)
    frame["month"] = pd.to_datetime(frame["visited_at"]).dt.strftime("%Y-%m")
    frame["channel"] = frame["channel"].fillna("")
    frame["square"] = frame["score"] ** 2
    return (
        frame.groupby(KEY, as_index=False)
        .agg(
            n=("score", "size"),
            total=("score", "sum"),
            total_sq=("square", "sum"),
            failed=("failed", "sum"),
        )
        .astype({"branch_id": int})
    )


def stored_sums(ctx: AppContext) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        return item_sums.stored(conn)


def assert_same_sums(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got = got.astype({"branch_id": int}).sort_values(KEY, ignore_index=True)
    want = want.astype({"branch_id": int}).sort_values(KEY, ignore_index=True)
    assert got[KEY].to_numpy().tolist() == want[KEY].to_numpy().tolist()
    assert got["n"].astype(int).tolist() == want["n"].astype(int).tolist()
    assert got["failed"].astype(int).tolist() == want["failed"].astype(int).tolist()
    for column in ("total", "total_sq"):
        np.testing.assert_allclose(
            got[column].astype(float), want[column].astype(float), rtol=0, atol=1e-9
        )


def assert_kept(ctx: AppContext) -> pd.DataFrame:
    """The stored rows equal those the answers give; returns them."""
    want = sums_from_answers(ctx)
    got = stored_sums(ctx)
    assert_same_sums(got, want)
    return got


def _bulk_template(ctx: AppContext, path: Path, day: int) -> Path:
    checklist = ctx.catalogue.get("greeting_phone")
    workbook = openpyxl.load_workbook(io.BytesIO(write_template(checklist, [], bulk=True, rows=5)))
    sheet = workbook["Visits"]
    ids = [sheet.cell(4, c).value for c in range(1, sheet.max_column + 1)]
    for n, branch in enumerate(["ES-CAT-01", "ES-CAT-01", "ES-CAT-02"]):
        values: dict[str, Any] = {
            "branch": branch,
            "visit_date": datetime(2026, 3, day + n, 12, 0),
            "auditor": "Bulk Tester",
            **PHONE_ANSWERS,
            "call.tone": 2 + n,
        }
        for column, key in enumerate(ids, start=1):
            if key in values:
                sheet.cell(5 + n, column).value = values[key]
    workbook.save(path)
    return path


def test_the_messy_world_keeps_its_sums(messy: AppContext) -> None:
    """Two versions, N/A, unscored and unanswered items, follow-ups, channels."""
    got = assert_kept(messy)
    assert len(got) > 1000 and got["failed"].sum() > 100
    assert {"mystery_shop", "follow_up"} <= set(got["kind"])
    assert {"phone", "web_form"} <= set(got["channel"])


def test_every_way_of_writing_an_audit_keeps_the_sums(small: AppContext, tmp_path: Path) -> None:
    assert len(assert_kept(small)) > 100  # a bulk store
    first, _ = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    submit_audit(small, _phone_record(small, "ES-CAT-01", 3))  # the same branch and month
    assert_kept(small)
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 2})
    revise_audit(small, first, list(revised.answers), "tone misheard")
    assert_kept(small)
    to_na = [
        Answer("voicemail.greeting_current", na=True)
        if a.item_id == "voicemail.greeting_current"
        else a
        for a in revised.answers
    ]
    before = stored_sums(small).set_index(KEY)
    revise_audit(small, first, to_na, "no voicemail after all")
    after = assert_kept(small).set_index(KEY)
    key = (
        _branch_id(small, "ES-CAT-01"),
        "greeting_phone",
        "voicemail.greeting_current",
        "2026-03",
        "mystery_shop",
        "",
    )
    assert after.loc[key, "n"] == before.loc[key, "n"] - 1
    unchanged = stored_sums(small)
    draft = save_draft(small, _phone_record(small, "ES-CAT-02", 4))
    assert_same_sums(assert_kept(small), unchanged)  # a draft counts for nothing
    discard_draft(small, draft)
    assert_same_sums(assert_kept(small), unchanged)
    draft = save_draft(small, _phone_record(small, "ES-CAT-02", 5))
    submit_audit(small, _phone_record(small, "ES-CAT-02", 5), replacing_draft=draft)
    assert_kept(small)
    single = fill_template(
        small, tmp_path / "one.xlsx", PHONE_ANSWERS, branch="ES-CAT-02", day=date(2026, 3, 6)
    )
    [result] = import_files(small, [single])
    assert result.status == "imported" and result.added == 1
    assert_kept(small)
    [bulk] = import_files(small, [_bulk_template(small, tmp_path / "bulk.xlsx", 10)])
    assert bulk.status == "imported" and bulk.added == 3, [str(p) for p in bulk.problems]
    assert_kept(small)
    report = verify(small)
    assert report.ok, report.problems
    assert report.summaries == len(stored_sums(small)) > 100


def _branch_id(ctx: AppContext, code: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(branches.c.id).where(branches.c.code == code)).scalar_one())


def test_a_restore_rebuilds_the_sums(small: AppContext, tmp_path: Path) -> None:
    audit_id, _ = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 2})
    revise_audit(small, audit_id, list(revised.answers), "tone misheard")
    archive = tmp_path / "backup.zip"
    export_database(small, archive)
    before = assert_kept(small)
    target = open_context(make_settings(small.engine.dialect.name, tmp_path / "restored"))
    try:
        restore_database(target, archive, trust_archive=True)
        assert_same_sums(assert_kept(target), before)
        assert verify(target).summaries == len(before)
    finally:
        target.engine.dispose()
        drop_database(target.settings.resolved_database_url)


def test_the_upgrade_to_0016_fills_the_sums(small: AppContext) -> None:
    submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    before = assert_kept(small)
    with database._migrating(small.engine) as conn:
        command.downgrade(database._alembic_config(conn), "0015")
    assert database.upgrade(small.engine) == ("0015", database.head_revision())
    assert_same_sums(assert_kept(small), before)


def _one_row(ctx: AppContext) -> dict[str, Any]:
    rows = stored_sums(ctx).sort_values(KEY, ignore_index=True)
    return rows[rows["failed"] > 0].iloc[0].to_dict()


def _where(row: dict[str, Any]) -> Any:
    return [item_month_sums.c[name] == row[name] for name in KEY]


def test_verify_names_a_summary_changed_removed_or_added(small: AppContext) -> None:
    assert verify(small).ok
    row = _one_row(small)
    code = "ES-CAT-01"
    with small.engine.connect() as conn:
        code = conn.execute(
            select(branches.c.code).where(branches.c.id == int(row["branch_id"]))
        ).scalar_one()
    where = (
        f"the item summary of branch {code}, checklist {row['checklist_id']}, item "
        f"{row['item_id']}, month {row['month']} ({row['kind']}"
        + (f", {row['channel']}" if row["channel"] else "")
        + ")"
    )
    n, failed = int(row["n"]), int(row["failed"])
    with small.engine.begin() as conn:
        conn.execute(update(item_month_sums).where(*_where(row)).values(n=n + 1))
    problems = verify(small).problems
    assert [p for p in problems if "item summar" in p] == [
        f"{where} holds n={n + 1}, sum={row['total']:.6g}, sum of squares="
        f"{row['total_sq']:.6g}, failed={failed}; the answers give n={n}, sum="
        f"{row['total']:.6g}, sum of squares={row['total_sq']:.6g}, failed={failed}"
    ]
    with small.engine.begin() as conn:
        conn.execute(update(item_month_sums).where(*_where(row)).values(n=n, total=0.0))
    [found] = [p for p in verify(small).problems if "item summar" in p]
    assert found.startswith(f"{where} holds n={n}, sum=0,")
    with small.engine.begin() as conn:
        conn.execute(delete(item_month_sums).where(*_where(row)))
    [found] = [p for p in verify(small).problems if "item summar" in p]
    assert found.startswith(f"{where} is missing; the answers give n={n}, ")
    with small.engine.begin() as conn:
        conn.execute(insert(item_month_sums).values(row))
        conn.execute(
            insert(item_month_sums).values({**row, "month": "1999-01", "n": 3, "failed": 0})
        )
    [found] = [p for p in verify(small).problems if "item summar" in p]
    assert found == (
        where.replace(f"month {row['month']}", "month 1999-01")
        + f" is stored (n=3, sum={row['total']:.6g}, sum of squares={row['total_sq']:.6g}, "
        "failed=0) but no submitted answer gives it"
    )
    with small.engine.begin() as conn:
        conn.execute(delete(item_month_sums).where(item_month_sums.c.month == "1999-01"))
    assert verify(small).ok


def test_a_random_run_of_submissions_and_revisions_keeps_the_sums(small: AppContext) -> None:
    rng = np.random.default_rng(21)
    checklist = small.catalogue.get("greeting_phone")
    items = [item for item in checklist.items if item.scored]
    stored: list[tuple[int, list[Answer]]] = []
    codes = ["ES-CAT-01", "ES-CAT-02", "ES-CAT-03"]
    for step in range(24):
        if stored and rng.random() < 0.45:
            index = int(rng.integers(len(stored)))
            audit_id, current = stored[index]
            item = items[int(rng.integers(len(items)))]
            value = good_answers(small)[items.index(item)]
            if item.na_allowed and rng.random() < 0.5:
                value = Answer(item.id, na=True)
            elif item.type == "scale":
                value = Answer(item.id, int(rng.integers(1, 6)))
            elif item.type == "yes_no":
                value = Answer(item.id, bool(rng.random() < 0.5))
            changed = [value if a.item_id == item.id else a for a in current]
            if changed != current:
                revise_audit(small, audit_id, changed, f"step {step}")
                stored[index] = (audit_id, changed)
        else:
            tone = int(rng.integers(1, 6))
            visit = Visit(
                codes[int(rng.integers(len(codes)))],
                "greeting_phone",
                1,
                datetime(2026, 4 + int(rng.integers(2)), 1 + step, 9),
                "Ann",
            )
            answers_given = good_answers(small, **{"call.tone": tone})
            audit_id, _ = submit_audit(small, AuditRecord(visit, tuple(answers_given)))
            stored.append((audit_id, answers_given))
    assert len(stored) > 8
    assert_kept(small)
    assert verify(small).ok


def test_two_sessions_adding_to_one_branch_and_month_both_count(small: AppContext) -> None:
    per_session = 6
    copies = [open_context(small.settings) for _ in range(2)]
    try:
        crowd = Crowd(threading.Barrier(2))

        def session(ctx: AppContext, hour: int) -> Any:
            def job() -> list[int]:
                return [
                    submit_audit(
                        ctx,
                        AuditRecord(
                            Visit(
                                "ES-CAT-01",
                                "greeting_phone",
                                1,
                                datetime(2026, 5, 1 + n, hour),
                                "Ann",
                            ),
                            tuple(good_answers(ctx, **{"call.tone": 1 + n % 5})),
                        ),
                    )[0]
                    for n in range(per_session)
                ]

            return job

        crowd.run(session(copies[0], 10), session(copies[1], 11))
        assert crowd.errors == []
    finally:
        for copy in copies:
            copy.engine.dispose()
    got = assert_kept(small)
    may = got[(got["month"] == "2026-05") & (got["item_id"] == "call.tone")]
    assert may["n"].tolist() == [2 * per_session]
    assert verify(small).ok


# --- comparisons read the summaries when the filter allows -------------------------------

CHOICES: dict[str, list[Any]] = {
    "checklist_id": [None, "greeting_phone", "greeting_email"],
    "dates": [
        (None, None),
        (date(2026, 3, 1), date(2026, 6, 30)),
        (date(2026, 2, 1), None),
        (None, date(2026, 4, 30)),
        (date(2031, 1, 1), None),
    ],
    "region": [None, "aegean", "Catalunya"],
    "country": [None, "es", "TR"],
    "branch_code": [None, "es-cat-02"],
    "kind": [None, "follow_up", "mystery_shop"],
    "include_follow_ups": [False, True],
    "channel": [None, "web_form", "email"],
    "areas": [None, ("Barcelona", "Sud", "Transilvania"), ()],
}


def _random_filters(count: int, seed: int) -> list[AuditFilter]:
    rng = np.random.default_rng(seed)
    filters = [AuditFilter()]
    for name, values in CHOICES.items():  # each choice alone
        for value in values[1:]:
            filters.append(_filter({name: value}))
    for _ in range(count):  # and at random together, each dimension set half the time
        filters.append(
            _filter(
                {
                    name: values[int(rng.integers(1, len(values)))]
                    for name, values in CHOICES.items()
                    if rng.random() < 0.5
                }
            )
        )
    return filters


def _filter(chosen: dict[str, Any]) -> AuditFilter:
    date_from, date_to = chosen.pop("dates", (None, None))
    return AuditFilter(date_from=date_from, date_to=date_to, **chosen)


def test_item_cells_from_the_summaries_equal_those_from_the_vectors(messy: AppContext) -> None:
    filters = _random_filters(120, seed=21)
    selected = 0
    with database.snapshot(messy.engine) as conn:
        for audit_filter in filters:
            assert queries.summaries_answer(audit_filter), audit_filter
            want = queries.vector_cells(conn, audit_filter)
            got = queries.summary_cells(conn, audit_filter)
            assert list(got.dtypes) == list(want.dtypes), audit_filter
            assert_same_cells(got, want)
            selected += not want.empty
    assert selected >= 30  # a good share of them select something


@pytest.mark.parametrize(
    "audit_filter",
    [
        AuditFilter(auditor="Ann"),
        AuditFilter(reference="R-1"),
        AuditFilter(date_from=date(2026, 3, 2)),
        AuditFilter(date_to=date(2026, 6, 29)),
        AuditFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), auditor="Ann"),
    ],
    ids=["auditor", "reference", "from mid-month", "to mid-month", "months and auditor"],
)
def test_a_filter_the_summaries_cannot_answer_reads_the_vectors(
    messy: AppContext, audit_filter: AuditFilter
) -> None:
    assert not queries.summaries_answer(audit_filter)
    with database.snapshot(messy.engine) as conn:
        assert_same_cells(
            queries.item_cells(conn, audit_filter), queries.vector_cells(conn, audit_filter)
        )


def test_whole_months_and_no_dates_are_read_from_the_summaries() -> None:
    assert queries.summaries_answer(AuditFilter(region="x", kind="follow_up", channel="email"))
    assert queries.summaries_answer(AuditFilter(date_from=date(2026, 2, 1)))
    assert queries.summaries_answer(AuditFilter(date_to=date(2028, 2, 29)))  # a leap year
    assert not queries.summaries_answer(AuditFilter(date_to=date(2028, 2, 28)))
    assert queries.summaries_answer(AuditFilter(reference="  "))  # blank: no filter


def test_the_summaries_are_read_where_they_hold_many_audits_per_row(
    small: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(1, 9):
        submit_audit(small, _phone_record(small, "ES-CAT-03", day))
    dense = AuditFilter(branch_code="ES-CAT-03", date_from=date(2026, 3, 1))
    with database.snapshot(small.engine) as conn:
        assert queries.summaries_pay(conn, dense)
        assert not queries.summaries_pay(conn, AuditFilter())  # the demo: a few per month
        assert not queries.summaries_pay(conn, AuditFilter(date_from=date(2031, 1, 1)))
        read: list[str] = []
        monkeypatch.setattr(queries, "summary_cells", lambda *a: read.append("sums") or None)
        queries.item_cells(conn, dense)
        assert read == ["sums"]


def test_a_density_the_caller_knows_picks_the_read_without_asking_the_database(
    small: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A comparison passes its kept selection's audits per branch and month: the summaries
    at eight or more, the vectors below, and the database is not asked (#21)."""
    read: list[str] = []
    monkeypatch.setattr(queries, "summaries_pay", lambda *a: read.append("asked") or True)
    monkeypatch.setattr(queries, "summary_cells", lambda *a: read.append("sums") or None)
    monkeypatch.setattr(queries, "vector_cells", lambda *a: read.append("vectors") or None)
    months = AuditFilter(date_from=date(2026, 3, 1))
    with database.snapshot(small.engine) as conn:
        queries.item_cells(conn, months, audits_per_cell=queries.SUMMARY_DENSITY)
        queries.item_cells(conn, months, audits_per_cell=queries.SUMMARY_DENSITY - 0.5)
        queries.item_cells(conn, AuditFilter(auditor="Ann"), audits_per_cell=100.0)
        assert read == ["sums", "vectors", "vectors"]  # an auditor: the summaries cannot
        queries.item_cells(conn, months)
        assert read[3:] == ["asked", "sums"]


def test_a_comparison_with_items_judges_the_density_from_its_selection(
    small: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dense branch reads the summaries, the whole demo the vectors, and neither asks
    the database for its density; the items are those of a recomputation either way."""
    from audit_app.domain.compare import ComparisonRequest
    from audit_app.services import compare as service

    for day in range(1, 9):
        submit_audit(small, _phone_record(small, "ES-CAT-03", day))
    dense = AuditFilter(branch_code="ES-CAT-03", date_from=date(2026, 3, 1))
    want = {
        f: service.comparison(small, ComparisonRequest(f, evidence=False)).items
        for f in (dense, AuditFilter())
    }
    read: list[str] = []
    sums, vectors, parts = queries.summary_cells, queries.vector_cells, queries.vector_item_parts
    monkeypatch.setattr(queries, "summaries_pay", lambda *a: read.append("asked") or False)
    monkeypatch.setattr(queries, "summary_cells", lambda *a: read.append("sums") or sums(*a))
    monkeypatch.setattr(queries, "vector_cells", lambda *a: read.append("vectors") or vectors(*a))
    # the vectors of a comparison's items are added up without cells (#21)
    monkeypatch.setattr(
        queries, "vector_item_parts", lambda *a: read.append("vectors") or parts(*a)
    )
    for audit_filter, how in ((dense, "sums"), (AuditFilter(), "vectors")):
        read.clear()
        got = service.comparison(small, ComparisonRequest(audit_filter, evidence=False)).items
        assert read == [how]
        assert got == want[audit_filter]


def test_a_vector_that_does_not_fit_stops_the_summary_check_not_verify(small: AppContext) -> None:
    with small.engine.begin() as conn:
        conn.execute(
            update(audit_item_scores)
            .where(audit_item_scores.c.audit_id == 1)
            .values(scores=b"\x00" * 16)
        )
    problems = verify(small).problems
    assert any("item-score vector holds 16 bytes" in p for p in problems), problems
    assert any(
        p.startswith("the item summaries were not checked: an item-score vector of checklist")
        for p in problems
    ), problems
