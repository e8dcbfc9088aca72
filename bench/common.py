"""What every benchmark module shares: a figure, best-of timing, peak memory."""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    target: str
    """The issue's target as written, e.g. "<= 30 ms" or "none set"."""
    detail: str
    engine: str = "sqlite"
    met: bool | None = None
    """Whether the target is met; None where no target is set."""


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` runs in seconds: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
