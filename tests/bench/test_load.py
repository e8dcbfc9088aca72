"""The load test's client (#21) against a real ``audit-app serve``: simulated users log in,
open the pages, change a filter and submit a visit over Streamlit's websocket, and the
runner finds each submission stored exactly once. A few users only: the figures are the
benchmark's business (``python -m bench.load``), this checks the client still speaks the
app's language."""

from __future__ import annotations

from pathlib import Path

from bench.load.__main__ import _level, _load_demo, _serve


def test_three_simulated_users_each_submit_once_without_an_error(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    _load_demo(data_dir)
    server, url = _serve(data_dir, None)
    try:
        level = _level(url, 3, ramp=0.5, bound=300, data_dir=data_dir, server=server)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert level["errors"] == []
    assert (level["submitted"], level["stored"], level["stored_once"]) == (3, 3, True)
    steps = level["steps"]
    assert isinstance(steps, dict)
    assert {"log in", "compare", "filter change", "branch", "submit"} <= steps.keys()
    assert level["ok"]
