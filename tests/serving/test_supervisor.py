"""``audit-app serve --processes 2`` for real: haproxy in front of two Streamlit workers,
sticky by cookie; a log-in made on one worker holds on the other (sessions live in the
database); a worker that dies is reported and started again; a stop signal, or the
supervisor's own death, leaves no process behind."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from audit_app.config import Settings
from audit_app.domain.users import Role, User
from audit_app.services.activity import list_activity
from audit_app.services.context import open_context
from bench.load.__main__ import ACCOUNTS, _load_demo
from bench.load.cpu import process_tree
from bench.load.journey import at_log_in_form, log_in
from bench.load.session import Tab, run_on_own_loop
from tests.serving.conftest import (
    Served,
    alive,
    command_line,
    get,
    require_haproxy,
    serving,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require_haproxy()
    data_dir = tmp_path_factory.mktemp("serving") / "data"
    _load_demo(data_dir)
    with serving(data_dir) as running:
        yield running


def test_health_answers_through_the_proxy_and_sets_the_sticky_cookie(served: Served) -> None:
    answer = get(served.url + "/_stcore/health")
    assert (answer.status, answer.body) == (200, "ok")
    worker = [c for c in answer.set_cookies if c.startswith("AUDIT_WORKER=")]
    assert len(worker) == 1
    assert re.fullmatch(r"AUDIT_WORKER=(w1|w2); path=/; HttpOnly; SameSite=Lax", worker[0])
    assert worker[0].split(";")[0] == f"AUDIT_WORKER={answer.worker}"


def test_new_browsers_go_round_robin_and_a_cookie_keeps_its_worker(served: Served) -> None:
    fresh = {get(served.url + "/_stcore/health").worker for _ in range(4)}
    assert fresh == {"w1", "w2"}
    for name in ("w1", "w2"):
        answers = [get(served.url + "/", cookie=f"AUDIT_WORKER={name}") for _ in range(4)]
        assert {a.worker for a in answers} == {name}
        # indirect: a browser that has its cookie is not sent it again
        assert not any(c.startswith("AUDIT_WORKER=") for a in answers for c in a.set_cookies)


def test_every_worker_has_the_same_cookie_secret_never_shown(served: Served) -> None:
    """One secret signs Streamlit's cookies (the XSRF token) for every worker, so a browser
    moved to another worker is not refused; it is in no command line and no output."""
    secrets: set[str] = set()
    for name in ("w1", "w2"):
        pid = served.worker_pid(name)
        environ = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
        [line] = [v for v in environ if v.startswith("STREAMLIT_SERVER_COOKIE_SECRET=")]
        secrets.add(line.split("=", 1)[1])
        assert not any("cookieSecret" in part for part in command_line(pid))
    [secret] = secrets
    assert len(secret) >= 32
    assert secret not in served.output()


async def _log_in_then_open_on_the_other_worker(url: str) -> tuple[str, str, bool, str]:
    first = Tab(url, cookies={"AUDIT_WORKER": "w1"})
    try:
        form = await first.open()
        home = await log_in(first, form, ACCOUNTS[0])
        first_worker = first.answer_header("X-Audit-Worker") or ""
        page = await first.go("compare")
        assert not page.errors and not at_log_in_form(page), page.text()[:500]
    finally:
        await first.close()
    found = re.search(r"audit_session=([^;']+);", "\n".join(e.text for e in home.elements))
    assert found is not None, "no session cookie written after the log-in"
    second = Tab(url, cookies={"AUDIT_WORKER": "w2", "audit_session": found[1]})
    try:
        there = await second.open()
        return (
            first_worker,
            second.answer_header("X-Audit-Worker") or "",
            (at_log_in_form(there)),
            "\n".join(there.errors),
        )
    finally:
        await second.close()


def test_a_websocket_session_logs_in_and_its_log_in_holds_on_the_other_worker(
    served: Served,
) -> None:
    """A browser moved to another worker (its own went down, the proxy sent it on) opens
    with the session cookie it keeps: the other process finds the session in the database."""
    first, second, at_form, errors = run_on_own_loop(
        lambda: _log_in_then_open_on_the_other_worker(served.url)
    )
    assert (first, second) == ("w1", "w2")
    assert errors == ""
    assert not at_form


async def _log_in_with_address(url: str, address: str) -> None:
    tab = Tab(url, headers={"X-Audit-Client-Address": address})
    try:
        await log_in(tab, await tab.open(), ACCOUNTS[1])
    finally:
        await tab.close()


def test_log_ins_are_counted_by_the_address_the_proxy_saw(served: Served) -> None:
    """Behind the proxy every worker's socket sees 127.0.0.1; the proxy's own header tells
    the browser's address (log-in throttling counts by it), and a browser cannot forge it:
    the proxy overwrites it."""
    direct = f"http://127.0.0.1:{served.worker_port('w2')}"
    run_on_own_loop(lambda: _log_in_with_address(direct, "203.0.113.7"))  # as the proxy would send
    run_on_own_loop(lambda: _log_in_with_address(served.url, "198.51.100.9"))  # forged by a browser
    ctx = open_context(Settings(data_dir=served.data_dir))
    try:
        head_office = ctx.as_user(User(username="hq", role=Role.HEAD_OFFICE))
        log_ins = list_activity(head_office, actions=("log-in",), actor=ACCOUNTS[1].username)
    finally:
        ctx.engine.dispose()
    assert [entry.detail.get("address") for entry in log_ins] == [None, "203.0.113.7"]


def test_a_worker_that_dies_is_reported_and_started_again(served: Served) -> None:
    dead = served.worker_pid("w1")
    port = served.worker_port("w1")
    os.kill(dead, signal.SIGKILL)
    deadline = time.monotonic() + 180
    while True:
        answer = get(served.url + "/_stcore/health", cookie="AUDIT_WORKER=w1")
        assert answer.status == 200  # meanwhile w2 answers for it (redispatch)
        if answer.worker == "w1":
            break
        assert time.monotonic() < deadline, served.output()
        time.sleep(1)
    assert served.worker_pid("w1") != dead
    assert f"Worker 1 (port {port}) stopped (exit code -9); starting it again." in (served.output())


@dataclass(frozen=True)
class Stopped:
    tree: list[tuple[int, str]]
    """Every process of the tree while it served: (pid, name)."""
    left: list[tuple[int, str]]
    """Those still running once the supervisor was gone (and up to ``wait`` seconds more)."""
    folder: Path
    output: str


def _stop_with(tmp_path: Path, signum: int, wait: float) -> Stopped:
    """Serve, note every process of the tree and the config folder, send ``signum`` to the
    supervisor, and see what is left (before ``serving`` cleans up after a failure)."""
    with serving(tmp_path / "data") as running:
        tree = [
            (pid, Path(f"/proc/{pid}/comm").read_text().strip())
            for pid in process_tree(running.process.pid)
        ]
        folder = running.config().parent
        running.process.send_signal(signum)
        try:
            running.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("the supervisor did not stop within 60 s:\n" + running.output())
        deadline = time.monotonic() + wait
        while True:
            left = [(pid, name) for pid, name in tree if alive(pid)]
            if not left or time.monotonic() > deadline:
                return Stopped(tree, left, folder, running.output())
            time.sleep(0.2)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_a_stop_signal_leaves_no_process_and_no_config_behind(tmp_path: Path, signum: int) -> None:
    require_haproxy()
    stopped = _stop_with(tmp_path, signum, wait=0)
    assert len(stopped.tree) == 4, stopped.tree  # the supervisor, haproxy and two workers
    assert stopped.left == []  # each waited for: not even a zombie
    assert not stopped.folder.exists()
    assert "Traceback" not in stopped.output


def test_children_stop_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    """SIGKILL gives the supervisor no chance to stop them: the kernel's parent-death
    signal does."""
    require_haproxy()
    stopped = _stop_with(tmp_path, signal.SIGKILL, wait=30)
    assert len(stopped.tree) == 4, stopped.tree
    assert stopped.left == []


@dataclass
class _Stopped:
    """A worker process that has exited."""

    returncode: int = 3


def test_a_worker_that_dies_soon_after_starting_three_times_in_a_row_stops_everything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """README: a process that dies is started again, unless it died within 30 s of its start
    three times in a row (something a restart will not mend): then everything stops, saying
    so. A death after a longer life starts the count again."""
    from audit_app.serving import supervisor
    from audit_app.serving.refusal import ServingCode, ServingRefused

    started: list[int] = []

    def start_worker(_plan: object, _env: object, number: int, port: int) -> object:
        started.append(number)
        return supervisor.Worker(number, port, _Stopped(), time.monotonic())  # type: ignore[arg-type]

    monkeypatch.setattr(supervisor, "_start_worker", start_worker)
    plan = supervisor.Plan("127.0.0.1", 1, 1, ["streamlit"], "haproxy")
    said: list[str] = []
    worker = supervisor.Worker(1, 9, _Stopped(), time.monotonic())  # type: ignore[arg-type]
    supervisor._restart(plan, {}, worker, said.append)
    supervisor._restart(plan, {}, worker, said.append)
    assert started == [1, 1] and len(said) == 2 and "starting it again" in said[0]
    with pytest.raises(ServingRefused) as refused:
        supervisor._restart(plan, {}, worker, said.append)
    assert refused.value.code is ServingCode.WORKER_FAILED
    assert "3 times in a row" in str(refused.value)
    assert started == [1, 1]  # not started a third time

    lived_long = supervisor.Worker(2, 9, _Stopped(), time.monotonic() - 31, quick_deaths=2)  # type: ignore[arg-type]
    supervisor._restart(plan, {}, lived_long, said.append)
    assert lived_long.quick_deaths == 0 and started == [1, 1, 2]
