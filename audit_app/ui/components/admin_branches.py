"""Head office's branch list: every branch (inactive too), edited in place or imported."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from audit_app.domain.audit import Branch
from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import _, formats, ngettext, pgettext
from audit_app.services.branch_lists import (
    BranchList,
    BranchListOptions,
    read_branch_list_bytes,
    with_stored_fields,
)
from audit_app.services.branches import (
    list_branches,
    save_branches,
    update_branches,
)
from audit_app.services.context import AppContext
from audit_app.ui.components.data_table import data_table
from audit_app.ui.components.refusals import attempt

EDITOR_KEY = "admin_branch_editor"
GENERATION_KEY = "admin_branch_generation"
FLASH_KEY = "admin_branch_flash"
COLUMNS = ["code", "name", "region", "area", "country", "language", "manager", "active"]
EDITABLE = ["name", "region", "area", "language", "manager", "active"]


def branches_tab(ctx: AppContext) -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(markdown_text(flash), icon=":material/check_circle:")
    branches = list_branches(ctx)
    generation = st.session_state.setdefault(GENERATION_KEY, 0)
    if branches:
        _editor(ctx, branches, generation)
    else:
        st.info(
            _(
                "No branches yet. Import a CSV or Excel list of branches below (a code, a "
                "name, a region and a country for each, from columns or given for the whole "
                "file; optional area, address, status, language, manager, franchisee), or "
                "load the demo chain with `audit-app demo`."
            ),
            icon=":material/storefront:",
        )
    st.subheader(_("Import branches from a file"))
    _importer(ctx, branches, generation)


def branch_headings() -> dict[str, str]:
    """The branch table's columns as headed in the session's language."""
    return {
        "code": _("Code"),
        "name": _("Name"),
        "region": _("Region"),
        "area": _("Area"),
        "country": _("Country"),
        "language": _("Language"),
        "manager": _("Manager"),
        "active": pgettext("branch", "Active"),
    }


def branch_frame(branches: list[Branch]) -> pd.DataFrame:
    return pd.DataFrame([b.model_dump(include=set(COLUMNS)) for b in branches], columns=COLUMNS)


def branch_changes(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Code -> the fields a person changed in the table (and only those)."""
    changes: dict[str, dict[str, Any]] = {}
    for old, new in zip(before.to_dict("records"), after.to_dict("records"), strict=True):
        changed = {
            field: _clean(new[field])
            for field in EDITABLE
            if _clean(new[field]) != _clean(old[field])
        }
        if changed:
            changes[old["code"]] = changed
    return changes


def _clean(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, str):
        return value.strip()
    return bool(value) if pd.api.types.is_bool(value) else value


def _editor(ctx: AppContext, branches: list[Branch], generation: int) -> None:
    active = sum(b.active for b in branches)
    st.caption(
        ngettext(
            "{count} branch, {active} active. Edit the cells, untick **{column}** to "
            "deactivate a branch that closed (its audits stay), then save. Codes do not change.",
            "{count} branches, {active} active. Edit the cells, untick **{column}** to "
            "deactivate a branch that closed (its audits stay), then save. Codes do not change.",
            len(branches),
        ).format(
            count=formats.integer(len(branches)),
            active=formats.integer(active),
            column=pgettext("branch", "Active"),
        )
    )
    table = branch_frame(branches)
    headings = branch_headings()
    edited = st.data_editor(
        table.rename(columns=headings),
        key=f"{EDITOR_KEY}_{generation}",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=[headings["code"], headings["country"]],
        column_config={
            headings["code"]: st.column_config.TextColumn(width="small"),
            headings["name"]: st.column_config.TextColumn(required=True, max_chars=200),
            headings["region"]: st.column_config.TextColumn(required=True, max_chars=100),
            headings["area"]: st.column_config.TextColumn(max_chars=100),
            headings["country"]: st.column_config.TextColumn(width="small"),
            headings["language"]: st.column_config.TextColumn(width="small", max_chars=8),
            headings["manager"]: st.column_config.TextColumn(max_chars=200),
            headings["active"]: st.column_config.CheckboxColumn(width="small"),
        },
    )
    fields = {heading: field for field, heading in headings.items()}
    changes = branch_changes(table, edited.rename(columns=fields))
    label = (
        ngettext(
            "Save changes to {count} branch", "Save changes to {count} branches", len(changes)
        ).format(count=formats.integer(len(changes)))
        if changes
        else _("Save changes")
    )
    if st.button(label, type="primary", disabled=not changes, key="admin_branch_save"):
        result = attempt(lambda: update_branches(ctx, changes))
        if result is None:
            return
        st.session_state[FLASH_KEY] = ngettext(
            "Saved: {count} branch changed.", "Saved: {count} branches changed.", result.updated
        ).format(count=formats.integer(result.updated))
        st.session_state[GENERATION_KEY] = generation + 1
        st.rerun()


def _importer(ctx: AppContext, branches: list[Branch], generation: int) -> None:
    upload = st.file_uploader(
        _("Branch list (.csv, .xlsx)"),
        type=["csv", "txt", "xlsx", "xls", "ods"],
        key=f"admin_branch_file_{generation}",
        help=_(
            "Any headers: Site Code, StoreCode, Store Name, Region, Status, ... in English, "
            "Spanish, Catalan, Romanian or Turkish; the header row is found under titles. New "
            "codes are added, known codes updated; every row is checked first and nothing is "
            "written if any row is wrong."
        ),
    )
    if upload is None:
        return
    st.caption(_("For what the file does not say (used for its blank cells too):"))
    left, middle, right = st.columns(3)
    options = BranchListOptions(
        constants={
            "country": left.text_input(_("Country"), key="admin_branch_country", max_chars=2),
            "region": middle.text_input(_("Region"), key="admin_branch_region", max_chars=100),
            "area": right.text_input(_("Area"), key="admin_branch_area", max_chars=100),
        }
    )
    read = attempt(
        lambda: read_branch_list_bytes(
            upload.name, upload.getvalue(), options, settings=ctx.settings
        )
    )
    if read is None:
        return
    _report(read)
    incoming = with_stored_fields(ctx, read)  # fields the list lacks stay as stored
    known = {b.code: b for b in branches}
    new = [b for b in incoming if b.code not in known]
    changed = [b for b in incoming if b.code in known and known[b.code] != b]
    st.caption(
        markdown_text(
            ngettext(
                "{file}: {count} branch, {new} new, {changed} changed, {unchanged} unchanged.",
                "{file}: {count} branches, {new} new, {changed} changed, {unchanged} unchanged.",
                len(incoming),
            ).format(
                file=upload.name,
                count=formats.integer(len(incoming)),
                new=formats.integer(len(new)),
                changed=formats.integer(len(changed)),
                unchanged=formats.integer(len(incoming) - len(new) - len(changed)),
            )
        )
    )
    data_table(
        branch_frame(incoming).rename(columns=branch_headings()), hide_index=True, width="stretch"
    )
    button = ngettext("Import {count} branch", "Import {count} branches", len(incoming))
    if st.button(
        button.format(count=formats.integer(len(incoming))),
        type="primary",
        key="admin_branch_import",
    ):
        result = attempt(lambda: save_branches(ctx, incoming))
        if result is None:
            return
        st.session_state[FLASH_KEY] = _(
            "Imported {file}: {added} added, {updated} updated, {unchanged} unchanged."
        ).format(
            file=upload.name,
            added=formats.integer(result.inserted),
            updated=formats.integer(result.updated),
            unchanged=formats.integer(result.unchanged),
        )
        st.session_state[GENERATION_KEY] = generation + 1
        st.rerun()


def _report(read: BranchList) -> None:
    """What was taken for what (field, column letter, header), the constants, the rows
    skipped, and every doubt as a warning before the import button."""
    for doubt in read.doubts:
        st.warning(markdown_text(doubt.message), icon=":material/person_alert:")
    found = (
        _("Header found in sheet {sheet}, row {row}. Columns recognised:").format(
            sheet=read.sheet, row=read.header_row
        )
        if read.sheet
        else _("Header found in line {row}. Columns recognised:").format(row=read.header_row)
    )
    st.caption(markdown_text(found))
    headings = {
        "field": _("Field"),
        "column": _("Column"),
        "header": _("Header"),
        "how": _("How"),
    }
    rows = [
        {"field": g.field, "column": g.letter, "header": g.header, "how": g.how}
        for g in read.columns
    ] + [
        {
            "field": name,
            "column": "",
            "header": _("given: {value}").format(value=value),
            "how": _("given"),
        }
        for name, value in read.constants.items()
    ]
    data_table(
        pd.DataFrame(rows, columns=list(headings)).rename(columns=headings),
        hide_index=True,
        key="admin_branch_columns",
    )
    notes = []
    if read.unused:
        notes.append(
            _("Not used: {columns}.").format(
                columns=", ".join(f"{c} '{h}'" for c, h in read.unused)
            )
        )
    if read.closed_rows:
        notes.append(
            ngettext(
                "{count} closed, imported as inactive.",
                "{count} closed, imported as inactive.",
                len(read.closed_rows),
            ).format(count=formats.integer(len(read.closed_rows)))
        )
    notes += [
        _("Row {row} skipped ({reason}) {text}")
        .format(row=row.row, reason=row.reason.label, text=row.text)
        .rstrip()
        for row in read.skipped
    ]
    for note in notes:
        st.caption(markdown_text(note))
