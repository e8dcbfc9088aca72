"""Auditors as people: one key per name, and the near misses that may be the same person.

The key keeps accents ('Laura Fernandez' and 'Laura Fernández' are two keys): two people
may differ by one accent, so the app never merges them by itself. It only warns (a near
miss) and lets a person decide, then merges on purpose.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from enum import StrEnum
from typing import Any

NEAR_MISS_RATIO = 0.85
"""Two folded names at least this similar (difflib's ratio) may be one person: one typo in
a short name is above it ('Jordi Puig' / 'Jordi Puigg' 0.95, 'Ana Gil' / 'Ana Gill' 0.93),
two different surnames are below it ('Anna Puig' / 'Anna Roig' 0.78). Names one letter
apart ('Maria Pop' / 'Mario Pop' 0.89) are flagged too: a near miss is a question to a
person ("same person?"), never a refusal of the visit, so a false alarm costs a click."""


class AuditorKind(StrEnum):
    STAFF = "staff"
    AGENCY = "agency"


DEFAULT_KIND = AuditorKind.STAFF
"""An auditor first met as a typed name (the form, an import) is taken for staff: agency
shoppers are usually set up by head office, with their organisation, before they visit."""


def name_key(name: str) -> str:
    """The name as one person's key: NFC, case folded, spaces collapsed; accents kept."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def display_name(name: str) -> str:
    """The name as stored and shown: NFC, spaces collapsed, case as typed."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _folded(name: str) -> str:
    """The key without accents (Fernández -> fernandez, Ștefan -> stefan)."""
    decomposed = unicodedata.normalize("NFKD", name_key(name))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("ı", "i").split())


def _sorted_words(folded: str) -> str:
    return " ".join(sorted(folded.split()))


def is_near_miss(name: str, other: str) -> bool:
    """Whether two names with different keys may be one person: equal without accents,
    the same words in another order (first and last name swapped), or a close spelling."""
    if name_key(name) == name_key(other):
        return False
    a, b = _folded(name), _folded(other)
    if not a or not b:
        return False
    if a == b or _sorted_words(a) == _sorted_words(b):
        return True
    return _close(a, b) or _close(_sorted_words(a), _sorted_words(b))


def _close(a: str, b: str) -> bool:
    """difflib's ratio at least the threshold; its cheap upper bounds first, as an import
    checks each new name against every auditor."""
    matcher = SequenceMatcher(None, a, b)
    return (
        matcher.real_quick_ratio() >= NEAR_MISS_RATIO
        and matcher.quick_ratio() >= NEAR_MISS_RATIO
        and matcher.ratio() >= NEAR_MISS_RATIO
    )


def near_misses(name: str, known_names: Iterable[str]) -> list[str]:
    """The known names (each once, in the order given) that may be the same person as
    ``name`` without being its key."""
    found: dict[str, str] = {}
    for known in known_names:
        key = name_key(known)
        if key not in found and is_near_miss(name, known):
            found[key] = known
    return list(found.values())


@dataclass(frozen=True)
class AuditorDirectory:
    """The auditors a typed name is checked against (an import, the form)."""

    keys: frozenset[str] = frozenset()
    """Every known key, merged auditors' too: a name with one is a known person."""
    names: tuple[str, ...] = ()
    """The names a new one may be a misspelling of (active, not merged)."""

    def near_misses(self, name: str) -> list[str]:
        """[] for a known person; else the known names it is close to."""
        if name_key(name) in self.keys:
            return []
        return near_misses(name, self.names)


@dataclass(frozen=True)
class Auditor:
    """A person who makes visits: staff or an agency's shopper, not necessarily a user."""

    id: int
    name: str
    kind: AuditorKind = DEFAULT_KIND
    organisation: str = ""
    email: str = ""
    username: str | None = None
    """The app user this auditor is, where there is one."""
    areas: tuple[str, ...] = field(default=())
    """The areas the auditor visits; empty means anywhere."""
    active: bool = True
    merged_into: int | None = None

    @property
    def key(self) -> str:
        return name_key(self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind.value,
            "organisation": self.organisation,
            "email": self.email,
            "username": self.username,
            "areas": list(self.areas),
            "active": self.active,
            "merged_into": self.merged_into,
        }
