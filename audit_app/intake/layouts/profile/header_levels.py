"""Two-level headers: a group row of merged cells (``Greeting``, ``Returns``) over a row
whose sub-headers repeat under each group (``Score | Comment``). Such a column is named
``Group / Sub-header``, so that a profile reaches every group, not only the first."""

from __future__ import annotations

from collections import Counter

from audit_app.domain.checklist import Checklist
from audit_app.intake.layouts.profile.matching import ItemMatcher, header_key
from audit_app.intake.layouts.profile.synonyms import LONG_SYNONYMS
from audit_app.intake.source.grid import Grid

SEPARATOR = " / "
VALUE_WORDS = frozenset(
    (*LONG_SYNONYMS["value_column"], "score", "rating", "points", "puntuacion", "puan", "punctaj")
)
"""Sub-headers that hold a group's answer (the others: comments, photos...)."""
COMMENT_WORDS = frozenset(LONG_SYNONYMS["comment_column"])


def _groups(grid: Grid, offset: int) -> dict[int, str]:
    """Column -> the text of a horizontally merged cell of row ``offset`` over it."""
    groups: dict[int, str] = {}
    if not 0 <= offset < len(grid.rows):
        return groups
    row = grid.rows[offset]
    for (top, left), (bottom, right) in grid.merged:
        r0, c0 = top - grid.first_row, left - grid.first_column
        if r0 != offset or bottom != top or right == left or not 0 <= c0 < len(row):
            continue
        text = str(row[c0]).strip() if row[c0] not in (None, "") else ""
        if text:
            for column in range(c0, right - grid.first_column + 1):
                groups[column] = text
    return groups


def _repeated(texts: list[str], columns: set[int]) -> set[int]:
    keys = Counter(header_key(texts[c]) for c in columns if c < len(texts) and texts[c])
    return {c for c in columns if c < len(texts) and texts[c] and keys[header_key(texts[c])] > 1}


def use_levels(grid: Grid, offset: int) -> int:
    """Take the header at ``offset`` (already in ``grid.header``), joined with its group
    row when the sub-headers under merged groups repeat; the header's offset, moved to
    the sub-header row when ``offset`` was the group row."""
    below = _groups(grid, offset)
    if below and offset + 1 < len(grid.rows):
        texts = grid.merged_header(offset + 1)
        if _repeated(texts, set(below)):
            grid.use_header(offset + 1)
            _join(grid, below)
            return offset + 1
    above = _groups(grid, offset - 1)
    if above and _repeated(grid.header, set(above)):
        _join(grid, above)
    return offset


def _join(grid: Grid, groups: dict[int, str]) -> None:
    header = grid.header
    for column in _repeated(header, set(groups)):
        header[column] = f"{groups[column]}{SEPARATOR}{header[column]}"


def group_items(
    header: list[str], checklist: Checklist, taken: set[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """For groups whose text is an item's question: ``Group / Score`` -> item (the
    group's value-like sub-column, else its first one) and ``Group / Comment`` -> item
    (a comment-like sub-column). Items in ``taken`` are left."""
    matcher = ItemMatcher(checklist)
    columns: dict[str, list[str]] = {}
    for text in header:
        group, found, sub = text.partition(SEPARATOR)
        if found:
            columns.setdefault(group, []).append(sub)
    items: dict[str, str] = {}
    comments: dict[str, str] = {}
    for group, subs in columns.items():
        match = matcher.match(group)
        if match is None or match.item_id in taken or match.item_id in items.values():
            continue
        answer = next((s for s in subs if header_key(s) in VALUE_WORDS), subs[0])
        items[f"{group}{SEPARATOR}{answer}"] = match.item_id
        comment = next((s for s in subs if header_key(s) in COMMENT_WORDS and s != answer), None)
        if comment is not None:
            comments[f"{group}{SEPARATOR}{comment}"] = match.item_id
    return items, comments
