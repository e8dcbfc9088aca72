"""The checklist schema: what a valid file is, and where a broken one is broken."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from audit_app.checklists import (
    ChecklistFileError,
    dump_checklist,
    format_location,
    parse_checklist,
)
from audit_app.domain.checklist import Checklist

BASE: dict[str, Any] = {
    "id": "greeting",
    "version": 1,
    "title": {"en": "Greeting", "ca": "Salutació"},
    "languages": ["en", "ca"],
    "critical_rule": {"cap": 59},
    "sections": [
        {
            "id": "phone",
            "title": {"en": "Telephone"},
            "items": [
                {
                    "id": "phone.rings",
                    "type": "number",
                    "text": {"en": "Rings"},
                    "target": 3,
                    "direction": "at_most",
                    "zero_at": 8,
                    "weight": 2,
                },
                {
                    "id": "phone.greeting",
                    "type": "yes_no",
                    "critical": True,
                    "text": {"en": "Three-part greeting"},
                },
                {
                    "id": "phone.hold",
                    "type": "choice",
                    "text": {"en": "Put on hold"},
                    "options": [
                        {"value": "never", "points": 1},
                        {"value": "without_asking", "points": 0},
                    ],
                },
            ],
        },
        {
            "id": "close",
            "title": {"en": "Close"},
            "items": [
                {"id": "close.tone", "type": "scale", "text": {"en": "Tone"}},
                {"id": "close.notes", "type": "text", "text": {"en": "Notes"}},
            ],
        },
    ],
}


def broken(change: Any) -> ChecklistFileError:
    data = copy.deepcopy(BASE)
    change(data)
    with pytest.raises(ChecklistFileError) as caught:
        parse_checklist(data, "broken.v1.yaml")
    return caught.value


def only_problem(error: ChecklistFileError) -> tuple[str, str]:
    assert len(error.problems) == 1, error.problems
    return error.problems[0].location, error.problems[0].reason


def test_the_base_example_is_valid_and_round_trips() -> None:
    checklist = parse_checklist(copy.deepcopy(BASE))
    assert checklist.critical_rule.kind == "cap" and checklist.critical_rule.cap == 59
    again = parse_checklist(__import__("yaml").safe_load(dump_checklist(checklist)))
    assert again == checklist
    assert again.content_hash == checklist.content_hash


def test_the_content_hash_follows_the_content() -> None:
    first = parse_checklist(copy.deepcopy(BASE))
    data = copy.deepcopy(BASE)
    data["sections"][0]["items"][0]["target"] = 4
    assert parse_checklist(data).content_hash != first.content_hash


@pytest.mark.parametrize(
    ("change", "location", "reason_part"),
    [
        (
            lambda d: d["sections"][0]["items"][0].update(zero_at=2),
            "sections[0].items[0].zero_at",
            "must be above target",
        ),
        (
            lambda d: d["sections"][0]["items"][0].pop("target"),
            "sections[0].items[0].target",
            "is required",
        ),
        (
            lambda d: d["sections"][0]["items"][1].update(wieght=2),
            "sections[0].items[1].wieght",
            "not a known field",
        ),
        (
            lambda d: d["sections"][0]["items"][2].update(type="dropdown"),
            "sections[0].items[2]",
            "unknown item type 'dropdown'",
        ),
        (
            lambda d: d["sections"][1]["items"][0].update(min=5, max=5),
            "sections[1].items[0].max",
            "greater than min",
        ),
        (
            lambda d: d["sections"][0]["items"][2]["options"][0].update(points=1.5),
            "sections[0].items[2].options[0].points",
            "less than or equal to 1",
        ),
        (
            lambda d: d["sections"][0].update(weight=2),
            "sections[1].weight",
            "every section has a weight, or none has",
        ),
        (
            lambda d: d["sections"][1]["items"][0].update(id="phone.rings"),
            "sections[1].items[0].id",
            "already used at sections[0].items[0]",
        ),
        (
            lambda d: d["sections"][1]["items"][1].update(critical=True),
            "sections[1].items[1].critical",
            "unscored item cannot be critical",
        ),
        (
            lambda d: d["sections"][1]["items"][0].update(text={"ca": "To"}),
            "sections[1].items[0].text",
            "no text in 'en'",
        ),
        (lambda d: d.update(critical_rule="half"), "critical_rule.kind", "'flag', 'zero' or 'cap'"),
        (
            lambda d: d.update(grades=[{"min": 50, "label": "Pass"}, {"min": 90, "label": "Top"}]),
            "grades",
            "highest minimum first",
        ),
        (
            lambda d: d.update(grades=[{"min": 50, "label": "Pass"}]),
            "grades[0].min",
            "must start at 0",
        ),
        (
            lambda d: d["sections"][0]["items"][2]["options"][0].update(points=0.5),
            "sections[0].items[2].options",
            "no option scores full points",
        ),
        (lambda d: d.update(channel="socialmedia"), "channel", "Input should be"),
        (lambda d: d.update(version=0), "version", "greater than or equal to 1"),
    ],
)
def test_a_broken_checklist_names_the_place_and_the_reason(
    change: Any, location: str, reason_part: str
) -> None:
    where, reason = only_problem(broken(change))
    assert where == location
    assert reason_part in reason


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    def two_faults(data: dict[str, Any]) -> None:
        data["sections"][0]["items"][0]["zero_at"] = 1
        data["sections"][1]["items"][0]["colour"] = "red"

    error = broken(two_faults)
    assert {p.location for p in error.problems} == {
        "sections[0].items[0].zero_at",
        "sections[1].items[0].colour",
    }
    assert str(error).startswith("broken.v1.yaml: ")


def test_the_discriminator_tag_is_dropped_from_locations() -> None:
    assert format_location(("sections", 2, "items", 4, "number", "target")) == (
        "sections[2].items[4].target"
    )
    assert format_location(("title", "en")) == "title.en"


def test_required_defaults_to_scored() -> None:
    checklist = Checklist.model_validate(copy.deepcopy(BASE))
    items = checklist.items_by_id
    assert items["phone.greeting"].is_required
    assert not items["close.notes"].is_required


def test_an_evidence_only_section_needs_no_weight_beside_weighted_ones() -> None:
    data = copy.deepcopy(BASE)
    data["sections"][0]["weight"] = 2
    data["sections"][1]["weight"] = 1
    data["sections"].append(
        {
            "id": "notes",
            "title": {"en": "Notes"},
            "items": [{"id": "notes.text", "type": "text", "text": {"en": "Notes"}}],
        }
    )
    checklist = parse_checklist(data)
    assert checklist.sections_weighted


def test_translations_leave_the_content_hash_alone_and_first_language_text_does_not() -> None:
    base = parse_checklist(copy.deepcopy(BASE))
    translated = copy.deepcopy(BASE)
    translated["sections"][0]["items"][1]["text"]["ca"] = "Salutació en tres parts"
    assert parse_checklist(translated).content_hash == base.content_hash
    reworded = copy.deepcopy(BASE)
    reworded["sections"][0]["items"][1]["text"]["en"] = "Greeting in two parts"
    assert parse_checklist(reworded).content_hash != base.content_hash
