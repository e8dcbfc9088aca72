"""Every page's libraries, imported once when a server process starts, before it accepts a
session.

A page's first run in a fresh process imported what it needed (Altair, the services, the
report writers: seconds of work), and every session opening a page meanwhile waited on
Python's import lock: under twenty simulated users arriving together, 12 % of the server's
thread time went to that wait (#21). Importing in a session's own thread, or in a background
thread beside the sessions, also lets two threads import a package and its submodule at once,
which Python may refuse with a deadlock error. ``audit-app serve`` therefore starts Streamlit
through :mod:`audit_app.ui.server`, which imports all of them first.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "pages"


def page_imports(folder: Path = PAGES) -> tuple[str, ...]:
    """The modules the page scripts import (absolute imports, in file order)."""
    names: list[str] = []
    for path in sorted(folder.glob("*_page.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.append(node.module)
            elif isinstance(node, ast.Import):
                names.extend(alias.name for alias in node.names)
    return tuple(dict.fromkeys(name for name in names if name != "__future__"))


PACKAGE = Path(__file__).resolve().parents[1]
SERVER_ONLY = ("cli", "serving", "migrations")
"""Folders of the package whose code does not run in a page's session."""


def deferred_imports(package: Path = PACKAGE) -> tuple[str, ...]:
    """The modules the package imports inside functions (absolute imports), where a page's
    session would import them on first use: SciPy's sparse graphs and special functions for
    the comparison's first auditor fit (0.11 s in a new process on the ten-times set),
    openpyxl for the first download, calamine for the first import."""
    names: list[str] = []
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package).parts
        if any(part in SERVER_ONLY for part in parts) or path.name == "server.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                    names.append(inner.module)
                elif isinstance(inner, ast.Import):
                    names.extend(alias.name for alias in inner.names)
    return tuple(dict.fromkeys(names))


def import_pages() -> tuple[str, ...]:
    """Import :func:`page_imports` and :func:`deferred_imports`, in this thread; returns
    what it imported. A module a page imports that fails to import raises here, at
    start-up, rather than on a visitor's first view."""
    names = tuple(dict.fromkeys((*page_imports(), *deferred_imports())))
    for name in names:
        importlib.import_module(name)
    return names
