"""``python -m bench.tenfold URL [NAME-WORD ...]``: the #21 targets on the ten-times scale set,
already loaded at URL (``python -m sample_data.scale DIR --database-url URL --branches 5000
--years 3``; run with ``AUDIT_DATA_DIR=DIR AUDIT_CHECKLISTS_DIR=DIR/checklists``, the
loader's key and checklist). Words after the URL measure only the figures whose names hold
one of them.

Each figure is one cold call from a warm process (imports done, context open), the way a
first visitor after a write meets it; the results go to ``bench/results/latest-tenfold-
targets.json``. Targets (#21): league table < 300 ms, per-item consistency first call < 1 s,
the comparison PDF for 5,000 branches < 10 s, every page < 2 s.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "latest-tenfold-targets.json"
SET = (
    "python -m sample_data.scale --branches 5000 --years 3 "
    "(390,000 audits, 23.4 M answers), PostgreSQL 15"
)


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    url, wanted = argv[0], argv[1:]
    os.environ["AUDIT_DATABASE_URL"] = url
    # the set runs to the end of 2027: the visits entered below are dated in it
    os.environ["AUDIT_LATEST_VISIT_DAYS_AHEAD"] = "366"
    from audit_app.ui.allocator import keep_freed_memory

    keep_freed_memory()  # as a server process does (audit_app.ui.server)
    from audit_app.domain.compare import ComparisonRequest
    from audit_app.domain.filters import AuditFilter
    from audit_app.domain.users import Role, User
    from audit_app.services import compare as service
    from audit_app.services.branches import list_branches
    from audit_app.services.context import open_context
    from audit_app.services.freshness import data_version
    from audit_app.services.overview import overview
    from audit_app.services.report_compare import comparison_report
    from audit_app.services.reports import branch_report_data

    ctx = open_context().as_user(User(username="hq", role=Role.HEAD_OFFICE))
    everything = AuditFilter()
    last_quarter = AuditFilter(date_from=date(2027, 10, 1), date_to=date(2027, 12, 31))
    # The pages open on the last twelve complete months (the period picker's default).
    last_year = AuditFilter(date_from=date(2027, 1, 1), date_to=date(2027, 12, 31))
    figures: list[dict[str, Any]] = []

    def measure(name: str, target: float | None, call: Callable[[], Any]) -> None:
        if wanted and not any(word in name for word in wanted):
            return
        seconds = _timed(call)
        figures.append(
            {
                "name": name,
                "seconds": round(seconds, 2),
                "target_s": target,
                "met": None if target is None else seconds < target,
            }
        )
        print(
            f"{name}: {seconds:.2f} s" + ("" if target is None else f" (target < {target} s)"),
            flush=True,
        )

    # The comparisons are asked for as the Compare page asks: without the failure evidence
    # and the auditors, which it reads only when the Consistency or Auditors tab (or the PDF)
    # shows them.
    measure("league table, whole history", 0.3, lambda: service.league_table(ctx, everything))
    measure("league table, last quarter", 0.3, lambda: service.league_table(ctx, last_quarter))
    measure(
        "league table, last twelve months (the pages' default)",
        0.3,
        lambda: service.league_table(ctx, last_year),
    )
    measure(
        "comparison without items, whole history",
        2.0,
        lambda: service.comparison(
            ctx, ComparisonRequest(everything, items=False, evidence=False, auditors=False)
        ),
    )
    measure(
        "comparison with per-item consistency, last quarter",
        1.0,
        lambda: service.comparison(
            ctx, ComparisonRequest(last_quarter, items=True, evidence=False, auditors=False)
        ),
    )
    measure(
        "comparison with per-item consistency, whole history",
        1.0,
        lambda: service.comparison(
            ctx, ComparisonRequest(everything, items=True, evidence=False, auditors=False)
        ),
    )
    measure(
        "comparison without items, last twelve months (the pages' default)",
        2.0,
        lambda: service.comparison(
            ctx, ComparisonRequest(last_year, items=False, evidence=False, auditors=False)
        ),
    )
    # as the page asks for it: under its data version, after its comparison (not timed)
    # kept the selection
    year_version = data_version(ctx, last_year)
    if not wanted or any(word in "failure evidence, last twelve months" for word in wanted):
        service.comparison(
            ctx,
            ComparisonRequest(last_year, items=False, evidence=False, auditors=False),
            year_version,
        )
    measure(
        "failure evidence, last twelve months (when the Consistency tab opens)",
        2.0,
        lambda: service.comparison_evidence(ctx, ComparisonRequest(last_year), year_version),
    )
    measure(
        "overview figures, whole history", 2.0, lambda: overview(ctx, everything, language="en")
    )
    measure(
        "overview figures, last twelve months (the page's default)",
        2.0,
        lambda: overview(ctx, last_year, language="en"),
    )
    # The pages pass their data version: the Overview's selection is kept, and the Compare
    # page's comparison and each model choice after it compute from it (services.kept_
    # selections). The Overview and its version are not timed here.
    kept = "the Compare page after the Overview, last twelve months (selection kept)"
    quarters = "a model choice on the Compare page (quarters), last twelve months (selection kept)"
    tab = "the Auditors tab (leniency and calibration from the kept selection)"
    items_kept = (
        "per-item consistency as the Compare page asks for it ('Include items' turned on "
        "after the comparison without them), last twelve months (selection kept)"
    )
    named = (kept, quarters, tab, items_kept)
    if not wanted or any(word in name for word in wanted for name in named):
        version = data_version(ctx, last_year)
        overview(ctx, last_year, language="en", version=version)
        page_request = ComparisonRequest(last_year, items=False, evidence=False, auditors=False)
        measure(kept, 2.0, lambda: service.comparison(ctx, page_request, version))
        measure(
            quarters,
            2.0,
            lambda: service.comparison(ctx, replace(page_request, period="quarter"), version),
        )
        shown = service.comparison(ctx, page_request, version)
        measure(tab, 2.0, lambda: service.with_auditors(ctx, shown, version))
        measure(items_kept, 1.0, lambda: service.with_items(ctx, shown, version))
    # A server process reads ahead as it starts (services.warm_start, AUDIT_READ_AHEAD=
    # history): the read is timed as a whole, then the pages' whole-history calls after it.
    ahead = "the server's read-ahead at its start (a background thread; not a page)"
    after_ahead = (
        "after the read-ahead: the Overview, whole history",
        "after the read-ahead: the Compare page, whole history",
        "after the read-ahead: per-item consistency as the Compare page asks for it, whole history",
        "after the read-ahead: failure evidence (the Consistency tab), whole history",
        "after the read-ahead: the Compare page, last quarter (taken from the history's rows)",
        "after the read-ahead: per-item consistency as the Compare page asks for it, last "
        "quarter (taken from the whole history's)",
        "after the read-ahead: one region's Compare page, whole history (taken from the "
        "history's rows)",
        "after the read-ahead: per-item consistency as one region's Compare page asks for it, "
        "whole history (taken from the whole history's)",
        "after the read-ahead: one checklist's Compare page, whole history (every audit of "
        "this set; taken from the history's rows)",
        "after the read-ahead: per-item consistency as one checklist's Compare page asks for "
        "it, whole history (taken from the whole history's)",
        "after the read-ahead: the Compare page with closed branches counted, whole history "
        "(taken from the history's rows)",
        "after the read-ahead: per-item consistency as that Compare page asks for it (taken "
        "from the history's rows)",
    )
    if not wanted or any(word in name for word in wanted for name in (ahead, *after_ahead)):
        from audit_app.services import history_rows, kept_selections, warm_start

        kept_selections.forget()

        # as on the day after the set's last month: the pages' default is then its last
        # year, and their whole history every month the period picker offers
        today = date(2028, 1, 15)
        offered = warm_start.offered_filters(ctx, today)
        assert offered is not None and offered[0] == last_year, offered
        whole = offered[1]

        def read_ahead() -> None:
            warm_start.read_default_selection(ctx, today)
            warm_start.read_history(ctx, today)

        if wanted and not any(word in ahead for word in wanted):
            read_ahead()  # not measured, but what the figures after it stand on
        else:
            measure(ahead, None, read_ahead)
        version = data_version(ctx, whole)
        request = ComparisonRequest(whole, items=False, evidence=False, auditors=False)
        measure(after_ahead[0], 2.0, lambda: overview(ctx, whole, language="en", version=version))
        measure(after_ahead[1], 2.0, lambda: service.comparison(ctx, request, version))
        shown = service.comparison(ctx, request, version)
        measure(after_ahead[2], 1.0, lambda: service.with_items(ctx, shown, version))
        measure(
            after_ahead[3],
            2.0,
            lambda: service.comparison_evidence(ctx, ComparisonRequest(whole), version),
        )
        kept_bytes = kept_selections.kept_bytes() + history_rows.kept_bytes()
        print(f"kept after the read-ahead: {kept_bytes / 2**20:.0f} MiB")
        # a selection inside the whole history, asked for the first time: its item sums
        # are the whole history's part (services.kept_item_sums)
        quarter_request = replace(request, audit_filter=last_quarter)
        quarter_version = data_version(ctx, last_quarter)
        measure(
            after_ahead[4],
            2.0,
            lambda: service.comparison(ctx, quarter_request, quarter_version),
        )
        in_quarter = service.comparison(ctx, quarter_request, quarter_version)
        measure(after_ahead[5], 1.0, lambda: service.with_items(ctx, in_quarter, quarter_version))
        # the set's branches have regions and no areas: a region stands for an area
        # manager's branches (both are branch conditions)
        region = replace(whole, region=sorted({b.region for b in list_branches(ctx)})[0])
        region_request = replace(request, audit_filter=region)
        region_version = data_version(ctx, region)
        measure(
            after_ahead[6], 2.0, lambda: service.comparison(ctx, region_request, region_version)
        )
        in_region = service.comparison(ctx, region_request, region_version)
        measure(after_ahead[7], 1.0, lambda: service.with_items(ctx, in_region, region_version))
        # selections no kept one holds, as the Compare page asks for them (its periods are
        # whole months): another checklist (the set has one, so every audit), closed
        # branches counted; taken from the history's rows (services.history_rows)
        for names, audit_filter, include_closed in (
            (after_ahead[8:10], replace(whole, checklist_id="scale_visit"), False),
            (after_ahead[10:12], whole, True),
        ):
            inside = replace(request, audit_filter=audit_filter, include_closed=include_closed)
            inside_version = data_version(ctx, audit_filter)

            def page(asked: Any = inside, at: Any = inside_version) -> Any:
                return service.comparison(ctx, asked, at)

            measure(names[0], 2.0, page)

            def items(shown: Any = page(), at: Any = inside_version) -> Any:
                return service.with_items(ctx, shown, at)

            measure(names[1], 1.0, items)
    # Month end: a visit entered between two page views moves the data version; the kept
    # selection reads again only the branch written (services.selections.patched).
    entered = (
        "after a visit entered: the Compare page, whole history (kept selection brought up "
        "to date)",
        "after a visit entered: the Compare page, last twelve months (kept selection brought "
        "up to date)",
        "after a visit entered: the Overview, whole history",
        "after a visit entered: the Overview, last twelve months",
        "after a visit entered: per-item consistency as the Compare page asks for it, last "
        "twelve months",
        "after a visit entered: per-item consistency as the Compare page asks for it, whole "
        "history",
        "after a visit entered: failure evidence (the Consistency tab), whole history",
    )
    if not wanted or any(word in name for word in wanted for name in entered):
        from bench.entered_visits import VisitEntry

        visits = VisitEntry(ctx)
        visits.enter(everything)  # not timed: its auditor's record exists from here on
        for name, selection, page in (
            (entered[0], everything, "compare"),
            (entered[1], last_year, "compare"),
            (entered[2], everything, "overview"),
            (entered[3], last_year, "overview"),
            (entered[4], last_year, "items"),
            (entered[5], everything, "items"),
            (entered[6], everything, "evidence"),
        ):
            request = ComparisonRequest(selection, items=False, evidence=False, auditors=False)
            before = data_version(ctx, selection)
            overview(ctx, selection, language="en", version=before)  # not timed: kept
            shown = service.comparison(ctx, request, before)
            if page == "items":  # the page showed its items before the visit
                service.with_items(ctx, shown, before)
            if page == "evidence":  # and its Consistency tab
                service.comparison_evidence(ctx, ComparisonRequest(selection), before)
            visits.enter(selection)
            if page == "items":  # its comparison after the visit (measured above), then items
                version = data_version(ctx, selection)
                shown = service.comparison(ctx, request, version)
                measure(
                    name,
                    1.0,
                    lambda shown=shown, version=version: service.with_items(ctx, shown, version),
                )
                continue
            if page == "evidence":  # its comparison after the visit, then the tab's evidence
                version = data_version(ctx, selection)
                service.comparison(ctx, request, version)
                asked = ComparisonRequest(selection)
                measure(
                    name,
                    2.0,
                    lambda asked=asked, version=version: service.comparison_evidence(
                        ctx, asked, version
                    ),
                )
                continue

            def after(selection: Any = selection, page: str = page, request: Any = request) -> None:
                version = data_version(ctx, selection)
                if page == "overview":
                    overview(ctx, selection, language="en", version=version)
                else:
                    service.comparison(ctx, request, version)

            measure(name, 2.0, after)
    measure(
        "branch page data (one branch against 5,000)",
        2.0,
        lambda: branch_report_data(ctx, "SC-00001"),
    )
    measure(
        "branch page data, last twelve months (the page's default)",
        2.0,
        lambda: branch_report_data(ctx, "SC-00003", date(2027, 1, 1), date(2027, 12, 31)),
    )
    measure(
        "comparison PDF, 5,000 branches, whole history",
        10.0,
        lambda: comparison_report(ctx, everything),
    )
    given = "comparison PDF from a computed comparison (repeats, overdue, layout), 5,000 branches"
    if not wanted or any(word in given for word in wanted):
        result = service.comparison(ctx, ComparisonRequest(everything))  # not timed
        measure(given, None, lambda: comparison_report(ctx, everything, result=result))
    given = (
        "comparison PDF as the Compare page prepares it (its comparison and evidence "
        "cached), 5,000 branches, last twelve months"
    )
    if not wanted or any(word in given for word in wanted):
        result = service.comparison(ctx, ComparisonRequest(last_year))  # not timed
        measure(given, 10.0, lambda: comparison_report(ctx, last_year, result=result))
    if RESULTS.exists():  # figures measured in an earlier run and not this one are kept
        earlier = json.loads(RESULTS.read_text(encoding="utf-8"))["figures"]
        measured = {figure["name"] for figure in figures}
        figures = [f for f in earlier if f["name"] not in measured] + figures
    RESULTS.write_text(
        json.dumps(
            {
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
                "set": SET,
                "figures": figures,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
