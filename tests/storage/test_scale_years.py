"""The scale set over several years (#21's ten-times set, small here): drawn a year and built a
chunk at a time exactly as all at once, the one-year default unchanged to the bit, loaded on
both engines through the product's bulk insert with every derived row (``verify`` passes),
and the PostgreSQL load's foreign keys checked once at the end, never lost."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from audit_app.config import Settings
from audit_app.services.context import AppContext
from audit_app.services.verify import verify
from audit_app.storage import bulk, database, repository
from audit_app.storage.tables import (
    answers,
    audit_item_scores,
    audit_revisions,
    audit_scores,
    record_seals,
    section_scores,
)
from sample_data.scale import (
    AUDITS_PER_BRANCH,
    FORTNIGHTLY,
    Progress,
    ScaleData,
    generate_scale,
    load_scale,
    main,
    open_scale_context,
    plan_scale,
)

DEFAULT_FINGERPRINTS = {
    20: "c2f9bd40b4fa14d7f10d87401f3ec445ceec903e04cfd4343a2179cc293b63bb",
    200: "dd52d5175fedab8a8b76c8e3bba14bc01a2c921ba7961c3089e1c16b795a9ca1",
}
"""``generate_scale(branches=N)`` before #21's years: every visit, answer, score card and
planted effect (the full 5,000-branch set was checked by hand: ab9e6816...)."""


def fingerprint(data: ScaleData) -> str:
    digest = hashlib.sha256()
    for branch in data.branches:
        digest.update(repr(tuple(branch.model_dump().values())).encode())
    for record, card in data.audits:
        visit = record.visit
        digest.update(
            repr(
                (
                    visit.branch_code,
                    visit.visited_at.isoformat(),
                    visit.auditor,
                    visit.kind,
                    visit.channel,
                    record.status,
                    record.source,
                )
            ).encode()
        )
        given = [(a.item_id, a.value, a.na, a.comment) for a in record.answers]
        digest.update(repr(given).encode())
        digest.update(
            repr(
                (
                    card.overall,
                    card.raw_overall,
                    card.grade,
                    card.passed,
                    card.critical_failure,
                    card.failed_critical_items,
                    card.sections,
                    sorted(card.item_scores.items()),
                )
            ).encode()
        )
    digest.update(repr(sorted(data.branch_effect.items())).encode())
    digest.update(repr(sorted(data.auditor_leniency.items())).encode())
    return digest.hexdigest()


@pytest.mark.parametrize("branches", sorted(DEFAULT_FINGERPRINTS))
def test_the_default_one_year_set_is_unchanged(branches: int) -> None:
    data = generate_scale(branches=branches)
    assert len(data.audits) == branches * AUDITS_PER_BRANCH
    assert fingerprint(data) == DEFAULT_FINGERPRINTS[branches]


def test_drawn_a_chunk_at_a_time_equals_drawn_at_once() -> None:
    plan = plan_scale(branches=20, years=2)
    chunks = list(plan.chunks(7))
    at_once = generate_scale(branches=20, years=2)
    assert tuple(chain.from_iterable(chunks)) == at_once.audits
    assert len(at_once.audits) == plan.audits == 20 * 2 * FORTNIGHTLY
    assert max(len(c) for c in chunks) == 7
    # A chunk never spans two years.
    assert all(len({r.visit.visited_at.year for r, _c in c}) == 1 for c in chunks)
    # Drawn again, the plan gives the same audits: nothing in it is used up.
    assert tuple(chain.from_iterable(plan.chunks(1000))) == at_once.audits
    assert (plan.branch_effect, plan.auditor_leniency) == (
        at_once.branch_effect,
        at_once.auditor_leniency,
    )


def test_later_years_keep_the_structure_and_draw_new_visits() -> None:
    """Year 1 of a two-year set is the one-year set's draw at that pace; year 2 is new
    visits in 2026 of the same branches, by the same auditors, at the same pace."""
    one = generate_scale(branches=200, audits_per_branch=12)
    two = generate_scale(branches=200, audits_per_branch=12, years=2)
    assert two.audits[: len(one.audits)] == one.audits
    second = two.audits[len(one.audits) :]
    assert len(second) == len(one.audits)
    assert {r.visit.visited_at.year for r, _c in second} == {2026}
    assert [r.visit.branch_code for r, _c in second] == [
        r.visit.branch_code for r, _c in one.audits
    ]
    assert {r.visit.auditor for r, _c in second} <= set(two.auditor_leniency)
    assert [r.visit.visited_at for r, _c in second] != [
        r.visit.visited_at.replace(year=2026) for r, _c in one.audits
    ]
    # Branch effects last: a branch's mean score one year foretells the next.
    first_mean: dict[str, list[float]] = {}
    second_mean: dict[str, list[float]] = {}
    for year, means in ((one.audits, first_mean), (second, second_mean)):
        for record, card in year:
            means.setdefault(record.visit.branch_code, []).append(card.raw_overall or 0.0)
    codes = sorted(first_mean)
    a = [sum(first_mean[c]) / len(first_mean[c]) for c in codes]
    b = [sum(second_mean[c]) / len(second_mean[c]) for c in codes]
    correlation = _correlation(a, b)
    assert correlation > 0.6
    # The seasons too: August's dip (and December's) in the second year as in the first.
    for year in (one.audits, second):
        by_month: dict[int, list[float]] = {}
        for record, card in year:
            by_month.setdefault(record.visit.visited_at.month, []).append(card.raw_overall or 0.0)
        mean = {m: sum(v) / len(v) for m, v in by_month.items()}
        assert mean[8] < mean[5] - 3 and mean[12] < mean[5] - 2


def _correlation(a: list[float], b: list[float]) -> float:
    import numpy as np

    return float(np.corrcoef(a, b)[0, 1])


def test_the_default_pace_is_the_one_year_set_or_every_fortnight() -> None:
    assert plan_scale(branches=5_000).audits == 40_000
    ten = plan_scale(branches=5_000, years=3)
    assert (ten.audits, ten.answers) == (390_000, 23_400_000)
    assert plan_scale(branches=10, audits_per_branch=4, years=3).audits == 120
    assert plan_scale(branches=10, audits_per_branch=60).audits == 600
    for wrong in ({"audits_per_branch": 0}, {"audits_per_branch": 61}, {"years": 0}):
        with pytest.raises(ValueError):
            plan_scale(branches=10, **wrong)


@pytest.fixture
def two_years(settings: Settings, tmp_path: Path) -> Iterator[tuple[AppContext, list[Progress]]]:
    ctx = open_scale_context(tmp_path / "scale", settings.resolved_database_url)
    steps: list[Progress] = []
    # Chunks of 50 and 10 audits: the first goes by COPY on PostgreSQL, the second by INSERT.
    load_scale(ctx, plan_scale(branches=10, audits_per_branch=6, years=2), 50, steps.append)
    yield ctx, steps
    ctx.engine.dispose()


def _count(ctx: AppContext, table: object) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]


def test_two_years_load_with_every_derived_row_and_verify(
    two_years: tuple[AppContext, list[Progress]], engine_kind: str
) -> None:
    ctx, steps = two_years
    assert ctx.engine.dialect.name == engine_kind
    with ctx.engine.connect() as conn:
        assert repository.count_rows(conn) == {"branches": 10, "audits": 120, "drafts": 0}
    assert _count(ctx, answers) == 120 * 60
    assert _count(ctx, section_scores) == 120 * 8
    for table in (audit_scores, audit_item_scores, audit_revisions):
        assert _count(ctx, table) == 120
    # Sealed: the 10 branches, the checklist version, 120 audits and their 120 revisions.
    assert _count(ctx, record_seals) == 10 + 1 + 120 + 120
    report = verify(ctx)
    assert (report.audits, report.revisions, report.problems) == (120, 120, ())
    # One progress step per chunk (a chunk never spans two years: 50 + 10 a year).
    assert [s.audits for s in steps] == [50, 10, 50, 10]
    assert [s.year for s in steps] == [1, 1, 2, 2]
    assert steps[-1].loaded == steps[-1].of == 120
    assert sum(s.answers for s in steps) == 7200


def _foreign_keys(conn: object) -> set[tuple[str, str]]:
    return set(
        conn.execute(  # type: ignore[attr-defined]
            text(
                "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f'"
            )
        ).all()
    )


def test_foreign_keys_are_back_after_the_load_and_a_broken_row_rolls_it_all_back(
    two_years: tuple[AppContext, list[Progress]], engine_kind: str
) -> None:
    """On PostgreSQL the load drops the keys of the tables it writes and adds them back in
    the same transaction: after it every key is there, and a row that breaks one makes the
    whole transaction fail with nothing written. On SQLite every row is checked as written."""
    ctx, _steps = two_years
    before = _count(ctx, answers)
    if engine_kind == "postgresql":
        with ctx.engine.connect() as conn:
            keys = _foreign_keys(conn)
        assert ("answers", "FOREIGN KEY (audit_id) REFERENCES audits(id) ON DELETE CASCADE") in keys
    broken = [(99_999, "x", False)]  # no such audit
    with (
        pytest.raises(IntegrityError),
        database.transaction(ctx.engine) as conn,
        bulk.foreign_keys_checked_once(conn, repository.AUDIT_TABLES),
    ):
        bulk.insert_many(conn, answers, ("audit_id", "item_id", "na"), broken)
        conn.execute(insert(answers).values(audit_id=99_998, item_id="y", na=False))
    assert _count(ctx, answers) == before
    if engine_kind == "postgresql":
        with ctx.engine.connect() as conn:
            assert _foreign_keys(conn) == keys


def test_the_command_loads_several_years_with_a_line_per_chunk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "scale"
    argv = [str(folder), "--branches", "3", "--years", "2", "--audits-per-year", "2"]
    assert main([*argv, "--chunk", "4"]) == 0
    out = capsys.readouterr().out
    assert "3 branches x 2 year(s) x 2 audits x 60 items = 12 audits, 720 answers" in out
    assert out.count("  year ") == 4  # 4 + 2 audits a year
    assert "year 2/2: 12 of 12 audits" in out
    assert "peak memory" in out
    assert main(argv) == 1  # not into a database that holds audits already
    assert "already holds 12 audits" in capsys.readouterr().err


def test_a_visit_stored_twice_is_refused_by_copy_as_by_insert(
    two_years: tuple[AppContext, list[Progress]],
) -> None:
    """50 audits go by COPY on PostgreSQL: a duplicate visit raises the IntegrityError an
    INSERT raises (what callers catch, e.g. ``database.once_more_on_conflict``)."""
    ctx, _steps = two_years
    again = next(plan_scale(branches=10, audits_per_branch=6, years=2).chunks(50))
    with pytest.raises(IntegrityError), database.transaction(ctx.engine) as conn:
        repository.add_audits(
            conn,
            again,
            branch_id_of=repository.branch_ids(conn),
            checklist_version_id_of=ctx.checklist_version_ids,
        )
    with ctx.engine.connect() as conn:
        assert repository.count_rows(conn)["audits"] == 120
