"""The Audit page's trail: its revisions (each readable), a correction form for those allowed,
and the branch's appeals. Corrections never edit in place: the services make a revision."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.answers import encode_value, parse_answer, question
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import display
from audit_app.domain.users import Role
from audit_app.i18n import N_, _, formats
from audit_app.services.context import AppContext
from audit_app.services.revisions import (
    Revision,
    audit_history,
    can_revise,
    list_appeals,
    raise_appeal,
    resolve_appeal,
    revise_audit,
)
from audit_app.ui.components.audit_answers import answers_tables
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.refusals import attempt, refusal_shown

APPEAL_STATUSES = {"open": N_("Open"), "upheld": N_("Upheld"), "rejected": N_("Rejected")}


def appeal_status_label(status: str) -> str:
    word = APPEAL_STATUSES.get(status)
    return _(word) if word is not None else status


def revisions_section(
    ctx: AppContext, audit_id: int, checklist: Checklist, language: str
) -> pd.DataFrame | None:
    """Draw the history and, for users allowed, the correction form; returns the answers
    table as edited there (None without the form), which an upheld appeal applies."""
    st.subheader(_("Revisions"))
    history = attempt(lambda: audit_history(ctx, audit_id))
    if history is None:
        return None
    if _flash(audit_id):
        st.success(_flash(audit_id, pop=True))
    if not history:
        st.info(_("This audit has no sealed revision yet."))
        return None
    data_table(
        pd.DataFrame(
            [
                {
                    "revision": r.revision,
                    "when": f"{r.created_at:%Y-%m-%d %H:%M}",
                    "by": r.created_by or "—",
                    "reason": r.reason or (_("first submission") if r.revision == 1 else "—"),
                    "overall": display(r.overall),
                    "current": r.current,
                }
                for r in history
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "revision": st.column_config.NumberColumn(_("Revision"), format="%d"),
            "when": st.column_config.TextColumn(_("When (UTC)")),
            "by": st.column_config.TextColumn(_("By")),
            "reason": st.column_config.TextColumn(_("Reason"), width="large"),
            "overall": st.column_config.NumberColumn(_("Overall"), format="%.1f"),
            "current": st.column_config.CheckboxColumn(_("Current")),
        },
    )
    for revision in history:
        if revision.current:
            continue
        label = _("Revision {number} · {when} · {by} · overall {score}").format(
            number=revision.revision,
            when=f"{revision.created_at:%Y-%m-%d %H:%M}",
            by=revision.created_by or "—",
            score=_score(revision),
        )
        with st.expander(markdown_text(label)):
            scores = revision.card.item_scores if revision.card is not None else None
            answers_tables(checklist, revision.answers, scores, language)
    return _correction(ctx, audit_id, checklist, history[-1], language)


def _score(revision: Revision) -> str:
    return formats.decimal(display(revision.overall), 1)


def _flash(audit_id: int, *, pop: bool = False) -> str | None:
    key = f"trail_flash_{audit_id}"
    return st.session_state.pop(key, None) if pop else st.session_state.get(key)


def _generation(audit_id: int) -> int:
    return int(st.session_state.get(f"trail_generation_{audit_id}", 0))


def _editor_frame(checklist: Checklist, current: Revision, language: str) -> pd.DataFrame:
    rows = []
    for item in checklist.items:
        answer = current.answers.get(item.id)
        value = None if answer is None else ("N/A" if answer.na else encode_value(answer))
        rows.append(
            {
                "item": item.id,
                "question": question(item, language),
                "value": value,
                "comment": None if answer is None else answer.comment,
            }
        )
    return pd.DataFrame(rows)


def edited_answers(checklist: Checklist, frame: pd.DataFrame) -> list[Answer]:
    """The editor's rows as answers; raises InvalidAnswer for the first bad cell."""
    items = checklist.items_by_id
    answers = []
    for row in frame.to_dict("records"):
        raw = row.get("value")
        comment = row.get("comment")
        raw = None if raw is None or (isinstance(raw, float) and pd.isna(raw)) else raw
        comment = None if comment is None or pd.isna(comment) else str(comment)
        answer = parse_answer(items[row["item"]], raw, comment=comment)
        if answer.answered or answer.comment:
            answers.append(answer)
    return answers


def _correction(
    ctx: AppContext, audit_id: int, checklist: Checklist, current: Revision, language: str
) -> pd.DataFrame | None:
    why_not = can_revise(ctx, audit_id)
    if why_not is not None:
        if ctx.user is not None and ctx.user.can_write:
            st.caption(markdown_text(_("Corrections: {reason}.").format(reason=why_not)))
        return None
    generation = _generation(audit_id)
    with st.expander(_("Correct this audit"), icon=":material/edit:"):
        st.caption(
            _(
                "A correction never edits the audit in place: it makes a new revision with "
                "your name, the time and the reason; the earlier answers stay readable above. "
                "Type N/A where the item allows it."
            )
        )
        edited = st.data_editor(
            _editor_frame(checklist, current, language),
            hide_index=True,
            width="stretch",
            disabled=["item", "question"],
            column_order=["question", "value", "comment"],
            column_config={
                "question": st.column_config.TextColumn(_("Question"), width="large"),
                "value": st.column_config.TextColumn(_("Answer")),
                "comment": st.column_config.TextColumn(_("Comment")),
            },
            key=f"trail_editor_{audit_id}_{generation}",
        )
        reason = st.text_area(
            _("Reason (required)"), key=f"trail_reason_{audit_id}_{generation}", max_chars=2000
        )
        if st.button(_("Save the correction"), key=f"trail_save_{audit_id}", type="primary"):
            made = attempt(
                lambda: revise_audit(ctx, audit_id, edited_answers(checklist, edited), reason)
            )
            if made is not None:
                st.session_state[f"trail_generation_{audit_id}"] = generation + 1
                st.session_state[f"trail_flash_{audit_id}"] = _(
                    "Saved as revision {number} (overall {score})."
                ).format(number=made.revision, score=_score(made))
                st.rerun()
    return edited


def appeals_section(
    ctx: AppContext, audit_id: int, checklist: Checklist, edited: pd.DataFrame | None = None
) -> None:
    """The appeals, a form to record one, and (head office) to resolve the open one."""
    st.subheader(_("Appeals"))
    appeals = attempt(lambda: list_appeals(ctx, audit_id))
    if appeals is None:
        return
    if appeals:
        data_table(
            pd.DataFrame(
                [
                    {
                        "appeal": a.appeal_id,
                        "raised": f"{a.raised_at:%Y-%m-%d}",
                        "by": a.raised_by or "—",
                        "reason": a.reason,
                        "status": appeal_status_label(a.status),
                        "resolution": a.resolution or "—",
                        "revision": a.revision,
                    }
                    for a in appeals
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "appeal": st.column_config.NumberColumn("#", format="%d"),
                "raised": st.column_config.TextColumn(_("Raised")),
                "by": st.column_config.TextColumn(_("By")),
                "reason": st.column_config.TextColumn(_("Reason"), width="large"),
                "status": st.column_config.TextColumn(_("Status")),
                "resolution": st.column_config.TextColumn(_("Resolution"), width="large"),
                "revision": st.column_config.NumberColumn(_("Revision"), format="%d"),
            },
        )
    else:
        st.caption(_("No appeals against this audit."))
    user = ctx.user
    if user is None or not user.can_write:
        return
    open_ = [a for a in appeals if a.status == "open"]
    if not open_:
        with st.form(f"appeal_form_{audit_id}", clear_on_submit=True):
            reason = st.text_area(_("The branch's appeal (what it disputes and why)"))
            if st.form_submit_button(_("Record the appeal")):
                with refusal_shown():
                    raise_appeal(ctx, audit_id, reason)
                    st.rerun()
    elif user.role == Role.HEAD_OFFICE:
        appeal = open_[0]
        with st.form(f"resolve_form_{audit_id}"):
            st.markdown(
                _("**Resolve appeal #{number}:** {reason}").format(
                    number=appeal.appeal_id, reason=markdown_text(appeal.reason)
                )
            )
            rejected, upheld_word = _("Rejected"), _("Upheld")
            decision = st.radio(
                _("Decision"),
                [rejected, upheld_word],
                horizontal=True,
                help=_(
                    "Upheld makes a revision with the answers as edited under 'Correct this "
                    "audit' (unchanged if you edited nothing); rejected keeps the reason."
                ),
            )
            resolution = st.text_area(_("Resolution (required)"))
            if st.form_submit_button(_("Resolve")):
                upheld = decision == upheld_word
                with refusal_shown():
                    answers = (
                        edited_answers(checklist, edited) if upheld and edited is not None else None
                    )
                    resolve_appeal(ctx, appeal.appeal_id, upheld, resolution, answers)
                    st.rerun()
    else:
        st.caption(
            _("Appeal #{number} is open: head office resolves it.").format(
                number=open_[0].appeal_id
            )
        )
