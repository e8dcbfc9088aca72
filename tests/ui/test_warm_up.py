"""Every page's libraries are imported when a server process starts, before it accepts a
session (#21: sessions opening a page first waited on the import lock; importing beside
another thread risks Python's import-deadlock error)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from audit_app.cli.setup_commands import _streamlit_command
from audit_app.ui import warm_up

PAGES = Path(warm_up.__file__).resolve().parent / "pages"


def test_the_warm_up_names_every_module_a_page_imports() -> None:
    names = set(warm_up.page_imports())
    for path in PAGES.glob("*_page.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module != "__future__":
                assert node.module in names, (path.name, node.module)
    assert {"altair", "audit_app.services.reports", "audit_app.services.compare"} <= names


def test_the_server_imports_every_page_module_before_streamlit_starts() -> None:
    """In a fresh interpreter, with Streamlit's command line replaced by a probe: nothing of
    the pages is imported before, all of it by the time Streamlit would start."""
    script = (
        "import sys\n"
        "import streamlit.web.cli as cli\n"
        "from audit_app.ui import warm_up\n"
        "names = warm_up.page_imports() + warm_up.deferred_imports()\n"
        "assert 'altair' not in sys.modules and 'audit_app.services.reports' not in sys.modules\n"
        "assert 'scipy.sparse.csgraph' not in sys.modules\n"
        "def probe(prog_name):\n"
        "    missing = [n for n in names if n not in sys.modules]\n"
        "    assert not missing, missing\n"
        "    print('started as', prog_name, 'after', len(names))\n"
        "cli.main = probe\n"
        "from audit_app.ui import server\n"
        "server.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("started as streamlit after ")
    assert "No runtime found" not in done.stderr  # the cache warnings are kept out of the log


def test_the_warm_up_names_every_module_imported_inside_a_function() -> None:
    """The comparison's auditor fit imports SciPy's sparse graphs on first use; a download,
    openpyxl; an import, calamine: each is imported as the server starts instead."""
    deferred = set(warm_up.deferred_imports())
    assert {"scipy.sparse.csgraph", "scipy.special", "openpyxl", "python_calamine"} <= deferred
    assert not {"streamlit.web.cli", "audit_app.services.warm_start"} & deferred  # server.py
    assert not any(name.startswith("typer") for name in deferred)  # the CLI's own


def test_serve_starts_streamlit_through_the_server_module() -> None:
    command = _streamlit_command(20)
    assert command[1:4] == ["-m", "audit_app.ui.server", "run"]
    assert command[4].endswith("app.py")
