"""A checklist as the spreadsheet shape :mod:`.build` reads: a questions table (one row per
question, texts per language) and the settings as key/value rows, so that reading what is
written gives the same checklist back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from audit_app.domain.checklist import Checklist, ChoiceItem, Item, LocalText, Section
from audit_app.domain.checklist_sheet.cells import slug

QUESTIONS_SHEET = "Questions"
SETTINGS_SHEET = "Checklist"
_ALWAYS = frozenset({"Section id", "Item id", "Type", "Weight"})


@dataclass(frozen=True)
class SheetShape:
    questions: list[list[Any]]
    """The header row, then one row per question."""
    settings: list[list[Any]]
    wrapped: frozenset[str]
    """Headers of columns whose cells hold several lines."""


def checklist_shape(checklist: Checklist) -> SheetShape:
    languages = checklist.languages
    first = languages[0]
    columns: list[tuple[str, Any]] = [("Section id", lambda s, i: s.id)]
    for language in languages:
        columns.append((f"Section ({language})", _text_of("title", language, section=True)))
    columns += [
        ("Section weight", lambda s, i: s.weight),
        ("Section applies if", lambda s, i: condition_text(getattr(s, "applies_if", None))),
        ("Item id", lambda s, i: i.id),
    ]
    for language in languages:
        columns.append((f"Question ({language})", _text_of("text", language)))
    columns += [("Type", lambda s, i: i.type)]
    for language in languages:
        columns.append((f"Options ({language})", _options_of(language, language == first)))
    columns += [
        ("Weight", lambda s, i: i.weight),
        ("Critical", lambda s, i: "yes" if i.critical else None),
        ("N/A allowed", lambda s, i: "yes" if i.na_allowed else None),
        ("Required", lambda s, i: None if i.required is None else "yes" if i.required else "no"),
        ("Applies if", lambda s, i: condition_text(getattr(i, "applies_if", None))),
        ("Min", lambda s, i: getattr(i, "min", None)),
        ("Max", lambda s, i: getattr(i, "max", None)),
        ("Target", lambda s, i: getattr(i, "target", None)),
        ("Direction", lambda s, i: _direction(getattr(i, "direction", None))),
        ("Zero at", lambda s, i: getattr(i, "zero_at", None)),
        ("Unit", lambda s, i: getattr(i, "unit", None)),
        ("Action rule", lambda s, i: _action_rule(i)),
        ("Photo on fail", lambda s, i: i.photo_on_fail),
    ]
    for language in languages:
        columns.append((f"Guidance ({language})", _text_of("guidance", language)))
    rows = [
        [get(section, item) for _, get in columns]
        for section in checklist.sections
        for item in section.items
    ]
    keep = [
        c
        for c, (header, _) in enumerate(columns)
        if header in _ALWAYS
        or header.startswith(("Question (", "Section ("))
        or any(row[c] not in (None, "") for row in rows)
    ]
    header = [columns[c][0] for c in keep]
    table = [header, *[[row[c] for c in keep] for row in rows]]
    wrapped = frozenset(h for h in header if h.startswith(("Options", "Guidance", "Question")))
    return SheetShape(table, settings_rows(checklist), wrapped)


def settings_rows(checklist: Checklist) -> list[list[Any]]:
    rows: list[list[Any]] = [["Setting", "Value"], ["id", checklist.id]]
    rows.append(["version", checklist.version])
    rows += [[f"title ({lang})", text] for lang, text in checklist.title.items()]
    rows.append(["languages", ", ".join(checklist.languages)])
    for lang, text in (checklist.description or {}).items():
        rows.append([f"description ({lang})", text])
    if checklist.channel:
        rows.append(["channel", checklist.channel])
    rows.append(["pass mark", checklist.pass_mark])
    rows.append(["grades", " | ".join(f"{g.min:g} {g.label}" for g in checklist.grades)])
    rule = checklist.critical_rule
    rows.append(["critical rule", f"cap {rule.cap:g}" if rule.kind == "cap" else rule.kind])
    if checklist.action_due_days is not None:
        due = checklist.action_due_days
        rows.append(["action due days", f"critical {due.critical}, other {due.other}"])
    policy = checklist.action_policy
    if policy is not None:
        rows.append(["action opens on", ", ".join(policy.opens_on) or "nothing"])
        rows.append(["action score below", policy.score_below])
    if checklist.photo_on_fail is not None:
        rows.append(["photo on fail", checklist.photo_on_fail])
    return rows


def _action_rule(item: Item) -> str | float | None:
    """An item's own action rule as the sheet writes it: always/never/policy or a share."""
    if item.action is None:
        return None
    return item.action.score_below if item.action.rule == "score_below" else item.action.rule


def condition_text(condition: Any) -> str | None:
    """``{item: q3, equals: true}`` -> ``q3 = yes``; ``{item, in: [a, b]}`` -> ``q3 in (a, b)``."""
    if condition is None:
        return None
    data = condition if isinstance(condition, dict) else condition.model_dump(by_alias=True)
    item = data.get("item")
    if data.get("in") is not None:
        return f"{item} in ({', '.join(_answer_text(v) for v in data['in'])})"
    return f"{item} = {_answer_text(data.get('equals'))}"


def _answer_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _direction(direction: str | None) -> str | None:
    return direction.replace("_", " ") if direction else None


def _text_of(name: str, language: str, *, section: bool = False) -> Any:
    def get(s: Section, i: Item) -> str | None:
        text: LocalText | None = getattr(s if section else i, name)
        return (text or {}).get(language)

    return get


def _options_of(language: str, first: bool) -> Any:
    def get(s: Section, i: Item) -> str | None:
        if not isinstance(i, ChoiceItem):
            return None
        if not first:
            lines = [
                f"[{o.value}] {label}"
                for o in i.options
                if (label := _label(o.label, language)) is not None
            ]
            return "\n".join(lines) or None
        hundred = all(_survives_percent(o.points) for o in i.options)
        return "\n".join(_option_line(o, language, hundred) for o in i.options)

    return get


def _label(label: Any, language: str) -> str | None:
    if label is None:
        return None
    if isinstance(label, str):
        return label
    return label.get(language)


def _option_line(option: Any, language: str, hundred: bool) -> str:
    points = f"{option.points * 100:.12g}" if hundred else repr(float(option.points))
    label = _label(option.label, language)
    if label is None and slug(option.value) == option.value:
        return f"{option.value} ({points})"
    return f"[{option.value}] {label or ''}".rstrip() + f" ({points})"


def _survives_percent(points: float) -> bool:
    return float(f"{points * 100:.12g}") / 100 == points


def ids_of(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The item ids of a questions table (for tests and previews)."""
    header = list(rows[0])
    column = header.index("Item id")
    return [str(row[column]) for row in rows[1:]]
