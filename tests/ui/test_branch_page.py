"""The Branch page, run headless with AppTest: a branch's audits, trend, sections and PDF."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Selectbox

from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import User
from audit_app.services.audits import list_scores
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.reports import find_branch
from audit_app.ui.components.branch_names import shared_prefix
from tests.ui.apptest import HQ, MARTA, run_app, texts
from tests.ui.detail_downloads import download_bytes, downloads

__all__ = ["downloads"]  # the fixture, imported for the tests below

CODE = "ES-CAT-01"


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def branch_picker(app: AppTest) -> Selectbox[str]:
    """The sidebar's branch picker (the language switcher is there too)."""
    return next(box for box in app.sidebar.selectbox if box.label == "Branch")


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def outside_barcelona(ctx: AppContext) -> list[str]:
    """Codes and names of every branch Marta may not see."""
    others = [b for b in list_branches(ctx) if b.area != "Barcelona"]
    assert others
    return [b.code for b in others] + [b.name for b in others]


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_says_how_to_add_branches() -> None:
    app = run_app(page="branch")
    assert app.title[0].value == "Branch"
    assert "audit-app demo" in app.info[0].value
    assert not app.metric and not app.dataframe


@pytest.mark.usefixtures("ctx")
def test_an_unknown_code_on_an_empty_database_is_an_error() -> None:
    app = run_app(page="branch", query={"code": CODE})
    assert [e.value for e in app.error] == [f"no branch with code {CODE!r}"]


@pytest.mark.usefixtures("downloads")
def test_a_demo_branch_shows_its_audits_and_its_pdf(demo: AppContext) -> None:
    expected = list_scores(demo, AuditFilter(branch_code=CODE))
    app = run_app(page="branch", query={"code": CODE})
    assert app.title[0].value == "Verd Natural Barcelona Gràcia"
    shown = metrics(app)
    assert shown["Audits"] == str(len(expected)) and len(expected) > 10
    assert float(shown["Mean score"]) == pytest.approx(expected["overall"].mean(), abs=0.05)
    assert float(shown["Last score"]) == pytest.approx(expected["overall"].iloc[-1], abs=0.05)
    history = app.dataframe[0].value
    assert len(history) == len(expected)
    assert set(history["link"]) == {f"audit?id={n}" for n in expected["audit_id"]}
    assert history["visited_at"].is_monotonic_decreasing  # newest first
    sections, repeated = app.dataframe[1].value, app.dataframe[2].value
    assert len(sections) > 0 and sections["branch_mean"].between(0, 100).all()
    assert (repeated["consecutive"] >= 2).all()
    pdf = download_bytes(app, "branch_pdf")
    assert pdf.startswith(b"%PDF")
    assert CODE in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Sections against the chain" in [h.value for h in app.subheader]


def test_the_picker_opens_a_branch_and_puts_it_in_the_url(demo: AppContext) -> None:
    app = run_app(user=MARTA, page="branch")
    picker = branch_picker(app)
    assert len(picker.options) == 6  # Marta's Barcelona branches only
    # The code first and the brand every branch shares left out: the sidebar cuts the end.
    assert "ES-CAT-04 · Badalona" in picker.options
    assert "ES-CAT-01 · Barcelona Gràcia" in picker.options
    assert "Opened on your weakest branch" in app.info[0].value  # no dead end
    other = "ES-CAT-03" if picker.value != "ES-CAT-03" else "ES-CAT-04"
    picker.select(other).run()
    assert app.query_params["code"] == other
    assert app.title[0].value == find_branch(demo, other).name
    assert metrics(app)["Audits"] == str(len(list_scores(demo, AuditFilter(branch_code=other))))


def test_an_area_manager_gets_no_other_area_branch(demo: AppContext) -> None:
    other = next(b for b in list_branches(demo) if b.area != "Barcelona")
    app = run_app(user=MARTA, page="branch", query={"code": other.code})
    assert [e.value for e in app.error] == [f"no branch with code {other.code!r}"]
    assert not app.metric and not app.dataframe and not app.download_button
    shown = texts(app).replace(app.error[0].value, "")  # the error repeats the code asked for
    assert other.name not in shown
    assert not [word for word in outside_barcelona(demo) if word in shown]


@pytest.mark.usefixtures("downloads")
def test_an_area_managers_branch_pdf_names_no_other_branch(demo: AppContext) -> None:
    app = run_app(user=MARTA, page="branch", query={"code": "ES-CAT-02"})
    assert metrics(app)["Audits"] != "0"
    shown = texts(app)
    # Her comparison group is her area (the services narrow it), and the page says so.
    subheaders = [h.value for h in app.subheader]
    assert "Sections against your area" in subheaders
    assert "chain" not in " ".join(subheaders).lower()
    assert "Your area" in app.dataframe[1].proto.columns  # the comparison column's label
    pdf = download_bytes(app, "branch_pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "ES-CAT-02" in text
    for word in outside_barcelona(demo):
        assert word not in shown and word not in text


@pytest.mark.parametrize(
    ("names", "shared"),
    [
        (["Verd Natural Badalona", "Verd Natural Barcelona Sants"], ["Verd", "Natural"]),
        (["Verd Natural Badalona"], []),  # a lone branch keeps its full name
        (["Verd Natural", "Verd Natural Reus"], ["Verd"]),  # every name keeps a word
        (["Gràcia", "Reus"], []),
    ],
)
def test_pickers_leave_out_only_the_words_every_branch_shares(
    names: list[str], shared: list[str]
) -> None:
    assert shared_prefix(names) == shared


def recent_means(ctx: AppContext) -> dict[str, float]:
    """Each active branch's mean over the 90 days up to the latest audit the user sees,
    worked out here independently of the service."""
    frame = list_scores(ctx)
    active = {b.code for b in list_branches(ctx) if b.active}
    frame = frame[frame["branch_code"].isin(active)].dropna(subset=["overall"])
    recent = frame[frame["visited_at"] > frame["visited_at"].max() - pd.Timedelta(days=90)]
    return recent.groupby("branch_code")["overall"].mean().to_dict()


@pytest.mark.parametrize("user", [HQ, MARTA], ids=["hq", "marta"])
def test_without_a_code_the_page_opens_on_the_weakest_branch_and_says_why(
    demo: AppContext, user: User
) -> None:
    means = recent_means(demo.as_user(user))
    weakest = min(means, key=lambda code: (means[code], code))
    app = run_app(user=user, page="branch")
    assert not app.error
    assert app.title[0].value == find_branch(demo, weakest).name
    assert branch_picker(app).value == weakest
    why = app.info[0].value
    assert why.startswith("Opened on your weakest branch")
    assert f"{means[weakest]:.1f}" in why and f"your {len(means)} branches" in why
    assert metrics(app)["Audits"] != "0"  # a whole page, not "choose one"


def test_a_code_in_the_url_wins_over_the_weakest_branch(demo: AppContext) -> None:
    app = run_app(user=MARTA, page="branch", query={"code": "ES-CAT-02"})
    assert app.title[0].value == find_branch(demo, "ES-CAT-02").name
    assert not any("weakest" in info.value for info in app.info)


def test_each_chart_has_a_sentence_computed_from_its_figures(demo: AppContext) -> None:
    app = run_app(page="branch", query={"code": CODE})
    captions = [c.value for c in app.caption]
    scores = list_scores(demo, AuditFilter(branch_code=CODE))
    first = scores["visited_at"].min()
    trend = next(c for c in captions if c.startswith(f"{len(scores)} audits from "))
    assert f"{first:%b %Y}" in trend and "below the pass mark" in trend
    assert any("sections lie above the chain's mean" in c for c in captions)
    charts = [json.loads(chart.proto.spec) for chart in app.get("vega_lite_chart")]
    assert len(charts) == 2
    assert charts[0]["description"] == trend  # the chart's own text alternative
    for spec in charts:
        axis = spec["config"]["axis"]
        assert axis["labelColor"] == axis["titleColor"] == "#333333"  # 12.6:1 on white


def test_the_branch_page_in_turkish(demo: AppContext) -> None:
    app = run_app(user=MARTA, page="branch", query={"code": "ES-CAT-02"}, language="tr")
    shown = metrics(app)
    assert "Denetimler" in shown and "Ortalama puan" in shown
    assert "," in shown["Ortalama puan"]  # 84,3: Turkish writes a decimal comma
    subheaders = [h.value for h in app.subheader]
    assert "Zaman içinde puan" in subheaders and "Bölgenize göre bölümler" in subheaders
    assert any("denetim" in c.value and "geçme notunun altında" in c.value for c in app.caption)
    assert app.download_button[0].label == "Şube raporunu indir (PDF)"


@pytest.mark.usefixtures("downloads")
def test_the_branch_page_and_its_pdf_cover_the_chosen_period(
    demo: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from audit_app.domain.reporting_period import ReportingPeriod, add_months
    from audit_app.services import reports

    asked: list[tuple[object, ...]] = []
    build = reports.branch_report

    def recorded(ctx: AppContext, code: str, *args: object, **kwargs: object) -> bytes:
        asked.append((code, *args))
        return build(ctx, code, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reports, "branch_report", recorded)
    app = run_app(page="branch", query={"code": CODE})
    slider = next(s for s in app.sidebar.select_slider if s.label == "Period")
    _first, last = slider.value
    chosen = ReportingPeriod(add_months(last, -2), last)
    slider.set_range(chosen.first, chosen.last).run()
    assert not app.exception
    within = list_scores(
        demo, AuditFilter(branch_code=CODE, date_from=chosen.date_from, date_to=chosen.date_to)
    )
    every = list_scores(demo, AuditFilter(branch_code=CODE))
    assert 0 < len(within) < len(every)
    assert metrics(app)["Audits"] == str(len(within))
    assert len(app.dataframe[0].value) == len(within)
    assert download_bytes(app, "branch_pdf").startswith(b"%PDF")
    assert asked[-1] == (CODE, chosen.date_from, chosen.date_to)
