"""Selections inside the kept whole history (``services.history_rows``, #21): another
checklist, kind, channel, auditor, region, area or span of days is taken from the history's
rows, not read, and equals a fresh read (the selection's frames, its item sums, per-item
consistency in every model and the failure evidence), closed branches counted or not; after
writes the taken selection is brought up to date from the history's mark, by reading the
written branches alone; a history that no longer reaches the data (a branch closed) is not
taken from, and is read again. Both engines, the messy world (two phone versions rescored on
shared items, N/A, follow-ups, two channels)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import User
from audit_app.services import compare as service
from audit_app.services import history_rows, kept_selections, selections
from audit_app.services.access import scoped
from audit_app.services.audits import list_scores
from audit_app.services.branches import list_branches, set_branch_active
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.kept_item_sums import kept_item_sums
from audit_app.storage import compare_queries, database
from tests.services.test_items_within_wider import whole_months
from tests.services.test_kept_items_and_evidence import assert_kept_as_fresh
from tests.services.test_selection_patches import (
    EMAIL,
    HQ,
    MANAGER,
    PHONE,
    assert_same_selection,
    assert_same_sums,
    branch_codes,
    earliest_visit,
    full_item_reads,
    full_reads,
    kept_and_fresh,
    kept_and_fresh_sums,
    messy,
    newest_visit,
    submit,
)

__all__ = ["full_item_reads", "full_reads", "messy"]


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    kept_selections.forget()
    history_rows.forget()
    yield
    kept_selections.forget()
    history_rows.forget()


@pytest.fixture
def database_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every read of a selection's rows from the database, whole or in part: its audits,
    section rows and item-score vectors (the history's own read among them)."""
    seen: list[str] = []
    for name in ("audit_frame", "section_rows", "_vector_blocks"):
        real = getattr(compare_queries, name)

        def counted(*a: Any, _real: Any = real, _name: str = name, **k: Any) -> Any:
            seen.append(_name)
            return _real(*a, **k)

        monkeypatch.setattr(compare_queries, name, counted)
    return seen


def inside_cases(ctx: AppContext, whole: AuditFilter) -> list[tuple[str, User, AuditFilter]]:
    scores = list_scores(ctx)
    auditor = str(scores["auditor"].dropna().value_counts().index[0])
    region = sorted({b.region for b in list_branches(ctx) if b.region})[0]
    assert whole.date_from is not None and whole.date_to is not None
    middle = whole.date_from + (whole.date_to - whole.date_from) / 2
    return [
        ("the history itself", HQ, whole),
        ("one checklist", HQ, replace(whole, checklist_id=EMAIL)),
        ("the other checklist", HQ, replace(whole, checklist_id=PHONE)),
        ("follow-ups", HQ, replace(whole, kind="follow_up")),
        ("follow-ups counted too", HQ, replace(whole, include_follow_ups=True)),
        ("one channel", HQ, replace(whole, channel="phone")),
        ("one auditor", HQ, replace(whole, auditor=auditor)),
        ("a region", HQ, replace(whole, region=region)),
        ("days that cut months", HQ, replace(whole, date_from=middle + timedelta(days=3))),
        ("the area manager's history", MANAGER, whole),
        ("the area manager's phone visits", MANAGER, replace(whole, checklist_id=PHONE)),
        ("an auditor no audit names", HQ, replace(whole, auditor="Nobody at all")),
    ]


@pytest.mark.parametrize("include_closed", [False, True], ids=["open", "closed too"])
def test_selections_inside_the_history_are_taken_from_its_rows(
    messy: AppContext, database_reads: list[str], include_closed: bool
) -> None:
    whole = whole_months(messy)
    history_rows.read(messy, whole)
    # each once, on PostgreSQL beside each other (in any order)
    assert sorted(database_reads) == ["_vector_blocks", "audit_frame", "section_rows"]
    for what, user, audit_filter in inside_cases(messy, whole):
        ctx = messy.as_user(user)
        request = ComparisonRequest(audit_filter, include_closed=include_closed)
        database_reads.clear()
        kept, fresh = kept_and_fresh(ctx, request)
        if fresh is not None:  # nothing scored: read, as before
            assert database_reads.count("audit_frame") == 1, what  # the fresh read alone
        assert_same_selection(kept, fresh, what)
        if fresh is None:
            continue
        database_reads.clear()
        kept_sums, fresh_sums = kept_and_fresh_sums(ctx, request)
        assert database_reads.count("_vector_blocks") == 1, what  # the fresh cells alone
        assert_same_sums(kept_sums, fresh_sums, what)
        assert_kept_as_fresh(ctx, request, what)


def test_a_selection_outside_the_history_s_dates_is_read(
    messy: AppContext, database_reads: list[str]
) -> None:
    whole = whole_months(messy)
    assert whole.date_from is not None
    later = replace(whole, date_from=whole.date_from + timedelta(days=40))
    history_rows.read(messy, later)
    assert history_rows.holding(messy, whole) is None
    assert history_rows.holding(messy, AuditFilter()) is None
    assert history_rows.holding(messy, later) is not None
    database_reads.clear()
    kept, fresh = kept_and_fresh(messy.as_user(HQ), ComparisonRequest(whole))
    assert database_reads.count("audit_frame") == 2  # kept and fresh: both read
    assert_same_selection(kept, fresh, "outside")


def test_a_history_is_every_audit_of_a_span() -> None:
    with pytest.raises(ValueError, match="span of dates"):
        history_rows.read(None, AuditFilter(checklist_id=PHONE))  # type: ignore[arg-type]


@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
def test_after_writes_a_taken_selection_reads_only_the_written_branches(
    messy: AppContext, full_reads: list[AuditFilter], database_reads: list[str], user: User
) -> None:
    whole = whole_months(messy)
    history_rows.read(messy, whole)
    ctx = messy.as_user(user)
    mine = branch_codes(messy, MANAGER.areas)
    emails = ComparisonRequest(replace(whole, checklist_id=EMAIL))
    before = service.comparison_evidence(ctx, emails)
    # a phone visit at the history's end, and an e-mail one failing an item at its start
    submit(messy, mine[0], PHONE, 2, newest_visit(messy) - timedelta(days=4), worst=True)
    submit(messy, mine[1], EMAIL, 1, earliest_visit(messy) + timedelta(days=3), worst=True)
    assert service.comparison_evidence(ctx, emails) != before  # the evidence moved too
    for what, audit_filter in (
        ("phone visits", replace(whole, checklist_id=PHONE)),
        ("e-mail visits", replace(whole, checklist_id=EMAIL)),
        ("one channel", replace(whole, channel="email")),
    ):
        request = ComparisonRequest(audit_filter)
        full_reads.clear()
        database_reads.clear()
        kept, fresh = kept_and_fresh(ctx, request)
        assert_same_selection(kept, fresh, what)
        scoped_filter = scoped(ctx, audit_filter)
        # the taken selection and the fresh read: only the fresh one reads all its audits
        assert full_reads == [scoped_filter, scoped_filter], what
        assert database_reads.count("audit_frame") == 2, what  # fresh, and the written part
        kept_sums, fresh_sums = kept_and_fresh_sums(ctx, request)
        assert_same_sums(kept_sums, fresh_sums, what)
        assert_kept_as_fresh(ctx, request, what)


def test_a_page_s_audit_ids_outlast_another_page_s_asked_for_between(
    messy: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's selection, item sums and evidence ask for its audits' ids one after the
    other, each in a snapshot of its own; three other sessions' pages asking between do not
    put them out of the memo (it holds four filters, ``history_rows.LAST_IDS``)."""
    whole = whole_months(messy)
    history_rows.read(messy, whole)
    hq = messy.as_user(HQ)
    seen: list[AuditFilter] = []
    real = compare_queries.selected_audit_ids

    def counted(conn: Any, audit_filter: AuditFilter) -> Any:
        seen.append(audit_filter)
        return real(conn, audit_filter)

    monkeypatch.setattr(compare_queries, "selected_audit_ids", counted)
    page = replace(whole, checklist_id=EMAIL)
    others = [
        replace(whole, channel="phone"),
        replace(whole, checklist_id=PHONE),
        replace(whole, kind="follow_up"),
    ]
    for asked in (page, *others, page):
        with database.snapshot(hq.engine) as conn:
            reach = history_rows.reaching(hq, conn, asked, selections.MOST_BRANCHES)
            assert reach is not None
            reach.reads(conn, asked)
    assert seen == [page, *others]


def test_a_part_of_the_rows_is_what_a_read_of_the_part_gives(messy: AppContext) -> None:
    whole = replace(whole_months(messy), include_follow_ups=True)
    part_filter = replace(whole, channel="phone")
    with database.snapshot(messy.engine) as conn:
        rows = compare_queries.SelectionRows.read(conn, whole)
        ids = compare_queries.selected_audit_ids(conn, part_filter)
        part = compare_queries.SelectionRows(
            rows.audits_of(ids), rows.sections_of(ids), rows.blocks_of(ids)
        )
        read = compare_queries.SelectionRows.read(conn, part_filter)
    assert 0 < len(part.audits) < len(rows.audits)
    pd.testing.assert_frame_equal(part.audits, read.audits)
    pd.testing.assert_frame_equal(part.sections, read.sections)
    assert len(part.blocks) == len(read.blocks)
    for taken, own in zip(part.blocks, read.blocks, strict=True):
        assert taken.version_id == own.version_id
        order, own_order = np.argsort(taken.audit_ids), np.argsort(own.audit_ids)
        np.testing.assert_array_equal(taken.audit_ids[order], own.audit_ids[own_order])
        np.testing.assert_array_equal(taken.branch_ids[order], own.branch_ids[own_order])
        np.testing.assert_array_equal(taken.periods[order], own.periods[own_order])
        np.testing.assert_array_equal(taken.scores[order], own.scores[own_order])
    assert rows.nbytes > part.nbytes > 0


def test_a_history_that_no_longer_reaches_the_data_is_read_again(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    whole = whole_months(messy)
    first = history_rows.read(messy, whole)
    set_branch_active(messy, branch_codes(messy)[1], False)
    request = ComparisonRequest(replace(whole, channel="phone"))
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy.as_user(HQ), request)
    assert_same_selection(kept, fresh, "a branch closed")
    # the history no longer reaches the data (the branches moved): nothing is taken from it
    # (the selection is read whole, and fresh), and it is read again in the background
    assert len(full_reads) == 2
    history_rows.renewed(timeout=60)
    again = history_rows.holding(messy, whole)
    assert again is not None and again is not first and again.mark != first.mark
    kept_selections.forget()
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy.as_user(HQ), request)
    assert_same_selection(kept, fresh, "taken from the history read again")
    assert len(full_reads) == 2  # the taken one (from the rows) and the fresh one


def test_a_page_begun_before_the_history_was_read_takes_nothing_from_it(
    messy: AppContext,
) -> None:
    """Its snapshot is older than the history's: nothing of it is taken (the audits it
    would take were the older data's), so a later page's selection is right."""
    ctx = messy.as_user(HQ)
    whole = whole_months(messy)
    request = ComparisonRequest(replace(whole, checklist_id=PHONE))
    version = data_version(ctx, request.audit_filter)
    with database.snapshot(messy.engine) as old:
        entry = selections.kept_entry(ctx, old, request, version)  # no history yet: read
        # meanwhile a phone visit is entered, and the history read after it
        visited = newest_visit(messy) - timedelta(days=4)
        submit(messy, branch_codes(messy)[0], PHONE, 2, visited, worst=True)
        history = history_rows.read(messy, whole)
        kept_item_sums(ctx, old, request, version, entry)  # the page's items, its old snapshot
    assert history_rows.holding(messy, whole) is history
    for include_closed in (True, False):  # a later page, in a new snapshot
        kept, fresh = kept_and_fresh(ctx, replace(request, include_closed=include_closed))
        assert_same_selection(kept, fresh, f"a later page, closed counted: {include_closed}")


def test_a_page_begun_before_the_history_was_read_does_not_drop_it(messy: AppContext) -> None:
    ctx = messy.as_user(HQ)
    whole = whole_months(messy)
    request = ComparisonRequest(replace(whole, channel="phone"))
    version = data_version(ctx, request.audit_filter)
    with database.snapshot(messy.engine) as old:
        selections.Mark.read(old)  # the page's snapshot begins
        visited = newest_visit(messy) - timedelta(days=4)
        submit(messy, branch_codes(messy)[0], PHONE, 2, visited, worst=True)
        history = history_rows.read(messy, whole)
        kept, fresh = kept_and_fresh_in(ctx, old, request, version)
    assert_same_selection(kept, fresh, "the page begun before")
    assert history_rows.holding(messy, whole) is history  # neither dropped nor read again


def kept_and_fresh_in(
    ctx: AppContext, conn: Any, request: ComparisonRequest, version: Any
) -> tuple[Any, Any]:
    kept = selections.kept_selection(ctx, conn, request, version)
    fresh = selections.read_selection(ctx, conn, request.audit_filter, request.include_closed)
    return kept, fresh


def test_the_kept_history_s_vectors_refuse_a_write_in_place(messy: AppContext) -> None:
    """The history's item-score vectors are handed out to every session as they are kept
    (``blocks_of`` gives a whole block itself): a write in place raises."""
    history = history_rows.read(messy, whole_months(messy))
    assert history.rows.blocks
    for block in history.rows.blocks:
        for array in (block.audit_ids, block.branch_ids, block.periods, block.scores):
            with pytest.raises(ValueError, match="read-only"):
                array[0] = array[0]
