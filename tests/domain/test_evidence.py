"""Photo evidence rules (issue #20): which failed answers need a photo, what a photo
reference must look like, and that the rule is workflow, not part of the checklist's hash."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from audit_app.checklists import ChecklistFileError, parse_checklist
from audit_app.domain.answers import is_answered, validate_answers
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import MAX_PHOTOS_PER_ANSWER, Checklist, PhotoItem
from audit_app.domain.evidence import photo_problems, photo_rule
from audit_app.domain.scoring import score_audit
from tests.domain.test_action_policy import PHONE_VISIT, _phone_data

PHOTO = hashlib.sha256(b"a photo").hexdigest()


def _required(item_rule: str | None = None) -> Checklist:
    data: dict[str, Any] = _phone_data()
    data["photo_on_fail"] = "required"
    if item_rule is not None:
        data["sections"][1]["items"][3]["photo_on_fail"] = item_rule  # call.all_answered
    return parse_checklist(data)


def _problems(checklist: Checklist, answers: list[Answer], *, submitted: bool = True) -> list[str]:
    indexed = {a.item_id: a for a in answers}
    card = score_audit(checklist, indexed) if submitted else None
    return [f"{p.kind}:{p.item_id}" for p in photo_problems(checklist, indexed, card)]


def test_the_rule_is_workflow_and_leaves_the_hash_alone() -> None:
    plain = parse_checklist(_phone_data())
    strict = _required("optional")
    assert strict.content_hash == plain.content_hash
    assert Checklist.model_validate(strict.to_data()) == strict
    item = strict.items_by_id["call.all_answered"]
    assert photo_rule(strict, item) == "optional"
    assert photo_rule(strict, strict.items_by_id["call.tone"]) == "required"
    assert photo_rule(plain, item) == "optional"


def test_a_failed_answer_without_a_photo_is_refused_only_where_required() -> None:
    # call.all_answered is the visit's one failure (the corrective-action test): the tone
    # at 4 of 5 and five rings are short of full marks but open nothing, so need no photo.
    assert _problems(_required(), PHONE_VISIT) == ["photo_required:call.all_answered"]
    assert _problems(parse_checklist(_phone_data()), PHONE_VISIT) == []
    assert _problems(_required("optional"), PHONE_VISIT) == []


def test_a_photo_on_the_failed_answer_satisfies_the_rule() -> None:
    answers = [
        Answer(a.item_id, a.value, a.na, a.comment, (PHOTO,))
        if a.item_id == "call.all_answered"
        else a
        for a in PHONE_VISIT
    ]
    assert _problems(_required(), answers) == []


def test_a_draft_is_never_asked_for_the_photo_yet() -> None:
    assert _problems(_required(), PHONE_VISIT, submitted=False) == []


def test_only_an_item_can_require_on_its_own() -> None:
    data: dict[str, Any] = _phone_data()
    data["sections"][1]["items"][3]["photo_on_fail"] = "required"
    assert _problems(parse_checklist(data), PHONE_VISIT) == ["photo_required:call.all_answered"]


@pytest.mark.parametrize(
    ("photos", "kind"),
    [
        (("not-a-hash",), "bad_photo_reference"),
        ((PHOTO.upper(),), "bad_photo_reference"),
        ((PHOTO,) * (MAX_PHOTOS_PER_ANSWER + 1), "too_many_photos"),
    ],
)
def test_photo_references_are_checked(photos: tuple[str, ...], kind: str) -> None:
    answers = [Answer("call.tone", 5, photos=photos)]
    assert _problems(parse_checklist(_phone_data()), answers, submitted=False) == [
        f"{kind}:call.tone"
    ]


def test_a_photo_item_is_answered_by_its_photos_alone() -> None:
    photo_item = PhotoItem(id="shop.front", text={"en": "The shop front"}, type="photo")
    assert is_answered(photo_item, Answer("shop.front", photos=(PHOTO,)))
    assert not is_answered(photo_item, Answer("shop.front"))


def test_a_photo_answers_no_question_by_itself() -> None:
    """A yes/no question with a photo and no answer is unanswered: refused as missing, not
    stored with no score (found by the form's helper)."""
    checklist = parse_checklist(_phone_data())
    answers = {a.item_id: a for a in PHONE_VISIT}
    answers["call.all_answered"] = Answer("call.all_answered", photos=(PHOTO,))
    assert not answers["call.all_answered"].answered
    problems = validate_answers(checklist, answers)
    assert [(p.kind, p.item_id) for p in problems] == [("missing", "call.all_answered")]


def test_an_unknown_rule_is_refused_where_it_is_written() -> None:
    data: dict[str, Any] = _phone_data()
    data["photo_on_fail"] = "always"
    with pytest.raises(ChecklistFileError, match=r"photo_on_fail: .*required.*optional"):
        parse_checklist(data)
