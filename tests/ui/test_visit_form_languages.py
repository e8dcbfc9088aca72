"""The New visit form in the auditor's language, with no dead ends: Catalan buttons and Sí/No
answers in a Catalan session, every unanswered question marked where it is (with a linked
summary), and a score card whose section bars carry their values in words too."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from audit_app.i18n import use_language
from audit_app.services.audits import list_scores
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.ui.components.score_card import FAIL, PASSED, chart_caption, section_chart
from audit_app.ui.components.visit_form import anchor, read_answers, value_key
from tests.ui.apptest import MARTA, run_app
from tests.ui.test_new_visit_page import BEST, BRANCHES, PHONE, button, fill, key


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def phone_visit(language: str) -> AppTest:
    app = run_app(MARTA, page="new_visit", language=language)
    return app.selectbox(key="nv_checklist").select(PHONE).run()


@pytest.mark.usefixtures("world")
def test_the_visit_form_in_catalan_has_catalan_buttons_and_si_no() -> None:
    app = phone_visit("ca")
    assert app.title[0].value == "Nova visita"
    labels = [b.label for b in app.button]
    assert "Desa l'esborrany" in labels and "Envia" in labels
    assert "Save draft" not in labels and "Submit" not in labels
    assert app.radio(key=key("answer.greeting")).options == ["Sí", "No"]
    # the questions are the checklist's own Catalan, the notes the catalogue's
    assert app.selectbox(key="nv_language").value == "ca"
    assert any("Objectiu: com a màxim 3 tons" in m.value for m in app.markdown)
    assert any("Respostes: 0 de" in c.value for c in app.caption)
    assert app.selectbox(key="nv_checklist").options[0] != "charter@1"
    assert "Acollida: telèfon" in app.selectbox(key="nv_checklist").options
    # the stored value stays the same whatever the language
    fill(app, {"answer.greeting": "Yes"})
    assert app.radio(key=key("answer.greeting")).value == "Yes"
    assert app.radio(key=key("answer.greeting")).index == 0


@pytest.mark.usefixtures("world")
def test_the_visit_form_in_turkish_says_evet_hayir() -> None:
    app = phone_visit("tr")
    assert app.radio(key=key("answer.greeting")).options == ["Evet", "Hayır"]
    assert "Taslağı kaydet" in [b.label for b in app.button]


def test_missing_answers_are_marked_at_each_question(world: AppContext) -> None:
    app = phone_visit("en")
    missing = ["call.tone", "call.all_answered", "voicemail.return_hours"]
    fill(app, {k: v for k, v in BEST.items() if k not in missing})
    button(app, "Submit").click().run()
    assert list_scores(world).empty
    checklist = world.catalogue.resolve(PHONE)
    marks = [m.value for m in app.markdown if "Answer this question to submit" in m.value]
    assert len(marks) == len(missing)
    for item_id in missing:  # an anchor at each question, and a link to it in the summary
        target = anchor(checklist, item_id)
        assert any(f'id="{target}"' in mark for mark in marks)
        assert f"(#{target})" in app.error[0].value
    assert "3 required questions still need an answer" in app.error[0].value
    # each mark sits right under its question: between its widget and the next question's
    answered = [m for m in marks if anchor(checklist, "answer.greeting") in m]
    assert not answered
    # answering one takes its mark away at once
    fill(app, {"call.tone": 4})
    marks = [m.value for m in app.markdown if "Answer this question to submit" in m.value]
    assert len(marks) == 2 and anchor(checklist, "call.tone") not in "".join(marks)


def test_a_value_that_does_not_fit_is_named_at_its_item(world: AppContext) -> None:
    checklist = world.catalogue.resolve(PHONE)
    read = read_answers(checklist, {value_key(checklist, "call.tone"): 7}, "en")
    assert list(read.marks()) == ["call.tone"]


def _card_world(world: AppContext) -> AppTest:
    app = phone_visit("en")
    fill(app, {**BEST, "call.tone": 1, "call.clear_speech": "No"})
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(app, "Submit").click().run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    return app


def test_the_score_card_shows_section_values(world: AppContext) -> None:
    app = _card_world(world)
    [caption] = [c.value for c in app.caption if c.value.startswith("Section scores")]
    assert "pass mark 75" in caption and "Answering 100.0" in caption
    assert "(below pass mark)" in caption  # the call section failed: said in words
    [chart] = [e for e in _elements(app) if type(e.proto).__name__.endswith("VegaLiteChart")]
    spec = json.loads(chart.proto.spec)
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert "text" in marks  # the values written on the chart, not only on hover
    colours = json.dumps(spec)
    assert PASSED in colours and FAIL in colours and "#C0392B" not in colours
    assert spec.get("description", "").startswith("Section scores")


def test_the_chart_caption_is_in_the_session_language() -> None:
    sections = pd.DataFrame({"section": ["Resposta", "La trucada"], "score": [100.0, 62.5]})
    with use_language("ca"):
        text = chart_caption(sections, 75)
        chart = section_chart(sections, 75)
    assert "Resposta 100,0" in text and "La trucada 62,5 (per sota de l'aprovat)" in text
    assert chart.to_dict()["title"]["text"] == "Puntuacions per secció"


def _elements(app: AppTest) -> list[Any]:
    found: list[Any] = []

    def walk(node: Any) -> None:
        if hasattr(node, "proto"):
            found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return found
