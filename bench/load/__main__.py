"""``python -m bench.load``: N simulated users at once against the real server, for each N.

    python -m bench.load [--users 1 10 20 40] [--url http://127.0.0.1:PORT]
                         [--data-dir DIR] [--port 8790] [--processes 1] [--ramp 2]
                         [--bound 900]

Without ``--url`` it loads the demo into a fresh data folder (or into ``--data-dir``, unless
that holds a database in real use) and starts ``audit-app serve --processes N`` on 127.0.0.1
for the run. Each user is a websocket
session (``bench.load.journey``): half log in as head office (hq), half as an area manager
(marta), all within ``--ramp`` seconds. Every level is bounded in time (``--bound`` seconds) and
count. It prints p50 and p95 per step, the errors, whether every submission was stored
exactly once (looked up by its visit reference), and the server's CPU use in cores (summed
over its whole process tree: haproxy and every worker); the figures go to
``bench/results/latest-load.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path

from bench.load.cpu import tree_cpu_seconds
from bench.load.journey import Account, Outcome, journey
from bench.load.session import run_on_own_loop

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "bench" / "results" / "latest-load.json"
ACCOUNTS = (Account("hq", "hq-demo-2026"), Account("marta", "marta-demo-2026"))
STEPS = (
    "log-in form",
    "log in",
    "compare",
    "filter change",
    "branch",
    "audit",
    "actions",
    "coverage",
    "new visit",
    "submit",
)
PAGES = ("compare", "branch", "audit", "actions", "coverage", "new visit")


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    with tempfile.TemporaryDirectory(prefix="audit-load-") as scratch:
        data_dir = Path(args.data_dir) if args.data_dir else Path(scratch) / "data"
        server = None
        url = args.url
        if url is None:
            # A folder of its own gets the demo too, unless it holds a database in real use
            # (running it again on the demo adds nothing).
            _load_demo(data_dir)
            server, url = _serve(data_dir, args.port, args.processes)
        try:
            levels = [
                _level(url, users, args.ramp, args.bound, data_dir, server) for users in args.users
            ]
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
    if args.url is None:
        print(f"audit-app serve --processes {args.processes}")
    _print(levels)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
                "processes": args.processes if args.url is None else None,
                "levels": levels,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0 if all(level["ok"] for level in levels) else 1


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--users", type=int, nargs="+", default=[1, 10, 20, 40])
    parser.add_argument("--url", help="a running server (loopback only); else one is started")
    parser.add_argument("--data-dir", help="the served data folder (holding the demo)")
    parser.add_argument("--port", type=int, default=None, help="default: a free one")
    parser.add_argument(
        "--processes",
        default="1",
        help="server processes (audit-app serve --processes: a number or auto)",
    )
    parser.add_argument("--ramp", type=float, default=2.0, help="users start within this many s")
    parser.add_argument("--bound", type=float, default=900.0, help="seconds a level may take")
    args = parser.parse_args(argv)
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost")):
        parser.error("the load test drives a server on this machine only (loopback)")
    if args.url and args.processes != "1":
        parser.error("--processes applies to the server this runner starts (no --url)")
    if args.url and not args.data_dir:
        parser.error("--url needs --data-dir: the submissions are checked in its database")
    return args


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_")}
    env["AUDIT_DATA_DIR"] = str(data_dir)
    return env


def _load_demo(data_dir: Path) -> None:
    audit_app = Path(sys.executable).parent / "audit-app"
    subprocess.run(
        [str(audit_app), "demo", "--unless-in-use"],
        env=_environment(data_dir),
        check=True,
        capture_output=True,
        timeout=600,
    )


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(
    data_dir: Path, port: int | None, processes: str = "1"
) -> tuple[subprocess.Popen[bytes], str]:
    """``audit-app serve --processes N`` on 127.0.0.1 (a free port when ``port`` is None)."""
    port = port or _free_port()
    audit_app = Path(sys.executable).parent / "audit-app"
    env = _environment(data_dir) | {"AUDIT_PORT": str(port), "AUDIT_ADDRESS": "127.0.0.1"}
    server = subprocess.Popen(
        [str(audit_app), "serve", "--processes", processes],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    import urllib.request

    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return server, url
        except OSError:
            time.sleep(0.5)
    server.terminate()
    server.wait(timeout=30)
    raise SystemExit("the server did not start within 120 s")


def _level(
    url: str,
    users: int,
    ramp: float,
    bound: float,
    data_dir: Path,
    server: subprocess.Popen[bytes] | None,
) -> dict[str, object]:
    run = datetime.now(UTC).strftime("%H%M%S")
    cpu_before = _cpu_seconds(server)
    started = time.perf_counter()
    outcomes = run_on_own_loop(lambda: _crowd(url, users, ramp, bound, run))
    wall = time.perf_counter() - started
    cpu = _cpu_seconds(server) - cpu_before if server is not None else None
    stored = _stored(data_dir, f"load-{run}-")
    return _summary(users, outcomes, stored, wall, cpu)


async def _crowd(url: str, users: int, ramp: float, bound: float, run: str) -> list[Outcome]:
    async def one(number: int) -> Outcome:
        await asyncio.sleep(random.uniform(0, ramp))
        account = ACCOUNTS[number % len(ACCOUNTS)]
        return await journey(url, account, f"load-{run}-{number:03d}", number)

    tasks = [asyncio.create_task(one(n)) for n in range(users)]
    done, pending = await asyncio.wait(tasks, timeout=bound)
    for task in pending:
        task.cancel()
    outcomes = [task.result() for task in done]
    for _ in pending:
        outcomes.append(Outcome("?", "?", errors=[f"did not finish within {bound:g} s"]))
    return outcomes


def _cpu_seconds(server: subprocess.Popen[bytes] | None) -> float:
    """User and system CPU time of the server's whole process tree so far."""
    return 0.0 if server is None else tree_cpu_seconds(server.pid)


def _stored(data_dir: Path, prefix: str) -> Counter[str]:
    """How many audits carry each of this level's visit references."""
    from audit_app.config import Settings
    from audit_app.domain.filters import AuditFilter
    from audit_app.services.audits import list_scores
    from audit_app.services.context import open_context

    ctx = open_context(Settings(data_dir=data_dir))
    try:
        frame = list_scores(ctx, AuditFilter(reference=prefix))
        return Counter(str(value) for value in frame["visit_reference"])
    finally:
        ctx.engine.dispose()


def _quantiles(values: list[float]) -> tuple[float, float]:
    if len(values) == 1:
        return values[0], values[0]
    cut = statistics.quantiles(values, n=20, method="inclusive")
    return statistics.median(values), cut[18]


def _summary(
    users: int, outcomes: list[Outcome], stored: Counter[str], wall: float, cpu: float | None
) -> dict[str, object]:
    by_step: dict[str, list[float]] = defaultdict(list)
    for outcome in outcomes:
        for step, seconds in outcome.timings:
            by_step[step].append(seconds)
    pages = [s for step in PAGES for s in by_step.get(step, [])]
    errors = [f"{o.user} {o.reference}: {e}" for o in outcomes for e in o.errors]
    submitted = [o.reference for o in outcomes if o.audit_id is not None]
    once = all(stored.get(reference) == 1 for reference in submitted) and sum(
        stored.values()
    ) == len(submitted)
    steps = {
        step: dict(zip(("p50", "p95"), _quantiles(by_step[step]), strict=True))
        for step in (*STEPS, "whole session")
        if by_step.get(step)
    }
    page_p50, page_p95 = _quantiles(pages) if pages else (float("nan"), float("nan"))
    return {
        "users": users,
        "pages": {"p50": page_p50, "p95": page_p95},
        "steps": steps,
        "errors": errors,
        "submitted": len(submitted),
        "stored": sum(stored.values()),
        "stored_once": once,
        "seconds": wall,
        "server_cores": None if cpu is None else cpu / wall,
        "ok": not errors and once and len(submitted) == users,
    }


def _print(levels: list[dict[str, object]]) -> None:
    print(
        "| users | page p50 | page p95 | Branch p50 | log-in p95 | submit p95 | errors | "
        "submissions stored once | server cores |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for level in levels:
        steps = level["steps"]
        assert isinstance(steps, dict)
        pages = level["pages"]
        assert isinstance(pages, dict)

        def cell(step: str, which: str, steps: dict[str, dict[str, float]] = steps) -> str:
            return f"{steps[step][which]:.2f} s" if step in steps else "–"

        cores = level["server_cores"]
        print(
            f"| {level['users']} | {pages['p50']:.2f} s | {pages['p95']:.2f} s | "
            f"{cell('branch', 'p50')} | {cell('log in', 'p95')} | {cell('submit', 'p95')} | "
            f"{len(level['errors'])} | {level['stored']} of {level['submitted']}"  # type: ignore[arg-type]
            f"{' ✔' if level['stored_once'] else ' ✘'} | "
            f"{'–' if cores is None else f'{cores:.2f}'} |"
        )
    for level in levels:
        for error in level["errors"][:10]:  # type: ignore[index]
            print(f"  {level['users']} users: {error}")


if __name__ == "__main__":
    raise SystemExit(main())
