"""A mapping profile: how to read one agency's or franchisee's workbook layout, saved as
YAML so that next month's file is read the same way.

The profile says where things are (sheet, header row, which column is the branch, the
date, the auditor, which column or question answers which checklist item), what to skip
(subtotals, separators, stores marked closed) and how answers are written (extra words,
percentages as fractions, date formats). Loading validates it and names the place of
every problem.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from audit_app.checklists import format_location
from audit_app.domain.intake.dates import DEFAULT_DATE_FORMATS
from audit_app.domain.intake.vocabulary import CLOSED_MARKERS, PercentScale, Vocabulary
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.intake.layouts.profile.pattern_safety import nested_repetition

PROFILE_SUFFIXES = (".yaml", ".yml")
DEFAULT_SUBTOTAL_PATTERN = (
    r"(?i)^\s*(grand\s+|sub-?\s*)?(totals?|average|mean|media|mitjana|medie|ortalama|toplam"
    r"|promedio|gesamt|summe|durchschnitt|suma|total\s+general)\b\s*[:\-–]?\s*\S*\s*$"
)
"""A label that is a subtotal word alone or with one qualifier (``Total``, ``Subtotal
North``, ``Average:``, ``Gesamt``), not a business whose name starts with one (``Total Wine
& More``, ``Mean Street Deli``)."""


class ProfileError(AuditAppError):
    """A profile that cannot be used: the file, the place inside it and the reason."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnRoles(_Model):
    """Header texts of the columns that say which visit a row belongs to."""

    branch_code: str | None = None
    branch_name: str | None = None
    """Used when there is no code column, or the code cell is empty."""
    visit_date: str | None = None
    visit_time: str | None = None
    auditor: str | None = None
    channel: str | None = None
    kind: str | None = None
    visit_reference: str | None = None
    """The visit's id in the agency's system (a review number): stored with the audit, and
    part of the visit's key, so two visits of one store on one day are two audits."""

    def given(self) -> dict[str, str]:
        """Role -> header text, for the roles this profile names."""
        return {role: header for role, header in self if header}


VisitRole = Literal["branch", "visit_date", "visit_time", "auditor", "channel", "kind"]
"""What a constant or a value taken from the file can give: a visit's cells."""


def _as_text(value: Any) -> Any:
    """YAML reads ``2025-05-01`` as a date, ``yes`` as a boolean and ``12`` as a number:
    a profile's value is text as the file would hold it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time | int | float):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value


def _equals_texts(value: Any) -> Any:
    """An ``equals:`` of one text or a list; a number (``equals: 0``) or YAML's unquoted
    yes / no is the text the cell shows."""
    if isinstance(value, list):
        return [_as_text(v) for v in value]
    return (_as_text(value),) if isinstance(value, str | int | float) else value


class VisitDefaults(_Model):
    """Constants for visits whose file has no such column (or an empty cell): the branch's
    code, the visit date (a date, or a month: ``May 2025`` is its first day), the time,
    the auditor (an agency's name), the channel and the audit kind."""

    branch: str | None = None
    visit_date: str | None = None
    visit_time: str | None = None
    auditor: str | None = None
    channel: str | None = None
    kind: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _as_text(value)

    def given(self) -> dict[str, str]:
        return {role: value for role, value in self if value}


class ValueSource(_Model):
    """A visit's value read from the file's name, its sheet's name or one cell, by an
    optional regular expression (its first group, else the whole match) and an optional
    map from what was found to the value (``Wave 2`` -> ``2025-05-01``); without a
    pattern, a map key found as words in the text picks its value."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: Literal["file_name", "sheet_name", "cell"] = Field(alias="from")
    cell: str | None = None
    """``B2`` on the profile's sheet, or ``Sheet name!B2``."""
    pattern: str | None = None
    map: dict[str, str] = Field(default_factory=dict)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        return _compiled(pattern)

    @field_validator("map", mode="before")
    @classmethod
    def _texts(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {str(_as_text(key)): _as_text(value) for key, value in data.items()}
        return data

    @field_validator("cell")
    @classmethod
    def _cell_ref(cls, ref: str | None) -> str | None:
        if ref is not None and not re.fullmatch(r"(?:.+!)?\$?[A-Za-z]{1,3}\$?\d+", ref.strip()):
            raise ValueError(
                _("'{ref}' is not a cell (write e.g. B2 or Summary!B2)").format(ref=ref)
            )
        return ref

    @model_validator(mode="after")
    def _cell_for_cell(self) -> ValueSource:
        if self.source == "cell" and not self.cell:
            raise ValueError(_("a value taken from a cell needs cell: B2 (or Sheet!B2)"))
        return self


class LongLayout(_Model):
    """Where the question, the answer and the comment sit in a one-row-per-answer file."""

    item_column: str
    value_column: str
    comment_column: str | None = None


RowRole = Literal[
    "branch_code", "branch_name", "visit_date", "visit_time", "auditor", "channel", "kind"
]
"""A visit field a row (or the header) of a questions-in-rows sheet gives."""


class RowsLayout(_Model):
    """Questions in rows, one column per visit or per month (a monthly QA workbook): the
    header row labels each visit column; rows labelled in the question column (``Store``,
    ``Auditor``, ``Date``) carry the visit's fields."""

    question_column: str
    """The header text over the questions."""
    number_column: str | None = None
    """A question-number column beside it (its cells may name the item instead)."""
    fields: dict[RowRole, str] = Field(default_factory=dict)
    """Role -> the label of the row that gives it per visit column."""
    header_gives: RowRole | None = None
    """What the visit columns' header labels are (``visit_date``: a month label such as
    ``Jan 2025`` is its first day); None: only labels."""


class Condition(_Model):
    """Which rows count for a ``share`` or ``count`` rule: a cell equal to one of
    ``equals`` (any case), at least / at most a number, matching a pattern, or filled."""

    equals: tuple[str, ...] = ()
    at_least: float | None = None
    at_most: float | None = None
    matches: str | None = None
    filled: bool | None = None

    @field_validator("equals", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _equals_texts(value)

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        return _compiled(pattern)

    @model_validator(mode="after")
    def _says_what(self) -> Condition:
        told = (self.equals, self.at_least, self.at_most, self.matches, self.filled)
        if not any(v not in ((), None) for v in told):
            raise ValueError(_("a condition needs equals, at_least, at_most, matches or filled"))
        return self


class AggregateRule(_Model):
    """How one item's answer comes from a visit's rows: ``mean``, ``sum``, ``min``,
    ``max`` of a numeric column, ``count`` of filled rows (or rows meeting ``where``),
    ``share`` of rows meeting ``where`` among the rows whose cell is filled (a fraction
    0..1), or ``first``: the visit's first filled cell (a visit-level answer)."""

    column: str
    rule: Literal["mean", "sum", "min", "max", "count", "share", "first"]
    where: Condition | None = None

    @model_validator(mode="after")
    def _share_needs_where(self) -> AggregateRule:
        if self.rule == "share" and self.where is None:
            raise ValueError(_("the share rule needs where: {equals: ...} (which rows count)"))
        return self


class LinesLayout(_Model):
    """Many rows per visit (one per product on a shelf), grouped into one visit by key
    columns, each item's answer aggregated from its column by a rule."""

    keys: tuple[str, ...] = ()
    """Header texts of the columns that say which visit a row belongs to; empty: the
    visit role columns (branch, date, time, auditor)."""
    aggregate: dict[str, AggregateRule] = Field(default_factory=dict)
    """Item id -> its rule."""


class SkipRule(_Model):
    """An explicit rule: rows whose cell in ``column`` equals one of ``equals`` (any case,
    spacing ignored) or matches the regular expression ``matches`` are left out, whatever
    they hold, and listed. The only way to leave out a row that names a known branch and
    holds answers."""

    column: str
    equals: tuple[str, ...] = ()
    matches: str | None = None

    @field_validator("equals", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return _equals_texts(value)

    @field_validator("matches")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        return _compiled(pattern)

    @model_validator(mode="after")
    def _says_what(self) -> SkipRule:
        if not self.equals and self.matches is None:
            raise ValueError(_("a skip rule needs equals: TEXT (or a list) or matches: PATTERN"))
        return self


class SkipRules(_Model):
    """Rows that are not visits: left out and listed with their reason.

    The heuristics (subtotal labels, closed markers) look only at the branch columns, or
    the declared ``closed_column``, and never leave out a row that names a known branch
    and holds answers; ``rules`` are explicit and do."""

    rules: tuple[SkipRule, ...] = ()
    subtotal_pattern: str | None = DEFAULT_SUBTOTAL_PATTERN
    """A regular expression searched in the branch code and name cells."""
    closed_markers: tuple[str, ...] = CLOSED_MARKERS
    """A cell holding one of these (any case, optionally followed by a reason) marks a
    store that was not visited."""
    closed_column: str | None = None
    """Header of a status column to look in for the markers, besides the branch columns."""

    @model_validator(mode="before")
    @classmethod
    def _list_is_rules(cls, data: Any) -> Any:
        """``skip: [{column: Final Score, equals: Closed}]`` is short for ``skip: {rules:
        [...]}``."""
        return {"rules": data} if isinstance(data, list) else data

    @field_validator("subtotal_pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        return _compiled(pattern)


def _compiled(pattern: str | None) -> str | None:
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ValueError(
                _("not a valid regular expression ({reason})").format(reason=error)
            ) from None
        if nested_repetition(pattern):
            raise ValueError(
                _(
                    "a repetition inside a repetition (as in (a+)+) can take minutes on one "
                    "cell; write it without the outer repetition"
                )
            )
    return pattern


class AnswerWords(_Model):
    """Words this file uses beyond the built-in Yes / No / N/A lists."""

    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    na: tuple[str, ...] = ()
    map: dict[str, str] = Field(default_factory=dict)
    """The file's words -> what they mean: ``{Fatal: "no", Met: "yes", Partly: half}``
    (an option value, a number, or yes / no / na)."""

    @model_validator(mode="before")
    @classmethod
    def _yaml_booleans(cls, data: Any) -> Any:
        """YAML reads an unquoted ``yes:`` or ``no:`` (and ``- Yes``) as a boolean."""
        if not isinstance(data, dict):
            return data
        if isinstance(data.get("map"), dict):
            data = {
                **data,
                "map": {str(_as_text(k)): _as_text(v) for k, v in data["map"].items()},
            }
        named = {
            "yes" if key is True else "no" if key is False else key: words
            for key, words in data.items()
        }
        return {
            key: [("yes" if w is True else "no" if w is False else w) for w in words]
            if isinstance(words, list)
            else words
            for key, words in named.items()
        }


class MappingProfile(_Model):
    """How to read one layout we did not design. ``items`` maps a column header (wide) or a
    question text or id (long) to an item id, or is ``auto``: matched by item id, by
    question text, or by similarity of at least ``similarity``."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", max_length=80)
    checklist: str = Field(pattern=r"^[a-z0-9][a-z0-9_\-]*(@\d+)?$")
    """A checklist id (its current version) or ``id@version``."""
    description: str | None = None
    sheet: str | int = 0
    """A sheet name, or its position (0 is the first sheet)."""
    layout: Literal["wide", "long", "rows", "lines"] = "wide"
    header_row: int | Literal["auto"] = "auto"
    """The header's row number as the spreadsheet shows it, or found automatically."""
    columns: ColumnRoles = ColumnRoles()
    defaults: VisitDefaults = VisitDefaults()
    items: dict[str, str] | Literal["auto"] = "auto"
    similarity: float = Field(default=0.8, gt=0, le=1)
    comments: dict[str, str] = Field(default_factory=dict)
    """Wide layout: a comment column's header (``Returns / Comment``) -> the item it
    comments on; its cell is kept as that answer's comment."""
    long: LongLayout | None = None
    rows: RowsLayout | None = None
    lines: LinesLayout | None = None
    skip: SkipRules = SkipRules()
    values: dict[VisitRole, ValueSource] = Field(default_factory=dict)
    """Visit values the file holds outside its rows: ``values: {visit_date: {from:
    file_name, pattern: ...}}``. A column's non-empty cell comes first, then this, then
    ``defaults``."""
    answers: AnswerWords = AnswerWords()
    kinds: dict[str, str] = Field(default_factory=dict)
    """The file's audit kinds -> ours: ``{"Routine Inspection": inspection}``."""
    channels: dict[str, str] = Field(default_factory=dict)
    """The file's channels -> ours: ``{"Walk-in": in_person}``."""
    percent_scale: PercentScale = "auto"
    percent_columns: dict[str, Literal["percent", "fraction"]] = Field(default_factory=dict)
    """Per column (its header text, or the item id): how its numbers are meant, where
    ``auto`` finds fractions and percentages in one column."""
    date_formats: tuple[str, ...] = DEFAULT_DATE_FORMATS

    @field_validator("items", "kinds", "channels", "percent_columns", mode="before")
    @classmethod
    def _keys_as_text(cls, data: Any) -> Any:
        """``759215: fitting.clean`` (a question id YAML reads as a number) or ``Yes: ...``
        is keyed by the text the file shows."""
        if isinstance(data, dict):
            return {str(_as_text(key)): _as_text(value) for key, value in data.items()}
        return data

    @field_validator("header_row")
    @classmethod
    def _positive_row(cls, row: int | str) -> int | str:
        if isinstance(row, int) and row < 1:
            raise ValueError(_("rows are numbered from 1, as the spreadsheet shows them"))
        return row

    @model_validator(mode="after")
    def _long_for_long_layout(self) -> MappingProfile:
        if self.layout == "long" and self.long is None:
            raise ValueError(_("the long layout needs long: {item_column: ..., value_column: ...}"))
        if self.layout == "rows" and self.rows is None:
            raise ValueError(_("the rows layout needs rows: {question_column: ...}"))
        if self.layout == "lines" and self.lines is None:
            raise ValueError(_("the lines layout needs lines: {aggregate: {ITEM: {column: ...}}}"))
        return self

    @property
    def checklist_id(self) -> str:
        return self.checklist.partition("@")[0]

    @property
    def checklist_version(self) -> int | None:
        version = self.checklist.partition("@")[2]
        return int(version) if version else None

    def vocabulary(
        self,
        fraction_items: frozenset[str] = frozenset(),
        percent_items: frozenset[str] = frozenset(),
    ) -> Vocabulary:
        """The answer conventions the importer applies to this file's cells."""
        return Vocabulary(
            yes=self.answers.yes,
            no=self.answers.no,
            na=self.answers.na,
            percent_scale=self.percent_scale,
            fraction_items=fraction_items,
            percent_items=percent_items,
            date_formats=self.date_formats,
            answer_map=dict(self.answers.map),
        )

    def supplies(self, role: str) -> bool:
        """Whether a constant or a value from the file gives ``role`` (``branch`` for the
        branch code or name) when no column does."""
        return bool(getattr(self.defaults, role, None)) or role in self.values

    def roles_missing(self) -> list[str]:
        """The visit roles every import needs (branch, visit_date, auditor) that neither a
        column, a constant nor a value from the file gives: asked for at import."""
        columns = self.columns
        by_column = {
            "branch": bool(columns.branch_code or columns.branch_name),
            "visit_date": bool(columns.visit_date),
            "auditor": bool(columns.auditor),
        }
        if self.layout == "rows" and self.rows is not None:  # rows of the sheet, or its header
            for role in (*self.rows.fields, self.rows.header_gives):
                if role is not None:
                    by_column["branch" if role.startswith("branch_") else role] = True
        return [role for role, given in by_column.items() if not given and not self.supplies(role)]

    def with_constants(self, constants: dict[str, str]) -> MappingProfile:
        """This profile with ``constants`` as its defaults (``--set auditor=...``),
        replacing its defaults and its ``values:`` sources for those roles (a column's
        non-empty cell still comes first)."""
        if not constants:
            return self
        try:
            defaults = VisitDefaults.model_validate({**self.defaults.given(), **constants})
        except ValidationError:
            known = ", ".join(VisitDefaults.model_fields)
            raise ProfileError(
                _("constants are given for {fields} only").format(fields=known)
            ) from None
        values = {role: source for role, source in self.values.items() if role not in constants}
        return self.model_copy(update={"defaults": defaults, "values": values})

    @property
    def content_hash(self) -> str:
        """The profile's identity beside its name: the same file read through an edited
        profile is another import."""
        return hashlib.sha256(dump_profile(self).encode("utf-8")).hexdigest()

    def to_data(self) -> dict[str, Any]:
        """The form written to YAML: loading it again gives an equal profile."""
        data = self.model_dump(mode="json", exclude_none=True, by_alias=True)
        for added in ("values", "kinds", "channels", "comments"):  # absent as before: same hash
            if not data.get(added):
                data.pop(added, None)
        for source in data.get("values", {}).values():
            if not source.get("map"):
                source.pop("map", None)
        if not data["answers"].get("map"):
            data["answers"].pop("map", None)
        return data


def parse_profile(data: Any, source: Path | str = "<profile>") -> MappingProfile:
    if not isinstance(data, dict):
        raise ProfileError(
            _("{source}: a mapping profile is one YAML mapping (name: ..., ...)").format(
                source=source
            )
        )
    try:
        return MappingProfile.model_validate(data)
    except ValidationError as error:
        problems = []
        for detail in error.errors(include_url=False):
            where = format_location(detail["loc"])
            message = detail["msg"].removeprefix("Value error, ")
            if detail["type"] == "extra_forbidden":
                message = _("is not a known field (check the spelling)")
            elif detail["type"] == "missing":
                message = _("is required")
            problems.append(f"{where}: {message}" if where else message)
        raise ProfileError(f"{source}: " + "; ".join(problems)) from None


def dump_profile(profile: MappingProfile) -> str:
    return yaml.safe_dump(profile.to_data(), allow_unicode=True, sort_keys=False, width=100)


def profile_path(name_or_path: str | Path, folder: Path | str) -> Path:
    """A ``.yaml`` path as given, else ``folder/NAME.yaml``."""
    candidate = Path(name_or_path)
    if candidate.suffix.lower() in PROFILE_SUFFIXES or candidate.is_file():
        return candidate
    return Path(folder) / f"{name_or_path}.yaml"


def load_profile(name_or_path: str | Path, folder: Path | str) -> MappingProfile:
    """A profile by name (``folder/NAME.yaml``) or by path."""
    path = profile_path(name_or_path, folder)
    if not path.is_file():
        known = sorted(p.stem for p in Path(folder).glob("*.y*ml")) if Path(folder).is_dir() else []
        hint = f" (saved profiles: {', '.join(known)})" if known else " (no profiles saved yet)"
        raise ProfileError(f"no mapping profile {str(name_or_path)!r} at {path}{hint}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ProfileError(f"{path}: cannot be read ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error)
        raise ProfileError(f"{path}: not valid YAML{where}: {reason}") from None
    return parse_profile(data, path)


def save_profile(profile: MappingProfile, destination: Path | str) -> Path:
    """Write ``profile`` to a ``.yaml`` path, or into a folder as ``NAME.yaml``."""
    destination = Path(destination)
    path = (
        destination
        if destination.suffix.lower() in PROFILE_SUFFIXES
        else (destination / f"{profile.name}.yaml")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_profile(profile), encoding="utf-8")
    return path
