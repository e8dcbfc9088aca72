"""The programme's expected scores, computed here from the answers the builder wrote, by
the normative rules of DESIGN.md and without the application's scoring code: a test that
used the product's own scorer to predict the product's scores would prove nothing."""

from __future__ import annotations

from typing import Any

from tests.intake.programme import CHECKLIST

_ITEMS = {item["id"]: item for section in CHECKLIST["sections"] for item in section["items"]}
CAP = CHECKLIST["critical_rule"]["cap"]


def item_score(item: dict[str, Any], value: Any) -> float:
    kind = item["type"]
    if kind == "yes_no":
        return 1.0 if value else 0.0
    if kind == "scale":
        return (value - item["min"]) / (item["max"] - item["min"])
    if kind == "choice":
        return next(float(o["points"]) for o in item["options"] if o["value"] == value)
    if kind == "number":  # at_most with zero_at
        target, zero_at = item["target"], item["zero_at"]
        if value <= target:
            return 1.0
        return max(0.0, (zero_at - value) / (zero_at - target))
    raise AssertionError(f"{kind} is not scored in this programme")


def applies(item: dict[str, Any], answers: dict[str, tuple[Any, bool, str | None]]) -> bool:
    condition = item.get("applies_if")
    if condition is None:
        return True
    value, na, _ = answers.get(condition["item"], (None, False, None))
    return not na and value is True and "yes" in condition["in"]


def expected_overall(answers: dict[str, tuple[Any, bool, str | None]]) -> tuple[float, bool]:
    """(overall 0-100, critical failure). No section has a weight: the overall pools every
    counted item's points (weight 0 counts nowhere, N/A and not-applicable leave both
    sides); a critical item below 1 caps the overall."""
    points = weights = 0.0
    critical = False
    for item_id, item in _ITEMS.items():
        if item["type"] == "text" or not applies(item, answers):
            continue
        value, na, _ = answers[item_id]  # every scored item applying is answered
        if na:
            continue
        score = item_score(item, value)
        if item.get("critical") and score < 1:
            critical = True
        weight = float(item.get("weight", 1))
        points += weight * score
        weights += weight
    overall = 100 * points / weights
    return (min(overall, CAP) if critical else overall), critical
