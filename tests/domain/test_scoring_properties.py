"""Scoring invariants (DESIGN.md, "Scoring (normative)") checked on random checklists.

The strategies build random but valid checklists through ``parse_checklist`` (the same
path a YAML file takes) and complete, valid answer sets for them. Each property is its
own test; a slow reference implementation with exact fractions checks the formula itself.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audit_app.checklists import parse_checklist
from audit_app.domain.answers import AnswersRejected
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist, Item
from audit_app.domain.scoring import ScoreCard, display, score_audit

# Generating one random audit takes ~10 ms (some 150 draws); 200 examples for the two
# broad checks and 100 for each focused one keep this file under 20 s.
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]
BROAD = settings(max_examples=200, deadline=None, suppress_health_check=_HEALTH)
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=_HEALTH)

SCORED_TYPES = ("yes_no", "scale", "choice", "number", "percentage")
ALL_TYPES = (*SCORED_TYPES, "text")

weights = st.one_of(
    st.sampled_from([0.5, 1, 1.5, 2, 3, 10]),
    st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False),
)
points = st.one_of(
    st.sampled_from([0, 0.25, 0.5, 0.6, 0.75, 1]),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)
# (has a weight, na_allowed, critical, required) for one item
item_flags = st.tuples(
    st.booleans(), st.booleans(), st.booleans(), st.sampled_from([None, None, True, False])
)
scale_bounds = st.none() | st.tuples(st.integers(-5, 5), st.integers(1, 10))
number_targets = st.integers(-50, 200) | st.floats(-50, 200, allow_nan=False)
directions = st.sampled_from(["at_most", "at_least"])
option_lists = st.integers(2, 4).flatmap(
    lambda count: st.tuples(
        st.lists(points, min_size=count, max_size=count), st.integers(0, count - 1)
    )
)
caps = st.integers(0, 100) | st.floats(0, 100)
rules = st.sampled_from(["flag", "zero"]) | st.builds(lambda cap: {"cap": cap}, caps)
pass_marks = st.integers(0, 100) | st.floats(0, 100)
# a scored type first (every section scores something), then up to 3 of any type
section_type_lists = st.tuples(
    st.sampled_from(SCORED_TYPES), st.lists(st.sampled_from(ALL_TYPES), max_size=3)
).map(lambda drawn: [drawn[0], *drawn[1]])


# --------------------------------------------------------------------------- strategies


@st.composite
def item_data(
    draw: st.DrawFn, item_id: str, type_: str, *, na_items_optional: bool = False
) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item_id, "type": type_, "text": {"en": f"Question {item_id}"}}
    has_weight, na_allowed, critical, required = draw(item_flags)
    if has_weight:
        data["weight"] = draw(weights)
    if na_allowed:
        data["na_allowed"] = True
    if critical and type_ != "text":
        data["critical"] = True
    if na_allowed and na_items_optional:
        required = False
    if required is not None:
        data["required"] = required

    if type_ == "scale":
        bounds = draw(scale_bounds)
        if bounds is not None:  # else the default 1..5
            data["min"], data["max"] = bounds[0], bounds[0] + bounds[1]
    elif type_ == "choice":
        option_points, full = draw(option_lists)
        option_points[full] = 1  # one option scores full points
        data["options"] = [
            {"value": f"option_{n}", "points": p} for n, p in enumerate(option_points)
        ]
    elif type_ in ("number", "percentage"):
        direction = draw(directions)
        data["direction"] = direction
        if type_ == "number":
            target = draw(number_targets)
            room = (1, 100)
        else:
            target = draw(st.integers(0, 100))
            room = (1, 100 - target) if direction == "at_most" else (1, target)
        data["target"] = target
        if room[1] >= room[0] and draw(st.booleans()):
            gap = draw(st.integers(*room))
            data["zero_at"] = target + gap if direction == "at_most" else target - gap
    return data


@st.composite
def checklists(
    draw: st.DrawFn,
    *,
    rule: Any = None,
    na_items_optional: bool = False,
    critical_yes_no: bool = False,
) -> Checklist:
    """A valid checklist with 2-4 sections holding every item type at least once.

    Every section has a scored item; section weights are on all sections or none;
    ``rule`` fixes the critical rule (else random); ``critical_yes_no`` adds a critical
    yes/no item that is required and does not allow N/A (so critical failures happen).
    """
    n_sections = draw(st.integers(2, 4))
    section_types = [draw(section_type_lists) for _ in range(n_sections)]
    present = {t for types in section_types for t in types}
    for missing in ALL_TYPES:
        if missing not in present:
            section_types[draw(st.integers(0, n_sections - 1))].append(missing)
    section_types = [draw(st.permutations(types)) for types in section_types]

    weighted = draw(st.booleans())
    sections = []
    for s, types in enumerate(section_types):
        items = [
            draw(item_data(f"s{s}.q{i}", t, na_items_optional=na_items_optional))
            for i, t in enumerate(types)
        ]
        section: dict[str, Any] = {"id": f"s{s}", "title": {"en": f"Section {s}"}, "items": items}
        if weighted:
            section["weight"] = draw(weights)
        sections.append(section)
    if critical_yes_no:
        sections[draw(st.integers(0, n_sections - 1))]["items"].append(
            {"id": "anchor", "type": "yes_no", "text": {"en": "Anchor"}, "critical": True}
        )
    if rule is None:
        rule = draw(rules)
    data = {
        "id": "random",
        "version": draw(st.integers(1, 5)),
        "title": {"en": "Random"},
        "languages": ["en"],
        "pass_mark": draw(pass_marks),
        "critical_rule": rule,
        "sections": sections,
    }
    return parse_checklist(data)


def values_for(item: Item) -> st.SearchStrategy[Any]:
    """Valid, typed answer values for ``item``."""
    if item.type == "yes_no":
        return st.booleans()
    if item.type == "scale":
        return st.integers(item.min, item.max)
    if item.type == "choice":
        return st.sampled_from([option.value for option in item.options])
    if item.type in ("number", "percentage"):
        low, high = (0.0, 100.0) if item.type == "percentage" else (-300.0, 400.0)
        marks = [item.target] + ([] if item.zero_at is None else [item.zero_at])
        near = st.sampled_from(marks).flatmap(
            lambda mark: st.floats(max(low, mark - 5), min(high, mark + 5), allow_nan=False)
        )
        return st.sampled_from([float(m) for m in marks]) | near | st.floats(low, high)
    return st.text(alphabet="abcdefgh ", min_size=1, max_size=12).map(str.strip).filter(bool)


@st.composite
def answer_sets(draw: st.DrawFn, checklist: Checklist) -> list[Answer]:
    """A complete valid answer set: every required item answered, N/A only where allowed;
    items that are not required are sometimes left out."""
    answers = []
    for item in checklist.items:
        if item.na_allowed and draw(st.integers(0, 2)) == 0:
            answers.append(Answer(item.id, na=True))
        elif not item.is_required and draw(st.integers(0, 3)) == 0:
            continue
        else:
            answers.append(Answer(item.id, draw(values_for(item))))
    return answers


@st.composite
def audits(draw: st.DrawFn, **checklist_options: Any) -> tuple[Checklist, list[Answer]]:
    checklist = draw(checklists(**checklist_options))
    return checklist, draw(answer_sets(checklist))


# --------------------------------------------------------------------------- reference model


def reference_item_score(
    item: Item, answer: Answer | None, *, exact: bool = True
) -> Fraction | float | None:
    """The item score by DESIGN.md, in exact fractions or (``exact=False``) in floats.

    Floats matter where the card must agree with a float computation exactly: a measured
    value a hair beyond its target (3.0000000000000004 against 3, zero_at 8) scores
    1 - 1e-16 exactly but 1.0 in floats, which decides whether a critical item failed.
    """
    if answer is None or answer.na or answer.value is None or item.type == "text":
        return None
    num = Fraction if exact else float
    value = answer.value
    if item.type == "yes_no":
        return num(1 if value else 0)
    if item.type == "scale":
        return num(value - item.min) / num(item.max - item.min)
    if item.type == "choice":
        return next(num(o.points) for o in item.options if o.value == value)
    value, target = num(value), num(item.target)
    if (value <= target) if item.direction == "at_most" else (value >= target):
        return num(1)
    if item.zero_at is None:
        return num(0)
    zero = num(item.zero_at)
    return min(num(1), max(num(0), (zero - value) / (zero - target)))


def reference(checklist: Checklist, answers: list[Answer]) -> dict[str, Any]:
    """The DESIGN.md formula in exact arithmetic."""
    by_id = {a.item_id: a for a in answers}
    sections: dict[str, Fraction | None] = {}
    weights_used: dict[str, Fraction] = {}
    critical = False
    for section in checklist.sections:
        num = den = Fraction(0)
        for item in section.items:
            answer = by_id.get(item.id)
            s = reference_item_score(item, answer)
            if s is None:
                continue
            num += Fraction(item.weight) * s
            den += Fraction(item.weight)
            critical |= item.critical and reference_item_score(item, answer, exact=False) < 1
        sections[section.id] = 100 * num / den if den else None
        if den:
            weights_used[section.id] = (
                Fraction(section.weight) if checklist.sections_weighted else den
            )
    total = sum(weights_used.values(), Fraction(0))
    raw = (
        sum(weights_used[k] * sections[k] for k in weights_used) / total  # type: ignore[operator]
        if total
        else None
    )
    return {"sections": sections, "raw": raw, "critical": critical}


def close(a: float | None, b: Fraction | float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - float(b)) <= 1e-9 * max(1.0, abs(float(b)))


# --------------------------------------------------------------------------- properties


@BROAD
@given(audits())
def test_scores_lie_between_0_and_100(audit: tuple[Checklist, list[Answer]]) -> None:
    checklist, answers = audit
    card = score_audit(checklist, answers)
    event(f"overall is {'None' if card.overall is None else 'a number'}")
    for value in (card.overall, card.raw_overall, *(s.score for s in card.sections)):
        assert value is None or 0 <= value <= 100
    for score in card.item_scores.values():
        assert score is None or 0 <= score <= 1
    assert (card.overall is None) == (card.raw_overall is None) == (card.grade is None)
    assert (card.passed is None) == (card.overall is None)


@BROAD
@given(audits())
def test_card_follows_the_formula(audit: tuple[Checklist, list[Answer]]) -> None:
    checklist, answers = audit
    card = score_audit(checklist, answers)
    expected = reference(checklist, answers)
    event(f"weighted sections: {checklist.sections_weighted}")
    assert close(card.raw_overall, expected["raw"])
    for section in card.sections:
        assert close(section.score, expected["sections"][section.section_id])
        if section.score is None:
            assert section.weight == 0
    assert card.critical_failure == expected["critical"]
    if card.overall is not None:
        shown = display(card.overall)
        assert card.grade == checklist.grade_for(shown)
        assert card.passed == (shown >= checklist.pass_mark)


@PROPERTY
@given(st.data())
def test_card_does_not_depend_on_the_order_of_answers(data: st.DataObject) -> None:
    checklist, answers = data.draw(audits())
    shuffled = data.draw(st.permutations(answers))
    assert score_audit(checklist, shuffled) == score_audit(checklist, answers)
    assert score_audit(checklist, {a.item_id: a for a in shuffled}) == score_audit(
        checklist, answers
    )


@PROPERTY
@given(st.data())
def test_na_answer_and_left_out_are_the_same_for_items_not_required(data: st.DataObject) -> None:
    checklist, answers = data.draw(audits(na_items_optional=True))
    na_items = [item.id for item in checklist.items if item.na_allowed]
    if not na_items:  # rare: no item allows N/A; nothing to compare
        event("no N/A item")
        return
    # force at least one N/A so every example compares something
    forced = data.draw(st.sampled_from(na_items))
    answers = [a for a in answers if a.item_id != forced] + [Answer(forced, na=True)]
    with_na = score_audit(checklist, answers)
    left_out = score_audit(checklist, [a for a in answers if not a.na])
    event(f"N/A answers: {min(3, sum(a.na for a in answers))}+")
    assert left_out == with_na


@PROPERTY
@given(st.data())
def test_turning_a_no_into_a_yes_never_lowers_the_score(data: st.DataObject) -> None:
    checklist, answers = data.draw(audits())
    yes_no = [item.id for item in checklist.items if item.type == "yes_no"]
    chosen = data.draw(st.sampled_from(yes_no))
    others = [a for a in answers if a.item_id != chosen]
    before = score_audit(checklist, [*others, Answer(chosen, False)])
    after = score_audit(checklist, [*others, Answer(chosen, True)])
    assert before.overall is not None
    assert after.overall is not None
    assert after.raw_overall >= before.raw_overall  # type: ignore[operator]
    assert after.overall >= before.overall
    section = checklist.section_of[chosen]
    assert after.section(section).score >= before.section(section).score  # type: ignore[operator]


def _check_rule(card: ScoreCard, kind: str, cap: float | None) -> None:
    if not card.critical_failure or kind == "flag":  # the score is left as it is
        assert card.overall == card.raw_overall
    elif kind == "zero":
        assert card.overall == 0
    else:
        assert cap is not None
        assert card.overall == min(card.raw_overall, cap)  # type: ignore[type-var]


@PROPERTY
@given(audits(rule="flag", critical_yes_no=True))
def test_flag_rule_leaves_the_score(audit: tuple[Checklist, list[Answer]]) -> None:
    card = score_audit(*audit)
    event(f"critical failure: {card.critical_failure}")
    assert card.overall == card.raw_overall
    _check_rule(card, "flag", None)


@PROPERTY
@given(audits(rule="zero", critical_yes_no=True))
def test_zero_rule_zeroes_the_score_on_a_critical_failure(
    audit: tuple[Checklist, list[Answer]],
) -> None:
    card = score_audit(*audit)
    event(f"critical failure: {card.critical_failure}")
    _check_rule(card, "zero", None)
    if card.critical_failure:
        assert card.grade == audit[0].grade_for(0)
        assert card.passed == (audit[0].pass_mark == 0)


@PROPERTY
@given(st.data())
def test_cap_rule_caps_the_score_on_a_critical_failure(data: st.DataObject) -> None:
    cap = data.draw(caps, label="cap")
    checklist, answers = data.draw(audits(rule={"cap": cap}, critical_yes_no=True))
    card = score_audit(checklist, answers)
    event(f"critical failure: {card.critical_failure}")
    _check_rule(card, "cap", cap)
    if card.critical_failure:
        assert card.overall <= cap  # type: ignore[operator]


@PROPERTY
@given(audits())
def test_without_critical_failure_every_rule_leaves_the_score(
    audit: tuple[Checklist, list[Answer]],
) -> None:
    checklist, answers = audit
    card = score_audit(checklist, answers)
    rule = checklist.critical_rule
    event(f"rule {rule.kind}, critical failure: {card.critical_failure}")
    _check_rule(card, rule.kind, rule.cap)


@PROPERTY
@given(audits(critical_yes_no=True))
def test_critical_failure_exactly_when_a_critical_item_scores_below_one(
    audit: tuple[Checklist, list[Answer]],
) -> None:
    checklist, answers = audit
    card = score_audit(checklist, answers)
    given_answers = {a.item_id: a for a in answers}
    failed = tuple(
        item.id
        for item in checklist.items
        if item.critical
        and (s := reference_item_score(item, given_answers.get(item.id), exact=False)) is not None
        and s < 1
    )
    event(f"critical failure: {bool(failed)}")
    assert card.critical_failure == bool(failed)
    assert card.failed_critical_items == failed


@PROPERTY
@given(st.data())
def test_leaving_out_a_required_item_is_rejected_naming_it(data: st.DataObject) -> None:
    checklist, answers = data.draw(audits())
    required = [item.id for item in checklist.items if item.is_required]
    if not required:  # every scored item may be optional; nothing to leave out
        event("no required item")
        return
    left_out = data.draw(st.sampled_from(required))
    rest = [a for a in answers if a.item_id != left_out]
    try:
        score_audit(checklist, rest)
    except AnswersRejected as error:
        assert [(p.item_id, p.kind) for p in error.problems] == [(left_out, "missing")]
        assert left_out in str(error)
        assert error.missing == (left_out,)
    else:
        raise AssertionError(f"leaving out required {left_out} was accepted")


def test_strategies_make_every_item_type_and_both_weight_styles() -> None:
    """A seeded sample shows the strategies reach what the properties rely on."""
    seen_types: set[str] = set()
    styles: set[bool] = set()
    rules: set[str] = set()

    @settings(max_examples=60, deadline=None, database=None, derandomize=True)
    @given(audits())
    def collect(audit: tuple[Checklist, list[Answer]]) -> None:
        checklist, _ = audit
        seen_types.update(item.type for item in checklist.items)
        styles.add(checklist.sections_weighted)
        rules.add(checklist.critical_rule.kind)

    collect()
    assert seen_types == set(ALL_TYPES)
    assert styles == {True, False}
    assert rules == {"flag", "zero", "cap"}
