"""Small vector charts (reportlab.graphics) that read on paper, in colour or not.

Every bar has a dark outline and its value written next to it, the pass mark is a dashed
line, the axes are named in the report's language, and the fills come from the Okabe-Ito
palette (blue, orange, vermillion), which readers with any common colour-vision deficiency
tell apart: nothing depends on telling green from red.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.pdfbase.pdfmetrics import stringWidth

from audit_app.i18n import _, formats
from audit_app.reports.layout import FONT, GREY, register_fonts

OUTLINE = colors.HexColor("#222222")
PASS_FILL = colors.HexColor("#0072B2")
"""Okabe-Ito blue: at or above the pass mark."""
NEAR_FILL = colors.HexColor("#E69F00")
"""Okabe-Ito orange: within :data:`AMBER_BAND` points below the pass mark."""
FAIL_FILL = colors.HexColor("#D55E00")
"""Okabe-Ito vermillion: further below."""
AMBER_BAND = 15.0
"""Scores within this many points below the pass mark draw amber, lower ones red."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    """0-100, None where nothing counted."""
    value_text: str
    marker: float | None = None
    """A reference value drawn as a black tick across the bar (the chain average)."""


def score_colour(value: float, pass_mark: float) -> colors.Color:
    if value >= pass_mark:
        return PASS_FILL
    return NEAR_FILL if value >= pass_mark - AMBER_BAND else FAIL_FILL


def _fit(text: str, width: float, size: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``width`` points."""
    if stringWidth(text, FONT, size) <= width:
        return text
    while text and stringWidth(text + "…", FONT, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def section_bars(
    bars: Sequence[Bar],
    pass_mark: float,
    *,
    width: float = 480,
    label_width: float = 170,
    bar_height: float = 11,
    gap: float = 5,
    axis_title: str | None = None,
) -> Drawing:
    """Horizontal 0-100 bars, one per section, with the pass mark as a dashed line, the value
    written beside each bar and the axis named (``axis_title``, default "Score (0–100)")."""
    register_fonts()
    value_width = 80
    plot = width - label_width - value_width
    top_pad, bottom_pad = 4, 14
    height = top_pad + bottom_pad + len(bars) * (bar_height + gap)
    drawing = Drawing(width, height)
    x0 = label_width

    def x_of(value: float) -> float:
        return x0 + plot * max(0.0, min(100.0, value)) / 100

    for index, bar in enumerate(bars):
        y = height - top_pad - (index + 1) * (bar_height + gap) + gap / 2
        drawing.add(
            String(0, y + 2.5, _fit(bar.label, label_width - 6, 8), fontName=FONT, fontSize=8)
        )
        drawing.add(
            Rect(x0, y, plot, bar_height, fillColor=colors.white, strokeColor=GREY, strokeWidth=0.3)
        )
        if bar.value is not None:
            drawing.add(
                Rect(
                    x0,
                    y,
                    x_of(bar.value) - x0,
                    bar_height,
                    fillColor=score_colour(bar.value, pass_mark),
                    strokeColor=OUTLINE,
                    strokeWidth=0.6,
                )
            )
        if bar.marker is not None:
            mx = x_of(bar.marker)
            drawing.add(Line(mx, y - 2, mx, y + bar_height + 2, strokeColor=OUTLINE, strokeWidth=2))
        drawing.add(String(x0 + plot + 5, y + 2.5, bar.value_text, fontName=FONT, fontSize=8))
    pass_x = x_of(pass_mark)
    drawing.add(
        Line(
            pass_x,
            bottom_pad - 2,
            pass_x,
            height - 1,
            strokeColor=OUTLINE,
            strokeWidth=0.8,
            strokeDashArray=[3, 2],
        )
    )
    pass_text = _("▲ pass mark {mark}").format(mark=_plain(pass_mark))
    pass_end = pass_x + 2 + stringWidth(pass_text, FONT, 7)
    for tick in (0, 50, 100):
        half = stringWidth(str(tick), FONT, 7) / 2
        if x_of(tick) + half > pass_x and x_of(tick) - half < pass_end:
            continue  # the pass mark's label stands there
        drawing.add(
            String(
                x_of(tick),
                2,
                str(tick),
                fontName=FONT,
                fontSize=7,
                fillColor=GREY,
                textAnchor="middle",
            )
        )
    drawing.add(
        String(
            pass_x + 2,
            2,
            pass_text,
            fontName=FONT,
            fontSize=7,
            fillColor=OUTLINE,
        )
    )
    drawing.add(
        String(
            x0 - 6,
            2,
            axis_title or _("Score (0–100)"),
            fontName=FONT,
            fontSize=7,
            fillColor=GREY,
            textAnchor="end",
        )
    )
    return drawing


def _plain(value: float) -> str:
    return formats.integer(value) if float(value).is_integer() else formats.decimal(value, 1)


def trend_line(
    points: Sequence[tuple[str, float]],
    pass_mark: float | None,
    *,
    width: float = 480,
    height: float = 90,
    value_texts: Sequence[str] | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> Drawing:
    """Scores over time on a 0-100 scale: a line with square markers and written values,
    the axes named (``y_title`` default "Score (0–100)"; ``x_title`` under the dates)."""
    register_fonts()
    x_room = 10 if x_title else 0
    height += x_room + 8  # the x-axis title under the dates, the y-axis title above the plot
    drawing = Drawing(width, height)
    left, right, bottom, top = 24, 14, 14 + x_room, 22
    inset = 12  # keeps the first and last value labels clear of the axis labels
    plot_w, plot_h = width - left - right, height - bottom - top

    def y_of(value: float) -> float:
        return bottom + plot_h * max(0.0, min(100.0, value)) / 100

    for tick in (0, 50, 100):
        y = y_of(tick)
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=GREY, strokeWidth=0.25))
        drawing.add(
            String(
                left - 3,
                y - 2.5,
                str(tick),
                fontName=FONT,
                fontSize=7,
                fillColor=GREY,
                textAnchor="end",
            )
        )
    if pass_mark is not None:
        y = y_of(pass_mark)
        drawing.add(
            Line(
                left,
                y,
                left + plot_w,
                y,
                strokeColor=OUTLINE,
                strokeWidth=0.8,
                strokeDashArray=[3, 2],
            )
        )
    if not points:
        return drawing
    step = (plot_w - 2 * inset) / max(1, len(points) - 1)
    xs = [left + (inset + step * i if len(points) > 1 else plot_w / 2) for i in range(len(points))]
    coords = [(x, y_of(value)) for x, (_label, value) in zip(xs, points, strict=True)]
    if len(coords) > 1:
        flat = [c for point in coords for c in point]
        drawing.add(PolyLine(flat, strokeColor=OUTLINE, strokeWidth=1.2))
    texts = value_texts or [f"{value:.1f}" for _label, value in points]
    for (x, y), (_label, value), text in zip(coords, points, texts, strict=True):
        fill = score_colour(value, pass_mark) if pass_mark is not None else PASS_FILL
        drawing.add(Rect(x - 3, y - 3, 6, 6, fillColor=fill, strokeColor=OUTLINE, strokeWidth=0.6))
        drawing.add(String(x, y + 5, text, fontName=FONT, fontSize=6.5, textAnchor="middle"))
    every = max(1, (len(points) + 7) // 8)
    for index, (x, (label, _value)) in enumerate(zip(xs, points, strict=True)):
        if index % every == 0 or index == len(points) - 1:
            drawing.add(
                String(
                    x,
                    2 + x_room,
                    label,
                    fontName=FONT,
                    fontSize=6.5,
                    fillColor=GREY,
                    textAnchor="middle",
                )
            )
    if x_title:
        drawing.add(
            String(
                left + plot_w / 2,
                1,
                x_title,
                fontName=FONT,
                fontSize=7,
                fillColor=GREY,
                textAnchor="middle",
            )
        )
    drawing.add(
        String(
            left,
            height - 8,
            y_title or _("Score (0–100)"),
            fontName=FONT,
            fontSize=7,
            fillColor=GREY,
        )
    )
    return drawing
