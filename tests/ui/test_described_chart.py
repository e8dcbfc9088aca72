"""Charts are drawn from Vega-Lite specs made once per builder, arguments and language (#21:
building and converting Altair charts was a quarter of the server's Python time under
load), without Altair's schema check on a server and with it in the tests
(``AUDIT_CHECK_CHARTS=1``, set by the test suite)."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pandas as pd
import pytest
from altair.utils import schemapi
from streamlit.elements import vega_charts
from streamlit.testing.v1 import AppTest

from audit_app.i18n import _, use_language
from audit_app.ui.components.described_chart import CHECK_CHARTS, altair_spec, spec_of
from audit_app.ui.pages.overview_page import _region_chart


def broken_chart() -> alt.Chart:
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    chart.width = "as wide as it likes"  # not a number nor "container": the schema refuses
    return chart


def test_the_test_suite_checks_every_chart() -> None:
    with pytest.raises(schemapi.SchemaValidationError):
        altair_spec(broken_chart())


def test_a_server_makes_specs_without_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CHECK_CHARTS)
    checks: list[object] = []  # what Altair validates: the named data only, not the spec
    real = schemapi.validate_jsonschema
    monkeypatch.setattr(
        schemapi, "validate_jsonschema", lambda *a, **k: checks.append(a) or real(*a, **k)
    )
    spec = altair_spec(broken_chart())
    assert spec["width"] == "as wide as it likes" and spec["mark"]["type"] == "point"
    assert not [spec for spec in checks if isinstance(spec, dict) and "mark" in spec]


def _by_content(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec with each dataset's name replaced by its place among the datasets' bytes."""
    names = {
        name: f"data-{i}"
        for i, name in enumerate(sorted(spec["datasets"], key=spec["datasets"].get))
    }
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)
    for name, plain in names.items():
        text = text.replace(json.dumps(name), json.dumps(plain))
    return {"spec": json.loads(text), "data": sorted(spec["datasets"].values())}


REGIONS = pd.DataFrame(
    {
        "region": ["North", "South"],
        "mean_score": [81.5, 77.25],
        "audits": [12, 9],
        "branches": [3, 2],
        "pass_rate": [75.0, 66.7],
        "critical_failures": [1, 0],
    }
)


def test_the_spec_is_what_streamlit_would_send_for_the_altair_chart() -> None:
    chart = _region_chart(REGIONS)
    ours = altair_spec(chart)
    streamlit_s = vega_charts._convert_altair_to_vega_lite_spec(_region_chart(REGIONS))
    assert ours["datasets"] and _by_content(ours) == _by_content(dict(streamlit_s))


def _text(spec: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"})


def test_a_spec_is_made_once_per_arguments_and_language() -> None:
    calls: list[tuple[str, float]] = []

    def builder(frame: pd.DataFrame, mark: float) -> alt.Chart:
        calls.append((_("Mean score"), mark))
        return _region_chart(frame)

    builder.__qualname__ = f"counted-{id(calls)}"  # a key of its own, whatever ran before
    first = spec_of(builder, REGIONS, 75.0)
    again = spec_of(builder, REGIONS.copy(), 75.0)
    assert first == again and len(calls) == 1
    spec_of(builder, REGIONS.assign(audits=[12, 10]), 75.0)  # other data: made again
    spec_of(builder, REGIONS, 70.0)  # another argument: made again
    with use_language("ca"):
        catalan = spec_of(builder, REGIONS, 75.0)
    assert len(calls) == 4 and calls[-1][0] != calls[0][0]
    assert "Mean score" in _text(first.spec) and "Mean score" not in _text(catalan.spec)


def test_a_spec_from_the_cache_can_be_changed_without_changing_the_next_one() -> None:
    first = spec_of(_region_chart, REGIONS)
    first.spec["description"] = "changed"
    assert "description" not in spec_of(_region_chart, REGIONS).spec


def _app(columns: dict[str, list[object]]) -> None:
    import pandas as pd

    from audit_app.ui.components.described_chart import described_chart, spec_of
    from audit_app.ui.pages.overview_page import _region_chart

    frame = pd.DataFrame(columns)
    described_chart(spec_of(_region_chart, frame), "Two regions: North 81.5, South 77.3.")


def test_a_drawn_spec_is_named_by_its_sentence_and_carries_its_data() -> None:
    app = AppTest.from_function(_app, args=(REGIONS.to_dict("list"),)).run()
    assert not app.exception
    (chart,) = app.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["description"] == "Two regions: North 81.5, South 77.3."
    assert [dataset.name for dataset in chart.proto.datasets] == [spec["data"]["name"]]
    assert app.caption[0].value == "Two regions: North 81.5, South 77.3."


def test_specs_made_at_once_in_many_sessions_each_carry_their_own_data() -> None:
    """Altair's data transformer and its options are process-wide: made in several threads
    at once (a server's sessions), each spec still holds exactly the data it names."""
    import threading

    wrong: list[tuple[int, int]] = []

    def session(k: int) -> None:
        for i in range(40):
            frame = pd.DataFrame({"a": [k * 1000 + i, 1.5], "b": ["x", "y"]})
            spec = altair_spec(alt.Chart(frame).mark_point().encode(x="a:Q", y="b:N"))
            if list(spec["datasets"]) != [spec["data"]["name"]]:
                wrong.append((k, i))

    threads = [threading.Thread(target=session, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_two_pages_builders_of_one_name_keep_their_own_specs() -> None:
    """Page scripts run as ``__main__``: builders named alike in two files differ."""
    source = (
        "import altair as alt\n"
        "def _chart(frame):\n"
        "    return alt.Chart(frame).mark_{mark}().encode(x='audits:Q')\n"
    )
    builders = []
    for mark, file in (("bar", "pages/one_page.py"), ("point", "pages/other_page.py")):
        scope: dict[str, Any] = {"__name__": "__main__"}
        exec(compile(source.format(mark=mark), file, "exec"), scope)
        builders.append(scope["_chart"])
    marks = [spec_of(builder, REGIONS).spec["mark"]["type"] for builder in builders]
    assert marks == ["bar", "point"]
