"""Where a sheet's header row is: the row the profile names, or the first among the
top rows that best holds the column names and questions the profile expects. Title and
banner rows above it (merged across the table) hold one text and score low."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from audit_app.domain.checklist import Checklist
from audit_app.domain.intake.model import ImportIssue, IssueCode
from audit_app.i18n import _
from audit_app.intake.layouts.profile.header_levels import use_levels
from audit_app.intake.layouts.profile.matching import (
    ItemMatcher,
    find_header_row_over_data,
    header_key,
    question_key,
)
from audit_app.intake.layouts.profile.profile import MappingProfile
from audit_app.intake.source.grid import Grid


def locate_header(grid: Grid, profile: MappingProfile, checklist: Checklist) -> int | ImportIssue:
    """The header's offset in the grid (and ``grid.header`` set), or why there is none."""
    if isinstance(profile.header_row, int):
        offset = profile.header_row - 1 - grid.first_row
        if not 0 <= offset < len(grid.rows):
            return ImportIssue(
                IssueCode.HEADER_NOT_FOUND,
                _("the header row {row} the profile names is empty or outside the sheet").format(
                    row=profile.header_row
                ),
                grid.sheet or None,
                None,
                profile.header_row,
            )
    else:
        expected = expected_header_keys(profile)
        matcher = ItemMatcher(checklist, profile.similarity) if profile.items == "auto" else None

        def score(keys: list[str], row: Sequence[Any]) -> int:
            points = 0
            for key, value in zip(keys, row, strict=True):
                if key and (
                    key in expected
                    or question_key(key) in expected
                    or (
                        matcher is not None
                        and isinstance(value, str)
                        and matcher.is_item_text(value)
                    )
                ):
                    points += 1
            return points

        offset, points = find_header_row_over_data(grid.rows, score)
        if points == 0:
            return ImportIssue(
                IssueCode.HEADER_NOT_FOUND,
                _(
                    "no header row found in the first rows: none holds the columns the "
                    "profile names ({columns})"
                ).format(columns=", ".join(sorted(profile.columns.given().values()))),
                grid.sheet or None,
            )
    grid.use_header(offset)
    return use_levels(grid, offset)


def expected_header_keys(profile: MappingProfile) -> set[str]:
    """What a header row of this profile's files holds, compared by ``header_key``."""
    names = list(profile.columns.given().values())
    if profile.long is not None and profile.layout == "long":
        names += [v for v in profile.long.model_dump().values() if v]
    if isinstance(profile.items, dict) and profile.layout == "wide":
        names += list(profile.items)
    names += list(profile.comments)
    keys = {header_key(name) for name in names}
    return keys | {question_key(key) for key in keys}
