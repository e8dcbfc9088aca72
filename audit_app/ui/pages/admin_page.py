"""Admin (head office only): the branch list, the users who may log in, the auditors who
make visits, and the activity log (who logged in, submitted, imported and corrected).

The menu hides this page from other roles; the page refuses them too, and the services
refuse their writes a third time.
"""

from __future__ import annotations

import streamlit as st

from audit_app.domain.users import Role
from audit_app.i18n import _
from audit_app.ui.components.admin_activity import activity_tab
from audit_app.ui.components.admin_auditors import auditors_tab
from audit_app.ui.components.admin_branches import branches_tab
from audit_app.ui.components.admin_users import users_tab
from audit_app.ui.components.session import user_context


def render() -> None:
    ctx = user_context()
    st.title(_("Admin"))
    if ctx.user is None or ctx.user.role != Role.HEAD_OFFICE:
        st.error(
            _(
                "Only head office can manage branches and users. Ask head office if a branch "
                "or an account needs changing."
            ),
            icon=":material/lock:",
        )
        return
    branches, users, auditors, activity = st.tabs(
        [_("Branches"), _("Users"), _("Auditors"), _("Activity")]
    )
    with branches:
        branches_tab(ctx)
    with users:
        users_tab(ctx)
    with auditors:
        auditors_tab(ctx)
    with activity:
        activity_tab(ctx)


render()
