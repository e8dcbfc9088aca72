"""A chart and the sentence that says what it shows: the sentence is the chart's accessible
name (Vega-Lite's ``description`` becomes the SVG's label, where screen readers otherwise
announce "Vega visualization") and is printed under it for everyone.

Every chart is drawn through :func:`draw_chart`, which skips Altair's check of the whole
Vega-Lite spec against its JSON schema. That check ran on every draw of every session:
10 % of the server's Python time under twenty simulated users (#21), inside a lock Streamlit
holds for every session's charts. The charts are fixed code, so the check belongs to the
tests: with ``AUDIT_CHECK_CHARTS=1`` (the test suite sets it) every draw is checked again.
"""

from __future__ import annotations

import functools
import os
from typing import Any

import streamlit as st

from audit_app.domain.safe_text import markdown_text

CHECK_CHARTS = "AUDIT_CHECK_CHARTS"


def described_chart(chart: Any, sentence: str, **options: Any) -> None:
    """Draw ``chart`` (any Altair chart) named by ``sentence`` (plain text, data included)
    and print the sentence below it."""
    draw_chart(chart.properties(description=sentence), **options)
    st.caption(markdown_text(sentence))


def draw_chart(chart: Any, **options: Any) -> None:
    """``st.altair_chart`` without the schema check (unless ``AUDIT_CHECK_CHARTS=1``)."""
    st.altair_chart(unchecked(chart), **options)


def unchecked(chart: Any) -> Any:
    """``chart`` whose ``to_dict()`` (what Streamlit calls) skips the schema check; set on
    the instance past Altair's ``__setattr__``, which would store it as a chart property."""
    if os.environ.get(CHECK_CHARTS) == "1":
        return chart
    object.__setattr__(
        chart, "to_dict", functools.partial(type(chart).to_dict, chart, validate=False)
    )
    return chart
