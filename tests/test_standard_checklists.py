"""The standard checklists in checklists/: valid, complete, and carrying measurable targets."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from audit_app.checklists import Catalogue, dump_checklist, load_checklist, parse_checklist
from audit_app.domain.checklist import NumberItem, PercentageItem

REPO = Path(__file__).resolve().parent.parent
FILES = sorted((REPO / "checklists").glob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_file_loads_and_round_trips(path: Path) -> None:
    checklist = load_checklist(path)
    assert path.name == f"{checklist.id}.v{checklist.version}.yaml"
    assert parse_checklist(yaml.safe_load(dump_checklist(checklist))) == checklist


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_item_has_guidance_and_every_measure_a_target(path: Path) -> None:
    checklist = load_checklist(path)
    for item in checklist.items:
        assert item.guidance, f"{item.id} has no guidance"
        if isinstance(item, NumberItem | PercentageItem):
            assert item.target is not None and item.direction


def test_the_set_covers_the_domain_with_at_least_40_items(catalogue: Catalogue) -> None:
    ids = {c.id for c in catalogue}
    assert {
        "greeting_in_person",
        "greeting_phone",
        "greeting_email",
        "greeting_social",
        "returns",
        "complaints",
        "sourcing",
        "charter",
    } <= ids
    assert sum(len(c.items) for c in catalogue) >= 40


def _measure(catalogue: Catalogue, checklist_id: str, word: str) -> NumberItem | PercentageItem:
    found = [
        item
        for item in catalogue.get(checklist_id).items
        if isinstance(item, NumberItem | PercentageItem) and word in item.id
    ]
    assert len(found) == 1, [i.id for i in found]
    return found[0]


def test_measurable_standards_carry_their_numbers(catalogue: Catalogue) -> None:
    organic = _measure(catalogue, "sourcing", "organic_fresh")
    assert (organic.type, organic.target, organic.direction) == ("percentage", 90, "at_least")
    assert organic.zero_at is not None and organic.zero_at < 90  # linear partial credit
    preservative_free = _measure(catalogue, "sourcing", "preservative")
    assert (preservative_free.target, preservative_free.direction) == (100, "at_least")
    assert preservative_free.zero_at is not None
    rings = _measure(catalogue, "greeting_phone", "rings")
    assert (rings.target, rings.direction) == (3, "at_most")
    email_hours = _measure(catalogue, "greeting_email", "hours")
    assert email_hours.direction == "at_most" and email_hours.target <= 24
    review_hours = _measure(catalogue, "greeting_social", "hours")
    assert review_hours.direction == "at_most"


def test_the_three_part_phone_greeting_is_critical(catalogue: Catalogue) -> None:
    phone = catalogue.get("greeting_phone")
    greeting = [item for item in phone.items if item.critical]
    assert greeting and "name" in greeting[0].text["en"].lower()
    voicemail = [item for item in phone.items if "voicemail" in item.id]
    assert voicemail and all(item.na_allowed for item in voicemail)


def test_the_complaints_checklist_walks_the_five_as(catalogue: Catalogue) -> None:
    sections = {section.id for section in catalogue.get("complaints").sections}
    assert {"acknowledge", "assess", "advise", "assist", "appreciate"} <= sections
    assert {"escalation", "follow_up"} <= sections
