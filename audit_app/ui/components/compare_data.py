"""The Compare page's service calls, cached per filter, data version and user.

Every function takes the context as ``_ctx`` (not hashed) and the data version and the
user as plain arguments, so an entry is forgotten after any write and two users never
share one. The services below already narrow every result to the user's areas.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from audit_app.domain import compare as stats
from audit_app.domain.checklist import localized
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import User
from audit_app.services import compare as service
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.report_compare import comparison_report
from audit_app.ui.components.compare_filters import channel_label, month_span

Version = tuple[object, ...]


@st.cache_data(show_spinner=False, max_entries=16)
def months(_ctx: AppContext, version: Version, user: User | None) -> list[str]:
    """The months from the user's first to last audit (``YYYY-MM``), gaps filled."""
    frame = service.trends(_ctx, AuditFilter(), level="chain", period="month")
    return month_span([str(period) for period in frame["period"]])


@st.cache_data(show_spinner=False, max_entries=16)
def regions(_ctx: AppContext, version: Version, user: User | None) -> list[str]:
    return sorted({branch.region for branch in list_branches(_ctx)})


@st.cache_data(show_spinner=False, max_entries=32)
def league(
    _ctx: AppContext,
    audit_filter: AuditFilter,
    min_audits: int,
    version: Version,
    user: User | None,
) -> stats.LeagueTable:
    return service.league_table(_ctx, audit_filter, min_audits=min_audits)


@st.cache_data(show_spinner=False, max_entries=16)
def heatmap(
    _ctx: AppContext, audit_filter: AuditFilter, version: Version, user: User | None
) -> pd.DataFrame:
    return service.section_heatmap(_ctx, audit_filter)


@st.cache_data(show_spinner=False, max_entries=16)
def consistency(
    _ctx: AppContext, audit_filter: AuditFilter, items: bool, version: Version, user: User | None
) -> service.Consistency:
    return service.consistency(_ctx, audit_filter, items=items)


@st.cache_data(show_spinner=False, max_entries=16)
def trend(
    _ctx: AppContext,
    audit_filter: AuditFilter,
    period: stats.Period,
    version: Version,
    user: User | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The chain's mean by period with noise flags, and its consistency index by period."""
    means = service.trends(_ctx, audit_filter, level="chain", period=period)
    index = service.consistency_trend(_ctx, audit_filter, period=period)
    return means, index


@st.cache_data(show_spinner=False, max_entries=16)
def auditors(
    _ctx: AppContext, audit_filter: AuditFilter, version: Version, user: User | None
) -> stats.AuditorEffects:
    return service.auditor_effects(_ctx, audit_filter)


@st.cache_data(show_spinner=False, max_entries=4)
def pdf_report(
    _ctx: AppContext,
    audit_filter: AuditFilter,
    min_audits: int,
    version: Version,
    user: User | None,
) -> bytes:
    return comparison_report(_ctx, audit_filter, min_audits)


def csv_bytes(ctx: AppContext, audit_filter: AuditFilter, min_audits: int) -> bytes:
    """The league table as CSV: what the CSV download button builds when clicked."""
    return service.comparison_csv(service.compare(ctx, audit_filter, min_audits=min_audits))


def workbook_bytes(ctx: AppContext, audit_filter: AuditFilter, min_audits: int) -> bytes:
    """The league table and its summary as .xlsx: what the Excel download button builds."""
    return service.comparison_workbook(service.compare(ctx, audit_filter, min_audits=min_audits))


@st.cache_data(show_spinner=False, max_entries=8)
def widen_hints(
    _ctx: AppContext, audit_filter: AuditFilter, version: Version, user: User | None
) -> list[str]:
    """For an empty selection: which single filter, dropped, would bring audits back."""
    checklists = {c.id: c.title_in() for c in _ctx.catalogue.latest()}
    candidates = [
        (
            "checklist",
            checklists.get(audit_filter.checklist_id or "", audit_filter.checklist_id),
            replace(audit_filter, checklist_id=None),
        ),
        ("region", audit_filter.region, replace(audit_filter, region=None)),
        (
            "channel",
            audit_filter.channel and channel_label(audit_filter.channel),
            replace(audit_filter, channel=None),
        ),
        (
            "period",
            audit_filter.date_from and f"{audit_filter.date_from} to {audit_filter.date_to}",
            replace(audit_filter, date_from=None, date_to=None),
        ),
    ]
    hints = []
    for name, value, wider in candidates:
        if not value:
            continue
        audits = sum(row.audits for row in service.league_table(_ctx, wider).rows)
        if audits:
            hints.append(f"widening the {name} (now {value}) brings back {audits:,} audits")
    return hints


def standard_labels(ctx: AppContext) -> dict[tuple[str, str], str]:
    """(checklist id, section or item id) -> its title or text, the newest version winning."""
    labels: dict[tuple[str, str], str] = {}
    for checklist in sorted(ctx.catalogue, key=lambda c: (c.id, c.version)):
        for section in checklist.sections:
            labels[(checklist.id, section.id)] = localized(
                section.title, checklist.language, section.id
            )
            for item in section.items:
                labels[(checklist.id, item.id)] = localized(item.text, checklist.language, item.id)
    return labels


def checklist_titles(ctx: AppContext) -> dict[str, str]:
    return {c.id: c.title_in() for c in ctx.catalogue.latest()}
