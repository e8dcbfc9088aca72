"""Page breaks of the long league table (``reports.rows.LongRows``): never one row alone
under its header on either side of a break; a table too short to split well moves whole."""

from __future__ import annotations

import pytest
from reportlab.platypus import Spacer

from audit_app.reports.rows import ORPHANS, Columns, LongRows, Row

ROW = 10.0
HEADER = 12.0


def table(rows: int) -> LongRows:
    columns = Columns((100.0,), frozenset(), "Helvetica", "Helvetica-Bold", 8, ROW)
    return LongRows(Spacer(100, HEADER), [Row((str(i),)) for i in range(rows)], columns)


def split(rows: int, room: int) -> list[int]:
    """Rows on each side of the break when ``room`` rows fit under the header."""
    pieces = table(rows).split(100, HEADER + room * ROW + 1)
    return [len(piece.rows) for piece in pieces]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("rows", "room", "sides"),
    [
        (40, 25, [25, 15]),  # plenty on both sides
        (27, 25, [22, 5]),  # the next page keeps five
        (6, 5, []),  # one here or one there: the whole table moves on
        (20, 3, []),  # three rows at a page's foot: the table starts on the next page
        (200, 0, []),
        (3, 10, []),  # a short table is never split
    ],
)
def test_a_break_leaves_at_least_five_rows_on_each_side(
    rows: int, room: int, sides: list[int]
) -> None:
    got = split(rows, room)
    assert got == sides
    assert all(side >= min(ORPHANS, rows) for side in got)
    assert sum(got) in (0, rows)
