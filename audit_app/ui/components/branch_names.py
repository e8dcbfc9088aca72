"""Branch labels for narrow pickers: the code first, then the name without the words every
branch shares (the chain's brand), so "ES-CAT-04 · Badalona" fits where "Verd Natural
Badalona (ES-C" used to be cut off."""

from __future__ import annotations

from collections.abc import Sequence

from audit_app.domain.audit import Branch
from audit_app.i18n import _


def shared_prefix(names: Sequence[str]) -> list[str]:
    """The leading words all names share, leaving every name at least one word of its own.
    One name shares nothing: a lone branch keeps its full name."""
    if len(names) < 2:
        return []
    words = [name.split() for name in names]
    shared: list[str] = []
    for column in zip(*words, strict=False):
        if len(set(column)) != 1:
            break
        shared.append(column[0])
    shortest = min(len(w) for w in words)
    return shared[: max(0, min(len(shared), shortest - 1))]


def short_names(branches: Sequence[Branch]) -> dict[str, str]:
    """Code -> the name without the words every branch of ``branches`` shares."""
    cut = len(shared_prefix([b.name for b in branches]))
    return {b.code: " ".join(b.name.split()[cut:]) for b in branches}


def branch_labels(branches: Sequence[Branch]) -> dict[str, str]:
    """Code -> "CODE · short name", with "(inactive)" for a closed branch."""
    short = short_names(branches)
    return {
        b.code: f"{b.code} · {short[b.code]}"
        if b.active
        else _("{code} · {name} (inactive)").format(code=b.code, name=short[b.code])
        for b in branches
    }
