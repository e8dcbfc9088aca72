"""The audit filter widgets shared by the pages."""

from __future__ import annotations

import streamlit as st

from audit_app.domain.filters import AuditFilter
from audit_app.i18n import _
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext


def audit_filter_sidebar(ctx: AppContext) -> AuditFilter:
    """Checklist and region pickers in the sidebar.

    The options are the words shown (no ``format_func``): AppTest formats a widget's value
    outside the session, in English, so a translated ``format_func`` breaks its reruns."""
    checklists = {c.title_in(): c.id for c in ctx.catalogue.latest()}
    regions = sorted({branch.region for branch in list_branches(ctx)})
    every_checklist, every_region = _("All checklists"), _("All regions")
    with st.sidebar:
        st.subheader(_("Filter"))
        checklist = st.selectbox(_("Checklist"), [every_checklist, *checklists])
        region = st.selectbox(_("Region"), [every_region, *regions])
    return AuditFilter(
        checklist_id=checklists.get(checklist) if checklist != every_checklist else None,
        region=None if region == every_region else region,
    )
