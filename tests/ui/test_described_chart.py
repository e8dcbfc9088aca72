"""Charts are drawn without Altair's schema check on a server (#21: 10 % of its Python time
under load), and with it in the tests (``AUDIT_CHECK_CHARTS=1``, set by the test suite)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from altair.utils import schemapi

from audit_app.ui.components.described_chart import CHECK_CHARTS, unchecked


def broken_chart() -> alt.Chart:
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    chart.width = "as wide as it likes"  # not a number nor "container": the schema refuses
    return chart


def test_the_test_suite_checks_every_chart() -> None:
    with pytest.raises(schemapi.SchemaValidationError):
        unchecked(broken_chart()).to_dict()


def test_a_server_draws_without_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHECK_CHARTS)
    checks: list[object] = []  # what Altair validates: the named data only, not the spec
    real = schemapi.validate_jsonschema
    monkeypatch.setattr(
        schemapi, "validate_jsonschema", lambda *a, **k: checks.append(a) or real(*a, **k)
    )
    spec = unchecked(broken_chart()).to_dict()
    assert spec["width"] == "as wide as it likes" and spec["mark"]["type"] == "point"
    assert not [spec for spec in checks if isinstance(spec, dict) and "mark" in spec]
    good = alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
    assert unchecked(good).to_dict() == good.to_dict(validate=False)
