"""Branches: save (all or none), list, edit; lists are read by ``services.branch_lists``."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection

from audit_app.config import Settings
from audit_app.domain.audit import Branch
from audit_app.domain.bounds import Bounds, OutOfBounds, code_key
from audit_app.domain.intake.branch_list import plain_problem
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _
from audit_app.intake.source.limits import Limits
from audit_app.services.access import check_head_office, sees
from audit_app.services.context import AppContext
from audit_app.storage import database, repository
from audit_app.storage.repository import BranchUpsert


class BranchFileError(AuditAppError):
    def __init__(self, source: str, problems: Sequence[str], codes: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        self.codes = tuple(codes)
        """The codes of the problems that have one: ``BoundCode`` values and
        ``code_taken`` (a code that is another's ignoring case and width)."""
        shown = "; ".join(self.problems[:20])
        extra = len(self.problems) - 20
        more = _("; and {count} more").format(count=extra) if extra > 0 else ""
        super().__init__(
            _("{source}: {problems}{more}. Nothing was imported.").format(
                source=_(source), problems=shown, more=more
            )
        )


def read_branches(path: Path | str, limits: Limits | None = None) -> list[Branch]:
    """The branches of a list, read as ``services.branch_lists`` reads any list (columns
    by synonyms, header under banners); every problem in one ``BranchFileError``."""
    from audit_app.services.branch_lists import read_branch_list

    return list(read_branch_list(path, limits=limits).branches)


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
    check_head_office(ctx, N_("add or change branches"))
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
        raise BranchFileError(N_("branches"), problems, codes)

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
                _(
                    "code {code} is branch {taken}'s (codes are the same ignoring case "
                    "and width); use the existing code or a different one"
                ).format(code=branch.code, taken=taken)
            )
    if problems:
        raise BranchFileError(N_("branches"), problems, ["code_taken"] * len(problems))


def list_branches(ctx: AppContext) -> list[Branch]:
    """The branches the acting user may see (all of them for head office and viewers).

    A read: it never takes the writer's lock (every page asks for it; under load it queued
    behind every submission and log-in). The branches (frozen) are kept per database while
    its branch stamp stays the same: building 5,000 of them took 45-100 ms of every page
    run on the ten-times set, the stamp 1 ms."""
    with database.snapshot(ctx.engine) as conn:
        every = _every_branch(ctx, conn)
    return [branch for branch in every if sees(ctx, branch)]


_kept_branches: dict[str, tuple[tuple[Any, ...], tuple[Branch, ...]]] = {}
_kept_lock = threading.Lock()


def _every_branch(ctx: AppContext, conn: Connection) -> tuple[Branch, ...]:
    """Every branch, read again only when the database's branch stamp moved."""
    key = ctx.settings.resolved_database_url
    stamp = repository.branch_stamp(conn)
    with _kept_lock:
        kept = _kept_branches.get(key)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    every = tuple(repository.list_branches(conn))
    with _kept_lock:
        _kept_branches[key] = (stamp, every)
    return every


def read_branches_bytes(name: str, data: bytes, settings: Settings | None = None) -> list[Branch]:
    """``read_branches`` for an uploaded file: the app has bytes and a file name, not a path."""
    from audit_app.services.branch_lists import read_branch_list_bytes

    return list(read_branch_list_bytes(name, data, settings=settings).branches)


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
    check_head_office(ctx, N_("add or change branches"))
    known = {branch.code: branch for branch in list_branches(ctx)}
    problems: list[str] = []
    changed: list[Branch] = []
    for code, fields in changes.items():
        branch = known.get(code)
        if branch is None:
            problems.append(_("{code}: no such branch").format(code=code))
            continue
        wrong = [name for name in fields if name not in EDITABLE_FIELDS]
        if wrong:
            problems.append(
                _("{code}: {fields} cannot be changed here").format(
                    code=code, fields=", ".join(wrong)
                )
            )
            continue
        values = {k: ("" if v is None and k != "active" else v) for k, v in fields.items()}
        try:
            changed.append(Branch.model_validate({**branch.model_dump(), **values}))
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                column = ".".join(str(part) for part in detail["loc"])
                problems.append(f"{code}, {column}: {plain_problem(detail)}")
    if problems:
        raise BranchFileError(N_("branch changes"), problems)
    return save_branches(ctx, changed)


def set_branch_active(ctx: AppContext, code: str, active: bool) -> BranchUpsert:
    """Deactivate a branch that closed (its audits stay), or reactivate it."""
    return update_branches(ctx, {code: {"active": active}})
