"""The wizard's look at the cells, not only the header: answer words the built-in lists do
not know (``Met``, ``Not met``), and audit kinds and channels not written as ours
(``Routine Inspection``). Each known one becomes a draft map entry for a person to read
(``answers.map``, ``kinds``, ``channels``); the rest are listed as words to map by hand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from audit_app.domain.answers import InvalidAnswer, parse_answer
from audit_app.domain.audit import AuditKind, Channel
from audit_app.domain.checklist import Checklist, YesNoItem
from audit_app.domain.intake.vocabulary import fold, normalise

ANSWER_GUESSES = {
    "fail": "no",
    "failed": "no",
    "not met": "no",
    "non compliant": "no",
    "non-compliant": "no",
    "pass": "yes",
    "passed": "yes",
    "met": "yes",
    "compliant": "yes",
    "ok": "yes",
}
"""Words agencies write for a Yes or a No, proposed (never applied unseen) as answers.map."""

KIND_WORDS = {
    "inspection": AuditKind.INSPECTION,
    "mystery": AuditKind.MYSTERY_SHOP,
    "self": AuditKind.SELF_ASSESSMENT,
    "follow": AuditKind.FOLLOW_UP,
    "revisit": AuditKind.FOLLOW_UP,
}
CHANNEL_WORDS = {
    "phone": Channel.PHONE,
    "call": Channel.PHONE,
    "telephone": Channel.PHONE,
    "email": Channel.EMAIL,
    "mail": Channel.EMAIL,
    "web": Channel.WEB_FORM,
    "form": Channel.WEB_FORM,
    "social": Channel.SOCIAL_MEDIA,
    "review": Channel.REVIEW_SITE,
    "walk": Channel.IN_PERSON,
    "person": Channel.IN_PERSON,
    "store": Channel.IN_PERSON,
    "visit": Channel.IN_PERSON,
    "site": Channel.ON_SITE,
}


@dataclass
class WordDraft:
    """What the wizard proposes for the file's words, and what it leaves to a person."""

    answers: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)
    guessed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def draft_words(
    checklist: Checklist,
    answer_cells: Iterable[tuple[str, Any]],
    kind_cells: Sequence[Any],
    channel_cells: Sequence[Any],
) -> WordDraft:
    """``answer_cells``: (item id, raw cell) of the answer columns; the kind and channel
    columns' cells."""
    draft = WordDraft()
    items = checklist.items_by_id
    seen: set[str] = set()
    for item_id, raw in answer_cells:
        item = items.get(item_id)
        if not isinstance(item, YesNoItem) or not isinstance(raw, str) or not raw.strip():
            continue
        word = raw.strip()
        if fold(word) in seen:
            continue
        seen.add(fold(word))
        value, _ = normalise(item, word)
        try:
            parse_answer(item, value)
            continue
        except InvalidAnswer:
            pass
        meaning = ANSWER_GUESSES.get(fold(word))
        if meaning is None:
            draft.unknown.append(f"answer '{word}' (map it under answers.map)")
        else:
            draft.answers[word] = meaning
            draft.guessed.append(f"answer '{word}' -> {meaning} (answers.map)")
    _enums(kind_cells, AuditKind, KIND_WORDS, draft.kinds, draft, "kinds", "audit kind")
    _enums(channel_cells, Channel, CHANNEL_WORDS, draft.channels, draft, "channels", "channel")
    return draft


def _enums(
    cells: Sequence[Any],
    kind: type[AuditKind] | type[Channel],
    words: dict[str, AuditKind] | dict[str, Channel],
    target: dict[str, str],
    draft: WordDraft,
    section: str,
    label: str,
) -> None:
    allowed = {member.value for member in kind}
    for raw in dict.fromkeys(str(c).strip() for c in cells if isinstance(c, str) and c.strip()):
        if raw.lower().replace(" ", "_").replace("-", "_") in allowed:
            continue
        tokens = fold(raw).replace("-", " ").split()
        found = next((words[t].value for t in tokens if t in words), None)
        if found is None:
            draft.unknown.append(f"{label} '{raw}' (map it under {section}:)")
        else:
            target[raw] = found
            draft.guessed.append(f"{label} '{raw}' -> {found} ({section})")
