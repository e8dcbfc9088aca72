"""The audit filter widgets shared by the pages."""

from __future__ import annotations

import streamlit as st

from audit_app.domain.filters import AuditFilter
from audit_app.i18n import _
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext

ALL = "All"


def audit_filter_sidebar(ctx: AppContext) -> AuditFilter:
    """Checklist and region pickers in the sidebar."""
    checklists = {c.id: c.title_in() for c in ctx.catalogue.latest()}
    regions = sorted({branch.region for branch in list_branches(ctx)})
    with st.sidebar:
        st.subheader(_("Filter"))
        checklist = st.selectbox(
            _("Checklist"),
            [ALL, *checklists],
            format_func=lambda key: _("All checklists") if key == ALL else checklists[key],
        )
        region = st.selectbox(
            _("Region"),
            [ALL, *regions],
            format_func=lambda key: _("All regions") if key == ALL else key,
        )
    return AuditFilter(
        checklist_id=None if checklist == ALL else checklist,
        region=None if region == ALL else region,
    )
