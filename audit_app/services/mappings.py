"""Mapping profiles for layouts we did not design: draft one from a file's headers, save
it for next month, load it by name. Profiles live in ``Settings().resolved_mappings_dir``
unless a path is given."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from audit_app.config import Settings, load_settings
from audit_app.domain.answers import question
from audit_app.domain.checklist import Checklist
from audit_app.errors import AuditAppError
from audit_app.intake.layouts.profile import (
    MappingProfile,
    MatchReport,
    dump_profile,
    load_profile,
    save_profile,
    suggest_profile,
)
from audit_app.intake.layouts.profile.columns import ROLE_LABELS
from audit_app.intake.layouts.profile.profile import PROFILE_SUFFIXES, parse_profile, profile_path
from audit_app.intake.source.limits import Limits
from audit_app.services.checklists import resolve_checklist


@dataclass(frozen=True)
class MappingDraft:
    """A drafted profile, what it matched, and its YAML to read or save."""

    profile: MappingProfile
    report: MatchReport

    @property
    def yaml(self) -> str:
        return dump_profile(self.profile)

    def assignments(self) -> list[Assignment]:
        """What the draft does with each column (and, in a long layout, each question),
        as rows a person can correct: roles first, then matched items, then unused columns."""
        rows = [
            Assignment(header, "column", role_target(role))
            for role, header in self.report.roles.items()
        ]
        rows += [
            Assignment(m.header, f"column {m.column}" if m.column else "question", m.item_id)
            for m in self.report.matches
        ]
        rows += [Assignment(header, "column", None) for header in self.report.unused_columns]
        return rows


def _limits(settings: Settings | None) -> Limits:
    return Limits.from_settings(settings or load_settings())


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
    profile, report = suggest_profile(path, found, name, limits=_limits(settings))
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


# --------------------------------------------------------------------------- the app's wizard

ROLE_PREFIX = "role:"
VISIT_ROLES = (
    "branch_code",
    "branch_name",
    "visit_date",
    "visit_time",
    "auditor",
    "channel",
    "kind",
)
LONG_ROLES = ("item_column", "value_column", "comment_column")


@dataclass(frozen=True)
class Assignment:
    """One column header (or long-layout question) and what it gives: a role such as the
    branch code (``role:branch_code``), a checklist item id, or nothing (None)."""

    text: str
    place: str
    target: str | None


def role_target(role: str) -> str:
    return f"{ROLE_PREFIX}{role}"


def suggest_mapping_bytes(
    name: str,
    data: bytes,
    checklist: str,
    profile_name: str | None = None,
    settings: Settings | None = None,
) -> MappingDraft:
    """``suggest_mapping`` for an uploaded file's content (the app has bytes, not a path)."""
    found = resolve_checklist(checklist, settings)
    profile, report = suggest_profile(
        name, found, profile_name, data=data, limits=_limits(settings)
    )
    if "@" in checklist:
        profile = profile.model_copy(update={"checklist": f"{found.id}@{found.version}"})
    return MappingDraft(profile, report)


def mapping_targets(checklist: Checklist, layout: str = "wide") -> dict[str, str]:
    """Everything a column can be assigned to -> a label a person reads."""
    roles = VISIT_ROLES + (LONG_ROLES if layout == "long" else ())
    targets = {role_target(role): f"[{ROLE_LABELS[role]}]" for role in roles}
    for item in checklist.items:
        targets[item.id] = f"{item.id} · {question(item)}"[:120]
    return targets


def unassigned_required(checklist: Checklist, assignments: Sequence[Assignment]) -> list[str]:
    """Required items no column answers: every visit would be refused until they are."""
    given = {a.target for a in assignments}
    return [item.id for item in checklist.items if item.is_required and item.id not in given]


def apply_assignments(
    profile: MappingProfile,
    checklist: Checklist,
    assignments: Sequence[Assignment],
    name: str | None = None,
) -> MappingProfile:
    """The drafted profile with a person's corrections: which column is which role, which
    column (or question) answers which item. Named items replace ``items: auto``, so next
    month's file is read exactly as checked today."""
    problems: list[str] = []
    roles: dict[str, str] = {}
    items: dict[str, str] = {}
    owner: dict[str, str] = {}
    known = checklist.items_by_id
    for row in assignments:
        target = row.target
        if not target:
            continue
        if target in owner:
            problems.append(f"'{row.text}' and '{owner[target]}' are both {_label(target)}")
            continue
        owner[target] = row.text
        if target.startswith(ROLE_PREFIX):
            roles[target.removeprefix(ROLE_PREFIX)] = row.text
        elif target in known:
            items[row.text] = target
        else:
            problems.append(f"'{row.text}': {target} is not an item of {checklist.id}")
    if problems:
        raise AuditAppError("; ".join(problems))
    data = profile.to_data()
    data["name"] = name or profile.name
    data["columns"] = {role: roles[role] for role in VISIT_ROLES if role in roles}
    if profile.layout == "long":
        data["long"] = {role: roles[role] for role in LONG_ROLES if role in roles}
    data["items"] = items
    return parse_profile(data, f"mapping profile {data['name']!r}")


def _label(target: str) -> str:
    if target.startswith(ROLE_PREFIX):
        return "the " + ROLE_LABELS.get(target.removeprefix(ROLE_PREFIX), target)
    return f"item {target}"


def guess_checklist(
    name: str, data: bytes, checklists: Sequence[Checklist], settings: Settings | None = None
) -> str | None:
    """The checklist whose items most of the file's columns (or questions) match: the
    wizard's first choice, so a person rarely has to pick it. None when nothing matches."""
    best: tuple[int, str] | None = None
    limits = _limits(settings)
    for checklist in checklists:
        try:
            _, report = suggest_profile(name, checklist, data=data, limits=limits)
        except AuditAppError:
            return None  # unreadable: the wizard shows the reason for the chosen checklist
        if report.matches and (best is None or len(report.matches) > best[0]):
            best = (len(report.matches), checklist.id)
    return best[1] if best else None
