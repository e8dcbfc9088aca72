"""``sorted_codes`` of a categorical, from its own codes (#21), equals the codes of the same
values as plain objects: any categories (unsorted, unused, missing values), any values."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.domain.compare.codes import sorted_codes

LABELS = ["B-2", "A-1", "é", "Z", "a", "10", "9", ""]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(LABELS), min_size=1, max_size=6, unique=True),
    st.lists(st.integers(-1, 5), max_size=40),
    st.booleans(),
    st.booleans(),
)
def test_a_categorical_codes_as_its_values_would(
    categories: list[str], picks: list[int], as_series: bool, sort: bool
) -> None:
    """``sort``: categories in order, as the item cells a comparison keeps have them (their
    codes then are the answer when every category is used and none is missing)."""
    if sort:
        categories = sorted(categories)
    codes = np.array([p if p < len(categories) else -1 for p in picks], dtype=np.int64)
    values = pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype="str"))
    plain = np.array([None if c < 0 else categories[c] for c in codes], dtype=object)
    got_codes, got_labels = sorted_codes(pd.Series(values) if as_series else values)
    want_codes, want_labels = sorted_codes(pd.Series(plain, dtype=object))
    assert got_codes.tolist() == want_codes.tolist()
    assert got_labels.tolist() == want_labels.tolist()


def test_a_sorted_categorical_with_every_category_used_keeps_its_codes() -> None:
    values = pd.Categorical.from_codes([2, 0, 1, 1, 0], categories=pd.Index(["a", "b", "c"]))
    codes, labels = sorted_codes(values)
    assert codes.tolist() == [2, 0, 1, 1, 0] and codes.dtype == np.int64
    assert labels.tolist() == ["a", "b", "c"]


def test_a_sorted_categorical_with_a_category_unused_is_renumbered() -> None:
    values = pd.Categorical.from_codes([2, 0, 2], categories=pd.Index(["a", "b", "c"]))
    codes, labels = sorted_codes(values)
    assert codes.tolist() == [1, 0, 1]
    assert labels.tolist() == ["a", "c"]
