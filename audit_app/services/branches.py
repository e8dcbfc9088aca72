"""Branches: import from CSV or Excel (all rows or none), list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from audit_app.config import Settings
from audit_app.domain.answers import NO_WORDS, YES_WORDS
from audit_app.domain.audit import Branch
from audit_app.domain.bounds import Bounds, OutOfBounds, code_key
from audit_app.errors import AuditAppError
from audit_app.intake.source.limits import Limits
from audit_app.intake.source.tabular import read_table
from audit_app.services.access import check_head_office, sees
from audit_app.services.context import AppContext
from audit_app.storage import database, repository
from audit_app.storage.repository import BranchUpsert

REQUIRED_COLUMNS = ("code", "name", "region", "country")
KNOWN_COLUMNS = tuple(Branch.model_fields)


class BranchFileError(AuditAppError):
    def __init__(self, source: str, problems: Sequence[str], codes: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        self.codes = tuple(codes)
        """The codes of the problems that have one: ``BoundCode`` values and
        ``code_taken`` (a code that is another's ignoring case and width)."""
        shown = "; ".join(self.problems[:20])
        more = f"; and {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{source}: {shown}{more}. Nothing was imported.")


def read_branches(path: Path | str, limits: Limits | None = None) -> list[Branch]:
    table = read_table(path, limits=limits or Limits())
    columns = {name.strip().lower().replace(" ", "_") for name in table.header}
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise BranchFileError(
            table.source,
            [f"missing column(s) {', '.join(missing)} (columns: {', '.join(KNOWN_COLUMNS)})"],
        )
    branches: list[Branch] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row, cells in table.records():
        data = {key: _cell(key, value) for key, value in cells.items() if key in KNOWN_COLUMNS}
        data = {key: value for key, value in data.items() if value is not None}
        try:
            branch = Branch.model_validate(data)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                column = ".".join(str(part) for part in detail["loc"])
                problems.append(f"row {row}, column {column}: {_plain(detail)}")
            continue
        key = code_key(branch.code)
        if key in seen:
            problems.append(
                f"row {row}: code {branch.code} repeats row {seen[key]} "
                "(codes are compared ignoring case and width)"
            )
            continue
        seen[key] = row
        branches.append(branch)
    if problems:
        raise BranchFileError(table.source, problems)
    if not branches:
        raise BranchFileError(table.source, ["no branch rows below the header"])
    return branches


def _plain(detail: Any) -> str:
    """Pydantic's message in a manager's words, for the cases a branch list runs into."""
    kind, ctx = detail["type"], detail.get("ctx") or {}
    if kind == "missing":
        return "is empty (it is required)"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return f"needs at least {ctx.get('min_length')} characters"
    if kind in {"bool_parsing", "bool_type"}:
        return f"'{detail.get('input')}' is not yes or no"
    if kind == "string_pattern_mismatch":
        return "use letters, digits, '-', '_' or '.' (no spaces)"
    return str(detail["msg"]).removeprefix("Value error, ")


def _cell(key: str, value: Any) -> Any:
    if value is None:
        return None
    if key == "active":
        word = str(value).strip().casefold()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def import_branches(ctx: AppContext, path: Path | str) -> BranchUpsert:
    branches = read_branches(path, Limits.from_settings(ctx.settings))
    return save_branches(ctx, branches)


NAME_FIELDS = ("name", "manager", "franchisee")
"""One-line fields held to ``AUDIT_MAX_NAME_CHARS``; region, area and address to their
own column widths (``Branch``)."""
LINE_FIELDS = {"region": 100, "area": 100, "address": 500}


def bounded_branch(branch: Branch, bounds: Bounds) -> Branch:
    """The branch with its names held to the bounds (cleaned, see ``domain.bounds``), or
    ``OutOfBounds`` naming the branch and the field."""
    changed: dict[str, str] = {}
    try:
        for field in NAME_FIELDS:
            changed[field] = bounds.name(getattr(branch, field), f"the {field}")
        for field, width in LINE_FIELDS.items():
            changed[field] = bounds.name(getattr(branch, field), f"the {field}", limit=width)
    except OutOfBounds as error:
        raise error.within(f"branch {branch.code}") from None
    if all(getattr(branch, field) == value for field, value in changed.items()):
        return branch
    return branch.model_copy(update=changed)


def save_branches(ctx: AppContext, branches: Sequence[Branch]) -> BranchUpsert:
    """Insert or update branches, all or none: every name held to the bounds, and no code
    that is another's ignoring case and width (``es-cat-01`` beside ``ES-CAT-01``)."""
    check_head_office(ctx, "add or change branches")
    problems: list[str] = []
    codes: list[str] = []
    checked: list[Branch] = []
    for branch in branches:
        try:
            checked.append(bounded_branch(branch, ctx.settings.bounds))
        except OutOfBounds as error:
            problems.append(str(error))
            codes.append(error.code.value)
    if problems:
        raise BranchFileError("branches", problems, codes)

    def upsert() -> BranchUpsert:
        with database.transaction(ctx.engine) as conn:
            _refuse_taken_codes(checked, repository.branch_ids(conn))
            return repository.upsert_branches(conn, checked)

    # A branch another copy of the app added meanwhile is updated on the second try.
    return database.once_more_on_conflict(upsert)


def _refuse_taken_codes(branches: Sequence[Branch], stored: Iterable[str]) -> None:
    """A code that is a stored or another new branch's ignoring case and width is refused,
    naming both codes."""
    owner = {code_key(code): code for code in stored}
    problems = []
    for branch in branches:
        key = code_key(branch.code)
        taken = owner.setdefault(key, branch.code)
        if taken != branch.code:
            problems.append(
                f"code {branch.code} is branch {taken}'s (codes are the same ignoring case "
                "and width); use the existing code or a different one"
            )
    if problems:
        raise BranchFileError("branches", problems, ["code_taken"] * len(problems))


def list_branches(ctx: AppContext) -> list[Branch]:
    """The branches the acting user may see (all of them for head office and viewers)."""
    with database.transaction(ctx.engine) as conn:
        return [branch for branch in repository.list_branches(conn) if sees(ctx, branch)]


def read_branches_bytes(name: str, data: bytes, settings: Settings | None = None) -> list[Branch]:
    """``read_branches`` for an uploaded file: the app has bytes and a file name, not a path.

    Messages name the uploaded file, not the temporary copy read behind the scenes."""
    import tempfile

    from audit_app.intake.source.names import safe_file_name
    from audit_app.intake.source.tabular import TableFileError

    shown = safe_file_name(name) or "branches.csv"
    with tempfile.TemporaryDirectory(prefix="audit-branches-") as folder:
        path = Path(folder) / shown
        path.write_bytes(data)
        try:
            return read_branches(path, Limits.from_settings(settings) if settings else None)
        except BranchFileError as error:
            raise BranchFileError(shown, error.problems) from None
        except TableFileError as error:
            raise TableFileError(str(error).replace(str(path), shown)) from None


EDITABLE_FIELDS = (
    "name",
    "region",
    "area",
    "country",
    "language",
    "manager",
    "franchisee",
    "address",
    "active",
)


def update_branches(ctx: AppContext, changes: dict[str, dict[str, Any]]) -> BranchUpsert:
    """Change fields of existing branches (code -> {field: value}), all or none.

    The codes stay: a code is what audits and imports refer to, so it is never edited here.
    Every problem of every row is named before anything is written."""
    check_head_office(ctx, "add or change branches")
    known = {branch.code: branch for branch in list_branches(ctx)}
    problems: list[str] = []
    changed: list[Branch] = []
    for code, fields in changes.items():
        branch = known.get(code)
        if branch is None:
            problems.append(f"{code}: no such branch")
            continue
        wrong = [name for name in fields if name not in EDITABLE_FIELDS]
        if wrong:
            problems.append(f"{code}: {', '.join(wrong)} cannot be changed here")
            continue
        values = {k: ("" if v is None and k != "active" else v) for k, v in fields.items()}
        try:
            changed.append(Branch.model_validate({**branch.model_dump(), **values}))
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                column = ".".join(str(part) for part in detail["loc"])
                problems.append(f"{code}, {column}: {_plain(detail)}")
    if problems:
        raise BranchFileError("branch changes", problems)
    return save_branches(ctx, changed)


def set_branch_active(ctx: AppContext, code: str, active: bool) -> BranchUpsert:
    """Deactivate a branch that closed (its audits stay), or reactivate it."""
    return update_branches(ctx, {code: {"active": active}})
