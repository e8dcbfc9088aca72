"""A chart and the sentence that says what it shows: the sentence is the chart's accessible
name (Vega-Lite's ``description`` becomes the SVG's label, where screen readers otherwise
announce "Vega visualization") and is printed under it for everyone.

Pages draw a chart from its Vega-Lite spec, made once per builder, arguments and language
(:func:`spec_of`) and kept for every session of the server process. Building an Altair chart
and turning it into a spec took a quarter of the server's Python time under forty simulated
users (#21), much of it inside a lock Streamlit holds for every session's charts; a cached
spec costs a hash of the builder's (small) arguments. The builders stay plain functions that
return Altair charts (what the tests read).

The spec skips Altair's check against the Vega-Lite JSON schema: the charts are fixed code,
so the check belongs to the tests, and with ``AUDIT_CHECK_CHARTS=1`` (the test suite sets
it) every spec is checked when it is made.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

import altair as alt
import streamlit as st
from streamlit import dataframe_util

from audit_app.domain.safe_text import markdown_text
from audit_app.i18n import current_language

CHECK_CHARTS = "AUDIT_CHECK_CHARTS"
_TRANSFORMER = "audit_app_arrow"
_ALTAIR_GLOBALS = threading.Lock()
"""Altair's theme and data transformer are process-wide settings: one spec at a time."""


@dataclass(frozen=True)
class ChartSpec:
    """A chart's Vega-Lite spec, its data as Arrow datasets (what ``st.vega_lite_chart``
    sends as they are)."""

    spec: dict[str, Any]


def spec_of(builder: Callable[..., Any], *args: Any, **kwargs: Any) -> ChartSpec:
    """The spec of ``builder(*args, **kwargs)`` (an Altair chart) in the session's language,
    made once per process for equal arguments. ``builder`` must depend on nothing but its
    arguments and the language (its titles are translated)."""
    # The file too: a page script runs as ``__main__``, so two pages' builders of one name
    # would otherwise share their specs.
    code = getattr(builder, "__code__", None)
    where = code.co_filename if code is not None else ""
    name = f"{builder.__module__}.{builder.__qualname__}@{where}"
    return ChartSpec(_spec(name, current_language(), builder, args, kwargs))


@st.cache_data(max_entries=1024, show_spinner=False)
def _spec(
    name: str,
    language: str,
    _builder: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """``name`` and ``language`` key the builder (not hashed itself); each call gets a copy."""
    return altair_spec(_builder(*args, **kwargs))


def altair_spec(chart: Any) -> dict[str, Any]:
    """What ``st.altair_chart`` would send: the spec under no theme, each data frame as a
    named Arrow dataset."""
    datasets: dict[str, Any] = {}
    with _ALTAIR_GLOBALS:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else nullcontext()
        with theme, alt.data_transformers.enable(_TRANSFORMER, datasets=datasets):
            spec: dict[str, Any] = chart.to_dict(validate=os.environ.get(CHECK_CHARTS) == "1")
    spec["datasets"] = {**(spec.get("datasets") or {}), **datasets}
    return spec


def _arrow_dataset(data: Any, datasets: dict[str, Any]) -> dict[str, str]:
    """Altair data transformer: the frame's Arrow bytes, named by their digest (the same
    name in every server process)."""
    data_bytes = dataframe_util.convert_anything_to_arrow_bytes(data)
    name = "data-" + hashlib.blake2b(data_bytes, digest_size=10).hexdigest()
    datasets[name] = data_bytes
    return {"name": name}


alt.data_transformers.register(_TRANSFORMER, _arrow_dataset)


def described_chart(chart: Any, sentence: str, **options: Any) -> None:
    """Draw ``chart`` (a :class:`ChartSpec`, or any Altair chart) named by ``sentence``
    (plain text, data included) and print the sentence below it."""
    if isinstance(chart, ChartSpec):
        draw_chart(ChartSpec({**chart.spec, "description": sentence}), **options)
    else:
        draw_chart(chart.properties(description=sentence), **options)
    st.caption(markdown_text(sentence))


def draw_chart(chart: Any, **options: Any) -> None:
    """Draw a :class:`ChartSpec` or an Altair chart (made into a spec here, uncached)."""
    spec = chart if isinstance(chart, ChartSpec) else ChartSpec(altair_spec(chart))
    st.vega_lite_chart(spec=spec.spec, **options)
