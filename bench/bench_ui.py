"""The app's pages (#6) on the scale data set: 5,000 branches x 8 audits x 60 items, on each
engine (the scale set ``bench_compare`` loads, ``bench.scale_world``).

Targets: every page's first render under 2 s and a filter change under 1 s, in AppTest on
this machine, logged in as head office. "First render" is a new session opening the page
in a warm server process (imports done, database open, file in the OS cache) with every
cache emptied: Streamlit's ``st.cache_data`` and the services' in-process frames. A
"filter change" is the rerun after one widget changes on that page. Each figure is the
best of three. The app finds its database through the ``AUDIT_*`` variables, set here for
the engine measured and put back afterwards; the shared context (``st.cache_resource``) is
emptied so that it opens that database.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import Figure
from bench.scale_world import scale_world

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "audit_app" / "ui" / "app.py")
RUNS = 3

Change = Callable[[Any], Any]
"""Given the AppTest after the first render, change one widget (without running)."""


def _pick(label: str) -> Change:
    """Choose the second option of the selectbox (main area or sidebar) whose label starts
    with ``label``."""

    def change(app: Any) -> Any:
        boxes = [*app.sidebar.selectbox, *app.main.selectbox]
        box = next(b for b in boxes if b.label.startswith(label))
        if len(box.options) < 2:
            raise RuntimeError(f"{label!r} offers {box.options}: nothing to change")
        return box.select_index(1)

    return change


# (figure name, page, query parameters, the widget change measured after the first render)
PAGES: list[tuple[str, str, dict[str, str], Change | None]] = [
    ("overview", "overview", {}, _pick("Region")),
    ("new visit", "new_visit", {}, _pick("Branch")),
    ("import", "import", {}, None),
    ("actions", "actions", {}, None),  # the scale set's audits are loaded without actions
    ("compare", "compare", {}, _pick("Region")),
    ("branch SC-00001", "branch", {"code": "SC-00001"}, _pick("Branch")),
    ("branch picker", "branch", {}, None),
    ("audit #1", "audit", {"id": "1"}, None),
    ("audit picker", "audit", {}, _pick("Open one of the latest")),
    ("checklists", "checklists", {}, None),  # one checklist, one language, one version
    ("admin", "admin", {}, None),
]


def run(engine: str) -> list[Figure]:
    import streamlit as st
    from streamlit import logger

    logger.set_log_level("error")  # "missing ScriptRunContext" for every cache cleared here
    environment = scale_world(engine).environment()
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    st.cache_resource.clear()  # the app's shared context: reopen it on this engine
    try:
        return _measure_pages()
    finally:
        st.cache_resource.clear()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _measure_pages() -> list[Figure]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from audit_app.domain.users import Role, User

    hq = User(username="hq", role=Role.HEAD_OFFICE)

    def fresh(page: str, query: dict[str, str] | None = None) -> Any:
        app = AppTest.from_file(APP, default_timeout=120)
        app.session_state["user"] = hq
        app.run()  # the overview (the default page)
        if page != "overview":
            app.switch_page(f"pages/{page}_page.py")
        for key, value in (query or {}).items():
            app.query_params[key] = value
        return app

    warm = fresh("overview")  # opens the database and imports every module once
    assert not warm.exception, warm.exception
    figures = []
    for name, page, query, change in PAGES:
        first: list[float] = []
        changed: list[float] = []
        for _ in range(RUNS):
            app = fresh(page, query)
            st.cache_data.clear()
            started = time.perf_counter()
            app.run()
            first.append(time.perf_counter() - started)
            if app.exception:
                raise RuntimeError(f"{name}: {app.exception}")
            if change is not None:
                try:
                    change(app)
                except (StopIteration, RuntimeError) as error:
                    raise RuntimeError(f"{name}: cannot change a filter ({error!r})") from None
                started = time.perf_counter()
                app.run()
                changed.append(time.perf_counter() - started)
                if app.exception:
                    raise RuntimeError(f"{name} after a filter change: {app.exception}")
        figures.append(
            Figure(
                f"ui: {name} first render",
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
                    f"ui: {name} filter change",
                    min(changed),
                    "s",
                    "< 1 s",
                    "AppTest rerun after one widget changes",
                    met=min(changed) < 1,
                )
            )
    return figures
