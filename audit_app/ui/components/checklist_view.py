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
from audit_app.domain.safe_text import markdown_text
from audit_app.domain.skip_logic import condition_text
from audit_app.i18n import language_name

TYPE_NAMES = {
    "yes_no": "Yes / No",
    "scale": "Scale",
    "choice": "Choice",
    "number": "Number",
    "percentage": "Percentage",
    "text": "Text (not scored)",
    "date": "Date (not scored)",
    "photo": "Photo (not scored)",
}


def language_label(code: str) -> str:
    name = language_name(code)
    return f"{name} ({code})" if name != code else code


def type_text(item: Item, language: str | None = None) -> str:
    """The item's type with what scores full marks, e.g. ``Number: at most 3 rings, 0 at 8``."""
    name = TYPE_NAMES.get(item.type, item.type)
    if isinstance(item, ScaleItem):
        return f"{name} {item.min}–{item.max}"
    if isinstance(item, ChoiceItem):
        options = ", ".join(
            f"{localized(o.label, language, 'en') or o.value} ({o.points:g})" for o in item.options
        )
        return f"{name}: {options}"
    if isinstance(item, NumberItem | PercentageItem):
        unit = " %" if isinstance(item, PercentageItem) else (f" {item.unit}" if item.unit else "")
        direction = "at most" if item.direction == "at_most" else "at least"
        zero = "" if item.zero_at is None else f", 0 at {item.zero_at:g}{unit}"
        return f"{name}: {direction} {item.target:g}{unit}{zero}"
    return name


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
                    "Unscored" if item.unscored_question else "",
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
    grades = ", ".join(f"{markdown_text(g.label)} ≥ {g.min:g}" for g in checklist.grades)
    weights = (
        "sections weighted as given"
        if checklist.sections_weighted
        else "sections weighted by their items (pooled points)"
    )
    st.markdown(
        f"**Version** {checklist.version} · **Languages** "
        f"{', '.join(language_label(code) for code in checklist.languages)} · "
        f"**Channel** {(checklist.channel or 'any').replace('_', ' ')}  \n"
        f"**Pass mark** {checklist.pass_mark:g} · **Grades** {grades}  \n"
        f"**Critical items:** {checklist.critical_rule.describe()}; {weights}; "
        f"{len(checklist.items)} items in {len(checklist.sections)} sections."
    )
    for section in checklist.sections:
        title = localized(section.title, language, checklist.language)
        weight = "" if section.weight is None else f" · weight {section.weight:g}"
        if section.applies_if is not None:
            weight += f" · {markdown_text(condition_text(checklist, section.applies_if, language))}"
        st.markdown(f"#### {markdown_text(title)}")
        count = len(section.items)
        st.caption(f"Section `{section.id}`{weight} · {count} item{'s' if count != 1 else ''}")
        st.table(  # st.table renders Markdown in its cells
            readable_items(items_frame(section, checklist, language)).map(_cell),
            hide_index=True,
            border="horizontal",
        )


def _cell(value: object) -> object:
    """A table cell as plain text: ``st.table`` reads text cells as Markdown."""
    return markdown_text(value) if isinstance(value, str) else value


ITEM_HEADINGS = {
    "item": "Item",
    "type": "Type",
    "weight": "Weight",
    "na_allowed": "N/A allowed",
    "critical": "Critical",
    "guidance": "Guidance",
    "id": "Id",
}


def readable_items(frame: pd.DataFrame) -> pd.DataFrame:
    """The items table as read on screen: wrapped text, ticks for the flags, the id last."""
    shown = frame.assign(
        weight=[("" if pd.isna(w) else f"{w:g}") for w in frame["weight"]],
        na_allowed=["✓" if flag else "" for flag in frame["na_allowed"]],
        critical=["✓" if flag else "" for flag in frame["critical"]],
    )
    return shown[list(ITEM_HEADINGS)].rename(columns=ITEM_HEADINGS)


KIND_LABELS = {"added": "Added", "removed": "Removed", "changed": "Changed", "moved": "Moved"}


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
            "level": change.level.capitalize(),
            "id": change.id,
            "name": name(change.level, change.id),
            "change": KIND_LABELS[change.kind],
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
        "level": "What",
        "id": "Id",
        "name": "Text",
        "change": "Change",
        "field": "Field",
        "before": f"v{diff.old_version}",
        "after": f"v{diff.new_version}",
    }
    frame = diff_frame(diff, old, new, language)
    shown = frame.rename(columns=headings).map(_cell)  # cells are Markdown
    st.table(shown, hide_index=True, border="horizontal")
