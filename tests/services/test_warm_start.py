"""A server process reads head office's default selection as it starts (#21): the Overview
the first head-office user opens, with the period picker's default, then reads no audit,
and shows what a fresh read shows; a database with no audit, or one that cannot be opened,
reads nothing and never stops the server. With ``AUDIT_READ_AHEAD=history`` (the default) it
then reads the whole history's selection and both selections' item cells, which the
Overview, the Compare page and its "Include items" then find, equal to a fresh read;
``default`` reads the twelve months alone and ``off`` nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest

from audit_app.domain import compare as stats
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.reporting_period import ReportingPeriod
from audit_app.domain.users import Role, User
from audit_app.services import compare, history_rows, kept_selections, warm_start
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.overview import overview
from audit_app.storage import compare_queries
from audit_app.ui import server
from audit_app.ui.components.period_picker import offered_months
from tests.services.test_kept_selections import reads
from tests.services.test_selection_patches import (
    assert_same_sums,
    full_item_reads,
    kept_and_fresh_sums,
)
from tests.storage.test_item_vectors import messy

__all__ = ["full_item_reads", "messy", "reads"]

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
TODAY = date(2026, 12, 5)


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    kept_selections.forget()
    yield
    kept_selections.forget()


def page_filter(ctx: AppContext, today: date) -> AuditFilter:
    """What the Overview page asks for as head office opens it: no filter chosen in the
    sidebar, the period picker's default period."""
    _months, period = offered_months(ctx.as_user(HQ), today)
    return AuditFilter(date_from=period.date_from, date_to=period.date_to)


def whole_filter(ctx: AppContext, today: date) -> AuditFilter:
    """What the pages ask for when head office slides the period picker over every month
    it offers."""
    months, _default = offered_months(ctx.as_user(HQ), today)
    period = ReportingPeriod(months[0], months[-1])
    return AuditFilter(date_from=period.date_from, date_to=period.date_to)


@pytest.mark.parametrize("today", [TODAY, date(2026, 4, 17)])
def test_the_first_overview_after_a_start_reads_no_audit(
    messy: AppContext, reads: list[AuditFilter], today: date
) -> None:
    """Today after the newest audit (the twelve months up to it) and among the audits (the
    last twelve complete months)."""
    read = warm_start.read_default_selection(messy, today)
    assert read == page_filter(messy, today)
    assert reads == [read]  # read once, as head office sees it
    hq = messy.as_user(HQ)
    version = data_version(hq, read)
    reads.clear()
    warm = overview(hq, read, count_overdue=False, version=version)
    assert reads == []  # the page's own call found it kept
    assert warm.audits > 0
    kept_selections.forget()
    fresh = overview(hq, read, count_overdue=False, version=version)
    assert reads == [read]
    assert (warm.audits, warm.mean_score, warm.consistency_index) == (
        fresh.audits,
        fresh.mean_score,
        fresh.consistency_index,
    )
    pd.testing.assert_frame_equal(warm.by_region, fresh.by_region)


def test_an_area_managers_overview_is_not_read_ahead(
    messy: AppContext, reads: list[AuditFilter]
) -> None:
    read = warm_start.read_default_selection(messy, TODAY)
    assert read is not None
    marta = messy.as_user(MARTA)
    reads.clear()
    overview(marta, read, count_overdue=False, version=data_version(marta, read))
    assert [f.areas for f in reads] == [("Barcelona",)]  # her own scope, read for her


def test_a_database_without_audits_reads_nothing(ctx: AppContext, reads: list[Any]) -> None:
    assert warm_start.read_default_selection(ctx, TODAY) is None
    assert reads == []


def test_a_database_that_cannot_be_opened_does_not_stop_the_server(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Any
) -> None:
    monkeypatch.setenv("AUDIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AUDIT_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    with caplog.at_level(logging.WARNING, logger=server.__name__):
        server.read_ahead()  # returns; raises nothing
    assert any("warm start skipped" in r.getMessage() for r in caplog.records)


def test_the_server_reads_ahead_in_a_thread_while_streamlit_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The read-ahead waits until Streamlit has started: were it run before Streamlit, in
    the server's own thread, it would wait for nothing and say so."""
    order: list[str] = []
    streamlit_started = threading.Event()

    def read_ahead() -> None:
        order.append("read ahead, Streamlit started" if streamlit_started.wait(10) else "alone")

    def streamlit_main(prog_name: str) -> None:
        order.append(f"streamlit {prog_name}")
        streamlit_started.set()

    monkeypatch.setattr(server, "import_pages", lambda: order.append("imports") or ())
    monkeypatch.setattr(server, "read_ahead_daily", read_ahead)
    import streamlit.web.cli

    monkeypatch.setattr(streamlit.web.cli, "main", streamlit_main)
    monkeypatch.setattr(server, "keep_freed_memory", lambda: None)
    server.main()
    for thread in threading.enumerate():
        if thread.name == "audit-warm-start":
            thread.join(timeout=20)
    assert order == ["imports", "streamlit streamlit", "read ahead, Streamlit started"]


def page_request(audit_filter: AuditFilter) -> ComparisonRequest:
    """What the Compare page asks for first: no items, evidence or auditors."""
    return ComparisonRequest(audit_filter, items=False, evidence=False, auditors=False)


def test_the_whole_history_and_both_selections_items_are_read_ahead(
    messy: AppContext, reads: list[AuditFilter], full_item_reads: list[AuditFilter]
) -> None:
    default = warm_start.read_default_selection(messy, TODAY)
    assert default == page_filter(messy, TODAY)
    steps: list[str] = []
    whole = warm_start.read_history(messy, TODAY, steps.append)
    assert whole == whole_filter(messy, TODAY) != default
    # its rows, follow-ups too (services.history_rows): its selection is taken from them
    assert reads == [default, replace(whole, include_follow_ups=True)]
    # the default period's item sums are the whole history's part (services.kept_item_sums)
    assert full_item_reads == [whole]
    assert steps == [
        "the whole history's rows",
        "the whole history's selection",
        "the whole history's failure evidence",
        "the whole history's per-item consistency",
        "the default period's failure evidence",
        "the default period's per-item consistency",
    ]
    hq = messy.as_user(HQ)
    reads.clear()
    full_item_reads.clear()
    warm: dict[AuditFilter, tuple[Any, ...]] = {}
    for audit_filter in (whole, default):
        version = data_version(hq, audit_filter)
        shown = overview(hq, audit_filter, count_overdue=False, version=version)
        result = compare.comparison(hq, page_request(audit_filter), version)
        items = compare.with_items(hq, result, version)
        assert items.items  # there are items to show
        warm[audit_filter] = (shown.audits, shown.consistency_index, items.items)
    assert reads == [] and full_item_reads == []  # every page's read was found kept
    kept_selections.forget()
    history_rows.forget()
    for audit_filter, figures in warm.items():
        version = data_version(hq, audit_filter)
        shown = overview(hq, audit_filter, count_overdue=False, version=version)
        result = compare.comparison(hq, page_request(audit_filter), version)
        items = compare.with_items(hq, result, version)
        assert figures == (shown.audits, shown.consistency_index, items.items)
    # read fresh this time; the default period's items again from the whole history's
    assert len(reads) == 2 and len(full_item_reads) == 1


def test_the_whole_history_holds_every_audit(messy: AppContext) -> None:
    """The picker's whole range selects what no date filter selects."""
    whole = whole_filter(messy, TODAY)
    hq = messy.as_user(HQ)
    assert overview(hq, whole).audits == overview(hq, AuditFilter()).audits > 0


def test_the_item_sums_read_ahead_equal_a_fresh_read(
    messy: AppContext, full_item_reads: list[AuditFilter]
) -> None:
    """Array for array, not only the figures computed from them."""
    hq = messy.as_user(HQ)
    whole = whole_filter(messy, TODAY)
    assert compare.read_items(hq, whole, data_version(hq, whole))
    assert full_item_reads == [whole]
    kept, fresh = kept_and_fresh_sums(hq, page_request(whole))
    assert full_item_reads == [whole] * 2  # the fresh read alone: the first was kept
    assert_same_sums(kept, fresh, "read ahead")


def test_nothing_is_read_ahead_without_audits(ctx: AppContext, reads: list[Any]) -> None:
    assert warm_start.read_history(ctx, TODAY) is None
    assert reads == []


@pytest.mark.parametrize(
    ("scope", "expected"),
    # the whole history's rows, follow-ups too: its selection is taken from them
    [("history", ["default", "history"]), ("default", ["default"]), ("off", [])],
)
def test_audit_read_ahead_names_what_the_server_reads(
    messy: AppContext,
    reads: list[AuditFilter],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    scope: str,
    expected: list[str],
) -> None:
    from audit_app import config
    from audit_app.services import context

    settings = messy.settings.model_copy(update={"read_ahead": scope})
    opened: list[str] = []

    def open_context(given: Any) -> AppContext:
        assert given is settings
        opened.append("opened")
        return replace(messy, settings=settings)

    monkeypatch.setattr(config, "load_settings", lambda: settings)
    monkeypatch.setattr(context, "open_context", open_context)
    with caplog.at_level(logging.INFO, logger=server.__name__):
        server.read_ahead()
    assert opened == ([] if scope == "off" else ["opened"])  # off: not even opened
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("warm start")]
    assert len(said) == len(expected) + (5 if scope == "history" else 0), said
    assert all("MiB kept" in line for line in said)  # each step says its time and what is kept
    named = {
        page_filter(messy, date.today()): "default",
        whole_filter(messy, date.today()): "whole",
        replace(whole_filter(messy, date.today()), include_follow_ups=True): "history",
    }
    assert [named[f] for f in reads] == expected


def test_the_server_reads_ahead_again_after_each_midnight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The month's new periods are read before its first visitor asks."""
    calls: list[str] = []
    stop = threading.Event()
    waits: list[float] = []

    def read_ahead() -> None:
        calls.append("read")
        if len(calls) == 3:
            stop.set()

    monkeypatch.setattr(server, "read_ahead", read_ahead)
    monkeypatch.setattr(server, "seconds_to_next_read", lambda now: waits.append(1) or 0.0)
    server.read_ahead_daily(stop)
    assert calls == ["read"] * 3 and len(waits) == 3


@pytest.mark.parametrize(
    ("now", "seconds"),
    [
        (datetime(2026, 12, 6, 10, 0), 14 * 3600 + 60),
        (datetime(2026, 12, 31, 23, 59, 30), 90),
        (datetime(2027, 1, 1, 0, 0, 30), 30),
        (datetime(2027, 1, 1, 0, 1), 24 * 3600),
    ],
)
def test_the_next_read_is_a_minute_after_midnight(now: datetime, seconds: float) -> None:
    assert server.seconds_to_next_read(now) == seconds


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What is computed or read afresh: per-item consistency (per model) and the failure
    evidence kept per branch (per selection)."""
    done: list[str] = []
    standards, evidence = stats.item_standards_of, compare_queries.failure_evidence_by_branch

    def item_standards(request: ComparisonRequest, sums: Any) -> Any:
        done.append(f"items {request.period} {request.adjust_periods}")
        return standards(request, sums)

    def failure_evidence(*args: Any, **kwargs: Any) -> Any:
        done.append("evidence")
        return evidence(*args, **kwargs)

    monkeypatch.setattr(stats, "item_standards_of", item_standards)
    monkeypatch.setattr(compare_queries, "failure_evidence_by_branch", failure_evidence)
    return done


def test_the_whole_historys_evidence_and_items_are_computed_ahead(
    messy: AppContext, computed: list[str]
) -> None:
    """The Compare page's Consistency tab and "Include items" find them, for every session
    of head office's scope, and they equal a fresh computation."""
    warm_start.read_default_selection(messy, TODAY)
    whole = warm_start.read_history(messy, TODAY)
    assert whole is not None
    assert computed == ["evidence", "items month True"] * 2  # each period's, once
    computed.clear()
    hq = messy.as_user(User(username="another-hq", role=Role.HEAD_OFFICE))
    version = data_version(hq, whole)
    shown = compare.comparison(hq, page_request(whole), version)
    warm = compare.with_items(hq, shown, version).items
    warm_evidence = compare.comparison_evidence(hq, ComparisonRequest(whole), version)
    assert computed == []
    assert warm and warm_evidence  # the messy world has failed items to show
    fresh = compare.comparison(hq, replace(page_request(whole), items=True, evidence=True))
    assert warm == fresh.items
    assert warm_evidence == fresh.evidence


def test_each_model_and_scope_has_its_own_items(messy: AppContext, computed: list[str]) -> None:
    """Quarters, or period effects kept in, compute their own items; an area manager's
    share is hers, not head office's kept one."""
    whole = warm_start.read_history(messy, TODAY)
    assert whole is not None
    computed.clear()
    hq = messy.as_user(HQ)
    version = data_version(hq, whole)
    for model in ({"period": "quarter"}, {"adjust_periods": False}):
        request = replace(page_request(whole), **model)  # type: ignore[arg-type]
        shown = compare.comparison(hq, request, version)
        kept = compare.with_items(hq, shown, version).items
        again = compare.with_items(hq, shown, version).items  # kept now
        assert kept == again == compare.comparison(hq, replace(request, items=True)).items
    assert computed == ["items quarter True", "items month False"]  # each once
    computed.clear()
    marta = messy.as_user(MARTA)
    version = data_version(marta, whole)
    shown = compare.comparison(marta, page_request(whole), version)
    hers = compare.with_items(marta, shown, version)
    assert computed == ["items month True"]
    fresh = compare.comparison(marta, replace(page_request(whole), items=True))
    assert hers.items == fresh.items
    assert hers.scope.branches < compare.comparison(hq, page_request(whole)).scope.branches


def test_the_read_ahead_holds_one_connection_of_its_own_and_closes_it(
    messy: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README, Deployment (connections): besides its pages' pool, a server process reads
    ahead on an engine of its own that holds one connection at a time (the reads beside it
    are counted apart), closed when it is done. The pages' pool: 5 plus 10 overflow."""
    from sqlalchemy import event

    from audit_app import config
    from audit_app.services import context
    from audit_app.storage import database

    real_open = context.open_context
    engines: list[Any] = []
    held, most = [0], [0]
    lock = threading.Lock()

    def open_context(given: Any) -> AppContext:
        opened = real_open(given)
        engines.append(opened.engine)

        def checked_out(*_args: Any) -> None:
            with lock:
                held[0] += 1
                most[0] = max(most[0], held[0])

        def checked_in(*_args: Any) -> None:
            with lock:
                held[0] -= 1

        event.listen(opened.engine, "checkout", checked_out)
        event.listen(opened.engine, "checkin", checked_in)
        return opened

    monkeypatch.setattr(config, "load_settings", lambda: messy.settings)
    monkeypatch.setattr(context, "open_context", open_context)
    history_rows.forget()
    try:
        server.read_ahead()
        assert history_rows.kept_bytes() > 0  # it did read the history, on that one connection
    finally:
        history_rows.forget()
    assert len(engines) == 1 and engines[0] is not messy.engine
    assert most[0] == 1
    assert held[0] == 0 and engines[0].pool.checkedout() == 0  # disposed: nothing left open
    pages = database.create_database_engine(messy.settings.resolved_database_url)
    try:
        if pages.dialect.name == "postgresql":
            assert (pages.pool.size(), pages.pool._max_overflow) == (5, 10)  # type: ignore[attr-defined]
    finally:
        pages.dispose()
