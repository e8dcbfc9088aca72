"""What every benchmark module shares: a figure, best-of timing, peak memory."""

from __future__ import annotations

import re
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
    """"sqlite" or "postgresql" where the database matters, "none" for pure computations
    (the runner sets it)."""
    met: bool | None = None
    """Whether the target is met; None where no target is set."""

    @property
    def gap(self) -> str | None:
        """How far a missed target is missed ("+4,140.00 ms, 9.3x the target"), where the target
        is a plain bound in the figure's own unit; None when met or not comparable."""
        if self.met is not False:
            return None
        found = _BOUND.match(self.target)
        if found is None or found["unit"] not in ("", self.unit):
            return None
        limit = float(found["limit"])
        if found["op"].startswith(">"):
            return f"{limit - self.value:,.2f} {self.unit} short"
        ratio = f", {self.value / limit:.1f}x the target" if limit else ""
        return f"{self.value - limit:+,.2f} {self.unit}{ratio}"


_BOUND = re.compile(r"^\s*(?P<op><=|<|>=|>)\s*(?P<limit>[\d.]+)\s*(?P<unit>\S*)\s*$")


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
