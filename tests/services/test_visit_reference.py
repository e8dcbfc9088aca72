"""The visit reference in the services: stored with the audit, part of the visit's key,
found by a search, kept by corrections, sealed, and carried by a backup."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import AuditRejected, list_scores, load_audit, score_rows
from audit_app.services.audits import submit_audit as submit_record
from audit_app.services.backup import export_database, restore_database
from audit_app.services.context import AppContext, open_context
from audit_app.services.revisions import audit_history, revise_audit
from audit_app.services.sealing import KEY_FILE
from audit_app.services.verify import verify
from audit_app.storage import database
from tests.databases import drop_database, make_settings
from tests.services.test_revisions import good_answers, world  # noqa: F401

AT = datetime(2026, 3, 2, 0, 0)


def _submit(ctx: AppContext, reference: str | None, code: str = "ES-01") -> int:
    visit = Visit(code, "greeting_phone", 1, AT, "Agency X", reference=reference)
    audit_id, _ = submit_record(ctx, AuditRecord(visit, tuple(good_answers(ctx))))
    return audit_id


def test_two_visits_at_one_time_differ_by_their_references(world: AppContext) -> None:  # noqa: F811
    first = _submit(world, "RV-100231")
    second = _submit(world, "RV-100232")
    plain = _submit(world, None)
    assert [load_audit(world, i).record.visit.reference for i in (first, second, plain)] == [
        "RV-100231",
        "RV-100232",
        None,
    ]
    for again in ("RV-100231", None):
        with pytest.raises(AuditRejected, match="ES-01 was already audited"):
            _submit(world, again)
    assert verify(world).ok


def test_a_reference_is_held_to_the_name_bound(world: AppContext) -> None:  # noqa: F811
    with pytest.raises(Exception, match="the visit reference is 201 characters long"):
        _submit(world, "R" * 201)
    with pytest.raises(Exception, match="the visit reference holds the control character"):
        _submit(world, "RV\x1b1")
    audit_id = _submit(world, "  RV\n7 ")
    assert load_audit(world, audit_id).record.visit.reference == "RV 7"


def test_scores_list_the_reference_and_find_audits_by_it(world: AppContext) -> None:  # noqa: F811
    ids = [_submit(world, ref) for ref in ("RV-100231", "rv-100_232", "AB%9")]
    plain = _submit(world, None, code="TR-01")
    rows = score_rows(world)
    assert [(r["audit_id"], r["visit_reference"]) for r in rows] == [
        (ids[0], "RV-100231"),
        (ids[1], "rv-100_232"),
        (ids[2], "AB%9"),
        (plain, None),
    ]
    found = {
        wanted: list_scores(world, AuditFilter(reference=wanted))["audit_id"].tolist()
        for wanted in ("rv-100", "100231", " RV ", "_", "%", "B%9", "nothing")
    }
    assert found == {
        "rv-100": [ids[0], ids[1]],
        "100231": [ids[0]],
        " RV ": [ids[0], ids[1]],
        "_": [ids[1]],  # a wildcard of SQL is a plain character here
        "%": [ids[2]],
        "B%9": [ids[2]],
        "nothing": [],
    }
    assert AuditFilter(reference="RV").describe() == "reference RV"


def test_a_correction_keeps_the_reference_and_verifies(world: AppContext) -> None:  # noqa: F811
    audit_id = _submit(world, "RV-100231")
    revise_audit(world, audit_id, good_answers(world, **{"call.tone": 2}), "tone")
    assert load_audit(world, audit_id).record.visit.reference == "RV-100231"
    assert [r.revision for r in audit_history(world, audit_id)] == [1, 2]
    assert verify(world).ok


@pytest.mark.parametrize(("before", "after"), [("RV-1", "RV-2"), ("RV-1", None), (None, "RV-2")])
def test_a_reference_changed_outside_the_app_is_named(
    world: AppContext,  # noqa: F811
    before: str | None,
    after: str | None,
) -> None:
    audit_id = _submit(world, before)
    with database.transaction(world.engine) as conn:
        conn.execute(
            text("UPDATE audits SET visit_reference = :r WHERE id = :i"),
            {"r": after, "i": audit_id},
        )
    problems = verify(world).problems
    assert any(
        f"audit #{audit_id}" in p and f"visit_reference {before!r} sealed, {after!r} now" in p
        for p in problems
    ), problems


def test_a_backup_carries_the_reference(
    world: AppContext,  # noqa: F811
    tmp_path: Path,
    engine_kind: str,
) -> None:
    ids = [_submit(world, "RV-100231"), _submit(world, "RV-100232"), _submit(world, None)]
    made = export_database(world, tmp_path / "backup.zip")
    settings = make_settings(engine_kind, tmp_path / "copy")
    shutil.copy2(world.settings.data_dir / KEY_FILE, settings.data_dir / KEY_FILE)  # one chain
    target = open_context(settings)
    try:
        result = restore_database(target, made.path)
        assert result.verify.ok, result.verify.problems
        assert [load_audit(target, i).record.visit.reference for i in ids] == [
            "RV-100231",
            "RV-100232",
            None,
        ]
    finally:
        target.engine.dispose()
        drop_database(settings.resolved_database_url)
