"""glibc's allocator, told to keep freed memory in a server process.

By default glibc gives every large block (above a threshold that starts at 128 KiB) its own
mapping and hands it back to the system when freed, so the next comparison's arrays are
fresh pages the kernel must zero and map again. On the ten-times set a server process's
first twelve-month comparison took 2.4-3.5 s against 1.7-2.2 s for the next (#21); with one
heap, blocks below 256 MiB kept in it and up to 1 GiB of freed heap kept, the first took
2.1-2.4 s (``bench.tenfold`` sets the same, as a server process does).

Streamlit runs each session's script in a thread of its own, and glibc gives threads heaps of
their own capped at 64 MiB, whose larger blocks are mapped and handed back whatever the
threshold: one arena for every thread makes the thresholds hold there too (a review measured
a freed 100 MiB block kept by the main thread and handed back by a session's). The interpreter
lock already lets one thread at a time run Python, so they rarely wait for each other's
allocations. The cost is memory a process keeps after a large comparison (at most about that
1 GiB above what it uses); on the demo's sizes nothing changes. Elsewhere than glibc (macOS,
musl) nothing is set.

NumPy asks the kernel for huge pages for every array of 4 MiB or more (``madvise``). In the
kept heap, where those arrays now come from, a first touch of such pages waits on the
kernel's compaction: on this project's 2-core machine a 260 MB array's first fill took
0.49 s against 0.12 s without the advice (0.01 s once reused), and the ten-times set's
*Include items* over the whole history with follow-ups counted, the first such array of a
process after its read-ahead, 1.38-1.85 s against 0.97-1.16 s. A server process drops the
advice (#21).
"""

from __future__ import annotations

import ctypes
from typing import Any

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_THRESHOLD = 256 * 1024 * 1024
"""Blocks below this come from the heap, whose freed pages stay mapped."""
MMAP_THRESHOLD_OLD_GLIBC = 32 * 1024 * 1024
"""The most an older glibc accepts (it refuses the larger one)."""
TRIM_THRESHOLD = 1024 * 1024 * 1024
"""Freed memory at the top of the heap kept before any is handed back."""
ARENAS = 1
"""Every thread allocates from the main heap (set before any thread starts)."""


def keep_freed_memory(libc: Any = None) -> bool:
    """Set one arena and both thresholds (the mapping threshold at the most this glibc
    accepts), and turn NumPy's huge-page advice off; False when this C library has no
    ``mallopt`` or refuses any of them, or this NumPy has no such switch."""
    try:
        mallopt = (libc if libc is not None else ctypes.CDLL("libc.so.6")).mallopt
    except (OSError, AttributeError):
        return False
    arenas = bool(mallopt(M_ARENA_MAX, ARENAS))
    trim = bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    mapping = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) or bool(
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_OLD_GLIBC)
    )
    advice = _no_huge_page_advice()
    return arenas and trim and mapping and advice


def _no_huge_page_advice() -> bool:
    """NumPy's huge-page advice off for the arrays made from now on (``NUMPY_MADVISE_HUGEPAGE=0``
    does the same, but only before NumPy is first imported); False when this NumPy has no
    such switch."""
    import numpy as np

    core = getattr(np, "_core", None) or getattr(np, "core", None)
    switch = getattr(getattr(core, "multiarray", None), "_set_madvise_hugepage", None)
    if switch is None:
        return False
    switch(False)
    return True
