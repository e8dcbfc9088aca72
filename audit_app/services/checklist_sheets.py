"""Checklists kept in spreadsheets: read one (every problem named at its cell, the result
validated by the checklist model), register it as a YAML file in the checklists folder
(where every command finds checklists), and write a checklist back as a spreadsheet."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from audit_app.checklists import Catalogue, ChecklistFileError, dump_checklist, parse_checklist
from audit_app.config import Settings, load_settings
from audit_app.domain.checklist import Checklist
from audit_app.domain.checklist_sheet.build import ChecklistRequest, locate
from audit_app.domain.intake.model import ImportIssue, IssueCode, UnreadableFile
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.intake.checklist_sheet import checklist_workbook, read_checklist_file
from audit_app.intake.source.limits import Limits
from audit_app.services.access import check_head_office
from audit_app.services.checklists import resolve_checklist
from audit_app.services.context import AppContext


@dataclass(frozen=True)
class ChecklistSheetImport:
    """What a checklist spreadsheet gave: the checklist, or every problem (never both)."""

    checklist: Checklist | None
    issues: tuple[ImportIssue, ...]
    sheet: str = ""
    header_row: int | None = None
    questions: int = 0
    rows_read: int = 0
    banners: tuple[int, ...] = ()
    blank_rows: tuple[int, ...] = ()

    @property
    def ok(self) -> bool:
        return self.checklist is not None and not self.issues

    def to_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "sheet": self.sheet or None,
            "header_row": self.header_row,
            "rows_read": self.rows_read,
            "questions": self.questions,
            "section_rows": list(self.banners),
            "blank_rows": list(self.blank_rows),
            "checklist": (
                {
                    "id": self.checklist.id,
                    "version": self.checklist.version,
                    "languages": self.checklist.languages,
                    "sections": len(self.checklist.sections),
                    "items": len(self.checklist.items),
                }
                if self.checklist is not None
                else None
            ),
            "problems": [issue.to_dict() for issue in self.issues],
        }


class ChecklistSheetRefused(AuditAppError):
    """A checklist spreadsheet with problems: nothing was written."""

    def __init__(self, result: ChecklistSheetImport) -> None:
        self.result = result
        count = len(result.issues)
        super().__init__(
            _("{n} problem(s) in the checklist spreadsheet; nothing was written").format(n=count)
        )


def read_checklist_sheet(
    name: str,
    data: bytes,
    *,
    checklist_id: str,
    title: str | None = None,
    version: int | None = None,
    language: str | None = None,
    settings: Settings | None = None,
) -> ChecklistSheetImport:
    """A checklist from a spreadsheet of questions (``name`` says .xlsx or .csv)."""
    limits = Limits.from_settings(settings or load_settings())
    request = ChecklistRequest(checklist_id, title, version, language)
    try:
        found = read_checklist_file(name, data, request, limits=limits)
    except UnreadableFile as error:
        return ChecklistSheetImport(None, (ImportIssue(error.code, str(error)),))
    reading = found.reading
    issues = list(reading.issues)
    checklist = None
    if reading.data is not None and not issues:
        try:
            checklist = parse_checklist(reading.data, name)
        except ChecklistFileError as error:
            for problem in error.problems:
                cell = locate(problem.location, reading.places)
                where = problem.location
                message = f"{problem.reason} ({where})" if where else problem.reason
                if cell is None:
                    issues.append(ImportIssue(IssueCode.CHECKLIST_RULE_BROKEN, message))
                else:
                    issues.append(ImportIssue.at(IssueCode.CHECKLIST_RULE_BROKEN, cell, message))
    return ChecklistSheetImport(
        None if issues else checklist,
        tuple(issues),
        found.sheet,
        found.header_row,
        reading.questions,
        reading.rows_read,
        reading.banners,
        reading.blank_rows,
    )


def import_checklist_file(
    path: Path | str,
    *,
    checklist_id: str,
    title: str | None = None,
    version: int | None = None,
    language: str | None = None,
    settings: Settings | None = None,
) -> ChecklistSheetImport:
    """Like :func:`read_checklist_sheet`, for a file on disk; refuses when any problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise AuditAppError(f"no such file: {path}") from None
    except OSError as error:
        raise AuditAppError(f"{path}: cannot be read ({error.strerror or error})") from None
    result = read_checklist_sheet(
        path.name,
        data,
        checklist_id=checklist_id,
        title=title,
        version=version,
        language=language,
        settings=settings,
    )
    if not result.ok:
        raise ChecklistSheetRefused(result)
    return result


def checklist_file_name(checklist: Checklist) -> str:
    return f"{checklist.id}.v{checklist.version}.yaml"


def write_checklist_yaml(checklist: Checklist, path: Path | str) -> Path:
    """The checklist's YAML, written whole or not at all (a temporary file renamed)."""
    path = Path(path)
    _write_atomically(path, dump_checklist(checklist).encode("utf-8"))
    return path


def register_checklist(checklist: Checklist, settings: Settings | None = None) -> Path:
    """Put the checklist in the checklists folder as ``ID.vN.yaml``, where every command
    loads checklists from. A version that is already there with other content is refused
    (a changed checklist is a new version); the same content is left as it is."""
    settings = settings or load_settings()
    folder = Path(settings.checklists_dir)
    catalogue = Catalogue.from_folder(folder)
    path = folder / checklist_file_name(checklist)
    try:
        known = catalogue.get(checklist.id, checklist.version)
    except AuditAppError:
        known = None
    if known is not None:
        if known.content_hash == checklist.content_hash and known == checklist:
            return path
        newest = catalogue.get(checklist.id).version
        raise AuditAppError(
            _(
                "checklist {checklist} version {version} already exists with other content; "
                "import it as a new version (--version {next})"
            ).format(version=checklist.version, checklist=checklist.id, next=newest + 1)
        )
    write_checklist_yaml(checklist, path)
    return path


def export_checklist_workbook(ref: str, settings: Settings | None = None) -> bytes:
    """The checklist (``ID``, ``ID@VERSION`` or a YAML path) as a questions spreadsheet."""
    return checklist_workbook(resolve_checklist(ref, settings))


def workbook_of(checklist: Checklist) -> bytes:
    return checklist_workbook(checklist)


def write_bytes(path: Path | str, data: bytes) -> Path:
    path = Path(path)
    _write_atomically(path, data)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise AuditAppError(f"folder {path.parent} does not exist")
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        Path(temporary).chmod(0o644)  # checklists are shared data, not secrets
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_checklist_sheet(ctx: AppContext, checklist: Checklist) -> Path:
    """Register a checklist read from a spreadsheet (head office only)."""
    check_head_office(ctx, "add checklists")
    return register_checklist(checklist, ctx.settings)
