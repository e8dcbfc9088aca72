"""Workbooks opened safely: the container checked first (zip bombs, macros, encryption),
then python-calamine, which never runs anything in the file; every sheet read within the
caps. Failures become one ``UnreadableFile`` naming the sheet and the reason."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from audit_app.domain.intake.model import UnreadableFile
from audit_app.i18n import _
from audit_app.intake.source.container import check_workbook, parser_failure
from audit_app.intake.source.limits import (
    DEFAULT_LIMITS,
    Limits,
    RefusedFile,
    check_cells,
    sheet_place,
)
from audit_app.intake.source.names import printable


def open_workbook(name: str, data: bytes, *, limits: Limits = DEFAULT_LIMITS) -> Any:
    """A calamine workbook, after refusing what must not or cannot be read safely."""
    from python_calamine import CalamineWorkbook

    try:
        check_workbook(Path(name).suffix.lower(), data, limits)
    except RefusedFile as error:
        raise UnreadableFile(str(error)) from None
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as error:  # calamine's own errors: zip, XML, password, format
        if not parser_failure(error):
            raise
        kind = type(error).__name__
        if kind == "PasswordError":
            raise UnreadableFile(_("the workbook is password-protected")) from None
        raise UnreadableFile(
            _("the workbook is damaged or not a spreadsheet ({reason})").format(
                reason=printable(error)
            )
        ) from None


def sheet_rows(
    workbook: Any, sheet_name: str, *, limits: Limits = DEFAULT_LIMITS
) -> tuple[list[list[Any]], int, int]:
    """The rows of a sheet from A1, and the (row, column) offset of the first (always 0, 0:
    with ``skip_empty_area=False`` calamine starts at A1 whatever ``sheet.start`` says).
    Refuses a sheet beyond the caps of ``intake.source.limits``."""
    try:
        sheet = workbook.get_sheet_by_name(sheet_name)
        rows = sheet.to_python(skip_empty_area=False)
    except BaseException as error:  # calamine's errors (XML, zip) and panics (dates)
        if not parser_failure(error):
            raise
        raise UnreadableFile(damaged(sheet_name, error)) from None
    try:
        check_cells(rows, sheet_place(sheet_name), limits=limits)
    except RefusedFile as error:
        raise UnreadableFile(str(error)) from None
    return rows, 0, 0


def damaged(sheet_name: str, error: BaseException) -> str:
    return _(
        "the workbook is damaged or holds a value no spreadsheet can show "
        "(sheet '{sheet}': {reason})"
    ).format(sheet=sheet_name, reason=printable(error))


@contextmanager
def collector_paused() -> Iterator[None]:
    """Building a few hundred thousand small cell objects (none of which can form a
    cycle) sets off Python's cyclic collector again and again; pausing it for the build
    roughly halves the reading time of a large sheet."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
