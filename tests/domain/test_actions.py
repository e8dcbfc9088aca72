"""The rules of corrective actions: which items get one, by when, how they move, when late."""

from __future__ import annotations

from datetime import date

import pytest

from audit_app.checklists import Catalogue
from audit_app.domain.actions import (
    ActionRuleBroken,
    ActionStatus,
    ActionSync,
    FailedItem,
    check_move,
    due_date,
    due_days,
    failed_items,
    is_overdue,
    parse_status,
    sync_actions,
)
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import score_audit


def _checklist(**extra: object) -> Checklist:
    return Checklist.model_validate(
        {
            "id": "mini",
            "version": 1,
            "title": {"en": "Mini"},
            "languages": ["en"],
            "sections": [
                {
                    "id": "s",
                    "title": {"en": "S"},
                    "items": [
                        {"id": "a", "type": "yes_no", "text": {"en": "A"}},
                        {"id": "b", "type": "scale", "text": {"en": "B"}},
                        {"id": "c", "type": "yes_no", "text": {"en": "C"}, "critical": True},
                        {"id": "d", "type": "yes_no", "text": {"en": "D"}, "na_allowed": True},
                        {"id": "e", "type": "yes_no", "text": {"en": "E"}},
                        {"id": "f", "type": "text", "text": {"en": "F"}},
                    ],
                }
            ],
            **extra,
        }
    )


def test_the_default_policy_opens_nos_critical_failures_and_scores_below_half() -> None:
    # Issue #19 changed this: partial credit of 0.75 (b) no longer opens an action.
    checklist = _checklist()
    card = score_audit(
        checklist,
        [
            Answer("a", False),
            Answer("b", 2),  # 0.25: below half the points
            Answer("c", False),
            Answer("d", None, True),  # N/A: nothing to fix
            Answer("e", True),
            Answer("f", "notes"),
        ],
    )
    failed = failed_items(checklist, card)
    assert [(f.item_id, f.critical, f.score) for f in failed] == [
        ("c", True, 0.0),
        ("a", False, 0.0),
        ("b", False, 0.25),
    ]


def test_partial_credit_of_half_or_more_opens_no_action() -> None:
    checklist = _checklist()
    answers = [Answer("a", True), Answer("b", 4), Answer("c", True), Answer("d", True)]
    answers.append(Answer("e", True))
    card = score_audit(checklist, answers)
    assert card.item_scores["b"] == 0.75
    assert failed_items(checklist, card) == []


def test_a_perfect_audit_fails_nothing() -> None:
    checklist = _checklist()
    answers = [Answer("a", True), Answer("b", 5), Answer("c", True), Answer("d", True)]
    answers.append(Answer("e", True))
    assert failed_items(checklist, score_audit(checklist, answers)) == []


def test_due_dates_default_to_two_and_fourteen_days_after_the_visit() -> None:
    checklist = _checklist()
    assert (due_days(checklist, True), due_days(checklist, False)) == (2, 14)
    assert due_date(checklist, True, date(2026, 2, 27)) == date(2026, 3, 1)
    assert due_date(checklist, False, date(2026, 12, 25)) == date(2027, 1, 8)


def test_a_checklist_can_set_its_own_due_days() -> None:
    checklist = _checklist(action_due_days={"critical": 1, "other": 30})
    assert due_date(checklist, True, date(2026, 3, 1)) == date(2026, 3, 2)
    assert due_date(checklist, False, date(2026, 3, 1)) == date(2026, 3, 31)
    only_other = _checklist(action_due_days={"other": 7})
    assert (due_days(only_other, True), due_days(only_other, False)) == (2, 7)


def test_due_days_leave_the_content_hash_alone_and_fold_into_the_policy() -> None:
    # Issue #19: the older action_due_days is read into action_policy.due_days.
    plain = _checklist()
    assert "action_due_days" not in plain.to_data() and "action_policy" not in plain.to_data()
    set_ = _checklist(action_due_days={"critical": 1, "other": 30})
    assert set_.content_hash == plain.content_hash
    assert set_.to_data()["action_policy"]["due_days"] == {"critical": 1, "other": 30}
    assert Checklist.model_validate(set_.to_data()) == set_


def test_due_days_must_be_sensible() -> None:
    with pytest.raises(ValueError, match="critical"):
        _checklist(action_due_days={"critical": -1})
    with pytest.raises(ValueError, match="action_due_days"):
        _checklist(action_due_days={"severe": 3})


def test_the_standard_checklists_keep_the_default_due_days(catalogue: Catalogue) -> None:
    for checklist in catalogue.latest():
        assert checklist.action_due_days is None
        assert due_days(checklist, True) == 2 and due_days(checklist, False) == 14


@pytest.mark.parametrize(
    ("current", "wanted"),
    [
        ("open", "in_progress"),
        ("open", "done"),
        ("in_progress", "done"),
        ("in_progress", "open"),
        ("done", "verified"),
        ("done", "in_progress"),
        ("verified", "verified"),
    ],
)
def test_allowed_moves(current: str, wanted: str) -> None:
    check_move(ActionStatus(current), ActionStatus(wanted))


@pytest.mark.parametrize(
    ("current", "wanted", "message"),
    [
        ("open", "verified", "can move to done, in_progress only"),
        ("in_progress", "verified", "can move to done, open only"),
        ("verified", "open", "verified action is final"),
        ("verified", "done", "verified action is final"),
    ],
)
def test_refused_moves(current: str, wanted: str, message: str) -> None:
    with pytest.raises(ActionRuleBroken, match=message):
        check_move(ActionStatus(current), ActionStatus(wanted))


def test_statuses_are_read_as_people_type_them() -> None:
    assert parse_status("In progress") == ActionStatus.IN_PROGRESS
    assert parse_status(" in-progress ") == ActionStatus.IN_PROGRESS
    with pytest.raises(ActionRuleBroken, match="unknown status 'closed'; use one of open"):
        parse_status("closed")


def test_overdue_starts_the_day_after_the_due_date() -> None:
    due = date(2026, 3, 10)
    assert not is_overdue(due, ActionStatus.OPEN, date(2026, 3, 9))
    assert not is_overdue(due, ActionStatus.OPEN, date(2026, 3, 10))  # due today: on time
    assert is_overdue(due, ActionStatus.OPEN, date(2026, 3, 11))
    assert is_overdue(due, ActionStatus.IN_PROGRESS, date(2026, 3, 11))


def test_done_and_verified_actions_are_never_overdue() -> None:
    long_after = date(2027, 1, 1)
    assert not is_overdue(date(2026, 3, 10), ActionStatus.DONE, long_after)
    assert not is_overdue(date(2026, 3, 10), ActionStatus.VERIFIED, long_after)


# --- a correction re-syncs the audit's actions ------------------------------------------------

FAIL_A = FailedItem("a", False, 0.0)
FAIL_C = FailedItem("c", True, 0.0)


def test_a_correction_opens_new_failures_and_closes_fixed_open_ones() -> None:
    existing = [("a", "open"), ("b", ActionStatus.IN_PROGRESS)]
    assert sync_actions(existing, [FAIL_C, FAIL_A]) == ActionSync(create=(FAIL_C,), close=("b",))


def test_a_correction_leaves_still_failing_and_closed_actions_alone() -> None:
    existing = [("a", "in_progress"), ("b", "done"), ("d", "verified")]
    assert sync_actions(existing, [FAIL_A]) == ActionSync(create=(), close=())


def test_a_failure_with_any_action_for_the_audit_gets_no_second_one() -> None:
    existing = [("a", "done"), ("c", "verified")]
    assert sync_actions(existing, [FAIL_C, FAIL_A]) == ActionSync(create=(), close=())


def test_an_item_with_an_old_verified_and_a_newer_open_action_is_closed() -> None:
    existing = [("b", "verified"), ("b", "open")]
    assert sync_actions(existing, []) == ActionSync(create=(), close=("b",))


def test_no_actions_and_no_failures_change_nothing() -> None:
    assert sync_actions([], []) == ActionSync(create=(), close=())
    assert sync_actions([], [FAIL_C, FAIL_A]).create == (FAIL_C, FAIL_A)
