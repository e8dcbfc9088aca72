"""The blank fill-in workbook for visits done offline, for the user's own branches only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import User
from audit_app.i18n import _, current_language, language_name, ngettext
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.templates import Template, make_template
from audit_app.ui.components.refusals import attempt

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_bytes(
    ctx: AppContext,
    checklist_ref: str,
    *,
    language: str | None = None,
    branch_codes: Sequence[str] = (),
    bulk: bool = False,
    rows: int = 500,
) -> Template:
    """The workbook the download button hands out; no codes: every branch the user sees."""
    return make_template(
        ctx, checklist_ref, branch_codes=branch_codes, language=language, bulk=bulk, rows=rows
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _cached_template(
    _ctx: AppContext,
    user: User | None,
    checklist_ref: str,
    language: str | None,
    branch_codes: tuple[str, ...],
    bulk: bool,
    rows: int,
    version: tuple[object, ...],
    session_language: str,
) -> Template:
    return template_bytes(
        _ctx, checklist_ref, language=language, branch_codes=branch_codes, bulk=bulk, rows=rows
    )


def template_section(ctx: AppContext) -> None:
    """Checklist, language and branches -> a download button for the .xlsx."""
    st.caption(
        _(
            "Fill the workbook in Excel for a visit done offline (or many visits in one "
            "sheet), then upload it under **Import files**."
        )
    )
    checklists = {c.id: c for c in ctx.catalogue.latest()}
    if not checklists:
        st.info(_("No checklists are installed, so there is no template to download."))
        return
    left, middle = st.columns(2)
    shown_in = current_language()
    checklist_id = left.selectbox(
        _("Checklist"),
        list(checklists),
        format_func=lambda key: _("{title}, version {version}").format(
            title=checklists[key].title_in(shown_in), version=checklists[key].version
        ),
        key="template_checklist",
    )
    checklist = checklists[checklist_id]
    branches = {b.code: b for b in list_branches(ctx) if b.active}
    spoken = Counter(b.language for b in branches.values() if b.language in checklist.languages)
    usual = spoken.most_common(1)[0][0] if spoken else checklist.languages[0]
    language = middle.selectbox(
        _("Language of the template"),
        checklist.languages,
        index=checklist.languages.index(usual),
        key=f"template_language_{checklist.id}",
        format_func=language_name,
        help=_("Preset to the language most of your branches use."),
    )
    codes = st.multiselect(
        _("Branches offered in the workbook's dropdown"),
        list(branches),
        format_func=lambda code: f"{branches[code].name} ({code})",
        placeholder=_("All your branches"),
        key="template_branches",
    )
    if not branches:
        st.info(
            _(
                "No active branches yet, so the branch cell is typed by hand. Head office "
                "adds branches on the Admin page."
            ),
            icon=":material/storefront:",
        )
    bulk = st.toggle(
        _("One row per visit (many visits in one sheet)"),
        key="template_bulk",
        help=_("For an agency or a manager entering many visits at once."),
    )
    rows = 500
    if bulk:
        rows = int(st.number_input(_("Visit rows"), 1, 50_000, 500, step=100, key="template_rows"))
    made = attempt(
        lambda: _cached_template(
            ctx,
            ctx.user,
            f"{checklist.id}@{checklist.version}",
            language,
            tuple(codes),
            bulk,
            rows,
            data_version(ctx),
            current_language(),
        )
    )
    if made is None:
        return
    if made.note:
        st.warning(markdown_text(made.note))
    questions = ngettext("{n} question", "{n} questions", made.items).format(n=made.items)
    shown = (
        ngettext("{n} branch", "{n} branches", len(codes)).format(n=len(codes))
        if codes
        else _("all your branches")
    )
    st.download_button(
        _("Download the template ({questions}, {branches})").format(
            questions=questions, branches=shown
        ),
        data=made.content,
        file_name=f"{made.checklist_id}-v{made.checklist_version}-{language}"
        + ("-bulk" if bulk else "")
        + ".xlsx",
        mime=XLSX,
        icon=":material/download:",
        type="primary",
        key="template_download",
    )
