"""Checklists: read a standard checklist, see what changed between its versions, and download
a blank fill-in workbook or the YAML file."""

from __future__ import annotations

import streamlit as st

from audit_app.domain.checklist import Checklist
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import User
from audit_app.i18n import _, current_language, ngettext
from audit_app.services.branches import list_branches
from audit_app.services.checklist_diff import checklist_versions, diff_versions
from audit_app.services.checklist_sheets import workbook_of
from audit_app.services.checklists import checklist_yaml
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.templates import make_template
from audit_app.ui.components.checklist_upload import checklist_upload
from audit_app.ui.components.checklist_view import checklist_contents, diff_table, language_label
from audit_app.ui.components.refusals import attempt
from audit_app.ui.components.session import user_context

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render() -> None:
    ctx = user_context()
    st.title(_("Checklists"))
    latest = ctx.catalogue.latest()
    if not latest:
        st.info(
            _(
                "No checklists are installed. Put checklist YAML files (such as "
                "`greeting_phone.v1.yaml`) in the checklists folder and reload, or make one "
                "from a spreadsheet of questions below."
            ),
            icon=":material/inbox:",
        )
        checklist_upload(ctx)
        return
    titles = {c.id: c.title_in(current_language()) for c in latest}
    top = st.columns([3, 1, 1])
    checklist_id = top[0].selectbox(
        _("Checklist"), list(titles), format_func=lambda cid: titles[cid], key="checklist"
    )
    versions = checklist_versions(ctx, checklist_id)
    if len(versions) < 2:  # nothing to choose: said as text (a disabled picker reads faint)
        version = versions[0]
        top[1].markdown(f"**{_('Version')}**  \n{_version(version)}")
    else:
        version = top[1].selectbox(
            _("Version"), versions[::-1], format_func=_version, key=f"version-{checklist_id}"
        )
    checklist = ctx.catalogue.get(checklist_id, version)
    languages = checklist.languages
    session = current_language()
    language = top[2].selectbox(
        _("Language"),
        languages,
        index=languages.index(session) if session in languages else 0,
        format_func=language_label,
        key=f"language-{'-'.join(checklist.languages)}",
    )

    contents, compare, downloads, upload = st.tabs(
        [_("Contents"), _("Compare versions"), _("Downloads"), _("From a spreadsheet")]
    )
    with contents:
        checklist_contents(checklist, language)
    with compare:
        _compare(ctx, checklist, versions, language)
    with downloads:
        _downloads(ctx, checklist, language)
    with upload:
        checklist_upload(ctx)


def _version(number: int) -> str:
    return _("version {number}").format(number=number)


def _compare(ctx: AppContext, checklist: Checklist, versions: list[int], language: str) -> None:
    title = markdown_text(checklist.title_in(language))
    if len(versions) < 2:
        st.info(
            _(
                "{title} has only version {version}, so there is nothing to compare yet. A "
                "new version is a new file `{file}` in the checklists folder; keep the ids "
                "of items whose meaning stays."
            ).format(
                title=title,
                version=versions[0],
                file=f"{checklist.id}.v{versions[0] + 1}.yaml",
            ),
            icon=":material/difference:",
        )
        return
    left, right = st.columns(2)
    old = left.selectbox(
        _("From version"),
        versions,
        index=len(versions) - 2,
        format_func=_version,
        key=f"diff-from-{checklist.id}",
    )
    new = right.selectbox(
        _("To version"),
        versions,
        index=len(versions) - 1,
        format_func=_version,
        key=f"diff-to-{checklist.id}",
    )
    if old == new:
        st.warning(_("Pick two different versions to see what changed."))
        return
    diff = attempt(lambda: diff_versions(ctx, checklist.id, old, new))
    if diff is None:
        return
    if diff.empty:
        st.success(
            _(
                "Versions {old} and {new} of {title} ask the same questions with the same rules."
            ).format(old=old, new=new, title=title)
        )
        return
    st.markdown(
        _("**Version {old} → version {new}:** {summary}.").format(
            old=old, new=new, summary=diff.summary().capitalize()
        )
    )
    diff_table(
        diff, ctx.catalogue.get(checklist.id, old), ctx.catalogue.get(checklist.id, new), language
    )
    st.caption(
        _(
            "Items are matched by their id. Comparisons across these versions use only the "
            "scored items both share."
        )
    )


def _downloads(ctx: AppContext, checklist: Checklist, language: str) -> None:
    st.markdown(
        _("**Blank fill-in workbook** in {language}").format(language=language_label(language))
    )
    st.caption(_how_to_return(ctx.user))
    branches = [b for b in list_branches(ctx) if b.active]
    names = {b.code: f"{b.name} ({b.code})" for b in branches}
    options = ["", *names]
    left, right = st.columns(2)
    code = left.selectbox(
        _("Branch"),
        options,
        format_func=lambda c: (
            names[c]
            if c
            else ngettext(
                "Choose on the form ({n} branch)", "Choose on the form ({n} branches)", len(names)
            ).format(n=len(names))
        ),
        help=_("One branch fills it in on the form; otherwise the form offers your branches."),
        key="template_branch",
    )
    layout = right.radio(
        _("Layout"),
        ["single", "bulk"],
        format_func=lambda v: _("One visit") if v == "single" else _("Many visits, one row each"),
        horizontal=True,
        key="template_layout",
    )
    content = attempt(
        lambda: _template(
            ctx,
            ctx.user,
            checklist.id,
            checklist.version,
            language,
            code,
            layout == "bulk",
            data_version(ctx),
            current_language(),
        )
    )
    if content is not None:
        st.download_button(
            _("Download the workbook"),
            content,
            file_name=f"{checklist.id}.v{checklist.version}-{language}"
            f"{'-' + code if code else ''}{'-bulk' if layout == 'bulk' else ''}.xlsx",
            mime=XLSX,
            icon=":material/download:",
            on_click="ignore",
            key="template",
        )
    st.divider()
    st.markdown(_("**The checklist file** (YAML, as head office keeps it)"))
    st.download_button(
        _("Download the YAML"),
        checklist_yaml(checklist),
        file_name=f"{checklist.id}.v{checklist.version}.yaml",
        mime="application/x-yaml",
        icon=":material/download:",
        on_click="ignore",
        key="yaml",
    )
    st.download_button(
        _("Download as a spreadsheet"),
        lambda: workbook_of(checklist),
        file_name=f"{checklist.id}.v{checklist.version}.questions.xlsx",
        mime=XLSX,
        icon=":material/table:",
        on_click="ignore",
        help=_("One row per question; edit it and bring it back under “From a spreadsheet”."),
        key="sheet",
    )


def _how_to_return(user: User | None) -> str:
    """Only users who can write may import: a viewer is told who can, not sent to a page
    they do not have."""
    if user is not None and not user.can_write:
        return _(
            "For a visit done offline: fill in the yellow cells, then hand it to your area "
            "manager or head office, who import it. Its language is the one picked above."
        )
    return _(
        "For a visit done offline: fill in the yellow cells, then upload it on the Import "
        "page. Its language is the one picked above."
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _template(
    _ctx: AppContext,
    user: User | None,
    checklist_id: str,
    version: int,
    language: str,
    code: str,
    bulk: bool,
    stamp: tuple[object, ...],
    session_language: str,
) -> bytes:
    """The workbook bytes; keyed by the user (their branches fill the list) and the data."""
    template = make_template(
        _ctx,
        f"{checklist_id}@{version}",
        branch_codes=[code] if code else (),
        language=language,
        bulk=bulk,
    )
    return template.content


render()
