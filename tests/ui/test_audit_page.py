"""The Audit page, run headless with AppTest: one visit's header, score card, answers, PDF."""

from __future__ import annotations

import io
import json
from datetime import datetime

import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from audit_app.domain.audit import Answer, AuditRecord, Channel, Visit
from audit_app.domain.scoring import display
from audit_app.services.audits import list_scores, load_audit
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.drafts import save_draft
from audit_app.ui.components.audit_answers import TABLE_BUDGET_PX
from tests.ui.apptest import HQ, MARTA, run_app, texts
from tests.ui.detail_downloads import download_bytes, downloads

__all__ = ["downloads"]  # the fixture, imported for the tests below


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def metrics(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def first_audit(ctx: AppContext, *, barcelona: bool) -> int:
    scores = list_scores(ctx)
    chosen = scores[(scores["area"] == "Barcelona") == barcelona]
    return int(chosen["audit_id"].iloc[-1])


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_offers_nothing_to_open() -> None:
    app = run_app(page="audit")
    assert app.title[0].value == "Audit"
    assert "No submitted audits yet" in app.info[0].value
    assert not app.main.selectbox and not app.metric  # the sidebar has the language switcher


@pytest.mark.usefixtures("ctx")
def test_a_missing_audit_is_an_error() -> None:
    app = run_app(page="audit", query={"id": "12"})
    assert [e.value for e in app.error] == ["no audit #12"]


@pytest.mark.usefixtures("ctx")
def test_an_id_that_is_not_a_number_says_so() -> None:
    app = run_app(page="audit", query={"id": "twelve"})
    assert "'twelve' is not an audit number" in app.error[0].value
    assert not app.metric


@pytest.mark.usefixtures("downloads")
def test_an_audit_shows_its_score_answers_and_pdf(demo: AppContext) -> None:
    audit_id = first_audit(demo, barcelona=True)
    stored = load_audit(demo, audit_id)
    visit = stored.record.visit
    checklist = demo.catalogue.get(visit.checklist_id, visit.checklist_version)
    app = run_app(page="audit", query={"id": str(audit_id)})
    assert app.title[0].value == f"Audit #{audit_id}"
    assert metrics(app)["Overall"] == f"{display(stored.overall):.1f}"
    assert metrics(app)["Grade"] == stored.grade
    shown = texts(app)
    assert visit.auditor in shown and f"{visit.visited_at:%Y-%m-%d %H:%M}" in shown
    # Answers: one table per section, each item once, in the audit's own language.
    answer_tables = [f.value for f in app.dataframe if "answer" in f.value.columns]
    assert len(answer_tables) == len(checklist.sections)
    items = [text for table in answer_tables for text in table["item"]]
    assert items == [i.text.get(visit.language, i.text["en"]) for i in checklist.items]
    answered = {a.item_id for a in stored.record.answers if a.answered}
    blanks = sum((table["answer"] == "—").sum() for table in answer_tables)
    assert blanks == len(checklist.items) - len(answered)
    # Every column fits a laptop's page, the score right after the answer: none cut off.
    for frame in (f for f in app.dataframe if "answer" in f.value.columns):
        config = json.loads(frame.proto.columns)
        assert list(frame.value.columns) == ["item", "answer", "score", "na", "critical", "comment"]
        widths = [config[c]["width"] for c in frame.value.columns]
        assert sum(widths) <= TABLE_BUDGET_PX <= 900
        assert config["score"]["width"] >= 80 and config["score"]["label"] == "Score"
    # Another language changes the texts, and the PDF is a PDF of this audit.
    app.selectbox[0].select("en").run()
    english = [
        text for f in app.dataframe if "answer" in f.value.columns for text in f.value["item"]
    ]
    assert english == [i.text["en"] for i in checklist.items]
    pdf = download_bytes(app, "audit_pdf")
    assert pdf.startswith(b"%PDF")
    assert visit.branch_code in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_the_picker_opens_the_chosen_audit(demo: AppContext) -> None:
    app = run_app(user=MARTA, page="audit")
    picker = app.sidebar.selectbox(key="audit_picker")
    assert 0 < len(picker.options) <= 50
    assert all("ES-CAT-" in option for option in picker.options)
    audit_id = first_audit(demo, barcelona=True)
    picker.select(audit_id).run()
    assert app.query_params["id"] == str(audit_id)
    assert app.title[0].value == f"Audit #{audit_id}"


def test_an_area_manager_gets_no_other_area_audit(demo: AppContext) -> None:
    audit_id = first_audit(demo, barcelona=False)
    stored = load_audit(demo, audit_id)
    app = run_app(user=MARTA, page="audit", query={"id": str(audit_id)})
    assert [e.value for e in app.error] == [f"no audit #{audit_id}"]
    assert not app.metric and not app.dataframe and not app.download_button
    shown = texts(app)
    others = [b for b in list_branches(demo) if b.area != "Barcelona"]
    assert not [b.code for b in others if b.code in shown]
    assert not [b.name for b in others if b.name in shown]
    assert stored.record.visit.auditor not in shown


def test_a_draft_shows_its_answers_and_no_score(ctx: AppContext) -> None:
    load_demo(ctx)
    checklist = ctx.catalogue.get("greeting_phone")
    first = next(i for i in checklist.items if i.type == "yes_no")
    visit = Visit(
        "ES-CAT-01", checklist.id, checklist.version, datetime(2026, 12, 1, 10, 0), "Tess",
        channel=Channel.PHONE, language="en",
    )  # fmt: skip
    draft_id = save_draft(
        ctx.as_user(HQ), AuditRecord(visit, (Answer(first.id, True, comment="friendly"),))
    )
    app = run_app(page="audit", query={"id": str(draft_id)})
    assert "This is a draft" in app.warning[0].value
    assert "Overall" not in metrics(app) and not app.download_button
    rows = [f.value for f in app.dataframe]
    assert all("score" not in frame.columns for frame in rows)
    answered = [r for frame in rows for r in frame.to_dict("records") if r["answer"] != "—"]
    assert answered == [
        {"item": first.text["en"], "answer": "Yes", "na": False, "comment": "friendly",
         "critical": first.critical}
    ]  # fmt: skip


@pytest.mark.parametrize("user", [HQ, MARTA], ids=["hq", "marta"])
def test_without_an_id_the_page_opens_the_latest_audit_the_user_can_see(
    demo: AppContext, user: object
) -> None:
    seen = list_scores(demo.as_user(user))  # type: ignore[arg-type]
    latest = int(seen["audit_id"].iloc[-1])  # oldest visit first
    app = run_app(user=user, page="audit")  # type: ignore[arg-type]
    assert app.title[0].value == f"Audit #{latest}"
    assert app.info[0].value.startswith("The latest audit you can see")
    assert "Overall" in metrics(app)  # the whole audit, not a picker alone
    assert str(latest) in app.sidebar.selectbox(key="audit_picker").options[0]


def test_an_id_in_the_url_opens_that_audit_not_the_latest(demo: AppContext) -> None:
    older = int(list_scores(demo)["audit_id"].iloc[0])
    app = run_app(page="audit", query={"id": str(older)})
    assert app.title[0].value == f"Audit #{older}"
    assert not any(info.value.startswith("The latest audit") for info in app.info)


def test_the_picker_names_checklists_by_title_not_by_id(demo: AppContext) -> None:
    app = run_app(user=MARTA, page="audit")
    options = app.sidebar.selectbox(key="audit_picker").options
    titles = {c.title_in("en") for c in demo.catalogue}
    assert all(any(f" · {title} · " in option for title in titles) for option in options)
    assert not any(f" v{c.version}" in option for c in demo.catalogue for option in options)
    assert not any(f"· {c.id} ·" in option for c in demo.catalogue for option in options)
