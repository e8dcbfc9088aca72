"""CPU time of a server's whole process tree, read from /proc (Linux).

``audit-app serve --processes N`` is a supervisor with haproxy and N Streamlit workers under
it; the CPU they use is what the load test reports as the server's cores. A live process's
own time plus what its finished children left it (``cutime``, ``cstime``), over every live
process of the tree, counts each CPU second once, whether a child ends before, during or
after the measurement.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces)."""
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_tree(root: int) -> list[int]:
    """``root`` and every live process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        waiting.extend(children.get(pid, []))
    return found


def tree_cpu_seconds(root: int) -> float:
    """User and system CPU seconds of ``root``'s tree so far (0 for a process gone)."""
    ticks = 0
    for pid in process_tree(root):
        fields = _stat(pid)
        if fields is not None:
            ticks += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")
