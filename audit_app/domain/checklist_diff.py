"""What changed between two versions of one checklist, item by item.

Items keep their ``id`` across versions while their meaning stays, so a diff matches items
(and sections) by id: an id only in the new version was added, one only in the old was
removed, and one in both is compared field by field (text per language, type, weight,
critical, N/A, guidance, targets, options...). Order changes are reported as moves: the
fewest sections (or items within a section) that left their place, found with a longest
common subsequence, so inserting one section at the top does not "move" all the others.

The words of a diff (field names, yes/no, the summary) are in the language current when it
is made: the Checklists page makes it in the session's language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Literal

from audit_app.domain.checklist import Checklist, Section
from audit_app.i18n import _, formats, ngettext, pgettext

ChangeKind = Literal["added", "removed", "changed", "moved"]
Level = Literal["checklist", "section", "item"]

_LOCALIZED = frozenset({"title", "text", "guidance", "description"})
"""Fields holding text per language: compared language by language."""


def _field_labels() -> dict[str, str]:
    return {
        "na_allowed": pgettext("checklist field", "N/A allowed"),
        "zero_at": pgettext("checklist field", "zero at"),
        "pass_mark": pgettext("checklist field", "pass mark"),
        "critical_rule": pgettext("checklist field", "critical rule"),
        "title": pgettext("checklist field", "title"),
        "description": pgettext("checklist field", "description"),
        "languages": pgettext("checklist field", "languages"),
        "channel": pgettext("checklist field", "channel"),
        "grades": pgettext("checklist field", "grades"),
        "text": pgettext("checklist field", "text"),
        "guidance": pgettext("checklist field", "guidance"),
        "weight": pgettext("checklist field", "weight"),
        "critical": pgettext("checklist field", "critical"),
        "required": pgettext("checklist field", "required"),
        "applies_if": pgettext("checklist field", "applies if"),
        "type": pgettext("checklist field", "type"),
        "min": pgettext("checklist field", "min"),
        "max": pgettext("checklist field", "max"),
        "options": pgettext("checklist field", "options"),
        "target": pgettext("checklist field", "target"),
        "direction": pgettext("checklist field", "direction"),
        "unit": pgettext("checklist field", "unit"),
        "position": pgettext("checklist field", "position"),
        "section": pgettext("checklist field", "section"),
    }


def _count(kind: str, count: int) -> str:
    """``2 added``: how many items had a change of this kind (in the current language;
    singular and plural are alike in English, not in Catalan or Romanian)."""
    if kind == "added":
        text = ngettext("{count} added", "{count} added", count)
    elif kind == "removed":
        text = ngettext("{count} removed", "{count} removed", count)
    elif kind == "changed":
        text = ngettext("{count} changed", "{count} changed", count)
    else:
        text = ngettext("{count} moved", "{count} moved", count)
    return text.format(count=formats.integer(count))


def field_label(key: str) -> str:
    """``na_allowed`` -> ``N/A allowed``; ``text (ca)`` -> ``text (ca)`` in the current
    language (the language code stays)."""
    base, bracket, rest = key.partition(" (")
    word = _field_labels().get(base)
    if word is None:
        return key
    return f"{word}{bracket}{rest}"


@dataclass(frozen=True)
class Change:
    """One difference: ``field`` is None for an added, removed or moved whole."""

    level: Level
    kind: ChangeKind
    id: str
    field: str | None = None
    before: str | None = None
    after: str | None = None
    section: str | None = None
    """The section an item is in (in the new version; the old one for a removed item)."""


@dataclass(frozen=True)
class ChecklistDiff:
    checklist_id: str
    old_version: int
    new_version: int
    changes: tuple[Change, ...]

    @property
    def empty(self) -> bool:
        return not self.changes

    def item_ids(self, kind: ChangeKind) -> tuple[str, ...]:
        """The ids of the items with a change of this kind, in the order reported."""
        seen: dict[str, None] = {}
        for change in self.changes:
            if change.level == "item" and change.kind == kind:
                seen.setdefault(change.id, None)
        return tuple(seen)

    @property
    def changed_items(self) -> tuple[str, ...]:
        """Every item that differs in any way (added, removed, changed or moved)."""
        seen: dict[str, None] = {}
        for change in self.changes:
            if change.level == "item":
                seen.setdefault(change.id, None)
        return tuple(seen)

    def summary(self) -> str:
        """A one-line count, e.g. ``items: 1 added, 2 changed; 1 section changed``, in the
        current language."""
        items = []
        for kind in ("added", "removed", "changed", "moved"):
            count = len(self.item_ids(kind))
            if count:
                items.append(_count(kind, count))
        parts = [_("items: {changes}").format(changes=", ".join(items))] if items else []
        sections = len({c.id for c in self.changes if c.level == "section"})
        if sections:
            parts.append(
                ngettext("{count} section changed", "{count} sections changed", sections).format(
                    count=formats.integer(sections)
                )
            )
        rules = len({c.field for c in self.changes if c.level == "checklist"})
        if rules:
            parts.append(
                ngettext(
                    "{count} checklist setting changed",
                    "{count} checklist settings changed",
                    rules,
                ).format(count=formats.integer(rules))
            )
        return "; ".join(parts) or _("no changes")


def diff_checklists(old: Checklist, new: Checklist) -> ChecklistDiff:
    """Every difference from ``old`` to ``new`` (two versions of one checklist)."""
    changes: list[Change] = []
    changes += _fields("checklist", new.id, _checklist_fields(old), _checklist_fields(new))
    changes += _sections(old, new)
    changes += _items(old, new)
    return ChecklistDiff(new.id, old.version, new.version, tuple(changes))


# ---------------------------------------------------------------------------
# Fields
# ---------------------------------------------------------------------------


def _checklist_fields(checklist: Checklist) -> dict[str, Any]:
    data = checklist.to_data()
    return {
        key: data.get(key)
        for key in (
            "title",
            "description",
            "languages",
            "channel",
            "pass_mark",
            "grades",
            "critical_rule",
        )
    }


def _section_fields(section: Section) -> dict[str, Any]:
    return {"title": section.title, "weight": section.weight}


def _item_fields(item: Any) -> dict[str, Any]:
    data = item.model_dump(mode="json", exclude_none=True)
    data.pop("id")
    return data


def _flatten(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Texts per language become one field per language: ``text (ca)``."""
    flat: dict[str, Any] = {}
    for key, value in fields.items():
        if key in _LOCALIZED and isinstance(value, dict):
            for language, text in value.items():
                flat[f"{key} ({language})"] = text
        elif value is not None:
            flat[key] = value
    return flat


def _show(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        return f"{value:g}"
    if isinstance(value, str | int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _fields(
    level: Level,
    ident: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    section: str | None = None,
) -> list[Change]:
    old, new = _flatten(before), _flatten(after)
    keys = list(new) + [key for key in old if key not in new]
    return [
        Change(
            level,
            "changed",
            ident,
            field_label(key),
            _show(old.get(key)),
            _show(new.get(key)),
            section,
        )
        for key in keys
        if old.get(key) != new.get(key)
    ]


# ---------------------------------------------------------------------------
# Sections and items
# ---------------------------------------------------------------------------


def _moved(old_order: Iterable[str], new_order: Iterable[str]) -> list[str]:
    """The ids (present in both orders) that are out of the longest common subsequence."""
    old_list, new_list = list(old_order), list(new_order)
    common = set(old_list) & set(new_list)
    old_list = [x for x in old_list if x in common]
    new_list = [x for x in new_list if x in common]
    matcher = SequenceMatcher(a=old_list, b=new_list, autojunk=False)
    kept: set[str] = set()
    for block in matcher.get_matching_blocks():
        kept.update(new_list[block.b : block.b + block.size])
    return [x for x in new_list if x not in kept]


def _sections(old: Checklist, new: Checklist) -> list[Change]:
    before = {s.id: s for s in old.sections}
    after = {s.id: s for s in new.sections}
    changes: list[Change] = []
    positions = {s.id: n for n, s in enumerate(old.sections, start=1)}
    moved = set(_moved(before, after))
    for position, section in enumerate(new.sections, start=1):
        if section.id not in before:
            changes.append(Change("section", "added", section.id))
            continue
        if section.id in moved:
            changes.append(
                Change(
                    "section",
                    "moved",
                    section.id,
                    pgettext("checklist field", "position"),
                    str(positions[section.id]),
                    str(position),
                )
            )
        changes += _fields(
            "section", section.id, _section_fields(before[section.id]), _section_fields(section)
        )
    changes += [Change("section", "removed", sid) for sid in before if sid not in after]
    return changes


def _items(old: Checklist, new: Checklist) -> list[Change]:
    before, after = old.items_by_id, new.items_by_id
    old_section, new_section = old.section_of, new.section_of
    reordered: set[str] = set()
    for section in new.sections:
        stayed = [i.id for i in section.items if old_section.get(i.id) == section.id]
        previous = [i for i in _ids_in(old, section.id) if i in set(stayed)]
        reordered.update(_moved(previous, stayed))
    changes: list[Change] = []
    for item in new.items:
        where = new_section[item.id]
        if item.id not in before:
            changes.append(Change("item", "added", item.id, section=where))
            continue
        if old_section[item.id] != where:
            changes.append(
                Change(
                    "item",
                    "moved",
                    item.id,
                    pgettext("checklist field", "section"),
                    old_section[item.id],
                    where,
                    where,
                )
            )
        elif item.id in reordered:
            old_at = _ids_in(old, where).index(item.id) + 1
            new_at = _ids_in(new, where).index(item.id) + 1
            changes.append(
                Change(
                    "item",
                    "moved",
                    item.id,
                    pgettext("checklist field", "position"),
                    str(old_at),
                    str(new_at),
                    where,
                )
            )
        changes += _fields(
            "item", item.id, _item_fields(before[item.id]), _item_fields(item), where
        )
    changes += [
        Change("item", "removed", item.id, section=old_section[item.id])
        for item in old.items
        if item.id not in after
    ]
    return changes


def _ids_in(checklist: Checklist, section_id: str) -> list[str]:
    for section in checklist.sections:
        if section.id == section_id:
            return [item.id for item in section.items]
    return []
