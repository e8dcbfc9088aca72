"""A long table of one-line rows (a 5,000-branch league table) drawn straight on the canvas.

reportlab's ``Table`` styles, measures and draws every cell through its general machinery
(a text object and a style lookup per cell): 60,000 cells took about 2.5 s to draw. Here a
page's rows share one text object, only right-aligned cells are measured (and the widths
of repeated strings such as scores are kept), and a page break is a slice of the rows, so
the whole table is one flowable that splits where the page ends, its header repeated on
every page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

ORPHANS = 5
"""The fewest rows a page break leaves for the next page (when this page keeps as many)."""


@dataclass(frozen=True)
class Row:
    """One line of the table: its cells' text and how it looks."""

    cells: Sequence[str]
    fill: colors.Color | None = None
    """The row's background (None: none)."""
    ink: colors.Color = colors.black
    bold: bool = False
    divider: bool = False
    """A caption across the whole row (its first cell), with a line above it."""


@dataclass(frozen=True)
class Columns:
    """Column widths (points), which ones are right-aligned, and the text's look."""

    widths: Sequence[float]
    right: frozenset[int]
    font: str
    bold_font: str
    size: float
    row_height: float
    padding: float = 2.5
    bottom_padding: float = 1.2
    line: colors.Color = colors.grey


@lru_cache(maxsize=16_384)
def _width(text: str, font: str, size: float) -> float:
    return float(stringWidth(text, font, size))


class LongRows(Flowable):
    """Rows under a header that is drawn again at the top of every page the rows reach."""

    def __init__(self, header: Flowable, rows: Sequence[Row], columns: Columns) -> None:
        """``header``: one flowable as wide as the columns (a one-row ``Table``), measured
        once and drawn on every page (the pieces a page break makes share it)."""
        super().__init__()
        self.header = header
        self.rows = rows
        self.columns = columns
        self.width = float(sum(columns.widths))
        self._header_height = float(header.wrap(self.width, 10_000)[1])
        self.height = 0.0

    def _piece(self, rows: Sequence[Row]) -> LongRows:
        piece = LongRows.__new__(LongRows)
        Flowable.__init__(piece)
        piece.header, piece.rows, piece.columns = self.header, rows, self.columns
        piece.width, piece._header_height, piece.height = self.width, self._header_height, 0.0
        return piece

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.height = self._header_height + len(self.rows) * self.columns.row_height
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """The rows that fit under the header here, and the rest (under the same header)."""
        fit = int((available_height - self._header_height) // self.columns.row_height)
        if fit < 1 or len(self.rows) < 2:
            return []
        fit = min(fit, len(self.rows) - 1)
        if len(self.rows) - fit < ORPHANS <= fit:  # no lone row under a header overleaf
            fit = len(self.rows) - ORPHANS
        if fit < min(ORPHANS, len(self.rows)):  # nor here: the table starts on the next page
            return []
        return [self._piece(self.rows[:fit]), self._piece(self.rows[fit:])]

    def draw(self) -> None:
        canvas: Any = self.canv
        columns = self.columns
        self.header.drawOn(canvas, 0, self.height - self._header_height)
        top = self.height - self._header_height
        height = columns.row_height
        lefts = [sum(columns.widths[:j]) for j in range(len(columns.widths))]
        canvas.saveState()
        for i, row in enumerate(self.rows):
            bottom = top - (i + 1) * height
            if row.fill is not None:
                canvas.setFillColor(row.fill)
                canvas.rect(0, bottom, self.width, height, stroke=0, fill=1)
            if row.divider:
                canvas.setStrokeColor(columns.line)
                canvas.setLineWidth(0.6)
                canvas.line(0, bottom + height, self.width, bottom + height)
        text = canvas.beginText()
        font, ink = columns.font, colors.black
        text.setFont(font, columns.size)
        text.setFillColor(ink)
        # the baseline where reportlab's Table puts a middle-aligned line (leading 1.2 x size)
        rise = (columns.bottom_padding + height + 1.2 * columns.size) / 2 - columns.size
        for i, row in enumerate(self.rows):
            baseline = top - (i + 1) * height + rise
            wanted = columns.bold_font if row.bold or row.divider else columns.font
            if wanted != font:
                font = wanted
                text.setFont(font, columns.size)
            if row.ink != ink:
                ink = row.ink
                text.setFillColor(ink)
            cells = row.cells[:1] if row.divider else row.cells
            for j, cell in enumerate(cells):
                if not cell:
                    continue
                if j in columns.right and not row.divider:
                    x = lefts[j] + columns.widths[j] - columns.padding
                    x -= _width(cell, font, columns.size)
                else:
                    x = lefts[j] + columns.padding
                text.setTextOrigin(x, baseline)
                text._textOut(cell)  # textOut would measure it again to move a cursor unused
        canvas.drawText(text)
        canvas.restoreState()
