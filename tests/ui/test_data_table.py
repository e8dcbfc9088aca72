"""Every table of the app shows a missing value as a dash, in every language: Streamlit's
own "None" is an English word in a Catalan page (seen on the Compare page's consistency
table, where an ICC cannot be estimated)."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from audit_app.ui.components.data_table import EMPTY_CELL

UI = Path(__file__).resolve().parents[2] / "audit_app" / "ui"


def _table_with_a_gap() -> None:
    import pandas as pd

    from audit_app.ui.components.data_table import data_table

    data_table(pd.DataFrame({"icc": [0.4, None]}), hide_index=True)


def test_a_missing_value_is_shown_as_a_dash() -> None:
    at = AppTest.from_function(_table_with_a_gap).run()
    assert not at.exception
    (table,) = at.dataframe
    assert table.proto.placeholder == EMPTY_CELL == "—"


def test_every_table_of_the_app_goes_through_data_table() -> None:
    calls = [
        f"{path.relative_to(UI)}:{number}"
        for path in sorted(UI.rglob("*.py"))
        if path.name != "data_table.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\bst\.dataframe\(", line)
    ]
    assert calls == [], "use components.data_table.data_table: " + ", ".join(calls)
