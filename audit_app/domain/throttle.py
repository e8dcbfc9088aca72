"""How long a log-in must wait after failures: free at first, then doubling, capped.

Slows guessing down (60 guesses take hours, not seconds) while a person who mistypes a few
times never notices; the cap keeps a locked-out colleague's wait bearable.
"""

from __future__ import annotations

import math

FREE_FAILURES = 5
"""Failures allowed before any wait: the 6th attempt waits FIRST_DELAY."""
FIRST_DELAY = 1.0
MAX_DELAY = 300.0
FORGET_AFTER = 3600.0
"""Seconds without a failure after which a key's count starts again from nothing."""


def delay_after(failures: int) -> float:
    """Seconds the next attempt must wait after ``failures`` consecutive failures."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(FIRST_DELAY * 2.0 ** (failures - FREE_FAILURES), MAX_DELAY)


def wait_words(seconds: float) -> str:
    """A wait in plain words: "1 second", "8 seconds", "2 minutes"."""
    whole = max(1, math.ceil(seconds))
    if whole < 60:
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(whole / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
