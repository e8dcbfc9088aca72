"""Head office's branch list: every branch (inactive too), edited in place or imported."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from audit_app.domain.audit import Branch
from audit_app.domain.safe_text import markdown_text
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
            "No branches yet. Import a CSV or Excel list of branches below (a code, a name, "
            "a region and a country for each, from columns or given for the whole file; "
            "optional area, address, status, language, manager, franchisee), or load the "
            "demo chain with `audit-app demo`.",
            icon=":material/storefront:",
        )
    st.subheader("Import branches from a file")
    _importer(ctx, branches, generation)


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
        f"{len(branches)} branches, {active} active. Edit the cells, untick **Active** to "
        "deactivate a branch that closed (its audits stay), then save. Codes do not change."
    )
    table = branch_frame(branches)
    edited = st.data_editor(
        table,
        key=f"{EDITOR_KEY}_{generation}",
        hide_index=True,
        width="stretch",
        num_rows="fixed",
        disabled=["code", "country"],
        column_config={
            "code": st.column_config.TextColumn("Code", width="small"),
            "name": st.column_config.TextColumn("Name", required=True, max_chars=200),
            "region": st.column_config.TextColumn("Region", required=True, max_chars=100),
            "area": st.column_config.TextColumn("Area", max_chars=100),
            "country": st.column_config.TextColumn("Country", width="small"),
            "language": st.column_config.TextColumn("Language", width="small", max_chars=8),
            "manager": st.column_config.TextColumn("Manager", max_chars=200),
            "active": st.column_config.CheckboxColumn("Active", width="small"),
        },
    )
    changes = branch_changes(table, edited)
    label = (
        f"Save changes to {len(changes)} branch{'es' if len(changes) != 1 else ''}"
        if changes
        else "Save changes"
    )
    if st.button(label, type="primary", disabled=not changes, key="admin_branch_save"):
        result = attempt(lambda: update_branches(ctx, changes))
        if result is None:
            return
        st.session_state[FLASH_KEY] = f"Saved: {result.updated} branch(es) changed."
        st.session_state[GENERATION_KEY] = generation + 1
        st.rerun()


def _importer(ctx: AppContext, branches: list[Branch], generation: int) -> None:
    upload = st.file_uploader(
        "Branch list (.csv, .xlsx)",
        type=["csv", "txt", "xlsx", "xls", "ods"],
        key=f"admin_branch_file_{generation}",
        help="Any headers: Site Code, StoreCode, Store Name, Region, Status, ... in English, "
        "Spanish, Catalan, Romanian or Turkish; the header row is found under titles. New "
        "codes are added, known codes updated; every row is checked first and nothing is "
        "written if any row is wrong.",
    )
    if upload is None:
        return
    st.caption("For what the file does not say (used for its blank cells too):")
    left, middle, right = st.columns(3)
    options = BranchListOptions(
        constants={
            "country": left.text_input("Country", key="admin_branch_country", max_chars=2),
            "region": middle.text_input("Region", key="admin_branch_region", max_chars=100),
            "area": right.text_input("Area", key="admin_branch_area", max_chars=100),
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
            f"{upload.name}: {len(incoming)} branches, {len(new)} new, {len(changed)} changed, "
            f"{len(incoming) - len(new) - len(changed)} unchanged."
        )
    )
    st.dataframe(branch_frame(incoming), hide_index=True, width="stretch")
    if st.button(f"Import {len(incoming)} branches", type="primary", key="admin_branch_import"):
        result = attempt(lambda: save_branches(ctx, incoming))
        if result is None:
            return
        st.session_state[FLASH_KEY] = (
            f"Imported {upload.name}: {result.inserted} added, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        st.session_state[GENERATION_KEY] = generation + 1
        st.rerun()


def _report(read: BranchList) -> None:
    """What was taken for what (field, column letter, header), the constants, the rows
    skipped, and every doubt as a warning before the import button."""
    for doubt in read.doubts:
        st.warning(markdown_text(doubt.message), icon=":material/person_alert:")
    where = f"sheet {read.sheet}, row" if read.sheet else "line"
    st.caption(markdown_text(f"Header found in {where} {read.header_row}. Columns recognised:"))
    rows = [
        {"field": g.field, "column": g.letter, "header": g.header, "how": g.how}
        for g in read.columns
    ] + [
        {"field": name, "column": "", "header": f"given: {value}", "how": "given"}
        for name, value in read.constants.items()
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="admin_branch_columns")
    notes = []
    if read.unused:
        notes.append("Not used: " + ", ".join(f"{c} '{h}'" for c, h in read.unused) + ".")
    if read.closed_rows:
        notes.append(f"{len(read.closed_rows)} closed, imported as inactive.")
    notes += [
        f"Row {row.row} skipped ({row.reason.label}) {row.text}".rstrip() for row in read.skipped
    ]
    for note in notes:
        st.caption(markdown_text(note))
