"""The sums a league table is computed from: per branch x period counts, sums and sums of
squares of the overall scores, which the database or a summary table can add up."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from audit_app.domain.compare.codes import first_rows, sorted_codes
from audit_app.domain.compare.variance import BRANCH_TOTAL_COLUMNS

BRANCH_PERIOD_TOTAL_COLUMNS = [
    "branch_code",
    "branch_name",
    "region",
    "country",
    "period",
    "audits",
    "sum",
    "sum_sq",
    "passed",
    "judged",
    "critical_failures",
]
SINGLE_PERIOD = "all"
"""The period label of totals that were not split by period."""
_NUMBERS = ["audits", "sum", "sum_sq", "passed", "judged", "critical_failures"]
_NAMES = ["branch_name", "region", "country"]


def total_branch_periods(audits: pd.DataFrame, period_of: pd.Series) -> pd.DataFrame:
    """Per branch x period with a scored audit (:data:`BRANCH_PERIOD_TOTAL_COLUMNS`).

    ``period_of`` labels each audit row (same index as ``audits``): '2026-03', '2026Q1', a
    wave name...
    """
    return _total(audits, period_of, ["branch_code", "period"], BRANCH_PERIOD_TOTAL_COLUMNS)


def total_branches(audits: pd.DataFrame) -> pd.DataFrame:
    """Per branch with a scored audit, all periods together (:data:`BRANCH_TOTAL_COLUMNS`)."""
    periods = pd.Series(SINGLE_PERIOD, index=audits.index)
    return _total(audits, periods, ["branch_code"], BRANCH_TOTAL_COLUMNS)


def _total(
    audits: pd.DataFrame, period_of: pd.Series, keys: list[str], columns: list[str]
) -> pd.DataFrame:
    scored = audits[audits["overall"].notna()]
    if scored.empty:
        return pd.DataFrame(columns=columns)
    passed = scored["passed"]
    overall = scored["overall"].to_numpy(dtype=float)
    each = pd.DataFrame(
        {
            "branch_code": scored["branch_code"].to_numpy(),
            "period": period_of.loc[scored.index].astype(str).to_numpy(),
            "audits": np.ones(len(scored), dtype=np.int64),
            "sum": overall,
            "sum_sq": overall**2,
            "passed": passed.eq(True).to_numpy(dtype=np.int64),  # None (no verdict): not passed
            "judged": passed.notna().to_numpy(dtype=np.int64),
            "critical_failures": scored["critical_failure"].astype(bool).to_numpy(dtype=np.int64),
            **{name: scored[name].to_numpy() for name in _NAMES},
        }
    )
    return _add_up(each, keys, columns)


def combine_totals(totals: pd.DataFrame) -> pd.DataFrame:
    """Per-branch totals (:data:`BRANCH_TOTAL_COLUMNS`) from totals split further (by
    period, by checklist version...): counts and sums add up."""
    return _add_up(totals, ["branch_code"], BRANCH_TOTAL_COLUMNS)


def combine_branch_periods(totals: pd.DataFrame) -> pd.DataFrame:
    """Per branch x period totals from totals split further (e.g. by checklist version);
    totals without a ``period`` column count as one period."""
    if "period" not in totals.columns:
        totals = totals.assign(period=SINGLE_PERIOD)
    return _add_up(totals, ["branch_code", "period"], BRANCH_PERIOD_TOTAL_COLUMNS)


def _add_up(totals: pd.DataFrame, keys: list[str], columns: list[str]) -> pd.DataFrame:
    """Sum the counts by ``keys`` (sorted by them, as text), names from the first row of
    each branch; numpy rather than a pandas groupby, which costs milliseconds per call.
    Text columns are coded and taken, never turned into Python objects and back (0.2 s of
    a ten-times history's league table, #21)."""
    if totals.empty:
        return pd.DataFrame(columns=columns)
    labels = [_text(totals[key]) for key in keys]
    coded = [sorted_codes(label) for label in labels]
    key = np.zeros(len(totals), dtype=np.int64)
    for codes, values in coded:
        key = key * len(values) + codes
    cells, first, cell_of = np.unique(key, return_index=True, return_inverse=True)
    out: dict[str, object] = {
        name: _taken(label, first) for name, label in zip(keys, labels, strict=True)
    }
    for name in _NUMBERS:
        sums = np.bincount(
            cell_of, weights=totals[name].to_numpy(dtype=float), minlength=len(cells)
        )
        out[name] = sums if name in ("sum", "sum_sq") else np.rint(sums).astype(int)
    first_row = first_rows(coded[0][0])[coded[0][0][first]]
    for name in _NAMES:
        out[name] = _taken(totals[name], first_row)
    return pd.DataFrame(out)[columns]


def _text(values: pd.Series) -> pd.Series:
    """A key column as text (a quarter's ``Period`` as '2026Q1')."""
    return values if isinstance(values.dtype, pd.StringDtype) else values.astype(str)


def _taken(values: pd.Series, rows: np.ndarray) -> Any:
    """The rows of a column: text taken as text; anything else as before, an array."""
    if isinstance(values.dtype, pd.StringDtype):
        return values.iloc[rows].reset_index(drop=True)
    return values.to_numpy()[rows]
