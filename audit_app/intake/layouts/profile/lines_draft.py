"""The wizard's draft for a line-level sheet: a wide-looking header whose visit columns
(branch, date, auditor) repeat down many rows. Rows with the same visit cells become one
visit; each column matched to an item gets a rule a person checks before saving: a
percentage column of Yes / No per line is the share of Yes, a numeric column its mean,
anything else the visit's first filled cell."""

from __future__ import annotations

from dataclasses import replace

from audit_app.domain.checklist import Checklist, NumberItem, PercentageItem, ScaleItem
from audit_app.domain.intake.vocabulary import YES_WORDS, Vocabulary, fold
from audit_app.i18n import _
from audit_app.intake.layouts.profile.columns import ColumnMatch, MatchReport
from audit_app.intake.layouts.profile.lines_layout import number_of
from audit_app.intake.layouts.profile.profile import AggregateRule, LinesLayout, MappingProfile
from audit_app.intake.layouts.profile.skipping import is_empty, shown
from audit_app.intake.source.grid import Grid

KEY_ROLES = ("branch_code", "branch_name", "visit_date", "visit_time", "auditor", "visit_reference")
LINES_PER_VISIT = 2
"""Rows per visit, on average, from which a sheet is taken for line-level."""


def repeats_visits(grid: Grid, header_offset: int, roles: dict[str, int]) -> bool:
    """True when visits (their branch, date, time, auditor and reference cells) fill
    several rows each, on average at least ``LINES_PER_VISIT``: one store visited twice on
    one day in an export of one row per visit is no line-level sheet."""
    columns = [roles[r] for r in KEY_ROLES if r in roles]
    if not ({"branch_code", "branch_name"} & roles.keys()) or "visit_date" not in roles:
        return False
    seen: set[tuple[str, ...]] = set()
    rows = 0
    for row in grid.rows[header_offset + 1 :]:
        if all(is_empty(row[c]) for c in columns):
            continue
        rows += 1
        seen.add(tuple(fold(shown(row[c])) for c in columns))
    return len(seen) < rows and rows >= LINES_PER_VISIT * len(seen)


def draft_lines(
    grid: Grid,
    header_offset: int,
    draft: MappingProfile,
    report: MatchReport,
    checklist: Checklist,
) -> tuple[MappingProfile, MatchReport]:
    """The wide draft turned into a lines draft, a rule per matched column."""
    vocabulary = Vocabulary()
    items = checklist.items_by_id
    position = {text: index for index, text in enumerate(grid.header) if text}
    rows = grid.rows[header_offset + 1 :]
    aggregate: dict[str, AggregateRule] = {}
    problems: list[str] = []
    roles = {
        role: position[text] for role, text in draft.columns.given().items() if text in position
    }
    key_columns = [roles[r] for r in KEY_ROLES if r in roles]
    matches: list[ColumnMatch] = []
    for match in report.matches:
        column = position[match.header]
        values = [row[column] for row in rows if not is_empty(row[column])]
        item = items[match.item_id]
        if (
            isinstance(item, PercentageItem)
            and values
            and all(isinstance(v, str) and vocabulary.word(v) in ("yes", "no") for v in values)
        ):
            yes = sorted({str(v).strip() for v in values if vocabulary.word(str(v)) == "yes"})
            rule = AggregateRule.model_validate(
                {
                    "column": match.header,
                    "rule": "share",
                    "where": {"equals": yes or [YES_WORDS[0]]},
                }
            )
        elif (
            isinstance(item, PercentageItem | NumberItem | ScaleItem)
            and values
            and all(number_of(v) is not None for v in values)
        ):
            rule = AggregateRule(column=match.header, rule="mean")
        else:
            rule = AggregateRule(column=match.header, rule="first")
            if _varies(grid, header_offset, key_columns, column):
                problems.append(
                    _(
                        "'{column}' differs between the rows of one visit: the draft takes "
                        "each visit's first row for {item}; choose a rule under lines.aggregate"
                    ).format(column=match.header, item=match.item_id)
                )
        aggregate[match.item_id] = rule
        matches.append(replace(match, header=f"{match.header} ({rule.rule})"))
    profile = draft.model_copy(
        update={"layout": "lines", "items": {}, "lines": LinesLayout(aggregate=aggregate)}
    )
    return profile, replace(
        report, layout="lines", matches=tuple(matches), problems=(*report.problems, *problems)
    )


def _varies(grid: Grid, header_offset: int, keys: list[int], column: int) -> bool:
    """True when one visit's rows hold different values in ``column``."""
    seen: dict[tuple[str, ...], str] = {}
    last: tuple[str, ...] | None = None
    for row in grid.rows[header_offset + 1 :]:
        if not all(is_empty(row[c]) for c in keys):
            last = tuple(fold(shown(row[c])) for c in keys)
        value = row[column]
        if last is None or is_empty(value):
            continue
        text = fold(shown(value))
        if seen.setdefault(last, text) != text:
            return True
    return False
