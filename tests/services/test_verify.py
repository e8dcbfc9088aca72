"""audit-app verify: a clean trail passes; a changed answer, a changed revision, a removed
revision are each named; a database made before the trail existed verifies after upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import MetaData, insert, select, text, update

from audit_app.config import Settings, default_checklists_dir
from audit_app.services.context import AppContext, open_context
from audit_app.services.revisions import revise_audit
from audit_app.services.verify import verify
from audit_app.storage import database
from audit_app.storage.tables import audit_revisions, metadata
from tests.databases import drop_database, new_database_url
from tests.services.test_revisions import good_answers, submit, world  # noqa: F401


def test_a_clean_trail_verifies(world: AppContext) -> None:  # noqa: F811
    submit(world, day=2)
    submit(world, "TR-01", day=3)
    report = verify(world)
    assert report.ok and (report.audits, report.revisions) == (2, 2)


def test_an_answer_changed_in_the_database_is_named(world: AppContext) -> None:  # noqa: F811
    submit(world, day=2)  # untouched: not named
    second = submit(world, day=3)
    revise_audit(world, second, good_answers(world, **{"call.tone": 2}), "tone")
    with world.engine.begin() as conn:
        conn.execute(
            text("UPDATE answers SET value = '1' WHERE audit_id = :a AND item_id = 'call.tone'"),
            {"a": second},
        )
    report = verify(world)
    assert report.problems == (
        f"audit #{second} (ES-01, 2026-03-03 10:15): the stored answers no longer match "
        "revision 2 (answer call.tone changed)",
        f"audit #{second} (ES-01, 2026-03-03 10:15): its stored scores do not follow from its "
        "answers (item call.tone score 0.25 stored, 0 from its answer; section call score 85 "
        "stored, 80 from its answers; overall score 92.5 stored, 90 from its answers; raw "
        "score 92.5 stored, 90 from its answers)",
    )


def test_a_changed_revision_content_is_named(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    where = audit_revisions.c.audit_id == audit_id
    with world.engine.begin() as conn:
        content = conn.execute(select(audit_revisions.c.content).where(where)).scalar_one()
        content["visit"]["auditor"] = "Bob"
        conn.execute(update(audit_revisions).where(where).values(content=content))
    problems = verify(world).problems
    assert (
        f"audit #{audit_id} (ES-01, 2026-03-02 10:15): the stored content of revision 1 "
        "was changed" in problems
    )
    assert any("visit auditor changed" in p for p in problems)


def test_a_deleted_revision_breaks_the_chain_and_is_named(world: AppContext) -> None:  # noqa: F811
    first = submit(world, day=2)
    second = submit(world, day=3)
    revise_audit(world, first, good_answers(world, **{"call.tone": 2}), "tone")
    with world.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_revisions WHERE audit_id = :a"), {"a": second})
    problems = verify(world).problems
    assert f"audit #{second} (ES-01, 2026-03-03 10:15): has no sealed revision in the trail" in (
        problems
    )
    assert any(
        p.startswith(f"the chain of all submissions is broken before audit #{first}")
        and "sequence 2 is missing" in p
        for p in problems
    )


def test_the_latest_revision_removed_is_named(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    revise_audit(world, audit_id, good_answers(world, **{"call.tone": 2}), "tone")
    with world.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_revisions WHERE revision = 2"))
    problems = verify(world).problems
    assert any("says revision 2 but its trail ends at revision 1" in p for p in problems)


def test_a_database_made_at_0003_verifies_clean_after_upgrade(
    world: AppContext,  # noqa: F811
    tmp_path: Path,
    engine_kind: str,
) -> None:
    submit(world, day=2)
    submit(world, "TR-01", day=3)
    old_url = new_database_url(engine_kind, tmp_path / "old", migrated=False)
    engine = database.create_database_engine(old_url)
    with engine.begin() as conn:
        command.upgrade(database._alembic_config(conn), "0003")
    old_tables = MetaData()
    old_tables.reflect(engine)
    with world.engine.connect() as source, engine.begin() as conn:
        for name in (
            "branches",
            "checklist_versions",
            "audits",
            "answers",
            "audit_scores",
            "section_scores",
        ):
            table = old_tables.tables[name]
            rows = [dict(row._mapping) for row in source.execute(select(metadata.tables[name]))]
            conn.execute(
                insert(table), [{c.name: row[c.name] for c in table.columns} for row in rows]
            )
        if engine_kind == "postgresql":  # the copied ids: new rows must come after them
            for name in ("branches", "checklist_versions", "audits"):
                sequence = f"pg_get_serial_sequence('{name}', 'id')"
                conn.execute(text(f"SELECT setval({sequence}, MAX(id)) FROM {name}"))
    engine.dispose()
    upgraded = open_context(
        Settings(
            data_dir=tmp_path / "old", database_url=old_url, checklists_dir=default_checklists_dir()
        )
    )
    try:
        report = verify(upgraded)
        assert report.ok, report.problems
        assert (report.audits, report.revisions) == (2, 2)
        audit_id = submit(upgraded, day=4)
        revise_audit(upgraded, audit_id, good_answers(upgraded, **{"call.tone": 2}), "tone")
        assert verify(upgraded).ok
    finally:
        upgraded.engine.dispose()
        drop_database(old_url)


@pytest.mark.parametrize("column", ["created_by", "reason"])
def test_who_or_why_changed_on_a_revision_is_named(world: AppContext, column: str) -> None:  # noqa: F811
    audit_id = submit(world)
    revise_audit(world, audit_id, good_answers(world, **{"call.tone": 2}), "tone", by="ann")
    with world.engine.begin() as conn:
        conn.execute(text(f"UPDATE audit_revisions SET {column} = 'someone' WHERE revision = 2"))
    problems = verify(world).problems
    was = {"created_by": "'ann'", "reason": "'tone'"}[column]
    assert problems == (
        f"audit #{audit_id} (ES-01, 2026-03-02 10:15): who, when or why of revision 2 no "
        "longer matches its content",
        f"audit #{audit_id} revision 2 was changed outside the app: {column} {was} sealed, "
        "'someone' now",
    )
