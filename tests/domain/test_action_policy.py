"""The corrective-action policy (issue #19): which answers open an action, set per checklist
and per item, kept out of the content hash, and the issue's 78.5 phone visit."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from audit_app.checklists import ChecklistFileError, load_checklist, parse_checklist
from audit_app.domain.actions import action_threshold, due_days, failed_items, opens_action
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import DEFAULT_ACTION_POLICY, ActionPolicy, Checklist
from audit_app.domain.scoring import score_audit

CHECKLISTS = Path(__file__).resolve().parents[2] / "checklists"

STORED_HASHES = {
    "charter.v1.yaml": "49cd4757ad042d1e9775a08e51f74a541f57c10ee97a283e9dc985f805a64381",
    "complaints.v1.yaml": "fef0c4f3940fd9207aa4838a7ddd8ac51889c4311a429274cbf79cfbb608a12f",
    "greeting_email.v1.yaml": "7917c6102a469b3e9424157d30ca1566c4cc3a296093316c67e64e503f262e05",
    "greeting_in_person.v1.yaml": (
        "daedbbf1bbc8edb53989f15d7c2188249b91fd72e2895ee01e797abfa6c41bb2"
    ),
    "greeting_phone.v1.yaml": "61c5094a7b83e0886e28c966b0bd91db9f7cef46ac459320566de121a82306e6",
    "greeting_social.v1.yaml": "609172980aef6ef67f450cf12cd53934263aab370e68f63e5434dbfdeadb08c0",
    "returns.v1.yaml": "c5711b42fe276ef84f806878ee8b3ad536853034a9b671a07536964b3a4a94e4",
    "sourcing.v1.yaml": "35032b65be9c5507a0f7062288aa390d868364a2d8f9373ca2f4889ccacf04fd",
}
"""The hashes the standard checklists had before the policy existed (computed on main)."""

PHONE_VISIT = [
    Answer("answer.rings", 5),  # 0.6: five rings where three is the target
    Answer("answer.greeting", True),
    Answer("call.clear_speech", True),
    Answer("call.tone", 4),  # 0.75: tone 4 of 5
    Answer("call.hold", "never"),
    Answer("call.all_answered", False),  # a No: the real failure
    Answer("call.anything_else", True),
    Answer("voicemail.greeting_current", True),
    Answer("voicemail.return_hours", 6),  # 0.9: answered in 6 hours
]


def _phone_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CHECKLISTS / "greeting_phone.v1.yaml").read_text())
    return data


def test_the_stored_checklists_keep_their_hashes() -> None:
    found = {path.name: load_checklist(path).content_hash for path in CHECKLISTS.glob("*.yaml")}
    assert found == STORED_HASHES


def test_the_issue_phone_visit_opens_only_its_real_failure() -> None:
    checklist = parse_checklist(_phone_data())
    card = score_audit(checklist, PHONE_VISIT)
    assert (card.overall, card.passed) == (78.5, True)
    below_full = sorted(i for i, s in card.item_scores.items() if s is not None and s < 1)
    assert below_full == [
        "answer.rings",
        "call.all_answered",
        "call.tone",
        "voicemail.return_hours",
    ]
    answers = {a.item_id: a for a in PHONE_VISIT}
    assert [f.item_id for f in failed_items(checklist, card, answers)] == ["call.all_answered"]
    assert [f.item_id for f in failed_items(checklist, card)] == ["call.all_answered"]


def test_a_policy_and_item_rules_change_what_opens_but_not_the_hash() -> None:
    plain = parse_checklist(_phone_data())
    data = _phone_data()
    data["action_policy"] = {"opens_on": ["no"], "due_days": {"critical": 1, "other": 7}}
    data["sections"][0]["items"][0]["action"] = "always"  # rings: any shortfall
    data["sections"][1]["items"][1]["action"] = {"score_below": 0.8}  # tone: below 4 of 5
    data["sections"][1]["items"][3]["action"] = "never"  # all_answered: never
    strict = parse_checklist(data)
    assert strict.content_hash == plain.content_hash
    assert Checklist.model_validate(strict.to_data()) == strict
    card = score_audit(strict, PHONE_VISIT)
    assert [f.item_id for f in failed_items(strict, card)] == ["answer.rings", "call.tone"]
    assert (due_days(strict, True), due_days(strict, False)) == (1, 7)


def test_a_critical_item_below_full_marks_opens_under_the_default_only() -> None:
    data = _phone_data()
    data["sections"][0]["items"][0]["critical"] = True  # rings, partial credit 0.6
    checklist = parse_checklist(data)
    card = score_audit(checklist, PHONE_VISIT)
    assert [f.item_id for f in failed_items(checklist, card)] == [
        "answer.rings",
        "call.all_answered",
    ]
    data["action_policy"] = {"opens_on": ["no", "score_below"]}
    lenient = parse_checklist(data)
    assert [f.item_id for f in failed_items(lenient, score_audit(lenient, PHONE_VISIT))] == [
        "call.all_answered"
    ]


@pytest.mark.parametrize(
    ("extra", "where", "reason"),
    [
        (
            {"action_policy": {"opens_on": ["no", "sometimes"]}},
            "action_policy.opens_on",
            "'sometimes' is not a rule that opens an action (write no, critical_below_full "
            "or score_below)",
        ),
        (
            {"action_policy": {"score_below": 2}},
            "action_policy.score_below",
            "score_below needs a share of the item's points above 0 and at most 1 (e.g. 0.5 "
            "for half the points), not 2",
        ),
        (
            {"action_due_days": {"severe": 3}},
            "action_due_days.severe",
            "is not a known field (write critical and other)",
        ),
        (
            {"action_due_days": {"critical": -1}},
            "action_due_days.critical",
            "write a whole number of days from 0 to 365, not -1",
        ),
        (
            {"action_policy": {"due_days": {"other": 3}}, "action_due_days": {"other": 3}},
            "action_due_days",
            "the due days are written twice: keep them in action_policy.due_days and remove "
            "action_due_days (the older form)",
        ),
    ],
)
def test_policy_mistakes_are_worded_for_people(
    extra: dict[str, Any], where: str, reason: str
) -> None:
    with pytest.raises(ChecklistFileError) as raised:
        parse_checklist({**_phone_data(), **extra})
    assert [(p.location, p.reason) for p in raised.value.problems] == [(where, reason)]


def test_an_unknown_item_rule_is_named_at_the_item() -> None:
    data = _phone_data()
    data["sections"][1]["items"][1]["action"] = "sometimes"
    with pytest.raises(ChecklistFileError) as raised:
        parse_checklist(data)
    assert [(p.location, p.reason) for p in raised.value.problems] == [
        (
            "sections[1].items[1].action",
            "write always, never, policy or the item's own threshold, e.g. {score_below: 0.8}, "
            "not 'sometimes'",
        )
    ]


RULES = st.lists(st.sampled_from(["no", "critical_below_full", "score_below"]), unique=True)
ITEM_RULES = st.one_of(
    st.none(),
    st.sampled_from(["always", "never", "policy"]),
    st.builds(lambda t: {"score_below": t}, st.floats(0.05, 1.0)),
)


@given(
    rules=RULES,
    below=st.floats(0.05, 1.0),
    item_rule=ITEM_RULES,
    critical=st.booleans(),
    days=st.tuples(st.integers(0, 365), st.integers(0, 365)),
)
def test_any_policy_round_trips_and_keeps_the_hash(
    rules: list[str],
    below: float,
    item_rule: Any,
    critical: bool,
    days: tuple[int, int],
) -> None:
    data = copy.deepcopy(PHONE_DATA)
    data["action_policy"] = {
        "opens_on": rules,
        "score_below": below,
        "due_days": {"critical": days[0], "other": days[1]},
    }
    if item_rule is not None:
        data["sections"][1]["items"][1]["action"] = item_rule
    checklist = parse_checklist(data)
    assert Checklist.model_validate(checklist.to_data()) == checklist
    assert checklist.content_hash == STORED_HASHES["greeting_phone.v1.yaml"]
    tone = checklist.items_by_id["call.tone"]
    threshold = action_threshold(checklist.policy, tone)
    for score in (0.0, 0.25, 0.5, 0.75, 1.0):
        assert opens_action(checklist.policy, tone, score) == (score < min(threshold, 1.0))
    assert not opens_action(checklist.policy, tone, None)
    assert not opens_action(checklist.policy, tone, 1.0)


PHONE_DATA = _phone_data()


def test_the_default_policy_is_the_issue_rule() -> None:
    assert (
        ActionPolicy(opens_on=("no", "critical_below_full", "score_below"), score_below=0.5)
        == DEFAULT_ACTION_POLICY
    )
    checklist = parse_checklist(_phone_data())
    assert checklist.action_policy is None and checklist.policy == DEFAULT_ACTION_POLICY
    thresholds = {i.id: action_threshold(checklist.policy, i) for i in checklist.items}
    assert thresholds == {
        "answer.rings": 0.5,
        "answer.greeting": 1.0,
        "call.clear_speech": 1.0,
        "call.tone": 0.5,
        "call.hold": 0.5,
        "call.all_answered": 1.0,
        "call.anything_else": 1.0,
        "voicemail.greeting_current": 1.0,
        "voicemail.return_hours": 0.5,
    }


def test_a_no_opens_even_where_a_yes_no_item_scores_otherwise() -> None:
    checklist = parse_checklist(_phone_data())
    item = checklist.items_by_id["call.clear_speech"]
    assert opens_action(checklist.policy, item, 0.0, Answer(item.id, False))
    assert not opens_action(checklist.policy, item, 1.0, Answer(item.id, True))
    assert not opens_action(checklist.policy, item, 0.0, Answer(item.id, None, True))
