"""Every table of the app: ``st.dataframe`` with a missing value shown as a dash.

Streamlit writes a missing value as the English word "None" in its cell: on a Catalan,
Romanian or Turkish page, and for a figure that cannot be estimated (an ICC with one audit
per branch), a dash reads as it should."""

from __future__ import annotations

from typing import Any

import streamlit as st

EMPTY_CELL = "—"


def data_table(data: Any, **options: Any) -> Any:
    """``st.dataframe(data, **options)``, missing values shown as :data:`EMPTY_CELL`."""
    options.setdefault("placeholder", EMPTY_CELL)
    return st.dataframe(data, **options)
