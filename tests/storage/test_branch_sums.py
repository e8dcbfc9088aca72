"""Branch-month totals kept on write (``branch_month_sums``, migration 0019), on both engines:
after every way an audit is written (form, draft submitted, single and bulk import, revisions
that change its score, a restore, the upgrade) the stored rows equal a recomputation in pandas
from the audits and their scores; verify passes, and names a row changed, removed or added
behind the app; two sessions adding to one branch and month at once both count; and the
league's branch-month totals are read from them exactly when the filter takes whole months."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from alembic import command
from sqlalchemy import delete, func, insert, select, update

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import submit_audit
from audit_app.services.backup import export_database, restore_database
from audit_app.services.context import AppContext, open_context
from audit_app.services.drafts import discard_draft, save_draft
from audit_app.services.imports import import_files
from audit_app.services.revisions import revise_audit
from audit_app.services.verify import verify
from audit_app.storage import branch_sums, database
from audit_app.storage import league_totals as totals
from audit_app.storage.tables import audit_scores, audits, branch_month_sums, branches
from tests.databases import drop_database, make_settings
from tests.helpers import PHONE_ANSWERS
from tests.services.test_concurrency import Crowd
from tests.services.test_imports import fill_template
from tests.services.test_revisions import good_answers
from tests.storage.test_item_sums import _bulk_template, _random_filters
from tests.storage.test_item_vectors import _phone_record, messy, small

__all__ = ["messy", "small"]  # fixtures shared with the vector tests

KEY = list(branch_sums.KEY)


def totals_from_scores(ctx: AppContext) -> pd.DataFrame:
    """The rows as pandas adds them up from every submitted audit with an overall score."""
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(
                audits.c.branch_id,
                audits.c.checklist_id,
                audits.c.checklist_version,
                audits.c.visited_at,
                audits.c.kind,
                audits.c.channel,
                audit_scores.c.overall,
                audit_scores.c.passed,
                audit_scores.c.critical_failure,
            )
            .select_from(audits.join(audit_scores, audit_scores.c.audit_id == audits.c.id))
            .where(audits.c.status == "submitted", audit_scores.c.overall.is_not(None))
        ).all()
    frame = pd.DataFrame(
        [tuple(row) for row in rows],
        columns=[
            "branch_id",
            "checklist_id",
            "checklist_version",
            "visited_at",
            "kind",
            "channel",
            "overall",
            "passed",
            "critical",
        ],
    )
    if frame.empty:
        return pd.DataFrame(columns=branch_sums.COLUMNS)
    frame["month"] = pd.to_datetime(frame["visited_at"]).dt.strftime("%Y-%m")
    frame["channel"] = frame["channel"].fillna("")
    frame["overall"] = frame["overall"].astype(float)
    frame["square"] = frame["overall"] ** 2
    frame["pass"] = (frame["passed"] == True).astype(int)  # noqa: E712 (None is no verdict)
    frame["judged"] = frame["passed"].notna().astype(int)
    frame["critical"] = frame["critical"].astype(bool).astype(int)
    return (
        frame.groupby(KEY, as_index=False)
        .agg(
            audits=("overall", "size"),
            total=("overall", "sum"),
            total_sq=("square", "sum"),
            passed=("pass", "sum"),
            judged=("judged", "sum"),
            critical_failures=("critical", "sum"),
        )
        .astype({"branch_id": int, "checklist_version": int})
    )


def stored_totals(ctx: AppContext) -> pd.DataFrame:
    with ctx.engine.connect() as conn:
        return branch_sums.stored(conn)


def assert_same_totals(got: pd.DataFrame, want: pd.DataFrame) -> None:
    got = got.astype({"branch_id": int, "checklist_version": int}).sort_values(
        KEY, ignore_index=True
    )
    want = want.astype({"branch_id": int, "checklist_version": int}).sort_values(
        KEY, ignore_index=True
    )
    assert got[KEY].to_numpy().tolist() == want[KEY].to_numpy().tolist()
    for column in branch_sums.COUNTS:
        assert got[column].astype(int).tolist() == want[column].astype(int).tolist(), column
    for column in ("total", "total_sq"):
        np.testing.assert_allclose(
            got[column].astype(float), want[column].astype(float), rtol=1e-12, atol=1e-9
        )


def assert_kept(ctx: AppContext) -> pd.DataFrame:
    """The stored rows equal those the audits' scores give; returns them."""
    got = stored_totals(ctx)
    assert_same_totals(got, totals_from_scores(ctx))
    return got


def test_the_messy_world_keeps_its_totals(messy: AppContext) -> None:
    """Two versions, follow-ups, channels, unscored audits."""
    got = assert_kept(messy)
    assert len(got) > 50 and got["audits"].sum() > 200
    assert set(got["checklist_version"]) == {1, 2}
    assert {"mystery_shop", "follow_up"} <= set(got["kind"])
    assert {"phone", "web_form"} <= set(got["channel"])
    assert 0 < got["passed"].sum() < got["judged"].sum()
    assert got["critical_failures"].sum() > 0


def test_every_way_of_writing_an_audit_keeps_the_totals(small: AppContext, tmp_path: Path) -> None:
    assert len(assert_kept(small)) > 10  # a bulk store
    first, _ = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    submit_audit(small, _phone_record(small, "ES-CAT-01", 3))  # the same branch and month
    assert_kept(small)
    before = stored_totals(small).set_index(KEY)
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 1})
    revise_audit(small, first, list(revised.answers), "tone misheard")
    after = assert_kept(small).set_index(KEY)
    key = (_branch_id(small, "ES-CAT-01"), "greeting_phone", 1, "2026-03", "mystery_shop", "")
    assert after.loc[key, "audits"] == before.loc[key, "audits"]
    assert after.loc[key, "total"] < before.loc[key, "total"]  # a lower score, same audits
    unchanged = stored_totals(small)
    draft = save_draft(small, _phone_record(small, "ES-CAT-02", 4))
    assert_same_totals(assert_kept(small), unchanged)  # a draft counts for nothing
    discard_draft(small, draft)
    assert_same_totals(assert_kept(small), unchanged)
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
    assert report.totals == len(stored_totals(small)) > 10


def _branch_id(ctx: AppContext, code: str) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(branches.c.id).where(branches.c.code == code)).scalar_one())


def test_a_restore_rebuilds_the_totals(small: AppContext, tmp_path: Path) -> None:
    audit_id, _ = submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    revised = _phone_record(small, "ES-CAT-01", 2, **{"call.tone": 2})
    revise_audit(small, audit_id, list(revised.answers), "tone misheard")
    archive = tmp_path / "backup.zip"
    export_database(small, archive)
    before = assert_kept(small)
    target = open_context(make_settings(small.engine.dialect.name, tmp_path / "restored"))
    try:
        restore_database(target, archive, trust_archive=True)
        assert_same_totals(assert_kept(target), before)
        assert verify(target).totals == len(before)
    finally:
        target.engine.dispose()
        drop_database(target.settings.resolved_database_url)


def test_the_upgrade_to_0019_fills_the_totals(small: AppContext) -> None:
    submit_audit(small, _phone_record(small, "ES-CAT-01", 2))
    before = assert_kept(small)
    with database._migrating(small.engine) as conn:
        command.downgrade(database._alembic_config(conn), "0018")
    assert database.upgrade(small.engine) == ("0018", database.head_revision())
    assert_same_totals(assert_kept(small), before)


def _where(row: dict[str, Any]) -> Any:
    return [branch_month_sums.c[name] == row[name] for name in KEY]


def test_verify_names_a_total_changed_removed_or_added(small: AppContext) -> None:
    assert verify(small).ok
    row = stored_totals(small).sort_values(KEY, ignore_index=True).iloc[0].to_dict()
    row = {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
    with small.engine.connect() as conn:
        code = conn.execute(
            select(branches.c.code).where(branches.c.id == int(row["branch_id"]))
        ).scalar_one()
    where = (
        f"the branch-month total of branch {code}, checklist {row['checklist_id']} version "
        f"{row['checklist_version']}, month {row['month']} ({row['kind']}"
        + (f", {row['channel']}" if row["channel"] else "")
        + ")"
    )

    def figures(audits: int, total: float, passed: int) -> str:
        return (
            f"audits={audits}, sum={total:.6g}, sum of squares={row['total_sq']:.6g}, "
            f"passed={passed}, with a verdict={row['judged']}, "
            f"critical failures={row['critical_failures']}"
        )

    n, total, passed = int(row["audits"]), float(row["total"]), int(row["passed"])
    with small.engine.begin() as conn:
        conn.execute(update(branch_month_sums).where(*_where(row)).values(passed=passed + 1))
    problems = [p for p in verify(small).problems if "branch-month" in p]
    assert problems == [
        f"{where} holds {figures(n, total, passed + 1)}; the scores give "
        f"{figures(n, total, passed)}"
    ]
    with small.engine.begin() as conn:
        conn.execute(
            update(branch_month_sums).where(*_where(row)).values(passed=passed, total=total + 0.5)
        )
    [found] = [p for p in verify(small).problems if "branch-month" in p]
    assert found.startswith(f"{where} holds {figures(n, total + 0.5, passed)};")
    with small.engine.begin() as conn:
        conn.execute(delete(branch_month_sums).where(*_where(row)))
    [found] = [p for p in verify(small).problems if "branch-month" in p]
    assert found == f"{where} is missing; the scores give {figures(n, total, passed)}"
    with small.engine.begin() as conn:
        conn.execute(insert(branch_month_sums).values(row))
        conn.execute(insert(branch_month_sums).values({**row, "month": "1999-01"}))
    [found] = [p for p in verify(small).problems if "branch-month" in p]
    assert found == (
        where.replace(f"month {row['month']}", "month 1999-01")
        + f" is stored ({figures(n, total, passed)}) but no scored audit gives it"
    )
    with small.engine.begin() as conn:
        conn.execute(delete(branch_month_sums).where(branch_month_sums.c.month == "1999-01"))
    assert verify(small).ok


def test_a_random_run_of_submissions_and_revisions_keeps_the_totals(small: AppContext) -> None:
    rng = np.random.default_rng(1919)
    tones: dict[int, int] = {}  # audit id -> its current tone
    codes = ["ES-CAT-01", "ES-CAT-02", "ES-CAT-03"]
    for step in range(20):
        tone = int(rng.integers(1, 6))
        if tones and rng.random() < 0.45:
            audit_id = list(tones)[int(rng.integers(len(tones)))]
            if tone != tones[audit_id]:
                revise_audit(small, audit_id, good_answers(small, **{"call.tone": tone}), "step")
                tones[audit_id] = tone
        else:
            visit = Visit(
                codes[int(rng.integers(len(codes)))],
                "greeting_phone",
                1,
                datetime(2026, 4 + int(rng.integers(2)), 1 + step, 9),
                "Ann",
            )
            answers_given = good_answers(small, **{"call.tone": tone})
            audit_id = submit_audit(small, AuditRecord(visit, tuple(answers_given)))[0]
            tones[audit_id] = tone
    ids = list(tones)
    assert len(ids) > 8
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
    may = got[got["month"] == "2026-05"]
    assert may["audits"].tolist() == [2 * per_session]
    assert verify(small).ok


# --- the league reads the kept totals when the filter takes whole months ------------------


@pytest.mark.parametrize("open_only", [True, False])
def test_the_kept_totals_give_the_league_what_the_audits_give(
    messy: AppContext, open_only: bool
) -> None:
    """Every whole-month filter of the item summaries' tests: the league's branch-month
    totals and versions from the kept rows equal those added up from the audits."""
    filters = _random_filters(60, seed=1919)
    selected = 0
    with database.snapshot(messy.engine) as conn:
        for audit_filter in filters:
            assert totals.kept_answer(audit_filter), audit_filter
            got = totals.branch_months(conn, audit_filter, open_only=open_only)
            used = totals.versions_used(conn, audit_filter, open_only=open_only)
            # The same filter with an auditor that matches every audit is read from the audits.
            with _from_audits():
                want = totals.branch_months(conn, audit_filter, open_only=open_only)
                want_used = totals.versions_used(conn, audit_filter, open_only=open_only)
            pd.testing.assert_frame_equal(got, want, check_exact=False, rtol=1e-12)
            assert used == want_used, audit_filter
            selected += not want.empty
    assert selected >= 20


class _from_audits:
    """Within it, the league totals are added up from the audits (the kept rows refused)."""

    def __enter__(self) -> None:
        self._kept = totals.kept_answer
        totals.kept_answer = lambda audit_filter: False  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        totals.kept_answer = self._kept  # type: ignore[assignment]


def _filters_of(ctx: AppContext) -> dict[str, tuple[AuditFilter, bool]]:
    """Filters that select some of the world's audits, each with whether the kept totals
    hold what it selects."""
    with ctx.engine.connect() as conn:
        first, last, auditor = conn.execute(
            select(
                func.min(audits.c.visited_at),
                func.max(audits.c.visited_at),
                func.max(audits.c.auditor),
            ).where(audits.c.status == "submitted")
        ).one()
    first, last = pd.Timestamp(first).date(), pd.Timestamp(last).date()
    start = first.replace(day=1)
    end = (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date()
    return {
        "everything": (AuditFilter(), True),
        "whole months": (AuditFilter(date_from=start, date_to=end), True),
        "from mid-month": (AuditFilter(date_from=start.replace(day=2)), False),
        "to mid-month": (AuditFilter(date_to=end - timedelta(days=1)), False),
        "an auditor": (AuditFilter(auditor=auditor), False),
    }


@pytest.mark.parametrize(
    "case", ["everything", "whole months", "from mid-month", "to mid-month", "an auditor"]
)
def test_the_league_reads_the_kept_totals_exactly_when_they_hold_the_selection(
    messy: AppContext, case: str
) -> None:
    """A kept row altered behind the app shows in the league's totals where they are read,
    and nowhere else."""
    audit_filter, kept = _filters_of(messy)[case]
    assert totals.kept_answer(audit_filter) == kept
    with messy.engine.connect() as conn:
        transaction = conn.begin()
        try:
            before = totals.branch_months(conn, audit_filter, open_only=True)
            conn.execute(update(branch_month_sums).values(audits=branch_month_sums.c.audits + 1))
            after = totals.branch_months(conn, audit_filter, open_only=True)
        finally:
            transaction.rollback()
    assert not before.empty
    assert (after["audits"] != before["audits"]).any() == kept
