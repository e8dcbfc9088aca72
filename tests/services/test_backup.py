"""audit-app export / restore: the demo survives a round trip on each engine and across them
(SQLite to PostgreSQL is how a chain leaves the embedded default), row for row, with a clean
trail and fresh ids afterwards; a full database, a damaged or foreign archive and an existing
export file are each refused with one clear line and nothing changed."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from audit_app.config import Settings, default_checklists_dir
from audit_app.domain.audit import AuditRecord, Branch, Visit
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services.access import AccessDenied
from audit_app.services.activity import list_activity
from audit_app.services.audits import submit_audit
from audit_app.services.backup import export_database, restore_database
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.demo import load_demo
from audit_app.services.verify import verify
from audit_app.storage import archive
from audit_app.storage.database import head_revision
from audit_app.storage.tables import sessions
from tests.databases import drop_database, environment_for, new_database_url
from tests.services.test_revisions import good_answers

HEAD = head_revision()
FIRST = archive.tables()[0].name  # the first table checked and restored

REPO = Path(__file__).resolve().parents[2]
OTHER = {"sqlite": "postgresql", "postgresql": "sqlite"}


def rows_of(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in primary-key order, as the application reads it."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in archive.tables()
        }


def stored_text_of(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row as the driver returns it: on SQLite the very text stored (date-times, JSON)."""
    with engine.connect() as conn:
        return {
            table.name: list(
                conn.exec_driver_sql(
                    f"SELECT * FROM {table.name} ORDER BY "
                    + ", ".join(column.name for column in table.primary_key.columns)
                )
            )
            for table in archive.tables()
        }


def counts_of(engine: Engine) -> dict[str, int]:
    return {name: len(rows) for name, rows in rows_of(engine).items()}


@dataclass
class Demo:
    ctx: AppContext
    archive: Path
    rows: dict[str, list[tuple[Any, ...]]]
    export_seconds: float


@pytest.fixture(scope="module")
def demo(engine_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo chain on this engine and its archive, made once for the module."""
    folder = tmp_path_factory.mktemp(f"demo-{engine_kind}")
    settings = _settings(engine_kind, folder / "data")
    ctx = open_context(settings)
    load_demo(ctx)
    started = time.perf_counter()
    result = export_database(ctx, folder / "demo.zip")
    seconds = time.perf_counter() - started
    yield Demo(ctx, result.path, rows_of(ctx.engine), seconds)
    ctx.engine.dispose()
    drop_database(settings.resolved_database_url)


CHAIN_KEY = SecretStr("the chain's trail key, shared by its servers")
"""One installation moving its data: the same trail key on both sides (AUDIT_TRAIL_KEY)."""


def _settings(engine: str, folder: Path, key: SecretStr | None = CHAIN_KEY) -> Settings:
    folder.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=folder,
        database_url=new_database_url(engine, folder),
        checklists_dir=default_checklists_dir(),
        trail_key=key,
    )


@pytest.fixture
def target_factory(tmp_path: Path) -> Iterator[Any]:
    """Fresh, empty databases to restore into, opened as the app opens them."""
    made: list[AppContext] = []

    def make(engine: str) -> AppContext:
        ctx = open_context(_settings(engine, tmp_path / f"target-{len(made)}"))
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.engine.dispose()
        drop_database(ctx.settings.resolved_database_url)


def _restore_and_compare(demo: Demo, target: AppContext) -> None:
    started = time.perf_counter()
    result = restore_database(target, demo.archive)
    seconds = time.perf_counter() - started
    print(
        f"\n[backup] demo {demo.ctx.engine.dialect.name} -> {target.engine.dialect.name}: "
        f"{result.rows:,} rows, archive {result.bytes:,} bytes, export "
        f"{demo.export_seconds:.2f} s, restore {seconds:.2f} s"
    )
    assert result.rows == sum(len(rows) for rows in demo.rows.values()) > 30_000
    assert {t.name: t.rows for t in result.tables} == {
        name: len(rows) for name, rows in demo.rows.items()
    }
    assert result.source_engine == demo.ctx.engine.dialect.name
    assert result.checklist_note is None
    assert result.verify.ok and result.verify.audits == 1_653, result.verify.problems
    restored = rows_of(target.engine)
    for name, rows in demo.rows.items():
        assert restored[name] == rows, f"table {name} differs after the round trip"
    # Exported again from the copy, every member is the same to the byte: the format does
    # not depend on the engine.
    again = export_database(target, target.settings.data_dir / "again.zip")
    assert _members(again.path) == _members(demo.archive)


def _members(path: Path) -> list[tuple[str, int, str]]:
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    return [(t["name"], t["rows"], t["sha256"]) for t in manifest["tables"]]


def _new_rows_get_fresh_ids(ctx: AppContext, demo: Demo) -> None:
    """A branch and an audit added after the restore: the id sequences moved past the copy."""
    save_branches(ctx, [Branch(code="ZZ-01", name="Après", region="Nord", country="FR")])
    visit = Visit("ZZ-01", "greeting_phone", 1, datetime(2026, 3, 2, 10, 15, 30, 123456), "Zoé")
    audit_id, _ = submit_audit(ctx, AuditRecord(visit, tuple(good_answers(ctx))))
    assert audit_id == max(row[0] for row in demo.rows["audits"]) + 1
    rows = rows_of(ctx.engine)
    assert rows["branches"][-1][1] == "ZZ-01"
    assert rows["branches"][-1][0] == max(row[0] for row in demo.rows["branches"]) + 1
    assert rows["audit_revisions"][-1][0] == len(demo.rows["audit_revisions"]) + 1
    report = verify(ctx)
    assert report.ok and report.audits == 1_654, report.problems


def test_the_demo_round_trips_on_the_same_engine(
    demo: Demo, engine_kind: str, target_factory: Any
) -> None:
    target = target_factory(engine_kind)
    _restore_and_compare(demo, target)
    assert stored_text_of(target.engine) == stored_text_of(demo.ctx.engine)
    _new_rows_get_fresh_ids(target, demo)


def test_the_demo_moves_to_the_other_engine(
    demo: Demo, engine_kind: str, target_factory: Any
) -> None:
    """SQLite to PostgreSQL (the way off the embedded default) and back."""
    target = target_factory(OTHER[engine_kind])
    _restore_and_compare(demo, target)
    _new_rows_get_fresh_ids(target, demo)


def test_the_archive_holds_what_its_manifest_says(demo: Demo) -> None:
    with zipfile.ZipFile(demo.archive) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        members = zf.namelist()
        first_audit = json.loads(zf.read("tables/audits.jsonl").splitlines()[0])
    assert (manifest["format"], manifest["app"], manifest["revision"]) == (1, "audit-app", HEAD)
    assert manifest["engine"] == demo.ctx.engine.dialect.name
    assert [t["name"] for t in manifest["tables"]] == [t.name for t in archive.tables()]
    assert {t["name"]: t["rows"] for t in manifest["tables"]} == {
        name: len(rows) for name, rows in demo.rows.items()
    }
    photos = [f"media/{entry['sha256']}.jpg" for entry in manifest["media"]]
    assert len(photos) == len(demo.rows["media"]) > 0  # the demo's photos travel too
    assert sorted(members) == sorted(
        ["manifest.json", *(f"tables/{t.name}.jsonl" for t in archive.tables()), *photos]
    )
    stored = demo.rows["audits"][0]
    assert first_audit["id"] == stored[0] == 1
    assert first_audit["visited_at"] == stored[7].isoformat()  # ISO text, no zone


def test_a_database_with_data_is_refused_and_left_alone(demo: Demo) -> None:
    with pytest.raises(AuditAppError, match=rf"is not empty \(table {FIRST} has rows\)"):
        restore_database(demo.ctx, demo.archive)
    assert rows_of(demo.ctx.engine) == demo.rows


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> Path:
    """A copy of the archive with some members replaced (each still a valid zip member)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, change.get(info.filename, old.read(info.filename)))
    return target


def _forged(source: Path, target: Path, table: str, data: bytes) -> Path:
    """A copy whose member for ``table`` is replaced and the manifest re-signed to match, as
    a careful forger (or a bug) would: only the database can refuse it."""
    with zipfile.ZipFile(source) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    for entry in manifest["tables"]:
        if entry["name"] == table:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
            entry["rows"] = data.count(b"\n")
    return _rewrite(
        source,
        target,
        {f"tables/{table}.jsonl": data, "manifest.json": json.dumps(manifest).encode()},
    )


def test_a_restore_that_fails_half_way_writes_nothing(
    demo: Demo, ctx: AppContext, tmp_path: Path
) -> None:
    """The last answer points at an audit that does not exist: the database refuses it after
    the branches, audits and most answers went in, and all of them are rolled back."""
    before = rows_of(ctx.engine)
    with zipfile.ZipFile(demo.archive) as zf:
        data = zf.read("tables/answers.jsonl")
    orphan = json.loads(data.splitlines()[-1]) | {"audit_id": 999_999}
    path = _forged(
        demo.archive, tmp_path / "orphan.zip", "answers", data + json.dumps(orphan).encode() + b"\n"
    )
    with pytest.raises(AuditAppError, match=r"orphan\.zip: the rows of table answers were refused"):
        restore_database(ctx, path)
    assert rows_of(ctx.engine) == before


def _damaged(kind: str, demo: Demo, folder: Path) -> Path:
    path = folder / f"{kind}.zip"
    if kind == "changed member":
        with zipfile.ZipFile(demo.archive) as zf:
            answers = zf.read("tables/answers.jsonl").replace(b'"value":"yes"', b'"value":"no"', 1)
        return _rewrite(demo.archive, path, {"tables/answers.jsonl": answers})
    if kind == "truncated":
        data = demo.archive.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return path
    if kind == "not a zip":
        path.write_text("branch,name\nES-01,Gràcia\n", encoding="utf-8")
        return path
    if kind == "other revision":
        with zipfile.ZipFile(demo.archive) as zf:
            manifest = json.loads(zf.read("manifest.json"))
        manifest["revision"] = "0003"
        return _rewrite(demo.archive, path, {"manifest.json": json.dumps(manifest).encode()})
    if kind == "no manifest":
        with zipfile.ZipFile(demo.archive) as old, zipfile.ZipFile(path, "w") as new:
            for info in old.infolist():
                if info.filename != "manifest.json":
                    new.writestr(info, old.read(info.filename))
        return path
    if kind == "other format":
        with zipfile.ZipFile(demo.archive) as zf:
            manifest = json.loads(zf.read("manifest.json"))
        manifest["format"] = 2
        return _rewrite(demo.archive, path, {"manifest.json": json.dumps(manifest).encode()})
    if kind == "row count":
        with zipfile.ZipFile(demo.archive) as zf:
            manifest = json.loads(zf.read("manifest.json"))
        manifest["tables"][0]["rows"] += 1
        return _rewrite(demo.archive, path, {"manifest.json": json.dumps(manifest).encode()})
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        (
            "changed member",
            r"changed member\.zip: tables/answers\.jsonl does not match its checksum in the "
            r"manifest \(the archive was changed or damaged\)$",
        ),
        (
            "truncated",
            r"truncated\.zip: the archive is truncated or damaged \(its zip directory cannot "
            r"be read\)$",
        ),
        ("not a zip", r"not a zip\.zip: not an audit-app archive \(it is not a zip file"),
        (
            "other revision",
            r"other revision\.zip was exported at schema revision 0003, this version needs "
            rf"revision {HEAD}: restore it with the version that exported it",
        ),
        (
            "no manifest",
            r"no manifest\.zip: not an audit-app archive \(manifest\.json is missing; make one "
            r"with `audit-app export`\)$",
        ),
        (
            "other format",
            r"other format\.zip: manifest\.json is not valid \(archive format 2 is not 1, the "
            r"one this version reads\)$",
        ),
        (
            "row count",
            rf"row count\.zip: tables/{FIRST}\.jsonl holds (\d+) rows, the manifest says \d+$",
        ),
    ],
)
def test_a_damaged_or_foreign_archive_is_refused_with_nothing_written(
    demo: Demo, ctx: AppContext, tmp_path: Path, kind: str, message: str
) -> None:
    before = rows_of(ctx.engine)
    path = _damaged(kind, demo, tmp_path)
    with pytest.raises(AuditAppError, match=message):
        restore_database(ctx, path)
    assert rows_of(ctx.engine) == before
    assert all(count == 0 for name, count in counts_of(ctx.engine).items() if name not in OPENING)


OPENING = {"checklist_versions", "record_seals", "trail_state"}
"""What opening the app writes into a new database."""


def test_only_head_office_may_export_or_restore(demo: Demo, tmp_path: Path) -> None:
    marta = demo.ctx.as_user(User(username="marta", role=Role.AREA_MANAGER, areas=("Madrid",)))
    with pytest.raises(AccessDenied, match="only head office can export the database"):
        export_database(marta, tmp_path / "mine.zip")
    with pytest.raises(AccessDenied, match="only head office can restore a backup"):
        restore_database(marta, demo.archive)
    assert list(tmp_path.iterdir()) == []
    hq = demo.ctx.as_user(User(username="hq", role=Role.HEAD_OFFICE))
    assert export_database(hq, tmp_path / "hq.zip").rows > 30_000


def test_export_keeps_an_existing_file_unless_forced(demo: Demo, tmp_path: Path) -> None:
    path = tmp_path / "backup.zip"
    path.write_bytes(b"yesterday's backup")
    with pytest.raises(AuditAppError, match=r"backup\.zip already exists; .* pass --force"):
        export_database(demo.ctx, path)
    assert path.read_bytes() == b"yesterday's backup"
    result = export_database(demo.ctx, path, force=True)
    assert result.rows == sum(len(rows) for rows in demo.rows.values())
    assert zipfile.is_zipfile(path) and path.stat().st_size == result.bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.zip"]  # no partial left
    assert path.stat().st_mode & 0o077 == 0  # private: it holds password hashes
    with pytest.raises(AuditAppError, match=r"nowhere/backup\.zip: the folder .* does not exist"):
        export_database(demo.ctx, tmp_path / "nowhere" / "backup.zip")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "audit_app", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )


def test_the_command_line_exports_and_restores(
    demo: Demo, engine_kind: str, target_factory: Any, tmp_path: Path
) -> None:
    source = environment_for(demo.ctx.settings)
    target = target_factory(engine_kind)
    into = environment_for(target.settings)
    path = tmp_path / "chain.zip"

    done = _cli(source, "export", str(path))
    assert done.returncode == 0, done.stderr
    rows = sum(len(rows) for rows in demo.rows.values())
    tables = len(archive.tables())
    assert (
        f"Exported {rows:,} rows in {tables} tables from {demo.ctx.database_label}" in done.stdout
    )
    assert "  answers" in done.stdout and "restore" not in done.stderr
    assert "export  answers" in done.stderr  # progress, one line a table

    again = _cli(source, "export", str(path))
    assert again.returncode == 1
    assert (
        again.stderr.strip() == f"error: {path} already exists; choose another name or pass --force"
    )

    as_json = _cli(source, "export", str(path), "--force", "--json")
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert summary["rows"] == rows and summary["revision"] == HEAD
    assert summary["tables"] == {name: len(rows) for name, rows in demo.rows.items()}

    restored = _cli(into, "restore", str(path))
    assert restored.returncode == 0, restored.stderr
    assert f"into {target.database_label}" in restored.stdout
    assert "Trail check: OK, 1,653 audits and 1,653 revisions verified in " in restored.stdout
    assert rows_of(target.engine) == demo.rows

    refused = _cli(into, "restore", str(path))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().endswith(
        f"is not empty (table {FIRST} has rows); restore into a new, empty database"
    )

    garbage = tmp_path / "notes.zip"
    garbage.write_text("not an archive", encoding="utf-8")
    refused = _cli(into, "restore", str(garbage))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith(f"error: {garbage}: not an audit-app archive")


# --- crafted archives: checksums written by whoever made the archive prove nothing ------


def _table_lines(archive_path: Path, table: str) -> list[bytes]:
    with zipfile.ZipFile(archive_path) as zf:
        return zf.read(f"tables/{table}.jsonl").splitlines(keepends=True)


def _with_lines(demo: Demo, folder: Path, name: str, table: str, lines: list[bytes]) -> Path:
    """The demo archive with one member replaced and its checksum and count made to match,
    as an attacker with the project's code would."""
    return _forged(demo.archive, folder / f"{name}.zip", table, b"".join(lines))


def _nothing_restored(ctx: AppContext) -> None:
    assert all(count == 0 for name, count in counts_of(ctx.engine).items() if name not in OPENING)


def test_an_archive_sealed_elsewhere_needs_its_key_or_an_explicit_trust(
    demo: Demo, engine_kind: str, target_factory: Any, tmp_path: Path
) -> None:
    other = open_context(_settings(engine_kind, tmp_path / "elsewhere", key=None))
    try:
        with pytest.raises(AuditAppError, match="sealed under another installation's trail key"):
            restore_database(other, demo.archive)
        _nothing_restored(other)
        result = restore_database(other, demo.archive, trust_archive=True)
        assert result.verify.ok and result.verify.audits == 1_653
        assert verify(other).ok  # sealed again under this installation's own key
        restored = [a for a in list_activity(other, actions=("restore",))]
        assert [(a.subject, a.detail) for a in restored] == [
            ("demo.zip", {"trusted_archive": True})
        ]
    finally:
        other.engine.dispose()
        drop_database(other.settings.resolved_database_url)


def test_a_back_door_user_in_a_crafted_archive_is_refused(
    demo: Demo, engine_kind: str, target_factory: Any, tmp_path: Path
) -> None:
    lines = _table_lines(demo.archive, "users")
    hq = json.loads(lines[0])
    back_door = hq | {"id": 99, "username": "backdoor", "display_name": "Support"}
    path = _with_lines(
        demo, tmp_path, "back door", "users", [*lines, json.dumps(back_door).encode() + b"\n"]
    )
    target = target_factory(engine_kind)
    with pytest.raises(
        AuditAppError,
        match=r"does not verify, so nothing was restored: .*user backdoor \(#99\) was never sealed",
    ):
        restore_database(target, path)
    _nothing_restored(target)


def test_altered_scores_in_a_crafted_archive_are_refused_even_when_trusted(
    demo: Demo, engine_kind: str, target_factory: Any, tmp_path: Path
) -> None:
    lines = _table_lines(demo.archive, "audit_scores")
    first = json.loads(lines[0])
    lines[0] = json.dumps(first | {"overall": 100.0, "raw_overall": 100.0}).encode() + b"\n"
    path = _with_lines(demo, tmp_path, "scores", "audit_scores", lines)
    target = target_factory(engine_kind)
    elsewhere = open_context(_settings(engine_kind, tmp_path / "elsewhere", key=None))
    try:  # this installation's own archive, and one trusted from another installation
        for into, trust in ((target, False), (elsewhere, True)):
            with pytest.raises(
                AuditAppError,
                match=rf"audit #{first['audit_id']} \(.*\): its stored scores do not follow "
                r"from its answers \(overall score 100 stored",
            ):
                restore_database(into, path, trust_archive=trust)
            _nothing_restored(into)
    finally:
        elsewhere.engine.dispose()
        drop_database(elsewhere.settings.resolved_database_url)


@pytest.mark.parametrize(
    ("table", "change", "message"),
    [
        (
            "users",
            {"role": "root"},
            r"column role: 'root' is not one of area_manager, head_office, viewer",
        ),
        (
            "audits",
            {"status": "published"},
            r"column status: 'published' is not one of draft, submitted",
        ),
        ("audit_scores", {"overall": "high"}, r"column overall: 'high' is not a number"),
        (
            "audits",
            {"auditor": "x" * 201},
            r"column auditor: holds 201 characters, more than the column's 200",
        ),
        ("users", {"active": "yes"}, r"column active: 'yes' is not true or false"),
        ("users", {"language": "xx"}, r"column language: 'xx' is not one of ca, en, ro, tr"),
        (
            "audits",
            {"visited_at": "someday"},
            r"column visited_at: 'someday' is not a date and time",
        ),
        (
            "audits",
            {"visit_reference": "R" * 201},
            r"column visit_reference: holds 201 characters, more than the column's 200",
        ),
        (
            "audits",
            {"visit_reference": "RV\u0000231"},
            r"column visit_reference: the value holds the control character U\+0000 at "
            r"character 3; remove it",
        ),
        (
            "audits",
            {"visit_reference": "RV 231\n"},
            r"column visit_reference: 'RV 231\\n' is not one line of trimmed text",
        ),
    ],
)
def test_a_row_its_columns_do_not_allow_is_refused_naming_it(
    demo: Demo,
    engine_kind: str,
    target_factory: Any,
    tmp_path: Path,
    table: str,
    change: dict[str, Any],
    message: str,
) -> None:
    lines = _table_lines(demo.archive, table)
    lines[0] = json.dumps(json.loads(lines[0]) | change).encode() + b"\n"
    path = _with_lines(demo, tmp_path, "crafted", table, lines)
    target = target_factory(engine_kind)
    with pytest.raises(
        AuditAppError, match=rf"crafted\.zip: tables/{table}\.jsonl row 1, {message}$"
    ):
        restore_database(target, path)
    _nothing_restored(target)


def test_a_row_longer_than_the_cap_is_refused_before_it_is_held_whole(
    demo: Demo,
    engine_kind: str,
    target_factory: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from audit_app.storage import archive

    monkeypatch.setattr(archive, "MAX_LINE_BYTES", 1 << 20)
    lines = _table_lines(demo.archive, "activity_log")
    lines.append(b'{"id": 999, "note": "' + b"A" * (3 << 20) + b'"}\n')
    path = _with_lines(demo, tmp_path, "long", "activity_log", lines)
    target = target_factory(engine_kind)
    with pytest.raises(
        AuditAppError,
        match=rf"long\.zip: tables/activity_log\.jsonl row {len(lines):,} is longer than 1 MB",
    ):
        restore_database(target, path)
    _nothing_restored(target)


def test_a_changed_archive_of_this_installation_cannot_pass_as_another_ones(
    demo: Demo, engine_kind: str, target_factory: Any, tmp_path: Path
) -> None:
    """The key's fingerprint in the archive is the attacker's to write; the first seal
    checked under this installation's key is not."""
    branches = _table_lines(demo.archive, "branches")
    first = json.loads(branches[0])
    branches[0] = json.dumps(first | {"name": "Evil"}).encode() + b"\n"
    path = _with_lines(demo, tmp_path, "renamed", "branches", branches)
    state = _table_lines(path, "trail_state")
    state = [json.dumps(json.loads(state[0]) | {"key_check": "0" * 64}).encode() + b"\n"]
    path = _forged(path, tmp_path / "disguised.zip", "trail_state", b"".join(state))
    target = target_factory(engine_kind)
    with pytest.raises(
        AuditAppError,
        match=rf"does not verify, so nothing was restored: branch {first['code']} "
        r"\(#\d+\) was changed outside the app: name .* sealed, 'Evil' now",
    ):
        restore_database(target, path)
    with pytest.raises(AuditAppError, match=r"was sealed by this installation .* needs no trust"):
        restore_database(target, path, trust_archive=True)
    _nothing_restored(target)


def test_an_export_taken_while_a_server_writes_is_of_one_moment(
    engine_kind: str, tmp_path: Path, target_factory: Any
) -> None:
    """README, Deployment: a nightly export reads one consistent snapshot while the servers
    keep writing. An audit submitted once the export has begun (its first table read) is in
    none of its tables, and the archive restores whole, its trail checked."""
    ctx = open_context(_settings(engine_kind, tmp_path / "live"))
    try:
        save_branches(ctx, [Branch(code="ZZ-01", name="Après", region="Nord", country="FR")])

        def submit(minute: int) -> int:
            when = datetime(2026, 3, 2, 10, minute)
            visit = Visit("ZZ-01", "greeting_phone", 1, when, "Zoé")
            return submit_audit(ctx, AuditRecord(visit, tuple(good_answers(ctx))))[0]

        before = submit(1)
        written: list[int] = []

        def write_once_begun(step: str, _table: str, _done: int, _total: int) -> None:
            if step == "export" and not written:
                written.append(submit(2))  # another connection, as another server's

        result = export_database(ctx, tmp_path / "live.zip", progress=write_once_begun)
        assert written and written[0] > before
        with zipfile.ZipFile(result.path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
        counts = {t["name"]: t["rows"] for t in manifest["tables"]}
        assert counts["audits"] == 1 and counts["audit_revisions"] == 1
        assert counts["answers"] == len(good_answers(ctx))
        assert counts_of(ctx.engine)["audits"] == 2  # the write did land, after the moment
        restored = restore_database(target_factory(engine_kind), result.path)
        assert restored.verify.ok and restored.verify.audits == 1, restored.verify.problems
    finally:
        ctx.engine.dispose()
        drop_database(ctx.settings.resolved_database_url)


def test_sessions_open_in_the_archive_are_ended_in_the_restored_database(
    engine_kind: str, tmp_path: Path, target_factory: Any
) -> None:
    """README, Backups: a log-in made before the export does not carry over into the
    restored copy (the same installation's key, so its token would otherwise still match)."""
    from audit_app.services.sessions import session_user, start_session
    from audit_app.services.users import add_user

    source = open_context(_settings(engine_kind, tmp_path / "source"))
    try:
        admin = add_user(source, "ana", "head_office", "ana-pass-2026-long")
        token = start_session(source, admin, "password")
        assert session_user(source, token) == admin
        exported = export_database(source, tmp_path / "sessions.zip")
        target = target_factory(engine_kind)
        assert restore_database(target, exported.path).verify.ok
        assert session_user(target, token) is None
        with target.engine.connect() as conn:
            ended = conn.execute(select(sessions.c.ended_at, sessions.c.ended_why)).all()
        assert len(ended) == 1 and ended[0][0] is not None and ended[0][1] == "restored"
    finally:
        source.engine.dispose()
        drop_database(source.settings.resolved_database_url)
