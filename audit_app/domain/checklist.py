"""The checklist model: what an auditor is asked and how each answer scores.

Checklists are data (YAML files in ``checklists/``); these models are their schema.
Validation is strict (unknown keys are errors) so that a typo in a field name is caught
when the file is loaded, not when an audit is scored months later.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from audit_app.i18n import _, formats

LocalText = dict[str, str]
"""Text per language code, e.g. ``{"en": "Greeting", "ca": "Salutació"}``."""

MAX_PHOTOS_PER_ANSWER = 10
"""Photos one answer may carry: evidence, not an album."""

PhotoRule = Literal["required", "optional"]
"""Whether a failed answer needs photo evidence (``photo_on_fail``)."""

ItemType = Literal["yes_no", "scale", "choice", "number", "percentage", "text", "date", "photo"]
SCORED_TYPES: frozenset[str] = frozenset({"yes_no", "scale", "choice", "number", "percentage"})
ITEM_TYPES: frozenset[str] = SCORED_TYPES | {"text", "date", "photo"}

_ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]*$"

LABEL_MAX_CHARS = 500
"""The longest option label, per language: real multiple-choice answers run long, the value
beside them stays a short key (64 characters) that imports, storage and conditions use."""

ConditionValue = str
"""A stored answer value as a condition names it: ``yes``/``no``, an option value, a whole
number of a scale."""
CONDITION_TYPES: frozenset[str] = frozenset({"yes_no", "choice", "scale"})


class ChecklistProblem(ValueError):
    """A checklist-wide rule broken at a known place inside the file."""

    def __init__(self, location: str, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


def localized(text: LocalText | None, language: str | None, fallback: str) -> str:
    """The text in ``language``, else in the checklist's first language, else any."""
    if not text:
        return ""
    if language and language in text:
        return text[language]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()))


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Condition(_Frozen):
    """Skip logic: the item or section applies only when another item's answer is one of
    ``values``. Written ``{item: ID, in: [VALUES]}`` or ``{item: ID, equals: VALUE}``;
    kept (and dumped) as the ``in`` form, values as the stored answer text."""

    item: str = Field(pattern=_ID_PATTERN, max_length=64)
    values: tuple[ConditionValue, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _from_yaml_form(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError(
                _("write {{item: ID, in: [VALUES]}} or {{item: ID, equals: VALUE}}").format()
            )
        unknown = set(data) - {"item", "in", "equals"}
        if unknown:
            raise ValueError(
                _("'{field}' is not a known field (write item and in)").format(
                    field=sorted(unknown)[0]
                )
            )
        if ("in" in data) == ("equals" in data):
            raise ValueError(_("write either in: [VALUES] or equals: VALUE"))
        given = data["in"] if "in" in data else [data["equals"]]
        if not isinstance(given, list) or not given:
            raise ValueError(_("in: needs a list of one or more answer values"))
        return {"item": data.get("item"), "values": tuple(_condition_text(v) for v in given)}

    @model_serializer
    def _to_yaml_form(self) -> dict[str, Any]:
        return {"item": self.item, "in": list(self.values)}

    def describe(self, answer_of: Mapping[str, str] | None = None) -> str:
        """``is yes`` / ``is one of a, b`` with values shown as ``answer_of`` names them."""
        shown = [(answer_of or {}).get(value, value) for value in self.values]
        return f"is {shown[0]}" if len(shown) == 1 else "is one of " + ", ".join(shown)


def _condition_text(value: Any) -> str:
    """YAML's ``yes`` (a boolean) -> "yes"; 4 and 4.0 -> "4"; text stripped."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(float(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise ValueError(_("{value} is not an answer value").format(value=repr(value)))


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _labels_bounded(label: LocalText | None) -> LocalText | None:
    for language, text in (label or {}).items():
        if len(text) > LABEL_MAX_CHARS:
            raise ValueError(
                _("the '{language}' label has {length} characters (at most {limit})").format(
                    language=language, length=len(text), limit=LABEL_MAX_CHARS
                )
            )
    return label


OpensOn = Literal["no", "critical_below_full", "score_below"]
OPENS_ON: tuple[OpensOn, ...] = ("no", "critical_below_full", "score_below")
"""What may open a corrective action: a No on a yes/no item, a critical item below full
marks, an item score below the policy's ``score_below``."""
DEFAULT_SCORE_BELOW = 0.5


def _share(value: Any, where: str) -> float:
    """A share of an item's points, above 0 and at most 1 (0.5 = half the points)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1:
        raise ValueError(
            _(
                "{where} needs a share of the item's points above 0 and at most 1 "
                "(e.g. 0.5 for half the points), not {value}"
            ).format(where=where, value=repr(value))
        )
    return float(value)


class ItemAction(_Frozen):
    """An item's own action rule: ``always`` (any score below full marks opens one),
    ``never``, ``policy`` (the checklist's), or ``{score_below: 0.8}`` (its own threshold)."""

    rule: Literal["always", "never", "policy", "score_below"]
    score_below: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_yaml_form(cls, data: Any) -> Any:
        if isinstance(data, str) and data.strip() in ("always", "never", "policy"):
            return {"rule": data.strip()}
        if isinstance(data, dict) and "rule" in data:
            return data
        if isinstance(data, dict) and set(data) == {"score_below"}:
            return {
                "rule": "score_below",
                "score_below": _share(data["score_below"], "score_below"),
            }
        raise ValueError(
            _(
                "write always, never, policy or the item's own threshold, e.g. "
                "{{score_below: 0.8}}, not {value}"
            ).format(value=repr(data))
        )

    @model_serializer
    def _to_yaml_form(self) -> str | dict[str, float]:
        if self.rule == "score_below" and self.score_below is not None:
            return {"score_below": self.score_below}
        return self.rule


class _ItemBase(_Frozen):
    id: str = Field(pattern=_ID_PATTERN, max_length=64)
    text: LocalText
    weight: float = Field(default=1.0, ge=0)
    """0: asked and stored, counted nowhere in the score (an unscored question)."""
    na_allowed: bool = False
    critical: bool = False
    required: bool | None = None
    guidance: LocalText | None = None
    applies_if: Condition | None = None
    """Asked only when another (earlier) item's answer is one of the values."""
    action: ItemAction | None = None
    """Whether a failure of this item opens a corrective action (None: the checklist's
    policy). Workflow, not scoring: left out of ``content_hash``."""
    photo_on_fail: PhotoRule | None = None
    """Whether a failed answer of this item must carry a photo (None: the checklist's
    rule). Evidence, not scoring: left out of ``content_hash``."""

    @property
    def scored(self) -> bool:
        """Counts in the score: a scored type with a weight above 0."""
        return self.type in SCORED_TYPES and self.weight > 0  # type: ignore[attr-defined]

    @property
    def unscored_question(self) -> bool:
        """A question of a scored type kept at weight 0: asked, shown as "unscored"."""
        return self.type in SCORED_TYPES and self.weight == 0  # type: ignore[attr-defined]

    @property
    def is_required(self) -> bool:
        """Scored items must be answered unless the file says otherwise; evidence and
        unscored (weight 0) questions need not."""
        return self.scored if self.required is None else self.required


class YesNoItem(_ItemBase):
    type: Literal["yes_no"]


class ScaleItem(_ItemBase):
    type: Literal["scale"]
    min: int = 1
    max: int = 5

    @field_validator("max")
    @classmethod
    def _max_above_min(cls, value: int, info: ValidationInfo) -> int:
        low = info.data.get("min")
        if low is not None and value <= low:
            raise ValueError(
                _("max ({high}) must be greater than min ({low})").format(high=value, low=low)
            )
        return value


class ChoiceOption(_Frozen):
    value: str = Field(min_length=1, max_length=64)
    points: float = Field(ge=0, le=1)
    label: LocalText | None = None
    """What people read (forms, templates, reports), up to 500 characters per language."""

    @field_validator("label")
    @classmethod
    def _label_bounded(cls, label: LocalText | None) -> LocalText | None:
        return _labels_bounded(label)

    def label_in(self, language: str | None, fallback: str) -> str:
        return localized(self.label, language, fallback) or self.value


class ChoiceItem(_ItemBase):
    type: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _distinct_values(cls, options: list[ChoiceOption]) -> list[ChoiceOption]:
        seen: set[str] = set()
        for option in options:
            key = option.value.casefold()
            if key in seen:
                raise ValueError(_("option '{option}' is listed twice").format(option=option.value))
            seen.add(key)
        # An answer may be written as a value or a label: each must name one option only.
        names: dict[str, str] = {_folded(o.value): o.value for o in options}
        for option in options:
            for text in (option.label or {}).values():
                other = names.setdefault(_folded(text), option.value)
                if other != option.value:
                    raise ValueError(
                        _(
                            "the label {label} of option '{option}' is also option "
                            "'{other}''s value or label: an answer must name one option"
                        ).format(label=repr(text[:80]), option=option.value, other=other)
                    )
        return options


class _MeasuredItem(_ItemBase):
    """A measured value scored against a target, with optional linear partial credit."""

    target: float
    direction: Literal["at_most", "at_least"]
    zero_at: float | None = None

    @field_validator("zero_at")
    @classmethod
    def _zero_beyond_target(cls, value: float | None, info: ValidationInfo) -> float | None:
        target, direction = info.data.get("target"), info.data.get("direction")
        if value is None or target is None or direction is None:
            return value
        if direction == "at_most" and value <= target:
            raise ValueError(
                _(
                    "with direction at_most, zero_at ({zero}) must be above target ({target})"
                ).format(zero=f"{value:g}", target=f"{target:g}")
            )
        if direction == "at_least" and value >= target:
            raise ValueError(
                _(
                    "with direction at_least, zero_at ({zero}) must be below target ({target})"
                ).format(zero=f"{value:g}", target=f"{target:g}")
            )
        return value


class NumberItem(_MeasuredItem):
    type: Literal["number"]
    unit: str | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _bounds_hold_target(self) -> NumberItem:
        if self.min is not None and self.max is not None and self.max <= self.min:
            raise ChecklistProblem(
                "max",
                _("max ({high}) must be above min ({low})").format(
                    high=f"{self.max:g}", low=f"{self.min:g}"
                ),
            )
        for name in ("target", "zero_at"):
            value = getattr(self, name)
            if value is None:
                continue
            if (self.min is not None and value < self.min) or (
                self.max is not None and value > self.max
            ):
                raise ChecklistProblem(
                    name, _("{value} lies outside the answer bounds").format(value=f"{value:g}")
                )
        return self


class PercentageItem(_MeasuredItem):
    type: Literal["percentage"]
    target: float = Field(ge=0, le=100)
    zero_at: float | None = Field(default=None, ge=0, le=100)


class _UnscoredItem(_ItemBase):
    @field_validator("critical")
    @classmethod
    def _not_critical(cls, value: bool) -> bool:
        if value:
            raise ValueError(_("an unscored item cannot be critical"))
        return value


class TextItem(_UnscoredItem):
    type: Literal["text"]


class DateItem(_UnscoredItem):
    type: Literal["date"]


class PhotoItem(_UnscoredItem):
    type: Literal["photo"]


Item = Annotated[
    YesNoItem
    | ScaleItem
    | ChoiceItem
    | NumberItem
    | PercentageItem
    | TextItem
    | DateItem
    | PhotoItem,
    Field(discriminator="type"),
]


class Section(_Frozen):
    id: str = Field(pattern=_ID_PATTERN, max_length=64)
    title: LocalText
    weight: float | None = Field(default=None, ge=0)
    """0: the section's score is shown but counts nowhere in the overall."""
    applies_if: Condition | None = None
    """Asked only when an item of an earlier section has one of the values."""
    items: list[Item] = Field(min_length=1)


class Grade(_Frozen):
    min: float = Field(ge=0, le=100)
    label: str = Field(min_length=1)


class CriticalRule(_Frozen):
    """What a failed critical item does to the overall score: ``flag``, ``zero`` or ``cap``."""

    kind: Literal["flag", "zero", "cap"]
    cap: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="before")
    @classmethod
    def _from_yaml_form(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"kind": data}
        if isinstance(data, dict) and "kind" not in data:
            if set(data) == {"cap"}:
                return {"kind": "cap", "cap": data["cap"]}
            raise ValueError(_("write flag, zero or {{cap: NUMBER}}").format())
        return data

    @model_validator(mode="after")
    def _cap_given_for_cap(self) -> CriticalRule:
        if (self.kind == "cap") != (self.cap is not None):
            raise ValueError(_("a cap needs a number, and only the cap rule takes one"))
        return self

    @model_serializer
    def _to_yaml_form(self) -> str | dict[str, float]:
        return {"cap": self.cap} if self.kind == "cap" and self.cap is not None else self.kind

    def describe(self) -> str:
        if self.kind == "flag":
            return _("a failed critical item is flagged and the score is left as it is")
        if self.kind == "zero":
            return _("a failed critical item sets the overall score to 0")
        return _("a failed critical item caps the overall score at {cap}").format(
            cap=formats.decimal(self.cap, 0 if float(self.cap or 0).is_integer() else 1)
        )


class ActionDueDays(_Frozen):
    """Days a branch has to fix a failed item, by severity (see ``domain.actions``)."""

    critical: int = 2
    other: int = 14

    @field_validator("critical", "other", mode="before")
    @classmethod
    def _days(cls, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 365:
            raise ValueError(
                _("write a whole number of days from 0 to 365, not {value}").format(
                    value=repr(value)
                )
            )
        return value


class ActionPolicy(_Frozen):
    """Which failures open a corrective action and how long the branch has to fix them.

    Workflow, not scoring: left out of ``content_hash``. Written in a checklist as
    ``action_policy: {opens_on: [no, critical_below_full, score_below], score_below: 0.5,
    due_days: {critical: 2, other: 14}}``; each key may be left out (its default is kept).
    """

    opens_on: tuple[OpensOn, ...] = OPENS_ON
    score_below: float = DEFAULT_SCORE_BELOW
    due_days: ActionDueDays = Field(default_factory=ActionDueDays)

    @field_validator("opens_on", mode="before")
    @classmethod
    def _known_rules(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            raise ValueError(
                _("write a list of rules, e.g. [no, critical_below_full, score_below]")
            )
        for rule in value:
            if rule not in OPENS_ON:
                raise ValueError(
                    _(
                        "{rule} is not a rule that opens an action (write no, "
                        "critical_below_full or score_below)"
                    ).format(rule=repr(rule))
                )
        if len(set(value)) != len(value):
            raise ValueError(_("a rule is listed twice"))
        return tuple(value)

    @field_validator("score_below", mode="before")
    @classmethod
    def _a_share(cls, value: Any) -> float:
        return _share(value, "score_below")


def _older_due_days(value: Any) -> Any:
    """``action_due_days`` checked where it is written, so a mistake is named there."""
    if value is None or isinstance(value, ActionDueDays):
        return value
    try:
        return ActionDueDays.model_validate(value)
    except ValidationError as error:
        detail = error.errors(include_url=False)[0]
        where = ".".join(["action_due_days", *(str(part) for part in detail["loc"])])
        reason = (
            _("is not a known field (write critical and other)")
            if detail["type"] == "extra_forbidden"
            else detail["msg"].removeprefix("Value error, ")
        )
        raise ChecklistProblem(where, reason) from None


DEFAULT_ACTION_POLICY = ActionPolicy()
"""No policy written: a No, a critical item below full marks, or an item score below 0.5
opens an action, due in 2 days (critical) or 14 (other)."""


DEFAULT_GRADES = (
    Grade(min=90, label="Excellent"),
    Grade(min=75, label="Good"),
    Grade(min=60, label="Fair"),
    Grade(min=0, label="Needs improvement"),
)


class Checklist(_Frozen):
    id: str = Field(pattern=_ID_PATTERN, max_length=64)
    version: int = Field(ge=1)
    title: LocalText
    languages: list[str] = Field(min_length=1)
    description: LocalText | None = None
    channel: (
        Literal["in_person", "phone", "email", "web_form", "social_media", "review_site", "on_site"]
        | None
    ) = None
    """The channel a visit with this checklist usually uses (the Channel values)."""
    pass_mark: float = Field(default=75, ge=0, le=100)
    grades: list[Grade] = Field(default_factory=lambda: list(DEFAULT_GRADES), min_length=1)
    critical_rule: CriticalRule = Field(default_factory=lambda: CriticalRule(kind="flag"))
    sections: list[Section] = Field(min_length=1)
    photo_on_fail: PhotoRule | None = None
    """``required``: every failed answer (one that opens a corrective action) must carry a
    photo when submitted; items may say otherwise. Evidence, not scoring: left out of
    ``content_hash``."""
    action_policy: ActionPolicy | None = None
    """Which failures open a corrective action, due by when (None: the default policy).
    Workflow, not scoring: left out of ``content_hash`` so that changing it needs no new
    version (and files without it keep their hash). The older ``action_due_days: {critical,
    other}`` is still read, as the policy's ``due_days``."""

    @model_validator(mode="before")
    @classmethod
    def _fold_due_days(cls, data: Any) -> Any:
        """Older files write ``action_due_days`` beside the policy: read it into it."""
        if not isinstance(data, dict) or "action_due_days" not in data:
            return data
        data = dict(data)
        due = _older_due_days(data.pop("action_due_days"))
        policy = data.get("action_policy")
        if policy is None:
            data["action_policy"] = {"due_days": due}
        elif isinstance(policy, dict) and "due_days" not in policy:
            data["action_policy"] = {**policy, "due_days": due}
        elif isinstance(policy, dict | ActionPolicy):
            raise ChecklistProblem(
                "action_due_days",
                _(
                    "the due days are written twice: keep them in action_policy.due_days "
                    "and remove action_due_days (the older form)"
                ),
            )
        return data

    @property
    def policy(self) -> ActionPolicy:
        """The action policy in force: the checklist's own, else the default."""
        return self.action_policy or DEFAULT_ACTION_POLICY

    @property
    def action_due_days(self) -> ActionDueDays | None:
        """The due days the checklist sets (None: the defaults); read by older callers."""
        return self.action_policy.due_days if self.action_policy is not None else None

    @model_validator(mode="after")
    def _checklist_rules(self) -> Checklist:
        for problem in _checklist_problems(self):
            raise problem
        return self

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> Checklist:
        """A copy whose derived values (hash, indexes) are computed afresh, not copied stale."""
        copied = super().model_copy(update=update, deep=deep)
        for name in (
            "content_hash",
            "items_by_id",
            "section_of",
            "sections_weighted",
            "scored_sections",
            "scoring_plan",
            "has_conditions",
        ):
            copied.__dict__.pop(name, None)
        return copied

    @property
    def language(self) -> str:
        """The checklist's first language: every text must exist in it."""
        return self.languages[0]

    @cached_property
    def sections_weighted(self) -> bool:
        """Sections carry explicit weights (evidence-only sections need none)."""
        return all(section.weight is not None for section in self.scored_sections)

    @cached_property
    def scored_sections(self) -> list[Section]:
        return [s for s in self.sections if any(item.scored for item in s.items)]

    @cached_property
    def scoring_plan(self) -> tuple[tuple[Section, tuple[Item, ...]], ...]:
        """Each section with its scored items, worked out once: scoring runs per audit."""
        return tuple(
            (section, tuple(item for item in section.items if item.scored))
            for section in self.sections
        )

    @cached_property
    def has_conditions(self) -> bool:
        """Some item or section carries ``applies_if`` (skip logic to work out per audit)."""
        return any(s.applies_if is not None for s in self.sections) or any(
            item.applies_if is not None for item in self.items
        )

    @cached_property
    def items_by_id(self) -> dict[str, Item]:
        return {item.id: item for section in self.sections for item in section.items}

    @cached_property
    def section_of(self) -> dict[str, str]:
        return {item.id: section.id for section in self.sections for item in section.items}

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON form in the first language.

        Translations are presentation: adding Catalan texts to a version does not change
        what its audits mean, so they are left out, as is the action policy (which failures
        open a corrective action, due when: ``action_policy`` and items' ``action``); every
        other change (a target, a weight, an item, the
        first-language wording) gives another hash.
        """
        data = self.model_dump(mode="json", exclude_none=True)
        canonical = json.dumps(
            _first_language_only(_without_workflow(data), self.language),
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def title_in(self, language: str | None = None) -> str:
        return localized(self.title, language, self.language)

    def grade_for(self, score: float) -> str:
        for grade in self.grades:
            if score >= grade.min:
                return grade.label
        return self.grades[-1].label

    def to_data(self) -> dict[str, Any]:
        """The form written to YAML: loading it again gives an equal checklist."""
        return self.model_dump(mode="json", exclude_none=True)


_TEXT_FIELDS = frozenset({"title", "text", "guidance", "label", "description"})


_WORKFLOW_KEYS = frozenset({"action_policy", "action", "photo_on_fail"})
"""What a checklist says about workflow (actions, evidence), not about scores."""


def _without_workflow(data: dict[str, Any]) -> dict[str, Any]:
    """The dumped checklist without its workflow: the action policy and the photo rule (the
    checklist's and the items')."""
    out = {key: value for key, value in data.items() if key not in _WORKFLOW_KEYS}
    out["sections"] = [
        {
            **section,
            "items": [
                {key: value for key, value in item.items() if key not in _WORKFLOW_KEYS}
                for item in section["items"]
            ],
        }
        for section in data["sections"]
    ]
    return out


def _first_language_only(data: Any, language: str) -> Any:
    """The dumped checklist with every text reduced to its first-language entry."""
    if isinstance(data, list):
        return [_first_language_only(value, language) for value in data]
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TEXT_FIELDS and isinstance(value, dict):
            out[key] = {language: value[language]} if language in value else value
        elif key == "languages":
            continue
        else:
            out[key] = _first_language_only(value, language)
    return out


def _checklist_problems(checklist: Checklist) -> list[ChecklistProblem]:
    problems: list[ChecklistProblem] = []
    base = checklist.language
    if len(set(checklist.languages)) != len(checklist.languages):
        problems.append(ChecklistProblem("languages", _("a language is listed twice")))

    def need_base(text: LocalText | None, where: str) -> None:
        if text is not None and base not in text:
            problems.append(
                ChecklistProblem(
                    where,
                    _("has no text in '{language}', the first language").format(language=base),
                )
            )

    need_base(checklist.title, "title")
    mins = [grade.min for grade in checklist.grades]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        problems.append(ChecklistProblem("grades", _("list the grades highest minimum first")))
    elif mins[-1] != 0:
        problems.append(
            ChecklistProblem(f"grades[{len(mins) - 1}].min", _("the last grade must start at 0"))
        )
    weighted = [
        section.weight is not None
        for section in checklist.sections
        if any(item.scored for item in section.items)
    ]
    if any(weighted) and not all(weighted):
        missing = next(
            s
            for s, section in enumerate(checklist.sections)
            if section.weight is None and any(item.scored for item in section.items)
        )
        problems.append(
            ChecklistProblem(
                f"sections[{missing}].weight",
                _("every section has a weight, or none has (some sections here have one)"),
            )
        )
    section_ids: set[str] = set()
    item_ids: dict[str, str] = {}
    for s, section in enumerate(checklist.sections):
        where = f"sections[{s}]"
        if section.id in section_ids:
            problems.append(
                ChecklistProblem(
                    f"{where}.id", _("section id '{section}' repeats").format(section=section.id)
                )
            )
        section_ids.add(section.id)
        need_base(section.title, f"{where}.title")
        if not any(item.scored for item in section.items) and section.weight is not None:
            problems.append(
                ChecklistProblem(
                    f"{where}.weight", _("a section with no scored items has a weight")
                )
            )
        for i, item in enumerate(section.items):
            at = f"{where}.items[{i}]"
            if item.id in item_ids:
                problems.append(
                    ChecklistProblem(
                        f"{at}.id",
                        _("item id '{item}' is already used at {place}").format(
                            item=item.id, place=item_ids[item.id]
                        ),
                    )
                )
            item_ids.setdefault(item.id, at)
            need_base(item.text, f"{at}.text")
            need_base(item.guidance, f"{at}.guidance")
            if isinstance(item, ChoiceItem):
                for o, option in enumerate(item.options):
                    need_base(option.label, f"{at}.options[{o}].label")
                if max(option.points for option in item.options) < 1:
                    problems.append(
                        ChecklistProblem(f"{at}.options", _("no option scores full points (1)"))
                    )
    problems.extend(_weight_problems(checklist))
    problems.extend(_condition_problems(checklist))
    if not any(item.scored for item in checklist.items):
        if any(item.unscored_question for item in checklist.items):
            reason = _("every question has weight 0: nothing to score")
        else:
            reason = _("the checklist has no scored item")
        problems.append(ChecklistProblem("sections", reason))
    return problems


def _weight_problems(checklist: Checklist) -> list[ChecklistProblem]:
    """Weight 0 keeps a question (or a section) out of the score; it may not empty one."""
    problems: list[ChecklistProblem] = []
    for s, section in enumerate(checklist.sections):
        asked = [item for item in section.items if item.type in SCORED_TYPES]
        if asked and not any(item.scored for item in asked):
            problems.append(
                ChecklistProblem(
                    f"sections[{s}].items",
                    _(
                        "every question of this section has weight 0: nothing to score "
                        "(give one a weight above 0, or move them to a scored section)"
                    ),
                )
            )
        for i, item in enumerate(section.items):
            if item.unscored_question and item.critical:
                problems.append(
                    ChecklistProblem(
                        f"sections[{s}].items[{i}].critical",
                        _("an item of weight 0 counts nowhere, so it cannot be critical"),
                    )
                )
    weights = [s.weight for s in checklist.scored_sections if s.weight is not None]
    if weights and len(weights) == len(checklist.scored_sections) and not any(weights):
        problems.append(
            ChecklistProblem("sections", _("every section has weight 0: nothing to score"))
        )
    return problems


def _condition_problems(checklist: Checklist) -> list[ChecklistProblem]:
    """``applies_if`` names an earlier item (so no cycle can form) of a type with answers to
    name, and values that item can take."""
    problems: list[ChecklistProblem] = []
    every = checklist.items_by_id
    earlier: dict[str, Item] = {}

    def check(condition: Condition | None, where: str, own_id: str | None) -> None:
        if condition is None:
            return
        target = condition.item
        if target == own_id:
            problems.append(ChecklistProblem(f"{where}.item", _("an item cannot depend on itself")))
            return
        if target not in every:
            problems.append(
                ChecklistProblem(
                    f"{where}.item",
                    _("there is no item '{item}' in this checklist").format(item=target),
                )
            )
            return
        if target not in earlier:
            problems.append(
                ChecklistProblem(
                    f"{where}.item",
                    _(
                        "item '{item}' comes later; a condition names an item asked before it"
                    ).format(item=target),
                )
            )
            return
        item = earlier[target]
        if item.type not in CONDITION_TYPES:
            problems.append(
                ChecklistProblem(
                    f"{where}.item",
                    _(
                        "item '{item}' is a {type} item; a condition names a yes_no, choice or "
                        "scale item"
                    ).format(item=target, type=item.type),
                )
            )
            return
        allowed = condition_values(item)
        for v, value in enumerate(condition.values):
            if value not in allowed:
                problems.append(
                    ChecklistProblem(
                        f"{where}.in[{v}]",
                        _(
                            "'{value}' is not an answer of item '{item}' (write one of: {allowed})"
                        ).format(value=value, item=target, allowed=", ".join(allowed)),
                    )
                )

    for s, section in enumerate(checklist.sections):
        check(section.applies_if, f"sections[{s}].applies_if", None)
        for i, item in enumerate(section.items):
            check(item.applies_if, f"sections[{s}].items[{i}].applies_if", item.id)
            earlier.setdefault(item.id, item)
    return problems


def condition_values(item: Item) -> list[str]:
    """The answer values a condition on ``item`` may name (as answers are stored)."""
    if isinstance(item, YesNoItem):
        return ["yes", "no"]
    if isinstance(item, ChoiceItem):
        return [option.value for option in item.options]
    if isinstance(item, ScaleItem):
        return [str(n) for n in range(item.min, item.max + 1)]
    return []
