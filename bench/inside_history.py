"""``python -m bench.inside_history URL``: selections inside the whole history that no kept
one holds, asked for the first time after a server's read-ahead (#21, sixteenth and
seventeenth steps), as the Compare page can ask for them (its periods are whole months): one
checklist's whole history (every audit of the ten-times set, whose one checklist it is), a
region's, the whole history with closed branches or follow-ups counted, a year of whole
months other than the default twelve, and the last quarter. For each: the Compare page's
comparison, *Include items*, the Consistency tab's evidence, then the Overview. Run on the
ten-times set loaded at URL (``AUDIT_DATA_DIR`` and ``AUDIT_CHECKLISTS_DIR`` as for
``bench.tenfold``). It runs on earlier code too, so that the two can be alternated from two
work trees (``PYTHONPATH=TREE``). Prints its figures in seconds; nothing is written.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = call()
    return time.perf_counter() - started, value


def main(url: str) -> None:
    os.environ["AUDIT_DATABASE_URL"] = url
    os.environ["AUDIT_LATEST_VISIT_DAYS_AHEAD"] = "366"  # the set runs to the end of 2027
    from audit_app.ui.allocator import keep_freed_memory

    keep_freed_memory()  # as a server process does
    import audit_app
    from audit_app.domain.compare import ComparisonRequest
    from audit_app.domain.filters import AuditFilter
    from audit_app.domain.users import Role, User
    from audit_app.services import compare as service
    from audit_app.services import kept_selections, warm_start
    from audit_app.services.context import open_context
    from audit_app.services.freshness import data_version
    from audit_app.services.overview import overview

    print("code:", audit_app.__file__)
    ctx = open_context().as_user(User(username="hq", role=Role.HEAD_OFFICE))
    today = date(2028, 1, 15)  # the day after the set's last month, as in bench.tenfold

    def read_ahead() -> None:
        warm_start.read_default_selection(ctx, today)
        warm_start.read_history(ctx, today)

    seconds, _ = _timed(read_ahead)
    print(f"read-ahead {seconds:.2f}")
    offered = warm_start.offered_filters(ctx, today)
    assert offered is not None
    whole = offered[1]
    assert whole.date_from is not None
    assert whole.date_to is not None
    cases = [
        ("one checklist", replace(whole, checklist_id="scale_visit"), False),
        ("a region", replace(whole, region=_a_region(ctx)), False),
        ("closed branches counted", whole, True),
        ("follow-ups counted too", replace(whole, include_follow_ups=True), False),
        (
            "a year of whole months before the last",
            replace(
                whole,
                date_from=date(whole.date_to.year - 1, 1, 1),
                date_to=date(whole.date_to.year - 1, 12, 31),
            ),
            False,
        ),
        (
            "the last quarter",
            AuditFilter(date_from=date(2027, 10, 1), date_to=date(2027, 12, 31)),
            False,
        ),
    ]

    def one(name: str, audit_filter: AuditFilter, closed: bool) -> None:
        version = data_version(ctx, audit_filter)
        request = ComparisonRequest(
            audit_filter, items=False, evidence=False, auditors=False, include_closed=closed
        )
        compare, shown = _timed(lambda: service.comparison(ctx, request, version))
        items, _ = _timed(lambda: service.with_items(ctx, shown, version))
        asked = ComparisonRequest(audit_filter, include_closed=closed)
        evidence, _ = _timed(lambda: service.comparison_evidence(ctx, asked, version))
        page, _ = _timed(lambda: overview(ctx, audit_filter, language="en", version=version))
        print(
            f"{name}: compare {compare:.2f} items {items:.2f} evidence {evidence:.2f} "
            f"overview after them {page:.2f}",
            flush=True,
        )

    for name, audit_filter, closed in cases:
        one(name, audit_filter, closed)
    try:
        from audit_app.services import history_rows

        history = history_rows.kept_bytes()
    except ImportError:  # earlier code
        history = 0
    kept = (kept_selections.kept_bytes() + history) >> 20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"kept {kept} MiB, the process's peak {peak} MiB")


def _a_region(ctx: Any) -> str:
    """The first region of the set's branches."""
    from audit_app.services.branches import list_branches

    return sorted({b.region for b in list_branches(ctx) if b.region})[0]


if __name__ == "__main__":
    main(sys.argv[1])
