"""Answer words as real files write them, turned into what the answer parser reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from audit_app.checklists import Catalogue
from audit_app.domain.answers import InvalidAnswer, parse_answer
from audit_app.domain.checklist import Item
from audit_app.domain.intake.vocabulary import Vocabulary, fold, normalise, parse_number

FRACTION = Vocabulary(percent_scale="fraction")
PERCENT = Vocabulary(percent_scale="percent")


@pytest.fixture(scope="module")
def items(catalogue: Catalogue) -> dict[str, Item]:
    found: dict[str, Item] = {}
    for checklist_id in ("greeting_phone", "sourcing", "greeting_in_person"):
        found.update(catalogue.get(checklist_id).items_by_id)
    return found


def answer_of(item: Item, raw: Any, vocabulary: Vocabulary = Vocabulary()) -> tuple[Any, ...]:
    value, comment = normalise(item, raw, vocabulary)
    answer = parse_answer(item, value, comment=comment)
    return answer.value, answer.na, answer.comment


@pytest.mark.parametrize(
    ("item_id", "raw", "expected"),
    [
        # yes/no in several languages, with points attached, with a reason
        ("answer.greeting", "Yes (100.00)", (True, False, None)),
        ("answer.greeting", "No (0.00)", (False, False, None)),
        ("answer.greeting", "Evet (100.00)", (True, False, None)),
        ("answer.greeting", "No [0 pts]", (False, False, None)),
        ("answer.greeting", "Sí", (True, False, None)),
        ("answer.greeting", "si", (True, False, None)),
        ("answer.greeting", "Sì", (True, False, None)),
        ("answer.greeting", "Da", (True, False, None)),
        ("answer.greeting", "Ja", (True, False, None)),
        ("answer.greeting", "Oui", (True, False, None)),
        ("answer.greeting", "X", (True, False, None)),
        ("answer.greeting", "TRUE", (True, False, None)),
        ("answer.greeting", "Nu", (False, False, None)),
        ("answer.greeting", "Hayır", (False, False, None)),
        ("answer.greeting", "hayir", (False, False, None)),
        ("answer.greeting", "Nee", (False, False, None)),
        ("answer.greeting", "Non", (False, False, None)),
        ("answer.greeting", "  no  ", (False, False, None)),
        ("answer.greeting", "No - own name missing", (False, False, "own name missing")),
        ("answer.greeting", True, (True, False, None)),
        ("answer.greeting", 1.0, (True, False, None)),
        # N/A words and N/A with a reason, for every item type that allows it
        ("voicemail.greeting_current", "N/A", (None, True, None)),
        ("voicemail.greeting_current", "n.a.", (None, True, None)),
        ("voicemail.greeting_current", "Not applicable", (None, True, None)),
        ("voicemail.greeting_current", "No aplica", (None, True, None)),
        ("voicemail.greeting_current", "Nu se aplică", (None, True, None)),
        ("voicemail.greeting_current", "Nu se aplica", (None, True, None)),
        ("voicemail.greeting_current", "Uygulanamaz", (None, True, None)),
        ("voicemail.greeting_current", "k.A.", (None, True, None)),
        ("voicemail.greeting_current", "N/A (0.00)", (None, True, None)),
        (
            "voicemail.greeting_current",
            "N/A - store has no phone",
            (None, True, "store has no phone"),
        ),
        ("voicemail.greeting_current", "N/A: closed", (None, True, "closed")),
        ("voicemail.greeting_current", "N/A (no voicemail)", (None, True, "no voicemail")),
        ("voicemail.greeting_current", "No aplica - sin buzón", (None, True, "sin buzón")),
        ("voicemail.return_hours", "N/A – no message left", (None, True, "no message left")),
        # numbers stored as text, decimal commas, grouping, units
        ("answer.rings", "3", (3.0, False, None)),
        ("answer.rings", "'4", (4.0, False, None)),
        ("answer.rings", "6 rings", (6.0, False, None)),
        ("voicemail.return_hours", "2,5", (2.5, False, None)),
        ("voicemail.return_hours", " 2.5 ", (2.5, False, None)),
        ("voicemail.return_hours", "2,5 hours", (2.5, False, None)),
        ("welcome.seconds_to_greet", "1.234,5", (1234.5, False, None)),
        ("welcome.seconds_to_greet", "1,234.5", (1234.5, False, None)),
        ("welcome.seconds_to_greet", "1 234", (1234.0, False, None)),
        ("answer.rings", 5, (5.0, False, None)),
        # scales
        ("call.tone", "4", (4, False, None)),
        ("call.tone", "4,0", (4, False, None)),
        ("call.tone", "4/5", (4, False, None)),
        ("call.tone", "4 (80.00)", (4, False, None)),
        ("call.tone", 5.0, (5, False, None)),
        # choices by value or label, any case, with points
        ("call.hold", "never", ("never", False, None)),
        ("call.hold", "Asked first", ("asked_first", False, None)),
        ("call.hold", "ASKED_FIRST", ("asked_first", False, None)),
        ("call.hold", "asked before putting on hold", ("asked_first", False, None)),
        ("call.hold", "Put on hold without asking (0.00)", ("without_asking", False, None)),
        # percentages as text are percentages as written, whatever the scale
        ("share.organic_fresh", "91%", (91.0, False, None)),
        ("share.organic_fresh", "'91%", (91.0, False, None)),
        ("share.organic_fresh", "74.00%", (74.0, False, None)),
        ("share.organic_fresh", "91,5 %", (91.5, False, None)),
        ("share.organic_fresh", "0,5%", (0.5, False, None)),
        ("share.organic_fresh", "91", (91.0, False, None)),
        ("share.organic_fresh", 91, (91.0, False, None)),
        # text and evidence are left as written
        ("notes.inspector", "N/A - nothing to add", ("N/A - nothing to add", False, None)),
        ("notes.inspector", "  Yes (100.00) ", ("Yes (100.00)", False, None)),
    ],
)
def test_real_world_answers_are_normalised(
    items: dict[str, Item], item_id: str, raw: Any, expected: tuple[Any, ...]
) -> None:
    assert answer_of(items[item_id], raw) == expected


@pytest.mark.parametrize(
    ("raw", "vocabulary", "expected"),
    [
        (0.91, FRACTION, 91.0),
        (0.93, FRACTION, 93.0),
        ("0,905", FRACTION, 90.5),
        (1, FRACTION, 100.0),
        (0, FRACTION, 0.0),
        (91, FRACTION, 91.0),  # above 1: as written
        ("91%", FRACTION, 91.0),  # a % sign is always a percentage
        (0.91, PERCENT, 0.91),
        (0.91, Vocabulary(), 0.91),  # auto without a reader: as written
        (0.91, Vocabulary(fraction_items=frozenset({"share.organic_fresh"})), 91.0),
    ],
)
def test_percent_scales(
    items: dict[str, Item], raw: Any, vocabulary: Vocabulary, expected: float
) -> None:
    value, _, _ = answer_of(items["share.organic_fresh"], raw, vocabulary)
    assert value == pytest.approx(expected, abs=1e-9)


def test_fraction_items_apply_only_to_their_items(items: dict[str, Item]) -> None:
    vocabulary = Vocabulary(fraction_items=frozenset({"share.organic_dry"}))
    assert normalise(items["share.organic_dry"], 0.5, vocabulary) == (50.0, None)
    assert normalise(items["share.organic_fresh"], 0.5, vocabulary) == (0.5, None)
    assert normalise(items["answer.rings"], 0.5, FRACTION) == (0.5, None)


def test_a_profile_adds_its_own_words(items: dict[str, Item]) -> None:
    vocabulary = Vocabulary(yes=("Conforme", "OK"), no=("No conforme",), na=("No procede",))
    item = items["voicemail.greeting_current"]
    assert answer_of(item, "Conforme", vocabulary) == (True, False, None)
    assert answer_of(item, "ok (100.00)", vocabulary) == (True, False, None)
    assert answer_of(item, "No conforme", vocabulary) == (False, False, None)
    assert answer_of(item, "No procede - sin contestador", vocabulary) == (
        None,
        True,
        "sin contestador",
    )
    with pytest.raises(InvalidAnswer):
        answer_of(item, "Conforme")  # not a built-in word


@pytest.mark.parametrize(
    ("item_id", "raw"),
    [
        ("answer.greeting", "Maybe"),
        ("answer.greeting", "Yes please"),
        ("call.tone", "good"),
        ("call.tone", "4/10"),
        ("call.hold", "sometimes"),
        ("share.organic_fresh", "ninety"),
        ("answer.rings", "a few"),
    ],
)
def test_what_is_not_recognised_is_left_for_the_parser_to_name(
    items: dict[str, Item], item_id: str, raw: str
) -> None:
    assert normalise(items[item_id], raw) == (raw, None)
    with pytest.raises(InvalidAnswer, match=f"'{raw}' is not an answer to"):
        parse_answer(items[item_id], raw)


def test_na_where_not_allowed_is_still_refused_by_the_parser(items: dict[str, Item]) -> None:
    value, comment = normalise(items["answer.greeting"], "N/A - no one answered")
    assert (value, comment) == ("na", "no one answered")
    with pytest.raises(InvalidAnswer, match="N/A is not allowed"):
        parse_answer(items["answer.greeting"], value, comment=comment)


def test_blanks_dates_and_non_text_pass_through(items: dict[str, Item]) -> None:
    moment = datetime(2026, 5, 3, 10, 15)
    for raw in (None, "", "   "):
        assert normalise(items["answer.greeting"], raw) == (raw, None)
    assert normalise(items["answer.greeting"], moment) == (moment, None)


def test_normalise_is_pure(items: dict[str, Item]) -> None:
    """The importer remembers results per (item, raw value): the same input, the same output."""
    vocabulary = Vocabulary(yes=("Conforme",))
    item = items["voicemail.greeting_current"]
    first = [normalise(item, raw, vocabulary) for raw in ("N/A - x", "Conforme", "Sí", "?")]
    again = [normalise(item, raw, vocabulary) for raw in ("N/A - x", "Conforme", "Sí", "?")]
    assert first == again
    assert vocabulary == Vocabulary(yes=("Conforme",))


def test_parse_number_and_fold() -> None:
    assert parse_number("7,5") == 7.5
    assert parse_number("-3") == -3.0
    assert parse_number(",5") == 0.5
    assert parse_number("1.234.567") == 1234567.0
    assert parse_number("1.234,56") == 1234.56
    assert parse_number("1,2,3") is None
    assert parse_number("12 s") is None
    assert fold("  Hayır ") == "hayir"
    assert fold("Nu  se aplică") == "nu se aplica"
    assert fold("k.A.") == "k.a"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("N/A karena stok tersedia", (None, True, "karena stok tersedia")),
        ("n/a - closed", (None, True, "closed")),
        ("NA: no stock", (None, True, "no stock")),
        ("No aplica per obres", (None, True, "per obres")),
        ("Nu se aplică   magazin nou", (None, True, "magazin nou")),
        ("N/A", (None, True, None)),
    ],
)
def test_na_takes_any_reason_after_a_space_or_a_mark(
    items: dict[str, Item], raw: str, expected: tuple[Any, ...]
) -> None:
    assert answer_of(items["conduct.unsure"], raw) == expected


def test_yes_and_no_take_no_reason_after_a_mere_space(items: dict[str, Item]) -> None:
    item = items["welcome.acknowledged"]
    assert normalise(item, "No smoking sign") == ("No smoking sign", None)
    assert normalise(item, "Yes indeed") == ("Yes indeed", None)


def test_a_profile_maps_its_own_answer_words(items: dict[str, Item]) -> None:
    words = Vocabulary(answer_map={"Nope": "no", "Met": "yes", "Excellent": "5", "Nvt": "na"})
    assert [
        answer_of(items[item], raw, words)
        for item, raw in [
            ("welcome.acknowledged", "NOPE"),
            ("welcome.acknowledged", "met"),
            ("conduct.brand_attitude", "Excellent"),
            ("conduct.unsure", "Nvt"),
        ]
    ] == [(False, False, None), (True, False, None), (5, False, None), (None, True, None)]
    with pytest.raises(InvalidAnswer):
        answer_of(items["welcome.acknowledged"], "Nope")  # not without the profile's map
    assert answer_of(items["welcome.acknowledged"], "Fatal") == (False, False, None)  # built in


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 November 2025", datetime(2025, 11, 7)),
        ("Nov 30, 2025", datetime(2025, 11, 30)),
        ("30 de novembre de 2025", datetime(2025, 11, 30)),
        ("1 d'abril de 2025", datetime(2025, 4, 1)),
        ("7 noiembrie 2025", datetime(2025, 11, 7)),
        ("7 Kasım 2025", datetime(2025, 11, 7)),
        ("7 de noviembre de 2025", datetime(2025, 11, 7)),
        ("7 de noviembre de 2025 14:30", datetime(2025, 11, 7, 14, 30)),
        ("May 2025", datetime(2025, 5, 1)),
        ("mayıs 2025", datetime(2025, 5, 1)),
        ("23/05/2026 09:15", datetime(2026, 5, 23, 9, 15)),
        ("31 Feb 2025", None),
        ("7 Brumaire 2025", None),
        ("Wave 2 2025", None),
        ("7 November", None),
    ],
)
def test_dates_with_month_names_in_five_languages(text: str, expected: datetime | None) -> None:
    from audit_app.domain.intake.dates import parse_date

    assert parse_date(text) == expected


def test_a_date_format_with_spaces_is_tried_whole() -> None:
    from audit_app.domain.intake.dates import parse_date

    assert parse_date("7 November 2025", ("%d %B %Y",)) == datetime(2025, 11, 7)
    assert parse_date("2025 11 07 08:05", ("%Y %m %d",)) == datetime(2025, 11, 7, 8, 5)
    assert parse_date("Fri 7 Nov 2025", ("%a %d %b %Y",)) == datetime(2025, 11, 7)


@pytest.mark.parametrize("raw", ["Yes\u200b", "\ufeffYes", "Ye\u200ds", "\u2060Yes "])
def test_invisible_characters_pasted_from_the_web_do_not_hide_an_answer(
    items: dict[str, Item], raw: str
) -> None:
    """A zero-width space pasted with an answer made ``'Yes'`` no answer, with a message
    showing a plain Yes (trial #16)."""
    assert answer_of(items["welcome.acknowledged"], raw) == (True, False, None)


def test_a_mapped_word_takes_a_reason_after_a_mark(items: dict[str, Item]) -> None:
    """``answers.map: {Yok: "no"}`` read ``Yok`` but not ``Yok - stok yok``, while
    ``answers.no: [Yok]`` read both (trial #16)."""
    words = Vocabulary(answer_map={"Yok": "no", "Nvt": "na"})
    assert [
        answer_of(items[item], raw, words)
        for item, raw in [
            ("welcome.offered_help", "Yok - stok yok"),
            ("welcome.offered_help", "yok (stok yok)"),
            ("conduct.unsure", "Nvt: winkel dicht"),
        ]
    ] == [(False, False, "stok yok"), (False, False, "stok yok"), (None, True, "winkel dicht")]
    with pytest.raises(InvalidAnswer):
        answer_of(items["welcome.offered_help"], "Yoksa - x", words)
