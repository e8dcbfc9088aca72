"""Altair charts of the Compare page. Each takes a small, already-limited frame: the page
decides how many branches to draw, the charts only draw."""

from __future__ import annotations

from typing import Literal

import altair as alt
import pandas as pd

from audit_app.domain.compare import Z
from audit_app.i18n import _, formats
from audit_app.ui.components.theme import BRAND

BAND_COLOURS = [BRAND, "#8FBF9F"]
"""Alternating tie bands (each row also names its band in words)."""
FLAG = "#C0392B"
MUTED = "#7F8C8D"
INK = "#31333F"
"""Axis, legend and title text: 12.6:1 on white (WCAG asks at least 4.5:1)."""
HEATMAP_SCHEME = "blueorange"
"""A diverging scheme colour-blind readers tell apart (no red against green): orange below
the mean, blue above it (reversed)."""
SHORT_LABEL = 22
"""A heatmap column's label is cut after this many characters, at a word's end."""
ROW_PX = 22
HEATMAP_ROW_PX = 24
"""Height of one branch's row in the heatmap, whatever the number of branches."""
HEATMAP_COLUMN_PX = 56
"""Width of one section's column in the heatmap when drawn at its own size."""
HEATMAP_LABEL_PX = 160
"""Room for the branch labels and the colour legend beside the cells."""
HEATMAP_CONTENT_MAX_PX = 860
"""The widest heatmap drawn at its own size: about the page on a laptop with the sidebar."""


def readable(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Axis, legend and title text in :data:`INK`, contrast at least 4.5:1 on white."""
    return (
        chart.configure_axis(labelColor=INK, titleColor=INK, domainColor=INK, tickColor=INK)
        .configure_legend(labelColor=INK, titleColor=INK)
        .configure_title(color=INK)
    )


def short_label(text: str, limit: int = SHORT_LABEL) -> str:
    """A column label that is never broken inside a word: whole words up to ``limit``
    characters, then "…" (the full title is in the cell's tooltip)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,.;:·-–—")
    return (cut or text[:limit]) + "…"


def _score_domain(low: float, high: float = 100) -> list[float]:
    """A score axis from a little below the lowest value to 100: branches sit close together
    and an axis from 0 would hide the differences."""
    return [max(0.0, float(low) - 5), max(float(high), 0.0)]


def league_chart(
    frame: pd.DataFrame, chain_mean: float | None, mean_label: str = "Chain mean"
) -> alt.LayerChart | alt.FacetChart:
    """Each branch's estimate (what ranks) as a filled dot with its own 90 % interval as a
    rule, and its plain mean as a hollow dot; rows in ranking order, coloured by alternating
    tie band.

    ``frame`` has label, branch_name, rank, tie_band, audits, mean, low, high, shrunk,
    shrunk_low, shrunk_high.
    """
    data = frame.assign(
        band_colour=[
            "none" if pd.isna(b) else ("odd" if int(b) % 2 else "even") for b in frame["tie_band"]
        ],
        low=frame["shrunk_low"].fillna(frame["shrunk"]),
        high=frame["shrunk_high"].fillna(frame["shrunk"]),
    )
    lowest = min(data["low"].min(), data["mean"].min())
    x_scale = alt.Scale(domain=_score_domain(lowest), clamp=True)
    y = alt.Y(
        "label:N",
        sort=data["label"].tolist(),
        title=None,
        axis=alt.Axis(labelOverlap=False, labelLimit=260),
    )
    colour = alt.Color(
        "band_colour:N",
        scale=alt.Scale(domain=["odd", "even", "none"], range=[*BAND_COLOURS, MUTED]),
        legend=None,
    )
    tooltip = [
        alt.Tooltip("branch_name:N", title=_("Branch")),
        alt.Tooltip("rank:Q", title=_("Rank")),
        alt.Tooltip("tie_band:Q", title=_("Tie band")),
        alt.Tooltip("audits:Q", title=_("Audits")),
        alt.Tooltip("mean:Q", format=".1f", title=_("Mean")),
        alt.Tooltip("shrunk:Q", format=".1f", title=_("Estimate")),
        alt.Tooltip("low:Q", format=".1f", title=_("Estimate's 90 % low")),
        alt.Tooltip("high:Q", format=".1f", title=_("Estimate's 90 % high")),
    ]
    base = alt.Chart(data).encode(y=y, color=colour, tooltip=tooltip)
    rules = base.mark_rule(strokeWidth=3).encode(
        x=alt.X(
            "low:Q",
            scale=x_scale,
            title=_("Score (estimate ● with its 90 % interval, mean ○)"),
        ),
        x2="high:Q",
    )
    means = base.mark_point(size=50, filled=False).encode(x=alt.X("mean:Q", scale=x_scale))
    shrunk = base.mark_point(size=60, filled=True, opacity=1).encode(
        x=alt.X("shrunk:Q", scale=x_scale)
    )
    layers: list[alt.Chart] = [rules, means, shrunk]
    if chain_mean is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"chain": [chain_mean]}))
            .mark_rule(strokeDash=[4, 4], color="#555")
            .encode(
                x=alt.X("chain:Q", scale=x_scale),
                tooltip=[alt.Tooltip("chain:Q", format=".1f", title=mean_label)],
            )
        )
    # alt.layer is typed LayerChart | FacetChart; without facet encodings it is a LayerChart
    return readable(alt.layer(*layers).properties(height=60 + ROW_PX * len(data)))  # type: ignore[return-value]


def heatmap_chart(
    cells: pd.DataFrame,
    branch_order: list[str],
    column_order: list[str],
    middle: float | None = None,
) -> alt.LayerChart:
    """Section x branch means as coloured cells with the value written in each: a diverging
    blue-orange scale around ``middle`` (the pooled mean), orange below, blue above, which
    readers with any common colour-vision deficiency tell apart.

    Rows and columns are sized by step, not by a total height: the rotated section names
    take room above the cells, and a total height shared with them squashed six branches
    into a strip. With steps, one branch and sixty get cells of the same size.

    ``cells`` has label (the branch's row: rank, name, band), branch_name, column (a short
    section title), section (its full title), mean, audits.
    """
    lowest = float(cells["mean"].min()) if not cells.empty else 0.0
    low = min(lowest, 99.0)
    mid = middle if middle is not None and low < middle < 100 else (low + 100) / 2
    rows = cells["label"].nunique() if not cells.empty else 1
    # Light text on the scale's dark ends, dark text on its pale middle.
    spread = max(mid - low, 100 - mid, 1e-9)
    data = cells.assign(
        ink=["#FFFFFF" if abs(m - mid) / spread > 0.6 else "#000000" for m in cells["mean"]],
        value=[formats.decimal(m, 0) for m in cells["mean"]],
    )
    # A legend taller than a few rows of cells would stretch the chart below them.
    legend = alt.Legend(gradientLength=max(60, min(200, HEATMAP_ROW_PX * rows)))
    x = alt.X(
        "column:N",
        sort=column_order,
        title=_("Section"),
        axis=alt.Axis(labelAngle=-40, labelLimit=200, labelOverlap=False, orient="top"),
    )
    y = alt.Y(
        "label:N",
        sort=branch_order,
        title=_("Branch"),
        axis=alt.Axis(labelOverlap=False, labelLimit=260),
    )
    tooltip = [
        alt.Tooltip("branch_name:N", title=_("Branch")),
        alt.Tooltip("section:N", title=_("Section")),
        alt.Tooltip("mean:Q", format=".1f", title=_("Mean")),
        alt.Tooltip("audits:Q", title=_("Audits")),
    ]
    base = alt.Chart(data).encode(x=x, y=y, tooltip=tooltip)
    rects = base.mark_rect().encode(
        color=alt.Color(
            "mean:Q",
            title=_("Mean"),
            scale=alt.Scale(scheme=HEATMAP_SCHEME, reverse=True, domain=[low, mid, 100]),  # type: ignore[arg-type]
            legend=legend,
        ),
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("value:N"), color=alt.Color("ink:N", scale=None)
    )
    chart = alt.layer(rects, text).properties(
        height=alt.Step(HEATMAP_ROW_PX), width=alt.Step(HEATMAP_COLUMN_PX)
    )
    return readable(chart)  # type: ignore[return-value]


def heatmap_width(columns: int) -> Literal["content", "stretch"]:
    """How wide to draw the heatmap: at its own size (every column ``HEATMAP_COLUMN_PX``
    wide) while that fits a laptop's page, else stretched to the page, which then narrows
    the columns rather than hiding the last ones off the edge.

    Streamlit replaces the spec's width with the page width when stretched; the row step
    (height) stays either way."""
    natural = HEATMAP_LABEL_PX + HEATMAP_COLUMN_PX * columns
    return "content" if natural <= HEATMAP_CONTENT_MAX_PX else "stretch"


def consistency_chart(frame: pd.DataFrame) -> alt.Chart:
    """The least consistent standards: the noise-corrected spread between branches.

    ``frame`` has label, level, between_sd, icc, meeting_share, branches.
    """
    levels = {"section": _("Section"), "item": _("Item")}
    data = frame.assign(level=[levels.get(v, v) for v in frame["level"]])
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("between_sd:Q", title=_("Spread between branches (SD, points)")),
            y=alt.Y(
                "label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=360, labelOverlap=False)
            ),
            color=alt.Color(
                "level:N",
                title=_("Standard"),
                scale=alt.Scale(
                    domain=[levels["section"], levels["item"]], range=[BRAND, "#E59866"]
                ),
            ),
            tooltip=[
                alt.Tooltip("label:N", title=_("Standard")),
                alt.Tooltip("level:N", title=_("Level")),
                alt.Tooltip("between_sd:Q", format=".1f", title=_("Spread (SD)")),
                alt.Tooltip("icc:Q", format=".2f", title=_("Share between branches")),
                alt.Tooltip("meeting_share:Q", format=".0f", title=_("Branches meeting %")),
            ],
        )
        .properties(height=80 + 28 * len(frame))
    )
    return readable(chart)  # type: ignore[return-value]


def region_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Per region: the range of its branches' shrunken estimates as a rule, its mean as a dot.

    ``frame`` has region, mean, worst_shrunk, best_shrunk, branches, audits.
    """
    lowest = min(frame["worst_shrunk"].min(), frame["mean"].min())
    x_scale = alt.Scale(domain=_score_domain(lowest))
    base = alt.Chart(frame).encode(
        y=alt.Y("region:N", sort=frame["region"].tolist(), title=None),
        tooltip=[
            alt.Tooltip("region:N", title=_("Region")),
            alt.Tooltip("mean:Q", format=".1f", title=_("Mean")),
            alt.Tooltip("worst_shrunk:Q", format=".1f", title=_("Worst branch")),
            alt.Tooltip("best_shrunk:Q", format=".1f", title=_("Best branch")),
            alt.Tooltip("branches:Q", title=_("Branches")),
            alt.Tooltip("audits:Q", title=_("Audits")),
        ],
    )
    spread = base.mark_rule(strokeWidth=3, color="#8FBF9F").encode(
        x=alt.X("worst_shrunk:Q", scale=x_scale, title=_("Mean ● and branch range")),
        x2="best_shrunk:Q",
    )
    dots = base.mark_circle(size=140, color=BRAND, opacity=1).encode(
        x=alt.X("mean:Q", scale=x_scale)
    )
    chart = (spread + dots).properties(height=80 + (44 if len(frame) <= 10 else 24) * len(frame))
    return readable(chart)  # type: ignore[return-value]


def trend_chart(frame: pd.DataFrame, mean_label: str = "") -> alt.LayerChart:
    """The chain's mean per period with a 90 % band; red dots where the change from the
    previous period exceeds the noise.

    ``frame`` has period (text), audits, mean, se, change, exceeds_noise.
    """
    within, beyond = _("within noise"), _("beyond noise")
    data = frame.assign(
        low=frame["mean"] - Z * frame["se"].fillna(0),
        high=frame["mean"] + Z * frame["se"].fillna(0),
        flag=[beyond if v is True else within for v in frame["exceeds_noise"]],
    )
    y_scale = alt.Scale(domain=_score_domain(data["low"].min(), min(100.0, data["high"].max())))
    x = alt.X("period:O", title=_("Period"), axis=alt.Axis(labelAngle=0))
    band = (
        alt.Chart(data)
        .mark_area(opacity=0.2, color=BRAND)
        .encode(
            x=x, y=alt.Y("low:Q", scale=y_scale, title=mean_label or _("Mean score")), y2="high:Q"
        )
    )
    line = alt.Chart(data).mark_line(color=BRAND).encode(x=x, y=alt.Y("mean:Q", scale=y_scale))
    dots = (
        alt.Chart(data)
        .mark_point(size=80, opacity=1, filled=True)
        .encode(
            x=x,
            y=alt.Y("mean:Q", scale=y_scale),
            color=alt.Color(
                "flag:N",
                title=_("Change"),
                scale=alt.Scale(domain=[within, beyond], range=[BRAND, FLAG]),
            ),
            shape=alt.Shape(
                "flag:N",
                title=_("Change"),
                scale=alt.Scale(domain=[within, beyond], range=["circle", "diamond"]),
            ),
            tooltip=[
                alt.Tooltip("period:O", title=_("Period")),
                alt.Tooltip("mean:Q", format=".1f", title=_("Mean")),
                alt.Tooltip("change:Q", format="+.1f", title=_("Change")),
                alt.Tooltip("audits:Q", title=_("Audits")),
                alt.Tooltip("flag:N", title=_("Change is")),
            ],
        )
    )
    return readable((band + line + dots).properties(height=280))  # type: ignore[return-value]


def consistency_trend_chart(frame: pd.DataFrame) -> alt.Chart:
    """The consistency index per period (``period``, ``consistency_index``, ``branches``)."""
    data = frame[frame["consistency_index"].notna()]
    low = float(data["consistency_index"].min()) if not data.empty else 0.0
    chart = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(color=BRAND, size=50), color=BRAND)
        .encode(
            x=alt.X("period:O", title=_("Period"), axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "consistency_index:Q",
                title=_("Consistency index"),
                scale=alt.Scale(domain=_score_domain(low)),
            ),
            tooltip=[
                alt.Tooltip("period:O", title=_("Period")),
                alt.Tooltip("consistency_index:Q", format=".1f", title=_("Index")),
                alt.Tooltip("branches:Q", title=_("Branches")),
                alt.Tooltip("audits:Q", title=_("Audits")),
            ],
        )
        .properties(height=240)
    )
    return readable(chart)  # type: ignore[return-value]


def auditor_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Each auditor's leniency with its 90 % interval; flagged auditors in red.

    ``frame`` has auditor, leniency, low, high, audits, flagged.
    """
    flagged, unclear = _("flagged"), _("not clearly different")
    data = frame.assign(verdict=[flagged if f else unclear for f in frame["flagged"]])
    base = alt.Chart(data).encode(
        y=alt.Y("auditor:N", sort=data["auditor"].tolist(), title=_("Auditor")),
        color=alt.Color(
            "verdict:N",
            title=None,
            scale=alt.Scale(domain=[flagged, unclear], range=[FLAG, BRAND]),
        ),
        tooltip=[
            alt.Tooltip("auditor:N", title=_("Auditor")),
            alt.Tooltip("leniency:Q", format="+.1f", title=_("Leniency (points)")),
            alt.Tooltip("low:Q", format="+.1f", title=_("90 % low")),
            alt.Tooltip("high:Q", format="+.1f", title=_("90 % high")),
            alt.Tooltip("audits:Q", title=_("Audits")),
        ],
    )
    rules = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("low:Q", title=_("Points above (+) or below (−) the average auditor")),
        x2="high:Q",
    )
    dots = base.mark_circle(size=90, opacity=1).encode(x="leniency:Q")
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555").encode(x="zero:Q")
    return readable((rules + dots + zero).properties(height=80 + 28 * len(data)))  # type: ignore[return-value]


def change_chart(frame: pd.DataFrame) -> alt.LayerChart:
    """Each branch's change between two periods with its 90 % interval: clear rises in
    green, clear drops in red, the rest grey.

    ``frame`` has branch_code, branch_name, change, low, high, clear, sentence.
    """
    up, down, unclear = _("clearly up"), _("clearly down"), _("not clear")
    data = frame.assign(
        verdict=[
            (up if c > 0 else down) if clear else unclear
            for c, clear in zip(frame["change"], frame["clear"], strict=True)
        ],
        label=frame["branch_name"] + " (" + frame["branch_code"] + ")",
    )
    base = alt.Chart(data).encode(
        y=alt.Y(
            "label:N",
            sort=data["label"].tolist(),
            title=_("Branch"),
            axis=alt.Axis(labelLimit=260),
        ),
        color=alt.Color(
            "verdict:N",
            title=None,
            scale=alt.Scale(domain=[up, down, unclear], range=[BRAND, FLAG, "#767676"]),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=_("Branch")),
            alt.Tooltip("sentence:N", title=_("Reading")),
        ],
    )
    rules = base.mark_rule(strokeWidth=3).encode(
        x=alt.X("low:Q", title=_("Change in points (later − earlier)")), x2="high:Q"
    )
    dots = base.mark_circle(size=90, opacity=1).encode(x="change:Q")
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555").encode(x="zero:Q")
    return readable((rules + dots + zero).properties(height=80 + 24 * len(data)))  # type: ignore[return-value]
