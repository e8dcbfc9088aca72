"""Sheets a profile leaves unread: a profile reads one sheet, and a workbook with one sheet
per store (or per month) read through it would lose the others without a word. Each other
visible sheet that holds data is named in a note (never a refusal); a sheet a ``values:``
cell reads is not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from audit_app.domain.intake.model import ImportIssue, IssueCode, UnreadableFile
from audit_app.i18n import _
from audit_app.intake.layouts.profile.profile import MappingProfile
from audit_app.intake.source.grid import open_sheets, sheet_grid, source_kind
from audit_app.intake.source.limits import DEFAULT_LIMITS, Limits

LOOKED_AT_ROWS = 30
"""How many rows of another sheet are looked at for data."""


def sheets_not_read(
    path: Path | str,
    data: bytes | None,
    profile: MappingProfile,
    read_sheet: str,
    limits: Limits = DEFAULT_LIMITS,
) -> list[ImportIssue]:
    """A ``sheet_not_read`` note per other visible sheet holding any value."""
    if source_kind(path) == "csv":
        return []
    used = {read_sheet.casefold(), *(_cell_sheet(s.cell) for s in profile.values.values())}
    notes = []
    try:
        workbook, names = open_sheets(path, data, limits=limits)
        for name in names:
            if name.casefold() in used:
                continue
            rows = sheet_grid(workbook, name, nrows=LOOKED_AT_ROWS, limits=limits).rows
            if any(_filled(value) for row in rows for value in row):
                notes.append(
                    ImportIssue(
                        IssueCode.SHEET_NOT_READ,
                        _(
                            "holds data the profile '{profile}' does not read (it reads sheet "
                            "'{sheet}'; a profile naming this sheet imports it)"
                        ).format(profile=profile.name, sheet=read_sheet),
                        name,
                    )
                )
    except UnreadableFile:
        return notes  # the sheet that is read was readable; the others are only looked at
    return notes


def _cell_sheet(ref: str | None) -> str:
    sheet, bang, _ = (ref or "").rpartition("!")
    return sheet.strip().strip("'").casefold() if bang else ""


def _filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())
