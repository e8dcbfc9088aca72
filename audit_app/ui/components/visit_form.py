"""The answers part of a visit form: one widget per checklist item, grouped by section.

Every widget keeps its value under a session-state key made from the checklist version and
the item id (never the language), so switching the language, a refused submit or loading a
draft never loses what was typed; and every widget persists for the session (``PERSIST``),
so switching to another checklist or another page and back loses nothing either. The
translation between those widget values and typed ``Answer`` objects lives here too, as plain
functions over a mapping, so it can be tested without a browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
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
from audit_app.domain.evidence import photo_problems
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.scoring import ScoreCard, score_audit
from audit_app.domain.skip_logic import condition_text, not_applicable
from audit_app.i18n import N_, _, formats
from audit_app.services.context import AppContext
from audit_app.ui.components.photo_input import (
    photo_control,
    photo_rule_note,
    photos_of,
    set_photos,
)

YES, NO, NA = "Yes", "No", "N/A"
"""The widgets' stored values (the session state keeps them whatever the language); people
read them through :func:`option_label`, in the session's language."""
OPTION_WORDS = {YES: N_("Yes"), NO: N_("No"), NA: N_("N/A")}
UNITS = {
    "rings": N_("rings"),
    "seconds": N_("seconds"),
    "minutes": N_("minutes"),
    "hours": N_("hours"),
    "days": N_("days"),
}
"""Units the standard checklists measure in, in the reader's language; a checklist's unit is
a single word of data, so any other unit is shown as written."""
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


def photo_base(checklist: Checklist, item_id: str) -> str:
    """Where the item's photos live (``photo_input`` adds its own suffixes)."""
    return value_key(checklist, item_id)


def item_keys(checklist: Checklist) -> list[str]:
    """Every session-state key the form uses for this checklist version."""
    return [
        key(checklist, item.id)
        for item in checklist.items
        for key in (value_key, na_key, comment_key)
    ]


def option_label(value: Any) -> str:
    """A yes/no/N-A option as people read it (Sí/No in Catalan); other options as they are."""
    word = OPTION_WORDS.get(value) if isinstance(value, str) else None
    return _(word) if word is not None else str(value)


def marks_key(checklist: Checklist) -> str:
    """Where a refused submit leaves what to say at each question (item id -> message)."""
    return f"{PREFIX}{checklist.id}@{checklist.version}.marks"


def anchor(checklist: Checklist, item_id: str) -> str:
    """The HTML id of a question's mark, so a summary can link to it."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", f"q-{checklist.id}-{checklist.version}-{item_id}")


def missing_mark() -> str:
    return _("Answer this question to submit the visit.")


def photo_mark() -> str:
    return _("A failed answer needs a photo: add one to submit the visit.")


def mark_questions(
    checklist: Checklist, state: WritableWidgetState, marks: Mapping[str, str]
) -> None:
    """Remember what to say at each question after a refused submit (empty: nothing)."""
    state[marks_key(checklist)] = dict(marks)


def linked_summary(checklist: Checklist, marks: Mapping[str, str], language: str | None) -> str:
    """A Markdown list of the marked questions, each a link to its mark in the form."""
    names = {
        item.id: f"{localized(section.title, language, checklist.language)} › "
        f"{localized(item.text, language, checklist.language)}"
        for section in checklist.sections
        for item in section.items
    }
    lines = []
    for item_id, message in marks.items():
        line = f"- [{markdown_text(names.get(item_id, item_id))}](#{anchor(checklist, item_id)})"
        if message != missing_mark():  # a value that does not fit: say what is wrong
            line += f" — {markdown_text(message)}"
        lines.append(line)
    return "\n".join(lines)


def _radio_item(item: Item) -> bool:
    return isinstance(item, YesNoItem | ScaleItem | ChoiceItem)


# --------------------------------------------------------------------------- state -> answers


def raw_value(checklist: Checklist, item: Item, state: WidgetState) -> Any:
    """What the widgets hold for ``item``: text, a number, a date, ``N/A`` or None."""
    if not _radio_item(item) and state.get(na_key(checklist, item.id)):
        return NA
    return state.get(value_key(checklist, item.id))


def is_answered(checklist: Checklist, item: Item, state: WidgetState) -> bool:
    """A value, N/A, or (a photo item) a photo."""
    if item.type == "photo" and photos_of(photo_base(checklist, item.id), state):
        return True
    raw = raw_value(checklist, item, state)
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


@dataclass(frozen=True)
class ReadAnswers:
    answers: tuple[Answer, ...]
    problems: tuple[str, ...]
    """Values that do not fit their item (the widgets mostly prevent these)."""
    problem_items: tuple[str, ...] = ()
    """The item each problem is about, in the same order."""

    def marks(self) -> dict[str, str]:
        """Item id -> what is wrong with its value, to show at the question."""
        return dict(zip(self.problem_items, self.problems, strict=True))


def read_answers(
    checklist: Checklist, state: WidgetState, language: str | None = None
) -> ReadAnswers:
    """The typed answers the widgets hold, each with its photos; unanswered items with a
    comment or a photo keep them."""
    answers: list[Answer] = []
    problems: list[str] = []
    problem_items: list[str] = []
    for item in checklist.items:
        comment = state.get(comment_key(checklist, item.id))
        try:
            answer = parse_answer(
                item, raw_value(checklist, item, state), comment=comment, language=language
            )
        except InvalidAnswer as error:
            problems.append(str(error))
            problem_items.append(item.id)
            continue
        photos = photos_of(photo_base(checklist, item.id), state)
        if photos:
            answer = replace(answer, photos=photos)
        if answer.answered or answer.comment or answer.photos:
            answers.append(answer)
    return ReadAnswers(tuple(answers), tuple(problems), tuple(problem_items))


def missing_required(
    checklist: Checklist, answers: tuple[Answer, ...], language: str | None = None
) -> list[str]:
    """The required items left unanswered (the domain's rule), named as 'Section › question'
    for the auditor."""
    missing = set(missing_item_ids(checklist, answers))
    return [
        f"{localized(section.title, language, checklist.language)} › "
        f"{localized(item.text, language, checklist.language)}"
        for section in checklist.sections
        for item in section.items
        if item.id in missing
    ]


def missing_item_ids(checklist: Checklist, answers: tuple[Answer, ...]) -> list[str]:
    """The ids of the required items left unanswered, in checklist order. Only a photo item
    is answered by photos alone: a question with a photo and no answer is still missing."""
    items = checklist.items_by_id
    by_item = {
        answer.item_id: answer
        if answer.item_id in items and items[answer.item_id].type == "photo"
        else replace(answer, photos=())
        for answer in answers
    }
    missing = {p.item_id for p in validate_answers(checklist, by_item) if p.kind == "missing"}
    return [item.id for item in checklist.items if item.id in missing]


def photos_needed(checklist: Checklist, answers: tuple[Answer, ...]) -> list[str]:
    """The failed answers whose photo rule requires a photo they lack, in checklist order:
    the domain's rule, checked before the submit so the form can mark each question (the
    service refuses the same answers, but as one message for the whole visit)."""
    by_item = {answer.item_id: answer for answer in answers}
    problems = photo_problems(checklist, by_item, score_audit(checklist, by_item))
    needing = {p.item_id for p in problems if p.kind == "photo_required"}
    return [item.id for item in checklist.items if item.id in needing]


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
        if answer.photos:
            set_photos(photo_base(checklist, item.id), answer.photos, state)
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
        set_photos(photo_base(checklist, item.id), (), state)
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


def answer_sections(
    checklist: Checklist, language: str | None, ctx: AppContext | None = None
) -> None:
    """Draw every section with its items; values go to session state under stable keys.
    Items and sections that skip logic leaves out are not drawn (a line says when they are
    asked); Streamlit reruns on every change, so they appear as soon as they apply. With
    ``ctx`` every answer may carry photos (stored as they arrive)."""
    skipped = left_out(checklist, st.session_state)
    for section in checklist.sections:
        _section(checklist, section, language, skipped, ctx)


def _section(
    checklist: Checklist,
    section: Section,
    language: str | None,
    skipped: frozenset[str],
    ctx: AppContext | None,
) -> None:
    done = sum(is_answered(checklist, item, st.session_state) for item in section.items)
    with st.container(border=True):
        st.markdown(f"#### {markdown_text(localized(section.title, language, checklist.language))}")
        if section.applies_if is not None and all(i.id in skipped for i in section.items):
            st.caption(
                _("Not asked for this visit. {condition}").format(
                    condition=markdown_text(condition_text(checklist, section.applies_if, language))
                )
            )
            return
        st.caption(
            _("Answered {done} of {total}").format(
                done=formats.integer(done), total=formats.integer(len(section.items))
            )
        )
        for item in section.items:
            if item.id in skipped and item.applies_if is not None:
                question = markdown_text(localized(item.text, language, checklist.language))
                condition = markdown_text(condition_text(checklist, item.applies_if, language))
                st.caption(
                    _("{question} — not asked for this visit. {condition}").format(
                        question=question, condition=condition
                    )
                )
                continue
            _item(checklist, item, language, ctx)


def _item(checklist: Checklist, item: Item, language: str | None, ctx: AppContext | None) -> None:
    # Widget labels and help texts are Markdown: the checklist's words are shown as written.
    text = markdown_text(localized(item.text, language, checklist.language))
    written = localized(item.guidance, language, checklist.language)
    guidance = markdown_text(written) if written else None
    main, side = st.columns([4, 1], vertical_alignment="bottom")  # room for "Comentari ✓"
    with main:
        _answer_widget(checklist, item, text, guidance, language, ctx is not None)
        notes = _notes(item)
        rule = photo_rule_note(checklist, item) if ctx is not None else None
        if rule:
            notes.append(rule)
        if notes:
            # Full-strength small text, not a caption: a caption's faded ink takes the
            # "Critical" badge below WCAG's contrast.
            st.markdown(
                " · ".join(
                    note if note.startswith(":red-badge[") else f":small[{note}]" for note in notes
                )
            )
        _mark(checklist, item, language)
    with side:
        key = comment_key(checklist, item.id)
        has_comment = bool(str(st.session_state.get(key) or "").strip())
        with st.popover(
            _("Comment") if not has_comment else _("Comment ✓"),
            icon=":material/edit_note:",
            help=_("Add a note to this answer (optional)"),
            key=f"popover.{key}",
        ):
            st.text_input(
                _("Comment on: {question}").format(question=text),
                key=key,
                persist_state=PERSIST,
                placeholder=_("Optional note"),
            )
    if ctx is not None:
        photo_control(ctx, checklist, item, photo_base(checklist, item.id))


def _mark(checklist: Checklist, item: Item, language: str | None) -> None:
    """After a refused submit: what is wrong, right under the question (with an anchor the
    summary links to); gone as soon as the question is answered."""
    marks = st.session_state.get(marks_key(checklist)) or {}
    message = marks.get(item.id)
    if message is None:
        return
    if message == missing_mark():
        if is_answered(checklist, item, st.session_state):
            return
    elif message == photo_mark():
        if photos_of(photo_base(checklist, item.id), st.session_state):
            return
    elif _fits(checklist, item, language):
        return
    st.markdown(
        f'<span id="{anchor(checklist, item.id)}"></span>'
        f":red[:material/error: **{markdown_text(message)}**]",
        unsafe_allow_html=True,
    )


def _labels(options: list[Any]) -> dict[Any, str]:
    """Each option's words, fixed when the widget is drawn: a format function must answer
    the same later (Streamlit calls it again), whatever language is current then."""
    return {value: option_label(value) for value in options}


def _fits(checklist: Checklist, item: Item, language: str | None) -> bool:
    """Whether the item's value, as it is now, is an answer (a value error was corrected)."""
    try:
        parse_answer(item, raw_value(checklist, item, st.session_state), language=language)
    except InvalidAnswer:
        return False
    return True


def _answer_widget(
    checklist: Checklist,
    item: Item,
    text: str,
    guidance: str | None,
    language: str | None,
    ctx_given: bool,
) -> None:
    key = value_key(checklist, item.id)
    na = [NA] if item.na_allowed else []
    if isinstance(item, YesNoItem):
        options = [YES, NO, *na]
        st.radio(
            text,
            options,
            index=None,
            key=key,
            persist_state=PERSIST,
            help=guidance,
            horizontal=True,
            format_func=_labels(options).__getitem__,
        )
    elif isinstance(item, ScaleItem):
        scale: list[Any] = [*range(item.min, item.max + 1), *na]
        st.radio(
            text,
            scale,
            index=None,
            key=key,
            persist_state=PERSIST,
            help=guidance,
            horizontal=True,
            format_func=_labels(scale).__getitem__,
        )
    elif isinstance(item, ChoiceItem):
        labels = {
            o.value: localized(o.label, language, checklist.language) or o.value
            for o in item.options
        }
        labels.update(_labels(na))
        st.radio(
            text,
            [*labels, *na],
            index=None,
            key=key,
            persist_state=PERSIST,
            help=guidance,
            horizontal=True,
            format_func=lambda value: markdown_text(labels.get(value, str(value))),
        )
    else:
        _input_widget(checklist, item, text, guidance, photos=ctx_given)


def _input_widget(
    checklist: Checklist, item: Item, text: str, guidance: str | None, *, photos: bool
) -> None:
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
                placeholder=_("Enter a number"),
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
        elif item.type == "photo" and photos:
            # Answered by its photos alone (the control below the question); a note goes
            # in the comment.
            st.markdown(f"**{text}**", help=guidance)
        elif item.type == "photo":
            st.text_input(
                text,
                key=key,
                persist_state=PERSIST,
                help=guidance,
                disabled=not_applicable,
                placeholder=_("Photo reference or link"),
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
                _("N/A"),
                key=na_key(checklist, item.id),
                persist_state=PERSIST,
                help=_("Not applicable: {question}").format(question=text),
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
        target = _number(item.target, item)
        if item.direction == "at_most":
            note = _("Target: at most {target}").format(target=target)
        else:
            note = _("Target: at least {target}").format(target=target)
        if item.zero_at is not None:
            note = _("{target} (0 points at {zero_at})").format(
                target=note, zero_at=_number(item.zero_at, item)
            )
        notes.append(note)
    if item.unscored_question:
        notes.append(_("Unscored (weight 0)"))
    if item.critical:
        notes.append(":red-badge[{word}]".format(word=_("Critical")))
    if not item.is_required:
        notes.append(_("Optional"))
    return notes


def _number(value: float, item: NumberItem | PercentageItem) -> str:
    """A target as the language writes it, with its unit: ``3 rings``, ``95 %``."""
    digits = 0 if float(value).is_integer() else len(f"{value:g}".partition(".")[2])
    number = formats.decimal(value, digits)
    if isinstance(item, PercentageItem):
        return formats.percent(value / 100, digits)
    if not item.unit:
        return number
    unit = UNITS.get(item.unit.strip().casefold())
    return f"{number} {_(unit) if unit else markdown_text(item.unit)}"
