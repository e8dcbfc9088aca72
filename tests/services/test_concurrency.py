"""Several copies of the app on one database at once, on both engines: each thread opens its
own context (its own engine and connections), as a second server process would.

Nothing may be lost or doubled: simultaneous submissions all land and the trail's chain
stays whole; a reader during an import sees the file's audits all or not at all; the same
file imported twice at the same moment is imported once and reported as a duplicate once.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare
from audit_app.services.audits import AuditRejected, list_scores, submit_audit
from audit_app.services.branches import read_branches, save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.imports import import_bytes
from audit_app.services.revisions import audit_history, revise_audit
from audit_app.services.verify import verify
from audit_app.storage.tables import answers, audits, import_files
from tests.conftest import REPO
from tests.services.test_revisions import good_answers

DEMO = REPO / "sample_data" / "demo"
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
HQ = User(username="hq", role=Role.HEAD_OFFICE)
ANDREI = User(username="andrei", role=Role.AREA_MANAGER, areas=("București",))


@dataclass
class Crowd:
    """Threads that start together; their results and errors are kept for the test."""

    barrier: threading.Barrier
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(self, *jobs: Callable[[], Any]) -> None:
        threads = [threading.Thread(target=self._job, args=(job,)) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        assert not any(thread.is_alive() for thread in threads), "a thread hung"

    def _job(self, job: Callable[[], Any]) -> None:
        try:
            self.barrier.wait(timeout=60)
            result = job()
        except BaseException as error:  # reported by the test
            with self.lock:
                self.errors.append(error)
        else:
            with self.lock:
                self.results.append(result)


@pytest.fixture
def branches_only(ctx: AppContext) -> AppContext:
    """The demo chain's branches, no audits yet."""
    save_branches(ctx, read_branches(DEMO / "branches.csv"))
    return ctx


def another_copy(ctx: AppContext) -> AppContext:
    """What a second server process has: its own engine on the same database."""
    return open_context(ctx.settings)


@pytest.fixture
def copies(branches_only: AppContext) -> Iterator[Callable[[], AppContext]]:
    opened: list[AppContext] = []

    def make() -> AppContext:
        copy = another_copy(branches_only)
        opened.append(copy)
        return copy

    yield make
    for copy in opened:
        copy.engine.dispose()


def count(ctx: AppContext, table: Any) -> int:
    with ctx.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_area_managers_submitting_at_the_same_moment_lose_nothing(
    branches_only: AppContext, copies: Callable[[], AppContext]
) -> None:
    per_manager = 12
    crowd = Crowd(threading.Barrier(2))

    def submissions(user: User, branch: str, hour: int) -> Callable[[], list[int]]:
        ctx = copies().as_user(user)

        def job() -> list[int]:
            ids = []
            for n in range(per_manager):
                visit = Visit(branch, "greeting_phone", 1, datetime(2026, 3, 1 + n, hour), "Ann")
                audit_id, _ = submit_audit(ctx, AuditRecord(visit, tuple(good_answers(ctx))))
                ids.append(audit_id)
            return ids

        return job

    crowd.run(
        submissions(MARTA, "ES-CAT-01", 10),
        submissions(ANDREI, "RO-BUC-01", 11),
    )
    assert crowd.errors == []
    ids = sorted(i for result in crowd.results for i in result)
    assert len(ids) == len(set(ids)) == 2 * per_manager
    assert count(branches_only, audits) == 2 * per_manager
    report = verify(branches_only)
    assert report.ok, report.problems
    assert report.revisions == 2 * per_manager
    by_branch = list_scores(branches_only)["branch_code"].value_counts().to_dict()
    assert by_branch == {"ES-CAT-01": per_manager, "RO-BUC-01": per_manager}


def test_the_same_file_imported_twice_at_once_is_imported_once(
    branches_only: AppContext, copies: Callable[[], AppContext]
) -> None:
    data = (DEMO / "audits.csv").read_bytes()
    crowd = Crowd(threading.Barrier(2))
    first, second = copies(), copies()
    crowd.run(
        lambda: import_bytes(first, "audits.csv", data, imported_by="marta"),
        lambda: import_bytes(second, "audits (copy).csv", data, imported_by="andrei"),
    )
    assert crowd.errors == []
    statuses = sorted(result.status for result in crowd.results)
    assert statuses == ["already_imported", "imported"]
    [imported] = [r for r in crowd.results if r.status == "imported"]
    [duplicate] = [r for r in crowd.results if r.status == "already_imported"]
    assert duplicate.previous_import is not None
    assert duplicate.previous_import["file_name"] == imported.file
    stored = count(branches_only, audits)
    assert stored == imported.added > 1_600
    assert count(branches_only, import_files) == 1
    assert count(branches_only, answers) == 15_483
    assert verify(branches_only).ok


def test_two_files_sharing_visits_imported_at_once_store_each_visit_once(
    branches_only: AppContext, copies: Callable[[], AppContext]
) -> None:
    header, *rows = (DEMO / "audits.csv").read_text(encoding="utf-8").splitlines()
    refs = sorted({row.split(",", 1)[0] for row in rows})
    early, late = set(refs[:1_000]), set(refs[600:])  # 400 visits in both files

    def part(refs_in: set[str]) -> bytes:
        chosen = [row for row in rows if row.split(",", 1)[0] in refs_in]
        return "\n".join([header, *chosen, ""]).encode("utf-8")

    first, second = copies(), copies()
    crowd = Crowd(threading.Barrier(2))
    crowd.run(
        lambda: import_bytes(first, "early.csv", part(early)),
        lambda: import_bytes(second, "late.csv", part(late)),
    )
    assert crowd.errors == []
    assert [r.status for r in crowd.results] == ["imported", "imported"]
    assert sum(r.added for r in crowd.results) == len(refs) == count(branches_only, audits)
    assert sum(r.already_present for r in crowd.results) == 400
    assert count(branches_only, import_files) == 2
    assert verify(branches_only).ok


def test_the_same_visit_submitted_twice_at_once_is_stored_once(
    branches_only: AppContext, copies: Callable[[], AppContext]
) -> None:
    visit = Visit("ES-CAT-03", "greeting_phone", 1, datetime(2026, 5, 4, 12), "Ann")
    tabs = [copies().as_user(MARTA) for _ in range(2)]
    crowd = Crowd(threading.Barrier(2))
    crowd.run(
        *(
            (lambda tab=tab: submit_audit(tab, AuditRecord(visit, tuple(good_answers(tab)))))
            for tab in tabs
        )
    )
    assert len(crowd.results) == 1
    [refused] = crowd.errors
    assert isinstance(refused, AuditRejected)
    assert "ES-CAT-03 was already audited with greeting_phone at 2026-05-04 12:00" in str(refused)
    assert count(branches_only, audits) == 1


def test_two_corrections_of_one_audit_at_once_become_two_revisions(
    branches_only: AppContext, copies: Callable[[], AppContext]
) -> None:
    visit = Visit("ES-CAT-04", "greeting_phone", 1, datetime(2026, 5, 5, 12), "Ann")
    audit_id, _ = submit_audit(
        branches_only, AuditRecord(visit, tuple(good_answers(branches_only)))
    )
    crowd = Crowd(threading.Barrier(2))
    crowd.run(
        *(
            (
                lambda tab=copies().as_user(HQ), tone=tone: revise_audit(
                    tab, audit_id, good_answers(tab, **{"call.tone": tone}), f"tone {tone}"
                )
            )
            for tone in (1, 2)
        )
    )
    assert crowd.errors == []
    assert sorted(r.revision for r in crowd.results) == [2, 3]
    history = audit_history(branches_only, audit_id)
    assert [r.revision for r in history] == [1, 2, 3]
    assert verify(branches_only).ok


def test_readers_during_an_import_see_all_of_it_or_none(
    branches_only: AppContext, copies: Callable[[], AppContext]
) -> None:
    data = (DEMO / "audits.csv").read_bytes()
    importer, reader = copies(), copies()
    done = threading.Event()
    seen: set[int] = set()
    compared = []

    def read_once() -> None:
        seen.add(len(list_scores(reader)))
        table = compare.league_table(reader, AuditFilter(), min_audits=1, include_closed=True)
        compared.append(sum(row.audits for row in table.rows))

    def read() -> int:
        rounds = 0
        while not done.is_set():
            read_once()
            rounds += 1
        read_once()  # and once after the import ended
        return rounds

    def write() -> str:
        try:
            return import_bytes(importer, "audits.csv", data).status
        finally:
            done.set()

    crowd = Crowd(threading.Barrier(2))
    crowd.run(write, read)
    assert crowd.errors == []
    assert "imported" in crowd.results
    total = count(branches_only, audits)
    assert total > 1_600
    assert seen <= {0, total} and total in seen
    assert set(compared) <= {0, total} and compared[-1] == total
    [rounds] = [r for r in crowd.results if isinstance(r, int)]
    assert rounds >= 1, "the reader never ran while the import did"


def test_an_import_in_another_process_while_this_one_submits(
    branches_only: AppContext, tmp_path: Path
) -> None:
    """A real second process (the CLI) imports while this process submits visits."""
    importing = subprocess.Popen(
        [sys.executable, "-m", "audit_app", "import", str(DEMO / "audits.csv")],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    here = branches_only.as_user(MARTA)
    submitted = []
    for n in range(8):
        visit = Visit("ES-CAT-02", "greeting_phone", 1, datetime(2020, 1, 1 + n, 9), "Bo")
        submitted.append(submit_audit(here, AuditRecord(visit, tuple(good_answers(here))))[0])
    out, err = importing.communicate(timeout=240)
    assert importing.returncode == 0, err
    assert "Traceback" not in err
    total = count(branches_only, audits)
    added = re.search(r"added ([\d,]+) audits", out)
    assert added is not None, out
    assert total == 8 + int(added[1].replace(",", ""))
    assert verify(branches_only).ok


def test_the_same_photo_sent_by_four_people_at_once_is_kept_once(
    branches_only: AppContext, copies: Callable[[], AppContext]
) -> None:
    """Two phones uploading one picture (a shared chat photo) at the same moment: one file,
    one row, both answers name it, verify is clean."""
    from audit_app.services import evidence
    from audit_app.storage.tables import media
    from tests.services.test_evidence import jpeg

    data = jpeg((12, 34, 56))
    tabs = [copies().as_user(MARTA) for _ in range(4)]
    crowd = Crowd(threading.Barrier(4))
    crowd.run(*((lambda tab=tab: evidence.store_photo(tab, data, "shared.jpg")) for tab in tabs))
    assert crowd.errors == []
    assert len({photo.sha256 for photo in crowd.results}) == 1
    assert count(branches_only, media) == 1
    assert verify(branches_only).ok
