"""A server process keeps freed memory for the next comparison (#21): glibc's thresholds are
set before Streamlit starts, and a large block freed stays mapped instead of going back to
the system (so the next one is not fresh pages to zero and map)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from typing import Any

import pytest

from audit_app.ui import allocator, server

GLIBC = platform.libc_ver()[0] == "glibc"

_RSS_AFTER_FREE = """
import sys
import threading
import numpy as np
from audit_app.ui.allocator import keep_freed_memory

if sys.argv[1] == "keep":
    assert keep_freed_memory()
page = 4096
def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * page
shares = []
def one_block() -> None:
    before = rss()
    block = np.ones(100 * 1024 * 1024 // 8)  # 100 MiB, every page touched
    held = rss() - before
    del block
    shares.append(round((rss() - before) / held, 2))
one_block()  # in the main thread, then in another, as Streamlit runs a session's script
worker = threading.Thread(target=one_block)
worker.start()
worker.join()
print(min(shares), max(shares))
"""


def _printed(script: str, mode: str, **environment: str) -> str:
    """What ``script`` prints, run in a new process with ``mode`` as its argument."""
    done = subprocess.run(
        [sys.executable, "-c", script, mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, **environment},
    )
    return done.stdout.strip()


def _kept_shares(mode: str) -> tuple[float, float]:
    """The least and most of a freed block still mapped, in the main thread and another."""
    least, most = _printed(_RSS_AFTER_FREE, mode).split()
    return float(least), float(most)


@pytest.mark.skipif(not GLIBC, reason="the thresholds are glibc's")
def test_a_freed_block_stays_mapped_in_every_thread_once_told_and_goes_back_otherwise() -> None:
    assert _kept_shares("keep")[0] > 0.9
    assert _kept_shares("default")[1] < 0.1


_ADVICE_AFTER = """
import sys
import numpy as np
from audit_app.ui.allocator import keep_freed_memory

if sys.argv[1] == "keep":
    assert keep_freed_memory()
print(np._core.multiarray._set_madvise_hugepage(True))  # the advice as it was
"""


@pytest.mark.skipif(not GLIBC, reason="the thresholds are glibc's")
@pytest.mark.skipif(
    not hasattr(getattr(__import__("numpy"), "_core", None), "multiarray"),
    reason="NumPy 2's switch",
)
def test_numpy_s_huge_page_advice_is_off_once_told() -> None:
    assert _printed(_ADVICE_AFTER, "keep", NUMPY_MADVISE_HUGEPAGE="1") == "False"
    assert _printed(_ADVICE_AFTER, "default", NUMPY_MADVISE_HUGEPAGE="1") == "True"


class _Libc:
    def __init__(self, answer: int) -> None:
        self.calls: list[tuple[int, int]] = []
        self.answer = answer

    def mallopt(self, option: int, value: int) -> int:
        self.calls.append((option, value))
        return self.answer


def test_one_arena_and_both_thresholds_are_set_and_a_refusal_or_another_c_library_says_false() -> (
    None
):
    libc = _Libc(1)
    assert allocator.keep_freed_memory(libc)
    assert libc.calls == [
        (allocator.M_ARENA_MAX, allocator.ARENAS),
        (allocator.M_TRIM_THRESHOLD, allocator.TRIM_THRESHOLD),
        (allocator.M_MMAP_THRESHOLD, allocator.MMAP_THRESHOLD),
    ]
    assert not allocator.keep_freed_memory(_Libc(0))
    assert not allocator.keep_freed_memory(object())  # no mallopt (not glibc)


def test_an_older_glibc_refusing_256_mib_gets_the_most_it_accepts() -> None:
    class _OlderLibc(_Libc):
        def mallopt(self, option: int, value: int) -> int:
            self.calls.append((option, value))
            return 0 if value > 32 * 1024 * 1024 and option == allocator.M_MMAP_THRESHOLD else 1

    libc = _OlderLibc(1)
    assert allocator.keep_freed_memory(libc)
    assert libc.calls[-1] == (allocator.M_MMAP_THRESHOLD, allocator.MMAP_THRESHOLD_OLD_GLIBC)
    assert (allocator.M_TRIM_THRESHOLD, allocator.TRIM_THRESHOLD) in libc.calls


def test_the_server_process_sets_them_before_streamlit_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import streamlit.web.cli

    order: list[str] = []
    monkeypatch.setattr(server, "keep_freed_memory", lambda: order.append("allocator") or True)
    monkeypatch.setattr(server, "import_pages", lambda: order.append("imports") or ())
    monkeypatch.setattr(server, "read_ahead", lambda: None)  # no database here

    def streamlit_main(**_options: Any) -> None:
        order.append("streamlit")

    monkeypatch.setattr(streamlit.web.cli, "main", streamlit_main)
    server.main()
    assert order == ["allocator", "imports", "streamlit"]
