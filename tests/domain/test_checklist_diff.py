"""The diff between two versions of a checklist names exactly what changed."""

from __future__ import annotations

import copy
from typing import Any

from audit_app.checklists import Catalogue, parse_checklist
from audit_app.domain.checklist import Checklist
from audit_app.domain.checklist_diff import Change, diff_checklists


def _next_version(checklist: Checklist, edit: Any) -> Checklist:
    data = copy.deepcopy(checklist.to_data())
    data["version"] = checklist.version + 1
    edit(data)
    return parse_checklist(data)


def _item(data: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(i for s in data["sections"] for i in s["items"] if i["id"] == item_id)


def test_identical_versions_have_no_difference(catalogue: Catalogue) -> None:
    phone = catalogue.get("greeting_phone")
    diff = diff_checklists(phone, _next_version(phone, lambda data: None))
    assert diff.empty and diff.changed_items == ()
    assert (diff.old_version, diff.new_version) == (1, 2)


def test_added_removed_and_changed_items_are_listed_exactly(catalogue: Catalogue) -> None:
    phone = catalogue.get("greeting_phone")
    first, second = phone.sections[0].items[0].id, phone.sections[0].items[1].id
    dropped = phone.sections[-1].items[-1].id

    def edit(data: dict[str, Any]) -> None:
        _item(data, first)["weight"] = 5
        _item(data, first)["text"]["ca"] = "Text nou"
        _item(data, second)["critical"] = not _item(data, second).get("critical", False)
        data["sections"][0]["items"].append(
            {"id": "answer.new", "type": "yes_no", "text": {"en": "A new question"}}
        )
        last = data["sections"][-1]["items"]
        last[:] = [i for i in last if i["id"] != dropped]

    diff = diff_checklists(phone, _next_version(phone, edit))
    assert diff.item_ids("added") == ("answer.new",)
    assert diff.item_ids("removed") == (dropped,)
    assert diff.item_ids("changed") == (first, second)
    assert set(diff.changed_items) == {first, second, "answer.new", dropped}
    fields = {(c.id, c.field): (c.before, c.after) for c in diff.changes if c.kind == "changed"}
    assert fields[(first, "weight")][1] == "5"
    assert fields[(first, "text (ca)")][1] == "Text nou"
    assert (first, "text (en)") not in fields  # the English text did not change
    assert fields[(second, "critical")] in {("yes", "no"), ("no", "yes")}


def test_a_type_change_and_a_move_between_sections(catalogue: Catalogue) -> None:
    phone = catalogue.get("greeting_phone")
    target = next(i for i in phone.items if i.type == "yes_no")
    other = next(s for s in phone.sections if s.id != phone.section_of[target.id])

    def edit(data: dict[str, Any]) -> None:
        for section in data["sections"]:
            section["items"] = [i for i in section["items"] if i["id"] != target.id]
        moved = target.model_dump(mode="json", exclude_none=True)
        moved.update(type="scale", min=1, max=5)
        next(s for s in data["sections"] if s["id"] == other.id)["items"].append(moved)
        data["sections"] = [s for s in data["sections"] if s["items"]]

    diff = diff_checklists(phone, _next_version(phone, edit))
    changes = [c for c in diff.changes if c.id == target.id]
    assert Change("item", "moved", target.id, "section", phone.section_of[target.id], other.id,
                  other.id) in changes  # fmt: skip
    by_field = {c.field: (c.before, c.after) for c in changes if c.kind == "changed"}
    assert by_field["type"] == ("yes_no", "scale")
    assert by_field["max"] == (None, "5")
    assert diff.changed_items == (target.id,)


def test_a_section_moved_is_one_move_not_many(catalogue: Catalogue) -> None:
    phone = catalogue.get("greeting_phone")
    assert len(phone.sections) >= 3
    last = phone.sections[-1].id

    def edit(data: dict[str, Any]) -> None:
        data["sections"].insert(0, data["sections"].pop())
        data["pass_mark"] = 80

    diff = diff_checklists(phone, _next_version(phone, edit))
    moves = [c for c in diff.changes if c.kind == "moved"]
    assert moves == [Change("section", "moved", last, "position", str(len(phone.sections)), "1")]
    assert diff.changed_items == ()
    rule = next(c for c in diff.changes if c.level == "checklist")
    assert (rule.field, rule.before, rule.after) == ("pass mark", "75", "80")


def test_items_reordered_inside_a_section(catalogue: Catalogue) -> None:
    phone = catalogue.get("greeting_phone")
    index = next(n for n, s in enumerate(phone.sections) if len(s.items) >= 3)
    items = phone.sections[index].items

    def edit(data: dict[str, Any]) -> None:
        section = data["sections"][index]["items"]
        section.append(section.pop(0))

    diff = diff_checklists(phone, _next_version(phone, edit))
    assert diff.item_ids("moved") == (items[0].id,)
    move = diff.changes[0]
    assert (move.before, move.after) == ("1", str(len(items)))
