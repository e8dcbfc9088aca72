"""Skip logic: which items a set of answers leaves out (``applies_if`` on items and sections).

An item whose condition fails (the other item's answer is not one of the values, or it is
N/A, blank, or itself left out) is *not applicable*: a blank answer to it is never missing,
and an answer given anyway is kept but not scored. One function decides it for scoring,
the answer checks, imports and the form, so that they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping

from audit_app.domain.audit import Answer, AnswerValue
from audit_app.domain.checklist import Checklist, ChoiceItem, Condition, Item, localized
from audit_app.i18n import _


def answer_text(value: AnswerValue) -> str | None:
    """An answer's value as a condition names it: ``yes``/``no``, an option value, ``4``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def holds(condition: Condition, answer: Answer | None) -> bool:
    """Whether the answer meets the condition; N/A and blank never do."""
    if answer is None or answer.na:
        return False
    return answer_text(answer.value) in condition.values


def not_applicable(checklist: Checklist, answers: Mapping[str, Answer]) -> frozenset[str]:
    """The ids of the items these answers leave out, in one pass (conditions name earlier
    items, so an item left out leaves out what depends on it)."""
    if not checklist.has_conditions:
        return frozenset()
    left_out: set[str] = set()

    def applies(condition: Condition | None) -> bool:
        if condition is None:
            return True
        if condition.item in left_out:
            return False
        return holds(condition, answers.get(condition.item))

    for section in checklist.sections:
        section_applies = applies(section.applies_if)
        for item in section.items:
            if not section_applies or not applies(item.applies_if):
                left_out.add(item.id)
    return frozenset(left_out)


def condition_text(
    checklist: Checklist,
    condition: Condition,
    language: str | None = None,
    *,
    question_chars: int | None = None,
) -> str:
    """``Only if "Was the fitting room checked?" is Yes`` in the checklist's words: the
    question (cut to ``question_chars`` where space is short) and the answers as people
    read them (option labels, Yes/No)."""
    item = checklist.items_by_id[condition.item]
    question = localized(item.text, language, checklist.language)
    if question_chars is not None and len(question) > question_chars:
        question = question[: question_chars - 1] + "…"
    names = answer_names(checklist, item, language)
    shown = [names.get(value, value) for value in condition.values]
    if len(shown) == 1:
        return _('Only if "{question}" is {answer}').format(question=question, answer=shown[0])
    return _('Only if "{question}" is one of {answers}').format(
        question=question, answers=", ".join(shown)
    )


def answer_names(checklist: Checklist, item: Item, language: str | None = None) -> dict[str, str]:
    """Stored answer value -> the words people read for it."""
    if isinstance(item, ChoiceItem):
        return {o.value: o.label_in(language, checklist.language) for o in item.options}
    return {"yes": _("Yes"), "no": _("No")}
