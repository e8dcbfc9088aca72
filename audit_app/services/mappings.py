"""Mapping profiles for layouts we did not design: draft one from a file's headers, save
it for next month, load it by name. Profiles live in ``Settings().resolved_mappings_dir``
unless a path is given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from audit_app.config import Settings, load_settings
from audit_app.domain.checklist import Checklist
from audit_app.errors import AuditAppError
from audit_app.excel.mapping import (
    MappingProfile,
    MatchReport,
    dump_profile,
    load_profile,
    save_profile,
    suggest_profile,
)
from audit_app.excel.mapping.profile import PROFILE_SUFFIXES, profile_path
from audit_app.services.checklists import resolve_checklist


@dataclass(frozen=True)
class MappingDraft:
    """A drafted profile, what it matched, and its YAML to read or save."""

    profile: MappingProfile
    report: MatchReport

    @property
    def yaml(self) -> str:
        return dump_profile(self.profile)


def mappings_folder(settings: Settings | None = None) -> Path:
    return (settings or load_settings()).resolved_mappings_dir


def suggest_mapping(
    path: Path | str,
    checklist: str,
    name: str | None = None,
    settings: Settings | None = None,
) -> MappingDraft:
    """Draft a profile for ``path`` against a checklist (id, id@version or YAML path)."""
    if not Path(path).is_file():
        raise AuditAppError(f"{path}: no such file")
    found = resolve_checklist(checklist, settings)
    profile, report = suggest_profile(path, found, name)
    if "@" in checklist:
        profile = profile.model_copy(update={"checklist": f"{found.id}@{found.version}"})
    return MappingDraft(profile, report)


def save_mapping(
    profile: MappingProfile,
    destination: Path | str | None = None,
    settings: Settings | None = None,
    *,
    overwrite: bool = False,
) -> Path:
    """Save into the mappings folder as NAME.yaml, or to ``destination`` (a .yaml path or
    a folder). An existing profile is kept unless ``overwrite``: last month's edits are
    worth more than a fresh draft."""
    target = Path(destination) if destination is not None else mappings_folder(settings)
    if target.suffix.lower() not in PROFILE_SUFFIXES:
        target = target / f"{profile.name}.yaml"
    if target.exists() and not overwrite:
        raise AuditAppError(
            f"a mapping profile already exists at {target}; choose another name, or replace it "
            "(mapping suggest ... --force)"
        )
    return save_profile(profile, target)


def load_mapping(name_or_path: str | Path, settings: Settings | None = None) -> MappingProfile:
    """A saved profile by name, or a profile file by path."""
    return load_profile(name_or_path, mappings_folder(settings))


def mapping_location(name_or_path: str | Path, settings: Settings | None = None) -> Path:
    return profile_path(name_or_path, mappings_folder(settings))


def list_mappings(settings: Settings | None = None) -> list[MappingProfile]:
    """Every profile saved in the mappings folder, by name."""
    folder = mappings_folder(settings)
    if not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in PROFILE_SUFFIXES)
    return [load_profile(path, folder) for path in paths]


def mapping_checklist(profile: MappingProfile, settings: Settings | None = None) -> Checklist:
    """The checklist version a profile reads files against."""
    return resolve_checklist(profile.checklist, settings)
