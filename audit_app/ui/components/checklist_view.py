"""A checklist as readable tables: its items with type, weight and flags, and a version diff."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from audit_app.domain.checklist import (
    Checklist,
    ChoiceItem,
    Item,
    NumberItem,
    PercentageItem,
    ScaleItem,
    Section,
    localized,
)
from audit_app.domain.checklist_diff import ChecklistDiff
from audit_app.domain.labels import channel_label, item_type_label
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.skip_logic import condition_text
from audit_app.i18n import N_, _, formats, language_name, ngettext

NOT_SCORED = frozenset({"text", "date", "photo"})


OTHER_LANGUAGES = {
    "es": N_("Spanish (es)"),
    "fr": N_("French (fr)"),
    "it": N_("Italian (it)"),
    "pt": N_("Portuguese (pt)"),
}
"""Languages a checklist may be written in besides the app's own four (whose names are
shown in their own language), named in the reader's language."""


def language_label(code: str) -> str:
    if code in OTHER_LANGUAGES:
        return _(OTHER_LANGUAGES[code])
    name = language_name(code)
    return f"{name} ({code})" if name != code else code


def type_text(item: Item, language: str | None = None) -> str:
    """The item's type with what scores full marks, e.g. ``Number: at most 3 rings, 0 at 8``."""
    name = item_type_label(item.type)
    if item.type in NOT_SCORED:
        return _("{type} (not scored)").format(type=name)
    if isinstance(item, ScaleItem):
        return f"{name} {item.min}–{item.max}"
    if isinstance(item, ChoiceItem):
        options = ", ".join(
            f"{localized(o.label, language, 'en') or o.value} ({_number(o.points)})"
            for o in item.options
        )
        return f"{name}: {options}"
    if isinstance(item, NumberItem | PercentageItem):
        unit = " %" if isinstance(item, PercentageItem) else (f" {item.unit}" if item.unit else "")
        target = f"{_number(item.target)}{unit}"
        if item.direction == "at_most":
            text = _("{type}: at most {target}").format(type=name, target=target)
        else:
            text = _("{type}: at least {target}").format(type=name, target=target)
        if item.zero_at is not None:
            zero = f"{_number(item.zero_at)}{unit}"
            text += _(", 0 at {value}").format(value=zero)
        return text
    return name


def _number(value: float) -> str:
    """A weight, target or point value as written in the reader's language (2.5 -> 2,5)."""
    return formats.decimal(value, 0) if float(value).is_integer() else formats.decimal(value, 2)


def items_frame(section: Section, checklist: Checklist, language: str | None) -> pd.DataFrame:
    rows = [
        {
            "id": item.id,
            "item": localized(item.text, language, checklist.language),
            "type": type_text(item, language),
            "weight": item.weight if item.scored or item.unscored_question else None,
            "na_allowed": item.na_allowed,
            "critical": item.critical,
            "guidance": " · ".join(
                part
                for part in (
                    _("Unscored") if item.unscored_question else "",
                    condition_text(checklist, item.applies_if, language)
                    if item.applies_if is not None
                    else "",
                    localized(item.guidance, language, checklist.language),
                )
                if part
            ),
        }
        for item in section.items
    ]
    return pd.DataFrame(
        rows, columns=["id", "item", "type", "weight", "na_allowed", "critical", "guidance"]
    )


def checklist_contents(checklist: Checklist, language: str | None) -> None:
    """The checklist's rules in a few lines, then one table of items per section."""
    description = localized(checklist.description, language, checklist.language)
    if description:
        st.markdown(markdown_text(description))
    grades = ", ".join(f"{markdown_text(g.label)} ≥ {_number(g.min)}" for g in checklist.grades)
    weights = (
        _("sections weighted as given")
        if checklist.sections_weighted
        else _("sections weighted by their items (pooled points)")
    )
    channel = channel_label(checklist.channel) if checklist.channel else _("any")
    items = ngettext("{n} item", "{n} items", len(checklist.items)).format(n=len(checklist.items))
    sections = ngettext("{n} section", "{n} sections", len(checklist.sections)).format(
        n=len(checklist.sections)
    )
    st.markdown(
        _(
            "**Version** {version} · **Languages** {languages} · **Channel** {channel}  \n"
            "**Pass mark** {pass_mark} · **Grades** {grades}  \n"
            "**Critical items:** {critical}; {weights}; {items} in {sections}."
        ).format(
            version=checklist.version,
            languages=", ".join(language_label(code) for code in checklist.languages),
            channel=channel,
            pass_mark=_number(checklist.pass_mark),
            grades=grades,
            critical=checklist.critical_rule.describe(),
            weights=weights,
            items=items,
            sections=sections,
        )
    )
    for section in checklist.sections:
        title = localized(section.title, language, checklist.language)
        details = []
        if section.weight is not None:
            details.append(_("weight {weight}").format(weight=_number(section.weight)))
        if section.applies_if is not None:
            details.append(markdown_text(condition_text(checklist, section.applies_if, language)))
        count = len(section.items)
        details.append(ngettext("{n} item", "{n} items", count).format(n=count))
        st.markdown(f"#### {markdown_text(title)}")
        st.caption(" · ".join(details))
        st.table(  # st.table renders Markdown in its cells
            readable_items(items_frame(section, checklist, language)).map(_cell),
            hide_index=True,
            border="horizontal",
        )


def _cell(value: object) -> object:
    """A table cell as plain text: ``st.table`` reads text cells as Markdown."""
    return markdown_text(value) if isinstance(value, str) else value


ITEM_HEADINGS = {
    "item": N_("Item"),
    "type": N_("Type"),
    "weight": N_("Weight"),
    "na_allowed": N_("N/A allowed"),
    "critical": N_("Critical"),
    "guidance": N_("Guidance"),
    "id": N_("Id"),
}


def readable_items(frame: pd.DataFrame) -> pd.DataFrame:
    """The items table as read on screen: wrapped text, ticks for the flags, the id last."""
    shown = frame.assign(
        weight=[("" if pd.isna(w) else _number(w)) for w in frame["weight"]],
        na_allowed=["✓" if flag else "" for flag in frame["na_allowed"]],
        critical=["✓" if flag else "" for flag in frame["critical"]],
    )
    headings = {column: _(word) for column, word in ITEM_HEADINGS.items()}
    return shown[list(ITEM_HEADINGS)].rename(columns=headings)


CHANGE_LABELS = {
    "added": N_("Added"),
    "removed": N_("Removed"),
    "changed": N_("Changed"),
    "moved": N_("Moved"),
}
LEVEL_LABELS = {"checklist": N_("Checklist"), "section": N_("Section"), "item": N_("Item")}


def diff_frame(
    diff: ChecklistDiff, old: Checklist, new: Checklist, language: str | None
) -> pd.DataFrame:
    """One row per difference, with the item's or section's text for people to recognise it."""

    def name(level: str, ident: str) -> str:
        if level == "checklist":
            return new.title_in(language)
        for checklist in (new, old):
            if level == "item" and ident in checklist.items_by_id:
                return localized(checklist.items_by_id[ident].text, language, checklist.language)
            if level == "section":
                for section in checklist.sections:
                    if section.id == ident:
                        return localized(section.title, language, checklist.language)
        return ident

    rows = [
        {
            "level": _(LEVEL_LABELS[change.level])
            if change.level in LEVEL_LABELS
            else change.level.capitalize(),
            "id": change.id,
            "name": name(change.level, change.id),
            "change": _(CHANGE_LABELS[change.kind]),
            "field": change.field or "",
            "before": change.before if change.before is not None else "",
            "after": change.after if change.after is not None else "",
        }
        for change in diff.changes
    ]
    return pd.DataFrame(rows, columns=["level", "id", "name", "change", "field", "before", "after"])


def diff_table(diff: ChecklistDiff, old: Checklist, new: Checklist, language: str | None) -> None:
    """The differences as a wrapped table: long texts stay readable side by side."""
    headings = {
        "level": _("What"),
        "id": _("Id"),
        "name": _("Text"),
        "change": _("Change"),
        "field": _("Field"),
        "before": f"v{diff.old_version}",
        "after": f"v{diff.new_version}",
    }
    frame = diff_frame(diff, old, new, language)
    shown = frame.rename(columns=headings).map(_cell)  # cells are Markdown
    st.table(shown, hide_index=True, border="horizontal")
