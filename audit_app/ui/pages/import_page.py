"""Import: download a blank template, upload filled-in files, check them, then write them.

Every file is checked first (a dry run) and shown with the audits it would add and every
problem at its cell; only the import button writes, each file whole or not at all.
"""

from __future__ import annotations

import streamlit as st

from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import _, ngettext
from audit_app.services.context import AppContext
from audit_app.services.imports import FileImport, layout_not_recognised
from audit_app.ui.components.import_mapping import mapping_picker, mapping_wizard, supplied_values
from audit_app.ui.components.import_preview import (
    ImportSummary,
    Upload,
    cached_preview,
    commit_files,
    describe,
    show_result,
    show_summary,
)
from audit_app.ui.components.import_template import template_section
from audit_app.ui.components.refusals import attempt, refusal_shown
from audit_app.ui.components.session import user_context

# A .zip is the offline route: a filled-in template with the photos taken on the visit.
# (A comment, not a string: Streamlit runs a page as a script and writes a bare string on it.)
FILE_TYPES = ["xlsx", "xls", "ods", "csv", "txt", "zip"]
GENERATION_KEY = "import_uploader_generation"
SUMMARY_KEY = "import_summary"
STATUS_ICONS = {
    "imported": ":green[:material/check_circle:]",
    "checked": ":green[:material/check_circle:]",
    "rejected": ":red[:material/block:]",
    "already_imported": ":orange[:material/content_copy:]",
}


def render() -> None:
    ctx = user_context()
    st.title(_("Import"))
    if ctx.user is not None and not ctx.user.can_write:
        st.warning(
            _("Viewers cannot import audits. Ask head office or your area manager."),
            icon=":material/block:",
        )
        return
    st.caption(
        _(
            "Audits done offline: download a blank template, fill it in, upload it here. "
            "Each file is checked first and written whole or not at all."
        )
    )
    upload_tab, template_tab = st.tabs([_("Import files"), _("Blank template")])
    with upload_tab:
        _import_files(ctx)
    with template_tab:
        template_section(ctx)


def _import_files(ctx: AppContext) -> None:
    summary = st.session_state.get(SUMMARY_KEY)
    mapping = mapping_picker(ctx)
    constants = supplied_values(ctx, mapping)
    generation = st.session_state.setdefault(GENERATION_KEY, 0)
    files = st.file_uploader(
        _("Filled-in templates, or files of the chosen layout"),
        type=FILE_TYPES,
        accept_multiple_files=True,
        key=f"import_files_{generation}",
    )
    if not files:
        if isinstance(summary, ImportSummary):
            show_summary(summary, ctx)
        else:
            st.info(
                _(
                    "Upload one or more filled-in workbooks (.xlsx) or CSV files. Nothing is "
                    "written until you press Import. No template yet? See **Blank template**."
                ),
                icon=":material/upload_file:",
            )
            st.caption(
                _(
                    "Photos taken on the visit: put the filled-in template and the photos in "
                    "one .zip, each photo named by its question code (greet_smile.jpg, "
                    "greet_smile-2.jpg), and upload the zip."
                )
            )
        return
    st.session_state.pop(SUMMARY_KEY, None)
    if constants is None:
        st.info(_("Fill in the values above: the files do not hold them."), icon=":material/edit:")
        return
    uploads = [Upload.of(f.name, f.getvalue()) for f in files]
    results = _previews(ctx, uploads, mapping, constants)
    if results is None:
        return
    ready = [u for u, r in zip(uploads, results, strict=True) if r.status == "checked"]
    st.subheader(_("Check"))
    for upload, result in zip(uploads, results, strict=True):
        _file_preview(ctx, upload, result, mapping)
    _commit(ctx, ready, [r for r in results if r.status != "checked"], mapping, constants)


def _previews(
    ctx: AppContext, uploads: list[Upload], mapping: str | None, constants: dict[str, str]
) -> list[FileImport] | None:
    bar = st.progress(0.0, text=_("Checking the files…")) if len(uploads) > 1 else None
    results = []
    try:
        with refusal_shown() as refused:
            for number, upload in enumerate(uploads):
                if bar is not None:
                    text = markdown_text(_("Checking {file}…").format(file=upload.name))
                    bar.progress(number / len(uploads), text=text)
                results.append(cached_preview(ctx, upload, mapping, constants))
        if refused:
            return None
    finally:
        if bar is not None:
            bar.empty()
    return results


def _file_preview(ctx: AppContext, upload: Upload, result: FileImport, mapping: str | None) -> None:
    unknown = mapping is None and layout_not_recognised(result)
    with st.container(border=True):
        if unknown:  # a layout from outside: the next step, not a failure
            st.markdown(f":material/table_view: **{markdown_text(result.file)}**")
            st.info(
                _(
                    "Not one of our templates: a layout from outside. The wizard below has "
                    "read its headers and drafted how to read it; check what it found, supply "
                    "what the file does not say, and save the profile. Nothing has been written."
                ),
                icon=":material/auto_fix_high:",
            )
        else:
            st.markdown(
                f"{STATUS_ICONS[result.status]} **{markdown_text(result.file)}** — "
                + markdown_text(describe(result))
            )
            show_result(result, ctx)
        if unknown or (mapping is not None and result.status == "rejected"):
            with st.expander(_("Read this file with a mapping profile"), expanded=unknown):
                mapping_wizard(ctx, upload)


def _commit(
    ctx: AppContext,
    ready: list[Upload],
    not_ready: list[FileImport],
    mapping: str | None,
    constants: dict[str, str],
) -> None:
    count = len(ready)
    if not_ready:
        st.caption(
            ngettext(
                "{n} file is left out: rejected files are not written (fix them and upload "
                "again), and a file already imported is not imported twice.",
                "{n} files are left out: rejected files are not written (fix them and upload "
                "again), and a file already imported is not imported twice.",
                len(not_ready),
            ).format(n=len(not_ready))
        )
    clicked = st.button(
        ngettext("Import {n} file", "Import {n} files", count).format(n=count),
        type="primary",
        disabled=count == 0,
        icon=":material/upload:",
        key="import_commit",
    )
    if not clicked:
        return
    bar = st.progress(0.0, text=_("Importing…"))

    def progress(done: int, total: int, name: str) -> None:
        text = (
            markdown_text(
                _("Importing {file} ({number} of {total})…").format(
                    file=name, number=done + 1, total=total
                )
            )
            if name
            else _("Done.")
        )
        bar.progress(done / total, text=text)

    results = attempt(lambda: commit_files(ctx, ready, mapping, progress, constants))
    if results is None:
        return
    st.session_state[SUMMARY_KEY] = ImportSummary([*results, *not_ready])
    st.session_state[GENERATION_KEY] = st.session_state.get(GENERATION_KEY, 0) + 1
    st.rerun()


render()
