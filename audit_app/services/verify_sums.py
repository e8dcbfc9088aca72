"""The item summaries (``item_month_sums``) against the answers, for ``verify``.

What the rows should hold is added up again from each submitted audit's item-score vector,
which verify checks against the audit's answers on its own; every row that differs, is
missing or should not be there is named by its branch code, checklist, item, month, kind
and channel, with what is stored and what the answers give. Counts must be equal; sums may
differ by rounding (they are kept by adding and subtracting), up to :data:`TOLERANCE`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from audit_app.storage import item_sums
from audit_app.storage.tables import branches

TOLERANCE = 1e-6
"""How far a stored sum may drift from the recomputed one (item scores are 0-1)."""
SHOWN = 100
"""Rows named one by one; past these, one line says how many more differ."""


def check_item_sums(conn: Connection) -> tuple[list[str], int]:
    """The problems found and the number of rows checked."""
    want = item_sums.recomputed(conn)
    have = item_sums.stored(conn)
    keys = list(item_sums.KEY)
    for frame in (want, have):
        frame["branch_id"] = frame["branch_id"].astype(np.int64)
    both = have.merge(want, on=keys, how="outer", suffixes=("_stored", "_answers"), indicator=True)
    filled = both.fillna(
        {f"{v}_{side}": 0 for v in item_sums.VALUES for side in ("stored", "answers")}
    )
    wrong = both["_merge"] != "both"
    for value in ("n", "failed"):
        wrong |= filled[f"{value}_stored"].astype(np.int64) != filled[f"{value}_answers"].astype(
            np.int64
        )
    for value in ("total", "total_sq"):
        gap = (
            filled[f"{value}_stored"].astype(float) - filled[f"{value}_answers"].astype(float)
        ).abs()
        wrong |= ~(gap <= TOLERANCE)  # NaN stored is wrong too
    found = filled[wrong.to_numpy()].sort_values(keys, ignore_index=True)
    if found.empty:
        return [], len(have)
    codes = dict(conn.execute(select(branches.c.id, branches.c.code)).all())
    problems = [_named(row, codes) for row in found.head(SHOWN).to_dict("records")]
    if len(found) > SHOWN:
        problems.append(
            f"{len(found) - SHOWN:,} more item summaries differ from what the answers give; "
            "`audit-app restore` of an export, or the upgrade, rebuilds them"
        )
    return problems, len(have)


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


__all__ = ["SHOWN", "TOLERANCE", "check_item_sums"]
