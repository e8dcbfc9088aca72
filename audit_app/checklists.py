"""Load, validate and list the checklist YAML files.

A broken file is reported with its path, the place inside it written the way a person
would point at it (``sections[2].items[4].target``) and the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from audit_app.domain.checklist import ITEM_TYPES, Checklist, ChecklistProblem
from audit_app.errors import AuditAppError
from audit_app.i18n import _

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where installed: ten times faster, and every command loads the files."""

FILE_PATTERN = re.compile(r"^(?P<id>[a-z0-9][a-z0-9_\-]*)\.v(?P<version>\d+)\.ya?ml$")


@dataclass(frozen=True)
class Problem:
    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}" if self.location else self.reason


class ChecklistFileError(AuditAppError):
    """A checklist file that cannot be used, with every problem found in it."""

    def __init__(self, path: Path | str, problems: Iterable[Problem]) -> None:
        self.path = Path(path)
        self.problems = tuple(problems)
        lines = "; ".join(str(problem) for problem in self.problems)
        super().__init__(f"{self.path}: {lines}")


def format_location(loc: Iterable[int | str]) -> str:
    """``('sections', 2, 'items', 4, 'number', 'target')`` -> ``sections[2].items[4].target``.

    Pydantic puts the discriminator value (the item type) into the location of a tagged
    union member; a person reading the file does not see it there, so it is dropped.
    """
    parts: list[str] = []
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif isinstance(previous, int) and part in ITEM_TYPES:
            pass
        else:
            parts.append(f".{part}" if parts else str(part))
        previous = part
    return "".join(parts)


def _problems_from(error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for detail in error.errors(include_url=False):
        location = format_location(detail["loc"])
        cause = (detail.get("ctx") or {}).get("error")
        if isinstance(cause, ChecklistProblem):
            inner = cause.location
            location = f"{location}.{inner}" if location and inner else (location or inner)
            problems.append(Problem(location, cause.reason))
            continue
        message = detail["msg"].removeprefix("Value error, ")
        if detail["type"] == "extra_forbidden":
            message = _("is not a known field (check the spelling)")
        elif detail["type"] == "missing":
            message = _("is required")
        elif detail["type"] == "union_tag_invalid":
            message = _("unknown item type '{type}' (allowed: {allowed})").format(
                type=detail["input"].get("type"), allowed=", ".join(sorted(ITEM_TYPES))
            )
        elif detail["type"] == "union_tag_not_found":
            message = _("the item has no type")
        problems.append(Problem(location, message))
    return problems


def parse_checklist(data: Any, source: Path | str = "<checklist>") -> Checklist:
    if not isinstance(data, dict):
        raise ChecklistFileError(source, [Problem("", _("the file must hold one mapping"))])
    try:
        return Checklist.model_validate(data)
    except ValidationError as error:
        raise ChecklistFileError(source, _problems_from(error)) from None


def load_checklist(path: Path | str) -> Checklist:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ChecklistFileError(
            path, [Problem("", _("cannot be read ({reason})").format(reason=error))]
        ) from None
    try:
        data = yaml.load(text, Loader=SAFE_LOADER)  # safe: the C build of SafeLoader
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = (
            _("line {line}, column {column}").format(line=mark.line + 1, column=mark.column + 1)
            if mark
            else ""
        )
        reason = getattr(error, "problem", None) or str(error)
        problem = Problem(where, _("not valid YAML: {reason}").format(reason=reason))
        raise ChecklistFileError(path, [problem]) from None
    checklist = parse_checklist(data, path)
    match = FILE_PATTERN.match(path.name)
    if match and (match["id"], int(match["version"])) != (checklist.id, checklist.version):
        raise ChecklistFileError(
            path,
            [
                Problem(
                    "id",
                    _(
                        "the file name says {named} v{named_version} but the file holds "
                        "{checklist} v{version}"
                    ).format(
                        named=match["id"],
                        named_version=match["version"],
                        checklist=checklist.id,
                        version=checklist.version,
                    ),
                )
            ],
        )
    return checklist


def dump_checklist(checklist: Checklist) -> str:
    return yaml.safe_dump(checklist.to_data(), allow_unicode=True, sort_keys=False, width=100)


class Catalogue:
    """Every checklist version in a folder, by id and version."""

    def __init__(self, checklists: Iterable[Checklist]) -> None:
        self._by_key: dict[tuple[str, int], Checklist] = {}
        for checklist in checklists:
            key = (checklist.id, checklist.version)
            if key in self._by_key:
                raise AuditAppError(
                    f"checklist {checklist.id} v{checklist.version} is defined twice"
                )
            self._by_key[key] = checklist

    @classmethod
    def from_folder(cls, folder: Path | str) -> Catalogue:
        folder = Path(folder)
        if not folder.is_dir():
            raise AuditAppError(f"checklist folder {folder} does not exist")
        paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
        return cls(load_checklist(path) for path in paths)

    def __iter__(self) -> Iterator[Checklist]:
        return iter(sorted(self._by_key.values(), key=lambda c: (c.id, c.version)))

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, checklist_id: str, version: int | None = None) -> Checklist:
        if version is not None:
            found = self._by_key.get((checklist_id, version))
            if found is None:
                raise AuditAppError(
                    _("no checklist '{checklist}' version {version}").format(
                        checklist=checklist_id, version=version
                    )
                )
            return found
        versions = [c for (cid, _v), c in self._by_key.items() if cid == checklist_id]
        if not versions:
            if self.ids():
                raise AuditAppError(
                    _("no checklist '{checklist}' (known: {known})").format(
                        checklist=checklist_id, known=", ".join(sorted(self.ids()))
                    )
                )
            raise AuditAppError(
                _("no checklist '{checklist}' (none is installed)").format(checklist=checklist_id)
            )
        return max(versions, key=lambda c: c.version)

    def resolve(self, ref: str) -> Checklist:
        """A checklist by ``ID`` (its latest version) or ``ID@VERSION``."""
        checklist_id, _at, version = ref.partition("@")
        if version and not version.isdigit():
            raise AuditAppError(
                _("'{ref}': write a checklist as ID or ID@VERSION, e.g. returns@1").format(ref=ref)
            )
        return self.get(checklist_id, int(version) if version else None)

    def ids(self) -> set[str]:
        return {cid for cid, _v in self._by_key}

    def latest(self) -> list[Checklist]:
        return [self.get(cid) for cid in sorted(self.ids())]
