"""Start N Streamlit workers and haproxy, watch them, stop them all.

Every child runs in a session of its own, so Ctrl-C in the terminal reaches this process
alone and it stops the children in order (the proxy first, then the workers); each child
also gets SIGTERM from the kernel if this process dies without that chance (Linux's
parent-death signal), so no worker outlives its supervisor. A worker that dies is reported
and started again on its port; one that keeps dying at once stops the whole serve.
"""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from audit_app.i18n import _, ngettext
from audit_app.serving import haproxy
from audit_app.serving.refusal import ServingCode, ServingRefused

MOST_PROCESSES = 64
STARTUP_SECONDS = 180.0
"""How long the workers may take to answer their first health check (a busy machine)."""
QUICK_DEATH_SECONDS = 30.0
QUICK_DEATHS_ALLOWED = 3
"""A worker that dies this many times in a row, each within QUICK_DEATH_SECONDS of its
start, is not started again: something is wrong that a restart will not mend."""
STOP_SECONDS = 15.0
LISTEN_SECONDS = 30
POLL_SECONDS = 0.5
PR_SET_PDEATHSIG = 1
COOKIE_SECRET_VARIABLE = "STREAMLIT_SERVER_COOKIE_SECRET"
"""Streamlit's ``server.cookieSecret``, given through the environment: on a command line
every user of the machine could read it in ``ps``."""


def processes_wanted(text: str) -> int:
    """``--processes``: a whole number from 1 to 64, or ``auto`` (the cores this process
    may run on)."""
    if text.strip().lower() == "auto":
        try:
            return max(1, min(len(os.sched_getaffinity(0)), MOST_PROCESSES))
        except AttributeError:  # not on Linux
            return max(1, min(os.cpu_count() or 1, MOST_PROCESSES))
    try:
        wanted = int(text)
    except ValueError:
        wanted = 0
    if not 1 <= wanted <= MOST_PROCESSES:
        raise ServingRefused(
            ServingCode.BAD_PROCESSES,
            _("--processes takes a number from 1 to {most} or auto, not {given}.").format(
                most=MOST_PROCESSES, given=repr(text)
            ),
        )
    return wanted


@dataclass(frozen=True)
class Plan:
    """What to serve: ``worker_command`` is a whole Streamlit command but for its port and
    address, which each worker gets here (127.0.0.1 and a private port)."""

    address: str
    port: int
    processes: int
    worker_command: Sequence[str]
    haproxy: str
    """The haproxy executable (``haproxy.find_haproxy``)."""
    worker_env: Mapping[str, str] = field(default_factory=dict)
    """Added to this process's environment for the workers."""


@dataclass
class Worker:
    number: int
    port: int
    process: subprocess.Popen[bytes]
    started: float
    quick_deaths: int = 0


def serve(plan: Plan, *, report: Callable[[str], None], on_ready: Callable[[], None]) -> None:
    """Serve until SIGTERM, SIGINT (Ctrl-C) or SIGHUP, then stop every child; ``report``
    gets the news a person should read (a worker that died), ``on_ready`` is called once
    haproxy is up in front of healthy workers."""
    with ExitStack() as stack:
        stop = stack.enter_context(_stop_signals())
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="audit-serve-")))
        ports = _free_ports(plan.processes)
        config = haproxy.write_config(
            folder, haproxy.haproxy_config(plan.address, plan.port, ports)
        )
        haproxy.check_config(plan.haproxy, config)
        env = {**os.environ, **plan.worker_env, COOKIE_SECRET_VARIABLE: secrets.token_hex(32)}
        workers: list[Worker] = []
        proxy: list[subprocess.Popen[bytes]] = []
        stack.callback(_stop_all, proxy, workers)
        for number, port in enumerate(ports, start=1):
            workers.append(_start_worker(plan, env, number, port))
        if not _wait_until_healthy(workers, stop):
            return
        proxy.append(_start(haproxy.haproxy_command(plan.haproxy, config), os.environ))
        if not _wait_until_listening(plan, proxy[0], stop):
            return
        on_ready()
        while not stop:
            time.sleep(POLL_SECONDS)
            if proxy[0].poll() is not None and not stop:
                raise ServingRefused(
                    ServingCode.PROXY_FAILED,
                    _("haproxy stopped (exit code {code}); the workers were stopped too.").format(
                        code=proxy[0].returncode
                    ),
                )
            for worker in workers:
                if worker.process.poll() is not None and not stop:
                    _restart(plan, env, worker, report)


class _Flag:
    """Set by a stop signal; read by the loops."""

    def __init__(self) -> None:
        self.raised = False

    def __bool__(self) -> bool:
        return self.raised


@contextmanager
def _stop_signals() -> Iterator[_Flag]:
    flag = _Flag()

    def handle(signum: int, frame: FrameType | None) -> None:
        flag.raised = True

    wanted = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    before = {number: signal.signal(number, handle) for number in wanted}
    try:
        yield flag
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _free_ports(count: int) -> list[int]:
    """``count`` different loopback ports free right now (held together while chosen)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    """The child gets SIGTERM when this process dies, however it dies (Linux only)."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _start(command: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        list(command),
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,  # Streamlit's "You can now view..." names a private port
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )


def _start_worker(plan: Plan, env: Mapping[str, str], number: int, port: int) -> Worker:
    command = [*plan.worker_command, "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1"]
    return Worker(number, port, _start(command, env), time.monotonic())


def _healthy(port: int) -> bool:
    url = f"http://127.0.0.1:{port}{haproxy.HEALTH_PATH}"
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_healthy(workers: list[Worker], stop: _Flag) -> bool:
    """True once every worker answers; False when a stop signal came first."""
    deadline = time.monotonic() + STARTUP_SECONDS
    waiting = list(workers)
    while waiting:
        if stop:
            return False
        for worker in list(waiting):
            code = worker.process.poll()
            if code is not None:
                raise ServingRefused(
                    ServingCode.WORKER_FAILED,
                    _(
                        "Worker {number} stopped (exit code {code}) before it answered; "
                        "its messages are above."
                    ).format(number=worker.number, code=code),
                )
            if _healthy(worker.port):
                waiting.remove(worker)
        if waiting and time.monotonic() > deadline:
            raise ServingRefused(
                ServingCode.WORKER_FAILED,
                ngettext(
                    "The workers did not answer within {seconds} second.",
                    "The workers did not answer within {seconds} seconds.",
                    int(STARTUP_SECONDS),
                ).format(seconds=int(STARTUP_SECONDS)),
            )
        if waiting:
            time.sleep(POLL_SECONDS)
    return True


def _wait_until_listening(plan: Plan, proxy: subprocess.Popen[bytes], stop: _Flag) -> bool:
    """True once haproxy accepts connections on the public address."""
    host = plan.address or "127.0.0.1"
    deadline = time.monotonic() + LISTEN_SECONDS
    while not stop:
        if proxy.poll() is not None:
            raise ServingRefused(
                ServingCode.PROXY_FAILED,
                _(
                    "haproxy could not start (exit code {code}; is {address}:{port} in use?); "
                    "its messages are above."
                ).format(code=proxy.returncode, address=host, port=plan.port),
            )
        try:
            with socket.create_connection((host, plan.port), timeout=1):
                return True
        except OSError:
            if time.monotonic() > deadline:
                raise ServingRefused(
                    ServingCode.PROXY_FAILED,
                    ngettext(
                        "haproxy did not listen on {address}:{port} within {seconds} second.",
                        "haproxy did not listen on {address}:{port} within {seconds} seconds.",
                        LISTEN_SECONDS,
                    ).format(address=host, port=plan.port, seconds=LISTEN_SECONDS),
                ) from None
            time.sleep(POLL_SECONDS)
    return False


def _restart(
    plan: Plan, env: Mapping[str, str], worker: Worker, report: Callable[[str], None]
) -> None:
    code = worker.process.returncode
    lived = time.monotonic() - worker.started
    worker.quick_deaths = worker.quick_deaths + 1 if lived < QUICK_DEATH_SECONDS else 0
    if worker.quick_deaths >= QUICK_DEATHS_ALLOWED:
        raise ServingRefused(
            ServingCode.WORKER_FAILED,
            ngettext(
                "Worker {number} stopped (exit code {code}) soon after starting, {times} time "
                "in a row; stopping everything (its messages are above).",
                "Worker {number} stopped (exit code {code}) soon after starting, {times} times "
                "in a row; stopping everything (its messages are above).",
                worker.quick_deaths,
            ).format(number=worker.number, code=code, times=worker.quick_deaths),
        )
    report(
        _("Worker {number} (port {port}) stopped (exit code {code}); starting it again.").format(
            number=worker.number, port=worker.port, code=code
        )
    )
    fresh = _start_worker(plan, env, worker.number, worker.port)
    worker.process, worker.started = fresh.process, fresh.started


def _stop_all(proxy: list[subprocess.Popen[bytes]], workers: list[Worker]) -> None:
    """SIGTERM to haproxy, then to every worker; SIGKILL to any still there after
    STOP_SECONDS. Every child is waited for, so none is left behind, not even a zombie."""
    children = [*proxy, *(worker.process for worker in workers)]
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


__all__ = ["Plan", "processes_wanted", "serve"]
