"""Storage on a real SQLite file and a real PostgreSQL database: the schema comes from the
migrations and matches the tables (SQLite in WAL mode), and a failed unit of work leaves
nothing behind."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from audit_app.domain.audit import Answer, AuditRecord, Branch, Visit
from audit_app.domain.scoring import score_audit
from audit_app.storage import database, repository
from audit_app.storage.tables import answers, audits, metadata
from tests.databases import drop_database, keyed_engine, new_database_url

BRANCH = Branch(code="ES-01", name="Gràcia", region="Catalonia", country="es", language="CA")


@pytest.fixture
def empty_database(engine_kind: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema yet (a SQLite file whose folder does not exist)."""
    url = new_database_url(engine_kind, tmp_path / "nested", migrated=False)
    yield url
    drop_database(url)


def test_a_new_database_is_created_and_migrated(empty_database: str, tmp_path: Path) -> None:
    engine = keyed_engine(empty_database)
    assert database.current_revision(engine) is None
    before, after = database.upgrade(engine)
    assert before is None and after == database.head_revision()
    assert database.current_revision(engine) == after
    if engine.dialect.name == "sqlite":
        assert (tmp_path / "nested" / "audit.db").is_file()
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    assert database.upgrade(engine) == (after, after)  # a second upgrade does nothing
    engine.dispose()


def test_two_threads_migrating_two_new_databases_at_once_both_succeed(
    engine_kind: str, tmp_path: Path
) -> None:
    """Alembic's ``op`` and ``context`` are one per process: a server's warm start migrating
    beside a session (or two contexts of the tests) ran each other's migrations and failed
    with KeyError: 'script' before the upgrade took a lock of the process."""
    urls = [new_database_url(engine_kind, tmp_path / name, migrated=False) for name in "ab"]
    engines = [keyed_engine(url) for url in urls]
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def migrate(engine: Any) -> None:
        start.wait()
        try:
            database.upgrade(engine)
        except BaseException as error:  # reported below, with its type
            failures.append(error)

    threads = [threading.Thread(target=migrate, args=(engine,)) for engine in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert failures == []
        assert [database.current_revision(e) for e in engines] == [database.head_revision()] * 2
    finally:
        for engine, url in zip(engines, urls, strict=True):
            engine.dispose()
            drop_database(url)


def _upgrade_when_told(url: str, go: str) -> tuple[str | None, str]:
    """In a process of its own, as a server starting: wait for ``go`` to exist, upgrade."""
    while not Path(go).exists():
        time.sleep(0.01)
    engine = keyed_engine(url)
    try:
        return database.upgrade(engine)
    finally:
        engine.dispose()


def test_two_servers_starting_on_one_new_database_migrate_it_once(
    engine_kind: str, tmp_path: Path
) -> None:
    """README, Deployment: servers also migrate when they start, and the migration lock
    makes the others wait. Two processes upgrade one new database at the same moment: both
    succeed, and one of them migrated it (the other found it current once the lock was
    free)."""
    url = new_database_url(engine_kind, tmp_path, migrated=False)
    go = tmp_path / "go"
    spawn = multiprocessing.get_context("spawn")  # two processes, as two servers are
    try:
        with ProcessPoolExecutor(2, mp_context=spawn) as pool:
            runs = [pool.submit(_upgrade_when_told, url, str(go)) for _ in range(2)]
            time.sleep(3)  # both processes started and waiting
            go.touch()
            results = sorted((r.result(timeout=300) for r in runs), key=str)
        head = database.head_revision()
        assert results == sorted([(None, head), (head, head)], key=str)
        engine = keyed_engine(url)
        assert database.current_revision(engine) == head
        engine.dispose()
    finally:
        drop_database(url)


def test_the_migrations_produce_exactly_the_declared_tables(empty_database: str) -> None:
    engine = keyed_engine(empty_database)
    database.upgrade(engine)
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_branch_upsert_inserts_updates_and_leaves_alone(empty_database: str) -> None:
    engine = keyed_engine(empty_database)
    database.upgrade(engine)
    other = Branch(code="RO-01", name="Brașov", region="Transylvania", country="RO")
    with database.transaction(engine) as conn:
        first = repository.upsert_branches(conn, [BRANCH, other])
    with database.transaction(engine) as conn:
        renamed = BRANCH.model_copy(update={"name": "Gràcia Nord"})
        second = repository.upsert_branches(conn, [renamed, other])
        listed = repository.list_branches(conn)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (0, 1, 1)
    assert [b.name for b in listed] == ["Gràcia Nord", "Brașov"]
    assert listed[0].country == "ES" and listed[0].language == "ca"


def test_a_failed_unit_of_work_writes_nothing(empty_database: str, catalogue) -> None:  # type: ignore[no-untyped-def]
    engine = keyed_engine(empty_database)
    database.upgrade(engine)
    checklist = catalogue.get("charter")
    with database.transaction(engine) as conn:
        repository.upsert_branches(conn, [BRANCH])
        version_ids = repository.store_checklists(conn, catalogue)
    answers_given = [Answer(item.id, _good_value(item)) for item in checklist.items if item.scored]
    record = AuditRecord(
        Visit(BRANCH.code, checklist.id, checklist.version, datetime(2026, 3, 1, 10), "Ann"),
        tuple(answers_given),
    )
    card = score_audit(checklist, answers_given)
    with pytest.raises(IntegrityError), database.transaction(engine) as conn:
        branch_id_of = repository.branch_ids(conn)
        repository.add_audits(
            conn, [(record, card)], branch_id_of=branch_id_of, checklist_version_id_of=version_ids
        )
        # the same visit again breaks the unique visit key: the whole transaction goes
        repository.add_audits(
            conn, [(record, card)], branch_id_of=branch_id_of, checklist_version_id_of=version_ids
        )
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audits)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(answers)).scalar_one() == 0


def test_a_changed_checklist_under_an_unused_version_replaces_it(
    empty_database: str,
    catalogue,  # type: ignore[no-untyped-def]
) -> None:
    """No audit uses the version yet: it takes the new content (refused once one does, see
    tests/services/test_checklist_versions.py)."""
    engine = keyed_engine(empty_database)
    database.upgrade(engine)
    original = catalogue.get("charter")
    with database.transaction(engine) as conn:
        repository.store_checklists(conn, [original])
    changed = original.model_copy(update={"pass_mark": 80.0})
    with database.transaction(engine) as conn:
        stored = repository.store_checklist_versions(conn, [changed])
    assert stored.replaced == (
        repository.ReplacedVersion(
            "charter", original.version, original.content_hash, changed.content_hash
        ),
    )


def test_an_unreachable_database_is_one_clear_message() -> None:
    with pytest.raises(database.DatabaseError, match="not a database URL"):
        database.create_database_engine("::nonsense")
    with pytest.raises(database.DatabaseError, match="cannot use database nonsense://"):
        database.create_database_engine("nonsense://")
    assert "secret" not in database.redact("postgresql://u:secret@h/db")


def _good_value(item):  # type: ignore[no-untyped-def]
    from audit_app.domain.checklist import ChoiceItem, NumberItem, PercentageItem, ScaleItem

    if isinstance(item, ScaleItem):
        return item.max
    if isinstance(item, ChoiceItem):
        return max(item.options, key=lambda o: o.points).value
    if isinstance(item, NumberItem | PercentageItem):
        return float(item.target)
    return True


def test_a_translated_file_under_the_same_version_is_accepted_and_stored(
    empty_database: str,
    catalogue,  # type: ignore[no-untyped-def]
) -> None:
    """Translations do not change what a version means; the stored copy takes them on."""
    from sqlalchemy import update

    from audit_app.checklists import parse_checklist
    from audit_app.storage.tables import checklist_versions

    engine = keyed_engine(empty_database)
    database.upgrade(engine)
    original = catalogue.get("charter")
    with database.transaction(engine) as conn:
        repository.store_checklists(conn, [original])
        # as stored by an older hashing rule
        conn.execute(update(checklist_versions).values(content_hash="0" * 64))
    data = original.to_data()
    data["languages"] = [*data["languages"], "xx"]
    data["title"]["xx"] = "Translated title"
    translated = parse_checklist(data)
    with database.transaction(engine) as conn:
        repository.store_checklists(conn, [translated])
        stored = conn.execute(
            select(checklist_versions.c.content_hash, checklist_versions.c.definition)
        ).one()
    assert stored.content_hash == translated.content_hash == original.content_hash
    assert stored.definition["title"]["xx"] == "Translated title"


def test_db_check_and_upgrade_on_the_command_line(
    empty_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import subprocess
    import sys

    monkeypatch.setenv("AUDIT_DATABASE_URL", empty_database)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", "db", *args], capture_output=True, text=True
        )

    pending = cli("check")
    assert pending.returncode == 1 and "run: audit-app db upgrade" in pending.stderr
    upgraded = cli("upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    current = cli("check")
    assert current.returncode == 0 and "current" in current.stdout


def test_0007_keeps_every_logged_import_recognised(empty_database: str) -> None:
    """An import logged before imports had keys keeps its row, gets its content hash as its
    key, and the same file with the same (or no) profile is still recognised."""
    from alembic import command

    from audit_app.storage import import_log
    from audit_app.storage.tables import import_files

    engine = keyed_engine(empty_database)
    try:
        with engine.begin() as conn:
            command.upgrade(database._alembic_config(conn), "0006")
            conn.execute(
                text(
                    "INSERT INTO import_files (content_hash, file_name, imported_at, "
                    "checklist_id, checklist_version, mapping, audits_added, "
                    "visits_already_present, rows_skipped) VALUES "
                    "(:hash, 'old.xlsx', :at, 'greeting_phone', 1, NULL, 3, 0, 2), "
                    "(:other, 'agency.xlsx', :at, 'sourcing', 1, 'agency', 5, 1, 0)"
                ),
                {"hash": "a" * 64, "other": "b" * 64, "at": datetime(2026, 11, 1)},
            )
        database.upgrade(engine)
        with engine.connect() as conn:
            rows = conn.execute(
                select(import_files.c.import_key, import_files.c.content_hash).order_by(
                    import_files.c.id
                )
            ).all()
            assert [tuple(r) for r in rows] == [("a" * 64, "a" * 64), ("b" * 64, "b" * 64)]
            assert import_log.find(conn, "new-key", "a" * 64, None) is not None
            assert import_log.find(conn, "new-key", "b" * 64, "agency") is not None
            assert import_log.find(conn, "new-key", "b" * 64, "other-profile") is None
    finally:
        engine.dispose()


def test_0009_refuses_colliding_codes_and_keeps_every_row(empty_database: str) -> None:
    """A database holding ES-CAT-01 and es-cat-01 is not upgraded: the refusal names both
    codes and nothing changes; once one is renamed, the upgrade fills code_key."""
    from alembic import command

    from audit_app.errors import AuditAppError
    from audit_app.storage.tables import branches

    engine = keyed_engine(empty_database)
    insert = text(
        "INSERT INTO branches (code, name, region, area, country, language, manager, "
        "franchisee, address, active, created_at, updated_at) VALUES "
        "(:code, :name, 'Catalonia', '', 'ES', 'ca', '', '', '', :on, :at, :at)"
    )
    try:
        with engine.begin() as conn:
            command.upgrade(database._alembic_config(conn), "0008")
            for code, name in (("ES-CAT-01", "Gràcia"), ("es-cat-01", "Twin"), ("RO-01", "B")):
                conn.execute(
                    insert, {"code": code, "name": name, "on": True, "at": datetime(2026, 1, 1)}
                )
        with pytest.raises(AuditAppError, match="'ES-CAT-01' and 'es-cat-01' are the same"):
            database.upgrade(engine)
        assert database.current_revision(engine) == "0008"
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT code, name FROM branches ORDER BY id")).all()
            columns = [c["name"] for c in inspect(conn).get_columns("branches")]
        assert [tuple(r) for r in rows] == [
            ("ES-CAT-01", "Gràcia"),
            ("es-cat-01", "Twin"),
            ("RO-01", "B"),
        ]
        assert "code_key" not in columns
        with engine.begin() as conn:
            conn.execute(text("UPDATE branches SET code = 'ES-CAT-02' WHERE name = 'Twin'"))
        database.upgrade(engine)
        with engine.connect() as conn:
            keys = conn.execute(
                select(branches.c.code, branches.c.code_key).order_by(branches.c.id)
            ).all()
        assert [tuple(k) for k in keys] == [
            ("ES-CAT-01", "es-cat-01"),
            ("ES-CAT-02", "es-cat-02"),
            ("RO-01", "ro-01"),
        ]
    finally:
        engine.dispose()
