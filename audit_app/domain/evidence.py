"""Photo evidence: which answers must carry a photo, and what a photo reference looks like.

A failed answer is one that opens a corrective action (``domain.actions.opens_action``), so
"failed" means the same on the form, in the action list and in the reports' evidence counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from audit_app.domain.actions import opens_action
from audit_app.domain.answers import AnswerProblem, question
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import MAX_PHOTOS_PER_ANSWER, Checklist, Item, PhotoRule
from audit_app.domain.scoring import ScoreCard
from audit_app.i18n import _, formats, ngettext

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def photo_rule(checklist: Checklist, item: Item) -> PhotoRule:
    """The item's own rule, else the checklist's, else optional."""
    return item.photo_on_fail or checklist.photo_on_fail or "optional"


def failed(checklist: Checklist, item: Item, answer: Answer | None, score: float | None) -> bool:
    """Does this answer fail, as evidence counts it? The same test as a corrective action's."""
    return opens_action(checklist.policy, item, score, answer)


@dataclass(frozen=True)
class EvidenceCount:
    """For one item: how many answers failed, and how many of those carry a photo."""

    failures: int = 0
    with_photo: int = 0


def photo_problems(
    checklist: Checklist,
    answers: Mapping[str, Answer],
    card: ScoreCard | None,
) -> list[AnswerProblem]:
    """Photo references that are not photos, too many photos on one answer, and (with a
    score card, i.e. on submission) failed answers without the photo their rule requires."""
    problems: list[AnswerProblem] = []
    for item_id, answer in answers.items():
        if not answer.photos:
            continue
        if len(answer.photos) > MAX_PHOTOS_PER_ANSWER:
            problems.append(
                AnswerProblem(
                    item_id,
                    "too_many_photos",
                    _("{item}: {count} photos, at most {limit} per answer").format(
                        item=item_id, count=len(answer.photos), limit=MAX_PHOTOS_PER_ANSWER
                    ),
                )
            )
        if any(not SHA256.match(photo) for photo in answer.photos):
            problems.append(
                AnswerProblem(
                    item_id,
                    "bad_photo_reference",
                    _("{item}: a photo reference is not a stored photo").format(item=item_id),
                )
            )
    if card is None:
        return problems
    for item in checklist.items:
        given = answers.get(item.id)
        if photo_rule(checklist, item) != "required" or given is None or given.photos:
            continue
        if failed(checklist, item, given, card.item_scores.get(item.id)):
            problems.append(
                AnswerProblem(
                    item.id,
                    "photo_required",
                    _("a failed answer needs a photo: {item} '{question}'").format(
                        item=item.id, question=question(item)
                    ),
                )
            )
    return problems


def evidence_text(count: EvidenceCount) -> str:
    """ "12 failures, 7 with photos", in the current language."""
    return ngettext(
        "{failures} failure, {photos} with photos",
        "{failures} failures, {photos} with photos",
        count.failures,
    ).format(failures=formats.integer(count.failures), photos=formats.integer(count.with_photo))
