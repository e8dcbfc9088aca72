"""Recompute an audit's scores from its stored answers and pinned checklist version, and
name every stored figure that disagrees (the item, section and overall scores, the grade,
pass and the critical flag): a changed score moves a branch in every comparison."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from audit_app.domain.answers import InvalidAnswer, answers_from_stored
from audit_app.domain.audit import AnswerValue
from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import ScoreCard, score_checked
from audit_app.storage.tables import audit_scores, checklist_versions, section_scores

StoredAnswer = tuple[str, str | None, bool, str | None, float | None]
"""(item id, value as stored text, N/A, comment, item score)."""


class ScoreChecker:
    """Reads the checklist versions once; :meth:`load` reads the stored scores of one range
    of audits, then each audit of it is checked as its answers stream."""

    def __init__(self, conn: Connection) -> None:
        self._checklists: dict[int, Checklist | None] = {}
        self._memo: dict[int, dict[tuple[str, Any], AnswerValue]] = {}
        self._definitions = {
            row.id: row.definition
            for row in conn.execute(
                select(checklist_versions.c.id, checklist_versions.c.definition)
            )
        }
        self._overall: dict[int, Any] = {}
        self._sections: dict[int, dict[str, float | None]] = {}
        self._weights: dict[tuple[int, str], float] = {}

    def load(self, conn: Connection, after: int | None = None, upto: int | None = None) -> None:
        """The stored scores of the audits ``after < id <= upto`` (None: no bound), in place
        of those loaded before."""
        self._overall = {
            row.audit_id: row
            for row in conn.execute(
                select(
                    audit_scores.c.audit_id,
                    audit_scores.c.overall,
                    audit_scores.c.raw_overall,
                    audit_scores.c.grade,
                    audit_scores.c.passed,
                    audit_scores.c.critical_failure,
                ).where(*_between(audit_scores.c.audit_id, after, upto))
            )
        }
        self._sections = {}
        self._weights = {}
        for audit_id, section_id, score, weight in conn.execute(
            select(
                section_scores.c.audit_id,
                section_scores.c.section_id,
                section_scores.c.score,
                section_scores.c.weight,
            ).where(*_between(section_scores.c.audit_id, after, upto))
        ):
            self._sections.setdefault(audit_id, {})[section_id] = score
            self._weights[(audit_id, section_id)] = weight

    def scored(self, audit_id: int) -> bool:
        """Whether the loaded range holds an overall-score row for the audit."""
        return audit_id in self._overall

    def section_rows(self, audit_id: int) -> list[tuple[str, float | None, float]]:
        """The loaded ``section_scores`` rows of one audit: (section id, score, weight)."""
        return [
            (section_id, score, self._weights[(audit_id, section_id)])
            for section_id, score in self._sections.get(audit_id, {}).items()
        ]

    def _checklist(self, version_id: int) -> Checklist | None:
        if version_id not in self._checklists:
            definition = self._definitions.get(version_id)
            try:
                found = None if definition is None else Checklist.model_validate(definition)
            except ValueError:
                found = None
            self._checklists[version_id] = found
        return self._checklists[version_id]

    def differences(
        self, version_id: int, audit_id: int, rows: Iterable[StoredAnswer]
    ) -> list[str]:
        """What the stored scores of one audit say that its answers do not."""
        checklist = self._checklist(version_id)
        if checklist is None:
            return ["its checklist version cannot be read, so its scores cannot be checked"]
        stored = list(rows)
        try:
            answers = answers_from_stored(
                checklist, [row[:4] for row in stored], self._memo.setdefault(version_id, {})
            )
        except InvalidAnswer as error:
            return [f"an answer no longer fits its question ({error})"]
        card = score_checked(checklist, answers.values())
        changes = [
            f"item {item_id} score {_shown(score)} stored, {_shown(card.item_scores.get(item_id))} "
            "from its answer"
            for item_id, _v, _n, _c, score in sorted(stored)
            if not _same(score, card.item_scores.get(item_id))
        ]
        sections = self._sections.get(audit_id, {})
        for section in card.sections:
            stored_score = sections.get(section.section_id)
            if section.section_id not in sections or not _same(stored_score, section.score):
                changes.append(
                    f"section {section.section_id} score {_shown(stored_score)} stored, "
                    f"{_shown(section.score)} from its answers"
                )
            weight = self._weights.get((audit_id, section.section_id))
            if weight is not None and not _same(weight, section.weight):
                changes.append(
                    f"section {section.section_id} weight {_shown(weight)} stored, "
                    f"{_shown(section.weight)} from its checklist"
                )
        for extra in sorted(sections.keys() - {s.section_id for s in card.sections}):
            changes.append(f"section {extra} has a stored score but is not in its checklist")
        changes += _overall_changes(self._overall.get(audit_id), card)
        return changes


def _between(column: Any, after: int | None, upto: int | None) -> list[Any]:
    return [
        *(() if after is None else (column > after,)),
        *(() if upto is None else (column <= upto,)),
    ]


def _overall_changes(row: Any, card: ScoreCard) -> list[str]:
    if row is None:
        return ["its overall score is missing"]
    pairs = (
        ("overall score", row.overall, card.overall),
        ("raw score", row.raw_overall, card.raw_overall),
        ("grade", row.grade, card.grade),
        ("pass", row.passed, card.passed),
        ("critical failure", row.critical_failure, card.critical_failure),
    )
    return [
        f"{name} {_shown(stored)} stored, {_shown(computed)} from its answers"
        for name, stored, computed in pairs
        if not _same(stored, computed)
    ]


def _same(stored: Any, computed: Any) -> bool:
    if (
        isinstance(stored, float)
        and isinstance(computed, float | int)
        and not isinstance(computed, bool)
    ):
        # Summing in another order (a bulk loader, another engine's float text) moves the
        # last bits; a billionth of a point is below anything shown, ranked or tied.
        return math.isclose(stored, computed, rel_tol=0.0, abs_tol=1e-9)
    if isinstance(stored, bool) or isinstance(computed, bool):
        return (stored is None and computed is None) or (
            bool(stored) == bool(computed) and (stored is not None and computed is not None)
        )
    return bool(stored == computed)


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    return repr(value)
