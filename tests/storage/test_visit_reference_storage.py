"""``audits.visit_reference`` (migration 0011): the visit's unique key with the reference
where there is one, on both engines; the SQLite rebuild keeps every answer and seal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.errors import AuditAppError
from audit_app.services.audits import submit_audit
from audit_app.services.context import AppContext
from audit_app.services.verify import verify
from audit_app.storage import database, repository
from audit_app.storage.tables import answers, audits, record_seals
from tests.services.test_revisions import good_answers, world  # noqa: F401

AT = datetime(2026, 3, 2, 9, 30)


def _record(ctx: AppContext, reference: str | None) -> AuditRecord:
    visit = Visit("ES-01", "greeting_phone", 1, AT, "Agency X", reference=reference)
    return AuditRecord(visit, tuple(good_answers(ctx)))


def _add(ctx: AppContext, reference: str | None) -> None:
    """Straight to the table, past the services' own check: the database's key alone."""
    with database.transaction(ctx.engine) as conn:
        repository.add_audits(
            conn,
            [(_record(ctx, reference), None)],
            branch_id_of=repository.branch_ids(conn),
            checklist_version_id_of=ctx.checklist_version_ids,
        )


@pytest.mark.parametrize("reference", [None, "RV-1"])
def test_the_database_refuses_the_same_visit_twice(
    world: AppContext,  # noqa: F811
    reference: str | None,
) -> None:
    _add(world, reference)
    with pytest.raises(IntegrityError):
        _add(world, reference)


def test_the_database_keeps_two_visits_that_differ_by_reference(world: AppContext) -> None:  # noqa: F811
    for reference in ("RV-1", "RV-2", None):
        _add(world, reference)
    with world.engine.connect() as conn:
        stored = conn.execute(select(audits.c.visit_reference).order_by(audits.c.id)).scalars()
        assert list(stored) == ["RV-1", "RV-2", None]


def _everything(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as conn:
        return {
            "audits": [
                tuple(row)
                for row in conn.execute(
                    select(*(c for c in audits.columns if c.name != "visit_reference")).order_by(
                        audits.c.id
                    )
                )
            ],
            "answers": [
                tuple(row)
                for row in conn.execute(
                    select(answers).order_by(answers.c.audit_id, answers.c.item_id)
                )
            ],
            "seals": [
                tuple(row)
                for row in conn.execute(select(record_seals.c.sequence, record_seals.c.digest))
            ],
        }


def test_upgrading_to_0011_keeps_every_audit_answer_and_seal(world: AppContext) -> None:  # noqa: F811
    for day in (2, 3):
        visit = Visit("ES-01", "greeting_phone", 1, datetime(2026, 3, day, 10), "Ann")
        submit_audit(world, AuditRecord(visit, tuple(good_answers(world))))
    before = _everything(world.engine)
    assert len(before["answers"]) > 10
    with database._migrating(world.engine) as conn:
        command.downgrade(database._alembic_config(conn), "0010")
    assert database.current_revision(world.engine) == "0010"
    assert database.upgrade(world.engine) == ("0010", database.head_revision())
    assert _everything(world.engine) == before
    report = verify(world)
    assert report.ok and report.audits == 2, report.problems
    if world.engine.dialect.name == "sqlite":  # switched back on for every later unit
        with world.engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1


def test_sqlite_refuses_the_rebuild_with_foreign_keys_on(world: AppContext) -> None:  # noqa: F811
    if world.engine.dialect.name != "sqlite":
        pytest.skip("only SQLite rebuilds the table")
    submit_audit(world, _record(world, None))
    before = _everything(world.engine)
    with database._migrating(world.engine) as conn:
        command.downgrade(database._alembic_config(conn), "0010")
    with (
        pytest.raises(AuditAppError, match="run it through `audit-app db upgrade`"),
        world.engine.begin() as conn,
    ):
        command.upgrade(database._alembic_config(conn), "0011")
    assert database.current_revision(world.engine) == "0010"
    assert database.upgrade(world.engine) == ("0010", database.head_revision())
    assert _everything(world.engine) == before
