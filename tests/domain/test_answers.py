"""Reading what people type as answers, and the messages when it does not fit."""

from __future__ import annotations

import pytest

from audit_app.checklists import parse_checklist
from audit_app.domain.answers import InvalidAnswer, encode_value, parse_answer
from audit_app.domain.audit import Answer

CHECKLIST = parse_checklist(
    {
        "id": "t",
        "version": 1,
        "title": {"en": "T"},
        "languages": ["en"],
        "sections": [
            {
                "id": "s",
                "title": {"en": "S"},
                "items": [
                    {
                        "id": "s.greet",
                        "type": "yes_no",
                        "text": {"en": "Greeted within 10 seconds"},
                    },
                    {
                        "id": "s.vm",
                        "type": "yes_no",
                        "na_allowed": True,
                        "text": {"en": "Voicemail current"},
                    },
                    {"id": "s.tone", "type": "scale", "min": 1, "max": 5, "text": {"en": "Tone"}},
                    {
                        "id": "s.hold",
                        "type": "choice",
                        "text": {"en": "Hold"},
                        "options": [
                            {"value": "never", "points": 1, "label": {"en": "Never put on hold"}},
                            {"value": "without_asking", "points": 0},
                        ],
                    },
                    {
                        "id": "s.rings",
                        "type": "number",
                        "text": {"en": "Rings"},
                        "target": 3,
                        "direction": "at_most",
                        "min": 0,
                        "unit": "rings",
                    },
                    {
                        "id": "s.organic",
                        "type": "percentage",
                        "text": {"en": "Organic share"},
                        "target": 90,
                        "direction": "at_least",
                    },
                    {"id": "s.day", "type": "date", "text": {"en": "Day"}},
                    {"id": "s.notes", "type": "text", "text": {"en": "Notes"}},
                ],
            }
        ],
    }
)
ITEMS = CHECKLIST.items_by_id


@pytest.mark.parametrize(
    ("item_id", "raw", "value"),
    [
        ("s.greet", "Yes", True),
        ("s.greet", " no ", False),
        ("s.greet", True, True),
        ("s.greet", "Sí", True),
        ("s.greet", "hayır", False),
        ("s.greet", "DA", True),
        ("s.tone", "4", 4),
        ("s.tone", 2.0, 2),
        ("s.hold", "never", "never"),
        ("s.hold", "Never put on hold", "never"),
        ("s.hold", "Without asking", "without_asking"),
        ("s.rings", "3,5", 3.5),
        ("s.rings", 7, 7.0),
        ("s.organic", "92%", 92.0),
        ("s.organic", "88.5", 88.5),
        ("s.day", "2026-03-04", "2026-03-04"),
        ("s.notes", " fine ", "fine"),
    ],
)
def test_accepted_answers(item_id: str, raw: object, value: object) -> None:
    answer = parse_answer(ITEMS[item_id], raw)
    assert answer == Answer(item_id, value)
    assert type(answer.value) is type(value)


def test_blank_is_unanswered_and_na_is_na_where_allowed() -> None:
    assert parse_answer(ITEMS["s.greet"], "  ") == Answer("s.greet")
    assert parse_answer(ITEMS["s.vm"], "N/A", comment=" no voicemail ") == Answer(
        "s.vm", None, True, "no voicemail"
    )


@pytest.mark.parametrize(
    ("item_id", "raw", "message"),
    [
        (
            "s.greet",
            "Maybe",
            "'Maybe' is not an answer to 'Greeted within 10 seconds' (allowed: Yes, No)",
        ),
        ("s.greet", "na", "N/A is not allowed for 'Greeted within 10 seconds' (allowed: Yes, No)"),
        ("s.vm", "perhaps", "(allowed: Yes, No, N/A)"),
        ("s.tone", "6", "(allowed: a whole number from 1 to 5)"),
        ("s.tone", "2.5", "2.5 is not a whole number on a 1–5 scale: 'Tone'"),
        ("s.hold", "sometimes", "(allowed: Never put on hold, without_asking)"),
        ("s.rings", "-1", "(allowed: a number from 0 (rings))"),
        ("s.organic", "120", "(allowed: a percentage from 0 to 100)"),
        ("s.organic", "nan", "is not an answer"),
        ("s.day", "4 March", "(allowed: a date (YYYY-MM-DD))"),
    ],
)
def test_refused_answers_say_why_in_words(item_id: str, raw: str, message: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(ITEMS[item_id], raw)
    assert message in str(caught.value)
    assert caught.value.problem.item_id == item_id


@pytest.mark.parametrize(
    "answer",
    [
        Answer("s.greet", True),
        Answer("s.greet", False),
        Answer("s.tone", 3),
        Answer("s.hold", "never"),
        Answer("s.rings", 2.0),
        Answer("s.rings", 2.75),
        Answer("s.organic", 91.3),
        Answer("s.notes", "ok; fine, thanks"),
    ],
)
def test_stored_text_reads_back_to_the_same_answer(answer: Answer) -> None:
    stored = encode_value(answer)
    assert parse_answer(ITEMS[answer.item_id], stored) == answer


ROOMS = parse_checklist(
    {
        "id": "rooms",
        "version": 1,
        "title": {"en": "R"},
        "languages": ["en"],
        "sections": [
            {
                "id": "s",
                "title": {"en": "S"},
                "items": [
                    {
                        "id": "s.queue",
                        "type": "number",
                        "text": {"en": "People waiting"},
                        "target": 3,
                        "direction": "at_most",
                        "min": 0,
                        "max": 40,
                    },
                ],
            }
        ],
    }
).items_by_id


@pytest.mark.parametrize(
    ("item_id", "raw", "message"),
    [
        # a number cell from Excel (7.0) reads as people typed it
        ("s.tone", 7.0, "7 is above the scale's 5: 'Tone' (allowed: a whole number from 1 to 5)"),
        ("s.tone", "7", "7 is above the scale's 5: 'Tone'"),
        ("s.tone", 0, "0 is below the scale's 1: 'Tone'"),
        ("s.tone", 3.5, "3.5 is not a whole number on a 1–5 scale: 'Tone'"),
        ("s.organic", 120.0, "120 is over 100%: 'Organic share'"),
        ("s.organic", "-5", "-5 is below 0%: 'Organic share'"),
        ("s.rings", -1.0, "-1 is below the minimum of 0: 'Rings'"),
        ("s.day", "4 March", "'4 March' is not a date: 'Day' (allowed: a date (YYYY-MM-DD))"),
        ("s.hold", 7, "'7' is not an answer to 'Hold'"),
    ],
)
def test_value_errors_are_said_in_the_users_terms(item_id: str, raw: object, message: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(ITEMS[item_id], raw)
    assert str(caught.value).startswith(message)
    assert "7.0" not in str(caught.value)
    assert caught.value.problem.kind == "invalid"


def test_a_number_above_its_maximum_names_the_maximum() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(ROOMS["s.queue"], 41.0)
    assert str(caught.value) == (
        "41 is above the maximum of 40: 'People waiting' (allowed: a number from 0 to 40)"
    )


def test_numbers_in_value_errors_follow_the_locale() -> None:
    from audit_app.i18n import use_language

    with use_language("ca"), pytest.raises(InvalidAnswer) as caught:
        parse_answer(ITEMS["s.tone"], 3.5)
    assert str(caught.value).startswith("3,5 ")
