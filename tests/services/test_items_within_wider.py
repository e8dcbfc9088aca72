"""Item sums of a selection inside a wider kept one (#21): an area manager's areas, a
quarter, or both, inside head office's whole history (which a server reads ahead) are taken
from its kept sums and not read, and equal a fresh read of their own cells, closed branches
counted or not; taken from an entry kept before a write, they are brought up to date by
reading the written branch alone. Dates that cut months read only the cut days, the whole
months between taken from the wider sums; alignments that differ from the wider selection's
(a quarter with one phone version) are read. Both engines, the messy
world (two phone versions rescored on shared items, N/A, follow-ups)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import User
from audit_app.services import kept_selections, selections
from audit_app.services.access import scoped
from audit_app.services.branches import list_branches, set_branch_active
from audit_app.services.context import AppContext
from audit_app.storage import database
from tests.services.test_kept_items_and_evidence import assert_kept_as_fresh
from tests.services.test_selection_patches import (
    EMAIL,
    HQ,
    MANAGER,
    assert_same_sums,
    branch_codes,
    earliest_visit,
    full_item_reads,
    kept_and_fresh_sums,
    messy,
    newest_visit,
    nothing_kept,
    submit,
)

__all__ = ["full_item_reads", "messy", "nothing_kept"]


def quarter_before(day: date) -> AuditFilter:
    """The whole quarter before the one ``day`` lies in."""
    start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    first = (
        date(start.year - 1, 10, 1) if start.month == 1 else date(start.year, start.month - 3, 1)
    )
    return AuditFilter(date_from=first, date_to=start - timedelta(days=1))


def alignments(ctx: AppContext, request: ComparisonRequest) -> tuple[object, ...]:
    request = request.scoped(scoped(ctx, request.audit_filter))
    with database.snapshot(ctx.engine) as conn:
        selection = selections.read_selection(
            ctx, conn, request.audit_filter, request.include_closed
        )
    assert selection is not None
    return selection.alignments


def whole_months(ctx: AppContext) -> AuditFilter:
    """The whole history as the period picker offers it: its first month to its last."""
    first, last = earliest_visit(ctx).date(), newest_visit(ctx).date()
    after = date(last.year + 1, 1, 1) if last.month == 12 else date(last.year, last.month + 1, 1)
    return AuditFilter(date_from=first.replace(day=1), date_to=after - timedelta(days=1))


@pytest.mark.parametrize("dated", [False, True], ids=["no dates", "the picker's months"])
@pytest.mark.parametrize("include_closed", [False, True], ids=["open", "closed too"])
def test_an_area_and_a_quarter_are_taken_from_the_whole_history(
    messy: AppContext, full_item_reads: list[AuditFilter], include_closed: bool, dated: bool
) -> None:
    hq, manager = messy.as_user(HQ), messy.as_user(MANAGER)
    whole_filter = whole_months(messy) if dated else AuditFilter()
    whole = ComparisonRequest(whole_filter, include_closed=include_closed)
    kept, fresh = kept_and_fresh_sums(hq, whole)
    assert_same_sums(kept, fresh, "the whole history")
    wide_alignments = alignments(hq, whole)
    quarter = quarter_before(newest_visit(messy).date())
    region = sorted({b.region for b in list_branches(messy) if b.region})[0]
    assert quarter.date_from is not None
    # from a quarter before the history to its end: outside the picker's months
    early = replace(
        whole_months(messy), date_from=quarter_before(earliest_visit(messy).date()).date_from
    )
    cases: list[tuple[str, User, AuditFilter, bool]] = [
        ("the area manager's whole history", MANAGER, whole_filter, True),
        ("head office's quarter", HQ, quarter, True),
        ("the area manager's quarter", MANAGER, quarter, True),
        ("a region over the whole history", HQ, replace(whole_filter, region=region), True),
        (
            "a half month",
            HQ,
            replace(quarter, date_from=quarter.date_from + timedelta(days=14)),
            False,
        ),
        ("a quarter from before the history", HQ, early, not dated),
        ("one checklist", HQ, replace(whole_filter, checklist_id=EMAIL), False),
    ]
    taken = []
    for what, user, audit_filter, inside_dates in cases:
        ctx = messy.as_user(user)
        request = replace(whole, audit_filter=audit_filter)
        full_item_reads.clear()
        kept, fresh = kept_and_fresh_sums(ctx, request)
        assert_same_sums(kept, fresh, what)
        inside = inside_dates and alignments(ctx, request) == wide_alignments
        # the fresh read is one; a part not taken from the whole history is read too
        assert len(full_item_reads) == (1 if inside else 2), what
        taken.append(inside)
        assert_kept_as_fresh(ctx, request, what)
    assert taken[0] and taken[3], "the whole history's areas share its alignments"
    assert_kept_as_fresh(manager, whole, "the area manager, items and evidence")


@pytest.mark.parametrize("include_closed", [False, True], ids=["open", "closed too"])
def test_taken_from_an_entry_kept_before_a_write_reads_only_the_written_branch(
    messy: AppContext, full_item_reads: list[AuditFilter], include_closed: bool
) -> None:
    hq, manager = messy.as_user(HQ), messy.as_user(MANAGER)
    whole = ComparisonRequest(AuditFilter(), include_closed=include_closed)
    kept_and_fresh_sums(hq, whole)  # kept under the version before the write
    mine = branch_codes(messy, MANAGER.areas)
    submit(messy, mine[0], EMAIL, 1, newest_visit(messy) - timedelta(days=2), worst=True)
    full_item_reads.clear()
    kept, fresh = kept_and_fresh_sums(manager, whole)
    assert_same_sums(kept, fresh, "the area manager after a visit")
    assert len(full_item_reads) == 1  # the fresh read: the written branch alone is read
    assert kept is not None and mine[0] in set(kept.branch_labels)
    assert_kept_as_fresh(manager, whole, "the area manager after a visit, items")


def reads_for(
    messy: AppContext,
    reads: list[AuditFilter],
    wider: ComparisonRequest,
    part: ComparisonRequest,
    user: User = HQ,
) -> list[tuple[date | None, date | None]]:
    """Keep head office's ``wider`` sums, then ask for ``user``'s ``part``: equal to a fresh
    read; the dates of what was read for it whole (beside the fresh read)."""
    kept_selections.forget()
    kept_and_fresh_sums(messy.as_user(HQ), wider)
    reads.clear()
    kept, fresh = kept_and_fresh_sums(messy.as_user(user), part)
    assert_same_sums(kept, fresh, f"{part.audit_filter} inside {wider.audit_filter}")
    return [(read.date_from, read.date_to) for read in reads[:-1]]  # the last: the fresh one


def taken_from(
    messy: AppContext,
    reads: list[AuditFilter],
    wider: ComparisonRequest,
    part: ComparisonRequest,
    user: User = HQ,
) -> bool:
    """Whether ``user``'s ``part`` was taken from head office's kept ``wider`` sums and
    nothing of it read (:func:`reads_for`)."""
    return not reads_for(messy, reads, wider, part, user)


def whole_months_of(first: date | None, last: date | None) -> ComparisonRequest:
    return ComparisonRequest(AuditFilter(date_from=first, date_to=last))


def test_dates_that_cut_months_read_only_the_days_of_those_months(
    messy: AppContext, full_item_reads: list[AuditFilter]
) -> None:
    """The whole months between are taken from the wider sums; the days of each month the
    dates cut are read alone. Dates within one month, or with no whole month between them,
    are read whole. Found by a review, at first: no case cut a month at the end or at the
    start with the wider selection's alignments."""
    whole = ComparisonRequest(AuditFilter())
    cases = [
        (date(2026, 2, 15), None, [(date(2026, 2, 15), date(2026, 2, 28))]),
        (date(2026, 4, 1), date(2026, 6, 14), [(date(2026, 6, 1), date(2026, 6, 14))]),
        (
            date(2026, 3, 10),
            date(2026, 6, 14),
            [(date(2026, 3, 10), date(2026, 3, 31)), (date(2026, 6, 1), date(2026, 6, 14))],
        ),
        (date(2026, 4, 10), date(2026, 4, 20), [(date(2026, 4, 10), date(2026, 4, 20))]),
        (date(2026, 3, 15), date(2026, 4, 14), [(date(2026, 3, 15), date(2026, 4, 14))]),
    ]
    wide_alignments = alignments(messy.as_user(HQ), whole)
    for user in (HQ, MANAGER):
        cut = 0
        for first, last, read in cases:
            part = whole_months_of(first, last)
            if alignments(messy.as_user(user), part) != wide_alignments:
                read = [(first, last)]  # rescored otherwise than the wider: read whole
            else:
                cut += read != [(first, last)]
            assert reads_for(messy, full_item_reads, whole, part, user) == read, (user, first)
        assert cut >= 1, f"{user.username}: no selection was cut from the wider"


def test_dates_that_leave_the_wider_s_are_read(
    messy: AppContext, full_item_reads: list[AuditFilter]
) -> None:
    """Found by a review: no case reached past a wider selection's end."""
    quarter = whole_months_of(date(2026, 4, 1), date(2026, 6, 30))
    read = [
        taken_from(messy, full_item_reads, quarter, whole_months_of(date(2026, 4, 1), None)),
        taken_from(  # its whole months past the quarter's start
            messy,
            full_item_reads,
            quarter,
            whole_months_of(date(2026, 1, 1), date(2026, 6, 30)),
            MANAGER,
        ),
        taken_from(  # cut, and past the quarter's start
            messy, full_item_reads, quarter, whole_months_of(date(2026, 3, 15), date(2026, 6, 30))
        ),
    ]
    assert read == [False, False, False]
    cut_inside = reads_for(
        messy, full_item_reads, quarter, whole_months_of(date(2026, 4, 15), date(2026, 6, 30))
    )
    assert cut_inside == [(date(2026, 4, 15), date(2026, 4, 30))]


@pytest.mark.parametrize("edge", ["the visit between", "the visit in the cut month"])
def test_cut_months_taken_from_an_entry_kept_before_a_write_hold_the_write(
    messy: AppContext, full_item_reads: list[AuditFilter], edge: str
) -> None:
    """The wider entry kept before a visit: a selection cutting months made of it holds the
    visit, whether it falls in a whole month or in the days of a cut one, and reads only
    those days (the written branch's rows are read again, as for any part)."""
    hq = messy.as_user(HQ)
    # one checklist of one version: a part of any dates is aligned as the whole
    emails = AuditFilter(checklist_id=EMAIL)
    kept_and_fresh_sums(hq, ComparisonRequest(emails))
    branch = branch_codes(messy, MANAGER.areas)[0]
    visited = newest_visit(messy) - timedelta(days=2)
    submit(messy, branch, EMAIL, 1, visited, worst=True)
    day = visited.date()
    first = (day - timedelta(days=40)).replace(day=15) if edge == "the visit between" else day
    if first.day == 1:
        first = first + timedelta(days=1)  # a day that cuts its month
        assert first <= day or edge == "the visit between"
    month_end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    full_item_reads.clear()
    part = ComparisonRequest(replace(emails, date_from=first))
    kept, fresh = kept_and_fresh_sums(hq, part)
    assert_same_sums(kept, fresh, edge)
    assert [(r.date_from, r.date_to) for r in full_item_reads[:-1]] == [(first, month_end)]
    assert kept is not None and branch in set(kept.branch_labels)


def test_cut_days_are_not_read_when_the_wider_entry_cannot_be_brought_up_to_date(
    messy: AppContext, full_item_reads: list[AuditFilter]
) -> None:
    """Found by a review: the wider entry was kept before a branch changed, so no patch
    brings it up to date and the selection is read whole; its cut days were read first,
    and thrown away."""
    hq = messy.as_user(HQ)
    emails = AuditFilter(checklist_id=EMAIL)  # one version: a part is aligned as the whole
    kept_and_fresh_sums(hq, ComparisonRequest(emails))  # the wider entry
    code = branch_codes(messy)[-1]
    set_branch_active(messy, code, False)  # a branch changed: no patch from the wider's mark
    whole = whole_months(messy)
    assert whole.date_from is not None and whole.date_to is not None
    first = whole.date_from + timedelta(days=45)
    last = whole.date_to - timedelta(days=45)
    assert first.day != 1 and (last + timedelta(days=1)).day != 1
    cut = ComparisonRequest(replace(emails, date_from=first, date_to=last))
    full_item_reads.clear()
    kept, fresh = kept_and_fresh_sums(hq, cut)
    assert_same_sums(kept, fresh, "after a branch closed")
    # the last read is the test's fresh one
    assert [(r.date_from, r.date_to) for r in full_item_reads[:-1]] == [(first, last)]


@pytest.mark.parametrize("part_closed", [False, True], ids=["open", "closed too"])
def test_closed_branches_counted_otherwise_than_the_wider_s_are_read(
    messy: AppContext, full_item_reads: list[AuditFilter], part_closed: bool
) -> None:
    wider = ComparisonRequest(AuditFilter(), include_closed=not part_closed)
    for user in (HQ, MANAGER):
        part = ComparisonRequest(AuditFilter(), include_closed=part_closed)
        if user == HQ:
            part = replace(part, audit_filter=AuditFilter(date_from=date(2026, 4, 1)))
        assert not taken_from(messy, full_item_reads, wider, part, user)
