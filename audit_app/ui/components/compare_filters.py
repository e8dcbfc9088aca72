"""The Compare page's filters: checklist, period (whole months), region, channel, the
minimum audits to rank and whether follow-up audits count. Drawn in the sidebar; they return
the AuditFilter the services take.

The period is a range of months that hold audits in the user's scope, defaulting to the
last twelve of them, so a first look compares a recent year instead of all history.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import streamlit as st

from audit_app.domain.audit import Channel
from audit_app.domain.compare import DEFAULT_MIN_AUDITS
from audit_app.domain.filters import AuditFilter
from audit_app.domain.labels import channel_label
from audit_app.i18n import _, current_language, formats
from audit_app.services.context import AppContext

ALL = "All"
DEFAULT_MONTHS = 12

CHECKLIST_KEY = "compare_checklist"
REGION_KEY = "compare_region"
CHANNEL_KEY = "compare_channel"
MIN_AUDITS_KEY = "compare_min_audits"
FOLLOW_UPS_KEY = "compare_follow_ups"


@dataclass(frozen=True)
class CompareChoice:
    """What the user picked: the filter for the services and the ranking threshold."""

    audit_filter: AuditFilter
    min_audits: int


def month_span(months: Sequence[str]) -> list[str]:
    """Every month (``YYYY-MM``) from the first to the last of ``months``, gaps filled, so the
    slider moves in even steps."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:7])
    end = (int(last[:4]), int(last[5:7]))
    out = []
    # Compared as numbers: as text, "10000-01" sorts before "9999-12" and never ends.
    while (year, month) <= end:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_dates(first: str, last: str) -> tuple[date, date]:
    """The first day of ``first`` and the last day of ``last`` (both ``YYYY-MM``)."""
    start = date(int(first[:4]), int(first[5:7]), 1)
    year, month = int(last[:4]), int(last[5:7])
    return start, date(year, month, calendar.monthrange(year, month)[1])


def month_label(month: str) -> str:
    """``2026-03`` as the language writes a month: ``Mar 2026``, ``de març 2026``."""
    return formats.month(date(int(month[:4]), int(month[5:7]), 1))


def compare_filter_sidebar(
    ctx: AppContext, months: Sequence[str], regions: Sequence[str]
) -> CompareChoice:
    """Draw the filters in the sidebar. ``months`` are those with audits in the user's scope
    (contiguous), ``regions`` those the user may see."""
    language = current_language()
    checklists = {c.id: c.title_in(language) for c in ctx.catalogue.latest()}
    with st.sidebar:
        st.subheader(_("Compare"))
        checklist = st.selectbox(
            _("Checklist"),
            [ALL, *checklists],
            format_func=lambda key: _("All checklists") if key == ALL else checklists[key],
            key=CHECKLIST_KEY,
        )
        date_from, date_to = _period(months)
        region = st.selectbox(
            _("Region"),
            [ALL, *regions],
            format_func=lambda key: _("All regions") if key == ALL else key,
            key=REGION_KEY,
        )
        channel = st.selectbox(
            _("Channel"),
            [ALL, *(c.value for c in Channel)],
            format_func=lambda key: _("All channels") if key == ALL else channel_label(key),
            key=CHANNEL_KEY,
        )
        min_audits = st.number_input(
            _("Audits needed to rank"),
            min_value=1,
            max_value=50,
            value=DEFAULT_MIN_AUDITS,
            step=1,
            key=MIN_AUDITS_KEY,
            help=_("Branches with fewer audits are listed apart, not ranked."),
        )
        include_follow_ups = st.toggle(
            _("Include follow-up audits"),
            value=False,
            key=FOLLOW_UPS_KEY,
            help=_(
                "Follow-ups re-check only an audit's failed items, so they are left out of "
                "the league table and every comparison unless included here."
            ),
        )
    audit_filter = AuditFilter(
        checklist_id=None if checklist == ALL else checklist,
        date_from=date_from,
        date_to=date_to,
        region=None if region == ALL else region,
        channel=None if channel == ALL else channel,
        include_follow_ups=include_follow_ups,
    )
    return CompareChoice(audit_filter, int(min_audits))


def _period(months: Sequence[str]) -> tuple[date | None, date | None]:
    """A month-range slider; no dates (all history) when there is nothing to choose from."""
    if not months:
        return None, None
    if len(months) == 1:
        st.caption(_("Period: {month}").format(month=month_label(months[0])))
        return month_dates(months[0], months[0])
    default = (months[max(0, len(months) - DEFAULT_MONTHS)], months[-1])
    first, last = st.select_slider(
        _("Period"),
        options=list(months),
        value=default,
        format_func=month_label,
        help=_("Whole months; the last {months} months with audits at first.").format(
            months=DEFAULT_MONTHS
        ),
    )
    return month_dates(first, last)
