"""Skip logic (``applies_if``), unscored questions (weight 0) and long option labels: what a
valid checklist is, where a broken one is broken, and the scores they give, each compared
whole with figures worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.checklists import ChecklistFileError, dump_checklist, parse_checklist
from audit_app.domain.answers import AnswersRejected, parse_answer
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import score_audit
from audit_app.domain.skip_logic import condition_text, not_applicable
from tests.domain.checklist_programme import LONG_ASKED, LONG_ASKED_CA, programme


def load(data: dict[str, Any] | None = None) -> Checklist:
    return parse_checklist(data or programme(), "fitting.v1.yaml")


def test_the_programme_is_valid_and_round_trips_in_its_normal_form() -> None:
    checklist = load()
    dumped = yaml.safe_load(dump_checklist(checklist))
    assert dumped["sections"][0]["items"][2]["applies_if"] == {"item": "floor.open", "in": ["yes"]}
    assert dumped["sections"][1]["applies_if"] == {"item": "floor.open", "in": ["yes"]}
    assert dumped["sections"][0]["items"][3]["weight"] == 0
    again = parse_checklist(dumped)
    assert again == checklist and again.content_hash == checklist.content_hash
    info = checklist.items_by_id["floor.info"]
    assert (info.scored, info.unscored_question, info.is_required) == (False, True, False)


def test_a_condition_reads_as_a_sentence() -> None:
    checklist = load()
    till = checklist.sections[1].applies_if
    tone = checklist.items_by_id["floor.tone"].applies_if
    assert till is not None and tone is not None
    assert condition_text(checklist, till) == 'Only if "Were the fitting rooms open?" is Yes'
    assert condition_text(checklist, tone, question_chars=10) == (
        f'Only if "How was t…" is one of {LONG_ASKED}, Only when asked'
    )


def _broken(change: Any) -> tuple[str, str]:
    data = programme()
    change(data)
    with pytest.raises(ChecklistFileError) as caught:
        parse_checklist(data, "fitting.v1.yaml")
    problems = caught.value.problems
    assert len(problems) == 1, problems
    return problems[0].location, problems[0].reason


def _item(data: dict[str, Any], s: int, i: int) -> dict[str, Any]:
    item: dict[str, Any] = data["sections"][s]["items"][i]
    return item


@pytest.mark.parametrize(
    ("change", "location", "reason"),
    [
        (
            lambda d: _item(d, 0, 2).update(applies_if={"item": "floor.gone", "equals": "yes"}),
            "sections[0].items[2].applies_if.item",
            "there is no item 'floor.gone' in this checklist",
        ),
        (
            lambda d: _item(d, 0, 2).update(applies_if={"item": "floor.tone", "equals": 3}),
            "sections[0].items[2].applies_if.item",
            "item 'floor.tone' comes later; a condition names an item asked before it",
        ),
        (
            lambda d: _item(d, 0, 2).update(applies_if={"item": "floor.clean", "equals": "yes"}),
            "sections[0].items[2].applies_if.item",
            "an item cannot depend on itself",
        ),
        (
            lambda d: d["sections"][1].update(applies_if={"item": "till.queue", "equals": "yes"}),
            "sections[1].applies_if.item",
            "item 'till.queue' comes later; a condition names an item asked before it",
        ),
        (
            lambda d: _item(d, 0, 4).update(applies_if={"item": "floor.fitting", "in": ["maybe"]}),
            "sections[0].items[4].applies_if.in[0]",
            "'maybe' is not an answer of item 'floor.fitting' (write one of: asked, partly, "
            "not_asked)",
        ),
        (
            lambda d: _item(d, 1, 0).update(applies_if={"item": "floor.tone", "in": [4, 6]}),
            "sections[1].items[0].applies_if.in[1]",
            "'6' is not an answer of item 'floor.tone' (write one of: 1, 2, 3, 4, 5)",
        ),
        (
            lambda d: _item(d, 0, 2).update(applies_if={"item": "floor.open", "equals": "maybe"}),
            "sections[0].items[2].applies_if.in[0]",
            "'maybe' is not an answer of item 'floor.open' (write one of: yes, no)",
        ),
        (
            lambda d: _item(d, 0, 2).update(
                applies_if={"item": "floor.open", "equals": "yes", "in": ["no"]}
            ),
            "sections[0].items[2].applies_if",
            "write either in: [VALUES] or equals: VALUE",
        ),
        (
            lambda d: _item(d, 0, 2).update(applies_if={"item": "floor.open", "is": "yes"}),
            "sections[0].items[2].applies_if",
            "'is' is not a known field (write item and in)",
        ),
        (
            lambda d: _item(d, 0, 1)["options"][0]["label"].update(en="z" * 501),
            "sections[0].items[1].options[0].label",
            "the 'en' label has 501 characters (at most 500)",
        ),
        (
            lambda d: _item(d, 0, 1)["options"][1]["label"].update(en=" not  AT all "),
            "sections[0].items[1].options",
            "the label 'Not at all' of option 'not_asked' is also option 'partly''s value "
            "or label: an answer must name one option",
        ),
        (
            lambda d: _item(d, 0, 3).update(critical=True),
            "sections[0].items[3].critical",
            "an item of weight 0 counts nowhere, so it cannot be critical",
        ),
        (
            lambda d: [item.update(weight=0) for item in d["sections"][1]["items"]],
            "sections[1].items",
            "every question of this section has weight 0: nothing to score (give one a weight "
            "above 0, or move them to a scored section)",
        ),
        (
            lambda d: [section.update(weight=0) for section in d["sections"]],
            "sections",
            "every section has weight 0: nothing to score",
        ),
    ],
)
def test_a_broken_condition_or_weight_is_named_at_its_place(
    change: Any, location: str, reason: str
) -> None:
    assert _broken(change) == (location, reason)


def test_a_condition_on_a_text_item_is_refused() -> None:
    data = programme()
    data["sections"][0]["items"].insert(
        0, {"id": "floor.note", "type": "text", "text": {"en": "Note"}}
    )
    _item(data, 0, 3)["applies_if"] = {"item": "floor.note", "equals": "x"}
    assert _broken(lambda d: d.update(data)) == (
        "sections[0].items[3].applies_if.item",
        "item 'floor.note' is a text item; a condition names a yes_no, choice or scale item",
    )


def test_all_items_at_weight_0_leave_nothing_to_score() -> None:
    def zero(data: dict[str, Any]) -> None:
        for section in data["sections"]:
            for item in section["items"]:
                item["weight"] = 0

    location, reason = _broken(zero)
    assert location == "sections[0].items"  # the first place it shows
    assert "nothing to score" in reason


def answers(checklist: Checklist, written: dict[str, Any]) -> list[Answer]:
    """Answers as people write them (labels in any language, odd spacing), parsed."""
    items = checklist.items_by_id
    return [parse_answer(items[item_id], raw) for item_id, raw in written.items()]


CASES = [
    (
        "open, every question asked",
        {
            "floor.open": "yes",
            "floor.fitting": "  only WHEN   asked ",
            "floor.clean": "no",
            "floor.info": "In the store",
            "floor.tone": 4,
            "till.queue": "yes",
            "till.bag": "no",
        },
        # floor: open 1 + helped 0.5 + clean 0 + tone 0.75 = 2.25 of 4; till: 1 of 3
        (3.25 / 7, {"floor": 56.3, "till": 33.3}, "Needs improvement", False),
        {
            "floor.open": 1.0,
            "floor.fitting": 0.5,
            "floor.clean": 0.0,
            "floor.tone": 0.75,
            "till.queue": 1.0,
            "till.bag": 0.0,
        },
    ),
    (
        "closed: what depends on it is blank and counts nowhere",
        {"floor.open": "no", "floor.fitting": "Not at all"},
        (0.0, {"floor": 0.0, "till": None}, "Needs improvement", False),
        {
            "floor.open": 0.0,
            "floor.fitting": 0.0,
            "floor.clean": None,
            "floor.tone": None,
            "till.queue": None,
            "till.bag": None,
        },
    ),
    (
        "closed, answered anyway: kept, not scored",
        {
            "floor.open": "no",
            "floor.fitting": LONG_ASKED_CA.upper(),
            "floor.clean": "yes",
            "floor.tone": 5,
            "till.queue": "yes",
            "till.bag": "yes",
        },
        # floor: open 0 + helped 1 + tone 1 = 2 of 3
        (2 / 3, {"floor": 66.7, "till": None}, "Fair", False),
        {
            "floor.open": 0.0,
            "floor.fitting": 1.0,
            "floor.clean": None,
            "floor.tone": 1.0,
            "till.queue": None,
            "till.bag": None,
        },
    ),
    (
        "open is N/A: a condition on it fails",
        {"floor.open": "na", "floor.fitting": "asked", "floor.tone": 3},
        (0.75, {"floor": 75.0, "till": None}, "Good", True),
        {
            "floor.open": None,
            "floor.fitting": 1.0,
            "floor.clean": None,
            "floor.tone": 0.5,
            "till.queue": None,
            "till.bag": None,
        },
    ),
]


@pytest.mark.parametrize(
    ("written", "expected", "items"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_scores_with_skip_logic_and_unscored_questions(
    written: dict[str, Any],
    expected: tuple[float, dict[str, float | None], str, bool],
    items: dict[str, float | None],
) -> None:
    checklist = load()
    card = score_audit(checklist, answers(checklist, written))
    overall, sections, grade, passed = expected
    assert card.raw_overall == pytest.approx(100 * overall)
    assert card.to_dict() == {
        "overall": round(overall * 100 + 1e-9, 1),
        "grade": grade,
        "passed": passed,
        "critical_failure": False,
        "failed_critical_items": [],
        "sections": sections,
    }
    assert dict(card.item_scores) == items


def test_an_answer_kept_under_a_failed_condition_is_stored_as_given() -> None:
    checklist = load()
    given = answers(checklist, {"floor.open": "no", "floor.fitting": "asked", "floor.clean": "yes"})
    by_id = {a.item_id: a for a in given}
    assert not_applicable(checklist, by_id) == {"floor.clean", "till.queue", "till.bag"}
    assert by_id["floor.clean"] == Answer("floor.clean", True)


def test_a_question_asked_and_left_blank_is_missing() -> None:
    checklist = load()
    with pytest.raises(AnswersRejected) as caught:
        score_audit(checklist, answers(checklist, {"floor.open": "yes", "floor.fitting": "asked"}))
    assert caught.value.missing == ("floor.clean", "floor.tone", "till.queue", "till.bag")


def test_a_label_in_any_language_names_its_option() -> None:
    checklist = load()
    fitting = checklist.items_by_id["floor.fitting"]
    written = [LONG_ASKED, LONG_ASKED_CA, " ASKED ", "only when asked", "not asked", "Not_Asked"]
    assert [parse_answer(fitting, w).value for w in written] == [
        "asked",
        "asked",
        "asked",
        "partly",
        "not_asked",
        "not_asked",
    ]


def test_an_agency_file_may_write_a_label_with_its_points_and_any_spacing() -> None:
    from audit_app.domain.intake.vocabulary import normalise

    fitting = load().items_by_id["floor.fitting"]
    written = [
        f"{LONG_ASKED} (100.00)",
        "  " + LONG_ASKED.upper().replace(" ", "   "),
        "Only when asked (50)",
        "NOT AT ALL",
    ]
    assert [normalise(fitting, w)[0] for w in written] == [
        "asked",
        "asked",
        "partly",
        "not_asked",
    ]


def test_a_follow_up_asks_a_failed_conditional_item_without_its_condition() -> None:
    from audit_app.domain.followups import follow_up_checklist

    checklist = load()
    card = score_audit(
        checklist,
        answers(
            checklist,
            {
                "floor.open": "yes",
                "floor.fitting": "asked",
                "floor.clean": "no",
                "floor.tone": 5,
                "till.queue": "yes",
                "till.bag": "no",
            },
        ),
    )
    follow_up, failed = follow_up_checklist(checklist, card.item_scores)
    assert failed == ("floor.clean", "till.bag")
    again = score_audit(follow_up, answers(follow_up, {"floor.clean": "yes", "till.bag": "no"}))
    assert (again.item_scores, again.raw_overall) == (
        {"floor.clean": 1.0, "till.bag": 0.0},
        pytest.approx(100 / 3),
    )


PROGRAMME_CHECKLIST = load()
YES_NO = {"yes": 1.0, "no": 0.0}
HELPED = {"asked": 1.0, "partly": 0.5, "not_asked": 0.0}


def _reference(written: dict[str, Any]) -> tuple[float | None, float | None, float | None]:
    """(overall, floor, till) worked out from the programme's rules, apart from the code:
    pooled points; the clean question and the till only when open is yes; the tone only when
    the shopper was helped at all; the weight-0 question nowhere."""
    floor: list[tuple[float, float]] = []
    till: list[tuple[float, float]] = []
    is_open = written.get("floor.open") == "yes"
    if written.get("floor.open") in YES_NO:
        floor.append((1, YES_NO[written["floor.open"]]))
    if written.get("floor.fitting") in HELPED:
        floor.append((1, HELPED[written["floor.fitting"]]))
    if is_open and written.get("floor.clean") in YES_NO:
        floor.append((1, YES_NO[written["floor.clean"]]))
    if written.get("floor.fitting") in ("asked", "partly") and written.get("floor.tone"):
        floor.append((1, (written["floor.tone"] - 1) / 4))
    if is_open:
        for item_id, weight in (("till.queue", 1), ("till.bag", 2)):
            if written.get(item_id) in YES_NO:
                till.append((weight, YES_NO[written[item_id]]))

    def mean(pairs: list[tuple[float, float]]) -> float | None:
        total = sum(w for w, _ in pairs)
        return 100 * sum(w * s for w, s in pairs) / total if total else None

    both = floor + till
    return mean(both), mean(floor), mean(till)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            "floor.open": st.sampled_from(["yes", "no", "na", None]),
            "floor.fitting": st.sampled_from([*HELPED, None]),
            "floor.clean": st.sampled_from(["yes", "no", None]),
            "floor.info": st.sampled_from(["web", "store", None]),
            "floor.tone": st.sampled_from([1, 2, 3, 4, 5, None]),
            "till.queue": st.sampled_from(["yes", "no", None]),
            "till.bag": st.sampled_from(["yes", "no", None]),
        }
    )
)
def test_any_answers_score_as_the_rules_say(written: dict[str, Any]) -> None:
    from audit_app.domain.scoring import score_checked

    checklist = PROGRAMME_CHECKLIST
    given_answers = answers(checklist, {k: v for k, v in written.items() if v is not None})
    card = score_checked(checklist, given_answers)
    overall, floor, till = _reference(written)
    assert (card.raw_overall, card.section("floor").score, card.section("till").score) == (
        pytest.approx(overall),
        pytest.approx(floor),
        pytest.approx(till),
    )


def test_a_section_of_weight_0_keeps_its_score_out_of_the_overall() -> None:
    data = programme()
    data["sections"][0]["weight"] = 3
    data["sections"][1]["weight"] = 0
    checklist = load(data)
    written = {
        "floor.open": "yes",
        "floor.fitting": "asked",
        "floor.clean": "no",
        "floor.tone": 5,
        "till.queue": "yes",
        "till.bag": "yes",
    }
    card = score_audit(checklist, answers(checklist, written))
    assert [(s.section_id, s.score, s.weight) for s in card.sections] == [
        ("floor", pytest.approx(75.0), 3),
        ("till", pytest.approx(100.0), 0),
    ]
    assert card.raw_overall == pytest.approx(75.0)
