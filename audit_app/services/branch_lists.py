"""Branch lists as chains keep them, read through the intake machinery: the header
found under banners, columns guessed by synonyms (and reported: field -> header and
column letter), constants for what the file does not hold (``--country ES``), doubts
about the guesses said before anything is written, every row accounted for.

Reading never writes; ``import_branch_list`` writes all the branches or none."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from audit_app.config import Settings
from audit_app.domain.audit import Branch
from audit_app.domain.intake.branch_list import branches_from_rows, country_code
from audit_app.domain.intake.model import (
    ImportIssue,
    IssueCode,
    SkippedRow,
    UnreadableFile,
    count_by_reason,
)
from audit_app.intake.branch_list.columns import ColumnGuess
from audit_app.intake.branch_list.doubts import Doubt
from audit_app.intake.branch_list.reading import read_branch_sheet
from audit_app.intake.source.limits import Limits
from audit_app.intake.source.tabular import TableFileError
from audit_app.services.branches import BranchFileError, save_branches
from audit_app.services.context import AppContext

CONSTANT_FIELDS = ("country", "region", "area")
"""Fields a constant may give every branch of a file (``--country``, ``--region``,
``--area``)."""
NEEDED = {"code": "the branch codes", "name": "the branch names"}
"""Fields that only the file can hold: without their column nothing is read."""
NEEDED_OR_CONSTANT = ("country", "region")
"""Fields every branch needs, from a column or a constant."""


@dataclass(frozen=True)
class BranchList:
    """A branch list read and checked, not yet written."""

    source: str
    sheet: str
    header_row: int
    columns: tuple[ColumnGuess, ...]
    constants: Mapping[str, str]
    unused: tuple[tuple[str, str], ...]
    branches: tuple[Branch, ...]
    closed_rows: tuple[int, ...]
    skipped: tuple[SkippedRow, ...]
    doubts: tuple[Doubt, ...]
    rows_read: int

    def report_lines(self) -> list[str]:
        """What was guessed, in words: where the header is, field -> column, constants,
        columns left aside, rows skipped, doubts."""
        where = f"sheet '{self.sheet}', row" if self.sheet else "line"
        lines = [f"header: {where} {self.header_row}"]
        for guess in self.columns:
            how = {"given": "as named", "weak": "a guess"}.get(guess.how, "recognised")
            lines.append(f"  {guess.field:<10} <- column {guess.letter} '{guess.header}' ({how})")
        for name, value in self.constants.items():
            taken = any(g.field == name for g in self.columns)
            lines.append(f"  {name:<10} <- {value} (given{', for blank cells' if taken else ''})")
        if self.unused:
            shown = ", ".join(f"{letter} '{header}'" for letter, header in self.unused)
            lines.append(f"  not used: {shown}")
        counts = count_by_reason(list(self.skipped))
        lines.append(
            f"rows: {self.rows_read} read, {len(self.branches)} branches"
            + (f" ({len(self.closed_rows)} closed, kept inactive)" if self.closed_rows else "")
            + "".join(f", {n} skipped ({reason})" for reason, n in counts.items())
        )
        for row in self.skipped:
            if row.text:
                lines.append(f"  skipped row {row.row} ({row.reason.label}): {row.text}")
        lines.extend(f"warning: {doubt.message}" for doubt in self.doubts)
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sheet": self.sheet or None,
            "header_row": self.header_row,
            "columns": [guess.to_dict() for guess in self.columns],
            "constants": dict(self.constants),
            "unused_columns": [{"column": c, "header": h} for c, h in self.unused],
            "rows_read": self.rows_read,
            "branches": len(self.branches),
            "closed_rows": list(self.closed_rows),
            "skipped": [row.to_dict() for row in self.skipped],
            "warnings": [doubt.to_dict() for doubt in self.doubts],
        }


@dataclass(frozen=True)
class BranchListImport:
    """A branch list and what writing it did (or would do, in a dry run)."""

    branch_list: BranchList
    inserted: int
    updated: int
    unchanged: int
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
            **self.branch_list.to_dict(),
        }


@dataclass
class BranchListOptions:
    """What the user adds to a file: constants for fields it lacks, columns named by
    hand (field -> header text), and ``strict`` (refuse on any doubt)."""

    constants: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    strict: bool = False


def read_branch_list(
    path: Path | str,
    options: BranchListOptions | None = None,
    *,
    data: bytes | None = None,
    limits: Limits | None = None,
) -> BranchList:
    """The branches of a list and the report of how it was read; every problem of every
    row in one ``BranchFileError``."""
    options = options or BranchListOptions()
    source = str(path)
    constants = _constants(source, options.constants)
    try:
        sheet = read_branch_sheet(path, data, columns=options.columns, limits=limits or Limits())
    except UnreadableFile as error:
        raise TableFileError(f"{source}: {error}", error.code) from None
    problems: list[ImportIssue] = [
        ImportIssue(IssueCode.COLUMN_MISSING, problem) for problem in sheet.problems
    ]
    header_words = ", ".join(f"'{h}'" for h in [g.header for g in sheet.columns.values()])
    seen = header_words or "none recognised"
    for name, what in NEEDED.items():
        if name not in sheet.columns:
            problems.append(
                ImportIssue(
                    IssueCode.COLUMN_MISSING,
                    f"no column for {what} in the header (row {sheet.header_row}; columns "
                    f'recognised: {seen}); name it with --column {name}="HEADER"',
                )
            )
    for name in NEEDED_OR_CONSTANT:
        if name not in sheet.columns and name not in constants:
            problems.append(
                ImportIssue(
                    IssueCode.CONSTANT_NEEDED,
                    f"the file has no {name} column: pass "
                    + (
                        "--country CODE (two letters: ES, RO, TR, GB…)"
                        if name == "country"
                        else f"--{name} NAME"
                    )
                    + f" for every branch of the file (on the Admin page: the "
                    f"{name.capitalize()} field)",
                )
            )
    if problems:
        _refuse(source, problems)
    if options.strict and sheet.doubts:
        _refuse(
            source,
            [
                ImportIssue(IssueCode.COLUMN_DOUBTED, f"{d.message} (refused by --strict)")
                for d in sheet.doubts
            ],
        )
    found = branches_from_rows(sheet.rows, constants, sheet.headers())
    if found.issues:
        _refuse(source, found.issues)
    if not found.branches:
        _refuse(source, [ImportIssue(IssueCode.NO_VISITS, "no branch rows below the header")])
    return BranchList(
        source=source,
        sheet=sheet.sheet,
        header_row=sheet.header_row,
        columns=tuple(sheet.columns.values()),
        constants=constants,
        unused=tuple(sheet.unused),
        branches=tuple(branch for _, branch in found.branches),
        closed_rows=tuple(found.closed),
        skipped=tuple(sheet.skipped),
        doubts=tuple(sheet.doubts),
        rows_read=sheet.rows_read,
    )


def _constants(source: str, given: Mapping[str, str]) -> dict[str, str]:
    """The constants, checked before the file is read: a country is a two-letter code
    (``Spain`` is taken for ``ES``)."""
    out: dict[str, str] = {}
    for name, value in given.items():
        text = (value or "").strip()
        if not text:
            continue
        if name not in CONSTANT_FIELDS:
            raise BranchFileError(source, [f"{name} cannot be given for every branch"])
        if name == "country":
            text = country_code(text).upper()
            if len(text) != 2 or not text.isalpha():
                raise BranchFileError(
                    source,
                    [f"--country '{value}' is not a two-letter country code such as ES, RO"],
                    [IssueCode.CONSTANT_NEEDED.value],
                )
        out[name] = text
    return out


def _refuse(source: str, issues: list[ImportIssue]) -> None:
    raise BranchFileError(
        source, [issue.message for issue in issues], [issue.code.value for issue in issues]
    )


def import_branch_list(
    ctx: AppContext,
    path: Path | str,
    options: BranchListOptions | None = None,
    *,
    data: bytes | None = None,
    dry_run: bool = False,
) -> BranchListImport:
    """Read the list, then add or update its branches, all or none (``dry_run``: count
    what would be added and changed, write nothing)."""
    branch_list = read_branch_list(
        path, options, data=data, limits=Limits.from_settings(ctx.settings)
    )
    if dry_run:
        return preview(ctx, branch_list)
    result = save_branches(ctx, with_stored_fields(ctx, branch_list))
    return BranchListImport(branch_list, result.inserted, result.updated, result.unchanged)


def preview(ctx: AppContext, branch_list: BranchList) -> BranchListImport:
    """What writing the list would do, against the branches stored now."""
    known = _stored(ctx)
    branches = _kept_as_stored(branch_list, known)
    new = sum(1 for b in branches if b.code not in known)
    same = sum(1 for b in branches if known.get(b.code) == b)
    changed = len(branches) - new - same
    return BranchListImport(branch_list, new, changed, same, dry_run=True)


def _stored(ctx: AppContext) -> dict[str, Branch]:
    from audit_app.services.branches import list_branches

    return {branch.code: branch for branch in list_branches(ctx)}


def with_stored_fields(ctx: AppContext, branch_list: BranchList) -> list[Branch]:
    """What importing the list writes: its branches, each known one keeping the fields
    the list does not hold."""
    return _kept_as_stored(branch_list, _stored(ctx))


def _kept_as_stored(branch_list: BranchList, stored: Mapping[str, Branch]) -> list[Branch]:
    """The list's branches, where a branch is already stored with the fields the list does
    not hold (no column, no constant) kept as stored: a list of codes, names and regions
    leaves the manager, the franchisee, the language and a store's closing alone."""
    held = {guess.field for guess in branch_list.columns} | set(branch_list.constants)
    held |= {"active"} if "status" in held else set()
    kept = [name for name in Branch.model_fields if name not in held and name != "code"]
    out = []
    for branch in branch_list.branches:
        before = stored.get(branch.code)
        if before is not None:
            branch = branch.model_copy(update={name: getattr(before, name) for name in kept})
        out.append(branch)
    return out


def read_branch_list_bytes(
    name: str,
    data: bytes,
    options: BranchListOptions | None = None,
    *,
    settings: Settings | None = None,
) -> BranchList:
    """``read_branch_list`` for an uploaded file; messages name the upload, not a
    temporary path."""
    from audit_app.intake.source.names import safe_file_name

    shown = safe_file_name(name) or "branches.csv"
    limits = Limits.from_settings(settings) if settings else None
    try:
        return read_branch_list(shown, options, data=data, limits=limits)
    except BranchFileError as error:
        raise BranchFileError(shown, error.problems, error.codes) from None
