"""A checklist from a spreadsheet of questions, on the Checklists page: upload, see every
problem at its cell or a preview of the questions, then save it as a new checklist version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.checklist import Checklist, ChoiceItem, localized
from audit_app.domain.checklist_sheet.shape import condition_text
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role
from audit_app.services.checklist_sheets import read_checklist_sheet, save_checklist_sheet
from audit_app.services.context import AppContext
from audit_app.ui.components.checklist_view import language_label
from audit_app.ui.components.context import app_context
from audit_app.ui.components.refusals import attempt

GENERATION_KEY = "checklist_sheet_generation"
FLASH_KEY = "checklist_sheet_flash"
LANGUAGES = ("en", "ca", "es", "ro", "tr")
SHOWN_PROBLEMS = 50


def checklist_upload(ctx: AppContext) -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(markdown_text(flash), icon=":material/check_circle:")
    if ctx.user is not None and ctx.user.role != Role.HEAD_OFFICE:
        st.info("Head office adds checklists.", icon=":material/lock:")
        return
    st.caption(
        "One row per question: section, question (one column per language, e.g. "
        "Question (ca), Pregunta, Întrebare, Soru), type (Yes/No, Rating 1-5, Multiple "
        "choice, Number, %, Text), options with points (Yes (100) | Partly (50) | No (0)), "
        "weight, critical, N/A allowed, applies if, guidance. The same shape as "
        "“Download as a spreadsheet”."
    )
    generation = st.session_state.get(GENERATION_KEY, 0)
    upload = st.file_uploader(
        "Spreadsheet of questions (.xlsx, .csv)",
        type=["xlsx", "csv", "txt", "xls", "ods"],
        key=f"checklist_sheet_file_{generation}",
    )
    left, middle, right, far = st.columns([2, 3, 1, 2])
    checklist_id = left.text_input(
        "Checklist id", key="checklist_sheet_id", help="Lower-case letters, digits, _ . -"
    ).strip()
    title = middle.text_input(
        "Title", key="checklist_sheet_title", help="Default: the sheet's name"
    )
    version = right.number_input(
        "Version", min_value=1, value=1, step=1, key="checklist_sheet_version"
    )
    language = far.selectbox(
        "Language of a plain Question column",
        LANGUAGES,
        format_func=language_label,
        key="checklist_sheet_language",
    )
    if upload is None:
        return
    if not checklist_id:
        st.warning("Give the checklist an id to read the file.")
        return
    result = read_checklist_sheet(
        upload.name,
        upload.getvalue(),
        checklist_id=checklist_id,
        title=title.strip() or None,
        version=int(version),
        language=language,
        settings=ctx.settings,
    )
    if not result.ok or result.checklist is None:
        lines = [markdown_text(str(issue)) for issue in result.issues[:SHOWN_PROBLEMS]]
        more = len(result.issues) - SHOWN_PROBLEMS
        if more > 0:
            lines.append(f"… and {more} more")
        st.error(
            f"{markdown_text(upload.name)}: {len(result.issues)} problem(s), nothing saved:\n\n"
            + "\n".join(f"- {line}" for line in lines)
        )
        return
    checklist = result.checklist
    where = f"sheet {result.sheet}, " if result.sheet else ""
    st.caption(
        markdown_text(
            f"{upload.name}: {where}header in row {result.header_row}; {result.questions} "
            f"question(s) in {len(checklist.sections)} section(s); languages "
            f"{', '.join(checklist.languages)}."
        )
    )
    st.dataframe(preview_frame(checklist), hide_index=True, width="stretch")
    if st.button(
        f"Save {checklist.id} v{checklist.version}", type="primary", key="checklist_sheet_save"
    ):
        saved = attempt(lambda: save_checklist_sheet(ctx, checklist))
        if saved is None:
            return
        st.session_state[FLASH_KEY] = (
            f"Saved {checklist.id} v{checklist.version} ({len(checklist.items)} questions) "
            f"as {saved.name}."
        )
        st.session_state[GENERATION_KEY] = generation + 1
        app_context.clear()  # the catalogue is read again, with the new checklist
        st.rerun()


def preview_frame(checklist: Checklist) -> pd.DataFrame:
    language = checklist.language
    rows = []
    for section in checklist.sections:
        for item in section.items:
            options = (
                ", ".join(
                    f"{localized(o.label, language, language) or o.value} ({o.points * 100:g})"
                    for o in item.options
                )
                if isinstance(item, ChoiceItem)
                else ""
            )
            condition = getattr(item, "applies_if", None)
            rows.append(
                {
                    "section": localized(section.title, language, language),
                    "id": item.id,
                    "question": localized(item.text, language, language),
                    "type": item.type,
                    "options": options,
                    "weight": item.weight,
                    "critical": item.critical,
                    "N/A allowed": item.na_allowed,
                    "applies if": condition_text(condition) or "",
                }
            )
    return pd.DataFrame(rows)
