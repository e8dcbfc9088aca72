"""A crash in the middle of work loses nothing and leaves nothing half-done, on both engines:
an import killed while it writes leaves the database without any of the file, and the next
import of the same file works; a report batch killed half-way leaves only whole PDFs under
their final names."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import list_scores
from audit_app.services.branches import read_branches, save_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.imports import import_bytes
from audit_app.services.verify import verify
from audit_app.storage.tables import answers, audits, import_files
from tests.conftest import REPO
from tests.helpers import database_snapshot

DEMO_AUDITS = REPO / "sample_data" / "demo" / "audits.csv"


def writing_has_begun(url: str) -> bool:
    """Whether another process holds an open transaction that has written (or, on SQLite,
    holds the write lock): the import is inside its unit of work."""
    if url.startswith("sqlite"):
        probe = sqlite3.connect(make_url(url).database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": a writer is at work
            return True
        finally:
            probe.close()  # rolls our own probe back
        return False
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            writers = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL"
                )
            ).scalar_one()
        return writers > 0
    finally:
        engine.dispose()


def run_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "audit_app", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)


def count(ctx: AppContext, table) -> int:  # type: ignore[no-untyped-def]
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.mark.parametrize("delay", [0.0, 0.25])
def test_an_import_killed_while_it_writes_leaves_none_of_the_file(
    ctx: AppContext, delay: float
) -> None:
    save_branches(ctx, read_branches(REPO / "sample_data" / "demo" / "branches.csv"))
    before = database_snapshot(ctx)
    url = ctx.settings.resolved_database_url
    importing = run_cli("import", str(DEMO_AUDITS))
    deadline = time.monotonic() + 120
    while not writing_has_begun(url):
        assert importing.poll() is None, "the import ended before it began to write"
        assert time.monotonic() < deadline, "the import never began to write"
        time.sleep(0.005)
    time.sleep(delay)
    kill(importing)
    stored = count(ctx, audits)
    if delay == 0.0:  # killed at once: the unit of work was surely not finished
        assert stored == 0
    if stored == 0:
        assert database_snapshot(ctx) == before
    else:  # it finished just before the kill: then all of it
        assert count(ctx, import_files) == 1 and count(ctx, answers) == 15_483
    # The next import of the same file works (or says it is already there, if it landed).
    result = import_bytes(ctx, DEMO_AUDITS.name, DEMO_AUDITS.read_bytes())
    assert result.status == ("imported" if stored == 0 else "already_imported")
    assert count(ctx, audits) > 1_600 and count(ctx, answers) == 15_483
    assert verify(ctx).ok


def test_a_report_batch_killed_half_way_leaves_only_whole_pdfs(
    ctx: AppContext, tmp_path: Path
) -> None:
    load_demo(ctx)
    folder = tmp_path / "reports"
    batch = run_cli("report", "audits", "--region", "Istanbul", "-o", str(folder), "--workers", "2")
    deadline = time.monotonic() + 180
    while len(list(folder.glob("*.pdf"))) < 5:
        assert batch.poll() is None, "the batch ended before it was killed"
        assert time.monotonic() < deadline, "the batch wrote no PDF"
        time.sleep(0.02)
    kill(batch)
    written = sorted(folder.glob("*.pdf"))
    expected = len(list_scores(ctx, AuditFilter(region="Istanbul")))
    assert 5 <= len(written) < expected
    for path in written:  # every file under a final name opens whole, to its last page
        reader = PdfReader(path)
        assert len(reader.pages) >= 1
        assert path.read_bytes().rstrip().endswith(b"%%EOF")
    # Anything interrupted is under a hidden temporary name, never the final one.
    assert all(p.name.startswith(".") for p in folder.iterdir() if p.suffix != ".pdf")
    again = run_cli("report", "audits", "--region", "Istanbul", "-o", str(folder))
    _out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert "Traceback" not in err
    assert len(list(folder.glob("*.pdf"))) == expected
