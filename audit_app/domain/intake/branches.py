"""The known branches, looked up the way files write them: by code (any case) or by name.

One lookup serves the row heuristics (a row that names a known branch and holds answers is
never skipped by a guess) and the check (which branch a visit belongs to)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol


class NamedBranch(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def language(self) -> str: ...


def label_text(value: Any) -> str:
    """A cell as the text a person reads: ``12.0`` -> ``12``, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class BranchDirectory:
    def __init__(self, branches: Iterable[NamedBranch] = ()) -> None:
        self.branches = list(branches)
        self.by_code = {b.code: b for b in self.branches}
        self.by_code_folded = {b.code.casefold(): b for b in self.branches}
        self.by_name = {b.name.casefold(): b for b in self.branches if b.name}

    def find(self, text: str, *, by_name: bool = False) -> NamedBranch | None:
        """The branch a cell names: by name first when the cell is a name column, then by
        code as written, then by code in any case."""
        if not text:
            return None
        found = self.by_name.get(text.casefold()) if by_name else None
        return found or self.by_code.get(text) or self.by_code_folded.get(text.casefold())

    def language_of(self, code: str) -> str:
        return self.by_code[code].language

    def names_branch(self, value: Any) -> bool:
        """Whether a cell names a known branch by its code or its name."""
        text = label_text(value)
        if not text:
            return False
        folded = text.casefold()
        return text in self.by_code or folded in self.by_code_folded or folded in self.by_name
