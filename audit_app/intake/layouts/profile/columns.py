"""Which column holds what, per a profile, and a report of it in plain words: the columns
matched to items (and how), the checklist items no column answers, the columns not used,
and the columns the profile names that the file does not have.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from audit_app.domain.checklist import Checklist
from audit_app.domain.intake.model import column_letter
from audit_app.i18n import N_, _, formats, pgettext
from audit_app.intake.layouts.profile.matching import (
    ItemMatch,
    ItemMatcher,
    MatchHow,
    assign_one_to_one,
    header_key,
    question_id,
    question_key,
    text_similarity,
)
from audit_app.intake.layouts.profile.profile import MappingProfile

ROLE_LABELS = {
    "branch": N_("branch"),
    "branch_code": N_("branch code"),
    "branch_name": N_("branch name"),
    "visit_date": N_("visit date"),
    "visit_time": N_("visit time"),
    "auditor": N_("auditor"),
    "channel": N_("channel"),
    "kind": N_("audit kind"),
    "visit_reference": N_("visit reference"),
    "item_column": N_("question"),
    "value_column": N_("answer"),
    "comment_column": N_("comment"),
    "closed_column": N_("closed marker"),
}
"""A role as people read it: ``_(ROLE_LABELS[role])`` shows it in the current language."""


def _layout_word(layout: str) -> str:
    """A profile's layout as people read it (the profile keeps its id: ``wide``)."""
    words = {
        "wide": pgettext("file layout", "wide"),
        "long": pgettext("file layout", "long"),
        "rows": pgettext("file layout", "rows"),
        "lines": pgettext("file layout", "lines"),
    }
    return words.get(layout, layout)


@dataclass(frozen=True)
class ColumnMatch:
    """One column (wide) or question (long) and the item it answers."""

    header: str
    column: str | None
    """The column letter in a workbook (``E``); None for a question of a long layout."""
    item_id: str
    how: MatchHow
    ratio: float | None = None

    @property
    def how_found(self) -> str:
        """How the match was made and, for a similarity, its confidence."""
        if self.how == "profile":
            return _("named in the profile")
        if self.how == "question_id":
            return _("by question id {id}").format(id=question_id(self.header))
        if self.how == "id":
            return _("by item id")
        if self.how == "text":
            return _("by question text")
        return _("by similarity {ratio}").format(ratio=formats.decimal(self.ratio or 0, 2))

    def describe(self) -> str:
        place = f"{self.column} " if self.column else ""
        return f"{place}'{self.header}' -> {self.item_id} ({self.how_found})"


@dataclass(frozen=True)
class MatchReport:
    """What a profile found in a file's header, to read before importing with it."""

    checklist: str
    layout: str
    header_row: int | None
    roles: dict[str, str] = field(default_factory=dict)
    """Role (branch_code, visit_date, ...) -> the header text found for it."""
    matches: tuple[ColumnMatch, ...] = ()
    unmatched_items: tuple[str, ...] = ()
    unmatched_required: tuple[str, ...] = ()
    """Unmatched items that every visit must answer: an import is refused until they map."""
    unused_columns: tuple[str, ...] = ()
    missing_columns: tuple[str, ...] = ()
    """Columns the profile names that the header lacks, as ``role: 'header'``."""
    unknown_items: tuple[str, ...] = ()
    """Item ids the profile names that the checklist does not have."""
    problems: tuple[str, ...] = ()
    """What stops the file from being read at all (no branch or date column, ...)."""
    guessed: tuple[str, ...] = ()
    """What the wizard guessed or was given beyond the header (a date in the file name)."""
    unknown_words: tuple[str, ...] = ()
    """Answer words, kinds or channels in the cells that nothing reads yet: to map."""
    needed: tuple[str, ...] = ()
    """Visit roles (branch, visit_date, auditor) the user must supply: no column, no
    constant, no value from the file."""

    @property
    def ok(self) -> bool:
        return not (self.missing_columns or self.unknown_items or self.problems)

    def lines(self) -> list[str]:
        """The report in plain words, one line each."""
        layout = _layout_word(self.layout)
        if self.header_row:
            first = _("Checklist {checklist}, {layout} layout, header in row {row}.").format(
                checklist=self.checklist, layout=layout, row=self.header_row
            )
        else:
            first = _("Checklist {checklist}, {layout} layout, no header found.").format(
                checklist=self.checklist, layout=layout
            )
        out = [first]  # the Import page shows this line; the others are the CLI's
        for role, header in self.roles.items():
            out.append(f"  {ROLE_LABELS.get(role, role)}: '{header}'")
        out.append(f"Items matched: {len(self.matches)}")
        out.extend(f"  {match.describe()}" for match in self.matches)
        if self.unmatched_required:
            out.append(
                "WARNING: required items without a column (imports will be refused until "
                f"they are mapped under items:): {', '.join(self.unmatched_required)}"
            )
        optional = [i for i in self.unmatched_items if i not in self.unmatched_required]
        if optional:
            out.append(f"Optional items without a column: {', '.join(optional)}")
        if self.unused_columns:
            shown = ", ".join(f"'{c}'" for c in self.unused_columns)
            out.append(f"Columns not used: {shown}")
        if self.missing_columns:
            out.append(
                "Named in the profile but not in the file: " + "; ".join(self.missing_columns)
            )
        if self.unknown_items:
            out.append(f"Not items of {self.checklist}: {', '.join(self.unknown_items)}")
        out.extend(f"Guessed: {guess}" for guess in self.guessed)
        out.extend(f"Not understood: {word}" for word in self.unknown_words)
        if self.needed:
            hints = {"branch": "BRANCH_CODE", "visit_date": "2025-05-01", "auditor": '"Agency X"'}
            out.append(
                "You must supply (the file does not say): "
                + ", ".join(f"{ROLE_LABELS.get(r, r)} (--set {r}={hints[r]})" for r in self.needed)
            )
        out.extend(f"Problem: {problem}" for problem in self.problems)
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


@dataclass(frozen=True)
class ColumnPlan:
    """Where a reader finds each thing, as column indexes of the grid's rows."""

    roles: dict[str, int]
    items: tuple[tuple[int, str], ...]
    """Wide layout: (column, item id) per answer column, in column order."""
    questions: dict[str, str]
    """Long layout: question key (``question_key``) -> item id, as the profile names them."""
    report: MatchReport
    comments: tuple[tuple[int, str], ...] = ()
    """Wide layout: (column, item id) per comment column the profile names."""

    def role(self, name: str) -> int | None:
        return self.roles.get(name)


def plan_columns(
    profile: MappingProfile,
    header: Sequence[str],
    checklist: Checklist,
    *,
    first_column: int = 0,
    header_row: int | None = None,
    questions: Sequence[Any] = (),
) -> ColumnPlan:
    """Resolve the profile's columns against one header row (texts, in column order)."""
    keys = [header_key(text) for text in header]
    position: dict[str, int] = {}
    for index, key in enumerate(keys):
        if key:
            position.setdefault(key, index)
    used: set[int] = set()
    roles: dict[str, int] = {}
    found_roles: dict[str, str] = {}
    missing: list[str] = []
    named = dict(profile.columns.given())
    if profile.long is not None and profile.layout == "long":
        named.update({k: v for k, v in profile.long.model_dump().items() if v})
    if profile.skip.closed_column:
        named["closed_column"] = profile.skip.closed_column
    for role, text in named.items():
        found_at = position.get(header_key(text))
        if found_at is None:
            missing.append(f"{_(ROLE_LABELS.get(role, role))}: '{text}'")
            continue
        index = found_at
        roles[role] = index
        found_roles[role] = header[index]
        used.add(index)

    items = checklist.items_by_id
    unknown: list[str] = []
    matches: list[ColumnMatch] = []
    item_columns: list[tuple[int, str]] = []
    comment_columns: list[tuple[int, str]] = []
    question_ids: dict[str, str] = {}
    problems = _problems(profile)
    if profile.layout == "wide":
        assigned = _wide_items(profile, header, keys, position, used, checklist, missing, unknown)
        first_column_of: dict[str, int] = {}
        for index, match in sorted(assigned.items()):
            if match.item_id in first_column_of:
                problems.append(
                    _(
                        "item {item} is named for two columns, '{first}' and '{second}'; "
                        "map only one of them"
                    ).format(
                        item=match.item_id,
                        first=header[first_column_of[match.item_id]],
                        second=header[index],
                    )
                )
                continue
            first_column_of[match.item_id] = index
            item_columns.append((index, match.item_id))
            used.add(index)
            matches.append(
                ColumnMatch(
                    header[index],
                    column_letter(first_column + index),
                    match.item_id,
                    match.how,
                    match.ratio,
                )
            )
        comment_columns = _comment_columns(profile, position, used, items, missing, unknown)
    else:
        if isinstance(profile.items, dict):
            for text, item_id in profile.items.items():
                if item_id not in items:
                    unknown.append(item_id)
                else:
                    question_ids[question_key(text)] = item_id
                    qid = question_id(text, bare=True)
                    if qid:
                        question_ids[f"#{qid}"] = item_id
        matches = _long_matches(profile, questions, question_ids, checklist)

    answered = {match.item_id for match in matches}
    report = MatchReport(
        checklist=f"{checklist.id} v{checklist.version}",
        layout=profile.layout,
        header_row=header_row,
        roles=found_roles,
        matches=tuple(matches),
        unmatched_items=tuple(i for i in items if i not in answered),
        unmatched_required=tuple(
            item.id for item in checklist.items if item.is_required and item.id not in answered
        ),
        unused_columns=tuple(text for i, text in enumerate(header) if text and i not in used),
        missing_columns=tuple(missing),
        unknown_items=tuple(dict.fromkeys(unknown)),
        problems=tuple(problems),
    )
    return ColumnPlan(roles, tuple(item_columns), question_ids, report, tuple(comment_columns))


def _comment_columns(
    profile: MappingProfile,
    position: dict[str, int],
    used: set[int],
    items: dict[str, Any],
    missing: list[str],
    unknown: list[str],
) -> list[tuple[int, str]]:
    """(column, item id) per ``comments`` entry whose column is in the header."""
    found = []
    for text, item_id in profile.comments.items():
        index = position.get(header_key(text))
        if item_id not in items:
            unknown.append(item_id)
        elif index is None:
            missing.append(_("comment of {item}: '{column}'").format(item=item_id, column=text))
        else:
            found.append((index, item_id))
            used.add(index)
    return found


def match_report(
    profile: MappingProfile,
    header: Sequence[str],
    checklist: Checklist,
    *,
    questions: Sequence[Any] = (),
    first_column: int = 0,
    header_row: int | None = None,
) -> MatchReport:
    """Which columns (or, in a long layout, which ``questions``) answer which items, which
    items got none, which columns were not used, what the profile names that is missing."""
    return plan_columns(
        profile,
        header,
        checklist,
        first_column=first_column,
        header_row=header_row,
        questions=questions,
    ).report


def _wide_items(
    profile: MappingProfile,
    header: Sequence[str],
    keys: list[str],
    position: dict[str, int],
    used: set[int],
    checklist: Checklist,
    missing: list[str],
    unknown: list[str],
) -> dict[int, ItemMatch]:
    items = checklist.items_by_id
    if isinstance(profile.items, dict):
        return _named_items(profile, header, position, used, items, missing, unknown)
    matcher = ItemMatcher(checklist, profile.similarity)
    candidates = []
    for index, text in enumerate(header):
        if index in used or not keys[index]:
            continue
        match = matcher.exact(text)
        if match is not None:
            candidates.append((index, match))
    exact = assign_one_to_one(candidates)
    taken = {match.item_id for match in exact.values()}
    for index, text in enumerate(header):
        if index in used or index in exact or not keys[index]:
            continue
        match = matcher.similar(text)
        if match is not None and match.item_id not in taken:
            candidates.append((index, match))
    return assign_one_to_one(candidates)


def _named_items(
    profile: MappingProfile,
    header: Sequence[str],
    position: dict[str, int],
    used: set[int],
    items: Any,
    missing: list[str],
    unknown: list[str],
) -> dict[int, ItemMatch]:
    """The profile's ``items:`` against the header: by the header text, else by the
    question id the key and a header share (``"759215"`` or ``(759215) old wording``),
    else by text similarity of at least ``similarity``: one profile reads every wave."""
    ids: dict[str, int] = {}
    for column, text in enumerate(header):
        qid = question_id(text)
        if qid and column not in used:
            ids.setdefault(qid, column)
    assigned: dict[int, ItemMatch] = {}
    unplaced: list[tuple[str, str]] = []
    for text, item_id in profile.items.items():  # type: ignore[union-attr]
        if item_id not in items:
            unknown.append(item_id)
            continue
        qid = question_id(text, bare=True)
        index: int | None = ids.get(qid) if qid else None
        if index is not None and index not in assigned:
            assigned[index] = ItemMatch(item_id, "question_id")
            continue
        index = position.get(header_key(text))
        if index is not None and index not in assigned:
            assigned[index] = ItemMatch(item_id, "profile")
        else:
            unplaced.append((text, item_id))
    for text, item_id in unplaced:
        best: tuple[float, int] | None = None
        only_an_id = question_id(text) is None and question_id(text, bare=True) is not None
        if not only_an_id:
            for index, other in enumerate(header):
                if index in used or index in assigned or not other:
                    continue
                ratio = text_similarity(text, other)
                if ratio >= profile.similarity and (best is None or ratio > best[0]):
                    best = (ratio, index)
        if best is None:
            missing.append(f"{item_id}: '{text}'")
        else:
            assigned[best[1]] = ItemMatch(item_id, "similarity", round(best[0], 3))
    return assigned


def _long_matches(
    profile: MappingProfile,
    questions: Sequence[Any],
    named: dict[str, str],
    checklist: Checklist,
) -> list[ColumnMatch]:
    resolve = QuestionResolver(profile, checklist, named)
    matches: list[ColumnMatch] = []
    seen: set[str] = set()
    for question in questions:
        text = str(question).strip()
        if not text or question_key(text) in seen:
            continue
        seen.add(question_key(text))
        match = resolve(text)
        if match is not None:
            matches.append(ColumnMatch(text, None, match.item_id, match.how, match.ratio))
    return matches


class QuestionResolver:
    """A long layout's question cell -> item: as the profile names it, else by id, else
    (``items: auto``) by text or similarity. Remembers each distinct question."""

    def __init__(
        self, profile: MappingProfile, checklist: Checklist, named: dict[str, str]
    ) -> None:
        self.named = named
        self.auto = profile.items == "auto"
        self.matcher = ItemMatcher(checklist, profile.similarity)
        self.cache: dict[Any, ItemMatch | None] = {}

    def __call__(self, question: Any) -> ItemMatch | None:
        found = self.cache.get(question, False)
        if found is False:
            found = self._resolve(question)
            self.cache[question] = found
        return found  # type: ignore[return-value]

    def _resolve(self, question: Any) -> ItemMatch | None:
        qid = question_id(question)
        if qid and f"#{qid}" in self.named:
            return ItemMatch(self.named[f"#{qid}"], "question_id")
        named = self.named.get(question_key(question))
        if named is not None:
            return ItemMatch(named, "profile")
        exact = self.matcher.exact(question)
        if exact is not None and (self.auto or exact.how == "id"):
            return exact
        return self.matcher.similar(question) if self.auto else None


def _problems(profile: MappingProfile) -> list[str]:
    """What the profile does not say at all (a named but missing column is reported as
    missing instead)."""
    columns = profile.columns
    problems = []
    if not columns.branch_code and not columns.branch_name and not profile.supplies("branch"):
        problems.append(
            _(
                "no column gives the branch: set columns.branch_code (or columns.branch_name), "
                "defaults.branch or values.branch"
            )
        )
    if not columns.visit_date and not profile.supplies("visit_date"):
        problems.append(
            _(
                "no column gives the visit date: set columns.visit_date, defaults.visit_date "
                "(--set visit_date=2025-05-01) or values.visit_date (from the file name, a sheet "
                "name or a cell)"
            )
        )
    if not columns.auditor and not profile.supplies("auditor"):
        problems.append(
            _(
                "no column gives the auditor: set columns.auditor, defaults.auditor "
                '(--set auditor="Agency X") or values.auditor'
            )
        )
    return problems
