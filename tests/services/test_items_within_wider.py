"""Item sums of a selection inside a wider kept one (#21): an area manager's areas, a
quarter, or both, inside head office's whole history (which a server reads ahead) are taken
from its kept sums and not read, and equal a fresh read of their own cells, closed branches
counted or not; taken from an entry kept before a write, they are brought up to date by
reading the written branch alone. Dates that cut a month, or alignments that differ from
the wider selection's (a quarter with one phone version), are read. Both engines, the messy
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
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.storage import database
from tests.services.test_kept_items_and_evidence import assert_kept_as_fresh
from tests.services.test_selection_patches import (
    EMAIL,
    HQ,
    MANAGER,
    PHONE,
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
        ("one checklist", HQ, replace(whole_filter, checklist_id=EMAIL), True),
        ("the checklist of two versions", HQ, replace(whole_filter, checklist_id=PHONE), True),
        ("the area manager's phone quarter", MANAGER, replace(quarter, checklist_id=PHONE), True),
    ]
    taken = []
    for what, user, audit_filter, inside_dates in cases:
        ctx = messy.as_user(user)
        request = replace(whole, audit_filter=audit_filter)
        full_item_reads.clear()
        kept, fresh = kept_and_fresh_sums(ctx, request)
        assert_same_sums(kept, fresh, what)
        # one checklist's part is aligned as the whole history aligned that checklist
        chosen = audit_filter.checklist_id
        wide = tuple(a for a in wide_alignments if chosen in (None, a.checklist_id))  # type: ignore[attr-defined]
        inside = inside_dates and alignments(ctx, request) == wide
        # the fresh read is one; a part not taken from the whole history is read too
        assert len(full_item_reads) == (1 if inside else 2), what
        taken.append(inside)
        assert_kept_as_fresh(ctx, request, what)
    assert taken[0] and taken[3], "the whole history's areas share its alignments"
    assert taken[6] and taken[7], "so do its checklists over the same months"
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


def taken_from(
    messy: AppContext,
    reads: list[AuditFilter],
    wider: ComparisonRequest,
    part: ComparisonRequest,
    user: User = HQ,
) -> bool:
    """Keep head office's ``wider`` sums, then ask for ``user``'s ``part``: equal to a fresh
    read; whether it was taken from the wider sums (not read)."""
    kept_selections.forget()
    kept_and_fresh_sums(messy.as_user(HQ), wider)
    reads.clear()
    kept, fresh = kept_and_fresh_sums(messy.as_user(user), part)
    assert_same_sums(kept, fresh, f"{part.audit_filter} inside {wider.audit_filter}")
    return len(reads) == 1  # the fresh read alone


def whole_months_of(first: date | None, last: date | None) -> ComparisonRequest:
    return ComparisonRequest(AuditFilter(date_from=first, date_to=last))


def test_dates_that_cut_a_month_or_leave_the_wider_s_are_read(
    messy: AppContext, full_item_reads: list[AuditFilter]
) -> None:
    """Found by a review: no case above cut a month at the end or at the start with the
    wider selection's alignments, nor reached past a wider selection's end."""
    whole = ComparisonRequest(AuditFilter())
    taken = [
        taken_from(messy, full_item_reads, whole, whole_months_of(date(2026, 2, 1), None), MANAGER),
        taken_from(
            messy, full_item_reads, whole, whole_months_of(None, date(2026, 2, 28)), MANAGER
        ),
    ]
    assert taken == [True, True]
    read = [
        taken_from(
            messy, full_item_reads, whole, whole_months_of(date(2026, 2, 15), None), MANAGER
        ),
        taken_from(
            messy, full_item_reads, whole, whole_months_of(date(2026, 4, 1), date(2026, 6, 14))
        ),
        taken_from(  # (with the wider selection's alignments: open at its end)
            messy,
            full_item_reads,
            whole_months_of(date(2026, 4, 1), date(2026, 6, 30)),
            whole_months_of(date(2026, 4, 1), None),
        ),
        taken_from(
            messy,
            full_item_reads,
            whole_months_of(date(2026, 4, 1), date(2026, 6, 30)),
            whole_months_of(date(2026, 1, 1), date(2026, 6, 30)),
            MANAGER,
        ),
    ]
    assert read == [False, False, False, False]


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


def test_an_empty_checklist_is_every_checklist_as_a_read_takes_it(
    messy: AppContext, full_item_reads: list[AuditFilter]
) -> None:
    """Found by a review: the reads take ``checklist_id=""`` for every checklist, and the
    part taken from a wider selection kept no group of a checklist named "" (its sums came
    out empty where no checklist of the selection spans two versions)."""
    hq = messy.as_user(HQ)
    wider = ComparisonRequest(AuditFilter(channel="web_form"))
    kept_and_fresh_sums(hq, wider)
    for asked in ("", None):
        part = replace(wider, audit_filter=AuditFilter(checklist_id=asked, channel="web_form"))
        kept, fresh = kept_and_fresh_sums(hq, part)
        assert fresh is not None
        assert_same_sums(kept, fresh, f"checklist {asked!r}")
