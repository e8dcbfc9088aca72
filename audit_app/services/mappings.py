"""Mapping profiles for layouts we did not design: draft one from a file's headers, save
it for next month, load it by name. Profiles live in ``Settings().resolved_mappings_dir``
unless a path is given.

A saved profile has an owner, written as the file's first line (``# owner: marta``, a YAML
comment, so the profile and its import identity stay the same). Head office (and the
command line, which acts as head office) manages the shared profiles, whose owner is
``head office``; an area manager saves new profiles and replaces or deletes only her own.
A profile without the line is head office's. Every save, replacement and deletion goes to
the activity log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from audit_app.config import Settings, load_settings
from audit_app.domain.answers import question
from audit_app.domain.checklist import Checklist
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _, current_language
from audit_app.intake.layouts.profile import (
    MappingProfile,
    MatchReport,
    dump_profile,
    load_profile,
    save_profile,
    suggest_profile,
)
from audit_app.intake.layouts.profile.columns import ROLE_LABELS
from audit_app.intake.layouts.profile.matching import question_id
from audit_app.intake.layouts.profile.profile import PROFILE_SUFFIXES, parse_profile, profile_path
from audit_app.intake.source.limits import Limits
from audit_app.services import activity
from audit_app.services.access import AccessDenied, check_can_write
from audit_app.services.checklists import resolve_checklist
from audit_app.services.context import AppContext
from audit_app.storage import files


@dataclass(frozen=True)
class MappingDraft:
    """A drafted profile, what it matched, and its YAML to read or save."""

    profile: MappingProfile
    report: MatchReport

    @property
    def yaml(self) -> str:
        return dump_profile(self.profile)

    def notes(self) -> list[str]:
        """What the draft took from beyond the header (a date in the file name, words in
        the cells), the words nothing reads yet, and the values an import will ask for."""
        report = self.report
        out = [_("Guessed: {guess}").format(guess=guess) for guess in report.guessed]
        out += [_("Not understood: {word}").format(word=word) for word in report.unknown_words]
        asked = self.asked()
        return [*out, asked] if asked else out

    def asked(self, then: str | None = None) -> str | None:
        """What the files do not say and every import of them will ask for, if anything,
        followed by ``then`` (where it is asked)."""
        if not self.report.needed:
            return None
        roles = ", ".join(_(SUPPLIED_ROLES[role][0]).lower() for role in self.report.needed)
        then = then if then is not None else _("The import asks for it.")
        return _("The files do not say: {roles}.").format(roles=roles) + f" {then}"

    def assignments(self) -> list[Assignment]:
        """What the draft does with each column (and, in a long layout, each question),
        as rows a person can correct: roles first, then matched items, then unused columns."""
        rows = [
            Assignment(header, "column", role_target(role))
            for role, header in self.report.roles.items()
        ]
        rows += [
            Assignment(
                m.header, f"column {m.column}" if m.column else "question", m.item_id, m.how_found
            )
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
    constants: Mapping[str, str] | None = None,
) -> MappingDraft:
    """Draft a profile for ``path`` against a checklist (id, id@version or YAML path);
    ``constants`` (``--set auditor="Agency X"``) become its defaults."""
    if not Path(path).is_file():
        raise AuditAppError(f"{path}: no such file")
    found = resolve_checklist(checklist, settings)
    profile, report = suggest_profile(
        path, found, name, limits=_limits(settings), constants=constants
    )
    if "@" in checklist:
        profile = profile.model_copy(update={"checklist": f"{found.id}@{found.version}"})
    return MappingDraft(profile, report)


HEAD_OFFICE = "head office"
"""The owner of the shared profiles (and of every profile saved before owners were kept)."""
_OWNER_LINE = "# owner: "


def save_mapping(ctx: AppContext, profile: MappingProfile, *, overwrite: bool = False) -> Path:
    """Save into the mappings folder as NAME.yaml, owned by the acting user (head office's
    profiles are shared). An existing profile is kept unless ``overwrite``, and an area
    manager may replace only her own: last month's edits are worth more than a fresh draft."""
    target = mappings_folder(ctx.settings) / f"{profile.name}.yaml"
    owner = _owner_for(ctx, "save mapping profiles")
    replaced = target.exists()
    if replaced:
        if not overwrite:
            raise AuditAppError(
                _(
                    "A mapping profile named {name} already exists; choose another name, or "
                    "replace it (on the command line: mapping suggest ... --force)."
                ).format(name=profile.name)
            )
        _check_owner(ctx, target, "replace")
    files.private_folder(target.parent)
    files.write_replacing(target, (_OWNER_LINE + owner + "\n" + dump_profile(profile)).encode())
    activity.record(
        ctx,
        "mapping profile",
        profile.name,
        change="replaced" if replaced else "saved",
        owner=owner,
        checklist=profile.checklist,
    )
    return target


def write_mapping_file(profile: MappingProfile, destination: Path | str) -> Path:
    """A draft written to a file of the user's choosing (``mapping suggest -o``), outside
    the mappings folder: no owner, nothing shared."""
    return save_profile(profile, destination)


def delete_mapping(ctx: AppContext, name: str) -> Path:
    """Remove a saved profile: head office any, an area manager only her own."""
    _owner_for(ctx, "delete mapping profiles")
    target = _saved_path(ctx, name)
    owner = _check_owner(ctx, target, "delete")
    target.unlink()
    activity.record(ctx, "mapping profile", name, change="deleted", owner=owner)
    return target


def mapping_owner(name_or_path: str | Path, settings: Settings | None = None) -> str:
    """Who owns a saved profile: a user name, or ``head office``."""
    return _read_owner(mapping_location(name_or_path, settings))


def _saved_path(ctx: AppContext, name: str) -> Path:
    if Path(name).name != name or Path(name).suffix.lower() in PROFILE_SUFFIXES:
        raise AuditAppError(f"{name!r}: give a saved profile's name (mapping list shows them)")
    target = mappings_folder(ctx.settings) / f"{name}.yaml"
    if not target.is_file():
        raise AuditAppError(f"no saved mapping profile named {name!r}")
    return target


def _owner_for(ctx: AppContext, what: str) -> str:
    """The owner a profile saved by the acting user gets."""
    check_can_write(ctx, what)
    user = ctx.user
    return user.username if user is not None and user.role == Role.AREA_MANAGER else HEAD_OFFICE


def _check_owner(ctx: AppContext, target: Path, verb: str) -> str:
    """The profile's owner, once the acting user may change it."""
    owner = _read_owner(target)
    user = ctx.user
    if user is not None and user.role != Role.HEAD_OFFICE and owner != user.username:
        whose = "head office's shared profile" if owner == HEAD_OFFICE else f"{owner}'s profile"
        raise AccessDenied(
            f"the mapping profile {target.stem!r} is {whose}; an area manager can {verb} only "
            "the profiles she saved herself. Save yours under another name"
        )
    return owner


def _read_owner(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as file:
            first = file.readline(200)
    except (OSError, UnicodeDecodeError):
        return HEAD_OFFICE
    if first.startswith(_OWNER_LINE):
        return first.removeprefix(_OWNER_LINE).strip() or HEAD_OFFICE
    return HEAD_OFFICE


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
    "visit_reference",
)
LONG_ROLES = ("item_column", "value_column", "comment_column")


@dataclass(frozen=True)
class Assignment:
    """One column header (or long-layout question) and what it gives: a role such as the
    branch code (``role:branch_code``), a checklist item id, or nothing (None)."""

    text: str
    place: str
    target: str | None
    how: str = ""
    """How the draft matched it (``by question id 759215``, ``by similarity 0.87``)."""


SUPPLIED_ROLES = {
    "branch": (N_("Branch code"), N_("the branch every visit in the file is for")),
    "visit_date": (N_("Visit date"), N_("e.g. 2025-05-01, or May 2025 for its first day")),
    "auditor": (N_("Auditor"), N_("e.g. the agency's name")),
}
"""Role -> (label, hint) of a value the Import page asks for when a profile lacks it
(catalogue words: translate with ``_`` when shown)."""


def roles_to_supply(name_or_path: str | Path, settings: Settings | None = None) -> list[str]:
    """The visit roles (branch, visit_date, auditor) the saved profile gives by no column,
    constant or value from the file: the Import page asks for them, ``--set`` gives them."""
    return load_mapping(name_or_path, settings).roles_missing()


def parse_constants(pairs: Sequence[str]) -> dict[str, str]:
    """``--set ROLE=VALUE`` pairs -> constants for a profile (``intake...constants``)."""
    from audit_app.intake.layouts.profile.constants import parse_constants as parse

    return parse(pairs)


def role_target(role: str) -> str:
    return f"{ROLE_PREFIX}{role}"


def suggest_mapping_bytes(
    name: str,
    data: bytes,
    checklist: str,
    profile_name: str | None = None,
    settings: Settings | None = None,
    constants: Mapping[str, str] | None = None,
) -> MappingDraft:
    """``suggest_mapping`` for an uploaded file's content (the app has bytes, not a path)."""
    found = resolve_checklist(checklist, settings)
    profile, report = suggest_profile(
        name, found, profile_name, data=data, limits=_limits(settings), constants=constants
    )
    if "@" in checklist:
        profile = profile.model_copy(update={"checklist": f"{found.id}@{found.version}"})
    return MappingDraft(profile, report)


def mapping_targets(checklist: Checklist, layout: str = "wide") -> dict[str, str]:
    """Everything a column can be assigned to -> a label a person reads."""
    roles = VISIT_ROLES + (LONG_ROLES if layout == "long" else ())
    targets = {role_target(role): f"[{_(ROLE_LABELS[role])}]" for role in roles}
    language = current_language()
    for item in checklist.items:
        targets[item.id] = f"{question(item, language)} ({item.id})"[:120]
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
            problems.append(
                _("'{first}' and '{second}' are both {what}").format(
                    first=row.text, second=owner[target], what=_label(target)
                )
            )
            continue
        owner[target] = row.text
        if target.startswith(ROLE_PREFIX):
            roles[target.removeprefix(ROLE_PREFIX)] = row.text
        elif target in known:
            qid = question_id(row.text)  # a draft keyed by question ids stays so
            keyed = isinstance(profile.items, dict) and qid is not None and qid in profile.items
            items[qid if keyed and qid else row.text] = target
        else:
            problems.append(
                _("'{column}': {target} is not a question of {checklist}").format(
                    column=row.text, target=target, checklist=checklist.title_in(current_language())
                )
            )
    if problems:
        raise AuditAppError("; ".join(problems))
    data = profile.to_data()
    data["name"] = name or profile.name
    if profile.layout != "rows":  # a rows layout's visit fields are rows, kept as drafted
        data["columns"] = {role: roles[role] for role in VISIT_ROLES if role in roles}
    if profile.layout == "long":
        data["long"] = {role: roles[role] for role in LONG_ROLES if role in roles}
    if profile.layout != "lines":  # a lines layout's items are its aggregate rules
        data["items"] = items
    return parse_profile(data, f"mapping profile {data['name']!r}")


def _label(target: str) -> str:
    if target.startswith(ROLE_PREFIX):
        role = target.removeprefix(ROLE_PREFIX)
        return _("the {role}").format(role=_(ROLE_LABELS[role]) if role in ROLE_LABELS else role)
    return _("question {item}").format(item=target)


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
