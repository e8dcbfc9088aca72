"""Issue #19 on the pages: the score card says how many corrective actions an audit opened
and links to them; the Actions page filters by audit and owner (unassigned too) and changes
several actions at once, naming the ones refused."""

from __future__ import annotations

from datetime import datetime

import pytest

from audit_app.domain.audit import AuditRecord, Branch
from audit_app.services.actions import action_history, list_actions, update_action
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.services.test_actions import BRANCHES, FAILING
from tests.services.test_audits import phone_answers, phone_visit
from tests.ui.apptest import HQ, run_app

WHEN = datetime(2026, 3, 2, 10, 30)
NO_MANAGER = Branch(
    code="ES-02", name="Sants", region="Catalonia", area="Barcelona", country="ES", manager=""
)


@pytest.fixture
def world(ctx: AppContext) -> tuple[AppContext, int, int]:
    """ES-01: three actions (Jordi Vidal's); ES-02 (no manager): one unassigned action."""
    save_branches(ctx, [*BRANCHES, NO_MANAGER])
    first, _card = submit_audit(
        ctx, AuditRecord(phone_visit("ES-01", WHEN), phone_answers(ctx, **FAILING))
    )
    other, _card = submit_audit(
        ctx,
        AuditRecord(
            phone_visit("ES-02", WHEN), phone_answers(ctx, **{"call.hold": "without_asking"})
        ),
    )
    return ctx, first, other


def test_the_score_card_says_how_many_actions_opened_and_links_them(
    world: tuple[AppContext, int, int],
) -> None:
    _ctx, audit_id, _other = world
    app = run_app(HQ, page="audit", query={"id": str(audit_id)})
    links = [(link.proto.label, link.proto.page) for link in app.get("page_link")]
    assert any(label == "3 corrective actions opened" for label, _page in links), links
    actions = run_app(HQ, page="actions", query={"audit": str(audit_id)})
    listed = actions.dataframe[0].value
    assert set(listed["audit"]) == {f"audit?id={audit_id}"} and len(listed) == 3
    assert f"The corrective actions audit #{audit_id} opened" in actions.info[0].value


def test_owner_filter_finds_the_unassigned(world: tuple[AppContext, int, int]) -> None:
    _ctx, _first, other = world
    app = run_app(HQ, page="actions")
    owner = app.multiselect(key="actions_owner")
    assert owner.options == ["Jordi Vidal", "Unassigned"]
    owner.select("").run()
    listed = app.dataframe[0].value
    assert list(listed["audit"]) == [f"audit?id={other}"]


def test_several_actions_change_at_once_and_refusals_are_named(
    world: tuple[AppContext, int, int],
) -> None:
    ctx, _first, _other = world
    ids = [a.id for a in list_actions(ctx)]
    update_action(ctx, ids[0], status="done")
    update_action(ctx, ids[0], status="verified")
    app = run_app(HQ, page="actions")
    app.multiselect(key="actions_status").set_value(["open", "in_progress", "verified"]).run()
    app.multiselect(key="actions_bulk_ids").set_value(ids).run()
    app.text_input(key="actions_bulk_owner").input("Pere Soler")
    app.selectbox(key="actions_bulk_status").select("in_progress")
    next(b for b in app.button if b.label == "Change 4 actions").click().run()
    assert not app.exception
    warning = app.warning[0].value
    assert "1 action was left as it was" in warning
    assert f"action #{ids[0]}: a verified action is final" in warning
    assert app.success[0].value == "3 actions changed."
    for action_id in ids[1:]:
        assert [(e.by, e.field, e.new) for e in action_history(ctx, action_id)] == [
            ("hq", "status", "in_progress"),
            ("hq", "owner", "Pere Soler"),
        ]


def test_the_issue_phone_visit_shows_one_action_opened(ctx: AppContext) -> None:
    from tests.services.test_action_policy import PHONE_78_5

    save_branches(ctx, BRANCHES)
    audit_id, _card = submit_audit(
        ctx, AuditRecord(phone_visit("ES-01", WHEN), phone_answers(ctx, **PHONE_78_5))
    )
    app = run_app(HQ, page="audit", query={"id": str(audit_id)})
    labels = [link.proto.label for link in app.get("page_link")]
    assert "1 corrective action opened" in labels, labels
    below = next(frame.value for frame in app.dataframe if "action" in frame.value.columns)
    assert dict(zip(below["item"], below["action"], strict=True)) == {
        "Rings before the call is answered": False,
        "Employee checks every question was answered": True,
        "Tone is friendly": False,
        "Hours until a voicemail message is returned": False,
    }
