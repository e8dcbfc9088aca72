"""Listing, showing and validating checklists (no database needed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from audit_app.checklists import (
    Catalogue,
    ChecklistFileError,
    Problem,
    dump_checklist,
    load_checklist,
)
from audit_app.config import Settings, load_settings
from audit_app.domain.checklist import Checklist


@dataclass(frozen=True)
class ValidationResult:
    path: Path
    checklist: Checklist | None
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def catalogue(settings: Settings | None = None) -> Catalogue:
    return Catalogue.from_folder((settings or load_settings()).checklists_dir)


def resolve_checklist(ref: str, settings: Settings | None = None) -> Checklist:
    """A checklist by file path, ``ID`` (latest version) or ``ID@VERSION``."""
    path = Path(ref)
    if path.suffix in {".yaml", ".yml"} or path.is_file():
        return load_checklist(path)
    return catalogue(settings).resolve(ref)


def validate_files(paths: Iterable[Path | str]) -> list[ValidationResult]:
    results = []
    for path in paths:
        try:
            results.append(ValidationResult(Path(path), load_checklist(path), ()))
        except ChecklistFileError as error:
            results.append(ValidationResult(Path(path), None, error.problems))
    return results


def checklist_yaml(checklist: Checklist) -> str:
    return dump_checklist(checklist)
