"""The follow-up block of the Audit page and the Compare page's follow-up toggle, run headless
with AppTest: start a follow-up, answer only the failed items, see its own score card."""

from __future__ import annotations

from datetime import datetime

import pytest

from audit_app.domain.audit import AuditKind, AuditRecord, Branch, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.services import actions
from audit_app.services.audits import list_scores, load_audit, submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.followups import follow_up_plan
from audit_app.ui.components.follow_up_form import form_checklist
from audit_app.ui.components.visit_form import value_key
from tests.services.test_audits import phone_answers
from tests.ui.apptest import GUEST, HQ, MARTA, run_app
from tests.ui.photos import jpeg

FAILED = {"call.clear_speech": False, "call.all_answered": False}


@pytest.fixture
def original(ctx: AppContext) -> int:
    save_branches(
        ctx,
        [
            Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
            Branch(code="TR-01", name="Kadıköy", region="Istanbul", area="Istanbul", country="TR"),
        ],
    )
    audit_id, _ = submit_audit(
        ctx,
        AuditRecord(
            Visit("ES-01", "greeting_phone", 1, datetime(2026, 3, 2, 10), "Ann"),
            phone_answers(ctx, **FAILED),
        ),
    )
    return audit_id


def test_a_follow_up_asks_the_failed_items_and_shows_its_own_score(
    ctx: AppContext, original: int
) -> None:
    app = run_app(MARTA, page="audit", query={"id": str(original)})
    start = next(b for b in app.button if b.label.startswith("Start follow-up"))
    assert start.label == "Start follow-up (2 failed items)"
    app = start.click().run()
    assert not app.exception, app.exception
    checklist = form_checklist(follow_up_plan(ctx, original), original)
    asked = {r.key for r in app.radio if r.key and r.key.startswith("nv.follow-up-")}
    assert asked == {value_key(checklist, item) for item in FAILED}
    app.radio(key=value_key(checklist, "call.clear_speech")).set_value("Yes")
    app.radio(key=value_key(checklist, "call.all_answered")).set_value("No")
    app = next(b for b in app.button if b.label == "Submit follow-up").click().run()
    assert not app.exception, app.exception
    assert not app.error, [e.value for e in app.error]
    follow_ups = list_scores(ctx, AuditFilter(kind="follow_up"))
    assert len(follow_ups) == 1 and follow_ups["overall"].iloc[0] == 50.0
    stored = load_audit(ctx, int(follow_ups["audit_id"].iloc[0]))
    assert (stored.record.visit.kind, stored.record.visit.follow_up_of) == (
        AuditKind.FOLLOW_UP,
        original,
    )
    assert "1 corrective action verified" in app.success[0].value
    overall = [m.value for m in app.metric if m.label == "Overall"]
    assert overall == ["50.0", "80.0"], "the follow-up's own card, then the original's"
    statuses = {a.item_id: a.status.value for a in actions.list_actions(ctx)}
    assert statuses == {"call.clear_speech": "verified", "call.all_answered": "open"}
    page = run_app(HQ, page="audit", query={"id": str(stored.audit_id)})
    assert any(f"Follow-up of audit #{original}" in link.label for link in page.get("page_link"))
    assert not [b for b in page.button if b.label.startswith("Start follow-up")]


def test_a_viewer_gets_no_follow_up_button(original: int) -> None:
    app = run_app(GUEST, page="audit", query={"id": str(original)})
    assert not app.exception
    assert not [b for b in app.button if b.label.startswith("Start follow-up")]


def test_an_unanswered_item_is_named_and_nothing_is_stored(ctx: AppContext, original: int) -> None:
    app = run_app(HQ, page="audit", query={"id": str(original)})
    app = next(b for b in app.button if b.label.startswith("Start follow-up")).click().run()
    checklist = form_checklist(follow_up_plan(ctx, original), original)
    app.radio(key=value_key(checklist, "call.clear_speech")).set_value("Yes")
    app = next(b for b in app.button if b.label == "Submit follow-up").click().run()
    assert "needs an answer" in app.error[0].value
    assert list_scores(ctx, AuditFilter(kind="follow_up")).empty


@pytest.mark.usefixtures("original")
def test_the_compare_page_offers_to_include_follow_ups() -> None:
    app = run_app(HQ, page="compare")
    toggle = app.toggle(key="compare_follow_ups")
    assert toggle.label == "Include follow-up audits" and toggle.value is False
    app = toggle.set_value(True).run()
    assert not app.exception, app.exception


def test_a_follow_up_may_show_the_fix_in_a_photo(ctx: AppContext, original: int) -> None:
    """The follow-up re-checks a failure; a photo of the fixed thing goes with its answer."""
    app = run_app(MARTA, page="audit", query={"id": str(original)})
    app = next(b for b in app.button if b.label.startswith("Start follow-up")).click().run()
    checklist = form_checklist(follow_up_plan(ctx, original), original)
    stem = value_key(checklist, "call.clear_speech")
    [box] = [u for u in app.file_uploader if str(u.key).startswith(f"{stem}.upload.")]
    box.set_value([("fixed.jpg", jpeg(), "image/jpeg")])
    app = app.run()
    assert not app.exception, app.exception
    app.radio(key=value_key(checklist, "call.clear_speech")).set_value("Yes")
    app.radio(key=value_key(checklist, "call.all_answered")).set_value("Yes")
    app = next(b for b in app.button if b.label == "Submit follow-up").click().run()
    assert not app.error, [e.value for e in app.error]
    [follow_up] = list_scores(ctx, AuditFilter(kind="follow_up"))["audit_id"]
    photos = {a.item_id: a.photos for a in load_audit(ctx, int(follow_up)).record.answers}
    assert len(photos["call.clear_speech"]) == 1 and photos["call.all_answered"] == ()
