"""Import every page's libraries once per server process, in the background, as soon as the
first visitor opens the app.

A page's first run in a fresh process imports what it needs (Altair, the services, the
report writers: seconds of work). Every session that opens the same page meanwhile waits
on Python's import lock: under twenty simulated users arriving together, 12 % of the
server's threads' time went to that wait. Started on the first run of the app (the log-in
form, typically), the imports are done before anyone has logged in.
"""

from __future__ import annotations

import ast
import importlib
import logging
import threading
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "pages"
_started = threading.Event()
_lock = threading.Lock()
log = logging.getLogger(__name__)


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


def warm_up() -> threading.Thread | None:
    """Start importing :func:`page_imports` in a daemon thread, the first time only;
    returns the thread it started (None when one already ran)."""
    with _lock:
        if _started.is_set():
            return None
        _started.set()
    thread = threading.Thread(target=_import_all, name="audit-app-warm-up", daemon=True)
    thread.start()
    return thread


def _import_all() -> None:
    for name in page_imports():
        try:
            importlib.import_module(name)
        except Exception:  # a page that cannot import says so itself when opened
            log.warning("warm-up could not import %s", name, exc_info=True)
