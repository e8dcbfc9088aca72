"""The real ``audit-app serve --processes 2``: haproxy in front of two Streamlit workers.

Without haproxy these tests are skipped with that reason on a developer's machine
(``apt-get install haproxy``); in CI (the ``CI`` variable is set, or ``.ci/run``'s
``AUDIT_REQUIRE_HAPROXY=1``, which installs haproxy) they fail instead, so they always run
there.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from audit_app.serving.haproxy import SYSTEM_DIRS
from bench.load.cpu import process_tree

STARTUP_SECONDS = 180.0


def require_haproxy() -> None:
    import shutil

    if shutil.which("haproxy") or shutil.which("haproxy", path=SYSTEM_DIRS):
        return
    reason = "Debian's haproxy is not installed: apt-get install haproxy"
    if os.environ.get("CI") or os.environ.get("AUDIT_REQUIRE_HAPROXY") == "1":
        pytest.fail(reason + " (CI installs it: .ci/run)")
    pytest.skip(reason)


def audit_app_script() -> str:
    return str(Path(sys.executable).parent / "audit-app")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_")}
    return env | {"AUDIT_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"} | extra


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    worker: str | None
    set_cookies: tuple[str, ...]


def get(url: str, cookie: str | None = None) -> Answer:
    """One GET, with ``Cookie: cookie``; a connection of its own each time (no keep-alive)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return Answer(
            answer.status,
            answer.read().decode(errors="replace"),
            answer.headers.get("X-Audit-Worker"),
            tuple(answer.headers.get_all("Set-Cookie") or ()),
        )


def health(url: str) -> bool:
    try:
        return get(url + "/_stcore/health").body.strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


@dataclass(frozen=True)
class Served:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    data_dir: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def haproxy_pid(self) -> int:
        for pid in process_tree(self.process.pid):
            if command_line(pid)[:1] and command_line(pid)[0].endswith("haproxy"):
                return pid
        raise AssertionError("no haproxy under the server: " + self.output())

    def config(self) -> Path:
        line = command_line(self.haproxy_pid())
        return Path(line[line.index("-f") + 1])

    def worker_port(self, name: str) -> int:
        """The port of ``server NAME 127.0.0.1:PORT`` in haproxy's config."""
        found = re.search(rf"server {name} 127\.0\.0\.1:(\d+)", self.config().read_text())
        assert found is not None
        return int(found[1])

    def worker_pid(self, name: str) -> int:
        """The process serving worker ``name``."""
        port = str(self.worker_port(name))
        for pid in process_tree(self.process.pid):
            line = command_line(pid)
            if "--server.port" in line and line[line.index("--server.port") + 1] == port:
                return pid
        raise AssertionError(f"no worker {name} under the server")


def command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def alive(pid: int) -> bool:
    """Running, and not a zombie waiting to be reaped."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@contextmanager
def serving(data_dir: Path, processes: int = 2) -> Iterator[Served]:
    """``audit-app serve --processes N`` on a free loopback port, until it answers through
    the proxy; stopped (and every process of its tree killed) at the end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"serve-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [audit_app_script(), "serve", "--processes", str(processes)]
    command += ["--port", str(port), "--address", "127.0.0.1"]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command,
            env=server_env(data_dir),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    served = Served(url, process, log, data_dir)
    seen: dict[int, list[str]] = {}
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not health(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"audit-app serve did not come up on {url}:\n{served.output()}")
            time.sleep(0.5)
        seen |= {pid: command_line(pid) for pid in process_tree(process.pid)}
        yield served
    finally:
        seen |= {pid: command_line(pid) for pid in process_tree(process.pid)}
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for pid, line in seen.items():  # a test that failed may leave one behind
            if pid != process.pid and alive(pid) and command_line(pid) == line:
                os.kill(pid, signal.SIGKILL)
