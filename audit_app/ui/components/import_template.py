"""The blank fill-in workbook for visits done offline, for the user's own branches only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import User
from audit_app.i18n import language_name
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


@st.cache_data(show_spinner="Writing the template…", max_entries=32)
def _cached_template(
    _ctx: AppContext,
    user: User | None,
    checklist_ref: str,
    language: str | None,
    branch_codes: tuple[str, ...],
    bulk: bool,
    rows: int,
    version: tuple[object, ...],
) -> Template:
    return template_bytes(
        _ctx, checklist_ref, language=language, branch_codes=branch_codes, bulk=bulk, rows=rows
    )


def template_section(ctx: AppContext) -> None:
    """Checklist, language and branches -> a download button for the .xlsx."""
    st.caption(
        "Fill the workbook in Excel for a visit done offline (or many visits in one sheet), "
        "then upload it under **Import files**."
    )
    checklists = {c.id: c for c in ctx.catalogue.latest()}
    if not checklists:
        st.info("No checklists are installed, so there is no template to download.")
        return
    left, middle = st.columns(2)
    checklist_id = left.selectbox(
        "Checklist",
        list(checklists),
        format_func=lambda key: f"{checklists[key].title_in()} (v{checklists[key].version})",
        key="template_checklist",
    )
    checklist = checklists[checklist_id]
    branches = {b.code: b for b in list_branches(ctx) if b.active}
    spoken = Counter(b.language for b in branches.values() if b.language in checklist.languages)
    usual = spoken.most_common(1)[0][0] if spoken else checklist.languages[0]
    language = middle.selectbox(
        "Language of the questions",
        checklist.languages,
        index=checklist.languages.index(usual),
        key=f"template_language_{checklist.id}",
        format_func=language_name,
        help="Preset to the language most of your branches use.",
    )
    codes = st.multiselect(
        "Branches offered in the workbook's dropdown",
        list(branches),
        format_func=lambda code: f"{code} · {branches[code].name}",
        placeholder="All your branches",
        key="template_branches",
    )
    if not branches:
        st.info(
            "No active branches yet, so the branch cell is typed by hand. Head office adds "
            "branches on the Admin page.",
            icon=":material/storefront:",
        )
    bulk = st.toggle(
        "One row per visit (many visits in one sheet)",
        key="template_bulk",
        help="For an agency or a manager entering many visits at once.",
    )
    rows = 500
    if bulk:
        rows = int(st.number_input("Visit rows", 1, 50_000, 500, step=100, key="template_rows"))
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
        )
    )
    if made is None:
        return
    if made.note:
        st.warning(markdown_text(made.note))
    shown = "all your branches" if not codes else f"{len(codes)} branch(es)"
    st.download_button(
        f"Download the template ({made.items} questions, {shown})",
        data=made.content,
        file_name=f"{made.checklist_id}-v{made.checklist_version}-{language}"
        + ("-bulk" if bulk else "")
        + ".xlsx",
        mime=XLSX,
        icon=":material/download:",
        type="primary",
        key="template_download",
    )
