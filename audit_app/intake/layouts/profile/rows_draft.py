"""The wizard's draft for a questions-in-rows sheet: the column whose cells are the
checklist's questions, the header row above them that labels each visit column, the
rows labelled ``Store``, ``Auditor``, ``Date`` that give the visit fields, and whether
the visit columns' labels are months or dates."""

from __future__ import annotations

from typing import Any

from audit_app.domain.checklist import Checklist
from audit_app.domain.intake.dates import parse_date, parse_month_label
from audit_app.i18n import _
from audit_app.intake.layouts.profile.columns import ColumnMatch, MatchReport
from audit_app.intake.layouts.profile.matching import ItemMatcher, header_key
from audit_app.intake.layouts.profile.profile import MappingProfile, RowsLayout
from audit_app.intake.layouts.profile.skipping import is_empty
from audit_app.intake.layouts.profile.synonyms import VISIT_SYNONYMS
from audit_app.intake.source.grid import Grid

SAMPLE_ROWS = 300
"""Rows looked at for questions: a QA workbook's checklist fits many times over."""
MIN_QUESTIONS = 3
BRANCH_ROLES = ("branch_code", "branch_name")
NUMBER_WORDS = frozenset({"no", "nr", "n", "num", "number", "q", "qn", "ref", "item no"})


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def question_column(grid: Grid, checklist: Checklist) -> tuple[int, list[int]] | None:
    """The column holding at least ``MIN_QUESTIONS`` different questions of the checklist,
    one per row, and those rows' offsets."""
    matcher = ItemMatcher(checklist)
    best: tuple[int, list[int]] | None = None
    width = grid.width
    rows = grid.rows[:SAMPLE_ROWS]
    for column in range(width):
        items: dict[str, int] = {}
        for offset, row in enumerate(rows):
            value = row[column] if column < len(row) else ""
            if isinstance(value, str) and len(value) > 3:
                match = matcher.match(value)
                if match is not None:
                    items.setdefault(match.item_id, offset)
        if len(items) >= MIN_QUESTIONS and (best is None or len(items) > len(best[1])):
            best = (column, sorted(items.values()))
    return best


def suggest_rows(
    grid: Grid, checklist: Checklist, name: str, sheet: str | int
) -> tuple[MappingProfile, MatchReport] | None:
    """A rows-layout draft, or None when no column holds the checklist's questions."""
    found = question_column(grid, checklist)
    if found is None:
        return None
    question, question_rows = found
    first = question_rows[0]
    fields = _fields(grid, question, first)
    field_rows = set(fields.values())
    header = next(
        (
            offset
            for offset in range(first - 1, -1, -1)
            if offset not in field_rows
            and _text(grid.rows[offset][question])
            and any(not is_empty(v) for v in grid.rows[offset][question + 1 :])
        ),
        None,
    )
    if header is None:
        return None
    header_texts = grid.use_header(header)
    number = next(
        (
            c
            for c in range(question)
            if header_key(header_texts[c]) in NUMBER_WORDS or header_texts[c].strip() == "#"
        ),
        None,
    )
    labels = [v for v in grid.rows[header][question + 1 :] if not is_empty(v)]
    gives = None
    if "visit_date" not in fields and labels:
        dated = sum(1 for v in labels if parse_month_label(v) or parse_date(v))
        gives = "visit_date" if dated * 2 >= len(labels) else None
    elif not {"branch_code", "branch_name"} & fields.keys() and labels:
        gives = "branch_code" if all(_looks_like_code(v) for v in labels) else "branch_name"
    matcher = ItemMatcher(checklist)
    items: dict[str, str] = {}
    matches: list[ColumnMatch] = []
    for offset in question_rows:
        text = _text(grid.rows[offset][question])
        match = matcher.match(text)
        if match is None or match.item_id in items.values():
            continue
        items[text] = match.item_id
        matches.append(ColumnMatch(text, None, match.item_id, match.how, match.ratio))
    field_labels = {
        role: _text(grid.rows[o][_label_column(grid, o, question)]) for role, o in fields.items()
    }
    rows = RowsLayout.model_validate(
        {
            "question_column": header_texts[question],
            "number_column": header_texts[number] if number is not None else None,
            "fields": field_labels,
            "header_gives": gives,
        }
    )
    draft = MappingProfile(
        name=name, checklist=checklist.id, sheet=sheet, layout="rows", rows=rows, items=items
    )
    answered = set(items.values())
    problems = []
    if not {"branch_code", "branch_name"} & fields.keys() and gives not in BRANCH_ROLES:
        problems.append(_("no row gives the branch: add a Store row, or give it in the profile"))
    if "visit_date" not in fields and gives != "visit_date":
        problems.append(_("no row or column label gives the visit date"))
    if "auditor" not in fields:
        problems.append(_("no row gives the auditor: set defaults.auditor"))
    report = MatchReport(
        checklist=f"{checklist.id} v{checklist.version}",
        layout="rows",
        header_row=grid.row_number(header),
        roles={
            **{
                role: _("{label} (row {row})").format(
                    label=field_labels[role], row=grid.row_number(o)
                )
                for role, o in fields.items()
            },
            **({gives: _("the visit columns' labels")} if gives else {}),
        },
        matches=tuple(matches),
        unmatched_items=tuple(i for i in checklist.items_by_id if i not in answered),
        unmatched_required=tuple(
            i.id for i in checklist.items if i.is_required and i.id not in answered
        ),
        unused_columns=(),
        problems=tuple(problems),
    )
    return draft, report


def _label_column(grid: Grid, offset: int, question: int) -> int:
    row = grid.rows[offset]
    return next((c for c in range(question, -1, -1) if _text(row[c])), question)


def _fields(grid: Grid, question: int, first_question: int) -> dict[str, int]:
    """Role -> offset of a row above the questions whose label (in the question column
    or left of it) is a visit-field word."""
    from audit_app.intake.layouts.profile.suggest import assign_roles

    labels: list[str] = []
    for offset in range(first_question):
        row = grid.rows[offset]
        label = next((_text(row[c]) for c in range(question, -1, -1) if _text(row[c])), "")
        labels.append(label if any(not is_empty(v) for v in row[question + 1 :]) else "")
    found = {
        role: offset
        for role, offset in assign_roles(labels, VISIT_SYNONYMS).items()
        if role in ("branch_code", "branch_name", "visit_date", "visit_time", "auditor")
    }
    if "branch_name" in found and "branch_code" not in found:
        values = [v for v in grid.rows[found["branch_name"]][question + 1 :] if not is_empty(v)]
        if values and all(_looks_like_code(v) for v in values):
            found["branch_code"] = found.pop("branch_name")
    return found


def _looks_like_code(value: Any) -> bool:
    """``ES-CAT-01``, ``B001``, ``1042``: one word holding a digit."""
    text = str(value).strip()
    return " " not in text and any(ch.isdigit() for ch in text)
