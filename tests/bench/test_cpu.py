"""The load test's server CPU counts the whole process tree (haproxy and every worker
under ``audit-app serve --processes N``), finished children included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.load.cpu import process_tree, tree_cpu_seconds

BURN = "x = 0\nfor i in range(3_000_000):\n    x += i\n"


def test_the_tree_holds_grandchildren_and_counts_the_cpu_of_finished_ones() -> None:
    # a shell that runs a busy Python to its end, then a sleeping one, and waits
    script = (
        f'"{sys.executable}" -c "$BURN"; exec "{sys.executable}" -c "import time; time.sleep(60)"'
    )
    shell = subprocess.Popen(["sh", "-c", script], env={"BURN": BURN})
    try:
        tree: list[int] = []
        for _ in range(600):  # until the sleeper runs (the shell has exec'd into it)
            tree = process_tree(shell.pid)
            if _command(shell.pid).endswith("time.sleep(60)"):
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert tree[0] == shell.pid
        own = _own_cpu_seconds(shell.pid)
        assert tree_cpu_seconds(shell.pid) > own  # the finished burner's time is in
    finally:
        shell.kill()
        shell.wait()
    assert tree_cpu_seconds(shell.pid) == 0.0  # gone: nothing to read


def test_a_live_child_is_in_the_tree() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, sys; subprocess.run(['sleep', '60'])"]
    )
    try:
        for _ in range(600):
            tree = process_tree(parent.pid)
            if len(tree) == 2:
                break
            subprocess.run(["sleep", "0.1"], check=True)
        assert len(tree) == 2 and tree[0] == parent.pid
        assert _command(tree[1]) == "sleep60"
    finally:
        for pid in reversed(process_tree(parent.pid)):
            subprocess.run(["kill", str(pid)], check=False)
        parent.wait()


def _command(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b"").decode()


def _own_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:13]) / os.sysconf("SC_CLK_TCK")
