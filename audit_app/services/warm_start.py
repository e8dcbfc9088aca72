"""What the first visitor after a server start would wait for, read as the server starts.

Head office's first page is the Overview of the last twelve complete months. In a new server
process nothing is kept yet, so the first log-in read the whole selection (every scored
audit of the period and its section cells): on the ten-times set, log-in to the Overview
took 3.4 s in Chromium, every other page under 2 s. The server process reads that
selection once in a background thread as it starts (``audit_app.ui.server``); it is kept
under the same data version, scoped filter and choice of closed branches as the page's own
call (``services.kept_selections``), so the page finds it, and so does the Compare page on
the same period. Area managers' selections are each a few branches: not read ahead.
"""

from __future__ import annotations

from datetime import date

from audit_app.domain.filters import AuditFilter
from audit_app.domain.reporting_period import day_of, default_period
from audit_app.domain.users import Role, User
from audit_app.services.compare import visit_span
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.overview import overview

READER = "warm-start"
"""The user name the read is made as: head office, which sees every branch."""


def default_filter(ctx: AppContext, today: date) -> AuditFilter | None:
    """Head office's default selection: the period picker's default period (the last twelve
    complete months, or the twelve up to the newest audit), no other filter; None when the
    database holds no submitted audit."""
    newest = day_of(visit_span(_head_office(ctx))[1])
    if newest is None:
        return None
    period = default_period(today, newest)
    return AuditFilter(date_from=period.date_from, date_to=period.date_to)


def read_default_selection(ctx: AppContext, today: date) -> AuditFilter | None:
    """Read and keep head office's default Overview selection, as the page would; returns
    the filter read (None when there is nothing to read)."""
    audit_filter = default_filter(ctx, today)
    if audit_filter is None:
        return None
    chain = _head_office(ctx)
    version = data_version(chain, audit_filter)
    overview(chain, audit_filter, count_overdue=False, version=version)
    return audit_filter


def _head_office(ctx: AppContext) -> AppContext:
    return ctx.as_user(User(username=READER, role=Role.HEAD_OFFICE))


__all__ = ["READER", "default_filter", "read_default_selection"]
