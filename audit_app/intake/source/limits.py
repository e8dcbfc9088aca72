"""How much of a file from outside is read, so that a hostile or broken file is refused in
bounded time and memory instead of exhausting the server (which every user shares).

The upload and inflated-size caps come from the settings (``AUDIT_MAX_UPLOAD_MB``,
``AUDIT_MAX_INFLATED_MB``); the caps on rows, columns, cells and cell length are fixed
here, well above any audit file (a bulk file of 5,000 visits of 60 questions is 5,000 rows
by 66 columns). Every refusal names the cap it met, in words.

Every reader takes the caps as an argument (``limits=``): the services pass
``Limits.from_settings(ctx.settings)``; a reader called without them is bounded by this
module's defaults, never by whatever the environment holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from audit_app.domain.intake.model import cell_ref
from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats

if TYPE_CHECKING:
    from audit_app.config import Settings

MB = 2**20
"""A megabyte as Streamlit counts ``--server.maxUploadSize``."""


class RefusedFile(AuditAppError):
    """The file is refused before or while it is read; the message says why, in words."""


@dataclass(frozen=True)
class Limits:
    max_upload_mb: int = 20
    max_inflated_mb: int = 200
    max_rows: int = 100_000
    """Rows of one sheet, or lines of a CSV file."""
    max_columns: int = 1_000
    max_cells: int = 5_000_000
    """Rows x columns of the area read (a sheet is read as a rectangle from A1)."""
    max_cell_chars: int = 32_767
    """Excel's own limit: a longer cell was not typed in Excel."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(max_upload_mb=settings.max_upload_mb, max_inflated_mb=settings.max_inflated_mb)

    @property
    def upload_bytes(self) -> int:
        return self.max_upload_mb * MB

    @property
    def inflated_bytes(self) -> int:
        return self.max_inflated_mb * MB


DEFAULT_LIMITS = Limits()
"""The caps of a reader called without the settings' (tests, ``audit-app score``)."""


def megabytes(size: int) -> str:
    """A size in megabytes, in the current language's number format."""
    return f"{formats.decimal(size / MB, 1 if size < 10 * MB else 0)} MB"


def check_upload_size(size: int, limits: Limits) -> None:
    if size > limits.upload_bytes:
        raise RefusedFile(
            _(
                "the file is larger than the {limit} MB upload limit ({size}; AUDIT_MAX_UPLOAD_MB)"
            ).format(limit=formats.integer(limits.max_upload_mb), size=megabytes(size))
        )


def inflated_message(size: int | None, limits: Limits) -> str:
    limit = formats.integer(limits.max_inflated_mb)
    if size is not None:
        return _(
            "the workbook would inflate to {size}, more than the {limit} MB limit "
            "(AUDIT_MAX_INFLATED_MB); a workbook that small cannot hold that much, it is "
            "probably a zip bomb"
        ).format(size=megabytes(size), limit=limit)
    return _(
        "the workbook would inflate to more than the {limit} MB limit "
        "(AUDIT_MAX_INFLATED_MB); a workbook that small cannot hold that much, it is "
        "probably a zip bomb"
    ).format(limit=limit)


def sheet_place(name: str) -> str:
    """Where a refusal happened: ``sheet 'Visits'``, in the current language."""
    return _("sheet '{name}'").format(name=name)


def check_extent(where: str, last_row: int, last_column: int, limits: Limits) -> None:
    """A sheet whose values reach row ``last_row`` (1-based) and column ``last_column``
    (0-based) is read as that rectangle from A1: refuse it when the rectangle is too big."""
    far = cell_ref(last_row, last_column)
    if last_row > limits.max_rows:
        raise RefusedFile(
            _(
                "{where} reaches row {row} (its values span A1:{far}); at most "
                "{limit} rows are read"
            ).format(
                where=where,
                row=formats.integer(last_row),
                far=far,
                limit=formats.integer(limits.max_rows),
            )
        )
    if last_column + 1 > limits.max_columns:
        raise RefusedFile(
            _(
                "{where} reaches column {column} (its values span A1:{far}); at "
                "most {limit} columns are read"
            ).format(
                where=where,
                column=formats.integer(last_column + 1),
                far=far,
                limit=formats.integer(limits.max_columns),
            )
        )
    if last_row * (last_column + 1) > limits.max_cells:
        raise RefusedFile(
            _("{where} spans A1:{far}, {cells} cells; at most {limit} cells are read").format(
                where=where,
                far=far,
                cells=formats.integer(last_row * (last_column + 1)),
                limit=formats.integer(limits.max_cells),
            )
        )


def check_cells(
    rows: Sequence[Sequence[Any]],
    where: str,
    first_row: int = 0,
    first_column: int = 0,
    *,
    limits: Limits,
) -> None:
    """Refuse a sheet read whose shape or any text exceeds the caps (0-based offsets of
    ``rows[0][0]`` name the cell)."""
    width = max((len(row) for row in rows), default=0)
    if rows and width:
        check_extent(where, first_row + len(rows), first_column + width - 1, limits)
    cap = limits.max_cell_chars
    for offset, row in enumerate(rows):
        for column, value in enumerate(row):
            if isinstance(value, str) and len(value) > cap:
                ref = cell_ref(first_row + offset + 1, first_column + column)
                raise RefusedFile(
                    _(
                        "{where}, cell {cell} holds {length} characters; a cell may hold "
                        "at most {limit} (Excel's own limit)"
                    ).format(
                        where=where,
                        cell=ref,
                        length=formats.integer(len(value)),
                        limit=formats.integer(cap),
                    )
                )
