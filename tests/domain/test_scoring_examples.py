"""Worked examples of the scoring rules (DESIGN.md, "Scoring (normative)").

Every expected number was worked out by hand; the arithmetic is in the comment next to it.
Item scores are in [0, 1]; section scores S = 100 * sum(w*s) / sum(w) over counted items.
"""

from __future__ import annotations

from typing import Any

import pytest

from audit_app.checklists import ChecklistFileError, parse_checklist
from audit_app.domain.answers import AnswerProblem, AnswersRejected
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import ScoreCard, SectionScore, display, score_audit, score_item

# --------------------------------------------------------------------------- builders


def item(item_id: str, type_: str = "yes_no", **fields: Any) -> dict[str, Any]:
    return {"id": item_id, "type": type_, "text": {"en": f"Question {item_id}"}, **fields}


def section(section_id: str, *items: dict[str, Any], weight: float | None = None) -> dict:
    data: dict[str, Any] = {"id": section_id, "title": {"en": section_id.title()}, "items": items}
    if weight is not None:
        data["weight"] = weight
    return data


def checklist(*sections: dict[str, Any], **fields: Any) -> Checklist:
    data = {
        "id": "example",
        "version": 1,
        "title": {"en": "Example"},
        "languages": ["en"],
        "sections": list(sections),
        **fields,
    }
    return parse_checklist(data)


def answers(**values: Any) -> list[Answer]:
    """``answers(a=True, b="na")``: keyword names use ``__`` for the ``.`` of item ids."""
    out = []
    for key, value in values.items():
        item_id = key.replace("__", ".")
        if value == "na":
            out.append(Answer(item_id, na=True))
        else:
            out.append(Answer(item_id, value))
    return out


def one_item(type_: str, **fields: Any) -> Checklist:
    return checklist(section("s", item("q", type_, **fields)))


def item_score(type_: str, value: Any, **fields: Any) -> float | None:
    c = one_item(type_, **fields)
    return score_item(c.items_by_id["q"], Answer("q", value))


# --------------------------------------------------------------------------- item types


@pytest.mark.parametrize(
    ("type_", "fields", "value", "expected"),
    [
        # yes_no: yes = 1, no = 0
        ("yes_no", {}, True, 1.0),
        ("yes_no", {}, False, 0.0),
        # scale, default 1..5: (4 - 1) / (5 - 1) = 0.75; ends are 0 and 1
        ("scale", {}, 4, 0.75),
        ("scale", {}, 1, 0.0),
        ("scale", {}, 5, 1.0),
        # scale 0..10: (7 - 0) / 10 = 0.7
        ("scale", {"min": 0, "max": 10}, 7, 0.7),
        # scale -2..2: (1 - -2) / (2 - -2) = 3/4
        ("scale", {"min": -2, "max": 2}, 1, 0.75),
        # scale 3..4 (two points): 3 -> 0, 4 -> 1
        ("scale", {"min": 3, "max": 4}, 3, 0.0),
        # number at_most without zero_at: meeting the target (<= 3) scores 1, a miss 0
        ("number", {"target": 3, "direction": "at_most"}, 3, 1.0),
        ("number", {"target": 3, "direction": "at_most"}, 1, 1.0),
        ("number", {"target": 3, "direction": "at_most"}, 3.5, 0.0),
        # number at_most, zero_at 8: 5 -> (8 - 5) / (8 - 3) = 0.6; 8 and beyond -> 0
        ("number", {"target": 3, "direction": "at_most", "zero_at": 8}, 5, 0.6),
        ("number", {"target": 3, "direction": "at_most", "zero_at": 8}, 8, 0.0),
        ("number", {"target": 3, "direction": "at_most", "zero_at": 8}, 20, 0.0),
        ("number", {"target": 3, "direction": "at_most", "zero_at": 8}, 0, 1.0),
        # number at_least without zero_at: 10 minutes held meets 10; 9.9 misses
        ("number", {"target": 10, "direction": "at_least"}, 10, 1.0),
        ("number", {"target": 10, "direction": "at_least"}, 9.9, 0.0),
        # number at_least, zero_at 4: 7 -> (4 - 7) / (4 - 10) = 0.5; 2 -> 0; 12 -> 1
        ("number", {"target": 10, "direction": "at_least", "zero_at": 4}, 7, 0.5),
        ("number", {"target": 10, "direction": "at_least", "zero_at": 4}, 2, 0.0),
        ("number", {"target": 10, "direction": "at_least", "zero_at": 4}, 12, 1.0),
        # percentage at_least 90, zero_at 60: organic share 75 -> (60-75)/(60-90) = 0.5
        ("percentage", {"target": 90, "direction": "at_least", "zero_at": 60}, 75, 0.5),
        # ... 81 -> (60 - 81) / (60 - 90) = 0.7; 60 -> 0; 30 -> 0; 90 -> 1; 100 -> 1
        ("percentage", {"target": 90, "direction": "at_least", "zero_at": 60}, 81, 0.7),
        ("percentage", {"target": 90, "direction": "at_least", "zero_at": 60}, 60, 0.0),
        ("percentage", {"target": 90, "direction": "at_least", "zero_at": 60}, 30, 0.0),
        ("percentage", {"target": 90, "direction": "at_least", "zero_at": 60}, 90, 1.0),
        ("percentage", {"target": 90, "direction": "at_least", "zero_at": 60}, 100, 1.0),
        # percentage at_least 100 without zero_at: only 100 % meets it
        ("percentage", {"target": 100, "direction": "at_least"}, 99.5, 0.0),
        # percentage at_most 5 (share of expired lines), zero_at 25: 10 -> (25-10)/20 = 0.75
        ("percentage", {"target": 5, "direction": "at_most", "zero_at": 25}, 10, 0.75),
    ],
)
def test_item_scores_by_type(type_: str, fields: dict, value: Any, expected: float) -> None:
    assert item_score(type_, value, **fields) == pytest.approx(expected, abs=1e-12)


def test_choice_scores_the_points_of_the_chosen_option() -> None:
    c = one_item(
        "choice",
        options=[
            {"value": "never", "points": 1},
            {"value": "asked_first", "points": 0.5},
            {"value": "without_asking", "points": 0},
        ],
    )
    q = c.items_by_id["q"]
    assert [score_item(q, Answer("q", v)) for v in ("never", "asked_first", "without_asking")] == [
        1.0,
        0.5,
        0.0,
    ]


def test_every_type_in_one_card() -> None:
    c = checklist(
        section(
            "all",
            item("yn", weight=2),
            item("sc", "scale", min=0, max=10),
            item(
                "ch",
                "choice",
                options=[{"value": "a", "points": 1}, {"value": "b", "points": 0.25}],
            ),
            item("nm", "number", target=3, direction="at_most", zero_at=8, weight=2),
            item("pc", "percentage", target=90, direction="at_least", zero_at=60, weight=3),
            item("tx", "text"),
        )
    )
    card = score_audit(
        c,
        [
            Answer("yn", True),  # 1 x2 = 2
            Answer("sc", 6),  # 0.6 x1
            Answer("ch", "b"),  # 0.25 x1
            Answer("nm", 5.5),  # (8 - 5.5) / 5 = 0.5 x2 = 1
            Answer("pc", 75),  # 0.5 x3 = 1.5
            Answer("tx", "All fine"),  # text: not scored
        ],
    )
    # points 2 + 0.6 + 0.25 + 1 + 1.5 = 5.35 of weights 2+1+1+2+3 = 9 -> 59.444...
    assert card == ScoreCard(
        checklist_id="example",
        checklist_version=1,
        overall=pytest.approx(100 * 5.35 / 9),
        raw_overall=pytest.approx(100 * 5.35 / 9),
        grade="Needs improvement",  # 59.4 < 60
        passed=False,
        critical_failure=False,
        failed_critical_items=(),
        sections=(SectionScore("all", pytest.approx(100 * 5.35 / 9), 9.0),),
        item_scores={
            "yn": 1.0,
            "sc": pytest.approx(0.6),
            "ch": 0.25,
            "nm": pytest.approx(0.5),
            "pc": pytest.approx(0.5),
        },
    )
    assert card.to_dict() == {
        "overall": 59.4,
        "grade": "Needs improvement",
        "passed": False,
        "critical_failure": False,
        "failed_critical_items": [],
        "sections": {"all": 59.4},
    }


# --------------------------------------------------------------------------- N/A


def test_na_leaves_numerator_and_denominator() -> None:
    c = checklist(
        section(
            "s",
            item("a"),
            item("b"),
            item("c", weight=2, na_allowed=True),
        )
    )
    # a yes (1 x1), b no (0 x1), c N/A (weight 2 leaves the sums): 1 / 2 = 50.0.
    # Counting N/A as 0 would give 1/4 = 25.0, as 1 would give 3/4 = 75.0.
    card = score_audit(c, answers(a=True, b=False, c="na"))
    assert card.overall == 50.0
    assert card.sections == (SectionScore("s", 50.0, 2.0),)
    assert card.item_scores == {"a": 1.0, "b": 0.0, "c": None}


def test_a_section_whose_items_are_all_na_drops_out_pooled() -> None:
    c = checklist(
        section("main", item("a"), item("b")),
        section("extra", item("x", na_allowed=True), item("y", weight=5, na_allowed=True)),
    )
    # main: yes, no -> 1/2 = 50.0 with weight 2; extra: all N/A -> no score, weight 0.
    # overall = 50.0 (the 6 points of "extra" count nowhere).
    card = score_audit(c, answers(a=True, b=False, x="na", y="na"))
    assert card.sections == (SectionScore("main", 50.0, 2.0), SectionScore("extra", None, 0.0))
    assert card.overall == 50.0
    assert card.to_dict()["sections"] == {"main": 50.0, "extra": None}


def test_a_section_whose_items_are_all_na_drops_out_weighted() -> None:
    c = checklist(
        section("main", item("a"), item("b"), weight=1),
        section("other", item("o"), weight=1),
        section("extra", item("x", na_allowed=True), weight=8),
    )
    # main 50.0 (w 1), other yes 100.0 (w 1), extra N/A: its weight 8 does not count.
    # overall = (1*50 + 1*100) / (1 + 1) = 75.0; had extra counted as 0: 150/10 = 15.0.
    card = score_audit(c, answers(a=True, b=False, o=True, x="na"))
    assert card.sections == (
        SectionScore("main", 50.0, 1.0),
        SectionScore("other", 100.0, 1.0),
        SectionScore("extra", None, 0.0),
    )
    assert card.overall == 75.0
    assert card.grade == "Good"
    assert card.passed is True


def test_everything_na_has_no_overall_grade_or_verdict() -> None:
    c = checklist(
        section("s1", item("a", na_allowed=True, critical=True), item("t", "text")),
        section("s2", item("b", "scale", na_allowed=True)),
        critical_rule="zero",
    )
    card = score_audit(c, answers(a="na", b="na"))
    assert card == ScoreCard(
        checklist_id="example",
        checklist_version=1,
        overall=None,
        raw_overall=None,
        grade=None,
        passed=None,
        critical_failure=False,  # an N/A critical item does not fail
        failed_critical_items=(),
        sections=(SectionScore("s1", None, 0.0), SectionScore("s2", None, 0.0)),
        item_scores={"a": None, "b": None},
    )
    assert card.to_dict() == {
        "overall": None,
        "grade": None,
        "passed": None,
        "critical_failure": False,
        "failed_critical_items": [],
        "sections": {"s1": None, "s2": None},
    }


# --------------------------------------------------------------------------- weights

WEIGHTS_SECTIONS = (
    # A: 4 items of weight 1, 1 yes -> 1/4 = 25.0 (counted weight 4)
    ("a", ["yes", "no", "no", "no"]),
    # B: 1 item, yes -> 100.0 (counted weight 1)
    ("b", ["yes"]),
)


def _weights_checklist(section_weights: tuple[float, float] | None) -> Checklist:
    sections = []
    for index, (section_id, values) in enumerate(WEIGHTS_SECTIONS):
        items = [item(f"{section_id}{n}") for n in range(len(values))]
        weight = None if section_weights is None else section_weights[index]
        sections.append(section(section_id, *items, weight=weight))
    return checklist(*sections)


def _weights_answers() -> list[Answer]:
    return [
        Answer(f"{section_id}{n}", value == "yes")
        for section_id, values in WEIGHTS_SECTIONS
        for n, value in enumerate(values)
    ]


def test_pooled_weights_count_points() -> None:
    # No section weights: W_s = counted item weights (4 and 1).
    # overall = (4*25 + 1*100) / 5 = 200 / 5 = 40.0 = 2 points of 5.
    card = score_audit(_weights_checklist(None), _weights_answers())
    assert card.sections == (SectionScore("a", 25.0, 4.0), SectionScore("b", 100.0, 1.0))
    assert card.overall == 40.0
    assert (card.grade, card.passed) == ("Needs improvement", False)


def test_explicit_section_weights_replace_pooled_weights() -> None:
    # Same answers, sections weighted 1 and 1: overall = (25 + 100) / 2 = 62.5.
    card = score_audit(_weights_checklist((1, 1)), _weights_answers())
    assert card.sections == (SectionScore("a", 25.0, 1.0), SectionScore("b", 100.0, 1.0))
    assert card.overall == 62.5
    assert (card.grade, card.passed) == ("Fair", False)
    # Sections weighted 1 and 3: (1*25 + 3*100) / 4 = 325 / 4 = 81.25 -> shown 81.3.
    card = score_audit(_weights_checklist((1, 3)), _weights_answers())
    assert card.overall == 81.25
    assert card.to_dict()["overall"] == 81.3
    assert (card.grade, card.passed) == ("Good", True)


def test_item_weights_inside_a_section() -> None:
    c = checklist(section("s", item("a", weight=3), item("b", weight=1)))
    # a no (0 x3), b yes (1 x1): 1 / 4 = 25.0 (an unweighted mean would give 50.0)
    assert score_audit(c, answers(a=False, b=True)).overall == 25.0


def test_weights_on_some_sections_only_is_a_validation_error() -> None:
    with pytest.raises(ChecklistFileError) as caught:
        checklist(section("a", item("x"), weight=2), section("b", item("y")))
    assert [p.location for p in caught.value.problems] == ["sections[1].weight"]


# --------------------------------------------------------------------------- critical rules


def _critical_checklist(rule: Any) -> Checklist:
    return checklist(
        section("s", item("crit", critical=True), item("q1", weight=3), item("q2")),
        critical_rule=rule,
    )


# crit no (0 x1), q1 yes (1 x3), q2 yes (1 x1): raw = 4 / 5 = 80.0; crit fails.
FAILED = answers(crit=False, q1=True, q2=True)
# crit yes, q1 no, q2 yes: raw = 2 / 5 = 40.0; no critical failure.
CLEAN = answers(crit=True, q1=False, q2=True)


def test_flag_rule_leaves_the_score() -> None:
    card = score_audit(_critical_checklist("flag"), FAILED)
    assert card == ScoreCard(
        checklist_id="example",
        checklist_version=1,
        overall=80.0,
        raw_overall=80.0,
        grade="Good",
        passed=True,
        critical_failure=True,
        failed_critical_items=("crit",),
        sections=(SectionScore("s", 80.0, 5.0),),
        item_scores={"crit": 0.0, "q1": 1.0, "q2": 1.0},
    )


def test_zero_rule_sets_the_overall_to_zero() -> None:
    card = score_audit(_critical_checklist("zero"), FAILED)
    # raw 80.0 -> overall 0.0; the section score is left as it is
    assert (card.overall, card.raw_overall) == (0.0, 80.0)
    assert (card.grade, card.passed) == ("Needs improvement", False)
    assert card.sections == (SectionScore("s", 80.0, 5.0),)
    assert card.failed_critical_items == ("crit",)


def test_cap_rule_caps_the_overall() -> None:
    card = score_audit(_critical_checklist({"cap": 59}), FAILED)
    # min(80.0, 59) = 59.0 -> Needs improvement (< 60), failed
    assert (card.overall, card.raw_overall) == (59.0, 80.0)
    assert (card.grade, card.passed, card.critical_failure) == ("Needs improvement", False, True)


def test_cap_rule_leaves_a_score_below_the_cap() -> None:
    c = _critical_checklist({"cap": 59})
    # crit no, q1 no, q2 yes: 1 / 5 = 20.0 < 59 -> overall stays 20.0
    card = score_audit(c, answers(crit=False, q1=False, q2=True))
    assert (card.overall, card.raw_overall, card.critical_failure) == (20.0, 20.0, True)


@pytest.mark.parametrize("rule", ["flag", "zero", {"cap": 59}, {"cap": 0}])
def test_no_critical_failure_leaves_the_score_under_every_rule(rule: Any) -> None:
    card = score_audit(_critical_checklist(rule), CLEAN)
    assert (card.overall, card.raw_overall, card.critical_failure) == (40.0, 40.0, False)
    assert card.failed_critical_items == ()


def test_partial_credit_below_one_on_a_critical_item_is_a_failure() -> None:
    c = checklist(
        section(
            "s",
            item("temp", "number", target=5, direction="at_most", zero_at=9, critical=True),
            item("other"),
        ),
        critical_rule="zero",
    )
    # temp 6 -> (9 - 6) / (9 - 5) = 0.75 < 1: critical failure, overall 0
    card = score_audit(c, answers(temp=6, other=True))
    assert card.item_scores["temp"] == 0.75
    assert (card.critical_failure, card.failed_critical_items) == (True, ("temp",))
    assert card.raw_overall == pytest.approx(87.5)  # (0.75 + 1) / 2
    assert card.overall == 0.0
    # temp 5 meets the target: no failure, (1 + 1) / 2 = 100.0
    assert score_audit(c, answers(temp=5, other=True)).overall == 100.0


def test_failed_critical_items_follow_checklist_order() -> None:
    c = checklist(
        section("s1", item("b1", critical=True), item("b2")),
        section("s2", item("a1", critical=True)),
    )
    card = score_audit(c, list(reversed(answers(b1=False, b2=True, a1=False))))
    assert card.failed_critical_items == ("b1", "a1")


# --------------------------------------------------------------------------- grades, pass mark


def _points_checklist(points: float, **fields: Any) -> Checklist:
    """One choice item; choosing "p" scores ``points``, so the overall is 100 * points."""
    return checklist(
        section(
            "s",
            item(
                "q",
                "choice",
                options=[{"value": "full", "points": 1}, {"value": "p", "points": points}],
            ),
        ),
        **fields,
    )


@pytest.mark.parametrize(
    ("points", "pass_mark", "shown", "grade", "passed"),
    [
        (0.7496, 75, 75.0, "Good", True),  # 74.96 shows 75.0, meets the pass mark 75
        (0.7495, 75, 75.0, "Good", True),  # 74.95 rounds half up to 75.0
        (0.7494, 75, 74.9, "Fair", False),  # 74.94 shows 74.9: fails
        (0.75, 75, 75.0, "Good", True),  # exactly 75
        (0.8996, 95, 90.0, "Excellent", False),  # 89.96 shows 90.0; below the pass mark 95
        (0.8994, 95, 89.9, "Good", False),  # 89.94 shows 89.9
        (0.5996, 60, 60.0, "Fair", True),  # 59.96 -> 60.0
        (0.5994, 60, 59.9, "Needs improvement", False),  # 59.94 -> 59.9
        (0.0, 0, 0.0, "Needs improvement", True),  # pass mark 0: everything passes
    ],
)
def test_grade_and_pass_apply_to_the_shown_score(
    points: float, pass_mark: float, shown: float, grade: str, passed: bool
) -> None:
    card = score_audit(_points_checklist(points, pass_mark=pass_mark), [Answer("q", "p")])
    assert card.overall == pytest.approx(100 * points)
    assert card.to_dict()["overall"] == shown
    assert (card.grade, card.passed) == (grade, passed)


def test_pass_mark_boundary_with_own_grades() -> None:
    grades = [{"min": 80, "label": "A"}, {"min": 50.5, "label": "B"}, {"min": 0, "label": "C"}]
    c = _points_checklist(0.5046, pass_mark=50.5, grades=grades)
    # 50.46 shows 50.5: reaches the pass mark 50.5 and the band B that starts at 50.5
    card = score_audit(c, [Answer("q", "p")])
    assert (card.to_dict()["overall"], card.grade, card.passed) == (50.5, "B", True)
    # 50.44 shows 50.4: below both
    card = score_audit(_points_checklist(0.5044, pass_mark=50.5, grades=grades), [Answer("q", "p")])
    assert (card.to_dict()["overall"], card.grade, card.passed) == (50.4, "C", False)


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (75.25, 75.3),  # a half rounds up (round() would give 75.2)
        (81.25, 81.3),
        (0.05, 0.1),
        (99.95, 100.0),
        (74.96, 75.0),
        (74.94, 74.9),
        (None, None),
    ],
)
def test_display_rounds_halves_up(score: float | None, shown: float | None) -> None:
    assert display(score) == shown


def test_exact_half_rounds_up_after_pooling() -> None:
    c = checklist(
        section("a", *(item(f"a{n}") for n in range(19))),
        section("b", *(item(f"b{n}") for n in range(13))),
    )
    given = [Answer(f"a{n}", n < 10) for n in range(19)]
    given += [Answer(f"b{n}", False) for n in range(13)]
    # pooled: 10 points of 19 + 13 = 32 -> 100 * 10 / 32 = 31.25 exactly -> shown 31.3
    assert score_audit(c, given).to_dict()["overall"] == 31.3


def test_a_section_where_everything_scores_full_is_exactly_100() -> None:
    c = checklist(section("s", item("q", weight=0.69)))
    # one item, yes: 0.69 * 1 / 0.69 = 1 -> 100.0
    card = score_audit(c, answers(q=True))
    assert card.sections == (SectionScore("s", 100.0, 0.69),)


# --------------------------------------------------------------------------- text items


def test_unscored_text_items_are_ignored() -> None:
    c = checklist(
        section("s", item("a"), item("b"), item("notes", "text", weight=50)),
        section("only_text", item("remarks", "text")),
        section("t", item("c")),
    )
    given = answers(a=True, b=False, c=True)
    # pooled: a 1, b 0 -> 50.0 (w 2); t: 100.0 (w 1); only_text: nothing to score.
    # overall = (1 + 0 + 1) / 3 = 66.67 -> 66.7, whatever the text items say
    without_text = score_audit(c, given)
    with_text = score_audit(c, [*given, Answer("notes", "Polite"), Answer("remarks", "Busy")])
    assert with_text == without_text
    assert without_text.to_dict() == {
        "overall": 66.7,
        "grade": "Fair",
        "passed": False,
        "critical_failure": False,
        "failed_critical_items": [],
        "sections": {"s": 50.0, "only_text": None, "t": 100.0},
    }
    assert "notes" not in without_text.item_scores


def test_required_text_item_must_be_answered() -> None:
    c = checklist(section("s", item("a"), item("notes", "text", required=True)))
    with pytest.raises(AnswersRejected) as caught:
        score_audit(c, answers(a=True))
    assert caught.value.missing == ("notes",)


# --------------------------------------------------------------------------- invalid answers


def _invalid_checklist() -> Checklist:
    return checklist(
        section(
            "s",
            item("yn"),
            item("sc", "scale"),
            item(
                "ch",
                "choice",
                options=[{"value": "never", "points": 1}, {"value": "always", "points": 0}],
            ),
            item("pc", "percentage", target=90, direction="at_least"),
            item("ok", na_allowed=True),
        )
    )


def test_invalid_answers_are_rejected_with_every_problem_listed() -> None:
    c = _invalid_checklist()
    given = [
        Answer("nope", True),  # unknown item
        Answer("yn", na=True),  # N/A not allowed
        Answer("sc", 6),  # out of the 1..5 scale
        Answer("ch", "sometimes"),  # not an option
        Answer("pc", 120.0),  # a percentage above 100
        Answer("ok", na=True),  # fine: N/A allowed here
    ]
    with pytest.raises(AnswersRejected) as caught:
        score_audit(c, given)
    problems = caught.value.problems
    assert [(p.item_id, p.kind) for p in problems] == [
        ("nope", "unknown_item"),
        ("yn", "na_not_allowed"),
        ("sc", "invalid"),
        ("ch", "invalid"),
        ("pc", "invalid"),
    ]
    assert "Question sc" in problems[2].message
    assert "from 1 to 5" in problems[2].message
    assert "'sometimes'" in problems[3].message
    message = str(caught.value)
    for problem in problems:
        assert problem.message in message


def test_missing_required_answers_are_listed_with_the_other_problems() -> None:
    c = _invalid_checklist()
    with pytest.raises(AnswersRejected) as caught:
        score_audit(c, [Answer("sc", 0), Answer("ch", "never")])
    assert [(p.item_id, p.kind) for p in caught.value.problems] == [
        ("yn", "missing"),
        ("sc", "invalid"),
        ("pc", "missing"),
        ("ok", "missing"),  # na_allowed does not make an item optional
    ]
    assert caught.value.missing == ("yn", "pc", "ok")


def test_an_item_answered_twice_is_rejected() -> None:
    c = _invalid_checklist()
    with pytest.raises(AnswersRejected) as caught:
        score_audit(c, [Answer("yn", True), Answer("yn", False)])
    assert caught.value.problems == (AnswerProblem("yn", "duplicate", "item yn is answered twice"),)
