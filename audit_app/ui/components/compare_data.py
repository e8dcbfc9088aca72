"""The Compare page's service calls, cached per filter, data version and scope.

Every function takes the context as ``_ctx`` (not hashed) and the data version and the
user's scope (``cache_scope``: role and areas) as plain arguments, so an entry is forgotten
after any write, every session of one scope shares it, and two scopes never share one. The
services below narrow every result to the acting user's areas.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import streamlit as st

from audit_app.domain.checklist import localized
from audit_app.domain.compare import ComparisonRequest, ComparisonResult
from audit_app.domain.evidence import EvidenceCount
from audit_app.domain.filters import AuditFilter
from audit_app.domain.labels import channel_label
from audit_app.i18n import _, current_language, formats, ngettext, use_language
from audit_app.services import compare as service
from audit_app.services.access import scoped
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.report_compare import comparison_report
from audit_app.ui.components.cache_scope import Scope
from audit_app.ui.components.compare_filters import month_span

Version = tuple[object, ...]


@st.cache_data(show_spinner=False, max_entries=16)
def months(_ctx: AppContext, version: Version, scope: Scope) -> list[str]:
    """The months from the scope's first to last audit (``YYYY-MM``), gaps filled."""
    first, last = service.visit_span(_ctx)
    if first is None or last is None:
        return []
    return month_span([f"{first:%Y-%m}", f"{last:%Y-%m}"])


@st.cache_data(show_spinner=False, max_entries=16)
def regions(_ctx: AppContext, version: Version, scope: Scope) -> list[str]:
    return sorted({branch.region for branch in list_branches(_ctx)})


@st.cache_data(show_spinner=False, max_entries=16)
def branch_count(_ctx: AppContext, version: Version, scope: Scope) -> int:
    """How many branches the scope holds: whether item sums are cheap enough to be on."""
    return len(list_branches(_ctx))


def comparison(
    ctx: AppContext, request: ComparisonRequest, version: Version, scope: Scope
) -> ComparisonResult:
    """The one comparison of a request in the current language: every tab, download and the
    PDF render it. Cached under the request as the result carries it (narrowed to the
    user's areas), so the PDF, which has only the result's, finds it too."""
    request = request.scoped(scoped(ctx, request.audit_filter))
    return _comparison(ctx, request, version, scope, current_language())


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison(
    _ctx: AppContext,
    request: ComparisonRequest,
    version: Version,
    scope: Scope,
    language: str,
) -> ComparisonResult:
    """The one cache of comparisons, keyed by the request, the data version, the scope and the
    language (its notices and methods are sentences in that language).

    A request with items completes the same request without them, which the page has
    usually shown already: turning "Include items" on computes only the items."""
    with use_language(language):
        if request.items:
            shown = _comparison(_ctx, replace(request, items=False), version, scope, language)
            return service.with_items(_ctx, shown, version)
        return service.comparison(_ctx, request, version)


def with_auditors(
    ctx: AppContext, result: ComparisonResult, version: Version, scope: Scope
) -> ComparisonResult:
    """The result with its auditors' leniency and calibration pairs, computed now if its
    request left them out: only the Auditors tab and the PDF show them."""
    return _completed(ctx, result, version, scope, current_language())


def _completed(
    ctx: AppContext, result: ComparisonResult, version: Version, scope: Scope, language: str
) -> ComparisonResult:
    if result.request.auditors or result.empty:
        return result
    return _with_auditors(ctx, result.request, version, scope, language)


@st.cache_data(show_spinner=False, max_entries=8)
def _with_auditors(
    _ctx: AppContext,
    request: ComparisonRequest,
    version: Version,
    scope: Scope,
    language: str,
) -> ComparisonResult:
    """Keyed like :func:`_comparison`, whose result it completes."""
    with use_language(language):
        result = _comparison(_ctx, request, version, scope, language)
        return service.with_auditors(_ctx, result, version)


def with_evidence(
    ctx: AppContext, result: ComparisonResult, version: Version, scope: Scope
) -> ComparisonResult:
    """The result with its failure evidence, read now if its request left it out: the page
    asks for the comparison without it and only the views that show it pay for it."""
    if result.request.evidence or result.empty:
        return result
    request = result.request
    evidence = _evidence(ctx, request.audit_filter, request.include_closed, version, scope)
    return replace(result, evidence=evidence)


@st.cache_data(show_spinner=False, max_entries=16)
def _evidence(
    _ctx: AppContext,
    audit_filter: AuditFilter,
    include_closed: bool,
    version: Version,
    scope: Scope,
) -> Mapping[tuple[str, str], EvidenceCount]:
    """Keyed by what the evidence depends on: a change of period or target reuses it. The
    service keeps it too, under the data version, where the server's read-ahead put it."""
    request = ComparisonRequest(audit_filter, include_closed=include_closed)
    return service.comparison_evidence(_ctx, request, version)


def pdf_report(
    ctx: AppContext, request: ComparisonRequest, version: Version, actions: Version, scope: Scope
) -> bytes:
    """The PDF of the cached comparison, in the current language. ``version`` is the
    comparison's; ``actions`` the actions' version and the day, for its overdue actions."""
    return _pdf_report(ctx, request, version, actions, scope, current_language())


@st.cache_data(show_spinner=False, max_entries=4)
def _pdf_report(
    _ctx: AppContext,
    request: ComparisonRequest,
    version: Version,
    actions: Version,
    scope: Scope,
    language: str,
) -> bytes:
    """The PDF of the cached comparison (rendering only, plus the overdue actions)."""
    computed = _comparison(_ctx, request, version, scope, language)
    # the report shows the auditors' tables and the failure evidence
    completed = _completed(_ctx, computed, version, scope, language)
    result = with_evidence(_ctx, completed, version, scope)
    with use_language(language):
        return comparison_report(_ctx, result=result)


def csv_bytes(result: ComparisonResult) -> bytes:
    """The league table as CSV: what the CSV download button builds when clicked."""
    return service.comparison_csv(service.Comparison(result, "branch"))


def workbook_bytes(result: ComparisonResult) -> bytes:
    """The league table and its summary as .xlsx: what the Excel download button builds."""
    return service.comparison_workbook(service.Comparison(result, "branch"))


@st.cache_data(show_spinner=False, max_entries=8)
def widen_hints(
    _ctx: AppContext, audit_filter: AuditFilter, version: Version, scope: Scope, language: str
) -> list[str]:
    """For an empty selection: which single filter, dropped, would bring audits back (one
    sentence each, in ``language``)."""
    f = audit_filter
    period = (
        f.date_from
        and f.date_to
        and _("{first} to {last}").format(
            first=formats.date(f.date_from), last=formats.date(f.date_to)
        )
    )
    candidates = [
        (
            checklist_titles(_ctx).get(f.checklist_id or "", f.checklist_id),
            replace(f, checklist_id=None),
            lambda n: ngettext(
                "Widening the checklist (now {value}) brings back {audits} audit.",
                "Widening the checklist (now {value}) brings back {audits} audits.",
                n,
            ),
        ),
        (
            f.region,
            replace(f, region=None),
            lambda n: ngettext(
                "Widening the region (now {value}) brings back {audits} audit.",
                "Widening the region (now {value}) brings back {audits} audits.",
                n,
            ),
        ),
        (
            f.channel and channel_label(f.channel),
            replace(f, channel=None),
            lambda n: ngettext(
                "Widening the channel (now {value}) brings back {audits} audit.",
                "Widening the channel (now {value}) brings back {audits} audits.",
                n,
            ),
        ),
        (
            period,
            replace(f, date_from=None, date_to=None),
            lambda n: ngettext(
                "Widening the period (now {value}) brings back {audits} audit.",
                "Widening the period (now {value}) brings back {audits} audits.",
                n,
            ),
        ),
    ]
    hints = []
    for value, wider, sentence in candidates:
        if not value:
            continue
        audits = service.audit_count(_ctx, wider)
        if audits:
            hints.append(sentence(audits).format(value=value, audits=formats.integer(audits)))
    return hints


def standard_labels(ctx: AppContext) -> dict[tuple[str, str], str]:
    """(checklist id, section or item id) -> its title or text in the session's language
    (when the checklist has it), the newest version winning."""
    language = current_language()
    labels: dict[tuple[str, str], str] = {}
    for checklist in sorted(ctx.catalogue, key=lambda c: (c.id, c.version)):
        for section in checklist.sections:
            title = localized(section.title, language, checklist.language)
            labels[(checklist.id, section.id)] = title or section.id
            for item in section.items:
                text = localized(item.text, language, checklist.language)
                labels[(checklist.id, item.id)] = text or item.id
    return labels


def checklist_titles(ctx: AppContext) -> dict[str, str]:
    """Checklist id -> its title, in the session's language when the checklist has it."""
    language = current_language()
    return {c.id: c.title_in(language) for c in ctx.catalogue.latest()}
