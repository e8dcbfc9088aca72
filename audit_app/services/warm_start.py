"""What the first visitors after a server start would wait for, read as the server starts.

Head office's first page is the Overview of the last twelve complete months. In a new server
process nothing is kept yet, so the first log-in read the whole selection (every scored
audit of the period and its section cells): on the ten-times set, log-in to the Overview
took 3.4 s in Chromium, every other page under 2 s. The server process reads that
selection once in a background thread as it starts (``audit_app.ui.server``); it is kept
under the same data version, scoped filter and choice of closed branches as the page's own
call (``services.kept_selections``), so the page finds it, and so does the Compare page on
the same period.

Then (``AUDIT_READ_AHEAD=history``, the default) it reads the whole history's selection
(every month the period picker offers, as the page asks for it when all are chosen), and
both selections' failure evidence and per-item consistency (computed, and kept with the
item sums it comes from, ``services.kept_item_sums``): on the ten-times set those were the
reads no page could make within its target as a process's first (the whole history's
comparison 3.2-3.7 s, its per-item consistency 6.4-6.8 s, then still 1.0-1.1 s from kept
cells; its Consistency tab 2.2-2.7 s in Chromium). Once kept, a visit entered later costs a
page only its written branches (``services.selections.patched``), so what is read ahead
stays of use. The whole history's rows are kept too (``services.history_rows``): any
other selection inside it is taken from them rather than read.
Area managers' selections are each a few branches: not read ahead.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.reporting_period import day_of, default_period, whole_period
from audit_app.domain.users import Role, User
from audit_app.services import history_rows
from audit_app.services.compare import comparison_evidence, read_items, visit_span
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.overview import overview

READER = "warm-start"
"""The user name the read is made as: head office, which sees every branch."""


def offered_filters(ctx: AppContext, today: date) -> tuple[AuditFilter, AuditFilter] | None:
    """Head office's default selection (the period picker's default period: the last twelve
    complete months, or the twelve up to the newest audit) and its whole history (every
    month the picker offers, chosen whole), no other filter; None when the database holds
    no submitted audit. The pages' own filters for the same periods: the same keys."""
    first, last = visit_span(_head_office(ctx))
    newest = day_of(last)
    if newest is None:
        return None
    periods = default_period(today, newest), whole_period(today, day_of(first), newest)
    default, whole = (AuditFilter(date_from=p.date_from, date_to=p.date_to) for p in periods)
    return default, whole


def default_filter(ctx: AppContext, today: date) -> AuditFilter | None:
    """The first of :func:`offered_filters`."""
    offered = offered_filters(ctx, today)
    return None if offered is None else offered[0]


def read_default_selection(ctx: AppContext, today: date) -> AuditFilter | None:
    """Read and keep head office's default Overview selection, as the page would; returns
    the filter read (None when there is nothing to read)."""
    audit_filter = default_filter(ctx, today)
    if audit_filter is None:
        return None
    _read_selection(ctx, audit_filter)
    return audit_filter


def read_history(
    ctx: AppContext, today: date, done: Callable[[str], None] = lambda _step: None
) -> AuditFilter | None:
    """After :func:`read_default_selection`: read and keep the whole history's selection,
    then for the whole history and the default selection in turn their failure evidence
    (the Compare page's Consistency tab) and their per-item consistency with its item
    sums ("Include items"), as the pages ask for them; returns the whole history's filter
    (None when there is nothing to read). ``done`` is told each step's name as it ends
    (the server logs them)."""
    offered = offered_filters(ctx, today)
    if offered is None:
        return None
    default, whole = offered
    history_rows.read(ctx, whole)  # what its selection and any inside it are taken from
    done("the whole history's rows")
    _read_selection(ctx, whole)
    done("the whole history's selection")
    chain = _head_office(ctx)
    for name, audit_filter in (("whole history", whole), ("default period", default)):
        version = data_version(chain, audit_filter)
        comparison_evidence(chain, ComparisonRequest(audit_filter), version)
        done(f"the {name}'s failure evidence")
        read_items(chain, audit_filter, version)
        done(f"the {name}'s per-item consistency")
    return whole


def _read_selection(ctx: AppContext, audit_filter: AuditFilter) -> None:
    chain = _head_office(ctx)
    version = data_version(chain, audit_filter)
    overview(chain, audit_filter, count_overdue=False, version=version)


def _head_office(ctx: AppContext) -> AppContext:
    return ctx.as_user(User(username=READER, role=Role.HEAD_OFFICE))


__all__ = [
    "READER",
    "default_filter",
    "offered_filters",
    "read_default_selection",
    "read_history",
]
