"""``python -m audit_app.ui.server run APP [OPTION ...]``: Streamlit's own command line, after
importing every page's libraries (:mod:`audit_app.ui.warm_up`), so that no session waits on
Python's import lock or imports beside another, and after telling the allocator to keep
freed memory (:mod:`audit_app.ui.allocator`); while Streamlit starts, a background thread
reads what ``AUDIT_READ_AHEAD`` names (:mod:`audit_app.services.warm_start`). ``audit-app
serve`` starts this."""

from __future__ import annotations

import logging
import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock

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
    _log_progress()
    threading.Thread(target=read_ahead_daily, name="audit-warm-start", daemon=True).start()
    from streamlit.web.cli import main as streamlit_main

    # The same program name as ``python -m streamlit``: Streamlit reads its own command line.
    streamlit_main(prog_name="streamlit")


def _log_progress() -> None:
    """The read-ahead's steps in the server's log, as Streamlit writes its own lines (no
    logging is set up for the app's loggers, so INFO would be dropped)."""
    log = logging.getLogger(__name__)
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s.%(msecs)03d %(message)s", "%Y-%m-%d %H:%M:%S")
        )
        log.addHandler(handler)
    log.setLevel(logging.INFO)


def read_ahead_daily(stop: threading.Event | None = None) -> None:
    """:func:`read_ahead` now, then again a minute after each midnight: the pages' default
    period and whole history move with the month, and a server runs for weeks (what is
    still kept under the day's keys is found, not read again). Returns once ``stop`` is
    set (tests; the server's thread runs as long as the process)."""
    stop = stop or threading.Event()
    while True:
        read_ahead()
        if stop.wait(seconds_to_next_read(datetime.now())):
            return


def seconds_to_next_read(now: datetime) -> float:
    """Seconds from ``now`` (the server's local time) to a minute after the next midnight."""
    target = datetime.combine(now.date(), clock(0, 1))
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def read_ahead() -> None:
    """Read what ``AUDIT_READ_AHEAD`` names (``services.warm_start``) into this process's
    kept selections; a database that cannot be read is left for the pages to report
    (logged here, never raised: the server starts all the same)."""
    from audit_app.config import load_settings
    from audit_app.services import history_rows, kept_selections
    from audit_app.services.context import open_context
    from audit_app.services.warm_start import read_default_selection, read_history

    log = logging.getLogger(__name__)
    try:
        settings = load_settings()
        if settings.read_ahead == "off":  # not even the database is opened
            return
        ctx = open_context(settings)
    except Exception as error:  # the first page shows the same problem, in the user's words
        log.warning("warm start skipped: the database could not be opened (%s)", error)
        return
    scope = settings.read_ahead
    started = time.monotonic()

    def done(step: str) -> None:
        log.info(
            "warm start: %s read (%.1f s; %.0f MiB kept)",
            step,
            time.monotonic() - started,
            (kept_selections.kept_bytes() + history_rows.kept_bytes()) / 2**20,
        )

    try:
        today = date.today()
        read = read_default_selection(ctx, today)
        if read is None:
            log.info("warm start: nothing to read")
        else:
            done(f"the default period's selection ({read.describe()})")
        if read is not None and scope == "history":
            read_history(ctx, today, done)
    except Exception:
        log.warning("warm start stopped; the pages read what they need", exc_info=True)
    finally:
        ctx.engine.dispose()


if __name__ == "__main__":
    main()
