"""The follow-up checklist: the original version cut down to the failed items."""

from __future__ import annotations

import pytest

from audit_app.checklists import Catalogue
from audit_app.domain.audit import Answer
from audit_app.domain.followups import (
    NothingToFollowUp,
    failed_items,
    follow_up_checklist,
    passed_items,
    restricted_to,
)
from audit_app.domain.scoring import score_audit


def test_failed_items_are_those_below_one_in_checklist_order(catalogue: Catalogue) -> None:
    checklist = catalogue.get("greeting_phone")
    scores = {"call.tone": 0.5, "answer.rings": 0.0, "call.hold": 1.0, "answer.greeting": None}
    assert failed_items(checklist, scores) == ("answer.rings", "call.tone")
    assert passed_items(scores) == ("call.hold",)


def test_the_follow_up_checklist_keeps_only_failed_items_and_their_sections(
    catalogue: Catalogue,
) -> None:
    checklist = catalogue.get("greeting_phone")
    restricted, failed = follow_up_checklist(
        checklist, {"call.tone": 0.25, "call.hold": 0.0, "answer.rings": 1.0}
    )
    assert failed == ("call.tone", "call.hold")
    assert [s.id for s in restricted.sections] == ["call"]
    assert [i.id for i in restricted.items] == ["call.tone", "call.hold"]
    assert (restricted.id, restricted.version, restricted.pass_mark) == (
        checklist.id,
        checklist.version,
        checklist.pass_mark,
    )
    assert len(checklist.items) == 9, "the catalogue's checklist is left as it was"


def test_a_follow_up_is_scored_on_its_own_items(catalogue: Catalogue) -> None:
    checklist = catalogue.get("greeting_phone")
    restricted = restricted_to(checklist, ["call.clear_speech", "call.all_answered"])
    card = score_audit(
        restricted, [Answer("call.clear_speech", True), Answer("call.all_answered", False)]
    )
    assert card.overall == 50.0
    assert dict(card.item_scores) == {"call.clear_speech": 1.0, "call.all_answered": 0.0}
    assert passed_items(card.item_scores) == ("call.clear_speech",)


def test_an_audit_without_failures_has_nothing_to_follow_up(catalogue: Catalogue) -> None:
    checklist = catalogue.get("greeting_phone")
    with pytest.raises(NothingToFollowUp, match="failed no item"):
        follow_up_checklist(checklist, {"call.tone": 1.0, "answer.greeting": None})
    with pytest.raises(NothingToFollowUp, match="at least one scored item"):
        restricted_to(checklist, ["no.such.item"])
