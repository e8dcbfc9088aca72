"""A checklist from a spreadsheet of questions, on the Checklists page: upload, see every
problem at its cell or a preview of the questions, then save it as a new checklist version."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.checklist import Checklist, ChoiceItem, localized
from audit_app.domain.checklist_sheet.shape import condition_text
from audit_app.domain.labels import item_type_label
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import Role
from audit_app.i18n import _, formats, ngettext
from audit_app.services.checklist_sheets import read_checklist_sheet, save_checklist_sheet
from audit_app.services.context import AppContext
from audit_app.ui.components.checklist_view import language_label
from audit_app.ui.components.context import app_context
from audit_app.ui.components.data_table import data_table
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
        st.info(_("Head office adds checklists."), icon=":material/lock:")
        return
    st.caption(
        _(
            "One row per question: section, question (one column per language, e.g. "
            "{questions}), type ({types}), options with points ({options}), weight, "
            "critical, N/A allowed, applies if, guidance. The same shape as “Download as a "
            "spreadsheet”."
        ).format(
            # words the sheet reader knows, quoted as it reads them
            questions="Question (ca), Pregunta, Întrebare, Soru",
            types="Yes/No, Rating 1-5, Multiple choice, Number, %, Text",
            options="Yes (100) | Partly (50) | No (0)",
        )
    )
    generation = st.session_state.get(GENERATION_KEY, 0)
    upload = st.file_uploader(
        _("Spreadsheet of questions (.xlsx, .csv)"),
        type=["xlsx", "csv", "txt", "xls", "ods"],
        key=f"checklist_sheet_file_{generation}",
    )
    left, middle, right, far = st.columns([2, 3, 1, 2])
    checklist_id = left.text_input(
        _("Checklist id"), key="checklist_sheet_id", help=_("Lower-case letters, digits, _ . -")
    ).strip()
    title = middle.text_input(
        _("Title"), key="checklist_sheet_title", help=_("Default: the sheet's name")
    )
    version = right.number_input(
        _("Version"), min_value=1, value=1, step=1, key="checklist_sheet_version"
    )
    language = far.selectbox(
        _("Language of a plain Question column"),
        LANGUAGES,
        format_func=language_label,
        key="checklist_sheet_language",
    )
    if upload is None:
        return
    if not checklist_id:
        st.warning(_("Give the checklist an id to read the file."))
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
            lines.append(_("… and {n} more").format(n=formats.integer(more)))
        count = len(result.issues)
        heading = ngettext(
            "{file}: {n} problem, nothing saved:",
            "{file}: {n} problems, nothing saved:",
            count,
        ).format(file=markdown_text(upload.name), n=formats.integer(count))
        st.error(heading + "\n\n" + "\n".join(f"- {line}" for line in lines))
        return
    checklist = result.checklist
    questions = ngettext("{n} question", "{n} questions", result.questions).format(
        n=result.questions
    )
    sections = ngettext("{n} section", "{n} sections", len(checklist.sections)).format(
        n=len(checklist.sections)
    )
    languages = ", ".join(language_label(code) for code in checklist.languages)
    if result.sheet:
        read = _(
            "{file}: sheet {sheet}, header in row {row}; {questions} in {sections}; "
            "languages {languages}."
        )
    else:
        read = _("{file}: header in row {row}; {questions} in {sections}; languages {languages}.")
    st.caption(
        markdown_text(
            read.format(
                file=upload.name,
                sheet=result.sheet,
                row=result.header_row,
                questions=questions,
                sections=sections,
                languages=languages,
            )
        )
    )
    data_table(
        preview_frame(checklist),
        hide_index=True,
        width="stretch",
        column_config={
            "section": _("Section"),
            "id": _("Id"),
            "question": _("Question"),
            "type": _("Type"),
            "options": _("Options"),
            "weight": _("Weight"),
            "critical": _("Critical"),
            "N/A allowed": _("N/A allowed"),
            "applies if": _("Applies if"),
        },
    )
    title_text = checklist.title_in()
    if st.button(
        _("Save “{title}”, version {version}").format(title=title_text, version=checklist.version),
        type="primary",
        key="checklist_sheet_save",
    ):
        saved = attempt(lambda: save_checklist_sheet(ctx, checklist))
        if saved is None:
            return
        st.session_state[FLASH_KEY] = ngettext(
            "Saved “{title}”, version {version} ({n} question) as {file}.",
            "Saved “{title}”, version {version} ({n} questions) as {file}.",
            len(checklist.items),
        ).format(
            title=title_text, version=checklist.version, n=len(checklist.items), file=saved.name
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
                    "type": item_type_label(item.type),
                    "options": options,
                    "weight": item.weight,
                    "critical": item.critical,
                    "N/A allowed": item.na_allowed,
                    "applies if": condition_text(condition) or "",
                }
            )
    return pd.DataFrame(rows)
