"""The page every report shares: the shipped DejaVu Sans font, styles, a header with the
report's title, a footer with "page X of Y" and the generation time.

The font ships with the package (``fonts/``): the built-in Helvetica has no ş, ș, ț, ğ, ı
or İ and would draw boxes for Turkish and Romanian names.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, SimpleDocTemplate

from audit_app.i18n import formats

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
PAGE = A4
MARGIN = 16 * mm

# Colours chosen to stay apart in black and white too (different greys when printed).
GREEN = colors.HexColor("#2E7D4F")
AMBER = colors.HexColor("#E0A526")
RED = colors.HexColor("#B3261E")
GREY = colors.HexColor("#666666")
LIGHT = colors.HexColor("#EEF3EF")
FAIL_FILL = colors.HexColor("#F9DEDC")


def register_fonts() -> None:
    """Register DejaVu Sans (regular and bold) once per process."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, str(FONTS_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )


def font_covers(text: str, font_name: str = FONT) -> bool:
    """True when every letter of ``text`` has a glyph in the font (no boxes)."""
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    face = getattr(font, "face", None)
    char_to_glyph = getattr(face, "charToGlyph", None)
    if char_to_glyph is None:  # a built-in Type 1 font such as Helvetica: Latin-1 only
        return all(ord(ch) < 256 for ch in text)
    return all(ord(ch) in char_to_glyph for ch in text if not ch.isspace())


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle


def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, alignment=TA_LEFT)
    return Styles(
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=17,
            leading=21,
            textColor=GREEN,
            spaceAfter=4,
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=8,
            spaceAfter=4,
        ),
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=GREY),
        cell=ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        cell_bold=ParagraphStyle(
            "cell_bold", parent=body, fontName=FONT_BOLD, fontSize=8, leading=10
        ),
    )


class _NumberedCanvas(canvas.Canvas):
    """Draws the header and footer after the last page is known: "page X of Y"."""

    header_text = ""
    footer_text = "Page {page} of {pages}"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self._decorate(total)
            super().showPage()
        super().save()

    def _decorate(self, total: int) -> None:
        width, height = self._pagesize
        self.saveState()
        self.setFont(FONT, 8)
        self.setFillColor(GREY)
        self.drawString(MARGIN, height - 10 * mm, self.header_text)
        self.setStrokeColor(LIGHT)
        self.line(MARGIN, height - 11.5 * mm, width - MARGIN, height - 11.5 * mm)
        footer = self.footer_text.format(page=self._pageNumber, pages=total)
        self.drawString(MARGIN, 9 * mm, footer)
        self.restoreState()


def render_pdf(
    story: Sequence[Flowable],
    *,
    title: str,
    generated_at: datetime,
    page_label: str = "Page {page} of {pages}",
    generated_label: str = "generated {time}",
    author: str = "audit-app",
) -> bytes:
    """Lay out ``story`` on A4 pages with the shared header and footer; return the PDF."""
    register_fonts()
    buffer = io.BytesIO()
    stamp = generated_label.format(
        time=f"{formats.date(generated_at, 'short')} {generated_at:%H:%M} UTC"
    )

    class PageCanvas(_NumberedCanvas):
        header_text = title
        footer_text = f"{page_label} · {stamp}"

    document = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 2 * mm,
        bottomMargin=MARGIN,
        title=title,
        author=author,
        creator="audit-app",
    )
    document.build(list(story), canvasmaker=PageCanvas)
    return buffer.getvalue()
