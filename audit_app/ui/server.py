"""``python -m audit_app.ui.server run APP [OPTION ...]``: Streamlit's own command line, after
importing every page's libraries (:mod:`audit_app.ui.warm_up`), so that no session waits on
Python's import lock or imports beside another, and after telling the allocator to keep
freed memory (:mod:`audit_app.ui.allocator`). ``audit-app serve`` starts this."""

from __future__ import annotations

import logging

from audit_app.ui.allocator import keep_freed_memory
from audit_app.ui.warm_up import import_pages

CACHE_LOG = "streamlit.runtime.caching.cache_data_api"
"""Warns, for each cached function defined before the server runs, that it has no runtime
yet: true and harmless (the caches themselves are made on first use, inside the server)."""


def main() -> None:
    keep_freed_memory()
    import streamlit  # noqa: F401  (its loggers set their own level when first made)

    log = logging.getLogger(CACHE_LOG)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        import_pages()
    finally:
        log.setLevel(level)
    from streamlit.web.cli import main as streamlit_main

    # The same program name as ``python -m streamlit``: Streamlit reads its own command line.
    streamlit_main(prog_name="streamlit")


if __name__ == "__main__":
    main()
