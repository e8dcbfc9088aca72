"""A long table of one-line rows (a 5,000-branch league table) drawn straight on the canvas.

reportlab's ``Table`` styles, measures and draws every cell through its general machinery
(a text object and a style lookup per cell): 60,000 cells took about 2.5 s to draw. Here a
page's rows share one text object, only right-aligned cells are measured (and the widths
of repeated strings such as scores are kept), and a page break is a slice of the rows, so
the whole table is one flowable that splits where the page ends, its header repeated on
every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable


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

    def __init__(
        self, header: Callable[[], Flowable], rows: Sequence[Row], columns: Columns
    ) -> None:
        super().__init__()
        self.header = header
        self.rows = rows
        self.columns = columns
        self._header: Flowable | None = None
        self._header_height = 0.0
        self.width = float(sum(columns.widths))
        self.height = 0.0

    def _measure_header(self, available_width: float) -> float:
        if self._header is None:
            self._header = self.header()
            _w, self._header_height = self._header.wrap(self.width, 10_000)
        return self._header_height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.height = self._measure_header(available_width) + len(self.rows) * (
            self.columns.row_height
        )
        return self.width, self.height

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        """The rows that fit under the header here, and the rest (with its own header)."""
        room = available_height - self._measure_header(available_width)
        fit = int(room // self.columns.row_height)
        if fit < 1 or len(self.rows) < 2:
            return []
        fit = min(fit, len(self.rows) - 1)
        return [
            LongRows(self.header, self.rows[:fit], self.columns),
            LongRows(self.header, self.rows[fit:], self.columns),
        ]

    def draw(self) -> None:
        canvas: Any = self.canv
        columns = self.columns
        header_height = self._measure_header(self.width)
        assert self._header is not None
        self._header.drawOn(canvas, 0, self.height - header_height)
        top = self.height - header_height
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
                text.textOut(cell)
        canvas.drawText(text)
        canvas.restoreState()
