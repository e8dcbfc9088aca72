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
        ("s.tone", "2.5", "'2.5' is not an answer to 'Tone'"),
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
