"""The load test's client (#21) against a real ``audit-app serve``: simulated users log in,
open the pages, change a filter and submit a visit over Streamlit's websocket, and the
runner finds each submission stored exactly once. A few users only: the figures are the
benchmark's business (``python -m bench.load``), this checks the client still speaks the
app's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import bench.load.__main__ as load
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


def test_a_run_on_a_data_folder_of_its_own_loads_the_demo_there_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--data-dir`` on an empty folder: the users log in to the demo loaded there (they
    found no accounts before), and a second run on the same folder adds no second demo."""
    monkeypatch.setattr(load, "RESULTS", tmp_path / "latest-load.json")
    data_dir = tmp_path / "empty"
    for _run in range(2):
        assert load.main(["--users", "1", "--data-dir", str(data_dir)]) == 0
        (level,) = json.loads((tmp_path / "latest-load.json").read_text())["levels"]
        assert level["errors"] == [] and level["stored_once"]
    engine = create_engine(f"sqlite:///{data_dir / 'audit.db'}")
    with engine.connect() as conn:
        users = conn.execute(text("SELECT count(*) FROM users")).scalar_one()
        visits = conn.execute(
            text("SELECT count(*) FROM audits WHERE visit_reference LIKE 'load-%'")
        ).scalar_one()
    engine.dispose()
    assert (users, visits) == (3, 2)
