"""Consistency of standards: spread between branches per section and item, the share of
variance between branches (ICC), the share of branches meeting a standard, and the chain's
consistency index."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import pandas as pd

from audit_app.domain.compare.variance import (
    _TINY,
    CELL_COLUMNS,
    Period,
    _components,
    _optional,
    _shown,
    period_labels,
)

# ---------------------------------------------------------------------------
# Consistency of standards
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardConsistency:
    """How uniformly the branches keep one section or item (scores in points, 0-100)."""

    checklist_id: str
    level: Literal["section", "item"]
    standard: str
    """The section id or item id."""
    branches: int
    audits: int
    mean: float
    branch_sd: float | None
    """Standard deviation of the branch means (noise included); None with one branch."""
    between_sd: float | None
    """Noise-corrected spread of the branches' true levels: sqrt(between)."""
    icc: float | None
    """Share of the variance that lies between branches, ICC(1)."""
    meeting_share: float
    """Share of branches meeting the standard, 0-100: an item's mean is full marks, a
    section's mean (shown with one decimal) is at or above the pass mark."""


def summarise_cells(rows: pd.DataFrame, standard: str, value: str = "score") -> pd.DataFrame:
    """Per branch x checklist x standard: n, sum and sum of squares of ``value`` (NaN left
    out). ``rows`` needs ``branch_code``, ``checklist_id`` and the ``standard`` column."""
    counted = rows[rows[value].notna()]
    values = counted[value].astype(float)
    frame = pd.DataFrame(
        {
            "branch_code": counted["branch_code"].to_numpy(),
            "checklist_id": counted["checklist_id"].to_numpy(),
            "standard": counted[standard].to_numpy(),
            "value": values.to_numpy(),
            "value_sq": values.to_numpy() ** 2,
        }
    )
    cells = (
        frame.groupby(["branch_code", "checklist_id", "standard"], sort=True)
        .agg(n=("value", "size"), sum=("value", "sum"), sum_sq=("value_sq", "sum"))
        .reset_index()
    )
    return cells[CELL_COLUMNS]


def scale_cells(cells: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Cells of 0-1 item scores in points (x 100): sums scale by f, squares by f²."""
    return cells.assign(sum=cells["sum"] * factor, sum_sq=cells["sum_sq"] * factor**2)


def section_consistency(
    cells: pd.DataFrame, pass_marks: Mapping[str, float]
) -> tuple[StandardConsistency, ...]:
    """Consistency per section; a branch meets a section when its mean reaches the pass mark."""

    def meets(frame: pd.DataFrame) -> np.ndarray:
        marks = frame["checklist_id"].map(dict(pass_marks)).fillna(np.inf).to_numpy(dtype=float)
        return _shown(frame["sum"] / frame["n"]) >= marks

    return _consistency(cells, "section", meets)


def item_consistency(cells: pd.DataFrame) -> tuple[StandardConsistency, ...]:
    """Consistency per item (cells in points); a branch meets an item when every audit gave
    it full marks (mean score 1)."""

    def meets(frame: pd.DataFrame) -> np.ndarray:
        return (frame["sum"] / frame["n"]).to_numpy() >= 100 - 1e-6

    return _consistency(cells, "item", meets)


def _consistency(
    cells: pd.DataFrame,
    level: Literal["section", "item"],
    meets: Callable[[pd.DataFrame], np.ndarray],
) -> tuple[StandardConsistency, ...]:
    cells = cells[cells["n"] > 0]
    if cells.empty:
        return ()
    n = cells["n"].to_numpy(dtype=float)
    sums = cells["sum"].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "checklist_id": cells["checklist_id"].to_numpy(),
            "standard": cells["standard"].to_numpy(),
            "n": n,
            "sum": sums,
            "mean": sums / n,
            "inv_n": 1 / n,
            "ss_within": np.clip(cells["sum_sq"].to_numpy(dtype=float) - sums**2 / n, 0, None),
            "meets": meets(cells).astype(float),
        }
    )
    groups = frame.groupby(["checklist_id", "standard"], sort=True).agg(
        branches=("n", "size"),
        audits=("n", "sum"),
        total=("sum", "sum"),
        ss_within=("ss_within", "sum"),
        mean_inv_n=("inv_n", "mean"),
        branch_sd=("mean", "std"),
        meeting=("meets", "mean"),
    )
    rows = []
    for key, g in groups.iterrows():
        # pandas-stubs types a row label as Hashable; here it is the (checklist, standard) pair
        checklist_id, standard = cast("tuple[str, str]", key)
        components = _components(
            branches=int(g["branches"]),
            audits=int(g["audits"]),
            ss_within=float(g["ss_within"]),
            spread=float(g["branch_sd"]) ** 2,
            mean_inv_n=float(g["mean_inv_n"]),
        )
        rows.append(
            StandardConsistency(
                checklist_id=str(checklist_id),
                level=level,
                standard=str(standard),
                branches=int(g["branches"]),
                audits=int(g["audits"]),
                mean=float(g["total"] / g["audits"]),
                branch_sd=_optional(g["branch_sd"]),
                between_sd=components.between_sd,
                icc=components.icc,
                meeting_share=float(100 * g["meeting"]),
            )
        )
    return tuple(rows)


def least_consistent(
    standards: Sequence[StandardConsistency], top: int | None = 10
) -> tuple[StandardConsistency, ...]:
    """The standards whose branches differ most for real: largest noise-corrected spread
    between branches first (then largest ICC); standards that cannot be judged go last."""
    ordered = sorted(
        standards,
        key=lambda s: (
            s.between_sd is None,
            -(s.between_sd or 0.0),
            -(s.icc or 0.0),
            s.checklist_id,
            s.standard,
        ),
    )
    return tuple(ordered if top is None else ordered[:top])


def consistency_index(standards: Sequence[StandardConsistency]) -> float | None:
    """The chain's consistency index: 100 minus the average noise-corrected spread between
    branches (in points), each section counting in proportion to its scored audits.

    100 means every branch delivers every section at the same level; each point below 100
    is one point of standard deviation between the branches' true section scores. Unlike
    an ICC it does not move when the visits get noisier (a new auditor), and it can be
    computed for a month in which each branch was audited once.
    """
    usable = [s for s in standards if s.between_sd is not None and s.audits > 0]
    if not usable:
        return None
    weights = np.array([s.audits for s in usable], dtype=float)
    spread = np.array([s.between_sd for s in usable], dtype=float)
    return float(100 - np.average(spread, weights=weights))


def consistency_index_by_period(
    section_rows: pd.DataFrame, period: Period = "month"
) -> pd.DataFrame:
    """The consistency index per month or quarter, trackable over time.

    ``section_rows``: one row per audit x section with ``audit_id, branch_code,
    checklist_id, section_id, score, visited_at``. Each section's noise (within-branch
    variance) comes from the whole selection, because a branch is rarely audited twice in
    one month; the spread between branches comes from each period's branch means, by the
    same estimator as :func:`estimate_components`. Columns: period, consistency_index,
    branches, audits.
    """
    columns = ["period", "consistency_index", "branches", "audits"]
    rows = section_rows[section_rows["score"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    noise = _within_by_standard(summarise_cells(rows, "section_id"))
    labelled = rows.assign(period=period_labels(rows["visited_at"], period).to_numpy())
    cells = (
        labelled.groupby(["period", "checklist_id", "section_id", "branch_code"], sort=True)[
            "score"
        ]
        .agg(n="size", mean="mean")
        .reset_index()
    )
    cells["inv_n"] = 1 / cells["n"]
    per = (
        cells.groupby(["period", "checklist_id", "section_id"], sort=True)
        .agg(
            branches=("n", "size"),
            audits=("n", "sum"),
            spread=("mean", "var"),
            mean_inv_n=("inv_n", "mean"),
        )
        .reset_index()
    )
    within = [noise.get(key) for key in zip(per["checklist_id"], per["section_id"], strict=True)]
    per["within"] = pd.array(within, dtype="Float64").to_numpy(dtype=float, na_value=np.nan)
    between = (per["spread"] - per["within"] * per["mean_inv_n"]).clip(lower=0)
    per["between_sd"] = np.sqrt(between.where(per["branches"] >= 2))
    usable = per[per["between_sd"].notna()]
    # pandas-stubs lack apply's include_groups (a real keyword since pandas 2.2): the ignore
    index = (
        usable.groupby("period").apply(  # type: ignore[call-overload]
            lambda g: 100 - np.average(g["between_sd"], weights=g["audits"]),
            include_groups=False,
        )
        if not usable.empty  # no period with two branches: apply would give an empty frame
        else pd.Series(dtype=float)
    )
    counts = labelled.groupby("period", sort=True).agg(
        branches=("branch_code", "nunique"), audits=("audit_id", "nunique")
    )
    out = counts.assign(consistency_index=index.reindex(counts.index)).reset_index()
    out["consistency_index"] = out["consistency_index"].astype(float)
    return out[columns]


def _within_by_standard(cells: pd.DataFrame) -> dict[tuple[str, str], float | None]:
    """Pooled within-branch variance per (checklist, standard); None without replicates."""
    n = cells["n"].to_numpy(dtype=float)
    sums = cells["sum"].to_numpy(dtype=float)
    frame = cells[["checklist_id", "standard"]].assign(
        n=n, ss=np.clip(cells["sum_sq"].to_numpy(dtype=float) - sums**2 / n, 0, None)
    )
    totals = frame.groupby(["checklist_id", "standard"], sort=True).agg(
        branches=("n", "size"), audits=("n", "sum"), ss=("ss", "sum")
    )
    out: dict[tuple[str, str], float | None] = {}
    for key, row in totals.iterrows():
        df = row["audits"] - row["branches"]
        within = float(row["ss"] / df) if df > 0 else None
        # pandas-stubs types a row label as Hashable; here it is the (checklist, standard) pair
        pair = cast("tuple[str, str]", key)
        out[pair] = None if within is None else (0.0 if within < _TINY else within)
    return out
