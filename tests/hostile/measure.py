"""Time and peak memory of each bad file through the import service, one fresh process per
case (a process's peak memory cannot be reset), on an embedded SQLite database that knows
the demo branches. The figures are reported, never asserted: a test must not time things.

    python -m tests.hostile.measure                 # every case of the corpus
    python -m tests.hostile.measure zip_bomb ...    # some

Prints one line per case: outcome, seconds in ``import_bytes``, the process's peak
resident memory and how much of it the import added over the process before it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.hostile.corpus import CASES

CHILD = """
import json, sys, time
from pathlib import Path
from audit_app.config import Settings, default_checklists_dir
from audit_app.services.branches import import_branches
from audit_app.services.context import open_context
from audit_app.services.imports import import_bytes
from tests.hostile.corpus import CASES

def memory(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field):
            return int(line.split()[1]) / 1024
    return 0.0

folder, case = Path(sys.argv[1]), sys.argv[2]
ctx = open_context(Settings(data_dir=folder / case, checklists_dir=default_checklists_dir()))
import_branches(ctx, Path("sample_data/demo/branches.csv"))
bad = CASES[case](folder / "files")
data = bad.data
import_bytes(ctx, "warm-up.csv", b"x")  # the readers' modules loaded before measuring
before = memory("VmHWM:")
start = time.perf_counter()
result = import_bytes(ctx, bad.name, data)
seconds = time.perf_counter() - start
print(json.dumps({
    "case": case, "bytes": len(data), "status": result.status, "seconds": seconds,
    "peak_mb": memory("VmHWM:"), "added_mb": memory("VmHWM:") - before,
    "message": "; ".join(str(e) for e in result.problems)[:110],
}))
"""


def measure(cases: list[str]) -> list[dict[str, object]]:
    figures = []
    with tempfile.TemporaryDirectory(prefix="audit-hostile-") as folder:
        (Path(folder) / "files").mkdir()
        for case in cases:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, folder, case],
                capture_output=True,
                text=True,
                check=False,
                cwd=Path(__file__).resolve().parents[2],
            )
            if done.returncode != 0:
                figures.append({"case": case, "status": f"CRASHED ({done.returncode})"})
                print(done.stderr[-2000:], file=sys.stderr)
                continue
            figures.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return figures


def main(argv: list[str]) -> int:
    cases = argv or list(CASES)
    unknown = [case for case in cases if case not in CASES]
    if unknown:
        print(f"unknown case(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    print(f"{'case':32} {'file':>12} {'outcome':9} {'seconds':>8} {'peak MB':>8} {'+MB':>6}")
    for row in measure(cases):
        if "seconds" not in row:
            print(f"{row['case']:32} {row['status']}")
            continue
        print(
            f"{row['case']:32} {row['bytes']:>12,} {row['status']:9} {row['seconds']:>8.2f} "
            f"{row['peak_mb']:>8.0f} {row['added_mb']:>6.0f}  {row['message']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
