"""The scale set's bulk load on both engines (COPY on PostgreSQL, executemany on SQLite):
everything generated arrives, the stored values and scores are the ones ``score_audit``
gives, and the sealed trail verifies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from audit_app.config import Settings
from audit_app.domain.answers import encode_value
from audit_app.domain.scoring import score_audit
from audit_app.services.context import AppContext
from audit_app.services.verify import verify
from audit_app.storage import repository
from audit_app.storage.tables import (
    answers,
    audit_revisions,
    audit_scores,
    audits,
    branches,
    section_scores,
)
from sample_data.scale import (
    ScaleData,
    ScaleLoadError,
    check_empty,
    generate_scale,
    load_scale,
    open_scale_context,
    vacuum_analyze,
)

BRANCHES = 20
AUDITS_PER_BRANCH = 2


@pytest.fixture(scope="module")
def data() -> ScaleData:
    return generate_scale(branches=BRANCHES, audits_per_branch=AUDITS_PER_BRANCH, seed=8)


@pytest.fixture
def loaded(settings: Settings, data: ScaleData, tmp_path: Path) -> Iterator[AppContext]:
    ctx = open_scale_context(tmp_path / "scale", settings.resolved_database_url)
    check_empty(ctx)
    load_scale(ctx, data, chunk=15)  # several transactions, the last one short
    vacuum_analyze(ctx)
    yield ctx
    ctx.engine.dispose()


def _count(ctx: AppContext, table: object) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]


def test_every_branch_audit_answer_and_score_arrives(
    loaded: AppContext, data: ScaleData, engine_kind: str
) -> None:
    assert loaded.engine.dialect.name == engine_kind
    with loaded.engine.connect() as conn:
        assert repository.count_rows(conn) == {"branches": 20, "audits": 40, "drafts": 0}
    assert _count(loaded, answers) == 40 * 60 == data.answers
    assert _count(loaded, section_scores) == 40 * 8
    assert _count(loaded, audit_scores) == 40
    assert _count(loaded, audit_revisions) == 40  # each audit sealed as revision 1


def test_stored_answers_and_scores_are_what_score_audit_gives(
    loaded: AppContext, data: ScaleData
) -> None:
    sample = data.audits[::7]
    with loaded.engine.connect() as conn:
        ids = {
            (code, visited_at, auditor): audit_id
            for audit_id, code, visited_at, auditor in conn.execute(
                select(audits.c.id, branches.c.code, audits.c.visited_at, audits.c.auditor).join(
                    branches, branches.c.id == audits.c.branch_id
                )
            )
        }
        for record, _card in sample:
            visit = record.visit
            audit_id = ids[(visit.branch_code, visit.visited_at, visit.auditor)]
            expected = score_audit(data.checklist, record.answers)
            stored = repository.audit_row(conn, audit_id)
            assert stored is not None
            assert stored["overall"] == pytest.approx(expected.overall)
            assert (stored["grade"], stored["passed"], stored["critical_failure"]) == (
                expected.grade,
                expected.passed,
                expected.critical_failure,
            )
            rows = {row["item_id"]: row for row in repository.answer_rows(conn, audit_id)}
            assert len(rows) == 60
            for answer in record.answers:
                row = rows[answer.item_id]
                assert (row["value"], bool(row["na"]), row["comment"]) == (
                    encode_value(answer),
                    answer.na,
                    answer.comment,
                )
                want = expected.item_scores[answer.item_id]
                assert row["score"] == (None if want is None else pytest.approx(want))
            sections = dict(
                conn.execute(
                    select(section_scores.c.section_id, section_scores.c.score).where(
                        section_scores.c.audit_id == audit_id
                    )
                ).all()
            )
            assert sections == pytest.approx({s.section_id: s.score for s in expected.sections})


def test_the_sealed_trail_verifies_and_a_second_load_is_refused(loaded: AppContext) -> None:
    report = verify(loaded)
    assert (report.audits, report.revisions, report.problems) == (40, 40, ())
    with pytest.raises(ScaleLoadError, match="already holds 40 audits"):
        check_empty(loaded)
