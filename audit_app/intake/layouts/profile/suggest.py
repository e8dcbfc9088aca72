"""A first draft of a mapping profile from a file's headers: which sheet, which row is
the header, one row per visit or one per answer, which columns hold the branch, the date
and the auditor (recognised in English, Spanish, Catalan, Romanian and Turkish), and which
column or question answers which item. A person reads the report, edits, saves."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from audit_app.domain.checklist import Checklist
from audit_app.domain.intake.dates import parse_date
from audit_app.domain.intake.vocabulary import fold, is_closed_marker
from audit_app.i18n import _
from audit_app.intake.layouts.ours import UnreadableFile
from audit_app.intake.layouts.profile.columns import MatchReport, match_report
from audit_app.intake.layouts.profile.date_sources import guess_date_source
from audit_app.intake.layouts.profile.header_levels import group_items, use_levels
from audit_app.intake.layouts.profile.lines_draft import draft_lines, repeats_visits
from audit_app.intake.layouts.profile.matching import (
    HEADER_SEARCH_ROWS,
    ItemMatcher,
    find_header_row_over_data,
    header_key,
    question_id,
)
from audit_app.intake.layouts.profile.profile import (
    ColumnRoles,
    LongLayout,
    MappingProfile,
    ProfileError,
    SkipRule,
    VisitDefaults,
)
from audit_app.intake.layouts.profile.rows_draft import suggest_rows
from audit_app.intake.layouts.profile.skipping import is_empty
from audit_app.intake.layouts.profile.suggest_words import WordDraft, draft_words
from audit_app.intake.layouts.profile.synonyms import LONG_SYNONYMS, VISIT_SYNONYMS
from audit_app.intake.source.grid import Grid, csv_grid, open_sheets, sheet_grid, source_kind
from audit_app.intake.source.limits import DEFAULT_LIMITS, Limits

ROLE_HEADER_WORDS = 4
"""Role headers are short; a longer header containing ``store`` is a question."""


def suggest_profile(
    path: Path | str,
    checklist: Checklist,
    name: str | None = None,
    *,
    data: bytes | None = None,
    limits: Limits = DEFAULT_LIMITS,
    constants: Mapping[str, str] | None = None,
) -> tuple[MappingProfile, MatchReport]:
    """A draft profile for ``path`` and the report of what it matched, what it guessed
    and what the user must still supply. ``constants`` (``--set auditor="Agency X"``)
    become the draft's ``defaults``; a date in the file's or the sheet's name becomes a
    ``values.visit_date`` source when no column holds the date."""
    try:
        grid, header_offset, sheet = _best_sheet(path, checklist, data, limits)
    except UnreadableFile as error:
        raise ProfileError(f"{path}: {error}") from None
    grid.use_header(header_offset)
    header_offset = use_levels(grid, header_offset)
    header = grid.header
    roles = assign_roles(header, VISIT_SYNONYMS)
    matcher = ItemMatcher(checklist)
    item_headers = sum(
        1 for i, text in enumerate(header) if i not in roles.values() and matcher.match(text)
    ) + len(group_items(header, checklist, set())[0])
    long_roles = assign_roles(header, LONG_SYNONYMS, taken=set(roles.values()))
    is_long = item_headers < 2 and {"item_column", "value_column"} <= long_roles.keys()
    if not is_long and item_headers < 2:
        rows = suggest_rows(grid, checklist, profile_name(name or Path(path).stem), sheet)
        if rows is not None:
            return _with_what_is_given(*rows, constants, Path(path).name, grid, header_offset)
    header_row = grid.row_number(header_offset)
    draft = MappingProfile(
        name=profile_name(name or Path(path).stem),
        checklist=checklist.id,
        sheet=sheet,
        layout="long" if is_long else "wide",
        columns=ColumnRoles(**{role: header[index] for role, index in roles.items()}),
        long=LongLayout(**{role: header[i] for role, i in long_roles.items()}) if is_long else None,
    )
    questions = _questions(grid, header_offset, long_roles["item_column"]) if is_long else []
    report = match_report(
        draft,
        header,
        checklist,
        questions=questions,
        first_column=grid.first_column,
        header_row=header_row,
    )
    items = _items_by_question_id(report)
    by_id = bool(items) and all(key not in report_headers(report) for key in items)
    grouped, comments = group_items(header, checklist, set())
    if grouped and not is_long:  # a group that names an item: its answer and comment columns
        items = {h: i for h, i in items.items() if i not in grouped.values() and h not in comments}
        items.update(grouped)
        draft = draft.model_copy(update={"comments": comments})
        report = match_report(
            draft.model_copy(update={"items": items}),
            header,
            checklist,
            first_column=grid.first_column,
            header_row=header_row,
        )
    if not is_long and repeats_visits(grid, header_offset, roles):
        lines = draft_lines(grid, header_offset, draft, report, checklist)
        return _with_what_is_given(*lines, constants, Path(path).name, grid, header_offset)
    answer_columns = (
        [long_roles["value_column"]]
        if is_long
        else [i for i, text in enumerate(header) if text in report_headers(report)]
    )
    rules = closed_rules(grid, header_offset, answer_columns, draft.skip.closed_markers)
    update: dict[str, Any] = {"items": items}
    guessed: list[str] = []
    taken = {*roles.values(), *long_roles.values(), *answer_columns}
    status = status_column(grid, header_offset, taken, draft.skip.closed_markers)
    if rules or status is not None:
        update["skip"] = draft.skip.model_copy(update={"rules": rules, "closed_column": status})
    if status is not None:
        guessed.append(
            _("stores marked closed in the column '{column}' (skip.closed_column)").format(
                column=status
            )
        )
    if by_id:
        guessed.append(
            _(
                "items keyed by the question ids of the headers: a later wave's reworded "
                "headers keep their items"
            )
        )
    given, found = _given(
        draft, constants, Path(path).name, grid, header_offset, "visit_date" in roles
    )
    update.update(given)
    guessed += found
    words = _draft_words(grid, header_offset, checklist, report, roles, header, is_long)
    if words.answers:
        update["answers"] = draft.answers.model_copy(update={"map": words.answers})
    if words.kinds:
        update["kinds"] = words.kinds
    if words.channels:
        update["channels"] = words.channels
    guessed += words.guessed
    profile = draft.model_copy(update=update)
    final = match_report(
        profile,
        header,
        checklist,
        questions=questions,
        first_column=grid.first_column,
        header_row=header_row,
    )
    return profile, replace(
        final,
        matches=report.matches,
        guessed=tuple(guessed),
        unknown_words=tuple(words.unknown),
        needed=tuple(profile.roles_missing()),
    )


def _draft_words(
    grid: Grid,
    header_offset: int,
    checklist: Checklist,
    report: MatchReport,
    roles: Mapping[str, int],
    header: Sequence[str],
    is_long: bool,
) -> WordDraft:
    """Answer words, kinds and channels of the data rows (wide layouts' answer columns)."""
    rows = grid.rows[header_offset + 1 :]

    def column(index: int | None) -> list[Any]:
        return [] if index is None else [row[index] for row in rows if index < len(row)]

    by_header = {match.header: match.item_id for match in report.matches}
    answer_cells = (
        []
        if is_long
        else [
            (by_header[text], value)
            for index, text in enumerate(header)
            if text in by_header
            for value in column(index)
        ]
    )
    return draft_words(
        checklist, answer_cells, column(roles.get("kind")), column(roles.get("channel"))
    )


def report_headers(report: MatchReport) -> set[str]:
    return {match.header for match in report.matches}


def _items_by_question_id(report: MatchReport) -> dict[str, str]:
    """Header -> item, keyed by the header's question id where every matched header has
    its own one (``(759215) Was the fitting room clean?`` -> ``"759215"``): the id
    survives rewording, so the profile reads every wave of the programme."""
    ids = [question_id(match.header) for match in report.matches]
    if report.matches and all(ids) and len(set(ids)) == len(ids):
        return {qid: m.item_id for qid, m in zip(ids, report.matches, strict=True) if qid}
    return {match.header: match.item_id for match in report.matches}


def status_column(
    grid: Grid, header_offset: int, taken: set[int], markers: Sequence[str]
) -> str | None:
    """The first column outside the visit's and the answers' columns whose cells mark a
    store closed (a ``Status`` column): the importer then lists such rows as closed, with
    the marker, rather than as separators."""
    folded = [fold(marker) for marker in markers if marker.strip()]
    for column, text in enumerate(grid.header):
        if column in taken or not text:
            continue
        for row in grid.rows[header_offset + 1 :]:
            value = row[column] if column < len(row) else ""
            if isinstance(value, str) and is_closed_marker(value, folded):
                return str(text)
    return None


def closed_rules(
    grid: Grid, header_offset: int, answer_columns: Sequence[int], markers: Sequence[str]
) -> tuple[SkipRule, ...]:
    """Rules for stores marked closed in an answer column (``Closed`` where the first
    answer should be): the importer's guesses never look there, so the draft says it
    explicitly, one rule per column, for a person to read before saving."""
    folded = [fold(marker) for marker in markers if marker.strip()]
    found: dict[int, dict[str, None]] = {}
    for row in grid.rows[header_offset + 1 :]:
        for column in answer_columns:
            value = row[column] if column < len(row) else ""
            if isinstance(value, str) and is_closed_marker(value, folded):
                found.setdefault(column, {})[value.strip()] = None
                break
    return tuple(
        SkipRule(column=grid.header[column], equals=tuple(texts))
        for column, texts in sorted(found.items())
    )


def profile_name(text: str) -> str:
    """A file-name-safe profile name from a file's stem."""
    slug = re.sub(r"[^A-Za-z0-9_.\-]+", "-", text).strip("-._")
    return (slug or "mapping")[:80]


def role_score(key: str, synonyms: Sequence[str]) -> int:
    """How well one header names a role: 100 when it is a synonym, else the number of
    words of the longest synonym it contains (``Store code (SAP)`` -> 2), else 0."""
    if not key:
        return 0
    if key in synonyms:
        return 100
    words = key.split()
    if len(words) > ROLE_HEADER_WORDS:
        return 0
    best = 0
    for synonym in synonyms:
        needed = synonym.split()
        if all(word in words for word in needed):
            best = max(best, len(needed))
    return best


def assign_roles(
    header: Sequence[Any],
    synonyms: dict[str, tuple[str, ...]],
    taken: set[int] | None = None,
) -> dict[str, int]:
    """Role -> column: the best-named column per role, each column used once."""
    keys = [
        "" if question_id(text) else header_key(text)  # a header with a question id is a question
        for text in header
    ]
    pairs = [
        (score, -index, role, index)
        for role, words in synonyms.items()
        for index, key in enumerate(keys)
        if (score := role_score(key, words))
        and (score == 100 or role == "comment_column" or not _comment_header(key))
    ]
    used = set(taken or ())
    roles: dict[str, int] = {}
    for _score, _left, role, index in sorted(pairs, reverse=True):
        if role not in roles and index not in used:
            roles[role] = index
            used.add(index)
    return roles


_COMMENT_WORDS = frozenset(
    word for synonym in LONG_SYNONYMS["comment_column"] for word in synonym.split()
)


def _comment_header(key: str) -> bool:
    """``shopper comments``: a header that says it holds comments names no visit role,
    whatever other word it shares with one."""
    return any(word in _COMMENT_WORDS for word in key.split())


def _header_score(matcher: ItemMatcher) -> Any:
    every_role = {**VISIT_SYNONYMS, **LONG_SYNONYMS}

    def score(keys: list[str], row: Sequence[Any]) -> int:
        points = 0
        for key, value in zip(keys, row, strict=True):
            if not key or not isinstance(value, str):
                continue
            if any(role_score(key, words) for words in every_role.values()):
                points += 2
            elif matcher.is_item_text(value):
                points += 1
        return points

    return score


def _best_sheet(
    path: Path | str, checklist: Checklist, data: bytes | None, limits: Limits
) -> tuple[Grid, int, str | int]:
    """The sheet and row that look most like a header of this checklist's answers, and
    how a profile names that sheet: 0 for the first one (next month's file may rename it),
    else its name."""
    score = _header_score(ItemMatcher(checklist))
    if source_kind(path) == "csv":
        grid = csv_grid(path, data, limits=limits)
        return grid, find_header_row_over_data(grid.rows, score)[0], 0
    workbook, names = open_sheets(path, data, limits=limits)
    best: tuple[int, int, int] | None = None
    for position, name in enumerate(names):
        sample = sheet_grid(workbook, name, nrows=HEADER_SEARCH_ROWS, limits=limits)
        offset, points = find_header_row_over_data(sample.rows, score)
        if sample.rows and (best is None or points > best[0]):
            best = (points, position, offset)
    if best is None:
        raise UnreadableFile(_("every sheet of the workbook is empty"))
    _points, position, offset = best
    sheet_ref = 0 if position == 0 else names[position]
    return sheet_grid(workbook, names[position], limits=limits), offset, sheet_ref


def _questions(grid: Grid, header_offset: int, column: int) -> list[Any]:
    seen: dict[str, Any] = {}
    for row in grid.rows[header_offset + 1 :]:
        value = row[column] if column < len(row) else ""
        if not is_empty(value):
            seen.setdefault(str(value).strip(), value)
    return list(seen.values())


def _given(
    draft: MappingProfile,
    constants: Mapping[str, str] | None,
    file_name: str,
    grid: Grid,
    header_offset: int,
    date_in_sheet: bool,
) -> tuple[dict[str, Any], list[str]]:
    """What the user gave (``--set``) as the draft's defaults, and a date found in the file
    name, the sheet name or a cell above the header when the sheet holds none: the draft's
    update and the report's lines on it."""
    update: dict[str, Any] = {}
    guessed: list[str] = []
    if constants:
        update["defaults"] = VisitDefaults.model_validate(
            {**draft.defaults.given(), **dict(constants)}
        )
        guessed += [
            _("{role} = '{value}' (given: defaults.{role})").format(role=role, value=value)
            for role, value in constants.items()
        ]
    if not date_in_sheet and not (constants or {}).get("visit_date"):
        banner = [
            (grid.ref(offset, column), value)
            for offset in range(header_offset)
            for column, value in enumerate(grid.rows[offset])
            if value not in ("", None)
        ]
        found = guess_date_source(file_name, grid.sheet, banner if not grid.is_csv else [])
        if found is not None:
            source, written = found
            update["values"] = {"visit_date": source}
            if source.source == "file_name":
                text = _("visit date from the file name: '{written}' -> {date} (values.visit_date)")
            elif source.source == "sheet_name":
                text = _(
                    "visit date from the sheet name: '{written}' -> {date} (values.visit_date)"
                )
            else:
                text = _(
                    "visit date from the cell {cell}: '{written}' -> {date} (values.visit_date)"
                )
            guessed.append(
                text.format(
                    cell=source.cell, written=written, date=f"{parse_date(written):%Y-%m-%d}"
                )
            )
    return update, guessed


def _with_what_is_given(
    profile: MappingProfile,
    report: MatchReport,
    constants: Mapping[str, str] | None,
    file_name: str,
    grid: Grid,
    header_offset: int,
) -> tuple[MappingProfile, MatchReport]:
    """A rows or lines draft with the user's constants and a date from the file's name,
    like the wide and long drafts, and the roles still to supply."""
    update, guessed = _given(
        profile,
        constants,
        file_name,
        grid,
        header_offset,
        "visit_date" not in profile.roles_missing(),
    )
    drafted = profile.model_copy(update=update)
    return drafted, replace(
        report,
        guessed=(*report.guessed, *guessed),
        needed=tuple(drafted.roles_missing()),
    )
