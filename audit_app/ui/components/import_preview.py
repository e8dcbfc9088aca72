"""Checking uploaded audit files before anything is written, and writing them afterwards.

The page shows a dry run of every file (what it would add, every problem at its cell);
only a click on the commit button writes, each file whole or not at all (the import
service guarantees that). The functions take (ctx, name, bytes) so tests can call them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from audit_app.domain.intake.model import IssueCode
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.users import User
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language, formats, ngettext
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.import_report import describe, rows_line
from audit_app.services.imports import FileImport, import_bytes
from audit_app.services.mappings import load_mapping
from audit_app.ui.components.data_table import data_table


@dataclass(frozen=True)
class Upload:
    """One uploaded file's name and content; the digest keys the cached dry run."""

    name: str
    data: bytes
    digest: str

    @classmethod
    def of(cls, name: str, data: bytes) -> Upload:
        return cls(name, data, hashlib.sha256(data).hexdigest())


Constants = dict[str, str]
"""Values the profile lacks, typed on the page (``--set`` on the CLI): role -> value."""


def preview_file(
    ctx: AppContext,
    name: str,
    data: bytes,
    mapping: str | None = None,
    constants: Constants | None = None,
) -> FileImport:
    """The dry run: what importing would do, with every problem; nothing is written."""
    return _run(ctx, name, data, mapping, constants, dry_run=True)


def commit_file(
    ctx: AppContext,
    name: str,
    data: bytes,
    mapping: str | None = None,
    constants: Constants | None = None,
) -> FileImport:
    """Import one file for real, as the logged-in user (recorded as the importer)."""
    return _run(ctx, name, data, mapping, constants, dry_run=False)


def _run(
    ctx: AppContext,
    name: str,
    data: bytes,
    mapping: str | None,
    constants: Constants | None,
    *,
    dry_run: bool,
) -> FileImport:
    return import_bytes(
        ctx, name, data, dry_run=dry_run, mapping_name=mapping, constants=constants or None
    )


def cached_preview(
    ctx: AppContext, upload: Upload, mapping: str | None, constants: Constants | None = None
) -> FileImport:
    """``preview_file``, remembered until the data, the chosen profile or the values typed
    for it change."""
    stamp = repr(load_mapping(mapping, ctx.settings).to_data()) if mapping else ""
    stamp += repr(sorted((constants or {}).items()))
    return _cached_preview(
        ctx,
        ctx.user,
        upload.name,
        upload.digest,
        mapping,
        stamp,
        data_version(ctx),
        current_language(),
        upload.data,
        constants or {},
    )


@st.cache_data(show_spinner=False, max_entries=200)
def _cached_preview(
    _ctx: AppContext,
    user: User | None,
    name: str,
    digest: str,
    mapping: str | None,
    mapping_stamp: str,
    version: tuple[object, ...],
    language: str,
    _data: bytes,
    _constants: Constants,
) -> FileImport:
    return preview_file(_ctx, name, _data, mapping, _constants)


def commit_files(
    ctx: AppContext,
    uploads: Sequence[Upload],
    mapping: str | None,
    progress: Callable[[int, int, str], None] | None = None,
    constants: Constants | None = None,
) -> list[FileImport]:
    """Import each file on its own; ``progress(done, total, name)`` before each one."""
    results = []
    for number, upload in enumerate(uploads):
        if progress:
            progress(number, len(uploads), upload.name)
        results.append(commit_file(ctx, upload.name, upload.data, mapping, constants))
    if progress:
        progress(len(uploads), len(uploads), "")
    return results


# --------------------------------------------------------------------------- tables


def issues_frame(result: FileImport) -> pd.DataFrame:
    """Every problem placed in the file, one row each, at its sheet and cell (problems of
    the whole file, such as a missing answer column, are shown above the table)."""
    return pd.DataFrame(
        [
            {
                "sheet": issue.sheet or "",
                "cell": issue.cell or "",
                "row": issue.row,
                "problem": issue.message.removeprefix(f"{issue.cell}: "),
            }
            for issue in result.problems
            if issue.cell or issue.row
        ],
        columns=["sheet", "cell", "row", "problem"],
    ).astype({"row": "Int64"})


def skipped_frame(result: FileImport) -> pd.DataFrame:
    """Every row read and left out: where, why, and the text that decided it."""
    return pd.DataFrame(
        [
            {"sheet": row.sheet, "row": row.row, "reason": row.reason.label, "text": row.text}
            for row in result.skipped
        ],
        columns=["sheet", "row", "reason", "text"],
    )


def audits_frame(result: FileImport, ctx: AppContext | None = None) -> pd.DataFrame:
    """The visits a file holds: new ones first, then those already stored. With ``ctx``,
    branches show as "Name (CODE)" and checklists by their title in the reader's language."""
    branches = {b.code: b.name for b in list_branches(ctx)} if ctx is not None else {}
    rows = [
        {
            "status": _audit_status(audit.already_present, audit.differs),
            "branch_code": _branch(branches, audit.branch_code),
            "visited_at": audit.visited_at,
            "reference": audit.reference or "",
            "checklist": _checklist(ctx, audit.checklist_id, audit.checklist_version),
            "auditor": audit.auditor,
            "overall": audit.overall,
            "grade": audit.grade or "",
            "critical_failure": audit.critical_failure,
            "audit": f"audit?id={audit.audit_id}" if audit.audit_id else None,
            "photos": audit.photos,
        }
        for audit in sorted(result.audits, key=lambda a: a.already_present)
    ]
    columns = [
        "status",
        "branch_code",
        "visited_at",
        *(["reference"] if any(audit.reference for audit in result.audits) else []),
        "checklist",
        "auditor",
        "overall",
        "grade",
        "critical_failure",
        *(["photos"] if result.members else []),  # a zip: the photos found per visit
        "audit",
    ]
    return pd.DataFrame(rows, columns=columns)


def members_frame(result: FileImport) -> pd.DataFrame:
    """Every file of a zip: the workbook, each photo with its visit row and question, and
    each one refused or left aside with why."""
    roles = {
        "workbook": _("workbook"),
        "photo": _("photo"),
        "ignored": _("left aside"),
        "refused": _("refused"),
    }
    return pd.DataFrame(
        [
            {
                "member": member.member,
                "role": roles[member.role],
                "row": member.row,
                "item": member.item_id or "",
                "reason": member.reason or "",
            }
            for member in result.members
        ],
        columns=["member", "role", "row", "item", "reason"],
    ).astype({"row": "Int64"})


def member_columns() -> dict[str, Any]:
    return {
        "member": st.column_config.TextColumn(_("File in the zip"), width=260),
        "role": st.column_config.TextColumn(_("Taken as"), width=100),
        "row": st.column_config.NumberColumn(_("Visit row"), width=80),
        "item": st.column_config.TextColumn(_("Question code"), width=140),
        "reason": st.column_config.TextColumn(_("Why"), width=500),
    }


def _branch(names: dict[str, str], code: str) -> str:
    name = names.get(code)
    return f"{name} ({code})" if name else code


def _checklist(ctx: AppContext | None, checklist_id: str, version: int) -> str:
    """The checklist's title in the reader's language, with its version."""
    title = checklist_id
    if ctx is not None:
        try:
            title = ctx.catalogue.get(checklist_id, version).title_in(current_language())
        except AuditAppError:  # an edition no longer known keeps its id
            title = checklist_id
    return _("{title}, version {version}").format(title=title, version=version)


def _audit_status(present: bool, differs: bool) -> str:
    if not present:
        return _("new")
    if differs:
        return _("already stored (different answers; unchanged)")
    return _("already stored")


def audit_columns() -> dict[str, Any]:
    """Column titles in the reader's language (built when shown, never at import)."""
    return {
        "status": st.column_config.TextColumn(_("Status"), width="small"),
        "branch_code": st.column_config.TextColumn(_("Branch"), width="medium"),
        "visited_at": st.column_config.DatetimeColumn(_("Visit"), format="YYYY-MM-DD HH:mm"),
        "reference": st.column_config.TextColumn(_("Reference")),
        "checklist": st.column_config.TextColumn(_("Checklist")),
        "auditor": st.column_config.TextColumn(_("Auditor")),
        "overall": st.column_config.ProgressColumn(
            _("Score"), min_value=0, max_value=100, format="%.1f"
        ),
        "grade": st.column_config.TextColumn(_("Grade"), width="small"),
        "critical_failure": st.column_config.CheckboxColumn(_("Critical"), width="small"),
        "audit": st.column_config.LinkColumn(_("Audit"), display_text=r"audit\?id=(\d+)"),
        "photos": st.column_config.NumberColumn(_("Photos"), width="small"),
    }


def skipped_columns() -> dict[str, Any]:
    return {
        "sheet": st.column_config.TextColumn(_("Sheet"), width=90),
        "row": st.column_config.NumberColumn(_("Row"), width=60),
        "reason": st.column_config.TextColumn(_("Reason"), width=160),
        "text": st.column_config.TextColumn(_("Text"), width=500),
    }


def issue_columns() -> dict[str, Any]:
    return {
        "sheet": st.column_config.TextColumn(_("Sheet"), width=90),
        "cell": st.column_config.TextColumn(_("Cell"), width=70),
        "row": st.column_config.NumberColumn(_("Row"), width=60),
        "problem": st.column_config.TextColumn(_("Problem"), width=900),
    }


def show_result(result: FileImport, ctx: AppContext | None = None) -> None:
    """A file's rows accounted for, its audits, every problem and every row skipped."""
    st.caption(markdown_text(_("Rows: {rows}.").format(rows=rows_line(result))))
    whole_file = [issue for issue in result.problems if not (issue.cell or issue.row)]
    for issue in whole_file:
        text = (
            _("Sheet {sheet}: {problem}").format(sheet=issue.sheet, problem=issue.message)
            if issue.sheet
            else issue.message
        )
        st.error(markdown_text(text), icon=":material/error:")
    for note in result.notes:  # imported, with a question: an auditor's name misspelt?
        if note.code == IssueCode.AUDITOR_NEAR_MISS:
            st.warning(markdown_text(str(note)), icon=":material/person_search:")
    if len(whole_file) < len(result.problems):
        data_table(
            issues_frame(result), hide_index=True, width="stretch", column_config=issue_columns()
        )
    if result.audits:
        frame = audits_frame(result, ctx)
        if frame["audit"].isna().all():  # a dry run: nothing stored yet, nothing to link to
            frame = frame.drop(columns="audit")
        data_table(frame, hide_index=True, width="stretch", column_config=audit_columns())
    if result.members:
        refused = sum(member.role == "refused" for member in result.members)
        with st.expander(
            ngettext("{n} file in the zip", "{n} files in the zip", len(result.members)).format(
                n=formats.integer(len(result.members))
            ),
            expanded=bool(refused),
        ):
            data_table(
                members_frame(result),
                hide_index=True,
                width="stretch",
                column_config=member_columns(),
            )
    if result.skipped and result.status != "already_imported":
        frame = skipped_frame(result)
        if not frame["sheet"].any():
            frame = frame.drop(columns="sheet")
        count = len(result.skipped)
        st.markdown(
            ngettext(
                "**{n} row skipped**: read, not a visit; check it is not one.",
                "**{n} rows skipped**: read, not visits; check none is a visit.",
                count,
            ).format(n=formats.integer(count))
        )
        data_table(frame, hide_index=True, width="stretch", column_config=skipped_columns())
    if result.status == "already_imported":
        ids = result.audit_ids()
        if ids:
            st.caption(
                _("Stored then as audit {audits}").format(
                    audits=", ".join(f"#{i}" for i in ids[:20])
                )
            )


# --------------------------------------------------------------------------- summary


@dataclass
class ImportSummary:
    """What one click on the import button did, shown until the next upload."""

    results: list[FileImport] = field(default_factory=list)

    @property
    def added(self) -> int:
        return sum(r.added for r in self.results if r.status == "imported")

    @property
    def already_present(self) -> int:
        return sum(r.already_present for r in self.results if r.status == "imported")

    @property
    def rows_skipped(self) -> int:
        return sum(r.rows.skipped for r in self.results if r.status == "imported")

    @property
    def rejected(self) -> int:
        return sum(r.status == "rejected" for r in self.results)

    @property
    def duplicates(self) -> int:
        return sum(r.status == "already_imported" for r in self.results)

    def line(self) -> str:
        files = len(self.results)
        return _(
            "{files}: {added} added, {present} already present, {rejected} rejected, "
            "{duplicates} already imported; {skipped} skipped."
        ).format(
            files=ngettext("{n} file", "{n} files", files).format(n=formats.integer(files)),
            added=ngettext("{n} audit", "{n} audits", self.added).format(
                n=formats.integer(self.added)
            ),
            present=formats.integer(self.already_present),
            rejected=formats.integer(self.rejected),
            duplicates=formats.integer(self.duplicates),
            skipped=ngettext("{n} row", "{n} rows", self.rows_skipped).format(
                n=formats.integer(self.rows_skipped)
            ),
        )


def show_summary(summary: ImportSummary, ctx: AppContext | None = None) -> None:
    """Green with a tick when every file went in; yellow with a warning sign as soon as one
    was rejected (it needs fixing); blue when nothing was new (all already imported)."""
    if summary.rejected:
        fix = ngettext(
            "Fix the rejected file (problems listed below) and upload it again.",
            "Fix the rejected files (problems listed below) and upload them again.",
            summary.rejected,
        )
        st.warning(f"{summary.line()} {fix}", icon=":material/warning:")
    elif summary.added:
        st.success(summary.line(), icon=":material/task_alt:")
    else:
        st.info(f"{summary.line()} {_('Nothing new was written.')}", icon=":material/info:")
    for result in summary.results:
        st.markdown(f"**{markdown_text(result.file)}** — {markdown_text(describe(result))}")
        show_result(result, ctx)
