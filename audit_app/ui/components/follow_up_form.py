"""The follow-up block of the Audit page: a "Start follow-up" button on an audit with failed
items, opening a form that asks only those items; its Submit stores the follow-up (which
verifies the passed items' actions) and shows the follow-up's own score card. On a
follow-up, the block links back to the audit it re-checked.

The answer widgets are the New visit form's (``visit_form``), drawn for a copy of the
follow-up checklist whose id names the original audit, so its session-state keys never mix
with a visit being entered for the same checklist version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import streamlit as st

from audit_app.domain.audit import AuditKind, AuditRecord, Visit
from audit_app.domain.checklist import Checklist
from audit_app.domain.followups import NothingToFollowUp
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import ScoreCard
from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats, ngettext
from audit_app.services.audits import StoredAudit
from audit_app.services.context import AppContext
from audit_app.services.followups import FollowUpPlan, follow_up_plan, submit_follow_up
from audit_app.ui.components.refusals import show_refusal
from audit_app.ui.components.score_card import score_card
from audit_app.ui.components.visit_form import (
    answer_sections,
    clear_answers,
    linked_summary,
    mark_questions,
    missing_item_ids,
    missing_mark,
    read_answers,
)

OPEN_KEY = "fu.open.{audit_id}"
DONE_KEY = "fu.done.{audit_id}"
ERROR_KEY = "fu.error.{audit_id}"


@dataclass(frozen=True)
class FollowUpDone:
    """The submitted follow-up, kept in the session so the page shows it after the rerun."""

    audit_id: int
    card: ScoreCard
    checklist: Checklist
    verified: int


def form_checklist(plan: FollowUpPlan, audit_id: int) -> Checklist:
    """The follow-up checklist under an id of its own: the widget keys follow the id."""
    return plan.checklist.model_copy(update={"id": f"follow-up-{audit_id}-{plan.checklist.id}"})


def follow_up_block(
    ctx: AppContext, audit_id: int, stored: StoredAudit, language: str | None
) -> None:
    """Everything about follow-ups for this audit; nothing when there is nothing to say."""
    visit = stored.record.visit
    if visit.kind == AuditKind.FOLLOW_UP:
        if visit.follow_up_of is not None:
            st.page_link(
                "pages/audit_page.py",
                label=_("Follow-up of audit #{id}: re-checked its failed items").format(
                    id=visit.follow_up_of
                ),
                query_params={"id": str(visit.follow_up_of)},
                icon=":material/undo:",
            )
        return
    done: FollowUpDone | None = st.session_state.get(DONE_KEY.format(audit_id=audit_id))
    if done is not None:
        _done(done, language)
    if ctx.user is not None and not ctx.user.can_write:
        return
    try:
        plan = follow_up_plan(ctx, audit_id)
    except NothingToFollowUp:
        return
    except AuditAppError as error:
        show_refusal(error)
        return
    open_key = OPEN_KEY.format(audit_id=audit_id)
    if not st.session_state.get(open_key):
        if st.button(
            ngettext(
                "Start follow-up ({n} failed item)",
                "Start follow-up ({n} failed items)",
                len(plan.failed),
            ).format(n=formats.integer(len(plan.failed))),
            icon=":material/fact_check:",
            key=f"fu.start.{audit_id}",
            help=_(
                "Re-check only the items this audit failed; passing them verifies their "
                "corrective actions."
            ),
        ):
            st.session_state[open_key] = True
            st.rerun()
        return
    _form(ctx, audit_id, plan, language)


def _form(ctx: AppContext, audit_id: int, plan: FollowUpPlan, language: str | None) -> None:
    checklist = form_checklist(plan, audit_id)
    with st.container(border=True):
        st.subheader(_("Follow-up of audit #{id}").format(id=audit_id))
        st.caption(
            ngettext(
                "Only the {n} item this audit failed; the follow-up is scored on it alone "
                "and left out of the league table unless included.",
                "Only the {n} items this audit failed; the follow-up is scored on them alone "
                "and left out of the league table unless included.",
                len(plan.failed),
            ).format(n=formats.integer(len(plan.failed)))
        )
        when, at, who = st.columns(3)
        when.date_input(_("Visit date"), value=date.today(), key=f"fu.day.{audit_id}")
        at.time_input(_("Time"), value=time(12, 0), key=f"fu.time.{audit_id}")
        default_auditor = (ctx.user.display_name or ctx.user.username) if ctx.user else ""
        who.text_input(_("Auditor"), value=default_auditor, key=f"fu.who.{audit_id}")
        answer_sections(checklist, language, ctx)  # a follow-up may show the fix in a photo
        error = st.session_state.pop(ERROR_KEY.format(audit_id=audit_id), None)
        if error:
            st.error(error, icon=":material/block:")
        submit, cancel = st.columns([1, 4])
        submit.button(
            _("Submit follow-up"),
            type="primary",
            key=f"fu.submit.{audit_id}",
            on_click=_submit,
            args=(ctx, audit_id, plan, language),
        )
        cancel.button(_("Cancel"), key=f"fu.cancel.{audit_id}", on_click=_close, args=(audit_id,))


def _close(audit_id: int) -> None:
    st.session_state[OPEN_KEY.format(audit_id=audit_id)] = False


def _submit(ctx: AppContext, audit_id: int, plan: FollowUpPlan, language: str | None) -> None:
    """Runs before the rerun (a callback), so the answers can be cleared after a submit."""
    state = st.session_state
    checklist = form_checklist(plan, audit_id)
    read = read_answers(checklist, state, language)
    marks = read.marks()
    for item_id in missing_item_ids(checklist, read.answers):
        marks.setdefault(item_id, missing_mark())
    mark_questions(checklist, state, marks)
    auditor = str(state.get(f"fu.who.{audit_id}") or "").strip()
    lines = []
    if marks:
        lines.append(
            ngettext(
                "Not submitted: {n} question needs an answer (marked in the form):",
                "Not submitted: {n} questions need an answer (marked in the form):",
                len(marks),
            ).format(n=formats.integer(len(marks)))
        )
        lines.append(linked_summary(checklist, marks, language))
    if not auditor:
        lines.append(_("Name the auditor of the follow-up."))
    if lines:
        state[ERROR_KEY.format(audit_id=audit_id)] = "\n\n".join(lines)
        return
    original = plan.original.record.visit
    visit = Visit(
        original.branch_code,
        original.checklist_id,
        original.checklist_version,
        datetime.combine(
            state.get(f"fu.day.{audit_id}") or date.today(),
            state.get(f"fu.time.{audit_id}") or time(12, 0),
        ),
        auditor,
        AuditKind.FOLLOW_UP,
        original.channel,
        original.language,
        audit_id,
    )
    try:
        result = submit_follow_up(ctx, audit_id, AuditRecord(visit, read.answers))
    except AuditAppError as error:
        state[ERROR_KEY.format(audit_id=audit_id)] = markdown_text(error)
        return
    clear_answers(checklist, state)
    mark_questions(checklist, state, {})
    state[OPEN_KEY.format(audit_id=audit_id)] = False
    state[DONE_KEY.format(audit_id=audit_id)] = FollowUpDone(
        result.audit_id, result.card, result.checklist, result.verified
    )


def _done(done: FollowUpDone, language: str | None) -> None:
    with st.container(border=True):
        st.success(
            ngettext(
                "Follow-up #{id} stored; {n} corrective action verified.",
                "Follow-up #{id} stored; {n} corrective actions verified.",
                done.verified,
            ).format(id=done.audit_id, n=formats.integer(done.verified)),
            icon=":material/task_alt:",
        )
        score_card(done.card, done.checklist, language)
        st.page_link(
            "pages/audit_page.py",
            label=_("Open follow-up #{id}").format(id=done.audit_id),
            query_params={"id": str(done.audit_id)},
            icon=":material/open_in_new:",
        )
