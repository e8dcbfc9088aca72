"""The Compare page's service calls, cached per filter, data version and user.

Every function takes the context as ``_ctx`` (not hashed) and the data version and the
user as plain arguments, so an entry is forgotten after any write and two users never
share one. The services below already narrow every result to the user's areas.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from audit_app.domain.checklist import localized
from audit_app.domain.compare import ComparisonRequest, ComparisonResult
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
    first, last = service.visit_span(_ctx)
    if first is None or last is None:
        return []
    return month_span([f"{first:%Y-%m}", f"{last:%Y-%m}"])


@st.cache_data(show_spinner=False, max_entries=16)
def regions(_ctx: AppContext, version: Version, user: User | None) -> list[str]:
    return sorted({branch.region for branch in list_branches(_ctx)})


@st.cache_data(show_spinner=False, max_entries=16)
def branch_count(_ctx: AppContext, version: Version, user: User | None) -> int:
    """How many branches the user may see: whether item sums are cheap enough to be on."""
    return len(list_branches(_ctx))


@st.cache_data(show_spinner=False, max_entries=32)
def comparison(
    _ctx: AppContext, request: ComparisonRequest, version: Version, user: User | None
) -> ComparisonResult:
    """The one comparison of a request: every tab, download and the PDF render it. The
    one cache of comparisons, keyed by the request, the data version and the user."""
    return service.comparison(_ctx, request)


@st.cache_data(show_spinner=False, max_entries=4)
def pdf_report(
    _ctx: AppContext, request: ComparisonRequest, version: Version, user: User | None
) -> bytes:
    """The PDF of the cached comparison (rendering only, plus the overdue actions)."""
    return comparison_report(_ctx, result=comparison(_ctx, request, version, user))


def csv_bytes(result: ComparisonResult) -> bytes:
    """The league table as CSV: what the CSV download button builds when clicked."""
    return service.comparison_csv(service.Comparison(result, "branch"))


def workbook_bytes(result: ComparisonResult) -> bytes:
    """The league table and its summary as .xlsx: what the Excel download button builds."""
    return service.comparison_workbook(service.Comparison(result, "branch"))


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
