"""Text keys to integer codes in the sorted order of their distinct values.

``np.unique`` sorts every value, comparing Python strings: 0.1-0.2 s for the 180,000
branch-month labels of a ten-times chain (#21). Hashing first and sorting only the few
distinct values (thousands at most) gives the same codes in a fraction of that."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def sorted_codes(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` reversed: each value's code (int64) in the
    sorted order of the distinct values, and those values (a missing value keeps -1).

    A categorical is coded from its own codes (hashing the eleven million cells of a
    ten-times history's items took 0.2 s, #21)."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        return _categorical_codes(pd.Categorical(values))
    codes, found = pd.factorize(values, sort=False)
    labels = np.asarray(found, dtype=object)
    if not len(labels):  # nothing but missing values
        return np.full(len(codes), -1, dtype=np.int64), labels
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(labels), dtype=np.int64)
    rank[order] = np.arange(len(labels))
    return np.where(codes < 0, -1, rank[codes]).astype(np.int64), labels[order]


def _categorical_codes(values: pd.Categorical) -> tuple[np.ndarray, np.ndarray]:
    categories = values.categories
    if len(values) and categories.is_monotonic_increasing:
        # the item cells a comparison keeps are coded so already (categories sorted, each
        # used, none missing): their codes are the answer, and ranking every cell's code
        # again cost 0.1 s per column of a ten-times history's eleven million cells (#21)
        small = values.codes
        if small.min() >= 0:
            codes = small.astype(np.int64)
            if np.bincount(codes, minlength=len(categories)).all():
                return codes, np.asarray(categories, dtype=object)
    codes = np.asarray(values.codes, dtype=np.int64)
    present = codes >= 0
    used = np.flatnonzero(np.bincount(codes[present], minlength=len(values.categories)))
    labels = np.asarray(values.categories.take(used), dtype=object)
    order = np.argsort(labels, kind="stable")
    rank = np.full(len(values.categories), -1, dtype=np.int64)
    rank[used[order]] = np.arange(len(used))
    return np.where(present, rank[codes], -1), labels[order]


def first_rows(codes: np.ndarray) -> np.ndarray:
    """The row of each code's first occurrence, by code (codes 0..k-1, each present)."""
    return np.unique(codes, return_index=True)[1]


def dense_codes(keys: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` for non-negative integer keys below
    ``size``: a presence table instead of a sort when the keys fill a good part of it
    (the millions of section scores of a ten-times history), else the sort."""
    if size > max(8 * len(keys), 1 << 20) or size >= 1 << 31:
        uniques, inverse = np.unique(keys, return_inverse=True)
        return uniques, inverse.reshape(-1).astype(np.int64)
    present = np.zeros(size, dtype=bool)
    present[keys] = True
    position = np.cumsum(present, dtype=np.int32) - 1
    return np.flatnonzero(present), position[keys].astype(np.int64)
