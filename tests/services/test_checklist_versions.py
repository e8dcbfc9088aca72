"""A stored checklist version that no audit uses takes its file's new content (with a notice
and an activity-log entry, the trail sealed anew, so ``verify`` stays clean); one that an
audit uses stays frozen."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from audit_app.cli.app import app
from audit_app.config import Settings, default_checklists_dir
from audit_app.domain.audit import Answer, AuditRecord, Visit
from audit_app.errors import AuditAppError
from audit_app.services.activity import list_activity
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.verify import verify
from audit_app.storage.repository import ReplacedVersion
from tests.databases import drop_database, make_settings, point_environment_at
from tests.services.test_revisions import BRANCHES
from tests.storage.test_database import _good_value

FILE = "greeting_phone.v1.yaml"


@pytest.fixture
def own_files(
    tmp_path: Path, engine_kind: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    """A world whose checklist folder the test may edit."""
    folder = tmp_path / "checklists"
    shutil.copytree(default_checklists_dir(), folder)
    made = make_settings(engine_kind, tmp_path / "data", folder)
    point_environment_at(made, monkeypatch)
    monkeypatch.setenv("AUDIT_CHECKLISTS_DIR", str(folder))
    yield made
    drop_database(made.resolved_database_url)


def _edit(settings: Settings, pass_mark: int) -> str:
    """Change the pass mark of greeting_phone v1 in its file; the checklist's new hash."""
    path = settings.checklists_dir / FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["pass_mark"] = pass_mark
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    ctx = open_context(settings)
    try:
        return ctx.catalogue.get("greeting_phone").content_hash
    finally:
        ctx.engine.dispose()


def _open(settings: Settings) -> AppContext:
    return open_context(settings)


def test_an_unused_version_is_replaced_with_a_notice_and_verify_stays_clean(
    own_files: Settings,
) -> None:
    first = _open(own_files)
    old_hash = first.catalogue.get("greeting_phone").content_hash
    assert first.replaced_checklists == ()
    first.engine.dispose()
    new_hash = _edit(own_files, 61)  # opening there replaced it already
    ctx = _open(own_files)
    try:
        assert ctx.replaced_checklists == ()  # said once, when it happened
        entries = list_activity(ctx, actions=("checklist version replaced",))
        assert [(e.actor, e.subject, e.detail) for e in entries] == [
            (
                "checklist files",
                "checklist greeting_phone v1",
                {"previous_content": old_hash, "content": new_hash},
            )
        ]
        report = verify(ctx)
        assert report.ok, report.problems
        from sqlalchemy import select

        from audit_app.storage.tables import checklist_versions

        with ctx.engine.connect() as conn:
            stored = conn.execute(
                select(checklist_versions.c.content_hash, checklist_versions.c.definition).where(
                    checklist_versions.c.checklist_id == "greeting_phone"
                )
            ).one()
        assert (stored.content_hash, stored.definition["pass_mark"]) == (new_hash, 61)
    finally:
        ctx.engine.dispose()


def test_the_notice_is_printed_by_the_command_line(own_files: Settings) -> None:
    _open(own_files).engine.dispose()
    path = own_files.checklists_dir / FILE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["pass_mark"] = 62
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = CliRunner().invoke(app, ["verify"])
    assert result.exit_code == 0, result.output
    assert (
        "notice: checklist greeting_phone v1 changed and no audit uses it: the stored version "
        "was replaced by the file's content"
    ) in result.stderr
    again = CliRunner().invoke(app, ["verify"])
    assert again.exit_code == 0 and "notice:" not in again.stderr


def test_a_version_an_audit_uses_stays_frozen(own_files: Settings) -> None:
    ctx = _open(own_files)
    save_branches(ctx, BRANCHES)
    checklist = ctx.catalogue.get("greeting_phone")
    answers = tuple(Answer(i.id, _good_value(i)) for i in checklist.items if i.scored)
    visit = Visit("ES-01", "greeting_phone", 1, datetime(2026, 3, 2, 10, 15), "Ann")
    submit_audit(ctx, AuditRecord(visit, answers))
    ctx.engine.dispose()
    with pytest.raises(
        AuditAppError,
        match="greeting_phone v1 differs from the version already stored in the database; "
        "give the changed file a new version number",
    ):
        _edit(own_files, 63)


def test_a_version_changed_behind_the_app_is_not_sealed_over(own_files: Settings) -> None:
    from sqlalchemy import update

    from audit_app.storage.ledger import TamperedRecord
    from audit_app.storage.tables import checklist_versions

    ctx = _open(own_files)
    with ctx.engine.begin() as conn:
        conn.execute(
            update(checklist_versions)
            .where(checklist_versions.c.checklist_id == "greeting_phone")
            .values(title="changed by hand")
        )
    ctx.engine.dispose()
    with pytest.raises(TamperedRecord, match="changed outside the app"):
        _edit(own_files, 64)


def test_the_notice_names_the_version() -> None:
    assert ReplacedVersion("x", 2, "a", "b").notice() == (
        "checklist x v2 changed and no audit uses it: the stored version was replaced by "
        "the file's content"
    )
