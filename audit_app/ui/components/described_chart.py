"""A chart and the sentence that says what it shows: the sentence is the chart's accessible
name (Vega-Lite's ``description`` becomes the SVG's label, where screen readers otherwise
announce "Vega visualization") and is printed under it for everyone."""

from __future__ import annotations

from typing import Any

import streamlit as st

from audit_app.domain.safe_text import markdown_text


def described_chart(chart: Any, sentence: str, **options: Any) -> None:
    """Draw ``chart`` (any Altair chart) named by ``sentence`` (plain text, data included)
    and print the sentence below it."""
    st.altair_chart(chart.properties(description=sentence), **options)
    st.caption(markdown_text(sentence))
