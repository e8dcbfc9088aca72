"""The one period picker of Overview, Compare and Branch: whole months, the same default
everywhere (the last twelve complete months, or the twelve up to the newest audit the user
can see when none is that recent: :func:`default_period`), kept across pages, a month still
running named.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from audit_app.domain.reporting_period import (
    ReportingPeriod,
    add_months,
    day_of,
    default_period,
    month_start,
    parse_period,
    whole_period,
)
from audit_app.i18n import _, formats, ngettext
from audit_app.services.compare import visit_span
from audit_app.services.context import AppContext

PERIOD_KEY = "reporting_period"
"""The chosen period's key (``2025-12..2026-11``), shared by every page of the session."""
_WIDGET = "period_picker"


def today() -> date:
    return date.today()


def offered_months(ctx: AppContext, now: date) -> tuple[list[date], ReportingPeriod]:
    """The months a user can pick (every month from the first audit they may see to the one
    running now) and the default period among them."""
    months, default, _audited = _offered(ctx, now)
    return months, default


def _offered(
    ctx: AppContext, now: date
) -> tuple[list[date], ReportingPeriod, ReportingPeriod | None]:
    """:func:`offered_months`, and the months from the first audit's to the newest's (None
    without audits)."""
    first, last = visit_span(ctx)
    first_day, last_day = day_of(first), day_of(last)
    months = whole_period(now, first_day, last_day).months()
    audited = None
    if first_day and last_day:
        audited = ReportingPeriod(month_start(first_day), month_start(last_day))
    return months, default_period(now, last_day), audited


def chosen_period(default: ReportingPeriod, months: list[date]) -> ReportingPeriod:
    """The session's period if it still fits the months offered, else the default."""
    chosen = parse_period(str(st.session_state.get(PERIOD_KEY, "")))
    if chosen is None or chosen.first not in months or chosen.last not in months:
        return default
    return chosen


def period_picker(ctx: AppContext) -> ReportingPeriod:
    """Draw the picker (call it inside ``st.sidebar``) and return the period it shows."""
    now = today()
    months, default, audited = _offered(ctx, now)
    period = chosen_period(default, months)
    # A key per period: the slider starts at the session's period on every page (a range
    # slider takes its range from ``value``; a value written into its state would not do).
    key = f"{_WIDGET}_{period.key()}"
    st.select_slider(
        _("Period"),
        options=months,
        value=(period.first, period.last),
        key=key,
        format_func=formats.month,
        on_change=_picked,
        args=(key,),
        help=_(
            "Whole months. Every page shows the same period; it starts as the last twelve "
            "complete months, or, when none of the audits you can see is that recent (an "
            "archive, the demo opened long after its visits), as the twelve months up to the "
            "newest of them."
        ),
    )
    described = describe_period(period, now)
    st.caption(described)
    if period != default and st.button(_back_label(default, now), key="period_reset"):
        st.session_state[PERIOD_KEY] = default.key()
        st.rerun()
    # One click, one period: sliding both ends there would compare an in-between period on
    # the way (a read of its own); each server process reads this one ahead as it starts.
    # Offered only where it shows more audits than the period shown.
    whole = ReportingPeriod(months[0], months[-1])
    outside = audited is not None and (audited.first < period.first or audited.last > period.last)
    if outside and st.button(
        _("Whole history"),
        key="period_whole",
        help=_("Every audit you can see, up to the current month."),
    ):
        st.session_state[PERIOD_KEY] = whole.key()
        st.rerun()
    return period


def _back_label(default: ReportingPeriod, now: date) -> str:
    """What the reset button goes back to: the last twelve complete months, or, when the
    audits end earlier, the twelve months up to the newest one's month (named)."""
    if default.last == add_months(month_start(now), -1):
        return _("Back to the last twelve complete months")
    return _("Back to the twelve months up to {month}").format(month=formats.month(default.last))


def _picked(key: str) -> None:
    first, last = st.session_state[key]
    st.session_state[PERIOD_KEY] = ReportingPeriod(first, last).key()


def describe_period(period: ReportingPeriod, now: date) -> str:
    """``Dec 2025 – Nov 2026 (12 months)``, and which month is still running, if any."""
    count = len(period.months())
    text = ngettext("{first} – {last} ({n} month)", "{first} – {last} ({n} months)", count).format(
        first=formats.month(period.first), last=formats.month(period.last), n=count
    )
    running = period.running_months(now)
    if running:
        text += " · " + _("{month} is still running: its figures will change.").format(
            month=formats.month(running[0])
        )
    return text
