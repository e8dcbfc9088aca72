"""Run every benchmark module (bench/bench_*.py), print one table, write the figures as JSON.

    python -m bench.run [NAME ...]      e.g. python -m bench.run foundation

Each module has ``run() -> list[Figure]``. Figures go to bench/results/latest.json.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench.common import Figure  # noqa: E402


def main(names: list[str]) -> None:
    os.environ.setdefault("AUDIT_DATA_DIR", tempfile.mkdtemp(prefix="audit-bench-"))
    modules = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    chosen = [m for m in modules if not names or m in names]
    figures: list[Figure] = []
    for name in chosen:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        figures.extend(importlib.import_module(f"bench.bench_{name}").run())
    print(f"{'benchmark':46} {'value':>11} {'unit':9} {'target':12} {'met':4} detail")
    for f in figures:
        met = "" if f.met is None else ("yes" if f.met else "NO")
        print(f"{f.name:46} {f.value:11.2f} {f.unit:9} {f.target:12} {met:4} {f.detail}")
    result = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "figures": [asdict(f) for f in figures],
    }
    out = HERE / "results" / ("latest.json" if not names else f"latest-{'-'.join(chosen)}.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
