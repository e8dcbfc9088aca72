"""Which answer a photo from the offline zip belongs to, from its name alone.

A photo is named by its question code (``greet_smile.jpg``); a second photo of the same
answer adds a number (``greet_smile-2.jpg``, ``greet_smile_2.jpg``, ``greet_smile (2).jpg``),
case ignored. A name that is itself a question code wins over a number read off its end
(an item may be called ``step_2``). A workbook with one visit takes every photo, whatever
folder it sits in; a workbook with several (the bulk template, one visit per row) needs
each photo in a folder named by its visit's row as the sheet shows it (``row 7/``,
``7/``, ``fila-7/``: any word, then the number). Pure: names in, matches or problems out.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from audit_app.domain.intake.model import ImportIssue, IssueCode
from audit_app.i18n import _

_SECOND = re.compile(r"^(?P<stem>.+?)(?:[-_ ]+(?P<n>\d{1,3})|\s*\((?P<p>\d{1,3})\))$")
_ROW_FOLDER = re.compile(r"^(?:[^\W\d_]+[\s_\-]*)?(\d{1,7})$")


@dataclass(frozen=True)
class VisitPlace:
    """Where a visit is in the workbook: its sheet and (first) row."""

    sheet: str
    row: int | None


@dataclass(frozen=True)
class PhotoMatch:
    member: str
    visit: int
    """Index of the visit in the file's visits."""
    item_id: str
    ordinal: int
    """1 for ``greet_smile.jpg``, 2 for ``greet_smile-2.jpg``: the order on the answer."""


def match_photos(
    members: Sequence[str], visits: Sequence[VisitPlace], item_ids: Collection[str]
) -> tuple[list[PhotoMatch], list[tuple[str, ImportIssue]]]:
    """Each member matched to a visit and an item, or (the member, a problem naming it)."""
    by_key = {item.lower(): item for item in item_ids}
    matches: list[PhotoMatch] = []
    problems: list[tuple[str, ImportIssue]] = []
    for member in members:
        path = PurePosixPath(member.replace("\\", "/"))
        found = _item(PurePosixPath(path.name).stem.strip().lower(), by_key)
        if found is None:
            problems.append(
                (
                    member,
                    ImportIssue(
                        IssueCode.PHOTO_NO_ITEM,
                        _(
                            "{member}: the name is no question code of the checklist; name a "
                            "photo by its question code, e.g. {example}"
                        ).format(member=member, example=_example(item_ids)),
                    ),
                )
            )
            continue
        visit = _visit(member, path.parts[:-1], visits, problems)
        if visit is not None:
            matches.append(PhotoMatch(member, visit, *found))
    return matches, problems


def _item(stem: str, by_key: dict[str, str]) -> tuple[str, int] | None:
    if stem in by_key:
        return by_key[stem], 1
    second = _SECOND.match(stem)
    if second is not None and second["stem"].strip() in by_key:
        return by_key[second["stem"].strip()], int(second["n"] or second["p"])
    return None


def _visit(
    member: str,
    folders: Sequence[str],
    visits: Sequence[VisitPlace],
    problems: list[tuple[str, ImportIssue]],
) -> int | None:
    if len(visits) == 1:
        return 0
    rows = [int(m.group(1)) for f in reversed(folders) if (m := _ROW_FOLDER.match(f.strip()))]
    if not rows:
        problems.append(
            (
                member,
                ImportIssue(
                    IssueCode.PHOTO_VISIT_UNCLEAR,
                    _(
                        "{member}: the workbook holds {count} visits; put the photo in a folder "
                        "named by its visit's row, e.g. 'row {row}/'"
                    ).format(member=member, count=len(visits), row=visits[0].row if visits else 5),
                ),
            )
        )
        return None
    on_row = [n for n, place in enumerate(visits) if place.row == rows[0]]
    if len(on_row) != 1:
        problems.append(
            (
                member,
                ImportIssue(
                    IssueCode.PHOTO_VISIT_UNCLEAR,
                    _("{member}: no visit of the workbook is on row {row}").format(
                        member=member, row=rows[0]
                    )
                    if not on_row
                    else _("{member}: several visits are on row {row}").format(
                        member=member, row=rows[0]
                    ),
                ),
            )
        )
        return None
    return on_row[0]


def _example(item_ids: Collection[str]) -> str:
    first = next(iter(item_ids), "item")
    return f"{first}.jpg"
