"""The Branch page's charts: colour-blind-safe marks, dark axis text, thin months marked and a
sentence computed from the figures."""

from __future__ import annotations

from datetime import date

import pandas as pd

from audit_app.i18n import formats, use_language
from audit_app.ui.components.branch_charts import (
    BLUE,
    INK,
    VERMILLION,
    section_gap_chart,
    section_summary,
    thin_months,
    trend_chart,
    trend_summary,
)


def audits() -> pd.DataFrame:
    """Five audits in March (mean 80), one in April (50: a thin month), three in May (90)."""
    rows = [(f"2026-03-0{d}", 80.0, True) for d in range(1, 6)]
    rows += [("2026-04-10", 50.0, False)]
    rows += [(f"2026-05-0{d}", 90.0, True) for d in range(1, 4)]
    return pd.DataFrame(
        [
            {
                "visited_at": pd.Timestamp(day),
                "overall": score,
                "passed": passed,
                "checklist": "Greeting",
                "auditor": "Tess",
                "grade": "Good",
            }
            for day, score, passed in rows
        ]
    )


def test_the_trend_sentence_is_computed_from_the_figures() -> None:
    assert trend_summary(audits()) == (
        "9 audits from Mar 2026 to May 2026: the monthly mean went from 80.0 to 90.0, "
        "lowest 50.0 in Apr 2026; 1 below the pass mark."
    )
    with use_language("ca"):
        assert "80,0" in trend_summary(audits())  # the language's decimal comma


def test_a_month_with_few_audits_is_named_and_drawn_hollow() -> None:
    assert thin_months(audits()) == ["Apr 2026"]
    spec = trend_chart(audits(), pd.DataFrame({"pass_mark": [75]})).to_dict()
    points = next(
        layer for layer in spec["layer"] if layer["mark"].get("size") == 90
    )  # the monthly points
    assert points["encoding"]["fill"]["condition"]["value"] == "white"


def test_the_trend_uses_few_safe_colours_shapes_and_dark_axis_text() -> None:
    spec = trend_chart(audits(), pd.DataFrame({"pass_mark": [75]})).to_dict()
    text = str(spec)
    assert VERMILLION in text and BLUE in text
    assert spec["config"]["axis"]["labelColor"] == INK
    dots = next(layer for layer in spec["layer"] if "shape" in layer["encoding"])
    assert dots["encoding"]["shape"]["scale"]["range"] == ["circle", "triangle-down"]
    assert spec["description"] == trend_summary(audits())
    titles = {spec["layer"][1]["encoding"][axis]["title"] for axis in ("x", "y")}
    assert titles == {"Visit date", "Score (0-100)"}


def test_the_section_sentence_names_the_widest_gap() -> None:
    sections = pd.DataFrame(
        {
            "label": ["Greeting · Phone", "Greeting · Desk"],
            "branch_mean": [70.0, 95.0],
            "chain_mean": [80.0, 90.0],
            "difference": [-10.0, 5.0],
            "audits": [4, 4],
        }
    )
    assert section_summary(sections, "area") == (
        "1 of 2 sections lie above your area's mean; the widest gap is Greeting · Phone "
        "(−10.0 points)."
    )
    spec = section_gap_chart(sections, description="x").to_dict()
    assert spec["description"] == "x" and VERMILLION in str(spec)


def test_the_trend_s_months_are_labelled_in_the_user_s_language() -> None:
    """Vega-Lite's ``%b %Y`` knows English alone: each tick's month is looked up in the
    labels ``formats.month`` gives, for every month of the years drawn."""
    with use_language("ca"):
        spec = trend_chart(audits(), pd.DataFrame({"pass_mark": [75]})).to_dict()
        expr = spec["layer"][1]["encoding"]["x"]["axis"]["labelExpr"]
        assert '"2026-03":"' + formats.month(date(2026, 3, 1)) + '"' in expr
        assert "març" in formats.month(date(2026, 3, 1))
    assert "timeFormat(datum.value, '%Y-%m')" in expr and expr.endswith("|| datum.label")
