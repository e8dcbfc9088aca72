"""glibc's allocator, told to keep freed memory in a server process.

By default glibc gives every large block (above a threshold that starts at 128 KiB) its own
mapping and hands it back to the system when freed, so the next comparison's arrays are
fresh pages the kernel must zero and map again. On the ten-times set a server process's
first twelve-month comparison took 2.6-3.3 s against 1.7 s for the next (#21); with blocks
below 256 MiB kept in the heap and up to 1 GiB of freed heap kept, the first took 2.0-2.5 s
(``bench.tenfold`` sets the same, as a server process does). The cost is
memory a process keeps after a large comparison (at most about that 1 GiB above what it
uses); on the demo's sizes nothing changes. Elsewhere than glibc (macOS, musl) nothing is
set.
"""

from __future__ import annotations

import ctypes
from typing import Any

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 1024 * 1024
"""Blocks below this come from the heap, whose freed pages stay mapped."""
TRIM_THRESHOLD = 1024 * 1024 * 1024
"""Freed memory at the top of the heap kept before any is handed back."""


def keep_freed_memory(libc: Any = None) -> bool:
    """Set both thresholds; False when this C library has no ``mallopt`` or refuses."""
    try:
        mallopt = (libc if libc is not None else ctypes.CDLL("libc.so.6")).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
