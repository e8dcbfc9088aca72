"""Rows of a branch list -> branches, every row accounted for: a branch, or refused with
its cell named. Pure: the reader (``intake.branch_list``) found the cells; the service
writes all or none.

A status column says open or closed in the words the chain's countries use; a closed
branch is kept, inactive (its audits stay), as a deactivated branch is."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from audit_app.domain.answers import NO_WORDS, YES_WORDS
from audit_app.domain.audit import Branch
from audit_app.domain.bounds import code_key
from audit_app.domain.intake.model import Cell, ImportIssue, IssueCode
from audit_app.domain.intake.vocabulary import fold, is_closed_marker
from audit_app.i18n import _, ngettext

OPEN_WORDS = frozenset(
    fold(word)
    for word in (
        "open", "opened", "active", "operating", "trading", "live",
        "abierto", "abierta", "activo", "activa", "obert", "oberta", "actiu", "activa",
        "deschis", "deschisa", "activ", "activa", "acik", "aktif", "faal",
    )
)  # fmt: skip
INACTIVE_WORDS = frozenset(
    fold(word)
    for word in (
        "inactive", "closed", "temporarily closed", "permanently closed", "shut", "disabled",
        "inactivo", "inactiva", "cerrada", "cerrado temporalmente", "baja",
        "inactiu", "inactiva", "tancada", "tancat temporalment",
        "inactiv", "inactiva", "inchis", "inchisa", "inchis temporar",
        "pasif", "kapali", "gecici olarak kapali",
    )
)  # fmt: skip
COUNTRY_NAMES = {
    fold(name): code
    for code, names in {
        "ES": ("Spain", "España", "Espanya", "Spania", "İspanya", "Espagne"),
        "RO": ("Romania", "România", "Rumanía", "Romanya", "Roumanie"),
        "TR": ("Turkey", "Türkiye", "Turkiye", "Turquía", "Turquia", "Turcia", "Turquie"),
        "AD": ("Andorra",),
        "PT": ("Portugal", "Portugalia", "Portekiz"),
        "FR": ("France", "Francia", "França", "Franța", "Fransa"),
        "IT": ("Italy", "Italia", "Itàlia", "İtalya"),
        "DE": ("Germany", "Alemania", "Alemanya", "Germania", "Almanya"),
        "GB": ("United Kingdom", "UK", "Great Britain", "Reino Unido", "Regne Unit"),
        "MD": ("Moldova", "Republica Moldova", "Moldavia"),
        "BG": ("Bulgaria", "Bulgaristan"),
    }.items()
    for name in names
}
"""Country names a list may write instead of the two-letter code."""
TEXT_FIELDS = ("code", "name", "region", "area", "address", "language", "manager", "franchisee")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class BranchRow:
    """One data row of a branch list: its row (or CSV line) and its cells by field."""

    row: int
    cells: Mapping[str, Cell]


@dataclass
class BranchRows:
    """What the rows gave: a branch per good row (with its row), the refusals, and the
    rows whose status said closed (kept, inactive)."""

    branches: list[tuple[int, Branch]] = field(default_factory=list)
    issues: list[ImportIssue] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


def is_code_shaped(value: Any) -> bool:
    return bool(_CODE.match(text_of(value)))


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def branch_status(value: Any) -> bool | None:
    """True open, False closed or inactive, None neither (``Refurb?``)."""
    if isinstance(value, bool):
        return value
    text = fold(text_of(value))
    if not text:
        return True
    if text in OPEN_WORDS or text in YES_WORDS:
        return True
    if text in INACTIVE_WORDS or text in NO_WORDS or is_closed_marker(text_of(value)):
        return False
    return None


def country_code(value: Any) -> str:
    """``Spain`` -> ``ES``; a code or anything unknown as written (the model judges it)."""
    text = text_of(value)
    return COUNTRY_NAMES.get(fold(text), text)


def branches_from_rows(
    rows: Sequence[BranchRow],
    constants: Mapping[str, str],
    headers: Mapping[str, str],
) -> BranchRows:
    """Each row as a branch, a cell of the file first, else the constant for its field
    (``--country ES``); problems named by row, field and cell, codes compared ignoring
    case and width."""
    out = BranchRows()
    seen: dict[str, int] = {}
    for row in rows:
        data: dict[str, Any] = {}
        bad = False
        for name, cell in row.cells.items():
            if name == "status":
                status = branch_status(cell.value)
                if status is None:
                    out.issues.append(
                        _issue(
                            row.row,
                            name,
                            cell,
                            headers,
                            _(
                                "'{value}' is not a status: write open or active, closed or "
                                "inactive"
                            ).format(value=text_of(cell.value)),
                        )
                    )
                    bad = True
                else:
                    data["active"] = status
                continue
            text = country_code(cell.value) if name == "country" else text_of(cell.value)
            if text:
                data[name] = text
        for name, value in constants.items():
            data.setdefault(name, value)
        if bad:
            continue
        try:
            branch = Branch.model_validate(data)
        except ValidationError as error:
            for detail in error.errors(include_url=False):
                name = ".".join(str(part) for part in detail["loc"])
                found = row.cells.get("status" if name == "active" else name)
                out.issues.append(_issue(row.row, name, found, headers, plain_problem(detail)))
            continue
        key = code_key(branch.code)
        if key in seen:
            out.issues.append(
                ImportIssue(
                    IssueCode.BRANCH_TWICE,
                    _(
                        "row {row}: code {code} repeats row {first} (codes are compared "
                        "ignoring case and width)"
                    ).format(row=row.row, code=branch.code, first=seen[key]),
                    _sheet(row.cells.get("code")),
                    _ref(row.cells.get("code")),
                    row.row,
                )
            )
            continue
        seen[key] = row.row
        if not branch.active:
            out.closed.append(row.row)
        out.branches.append((row.row, branch))
    return out


def _issue(
    row: int, name: str, cell: Cell | None, headers: Mapping[str, str], problem: str
) -> ImportIssue:
    values = {"row": row, "column": name, "problem": problem}
    if cell is not None and cell.sheet:
        header = headers.get("status" if name == "active" else name, "")
        message = _("row {row}, column {column} (cell {cell}, '{header}'): {problem}").format(
            **values, cell=cell.ref, header=header
        )
    elif cell is not None:
        header = headers.get("status" if name == "active" else name, "")
        message = _("row {row}, column {column} ('{header}'): {problem}").format(
            **values, header=header
        )
    else:
        message = _("row {row}, column {column}: {problem}").format(**values)
    return ImportIssue(
        IssueCode.BRANCH_INVALID,
        message,
        _sheet(cell),
        _ref(cell),
        row,
    )


def _sheet(cell: Cell | None) -> str | None:
    return cell.sheet or None if cell is not None else None


def _ref(cell: Cell | None) -> str | None:
    return cell.ref if cell is not None else None


def plain_problem(detail: Any) -> str:
    """Pydantic's message in a manager's words, for the cases a branch list runs into."""
    kind, ctx = detail["type"], detail.get("ctx") or {}
    if kind == "missing":
        return _("is empty (it is required)")
    if kind == "string_too_long":
        most = int(ctx.get("max_length") or 0)
        return ngettext(
            "is longer than {n} character", "is longer than {n} characters", most
        ).format(n=most)
    if kind == "string_too_short":
        least = int(ctx.get("min_length") or 0)
        return ngettext(
            "needs at least {n} character", "needs at least {n} characters", least
        ).format(n=least)
    if kind in {"bool_parsing", "bool_type"}:
        return _("'{value}' is not yes or no").format(value=detail.get("input"))
    if kind == "string_pattern_mismatch":
        return _("use letters, digits, '-', '_' or '.' (no spaces)")
    return str(detail["msg"]).removeprefix("Value error, ")
