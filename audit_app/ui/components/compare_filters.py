"""The Compare page's filters: checklist, period (whole months), region, channel, the
minimum audits to rank, whether follow-up audits count and whether closed branches are
compared. Drawn in the sidebar; they return the AuditFilter the services take.

The period is the shared one of every page (:mod:`period_picker`): by default the last
twelve complete months, so a new audit in a new month does not move it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from audit_app.domain.audit import Channel
from audit_app.domain.compare import DEFAULT_MIN_AUDITS
from audit_app.domain.filters import AuditFilter
from audit_app.domain.labels import channel_label
from audit_app.i18n import _, current_language
from audit_app.services.context import AppContext
from audit_app.ui.components.period_picker import period_picker

ALL = "All"

CHECKLIST_KEY = "compare_checklist"
REGION_KEY = "compare_region"
CHANNEL_KEY = "compare_channel"
MIN_AUDITS_KEY = "compare_min_audits"
FOLLOW_UPS_KEY = "compare_follow_ups"
CLOSED_KEY = "compare_include_closed"


@dataclass(frozen=True)
class CompareChoice:
    """What the user picked: the filter for the services and the ranking threshold."""

    audit_filter: AuditFilter
    min_audits: int
    include_closed: bool = False


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


def compare_filter_sidebar(
    ctx: AppContext, months: Sequence[str], regions: Sequence[str]
) -> CompareChoice:
    """Draw the filters in the sidebar. ``months`` are those with audits in the user's scope
    (contiguous; none: all history), ``regions`` those the user may see."""
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
        date_from, date_to = None, None
        if months:
            period = period_picker(ctx)
            date_from, date_to = period.date_from, period.date_to
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
        include_closed = st.toggle(
            _("Include closed branches"),
            value=False,
            key=CLOSED_KEY,
            help=_(
                "Closed branches are left out of the league table, the bands and the regions' "
                "best and worst unless included here; included, they are ranked and marked "
                "closed."
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
    return CompareChoice(audit_filter, int(min_audits), bool(include_closed))
