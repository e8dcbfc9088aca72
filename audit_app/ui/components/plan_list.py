"""The visit plans a user may see, newest period first, each a link that opens it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.labels import plan_status_label
from audit_app.i18n import _, formats, pgettext
from audit_app.services.plans import PlanSummary
from audit_app.ui.components.data_table import data_table


def plan_list(plans: list[PlanSummary], titles: dict[str, str]) -> None:
    """A table of ``plans`` (checklist titles from ``titles``, by checklist id)."""
    st.subheader(_("Visit plans"))
    if not plans:
        st.info(
            _(
                "No visit plans yet: draft one below. A plan says which branch gets which "
                "visits in a period, and by whom."
            ),
            icon=":material/event_note:",
        )
        return
    frame = pd.DataFrame(
        [
            {
                "name": plan.name,
                "checklist": titles.get(plan.checklist_id, plan.checklist_id),
                "period": _("{start} to {end}").format(
                    start=formats.date(plan.starts_on), end=formats.date(plan.ends_on)
                ),
                "status": plan_status_label(plan.status),
                "visits": plan.visits,
                "filled": plan.filled,
                "unassigned": plan.unassigned,
                "open": f"plans?plan={plan.id}",
            }
            for plan in plans
        ]
    )
    data_table(
        frame,
        hide_index=True,
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(_("Plan"), width="medium"),
            "checklist": st.column_config.TextColumn(_("Checklist")),
            "period": st.column_config.TextColumn(_("Period")),
            "status": st.column_config.TextColumn(_("Status"), width=95),
            "visits": st.column_config.NumberColumn(_("Visits"), width=70),
            "filled": st.column_config.NumberColumn(_("Made"), width=70),
            "unassigned": st.column_config.NumberColumn(_("No auditor"), width=90),
            "open": st.column_config.LinkColumn(
                _("Details"),
                display_text=pgettext("a link that opens a visit plan", "Open"),
                width=70,
            ),
        },
    )
