"""Changing a plan by hand: one visit to another day and/or auditor (checked like the
planner's own choices), publishing a draft after a confirmation, deleting a draft."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from audit_app.domain.labels import plan_problem_label
from audit_app.domain.plans import PlanProblem
from audit_app.i18n import _, formats, ngettext
from audit_app.services import plans as service
from audit_app.services.context import AppContext
from audit_app.services.plans import AuditorChoice, PlanSlot, PlanView
from audit_app.ui.components.plan_slots import slot_label
from audit_app.ui.components.refusals import attempt, refusal_shown

KEY = "plan_adjust"
FLASH = "plans_flash"
CONFIRM = "plans_confirm"
UNASSIGNED = 0
"""The auditor picker's "no auditor" (auditor ids start at 1)."""


def auditor_option(choice: AuditorChoice) -> str:
    """An auditor in the picker: the name, and for one who may not go, why not."""
    if choice.allowed:
        return choice.name
    return _("{name} (not possible: {reason})").format(name=choice.name, reason=_problem(choice))


def _problem(choice: AuditorChoice) -> str:
    """Why this one auditor may not go (the planner's labels say why nobody could)."""
    words = {
        PlanProblem.OUT_OF_AREA: _("does not visit this area"),
        PlanProblem.OWN_MANAGER: _("the branch's own manager, on a mystery shop"),
        PlanProblem.LOCKOUT: _("at this branch too recently or too soon"),
        PlanProblem.OUTSIDE_PERIOD: _("the day is outside the plan's period"),
    }
    if choice.problem is not None and choice.problem in words:
        return words[choice.problem]
    return plan_problem_label(choice.problem)


def move_one_visit(ctx: AppContext, plan: PlanView, slots: Sequence[PlanSlot]) -> None:
    """Pick a visit still to make, change its day and/or auditor, save it."""
    st.subheader(_("Move a visit"))
    movable = [s for s in slots if not s.filled]
    if not movable:
        if any(not s.filled for s in plan.slots):
            st.caption(
                _("Every visit shown was made: widen the filters to move one still to make.")
            )
        else:
            st.caption(_("Every visit shown was made: a visit made stays as it is."))
        return
    by_id = {s.id: s for s in movable}
    picked = st.selectbox(
        _("Visit"),
        list(by_id),
        format_func=lambda i: slot_label(by_id[i]),
        key=f"{KEY}_slot",
    )
    slot = by_id[picked]
    day = st.date_input(
        _("Planned day"),
        value=slot.planned_on,
        min_value=plan.starts_on,
        max_value=plan.ends_on,
        key=f"{KEY}_day_{slot.id}",
    )
    choices = attempt(lambda: service.auditor_choices(ctx, slot.id, planned_on=day))
    if choices is None:
        return
    names = {c.auditor_id: auditor_option(c) for c in choices}
    options = [UNASSIGNED, *names]
    current = slot.auditor_id if slot.auditor_id in names else UNASSIGNED
    who = st.selectbox(
        _("Auditor"),
        options,
        index=options.index(current),
        format_func=lambda i: names.get(i, _("No auditor")),
        help=_("Those who may go come first; for the others the list says why not."),
        key=f"{KEY}_auditor_{slot.id}",
    )
    if not st.button(_("Save the visit"), icon=":material/save:", key=f"{KEY}_save"):
        return
    moved = attempt(
        lambda: service.move_visit(
            ctx,
            slot.id,
            planned_on=day,
            auditor_id=who or None,
            unassign=who == UNASSIGNED,
        )
    )
    if moved is None:
        return
    st.session_state[FLASH] = _("Visit saved: {visit}.").format(visit=slot_label(moved))
    st.rerun()


def publish_or_delete(ctx: AppContext, plan: PlanView) -> None:
    """A draft's two ends: publish it (once confirmed) or delete it (once confirmed)."""
    if plan.status != "draft":
        return
    st.subheader(_("Publish or delete the draft"))
    asked = st.session_state.get(CONFIRM)
    columns = st.columns(2)
    if columns[0].button(
        _("Publish"), type="primary", icon=":material/publish:", key=f"{KEY}_publish"
    ):
        st.session_state[CONFIRM] = asked = ("publish", plan.id)
    if columns[1].button(_("Delete the draft"), icon=":material/delete:", key=f"{KEY}_delete"):
        st.session_state[CONFIRM] = asked = ("delete", plan.id)
    if asked == ("publish", plan.id):
        st.warning(
            _(
                "Once published, the plan's visits count: visits already made in its period "
                "fill its slots now, and visits submitted later fill them as they come. A "
                "published plan cannot be deleted."
            ),
            icon=":material/warning:",
        )
        if st.button(_("Yes, publish the plan"), type="primary", key=f"{KEY}_publish_yes"):
            st.session_state.pop(CONFIRM, None)
            filled = attempt(lambda: service.publish_plan(ctx, plan.id))
            if filled is not None:
                st.session_state[FLASH] = ngettext(
                    "Plan published; {n} visit already made filled its slot.",
                    "Plan published; {n} visits already made filled their slots.",
                    filled,
                ).format(n=formats.integer(filled))
                st.rerun()
    elif asked == ("delete", plan.id):
        st.warning(
            _("The draft and its planned visits are deleted; this cannot be undone."),
            icon=":material/warning:",
        )
        if st.button(_("Yes, delete the draft"), type="primary", key=f"{KEY}_delete_yes"):
            st.session_state.pop(CONFIRM, None)
            with refusal_shown() as refused:
                service.delete_draft(ctx, plan.id)
            if not refused:
                st.session_state[FLASH] = _("Draft {name} deleted.").format(name=plan.name)
                st.query_params.pop("plan", None)
                st.rerun()
