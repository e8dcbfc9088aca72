"""The item summaries (``item_month_sums``) against the answers, and the branch-month totals
(``branch_month_sums``) against the audits' scores, for ``verify``.

What the rows should hold is added up again from each submitted audit's item-score vector,
which verify checks against the audit's answers on its own; every row that differs, is
missing or should not be there is named by its branch code, checklist, item, month, kind
and channel, with what is stored and what the answers give. Counts must be equal; sums may
differ by rounding (they are kept by adding and subtracting), up to :data:`TOLERANCE`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from audit_app.storage import branch_sums, item_sums
from audit_app.storage.tables import branches

TOLERANCE = 1e-6
"""How far a stored sum may drift from the recomputed one (item scores are 0-1)."""
RELATIVE_TOLERANCE = 1e-9
"""How far a stored branch-month sum (of 0-100 scores and their squares) may drift from the
recomputed one, as a share of its size: adding and taking away a revision's score leaves
about 1e-14; a change of one point in a million passes no more."""
SHOWN = 100
"""Rows named one by one; past these, one line says how many more differ."""


def check_item_sums(
    conn: Connection,
    *,
    span: int = item_sums.SPAN,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[str], int]:
    """The problems found and the number of rows checked. The rows are compared one range
    of branches at a time (about ``span`` audits each; the whole table of the ten-times set
    held at once in two frames took gigabytes), in key order, so the rows named are those
    of one comparison of everything."""
    spans = item_sums.branch_spans(conn, span)
    named: list[dict[Any, Any]] = []
    differing = checked = 0
    for done, branches_span in enumerate(spans, start=1):
        have = item_sums.stored_in(conn, branches_span)
        checked += len(have)
        found = _compared(have, item_sums.recomputed_in(conn, branches_span))
        differing += len(found)
        if len(named) < SHOWN:
            named += found[: SHOWN - len(named)]
        if progress is not None:
            progress(done, len(spans))
    if not differing:
        return [], checked
    codes = dict(conn.execute(select(branches.c.id, branches.c.code)).all())
    problems = [_named(row, codes) for row in named]
    if differing > SHOWN:
        problems.append(
            f"{differing - SHOWN:,} more item summaries differ from what the answers give; "
            "`audit-app restore` of an export into a new database rebuilds them"
        )
    return problems, checked


def _compared(have: list[tuple[Any, ...]], want: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of one range that differ, are missing or are extra, in key order (each with
    both sides' figures, 0 for a side that has no row or no value). Keys are matched as
    numbers (each key column factorized on each side, the two sides' values aligned),
    figures compared in numpy: a merge of frames of text keys, or a loop in Python, took
    most of the check."""
    width = len(item_sums.KEY)
    stored_columns: list[Any] = list(zip(*have, strict=True)) or [() for _ in item_sums.COLUMNS]
    key = np.zeros(len(have) + len(want), dtype=np.int64)
    for k, name in enumerate(item_sums.KEY):
        mine, mine_uniques = pd.factorize(np.asarray(stored_columns[k], dtype=object))
        theirs, their_uniques = pd.factorize(want[name].to_numpy(dtype=object))
        mine_index = pd.Index(mine_uniques, dtype=object)
        their_index = pd.Index(their_uniques, dtype=object)
        uniques = mine_index.append(their_index).unique()
        count = max(1, len(uniques))
        if int(key.max(initial=0)) >= 2**62 // count:
            raise ValueError("too many item summary keys in one range to compare")
        column = np.concatenate(
            [
                uniques.get_indexer(mine_index)[mine],
                uniques.get_indexer(their_index)[theirs],
            ]
        ).astype(np.int64)
        key = key * count + column
    mine_keys, their_keys = key[: len(have)], key[len(have) :]
    both, mine_at, their_at = np.intersect1d(
        mine_keys, their_keys, assume_unique=True, return_indices=True
    )
    mine_only = np.flatnonzero(~np.isin(mine_keys, both))
    theirs_only = np.flatnonzero(~np.isin(their_keys, both))
    wrong = np.zeros(len(both), dtype=bool)
    for i, name in enumerate(item_sums.VALUES):
        stored = _numbers(stored_columns[width + i])[mine_at]
        given = _numbers(want[name].to_numpy(dtype=float, na_value=np.nan))[their_at]
        if name in ("n", "failed"):
            wrong |= stored.astype(np.int64) != given.astype(np.int64)
        else:
            wrong |= ~(np.abs(stored - given) <= TOLERANCE)
    named = wrong.any() or len(theirs_only)  # the rows named are few; most ranges have none
    given_columns = [want[name].to_numpy(dtype=object) for name in item_sums.COLUMNS if named]
    found = [_row(stored_columns, int(i), None, None, width) for i in mine_only.tolist()]
    found += [
        _row(stored_columns, int(i), given_columns, int(j), width)
        for i, j in zip(mine_at[wrong].tolist(), their_at[wrong].tolist(), strict=True)
    ]
    found += [_row(None, None, given_columns, int(j), width) for j in theirs_only.tolist()]
    found.sort(key=lambda row: tuple(row[name] for name in item_sums.KEY))
    return found


def _numbers(column: Any) -> np.ndarray:
    """Figures as floats, a missing one as 0 (as a side with no row counts)."""
    values = np.asarray(column, dtype=float)
    return np.where(np.isnan(values), 0.0, values)


def _row(
    stored: list[Any] | None,
    i: int | None,
    given: list[Any] | None,
    j: int | None,
    width: int,
) -> dict[str, Any]:
    source = (stored, i) if stored is not None and i is not None else (given, j)
    columns, index = source
    assert columns is not None and index is not None
    row: dict[str, Any] = {name: columns[k][index] for k, name in enumerate(item_sums.KEY)}
    row["branch_id"] = int(row["branch_id"])
    for side, (side_columns, at) in (("stored", (stored, i)), ("answers", (given, j))):
        for k, name in enumerate(item_sums.VALUES):
            value = None if side_columns is None or at is None else side_columns[width + k][at]
            row[f"{name}_{side}"] = 0 if value is None or value != value else value
    row["_merge"] = (
        "both"
        if i is not None and j is not None
        else "left_only"
        if i is not None
        else "right_only"
    )
    return row


def _figures(row: dict[Any, Any], side: str) -> str:
    return (
        f"n={int(row[f'n_{side}'])}, sum={float(row[f'total_{side}']):.6g}, "
        f"sum of squares={float(row[f'total_sq_{side}']):.6g}, "
        f"failed={int(row[f'failed_{side}'])}"
    )


def _named(row: dict[Any, Any], codes: dict[int, str]) -> str:
    branch_id = int(row["branch_id"])
    channel = row["channel"]
    where = (
        f"the item summary of branch {codes.get(branch_id, f'#{branch_id}')}, checklist "
        f"{row['checklist_id']}, item {row['item_id']}, month {row['month']} ({row['kind']}"
        + (f", {channel}" if channel else "")
        + ")"
    )
    state = row["_merge"]
    if state == "left_only":
        return f"{where} is stored ({_figures(row, 'stored')}) but no submitted answer gives it"
    if state == "right_only":
        return f"{where} is missing; the answers give {_figures(row, 'answers')}"
    return f"{where} holds {_figures(row, 'stored')}; the answers give {_figures(row, 'answers')}"


def check_branch_sums(conn: Connection) -> tuple[list[str], int]:
    """The branch-month totals that differ from what the audits' stored scores give (which
    verify recomputes from the answers on its own), are missing or should not be there, and
    the number of rows checked. The table is one row per branch and month or so (180,000 on
    the ten-times set): compared whole. Counts must be equal; sums of scores (0-100) may
    drift by rounding, up to :data:`RELATIVE_TOLERANCE` of their size (and 1e-9 near 0)."""
    have = branch_sums.stored(conn)
    want = branch_sums.recomputed(conn)
    key = list(branch_sums.KEY)
    both = have.merge(want, on=key, how="outer", suffixes=("_stored", "_scores"), indicator=True)
    wrong = both["_merge"] != "both"
    for name in branch_sums.VALUES:
        stored = both[f"{name}_stored"].astype(float).fillna(0.0).to_numpy()
        given = both[f"{name}_scores"].astype(float).fillna(0.0).to_numpy()
        if name in branch_sums.COUNTS:
            wrong |= stored != given
        else:
            scale = 1.0 + np.abs(given)
            wrong |= ~(np.abs(stored - given) <= RELATIVE_TOLERANCE * scale)
    found = both[wrong].sort_values(key)
    if found.empty:
        return [], len(have)
    codes = dict(conn.execute(select(branches.c.id, branches.c.code)).all())
    problems = [_named_total(row, codes) for row in found.head(SHOWN).to_dict("records")]
    if len(found) > SHOWN:
        problems.append(
            f"{len(found) - SHOWN:,} more branch-month totals differ from what the scores "
            "give; `audit-app restore` of an export into a new database rebuilds them"
        )
    return problems, len(have)


def _total_figures(row: dict[Any, Any], side: str) -> str:
    def number(name: str) -> float:
        value = row[f"{name}_{side}"]
        return 0.0 if value is None or value != value else float(value)

    return (
        f"audits={int(number('audits'))}, sum={number('total'):.6g}, "
        f"sum of squares={number('total_sq'):.6g}, passed={int(number('passed'))}, "
        f"with a verdict={int(number('judged'))}, "
        f"critical failures={int(number('critical_failures'))}"
    )


def _named_total(row: dict[Any, Any], codes: dict[int, str]) -> str:
    branch_id = int(row["branch_id"])
    channel = row["channel"]
    where = (
        f"the branch-month total of branch {codes.get(branch_id, f'#{branch_id}')}, "
        f"checklist {row['checklist_id']} version {int(row['checklist_version'])}, month "
        f"{row['month']} ({row['kind']}" + (f", {channel}" if channel else "") + ")"
    )
    state = row["_merge"]
    if state == "left_only":
        return f"{where} is stored ({_total_figures(row, 'stored')}) but no scored audit gives it"
    if state == "right_only":
        return f"{where} is missing; the scores give {_total_figures(row, 'scores')}"
    return (
        f"{where} holds {_total_figures(row, 'stored')}; the scores give "
        f"{_total_figures(row, 'scores')}"
    )


__all__ = ["RELATIVE_TOLERANCE", "SHOWN", "TOLERANCE", "check_branch_sums", "check_item_sums"]
