"""Coroutines of the load client run whether or not the caller's thread already runs an event
loop: a test session that drove Playwright has one, and CI found ``asyncio.run`` refusing."""

from __future__ import annotations

import asyncio

import pytest

from bench.load.session import run_on_own_loop


async def _answer(value: int) -> int:
    await asyncio.sleep(0)
    return value * 2


async def _fail() -> int:
    await asyncio.sleep(0)
    raise ValueError("the server went away")


def test_without_a_running_loop_it_runs_here() -> None:
    assert run_on_own_loop(lambda: _answer(21)) == 42


def test_inside_a_running_loop_it_runs_on_a_loop_of_its_own() -> None:
    async def caller() -> int:
        return run_on_own_loop(lambda: _answer(4))  # synchronous call, as a test makes

    assert asyncio.run(caller()) == 8


def test_an_error_in_its_thread_reaches_the_caller() -> None:
    async def caller() -> int:
        return run_on_own_loop(_fail)

    with pytest.raises(ValueError, match="the server went away"):
        asyncio.run(caller())
