"""Auditor names: one key per person (accents kept), and the near misses worth a question."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from audit_app.domain.auditors import Auditor, AuditorKind, is_near_miss, name_key, near_misses


def test_the_key_folds_case_spaces_and_unicode_forms_but_keeps_accents() -> None:
    decomposed = "Laura Ferna\u0301ndez"  # the accent as a combining mark
    assert name_key("  laura   FERNÁNDEZ ") == name_key(decomposed) == "laura fernández"
    assert name_key("Laura Fernandez") != name_key("Laura Fernández")


def test_near_misses_catch_accents_typos_and_swapped_names() -> None:
    known = ["Laura Fernández", "Jordi Puig", "Ayşe Yılmaz", "Anna Roig", "Mehmet Kaya"]
    assert near_misses("Laura Fernandez", known) == ["Laura Fernández"]
    assert near_misses("Jordi Puigg", known) == ["Jordi Puig"]
    assert near_misses("Puig Jordi", known) == ["Jordi Puig"]
    assert near_misses("Ayse Yilmaz", known) == ["Ayşe Yılmaz"]
    assert near_misses("Anna Puig", known) == []  # another surname: another person
    assert near_misses("Núria Ferrer", known) == []


def test_the_same_key_is_never_a_near_miss_of_itself() -> None:
    assert near_misses("jordi  PUIG", ["Jordi Puig"]) == []
    assert near_misses("Jordi Puig", ["Jordi Puigg", "jordi puigg"]) == ["Jordi Puigg"]


@given(st.text(min_size=1, max_size=30), st.text(min_size=1, max_size=30))
def test_a_near_miss_is_symmetric_and_never_the_same_key(a: str, b: str) -> None:
    assert is_near_miss(a, b) == is_near_miss(b, a)
    if name_key(a) == name_key(b):
        assert not is_near_miss(a, b)


def test_an_auditor_is_a_plain_value() -> None:
    auditor = Auditor(3, "Laura Fernández", AuditorKind.AGENCY, "Client Ocult SL", areas=("Nord",))
    assert auditor.key == "laura fernández"
    assert auditor.to_dict() == {
        "id": 3,
        "name": "Laura Fernández",
        "kind": "agency",
        "organisation": "Client Ocult SL",
        "email": "",
        "username": None,
        "areas": ["Nord"],
        "active": True,
        "merged_into": None,
    }
