"""The Audit page's trail, run headless: revisions readable, a correction with a required
reason, the window and the areas respected, appeals recorded and resolved."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from audit_app.services.audits import list_scores
from audit_app.services.context import AppContext
from audit_app.services.demo import load_demo
from audit_app.services.revisions import audit_history, list_appeals, raise_appeal
from audit_app.services.verify import verify
from tests.services.test_revisions import submit, world  # noqa: F401
from tests.ui.apptest import GUEST, HQ, MARTA, run_app, texts


def open_audit(user: object, audit_id: int) -> AppTest:
    return run_app(user, "audit", {"id": str(audit_id)})  # type: ignore[arg-type]


def editor_row(app: AppTest, item_id: str) -> int:
    table = app.data_editor[0].value
    return int(table.index[table["item"] == item_id][0])


def correct(app: AppTest, audit_id: int, item_id: str, value: str, reason: str) -> AppTest:
    row = editor_row(app, item_id)
    app.session_state[f"trail_editor_{audit_id}_0"] = {
        "edited_rows": {row: {"value": value}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    app.text_area(key=f"trail_reason_{audit_id}_0").set_value(reason)
    app.button(key=f"trail_save_{audit_id}").click().run()
    assert not app.exception, app.exception
    return app


def test_head_office_corrects_an_audit_and_both_revisions_show(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    app = open_audit(HQ, audit_id)
    assert "Revisions" in [s.value for s in app.subheader]
    assert "first submission" in texts(app)
    app = correct(app, audit_id, "call.tone", "2", "tone misheard on the recording")
    assert not app.error, app.error[0].value
    assert "Saved as revision 2" in texts(app)
    history = audit_history(world, audit_id)
    assert [(r.revision, r.created_by, r.reason) for r in history] == [
        (1, None, None),
        (2, "hq", "tone misheard on the recording"),
    ]
    assert "tone misheard on the recording" in texts(app)
    assert any(e.label.startswith("Revision 1 ·") for e in app.expander)
    assert float(list_scores(world)["overall"].iloc[0]) < 100
    assert verify(world).ok


def test_a_correction_without_a_reason_is_refused(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    app = correct(open_audit(HQ, audit_id), audit_id, "call.tone", "2", "  ")
    assert "a correction needs a reason" in app.error[0].value
    assert [r.revision for r in audit_history(world, audit_id)] == [1]


def test_an_invalid_answer_is_named_not_saved(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    app = correct(open_audit(HQ, audit_id), audit_id, "call.tone", "eleven", "typo")
    assert "'eleven' is not an answer to 'Tone is friendly'" in app.error[0].value
    assert [r.revision for r in audit_history(world, audit_id)] == [1]


def test_area_manager_scope_and_window(world: AppContext) -> None:  # noqa: F811
    istanbul = submit(world, "TR-01")
    app = open_audit(MARTA, istanbul)
    assert f"no audit #{istanbul}" in app.error[0].value
    assert "TR-01" not in texts(app) and "Kadıköy" not in texts(app)
    barcelona = submit(world, "ES-01", day=4)
    assert any(e.label == "Correct this audit" for e in open_audit(MARTA, barcelona).expander)
    with world.engine.begin() as conn:
        conn.execute(
            text("UPDATE audits SET submitted_at = :at"),
            {"at": datetime.now() - timedelta(days=30)},
        )
    late = open_audit(MARTA, barcelona)
    assert not any(e.label == "Correct this audit" for e in late.expander)
    assert "only head office can correct it now" in texts(late)


def test_a_viewer_reads_the_trail_but_cannot_change_it(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    app = open_audit(GUEST, audit_id)
    assert "Revisions" in [s.value for s in app.subheader]
    assert not app.data_editor and not app.text_area
    assert not any(e.label == "Correct this audit" for e in app.expander)


def test_an_appeal_is_recorded_then_rejected_by_head_office(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    app = open_audit(MARTA, audit_id)
    app.text_area[-1].set_value("the shopper called during a power cut")
    app.button[[b.label for b in app.button].index("Record the appeal")].click().run()
    assert not app.exception and not app.error
    assert [a.reason for a in list_appeals(world, audit_id)] == [
        "the shopper called during a power cut"
    ]
    assert "head office resolves it" in texts(app)
    hq = open_audit(HQ, audit_id)
    hq.text_area[-1].set_value("the recording is clear")
    hq.button[[b.label for b in hq.button].index("Resolve")].click().run()
    assert not hq.exception and not hq.error
    appeal = list_appeals(world, audit_id)[0]
    assert (appeal.status, appeal.resolution) == ("rejected", "the recording is clear")
    assert "the recording is clear" in texts(hq)


def test_an_upheld_appeal_applies_the_edited_answers(world: AppContext) -> None:  # noqa: F811
    audit_id = submit(world)
    raise_appeal(world, audit_id, "tone was fine")
    app = open_audit(HQ, audit_id)
    row = editor_row(app, "call.tone")
    app.session_state[f"trail_editor_{audit_id}_0"] = {
        "edited_rows": {row: {"value": "3"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    app.run()
    app.radio[0].set_value("Upheld")
    app.text_area[-1].set_value("recording checked")
    app.button[[b.label for b in app.button].index("Resolve")].click().run()
    assert not app.exception and not app.error, app.error
    last = audit_history(world, audit_id)[-1]
    assert last.revision == 2 and last.answers["call.tone"].value == 3


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    load_demo(ctx)
    return ctx


def test_the_demo_audit_page_shows_its_trail(demo: AppContext) -> None:
    scores = list_scores(demo)
    audit_id = int(scores[scores["area"] == "Barcelona"]["audit_id"].iloc[-1])
    app = open_audit(HQ, audit_id)
    assert "Revisions" in [s.value for s in app.subheader]
    assert "Appeals" in [s.value for s in app.subheader]
    assert "first submission" in texts(app)
    assert len(app.data_editor[0].value) > 5
