"""The pages' imports are warmed up once per server process, in the background, from the
app's first run (#21: sessions opening a page for the first time waited on the import lock)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from audit_app.ui import warm_up
from tests.ui.apptest import run_app

PAGES = Path(warm_up.__file__).resolve().parent / "pages"


def test_the_warm_up_names_every_module_a_page_imports() -> None:
    names = set(warm_up.page_imports())
    for path in PAGES.glob("*_page.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                assert node.module in names, (path.name, node.module)
    assert {"altair", "audit_app.services.reports", "audit_app.services.compare"} <= names


def test_one_warm_up_per_process_imports_every_page_module() -> None:
    """In a fresh interpreter: nothing of the pages is imported before, all of it after,
    and a second call starts nothing."""
    script = (
        "import sys\n"
        "from audit_app.ui import warm_up\n"
        "names = warm_up.page_imports()\n"
        "before = [n for n in names if n.startswith('audit_app.services.') and n in sys.modules]\n"
        "assert 'altair' not in sys.modules and not before, before\n"
        "thread = warm_up.warm_up()\n"
        "assert thread is not None and warm_up.warm_up() is None\n"
        "thread.join(300)\n"
        "missing = [n for n in names if n not in sys.modules]\n"
        "assert not missing, missing\n"
        "print('warmed', len(names))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("warmed ")


def test_the_app_starts_the_warm_up_on_every_run(
    ctx: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(warm_up, "warm_up", lambda: calls.append(1))
    run_app(None)
    assert calls == [1]
