"""Run the benchmark modules (bench/bench_*.py) on SQLite and PostgreSQL, print one table, write
the figures as JSON.

    python -m bench.run [NAME ...] [--engine sqlite|postgresql|both]

e.g. ``python -m bench.run ui`` or ``python -m bench.run compare --engine postgresql``.
PostgreSQL needs ``AUDIT_BENCH_POSTGRES_URL`` (a server admin URL): each run makes its own
databases there (``audit_bench_<pid>_<n>``) and drops them at its end. The default engine is
both when that URL is set, else SQLite alone (a note says so).

A module has ``run(engine) -> list[Figure]`` for what touches the database, measured once per
engine, and may have ``run_pure() -> list[Figure]`` for pure computations, measured once.
Figures go to bench/results/latest[-NAMES][-ENGINE].json (ENGINE when only one was measured).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import databases, scale_world  # noqa: E402
from bench.common import Figure  # noqa: E402

ENGINE_ORDER = ("none", *databases.ENGINES)


def modules() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Run the benchmarks on SQLite and PostgreSQL, print one table, write JSON.",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(modules())}")
    parser.add_argument(
        "--engine",
        choices=("sqlite", "postgresql", "both"),
        help="default: both when AUDIT_BENCH_POSTGRES_URL is set, else sqlite",
    )
    options = parser.parse_args(argv)
    unknown = sorted(set(options.names) - set(modules()))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)} (known: {', '.join(modules())})")
    return options


def chosen_engines(engine: str | None) -> list[str]:
    have_server = databases.server_url() is not None
    if engine is None:
        if have_server:
            return list(databases.ENGINES)
        print(f"note: PostgreSQL skipped; to measure it too, {databases.HOW_TO_ENABLE}")
        return ["sqlite"]
    wanted = list(databases.ENGINES) if engine == "both" else [engine]
    if "postgresql" in wanted and not have_server:
        sys.exit(f"error: --engine {engine} needs a PostgreSQL server: {databases.HOW_TO_ENABLE}")
    return wanted


def measure(names: list[str], engines: list[str]) -> tuple[list[Figure], list[str]]:
    """Every chosen module on every chosen engine, engine by engine; pure parts once.

    A module that fails is named in the second list (its traceback goes to stderr) and the
    others still run: one broken page must not throw away half an hour of figures.
    """
    figures: list[Figure] = []
    failures: list[str] = []

    def attempt(what: str, work: Callable[[], list[Figure]], engine: str) -> None:
        print(f"running {what} ...", file=sys.stderr, flush=True)
        try:
            figures.extend(_tagged(work(), engine))
        except Exception as error:  # reported below, and the run goes on
            traceback.print_exc()
            failures.append(f"{what}: {type(error).__name__}: {str(error)[:300]}")

    for index, engine in enumerate(engines):
        for name in names:
            module = importlib.import_module(f"bench.bench_{name}")
            if index == 0 and hasattr(module, "run_pure"):
                attempt(f"{name} (no database)", module.run_pure, "none")
            if hasattr(module, "run"):
                label = databases.LABELS[engine]
                attempt(f"{name} on {label}", lambda m=module, e=engine: m.run(e), engine)
        scale_world.close_all()
    return figures, failures


def _tagged(figures: list[Figure], engine: str) -> list[Figure]:
    for figure in figures:
        figure.engine = engine
    return figures


def grouped(figures: list[Figure]) -> list[Figure]:
    """Each benchmark's rows together, one per engine, in the order first measured."""
    first_seen: dict[str, int] = {}
    for figure in figures:
        first_seen.setdefault(figure.name, len(first_seen))
    return sorted(figures, key=lambda f: (first_seen[f.name], ENGINE_ORDER.index(f.engine)))


def table(figures: list[Figure]) -> str:
    lines = [
        f"{'benchmark':50} {'engine':10} {'value':>11} {'unit':9} {'target':12} {'met':4} "
        f"{'gap':28} detail"
    ]
    for f in figures:
        met = "-" if f.met is None else ("yes" if f.met else "NO")
        lines.append(
            f"{f.name:50} {databases.LABELS[f.engine]:10} {f.value:11.2f} {f.unit:9} "
            f"{f.target:12} {met:4} {f.gap or '':28} {f.detail}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    options = parse(argv)
    engines = chosen_engines(options.engine)
    names = [m for m in modules() if not options.names or m in options.names]
    os.environ.setdefault("AUDIT_DATA_DIR", tempfile.mkdtemp(prefix="audit-bench-"))
    try:
        measured, failures = measure(names, engines)
        figures = grouped(measured)
        server = databases.describe_server()
    finally:
        scale_world.close_all()
        databases.drop_all()
    print(table(figures))
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "engines": engines,
        "postgresql_server": server,
        "figures": [{**asdict(f), "gap": f.gap} for f in figures],
        "failures": failures,
    }
    stem = "latest"
    if options.names:
        stem += "-" + "-".join(names)
    if len(engines) == 1:
        stem += "-" + engines[0]
    out = HERE / "results" / f"{stem}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")
    if failures:
        print("\nnot measured (see the tracebacks above):", *failures, sep="\n  ")
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
