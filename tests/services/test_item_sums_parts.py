"""What ``selections.item_sums`` does to the vectors' figures before adding them up (#21): a
version alignment leaves its items out of its own checklist only (two checklists may
share an item id), and closed branches are left out unless the request includes them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from audit_app.domain.compare import ComparisonRequest, KeyedSums, VersionAlignment
from audit_app.domain.filters import AuditFilter
from audit_app.services import selections
from audit_app.storage import compare_queries


def part(checklist_id: str, items: list[str], branches: list[str]) -> KeyedSums:
    shape = (len(branches), len(items))
    return KeyedSums(
        checklist_id=checklist_id,
        items=np.asarray(items, dtype=object),
        branch=np.asarray(branches, dtype=object),
        period=np.asarray(["2026-03"] * len(branches), dtype=object),
        count=np.ones(shape, dtype=np.int64),
        sums=np.full(shape, 0.5),
        sum_sq=np.full(shape, 0.25),
    )


def selection(open_branches: list[str]) -> Any:
    alignment = VersionAlignment(
        checklist_id="phone",
        versions=(1, 2),
        reference_version=2,
        shared_items=("q2",),
        left_out=("q1",),
    )
    return selections.Selection(
        audits=pd.DataFrame({"branch_code": open_branches}),
        months=pd.DataFrame({"audits": [1] * len(open_branches)}),
        section_cells=pd.DataFrame(),
        checklists=(),
        alignments=(alignment,),
        known={},
    )


@pytest.mark.parametrize("include_closed", [False, True], ids=["open", "closed too"])
def test_left_out_items_are_their_checklist_s_and_closed_branches_are_asked_for(
    monkeypatch: pytest.MonkeyPatch, include_closed: bool
) -> None:
    parts = [part("phone", ["q1", "q2"], ["B1", "B2"]), part("visit", ["q1"], ["B1", "B2"])]
    monkeypatch.setattr(compare_queries, "vector_item_parts", lambda *a: parts)
    # a filter the item summaries do not answer (an auditor): the vectors are the read,
    # and the database is not asked
    request = ComparisonRequest(AuditFilter(auditor="Ann"), include_closed=include_closed)
    sums = selections.item_sums(None, request, selection(["B1"]))  # type: ignore[arg-type]
    assert sums is not None
    groups = list(sums.group_keys.itertuples(index=False, name=None))
    assert groups == [("phone", "q2"), ("visit", "q1")]
    assert list(sums.branch_labels) == (["B1", "B2"] if include_closed else ["B1"])
    assert sums.sums.sum() == 50.0 * len(groups) * len(sums.branch_labels)  # in points
