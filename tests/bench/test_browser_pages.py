"""The browser walk (``python -m bench.browser_pages``) against a real ``audit-app serve``
of the demo: it logs in, opens pages from the sidebar and records a time per visit; a page
missing from the user's menu is reported as an error. The figures are the benchmark's
business; this checks the walk still finds its way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import bench.browser_pages as walk


def test_the_walk_times_every_page_it_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walk, "RESULTS", tmp_path / "pages.json")
    pages = "compare,branch,overview"
    assert walk.main(["--data-dir", str(tmp_path / "demo"), "--pages", pages, "--rounds", "1"]) == 0
    found = json.loads((tmp_path / "pages.json").read_text(encoding="utf-8"))
    assert found["errors"] == []
    timed = {figure["page"]: figure["seconds"] for figure in found["figures"]}
    assert timed.keys() == {"log in (to the Overview)", "compare", "branch", "overview"}
    assert all(len(seconds) == 1 and seconds[0] > 0 for seconds in timed.values())


def test_a_page_outside_the_user_s_menu_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(walk, "RESULTS", tmp_path / "pages.json")
    monkeypatch.setenv("GUEST_PASSWORD", "guest-demo-2026")
    argv = ["--data-dir", str(tmp_path / "demo"), "--user", "guest"]
    argv += ["--password-env", "GUEST_PASSWORD", "--pages", "admin,compare", "--rounds", "1"]
    assert walk.main(argv) == 1
    found = json.loads((tmp_path / "pages.json").read_text(encoding="utf-8"))
    assert found["errors"] == ["admin: not in the menu"]
    assert [figure["page"] for figure in found["figures"]] == [
        "log in (to the Overview)",
        "compare",
    ]
