"""The scoring rules of DESIGN.md ("Scoring (normative)"), and nothing else.

Scores are computed and kept unrounded on a 0-100 scale. Grades and the pass mark are
applied to the score as shown (one decimal), so that a card reading 75.0 never says
"failed" against a pass mark of 75.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from audit_app.domain.answers import AnswersRejected, index_answers, validate_answers
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import (
    Checklist,
    ChoiceItem,
    Item,
    NumberItem,
    PercentageItem,
    ScaleItem,
    YesNoItem,
)
from audit_app.domain.skip_logic import not_applicable


@dataclass(frozen=True)
class SectionScore:
    section_id: str
    score: float | None
    """0-100, or None when no item of the section counted."""
    weight: float
    """The weight the section carried in the overall score (0 when it has no score)."""


@dataclass(frozen=True)
class ScoreCard:
    checklist_id: str
    checklist_version: int
    overall: float | None
    """0-100 after the critical rule; None when nothing counted (everything N/A)."""
    raw_overall: float | None
    """Before the critical rule."""
    grade: str | None
    passed: bool | None
    critical_failure: bool
    failed_critical_items: tuple[str, ...]
    sections: tuple[SectionScore, ...]
    item_scores: Mapping[str, float | None] = field(default_factory=dict)
    """0-1 per scored item; None where answered N/A, not answered or not applicable (its
    ``applies_if`` condition failed). Items of weight 0 are not in it."""

    def section(self, section_id: str) -> SectionScore:
        return next(s for s in self.sections if s.section_id == section_id)

    def to_dict(self) -> dict[str, object]:
        """The ``score --json`` form: rounded for people, ``null`` where nothing counted."""
        return {
            "overall": display(self.overall),
            "grade": self.grade,
            "passed": self.passed,
            "critical_failure": self.critical_failure,
            "failed_critical_items": list(self.failed_critical_items),
            "sections": {s.section_id: display(s.score) for s in self.sections},
        }


def display(score: float | None) -> float | None:
    """One decimal, rounding halves up (75.25 -> 75.3), as every screen and report shows it.

    The score is first taken to 9 decimals so that float noise from a weighted mean
    (31.249999999999996 for an exact 31.25) does not decide which way a half rounds.
    """
    if score is None:
        return None
    exact = Decimal(repr(score)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_UP)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def score_item(item: Item, answer: Answer | None) -> float | None:
    """The item's score in [0, 1]; None when it does not count (unscored, N/A, unanswered)."""
    if answer is None or answer.na or answer.value is None or not item.scored:
        return None
    value = answer.value
    if isinstance(item, YesNoItem):
        return 1.0 if value else 0.0
    if isinstance(item, ScaleItem):
        return (float(value) - item.min) / (item.max - item.min)
    if isinstance(item, ChoiceItem):
        return next(option.points for option in item.options if option.value == value)
    if isinstance(item, NumberItem | PercentageItem):
        return _measured_score(float(value), item.target, item.direction, item.zero_at)
    raise TypeError(f"no scoring rule for item type {item.type}")


def _measured_score(value: float, target: float, direction: str, zero_at: float | None) -> float:
    met = value <= target if direction == "at_most" else value >= target
    if met:
        return 1.0
    if zero_at is None:
        return 0.0
    share = (zero_at - value) / (zero_at - target)
    return min(1.0, max(0.0, share))


def score_audit(
    checklist: Checklist, answers: Iterable[Answer] | Mapping[str, Answer]
) -> ScoreCard:
    """Score a complete set of answers.

    Raises :class:`AnswersRejected` listing every problem when an answer does not fit its
    item, an item is unknown, or a required item is unanswered (an incomplete audit can be
    saved as a draft but not scored).
    """
    indexed = index_answers(answers)
    problems = validate_answers(checklist, indexed, require_complete=True)
    if problems:
        raise AnswersRejected(problems)
    return _score_valid(checklist, indexed)


def score_checked(checklist: Checklist, answers: Iterable[Answer]) -> ScoreCard:
    """Score answers that the caller has already checked one by one (an import does, cell
    by cell, to name each problem at its cell); skips re-checking them."""
    return _score_valid(checklist, {answer.item_id: answer for answer in answers})


def _score_valid(checklist: Checklist, answers: Mapping[str, Answer]) -> ScoreCard:
    item_scores: dict[str, float | None] = {}
    failed_critical: list[str] = []
    partial: list[tuple[str, float | None, float, float | None]] = []
    left_out = not_applicable(checklist, answers)
    for section, scored_items in checklist.scoring_plan:
        points = counted = 0.0
        for item in scored_items:
            score = None if item.id in left_out else score_item(item, answers.get(item.id))
            item_scores[item.id] = score
            if score is None:
                continue
            points += item.weight * score
            counted += item.weight
            if item.critical and score < 1:
                failed_critical.append(item.id)
        section_score = min(100.0, 100 * (points / counted)) if counted else None
        partial.append((section.id, section_score, counted, section.weight))

    explicit = checklist.sections_weighted
    sections = tuple(
        SectionScore(
            section_id,
            score,
            0.0 if score is None else (section_weight if explicit else counted),  # type: ignore[arg-type]
        )
        for section_id, score, counted, section_weight in partial
    )
    total_weight = sum(s.weight for s in sections)
    raw = (
        sum(s.weight * s.score for s in sections if s.score is not None) / total_weight
        if total_weight
        else None
    )
    raw = None if raw is None else min(100.0, max(0.0, raw))
    critical = bool(failed_critical)
    overall = _apply_critical_rule(checklist, raw, critical)
    shown = display(overall)
    return ScoreCard(
        checklist_id=checklist.id,
        checklist_version=checklist.version,
        overall=overall,
        raw_overall=raw,
        grade=None if shown is None else checklist.grade_for(shown),
        passed=None if shown is None else shown >= checklist.pass_mark,
        critical_failure=critical,
        failed_critical_items=tuple(failed_critical),
        sections=sections,
        item_scores=item_scores,
    )


def _apply_critical_rule(checklist: Checklist, raw: float | None, critical: bool) -> float | None:
    if raw is None or not critical:
        return raw
    rule = checklist.critical_rule
    if rule.kind == "zero":
        return 0.0
    if rule.kind == "cap" and rule.cap is not None:
        return min(raw, rule.cap)
    return raw


def scoring_method(checklist: Checklist) -> str:
    """The one-paragraph statement of the rules that every report prints."""
    weights = (
        "Each section counts with the weight the checklist gives it"
        if checklist.sections_weighted
        else "Sections count in proportion to the weights of their counted items (pooled points)"
    )
    return (
        f"Scores follow checklist {checklist.id} version {checklist.version}. Each item scores "
        "from 0 to 1 (yes = 1, no = 0; scales and choices by their points; measured values 1 "
        "when the target is met, falling linearly to 0 where a zero point is set). A section's "
        "score is the weighted mean of its answered items; items answered N/A leave both the "
        f"numerator and the denominator. {weights}. Critical items: "
        f"{checklist.critical_rule.describe()}. Pass mark {checklist.pass_mark:g}; grades and "
        "the pass mark apply to the score shown with one decimal."
    )
