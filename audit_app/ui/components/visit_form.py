"""The answers part of a visit form: one widget per checklist item, grouped by section.

Every widget keeps its value under a session-state key made from the checklist version and
the item id (never the language), so switching the language, a refused submit or loading a
draft never loses what was typed; and every widget persists for the session (``PERSIST``),
so switching to another checklist or another page and back loses nothing either. The
translation between those widget values and typed ``Answer`` objects lives here too, as plain
functions over a mapping, so it can be tested without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, Protocol

import streamlit as st

from audit_app.domain.answers import InvalidAnswer, parse_answer, validate_answers
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import (
    Checklist,
    ChoiceItem,
    Item,
    NumberItem,
    PercentageItem,
    ScaleItem,
    Section,
    YesNoItem,
    localized,
)
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import ScoreCard
from audit_app.domain.skip_logic import condition_text, not_applicable

YES, NO, NA = "Yes", "No", "N/A"
PREFIX = "nv."
PERSIST: Literal["session"] = "session"
"""Streamlit drops the value of a widget it does not draw (another checklist's, or every one
of them while another page is open) unless the widget persists for the session."""


@dataclass(frozen=True)
class SubmittedVisit:
    """What the page shows after a submit. Defined here, not in the page script, because the
    script runs afresh on every rerun and would redefine (and so fail to recognise) it."""

    audit_id: int
    checklist_ref: str
    language: str
    card: ScoreCard
    branch: str


class WidgetState(Protocol):
    """Where the widgets keep their values: ``st.session_state``, or a dict in tests.

    Not ``Mapping[str, Any]``: the session state's keys are ``str | int``, and a mapping's
    key type must match exactly.
    """

    def get(self, key: str, /) -> Any: ...


class WritableWidgetState(WidgetState, Protocol):
    def __setitem__(self, key: str, value: Any, /) -> None: ...


# --------------------------------------------------------------------------- state keys


def value_key(checklist: Checklist, item_id: str) -> str:
    return f"{PREFIX}{checklist.id}@{checklist.version}.{item_id}"


def na_key(checklist: Checklist, item_id: str) -> str:
    return value_key(checklist, item_id) + ".na"


def comment_key(checklist: Checklist, item_id: str) -> str:
    return value_key(checklist, item_id) + ".comment"


def item_keys(checklist: Checklist) -> list[str]:
    """Every session-state key the form uses for this checklist version."""
    return [
        key(checklist, item.id)
        for item in checklist.items
        for key in (value_key, na_key, comment_key)
    ]


def _radio_item(item: Item) -> bool:
    return isinstance(item, YesNoItem | ScaleItem | ChoiceItem)


# --------------------------------------------------------------------------- state -> answers


def raw_value(checklist: Checklist, item: Item, state: WidgetState) -> Any:
    """What the widgets hold for ``item``: text, a number, a date, ``N/A`` or None."""
    if not _radio_item(item) and state.get(na_key(checklist, item.id)):
        return NA
    return state.get(value_key(checklist, item.id))


def is_answered(checklist: Checklist, item: Item, state: WidgetState) -> bool:
    raw = raw_value(checklist, item, state)
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


@dataclass(frozen=True)
class ReadAnswers:
    answers: tuple[Answer, ...]
    problems: tuple[str, ...]
    """Values that do not fit their item (the widgets mostly prevent these)."""


def read_answers(
    checklist: Checklist, state: WidgetState, language: str | None = None
) -> ReadAnswers:
    """The typed answers the widgets hold; unanswered items with a comment keep the comment."""
    answers: list[Answer] = []
    problems: list[str] = []
    for item in checklist.items:
        comment = state.get(comment_key(checklist, item.id))
        try:
            answer = parse_answer(
                item, raw_value(checklist, item, state), comment=comment, language=language
            )
        except InvalidAnswer as error:
            problems.append(str(error))
            continue
        if answer.answered or answer.comment:
            answers.append(answer)
    return ReadAnswers(tuple(answers), tuple(problems))


def missing_required(
    checklist: Checklist, answers: tuple[Answer, ...], language: str | None = None
) -> list[str]:
    """The required items left unanswered (the domain's rule), named as 'Section › question'
    for the auditor."""
    by_item = {answer.item_id: answer for answer in answers}
    missing = {p.item_id for p in validate_answers(checklist, by_item) if p.kind == "missing"}
    return [
        f"{localized(section.title, language, checklist.language)} › "
        f"{localized(item.text, language, checklist.language)}"
        for section in checklist.sections
        for item in section.items
        if item.id in missing
    ]


# --------------------------------------------------------------------------- answers -> state


def answers_to_state(
    checklist: Checklist, answers: tuple[Answer, ...], state: WritableWidgetState
) -> None:
    """Put stored answers (a draft's) into the widgets' keys; every other item is cleared."""
    clear_answers(checklist, state)
    items = checklist.items_by_id
    for answer in answers:
        item = items.get(answer.item_id)
        if item is None:
            continue
        if answer.comment:
            state[comment_key(checklist, item.id)] = answer.comment
        if answer.na:
            if _radio_item(item):
                state[value_key(checklist, item.id)] = NA
            else:
                state[na_key(checklist, item.id)] = True
            continue
        if answer.value is not None:
            state[value_key(checklist, item.id)] = _widget_value(item, answer.value)


def _widget_value(item: Item, value: Any) -> Any:
    if isinstance(item, YesNoItem):
        return YES if value else NO
    if isinstance(item, ScaleItem):
        return int(value)
    if isinstance(item, NumberItem | PercentageItem):
        return float(value)
    if item.type == "date":
        return date.fromisoformat(str(value)[:10])
    return value


def clear_answers(checklist: Checklist, state: WritableWidgetState) -> None:
    """Empty every widget of this checklist version (after a submit, or before a draft loads).

    Radios, number and date inputs are emptied by setting None, text by "", checkboxes by
    False: deleting the keys would not reset widgets that are on the page right now.
    """
    for item in checklist.items:
        state[value_key(checklist, item.id)] = "" if _text_widget(item) else None
        state[comment_key(checklist, item.id)] = ""
        if not _radio_item(item) and item.na_allowed:
            state[na_key(checklist, item.id)] = False


def _text_widget(item: Item) -> bool:
    return item.type in ("text", "photo")


# --------------------------------------------------------------------------- widgets


def left_out(checklist: Checklist, state: WidgetState) -> frozenset[str]:
    """The items the answers given so far leave out (skip logic): not asked, never missing."""
    if not checklist.has_conditions:
        return frozenset()
    given = read_answers(checklist, state).answers
    return not_applicable(checklist, {answer.item_id: answer for answer in given})


def progress(checklist: Checklist, state: WidgetState) -> tuple[int, int]:
    """Required items answered, required items in all (of those the answers so far ask)."""
    skipped = left_out(checklist, state)
    required = [item for item in checklist.items if item.is_required and item.id not in skipped]
    return sum(is_answered(checklist, item, state) for item in required), len(required)


def answer_sections(checklist: Checklist, language: str | None) -> None:
    """Draw every section with its items; values go to session state under stable keys.
    Items and sections that skip logic leaves out are not drawn (a line says when they are
    asked); Streamlit reruns on every change, so they appear as soon as they apply."""
    skipped = left_out(checklist, st.session_state)
    for section in checklist.sections:
        _section(checklist, section, language, skipped)


def _section(
    checklist: Checklist, section: Section, language: str | None, skipped: frozenset[str]
) -> None:
    done = sum(is_answered(checklist, item, st.session_state) for item in section.items)
    with st.container(border=True):
        st.markdown(f"#### {markdown_text(localized(section.title, language, checklist.language))}")
        if section.applies_if is not None and all(i.id in skipped for i in section.items):
            st.caption(
                "Not asked for this visit. "
                + markdown_text(condition_text(checklist, section.applies_if, language))
            )
            return
        st.caption(f"Answered {done} of {len(section.items)}")
        for item in section.items:
            if item.id in skipped and item.applies_if is not None:
                question = markdown_text(localized(item.text, language, checklist.language))
                condition = markdown_text(condition_text(checklist, item.applies_if, language))
                st.caption(f"{question} — not asked for this visit. {condition}")
                continue
            _item(checklist, item, language)


def _item(checklist: Checklist, item: Item, language: str | None) -> None:
    # Widget labels and help texts are Markdown: the checklist's words are shown as written.
    text = markdown_text(localized(item.text, language, checklist.language))
    written = localized(item.guidance, language, checklist.language)
    guidance = markdown_text(written) if written else None
    main, side = st.columns([6, 1], vertical_alignment="bottom")
    with main:
        _answer_widget(checklist, item, text, guidance, language)
        notes = _notes(item)
        if notes:
            st.caption(" · ".join(notes))
    with side:
        key = comment_key(checklist, item.id)
        has_comment = bool(str(st.session_state.get(key) or "").strip())
        with st.popover(
            "Comment" if not has_comment else "Comment ✓",
            icon=":material/edit_note:",
            help="Add a note to this answer (optional)",
            key=f"popover.{key}",
        ):
            st.text_input(
                f"Comment on: {text}", key=key, persist_state=PERSIST, placeholder="Optional note"
            )


def _answer_widget(
    checklist: Checklist, item: Item, text: str, guidance: str | None, language: str | None
) -> None:
    key = value_key(checklist, item.id)
    na = [NA] if item.na_allowed else []
    if isinstance(item, YesNoItem):
        st.radio(
            text,
            [YES, NO, *na],
            index=None,
            key=key,
            persist_state=PERSIST,
            help=guidance,
            horizontal=True,
        )
    elif isinstance(item, ScaleItem):
        st.radio(
            text,
            [*range(item.min, item.max + 1), *na],
            index=None,
            key=key,
            persist_state=PERSIST,
            help=guidance,
            horizontal=True,
        )
    elif isinstance(item, ChoiceItem):
        labels = {
            o.value: localized(o.label, language, checklist.language) or o.value
            for o in item.options
        }
        st.radio(
            text,
            [*labels, *na],
            index=None,
            key=key,
            persist_state=PERSIST,
            help=guidance,
            horizontal=True,
            format_func=lambda value: markdown_text(labels.get(value, value)),
        )
    else:
        _input_widget(checklist, item, text, guidance)


def _input_widget(checklist: Checklist, item: Item, text: str, guidance: str | None) -> None:
    key = value_key(checklist, item.id)
    not_applicable = bool(item.na_allowed and st.session_state.get(na_key(checklist, item.id)))
    if item.na_allowed:
        left, right = st.columns([5, 1], vertical_alignment="bottom")
    else:
        left, right = st.container(), None
    with left:
        if isinstance(item, NumberItem | PercentageItem):
            low, high = _bounds(item)
            st.number_input(
                text,
                min_value=low,
                max_value=high,
                value=None,
                step=1.0,
                format="%g",
                key=key,
                persist_state=PERSIST,
                help=guidance,
                disabled=not_applicable,
                placeholder="Enter a number",
            )
        elif item.type == "date":
            st.date_input(
                text,
                value=None,
                key=key,
                persist_state=PERSIST,
                help=guidance,
                disabled=not_applicable,
            )
        elif item.type == "photo":
            st.text_input(
                text,
                key=key,
                persist_state=PERSIST,
                help=guidance,
                disabled=not_applicable,
                placeholder="Photo reference or link",
            )
        else:
            st.text_area(
                text,
                key=key,
                persist_state=PERSIST,
                help=guidance,
                disabled=not_applicable,
                height=80,
            )
    if right is not None:
        with right:
            st.checkbox(
                NA,
                key=na_key(checklist, item.id),
                persist_state=PERSIST,
                help=f"Not applicable: {text}",
            )


def _bounds(item: NumberItem | PercentageItem) -> tuple[float | None, float | None]:
    if isinstance(item, PercentageItem):
        return 0.0, 100.0
    low = None if item.min is None else float(item.min)
    high = None if item.max is None else float(item.max)
    return low, high


def _notes(item: Item) -> list[str]:
    """What the auditor should know beside the question: target, unit, critical, optional."""
    notes: list[str] = []
    if isinstance(item, NumberItem | PercentageItem):
        unit = (
            " %"
            if isinstance(item, PercentageItem)
            else f" {markdown_text(item.unit)}"
            if item.unit
            else ""
        )
        word = "at most" if item.direction == "at_most" else "at least"
        target = f"Target: {word} {item.target:g}{unit}"
        if item.zero_at is not None:
            target += f" (0 points at {item.zero_at:g}{unit})"
        notes.append(target)
    if item.unscored_question:
        notes.append("Unscored (weight 0)")
    if item.critical:
        notes.append(":red[Critical]")
    if not item.is_required:
        notes.append("Optional")
    return notes
