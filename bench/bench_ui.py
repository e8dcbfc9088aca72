"""The app's pages (#6) on the scale data set: 5,000 branches x 8 audits x 60 items.

Targets: every page's first render under 2 s and a filter change under 1 s, in AppTest on
this machine, logged in as head office. "First render" is a new session opening the page
in a warm server process (imports done, database open, file in the OS cache) with every
cache emptied: Streamlit's ``st.cache_data`` and the services' in-process frames. A
"filter change" is the rerun after one widget changes on that page. Each figure is the
best of three.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Figure

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "audit_app" / "ui" / "app.py")
RUNS = 3

Change = Callable[[Any], Any]
"""Given the AppTest after the first render, change one widget (without running)."""


PAGES: dict[str, Change | None] = {
    "overview": lambda app: next(
        b for b in app.sidebar.selectbox if b.label == "Region"
    ).select_index(1),
    "new_visit": lambda app: next(b for b in app.selectbox if b.label == "Branch").select_index(1),
    "import": None,
    "compare": lambda app: next(
        b for b in [*app.sidebar.selectbox, *app.selectbox] if b.label == "Region"
    ).select_index(1),
    "branch": lambda app: next(b for b in app.selectbox if b.label == "Branch").select_index(1),
    "audit": None,
    "checklists": None,
    "admin": None,
}


def run() -> list[Figure]:
    sys.path.insert(0, str(REPO))
    from sample_data.scale import generate_scale, load_scale, open_scale_context

    data = generate_scale()
    with tempfile.TemporaryDirectory(prefix="audit-bench-ui-") as folder:
        data_dir = Path(folder)
        ctx = open_scale_context(data_dir)
        load_scale(ctx, data)
        ctx.engine.dispose()
        os.environ["AUDIT_DATA_DIR"] = str(data_dir)
        os.environ["AUDIT_CHECKLISTS_DIR"] = str(data_dir / "checklists")
        try:
            return _measure_pages()
        finally:
            os.environ.pop("AUDIT_CHECKLISTS_DIR", None)


def _measure_pages() -> list[Figure]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from audit_app.domain.users import Role, User
    from audit_app.services import compare

    hq = User(username="hq", role=Role.HEAD_OFFICE)

    def fresh(page: str) -> Any:
        app = AppTest.from_file(APP, default_timeout=120)
        app.session_state["user"] = hq
        app.run()  # the overview (the default page)
        if page != "overview":
            app.switch_page(f"pages/{page}_page.py")
        return app

    warm = fresh("overview")  # opens the database and imports every module once
    assert not warm.exception, warm.exception
    figures = []
    for page, change in PAGES.items():
        first: list[float] = []
        changed: list[float] = []
        for _ in range(RUNS):
            app = fresh(page)
            st.cache_data.clear()
            compare.clear_cache()
            started = time.perf_counter()
            app.run()
            first.append(time.perf_counter() - started)
            if app.exception:
                raise RuntimeError(f"{page}: {app.exception}")
            if change is not None:
                change(app)
                started = time.perf_counter()
                app.run()
                changed.append(time.perf_counter() - started)
                if app.exception:
                    raise RuntimeError(f"{page} after a filter change: {app.exception}")
        figures.append(
            Figure(
                f"ui: {page} first render",
                min(first),
                "s",
                "< 2 s",
                "AppTest, head office",
                met=min(first) < 2,
            )
        )
        if changed:
            figures.append(
                Figure(
                    f"ui: {page} filter change",
                    min(changed),
                    "s",
                    "< 1 s",
                    "AppTest rerun after one widget changes",
                    met=min(changed) < 1,
                )
            )
    return figures
