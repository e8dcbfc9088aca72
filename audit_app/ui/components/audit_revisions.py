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
from audit_app.ui.components.refusals import attempt, refusal_shown


def revisions_section(
    ctx: AppContext, audit_id: int, checklist: Checklist, language: str
) -> pd.DataFrame | None:
    """Draw the history and, for users allowed, the correction form; returns the answers
    table as edited there (None without the form), which an upheld appeal applies."""
    st.subheader("Revisions")
    history = attempt(lambda: audit_history(ctx, audit_id))
    if history is None:
        return None
    if _flash(audit_id):
        st.success(_flash(audit_id, pop=True))
    if not history:
        st.info("This audit has no sealed revision yet.")
        return None
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "revision": r.revision,
                    "when (UTC)": f"{r.created_at:%Y-%m-%d %H:%M}",
                    "by": r.created_by or "—",
                    "reason": r.reason or ("first submission" if r.revision == 1 else "—"),
                    "overall": display(r.overall),
                    "current": r.current,
                }
                for r in history
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    for revision in history:
        if revision.current:
            continue
        label = (
            f"Revision {revision.revision} · {revision.created_at:%Y-%m-%d %H:%M} · "
            f"{revision.created_by or '—'} · overall {_score(revision)}"
        )
        with st.expander(markdown_text(label)):
            scores = revision.card.item_scores if revision.card is not None else None
            answers_tables(checklist, revision.answers, scores, language)
    return _correction(ctx, audit_id, checklist, history[-1], language)


def _score(revision: Revision) -> str:
    value = display(revision.overall)
    return "—" if value is None else f"{value:.1f}"


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
            st.caption(markdown_text(f"Corrections: {why_not}."))
        return None
    generation = _generation(audit_id)
    with st.expander("Correct this audit", icon=":material/edit:"):
        st.caption(
            "A correction never edits the audit in place: it makes a new revision with your "
            "name, the time and the reason; the earlier answers stay readable above."
        )
        edited = st.data_editor(
            _editor_frame(checklist, current, language),
            hide_index=True,
            width="stretch",
            disabled=["item", "question"],
            key=f"trail_editor_{audit_id}_{generation}",
        )
        reason = st.text_area(
            "Reason (required)", key=f"trail_reason_{audit_id}_{generation}", max_chars=2000
        )
        if st.button("Save the correction", key=f"trail_save_{audit_id}", type="primary"):
            made = attempt(
                lambda: revise_audit(ctx, audit_id, edited_answers(checklist, edited), reason)
            )
            if made is not None:
                st.session_state[f"trail_generation_{audit_id}"] = generation + 1
                st.session_state[f"trail_flash_{audit_id}"] = (
                    f"Saved as revision {made.revision} (overall {_score(made)})."
                )
                st.rerun()
    return edited


def appeals_section(
    ctx: AppContext, audit_id: int, checklist: Checklist, edited: pd.DataFrame | None = None
) -> None:
    """The appeals, a form to record one, and (head office) to resolve the open one."""
    st.subheader("Appeals")
    appeals = attempt(lambda: list_appeals(ctx, audit_id))
    if appeals is None:
        return
    if appeals:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "appeal": a.appeal_id,
                        "raised": f"{a.raised_at:%Y-%m-%d}",
                        "by": a.raised_by or "—",
                        "reason": a.reason,
                        "status": a.status,
                        "resolution": a.resolution or "—",
                        "revision": a.revision,
                    }
                    for a in appeals
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.caption("No appeals against this audit.")
    user = ctx.user
    if user is None or not user.can_write:
        return
    open_ = [a for a in appeals if a.status == "open"]
    if not open_:
        with st.form(f"appeal_form_{audit_id}", clear_on_submit=True):
            reason = st.text_area("The branch's appeal (what it disputes and why)")
            if st.form_submit_button("Record the appeal"):
                with refusal_shown():
                    raise_appeal(ctx, audit_id, reason)
                    st.rerun()
    elif user.role == Role.HEAD_OFFICE:
        appeal = open_[0]
        with st.form(f"resolve_form_{audit_id}"):
            st.markdown(f"**Resolve appeal #{appeal.appeal_id}:** {markdown_text(appeal.reason)}")
            decision = st.radio(
                "Decision",
                ["Rejected", "Upheld"],
                horizontal=True,
                help="Upheld makes a revision with the answers as edited under 'Correct "
                "this audit' (unchanged if you edited nothing); rejected keeps the reason.",
            )
            resolution = st.text_area("Resolution (required)")
            if st.form_submit_button("Resolve"):
                upheld = decision == "Upheld"
                with refusal_shown():
                    answers = (
                        edited_answers(checklist, edited) if upheld and edited is not None else None
                    )
                    resolve_appeal(ctx, appeal.appeal_id, upheld, resolution, answers)
                    st.rerun()
    else:
        st.caption(f"Appeal #{open_[0].appeal_id} is open: head office resolves it.")
