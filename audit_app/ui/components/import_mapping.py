"""Layouts we did not design: pick a saved mapping profile, or draft one for a file.

The wizard is the app's face of ``audit-app mapping suggest``: it drafts a profile from the
file's headers, shows every column with what it was taken for, lets the person correct
that, saves the profile under a name and selects it, so the preview runs again with it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _, current_language
from audit_app.services.context import AppContext
from audit_app.services.mappings import (
    SUPPLIED_ROLES,
    Assignment,
    MappingDraft,
    apply_assignments,
    guess_checklist,
    list_mappings,
    mapping_targets,
    roles_to_supply,
    save_mapping,
    suggest_mapping_bytes,
    unassigned_required,
)
from audit_app.ui.components.import_preview import Upload
from audit_app.ui.components.refusals import attempt, refusal_shown

PICKER_KEY = "import_mapping"
PENDING_KEY = "import_mapping_pending"
NOT_USED = N_("— not used —")
OUR_TEMPLATE = ""


def mapping_picker(ctx: AppContext) -> str | None:
    """The profile files are read with; None is our own template or CSV."""
    if PENDING_KEY in st.session_state:  # a profile just saved by the wizard
        st.session_state[PICKER_KEY] = st.session_state.pop(PENDING_KEY)
    saved = attempt(lambda: list_mappings(ctx.settings))
    profiles = {p.name: p for p in saved or []}
    if st.session_state.get(PICKER_KEY) not in (OUR_TEMPLATE, *profiles):
        st.session_state.pop(PICKER_KEY, None)
    chosen = st.selectbox(
        _("Layout of the files"),
        [OUR_TEMPLATE, *profiles],
        format_func=lambda key: (
            _("Our template or CSV (no mapping profile)")
            if key == OUR_TEMPLATE
            else _("Mapping profile: {name} ({checklist})").format(
                name=key, checklist=_checklist_title(ctx, profiles[key].checklist)
            )
        ),
        key=PICKER_KEY,
        help=_(
            "Files in a layout we did not design (an agency's workbook) are read through a "
            "saved mapping profile. Draft one below when a file is not recognised."
        ),
    )
    return chosen or None


def _checklist_title(ctx: AppContext, ref: str) -> str:
    """A profile's checklist (an id, ``id@version`` or a path) by its title, when known."""
    try:
        return ctx.catalogue.resolve(ref).title_in(current_language())
    except (AuditAppError, OSError, ValueError):  # a checklist no longer installed
        return ref


def supplied_values(ctx: AppContext, mapping: str | None) -> dict[str, str] | None:
    """A field per visit value the chosen profile cannot find (no column, constant or
    value from the file): role -> what was typed; None while one is still empty."""
    if mapping is None:
        return {}
    missing = attempt(lambda: roles_to_supply(mapping, ctx.settings)) or []
    values: dict[str, str] = {}
    for role in missing:
        label, hint = SUPPLIED_ROLES[role]
        text = st.text_input(
            _(label),
            key=f"import_supply_{mapping}_{role}",
            placeholder=_(hint),
            help=_(
                "The files have no column for it and the profile gives none: this value "
                "is used for every visit of this import."
            ),
        )
        if text.strip():
            values[role] = text.strip()
    return values if len(values) == len(missing) else None


@st.cache_data(show_spinner=False, max_entries=32)
def _draft(
    name: str, digest: str, checklist: str, language: str, _ctx: AppContext, _data: bytes
) -> MappingDraft:
    return suggest_mapping_bytes(name, _data, checklist, settings=_ctx.settings)


@st.cache_data(show_spinner=False, max_entries=32)
def _guess(name: str, digest: str, _ctx: AppContext, _data: bytes) -> str | None:
    return guess_checklist(name, _data, _ctx.catalogue.latest(), _ctx.settings)


def mapping_wizard(ctx: AppContext, upload: Upload) -> None:
    """Draft, correct and save a mapping profile for one uploaded file."""
    key = f"mapping_{upload.digest[:12]}"
    checklists = {c.id: c for c in ctx.catalogue.latest()}
    guessed = _guess(upload.name, upload.digest, ctx, upload.data)
    checklist_id = st.selectbox(
        _("Checklist the file answers"),
        list(checklists),
        index=list(checklists).index(guessed) if guessed in checklists else 0,
        format_func=lambda cid: checklists[cid].title_in(current_language()),
        key=f"{key}_checklist",
    )
    checklist = checklists[checklist_id]
    draft = attempt(
        lambda: _draft(
            upload.name,
            upload.digest,
            f"{checklist.id}@{checklist.version}",
            current_language(),
            ctx,
            upload.data,
        )
    )
    if draft is None:
        return
    st.caption(markdown_text(draft.report.lines()[0]))
    targets = mapping_targets(checklist, draft.profile.layout)
    by_label = {label: target for target, label in targets.items()}
    drafted = draft.assignments()
    table = pd.DataFrame(
        {
            "text": [a.text for a in drafted],
            "place": [a.place for a in drafted],
            "use_as": [targets.get(a.target or "", _(NOT_USED)) for a in drafted],
            "how": [a.how for a in drafted],
        }
    )
    st.markdown(
        _(
            "What each column gives. Correct a row by picking another question or role; "
            "roles are in [brackets]."
        )
    )
    edited = st.data_editor(
        table,
        key=f"{key}_editor",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["text", "place", "how"],
        column_config={
            "text": st.column_config.TextColumn(_("Header or question"), width="medium"),
            "place": st.column_config.TextColumn(_("Where"), width="small"),
            "use_as": st.column_config.SelectboxColumn(
                _("Use as"), options=[_(NOT_USED), *targets.values()], required=True, width="medium"
            ),
            "how": st.column_config.TextColumn(_("Matched"), width="small"),
        },
    )
    assignments = [
        Assignment(str(row["text"]), str(row["place"]), by_label.get(str(row["use_as"])))
        for row in edited.to_dict("records")
    ]
    missing = unassigned_required(checklist, assignments)
    for note in draft.notes():
        if note != draft.asked():
            st.caption(markdown_text(note))
    asked = draft.asked(_("Save the profile, and a field above the upload asks for it."))
    if asked:
        st.info(markdown_text(asked), icon=":material/edit_note:")
    if missing:
        st.warning(
            _(
                "Required questions that no column answers (every visit would be refused "
                "until they are assigned): {questions}"
            ).format(questions=markdown_text(", ".join(missing)))
        )
    left, right = st.columns([2, 1])
    name = left.text_input(_("Profile name"), value=draft.profile.name, key=f"{key}_name")
    replace = right.checkbox(_("Replace a saved profile of this name"), key=f"{key}_replace")
    if st.button(_("Save the profile and check the files with it"), key=f"{key}_save"):
        with refusal_shown() as refused:
            profile = apply_assignments(draft.profile, checklist, assignments, name.strip())
            save_mapping(ctx, profile, overwrite=replace)
        if refused:
            return
        st.session_state[PENDING_KEY] = profile.name
        st.rerun()
