"""A selection whose dates cut months, taken from a wider kept selection of the same filter
(#21): its whole months are the wider selection's rows, and only the days of the months its
dates cut are read; it equals a fresh read (audits, month totals, section cells, checklist
versions, alignments and the audits rescoring drops), closed branches counted or not, as
head office and as an area manager. Taken from a selection kept before a visit, it holds the
visit, in a whole month or in the cut days. Dates within one month, with no whole month
between, or using other checklist versions than the wider selection are read whole. Both
engines, the messy world (two phone versions rescored on shared items, N/A, follow-ups)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import User
from audit_app.services import history_rows, kept_selections, selections
from audit_app.services.branches import set_branch_active
from audit_app.services.context import AppContext
from audit_app.storage import compare_queries
from tests.services.test_items_within_wider import alignments, whole_months
from tests.services.test_selection_patches import (
    EMAIL,
    HQ,
    MANAGER,
    assert_same_selection,
    branch_codes,
    earliest_visit,
    full_reads,
    kept_and_fresh,
    messy,
    newest_visit,
    nothing_kept,
    submit,
)

__all__ = ["full_reads", "messy", "nothing_kept"]

Days = tuple[date | None, date | None]


def reads_for(
    messy: AppContext,
    reads: list[AuditFilter],
    wider: ComparisonRequest,
    part: ComparisonRequest,
    user: User,
) -> list[Days]:
    """Keep ``user``'s ``wider`` selection, then ask for their ``part``: equal to a fresh
    read; the days of what was read for it whole (beside the fresh read)."""
    kept_selections.forget()
    ctx = messy.as_user(user)
    kept_and_fresh(ctx, wider)
    reads.clear()
    kept, fresh = kept_and_fresh(ctx, part)
    assert_same_selection(kept, fresh, f"{user.username}: {part.audit_filter}")
    return [(read.date_from, read.date_to) for read in reads[:-1]]  # the last: the fresh one


def dated(first: date | None, last: date | None, **conditions: object) -> ComparisonRequest:
    return ComparisonRequest(AuditFilter(date_from=first, date_to=last, **conditions))  # type: ignore[arg-type]


CUTS: list[tuple[date | None, date | None, list[Days]]] = [
    (date(2026, 2, 15), None, [(date(2026, 2, 15), date(2026, 2, 28))]),
    (date(2026, 4, 1), date(2026, 6, 14), [(date(2026, 6, 1), date(2026, 6, 14))]),
    (
        date(2026, 3, 10),
        date(2026, 6, 14),
        [(date(2026, 3, 10), date(2026, 3, 31)), (date(2026, 6, 1), date(2026, 6, 14))],
    ),
    (date(2026, 4, 10), date(2026, 4, 20), []),  # within one month
    (date(2026, 3, 15), date(2026, 4, 14), []),  # no whole month between
]


@pytest.mark.parametrize("include_closed", [False, True], ids=["open", "closed too"])
@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
def test_dates_that_cut_months_read_only_the_days_of_those_months(
    messy: AppContext, full_reads: list[AuditFilter], user: User, include_closed: bool
) -> None:
    whole = replace(dated(None, None), include_closed=include_closed)
    wide_alignments = alignments(messy.as_user(user), whole)
    cut = 0
    for first, last, edges in CUTS:
        part = replace(dated(first, last), include_closed=include_closed)
        read = reads_for(messy, full_reads, whole, part, user)
        if not edges:
            assert read == [(first, last)], (first, last)  # read whole
        elif alignments(messy.as_user(user), part) != wide_alignments:
            assert read[-1] == (first, last), (first, last)  # read whole after its cut days
        else:
            assert read == edges, (first, last)
            cut += 1
    assert cut >= 1, "no selection was made of the wider one"


def test_one_checklist_of_one_version_is_made_of_its_wider_selection(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """Aligned as its wider selection whatever its dates: every cut is made of it."""
    whole = dated(None, None, checklist_id=EMAIL)
    for first, last, edges in CUTS:
        part = dated(first, last, checklist_id=EMAIL)
        assert reads_for(messy, full_reads, whole, part, HQ) == (edges or [(first, last)])


def test_other_conditions_or_whole_months_beyond_the_wider_s_are_read_whole(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """Cut days may lie outside the wider selection's dates (they are read); its whole
    months may not."""
    quarter = dated(date(2026, 4, 1), date(2026, 6, 30))
    march = (date(2026, 3, 15), date(2026, 3, 31))
    cases = [
        (quarter, dated(date(2026, 3, 15), date(2026, 6, 30)), [march]),  # cut days before it
        (quarter, dated(date(2026, 4, 15), None), None),  # whole months past it
        (dated(None, None), dated(date(2026, 4, 15), None, checklist_id=EMAIL), None),
        (dated(None, None, checklist_id=EMAIL), dated(date(2026, 4, 15), None), None),
    ]
    for wider, part, edges in cases:
        read = reads_for(messy, full_reads, wider, part, HQ)
        days = (part.audit_filter.date_from, part.audit_filter.date_to)
        if edges is not None and alignments(messy.as_user(HQ), part) == alignments(
            messy.as_user(HQ), wider
        ):
            assert read == edges, part.audit_filter
        else:
            assert read[-1] == days, part.audit_filter


def test_cut_days_are_not_read_when_the_wider_selection_cannot_be_brought_up_to_date(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """As the review found for the item sums: kept before a branch changed, the wider
    selection is not patched, and the cut days are not read before the whole."""
    hq = messy.as_user(HQ)
    emails = dated(None, None, checklist_id=EMAIL)
    kept_and_fresh(hq, emails)
    set_branch_active(messy, branch_codes(messy)[-1], False)
    part = dated(date(2026, 2, 15), date(2026, 6, 14), checklist_id=EMAIL)
    full_reads.clear()
    kept, fresh = kept_and_fresh(hq, part)
    assert_same_selection(kept, fresh, "after a branch closed")
    assert full_reads == [part.audit_filter, part.audit_filter]  # read whole, and fresh


@pytest.mark.parametrize("where", ["in a whole month", "in the cut days"])
def test_taken_from_a_selection_kept_before_a_visit_holds_the_visit(
    messy: AppContext, full_reads: list[AuditFilter], where: str
) -> None:
    hq = messy.as_user(HQ)
    emails = dated(None, None, checklist_id=EMAIL)  # one version: any part aligned as it
    kept_and_fresh(hq, emails)
    branch = branch_codes(messy, MANAGER.areas)[0]
    visited = newest_visit(messy) - timedelta(days=2)
    submit(messy, branch, EMAIL, 1, visited, worst=True)
    day = visited.date()
    first = (day - timedelta(days=40)).replace(day=15) if where == "in a whole month" else day
    if first.day == 1:
        first += timedelta(days=1)  # a day that cuts its month
    month_end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    full_reads.clear()
    kept, fresh = kept_and_fresh(hq, dated(first, None, checklist_id=EMAIL))
    assert_same_selection(kept, fresh, where)
    assert [(r.date_from, r.date_to) for r in full_reads[:-1]] == [(first, month_end)]
    assert branch in set(kept.audits["branch_code"])


def test_cut_days_are_taken_from_the_history_s_rows_only_at_the_wider_s_mark(
    messy: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At the history's mark the cut days are taken from its rows. Once the wider selection
    is brought up to date past a visit in the cut days, which the rows do not hold, those
    days are read, and the visit is in the selection."""
    whole = whole_months(messy)
    history_rows.read(messy, whole)
    hq = messy.as_user(HQ)
    emails = replace(whole, checklist_id=EMAIL)  # one version: any part aligned as it
    kept_and_fresh(hq, ComparisonRequest(emails))  # taken from the rows, at their mark
    frames_read: list[AuditFilter] = []
    made_of_rows: list[AuditFilter] = []
    real_frame, real_rows = compare_queries.audit_frame, selections.taken_from_history

    def frame(conn: Any, audit_filter: AuditFilter, *a: Any, **k: Any) -> Any:
        frames_read.append(audit_filter)
        return real_frame(conn, audit_filter, *a, **k)

    def rows(ctx: AppContext, conn: Any, audit_filter: AuditFilter, *a: Any) -> Any:
        made_of_rows.append(audit_filter)
        return real_rows(ctx, conn, audit_filter, *a)

    monkeypatch.setattr(compare_queries, "audit_frame", frame)
    monkeypatch.setattr(selections, "taken_from_history", rows)
    cut = ComparisonRequest(replace(emails, date_from=emails.date_from + timedelta(days=20)))
    kept, fresh = kept_and_fresh(hq, cut)
    assert_same_selection(kept, fresh, "at the history's mark")
    assert frames_read == [cut.audit_filter]  # the fresh read alone
    assert made_of_rows == []  # made of the wider selection, its cut days of the rows
    visited = earliest_visit(messy)
    if visited.day == 1:
        visited += timedelta(days=1)  # a day that cuts its month
    first = visited.date()
    submit(messy, branch_codes(messy, MANAGER.areas)[0], EMAIL, 1, visited, worst=True)
    kept_and_fresh(hq, ComparisonRequest(emails))  # brought up to date past the visit
    frames_read.clear()
    late = ComparisonRequest(replace(emails, date_from=first))
    kept, fresh = kept_and_fresh(hq, late)
    assert_same_selection(kept, fresh, "past the history's mark")
    month_end = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    cut_days = replace(late.audit_filter, date_to=month_end)
    assert frames_read == [cut_days, late.audit_filter]  # the cut days read, then the fresh
    assert made_of_rows == []
