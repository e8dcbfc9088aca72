"""The New visit page, run headless with AppTest: fill, save a draft, continue it, submit."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pdfplumber
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Button

from audit_app.domain.audit import AuditRecord, Branch, Channel, Visit
from audit_app.domain.labels import channel_label
from audit_app.domain.users import User
from audit_app.services.audits import list_scores, submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.drafts import discard_draft, list_drafts, load_draft, submit_draft
from audit_app.services.reports import audit_report
from audit_app.ui.components.context import app_context
from tests.services.test_audits import phone_answers
from tests.ui.apptest import APP, GUEST, HQ, MARTA, run_app, sign_in, speak, texts

PAGE = Path(APP).parent / "pages" / "new_visit_page.py"
PHONE = "greeting_phone@1"
BRANCHES = [
    Branch(
        code="ES-BCN-01",
        name="Gràcia",
        region="Catalonia",
        area="Barcelona",
        country="ES",
        language="ca",
    ),
    Branch(code="ES-BCN-02", name="Sants", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="ES-MAD-01", name="Chamberí", region="Centre", area="Madrid", country="ES"),
]
# Every greeting_phone item at its best; the voicemail items are N/A (the branch has none).
BEST = {
    "answer.rings": 2.0,
    "answer.greeting": "Yes",
    "call.clear_speech": "Yes",
    "call.tone": 5,
    "call.hold": "never",
    "call.all_answered": "Yes",
    "call.anything_else": "Yes",
    "voicemail.greeting_current": "N/A",
}


def pdf_text(content: bytes) -> str:
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def key(item_id: str) -> str:
    return f"nv.{PHONE}.{item_id}"


def fill(app: AppTest, answers: dict[str, object]) -> AppTest:
    for item_id, value in answers.items():
        if isinstance(value, float):
            app.number_input(key=key(item_id)).set_value(value)
        else:
            app.radio(key=key(item_id)).set_value(value)
    return app.run()


def new_phone_visit(user: User = MARTA) -> AppTest:
    app = run_app(user, page="new_visit")
    app.selectbox(key="nv_checklist").select(PHONE).run()
    return app


def button(app: AppTest, label: str) -> Button:
    return next(b for b in app.button if b.label == label)


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


@pytest.mark.usefixtures("ctx")
def test_an_empty_database_says_how_to_add_branches() -> None:
    app = run_app(HQ, page="new_visit")
    assert app.title[0].value == "New visit"
    assert "audit-app branches import" in app.info[0].value
    assert not [b for b in app.button if b.label in ("Save draft", "Submit")]


@pytest.mark.usefixtures("world")
def test_a_viewer_is_told_they_cannot_enter_visits() -> None:
    # The menu has no New visit entry for a viewer: open the page's script directly.
    app_context.clear()
    app = AppTest.from_file(str(PAGE), default_timeout=60)
    sign_in(app, GUEST)
    app.run()
    assert not app.exception
    assert "viewer" in app.warning[0].value
    assert not app.selectbox and not [b for b in app.button if b.label == "Submit"]


def test_martas_picker_lists_only_her_barcelona_branches_on_the_demo(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(MARTA, page="new_visit")
    options = app.selectbox(key="nv_branch").options
    assert len(options) == 6 and all(option.startswith("ES-CAT-") for option in options)
    shown = texts(app)
    for other in ("ES-MAD-", "RO-", "TR-", "Madrid", "Istanbul"):
        assert other not in shown
    # the checklist speaks the session's language (English here; Marta's area gives her
    # Catalan), and the auditor defaults to the user
    assert app.selectbox(key="nv_language").value == "en"
    assert (
        app.selectbox(key="nv_auditor").value == "Marta Puig"
    )  # the stored user, as a real log-in has them


def test_head_office_can_open_every_checklist(ctx: AppContext) -> None:
    load_demo(ctx)
    app = run_app(HQ, page="new_visit")
    assert len(app.selectbox(key="nv_branch").options) == 47  # one demo branch is closed
    for checklist in ctx.catalogue.latest():
        app.selectbox(key="nv_checklist").select(f"{checklist.id}@{checklist.version}").run()
        assert not app.exception, checklist.id
        channel = app.selectbox(key="nv_channel").value
        assert channel == (checklist.channel or "in_person")
        assert len(app.radio) + len(app.number_input) + len(app.text_area) > 0


def test_save_a_draft_continue_it_later_and_submit(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    app = new_phone_visit()
    assert app.selectbox(key="nv_channel").value == "phone"
    assert app.selectbox(key="nv_branch").options == ["ES-BCN-01 · Gràcia", "ES-BCN-02 · Sants"]
    half = {k: v for k, v in BEST.items() if k.startswith("answer.")}
    fill(app, half)
    app.text_input(key=key("answer.rings") + ".comment").input("rang while I waited").run()
    button(app, "Save draft").click().run()
    assert "saved" in app.success[0].value
    drafts = list_drafts(marta)
    assert [(d.branch_code, d.checklist_id, d.answered) for d in drafts] == [
        ("ES-BCN-01", "greeting_phone", 2)
    ]
    assert list_scores(marta).empty

    later = run_app(MARTA, page="new_visit")  # a new session: the draft is listed
    draft_id = drafts[0].audit_id
    assert later.selectbox(key="nv_draft_pick").value == draft_id
    listed = later.selectbox(key="nv_draft_pick").options[0]
    assert f"#{draft_id} · ES-BCN-01 Gràcia · Greeting: telephone ·" in listed
    assert "greeting_phone" not in listed  # the checklist's title, not its id
    button(later, "Continue draft").click().run()
    assert later.selectbox(key="nv_checklist").value == PHONE
    assert later.number_input(key=key("answer.rings")).value == 2.0
    assert later.radio(key=key("answer.greeting")).value == "Yes"
    assert later.text_input(key=key("answer.rings") + ".comment").value == "rang while I waited"
    later.selectbox(key="nv_language").select("en").run()  # answers survive a language switch
    assert later.radio(key=key("answer.greeting")).value == "Yes"
    assert "Employee speaks clearly" in [r.label for r in later.radio]

    fill(later, {k: v for k, v in BEST.items() if k not in half})
    later.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(later, "Submit").click().run()
    assert not later.exception and not later.error, [e.value for e in later.error]
    metrics = {metric.label: metric.value for metric in later.metric}
    assert metrics["Overall"] == "100.0" and metrics["Result"] == "Pass"
    scores = list_scores(marta)
    assert list(scores["branch_code"]) == ["ES-BCN-01"] and list(scores["overall"]) == [100.0]
    audit_id = int(scores["audit_id"].iloc[0])
    assert f"Audit #{audit_id}" in later.success[0].value
    assert list_drafts(marta) == []  # submitting used the draft up
    assert [link.label for link in later.get("page_link")] == [f"Open audit #{audit_id}"]
    assert later.download_button[0].label == "Download PDF report"
    # the button's bytes come from audit_report as Marta: her branch, no other area's
    report = pdf_text(audit_report(marta, audit_id, "ca"))
    assert "ES-BCN-01" in report and "Gràcia" in report
    assert "ES-MAD-01" not in report and "Chamberí" not in report


def test_a_missing_required_answer_is_named_and_nothing_is_lost(world: AppContext) -> None:
    app = new_phone_visit()
    app.selectbox(key="nv_language").select("en").run()
    fill(app, {k: v for k, v in BEST.items() if k != "call.tone"})
    button(app, "Submit").click().run()
    message = app.error[0].value
    assert "The call › Tone is friendly" in message
    assert "Greeting gives own name" not in message  # only what is missing
    assert list_scores(world).empty and list_drafts(world) == []
    assert app.radio(key=key("answer.greeting")).value == "Yes"
    assert app.number_input(key=key("answer.rings")).value == 2.0


def test_the_same_visit_twice_is_refused_with_a_message(world: AppContext) -> None:
    app = new_phone_visit(HQ)
    fill(app, BEST)
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(app, "Submit").click().run()
    assert len(list_scores(world)) == 1
    button(app, "Enter another visit").click().run()
    # the header is kept (same branch, checklist, time and auditor); the answers are empty
    assert app.selectbox(key="nv_checklist").value == PHONE
    assert app.radio(key=key("answer.greeting")).value is None
    fill(app, BEST)
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(app, "Submit").click().run()
    assert "already audited" in app.error[0].value
    assert len(list_scores(world)) == 1


def test_an_area_without_branches_says_whom_to_ask(ctx: AppContext) -> None:
    save_branches(ctx, [b for b in BRANCHES if b.area != "Barcelona"])
    app = run_app(MARTA, page="new_visit")
    assert "No branches in your areas (Barcelona)" in app.info[0].value
    assert "ES-MAD-01" not in texts(app)
    assert [s.key for s in app.selectbox] == ["language_picker"]  # the sidebar's only


def test_a_draft_can_be_discarded_from_the_list(world: AppContext) -> None:
    app = new_phone_visit()
    fill(app, {"answer.greeting": "No"})
    button(app, "Save draft").click().run()
    [draft] = list_drafts(world)
    again = run_app(MARTA, page="new_visit")
    button(again, "Yes, discard it").click().run()
    assert f"Draft #{draft.audit_id} discarded" in again.success[0].value
    assert list_drafts(world) == [] and list_scores(world).empty
    assert again.selectbox(key="nv_branch").value == "ES-BCN-01"
    assert "nv_draft_pick" not in [box.key for box in again.selectbox]


def test_a_draft_discarded_elsewhere_does_not_block_the_submit(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    app = new_phone_visit()
    fill(app, BEST)
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(app, "Save draft").click().run()
    [draft] = list_drafts(marta)
    discard_draft(marta, draft.audit_id)  # say, from another browser tab
    button(app, "Submit").click().run()
    assert "no longer there" in app.error[0].value and list_scores(marta).empty
    assert app.radio(key=key("answer.greeting")).value == "Yes"  # nothing typed is lost
    button(app, "Submit").click().run()
    assert not app.error and len(list_scores(marta)) == 1


def test_a_draft_submitted_in_another_tab_is_said_in_two_sentences(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    app = new_phone_visit()
    fill(app, BEST)
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(app, "Save draft").click().run()
    [draft] = list_drafts(marta)
    record = load_draft(marta, draft.audit_id).record
    submit_draft(marta, draft.audit_id, record)  # from another browser tab
    button(app, "Save draft").click().run()
    assert app.error[0].value.startswith(
        f"Not saved: audit #{draft.audit_id} is submitted, not a draft. "
        f"Draft #{draft.audit_id} is no longer there"
    )


def test_switching_the_checklist_back_and_forth_keeps_the_answers(world: AppContext) -> None:
    app = new_phone_visit()
    fill(app, {"answer.greeting": "No", "answer.rings": 4.0})
    app.selectbox(key="nv_checklist").select("returns@1").run()
    assert app.selectbox(key="nv_channel").value == "in_person"  # the checklist's channel
    assert key("answer.greeting") not in [radio.key for radio in app.radio]
    app.selectbox(key="nv_checklist").select(PHONE).run()
    assert app.selectbox(key="nv_channel").value == "phone"
    assert app.radio(key=key("answer.greeting")).value == "No"
    assert app.number_input(key=key("answer.rings")).value == 4.0


def forgetful_session(draft_id: int) -> AppTest:
    """A session still pointing at a draft whose form widgets Streamlit has forgotten."""
    app_context.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    sign_in(app, MARTA)
    speak(app, "en", MARTA)  # Marta's area speaks Catalan: these checks read English
    app.session_state["nv_draft_id"] = draft_id
    app.run()
    app.switch_page("pages/new_visit_page.py").run()
    assert not app.exception, app.exception
    return app


def banner(app: AppTest) -> str:
    return next((info.value for info in app.info if "Editing draft" in info.value), "")


def test_coming_back_from_another_page_shows_the_draft_being_edited(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    app = new_phone_visit()
    fill(app, {"answer.greeting": "No"})
    button(app, "Save draft").click().run()
    [draft] = list_drafts(marta)
    fill(app, {"answer.rings": 4.0})  # typed after the save
    app.switch_page("pages/compare_page.py").run()
    app.switch_page("pages/new_visit_page.py").run()
    assert not app.exception
    assert f"Editing draft #{draft.audit_id}" in banner(app)
    assert app.selectbox(key="nv_checklist").value == PHONE  # not the first checklist
    assert app.radio(key=key("answer.greeting")).value == "No"
    assert app.number_input(key=key("answer.rings")).value == 4.0  # unsaved typing kept too
    button(app, "Save draft").click().run()
    assert [(d.checklist_id, d.answered) for d in list_drafts(marta)] == [("greeting_phone", 2)]


def test_unsaved_answers_survive_a_visit_to_another_page(world: AppContext) -> None:
    app = new_phone_visit()
    app.selectbox(key="nv_branch").select("ES-BCN-02").run()
    fill(app, {"answer.greeting": "Yes"})
    app.text_input(key=key("answer.rings") + ".comment").input("no answer at first").run()
    app.switch_page("pages/overview_page.py").run()
    app.switch_page("pages/new_visit_page.py").run()
    assert app.selectbox(key="nv_branch").value == "ES-BCN-02"
    assert app.selectbox(key="nv_checklist").value == PHONE
    assert app.radio(key=key("answer.greeting")).value == "Yes"
    assert app.text_input(key=key("answer.rings") + ".comment").value == "no answer at first"
    assert not banner(app)  # never saved: no draft to point at


def test_a_draft_whose_widgets_were_forgotten_is_reloaded_from_the_database(
    world: AppContext,
) -> None:
    marta = world.as_user(MARTA)
    app = new_phone_visit()
    fill(app, {"answer.greeting": "No"})
    button(app, "Save draft").click().run()
    [draft] = list_drafts(marta)
    app = forgetful_session(draft.audit_id)
    assert f"Editing draft #{draft.audit_id}" in banner(app)
    assert app.selectbox(key="nv_checklist").value == PHONE
    assert app.radio(key=key("answer.greeting")).value == "No"
    assert app.number_input(key=key("answer.rings")).value is None
    assert app.selectbox(key="nv_auditor").value == "marta"
    button(app, "Save draft").click().run()
    assert [(d.checklist_id, d.answered) for d in list_drafts(marta)] == [("greeting_phone", 1)]


def test_a_forgotten_form_whose_draft_is_gone_is_a_new_visit(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    app = new_phone_visit()
    fill(app, {"answer.greeting": "No"})
    button(app, "Save draft").click().run()
    [draft] = list_drafts(marta)
    discard_draft(marta, draft.audit_id)  # say, from another browser tab
    app = forgetful_session(draft.audit_id)
    assert not banner(app)
    assert any(f"Draft #{draft.audit_id} is no longer there" in w.value for w in app.warning)
    fill(app.selectbox(key="nv_checklist").select(PHONE).run(), {"answer.greeting": "Yes"})
    button(app, "Save draft").click().run()
    assert not app.error and [d.answered for d in list_drafts(marta)] == [1]


def test_the_banner_says_what_submitting_a_draft_does(world: AppContext) -> None:
    app = new_phone_visit()
    fill(app, {"answer.greeting": "No"})
    button(app, "Save draft").click().run()
    text = banner(app)
    assert "saving replaces it" in text
    assert "submitting stores it as an audit and removes the draft" in text
    assert "turns it into" not in text


def test_the_checklists_are_offered_by_title(world: AppContext) -> None:
    app = run_app(MARTA, page="new_visit")
    options = app.selectbox(key="nv_checklist").options
    titles = sorted((c.title_in() for c in world.catalogue.latest()), key=str.casefold)
    assert options == titles
    assert options.index("Greeting: telephone") > options.index(
        "Greeting: reviews and social media"
    )
    assert app.selectbox(key="nv_checklist").value == "charter@1"  # the first title


def test_channel_labels_are_shared_words() -> None:
    assert channel_label(Channel.PHONE) == "Phone call"
    assert channel_label("in_person") == "In person"
    assert channel_label(None) == "—"
    assert channel_label("carrier_pigeon") == "Carrier pigeon"  # a channel added later


def test_the_audit_page_names_the_channel_like_the_new_visit_page(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    visit = Visit("ES-BCN-01", "greeting_phone", 1, datetime(2026, 3, 2, 10, 30), "Marta")
    audit_id, _ = submit_audit(
        marta, AuditRecord(replace(visit, channel=Channel.PHONE), phone_answers(world))
    )
    app = run_app(MARTA, page="audit", query={"id": str(audit_id)})
    details = [m.value for m in app.markdown if m.value.startswith("**Channel**")]
    assert details == ["**Channel**  \nPhone call"]


def test_the_next_user_in_the_same_browser_does_not_inherit_the_visit(world: AppContext) -> None:
    app = new_phone_visit(HQ)
    app.selectbox(key="nv_branch").select("ES-MAD-01").run()
    fill(app, {"answer.greeting": "No"})
    button(app, "Save draft").click().run()
    sign_in(app, MARTA)  # head office logs out, Marta logs in, same tab
    app.switch_page("pages/overview_page.py").run()
    app.switch_page("pages/new_visit_page.py").run()
    assert not app.exception and not banner(app)
    assert "ES-MAD-01" not in texts(app) and "Chamberí" not in texts(app)
    app.selectbox(key="nv_checklist").select(PHONE).run()
    assert app.radio(key=key("answer.greeting")).value is None  # not what head office typed


def test_the_next_user_does_not_see_the_last_ones_submitted_audit(world: AppContext) -> None:
    app = new_phone_visit(HQ)
    app.selectbox(key="nv_branch").select("ES-MAD-01").run()
    fill(app, BEST)
    app.checkbox(key=key("voicemail.return_hours") + ".na").check().run()
    button(app, "Submit").click().run()
    assert "Chamberí" in app.success[0].value
    sign_in(app, MARTA)
    app.switch_page("pages/overview_page.py").run()
    app.switch_page("pages/new_visit_page.py").run()
    assert not app.exception and not app.metric
    assert "Chamberí" not in texts(app) and "ES-MAD-01" not in texts(app)
