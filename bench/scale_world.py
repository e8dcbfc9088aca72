"""The scale data set (5,000 branches x 8 audits x 60 items) loaded once per engine and shared
by the benchmarks that read it (compare, report_compare, ui): loading it takes longer than
most of what is measured on it, and nothing measured writes to it.

The first benchmark to ask for an engine's world loads it and keeps the load time, which
``bench_compare`` reports (#4 set the target for SQLite).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bench import databases

if TYPE_CHECKING:
    from audit_app.services.context import AppContext
    from sample_data.scale import ScaleData

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class ScaleWorld:
    engine: str
    data_dir: Path
    database_url: str
    load_seconds: float
    """The bulk insert of every branch and audit (``load_scale``), nothing else."""
    analyze_seconds: float
    """PostgreSQL only: ``VACUUM (ANALYZE)`` after the load (0 on SQLite)."""

    def open(self) -> AppContext:
        from sample_data.scale import open_scale_context

        return open_scale_context(self.data_dir, self.database_url)

    def environment(self) -> dict[str, str]:
        """The ``AUDIT_*`` variables that make the CLI or the app open this world."""
        return {
            "AUDIT_DATA_DIR": str(self.data_dir),
            "AUDIT_CHECKLISTS_DIR": str(self.data_dir / "checklists"),
            "AUDIT_DATABASE_URL": self.database_url,
        }


_data: list[ScaleData] = []
_generated: list[float] = []
_worlds: dict[str, ScaleWorld] = {}
_folders: list[Path] = []


def scale_data() -> tuple[ScaleData, float]:
    """The generated scale set (made once per run) and the seconds its generation took."""
    if not _data:
        sys.path.insert(0, str(REPO))
        from sample_data.scale import generate_scale

        started = time.perf_counter()
        _data.append(generate_scale())
        _generated.append(time.perf_counter() - started)
    return _data[0], _generated[0]


def scale_world(engine: str) -> ScaleWorld:
    """The scale set loaded into a fresh database of ``engine`` (loaded on first use)."""
    if engine not in _worlds:
        from sample_data.scale import load_scale, vacuum_analyze

        data, _ = scale_data()
        folder = Path(tempfile.mkdtemp(prefix=f"audit-bench-scale-{engine}-"))
        _folders.append(folder)
        url = databases.fresh_database_url(engine, folder)
        print(f"  loading the scale set into {databases.LABELS[engine]} ...", file=sys.stderr)
        world = ScaleWorld(engine, folder, url, 0.0, 0.0)
        ctx = world.open()
        started = time.perf_counter()
        load_scale(ctx, data)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        vacuum_analyze(ctx)
        analyzed = time.perf_counter() - started
        ctx.engine.dispose()
        print(f"  loaded in {loaded:.1f} s (+ analyze {analyzed:.1f} s)", file=sys.stderr)
        _worlds[engine] = ScaleWorld(engine, folder, url, loaded, analyzed)
    return _worlds[engine]


def close_all() -> None:
    """Forget the worlds and remove their folders (the run drops the databases)."""
    _worlds.clear()
    while _folders:
        shutil.rmtree(_folders.pop(), ignore_errors=True)
