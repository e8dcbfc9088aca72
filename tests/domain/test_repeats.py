"""Repeat failures: the same item failed at one branch in consecutive audits of a checklist."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_app.checklists import Catalogue
from audit_app.domain.repeats import (
    branches_with_repeats,
    pair_codes,
    policy_thresholds,
    repeated_failures,
)


def _audits(*rows: tuple[int, str, str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        [(a, b, c, datetime(2026, 1, day)) for a, b, c, day in rows],
        columns=["audit_id", "branch_code", "checklist_id", "visited_at"],
    )


def _items(scores: dict[int, dict[str, float | None]]) -> pd.DataFrame:
    rows = [(a, i, s) for a, items in scores.items() for i, s in items.items()]
    return pd.DataFrame(rows, columns=["audit_id", "item_id", "score"]).astype({"score": float})


def test_only_consecutive_failures_of_one_checklist_at_one_branch_count() -> None:
    audits = _audits(
        (1, "A", "c", 1),
        (2, "A", "c", 2),
        (3, "A", "c", 3),
        (4, "A", "c", 4),
        (5, "A", "other", 5),
        (6, "B", "c", 2),
    )
    items = _items(
        {
            1: {"a": 0.0, "b": 0.0, "c": None},
            2: {"a": 0.5, "b": 1.0, "c": 0.0},
            3: {"a": 0.0, "b": 0.0, "c": None},
            4: {"a": 1.0, "b": 1.0, "c": 0.0},
            5: {"a": 0.0, "b": 1.0, "c": 0.0},
            6: {"a": 0.0},  # another branch's failure does not extend A's run
        }
    )
    found = repeated_failures(audits, items)
    assert found[["branch_code", "checklist_id", "item_id", "consecutive"]].values.tolist() == [
        ["A", "c", "a", 3]
    ]
    assert found["last_failed"].iloc[0] == datetime(2026, 1, 3)


def test_an_audit_not_asking_the_item_breaks_the_run_and_the_longest_run_is_kept() -> None:
    audits = _audits(*((n, "A", "c", n) for n in range(1, 8)))
    items = _items(
        {
            1: {"x": 0.0},
            2: {"x": 0.0},
            3: {"y": 1.0},  # x not asked: the run ends
            4: {"x": 0.0},
            5: {"x": 0.2},
            6: {"x": 0.0},
            7: {"x": 1.0},
        }
    )
    found = repeated_failures(audits, items)
    assert found[["item_id", "consecutive"]].values.tolist() == [["x", 3]]
    assert found["last_failed"].iloc[0] == datetime(2026, 1, 6)


def test_the_branch_summary_puts_the_branch_with_most_repeated_items_first() -> None:
    audits = _audits((1, "A", "c", 1), (2, "A", "c", 2), (3, "B", "c", 1), (4, "B", "c", 2))
    items = _items({1: {"x": 0.0}, 2: {"x": 0.0}, 3: {"x": 0.0, "y": 0}, 4: {"x": 0, "y": 0}})
    summary = branches_with_repeats(repeated_failures(audits, items))
    assert summary[["branch_code", "items", "longest"]].values.tolist() == [
        ["B", 2, 2],
        ["A", 1, 2],
    ]
    assert summary["worst_item"].iloc[1] == "c / x"


def test_nothing_repeats_in_an_empty_or_passing_selection() -> None:
    audits = _audits((1, "A", "c", 1), (2, "A", "c", 2))
    assert repeated_failures(audits, _items({1: {"x": 1.0}, 2: {"x": 0.0}})).empty
    assert repeated_failures(audits.iloc[0:0], _items({})).empty
    assert branches_with_repeats(repeated_failures(audits.iloc[0:0], _items({}))).empty


def test_a_tone_of_4_six_times_running_is_not_a_repeated_failure(catalogue: Catalogue) -> None:
    # Issue #19: repeated failures follow the action policy: 0.75 opens no action.
    phone = catalogue.get("greeting_phone")
    audits = _audits(*((n, "A", "greeting_phone", n) for n in range(1, 7))).assign(
        checklist_version=phone.version
    )
    items = _items({n: {"call.tone": 0.75, "call.all_answered": 0.0} for n in range(1, 7)})
    thresholds = policy_thresholds([phone])
    found = repeated_failures(audits, items, thresholds)
    assert found[["item_id", "consecutive"]].values.tolist() == [["call.all_answered", 6]]
    # without the policy (the old rule) the tone counted six times in a row
    old = repeated_failures(audits, items)
    assert sorted(old["item_id"]) == ["call.all_answered", "call.tone"]


def _runs_by_hand(
    audits: pd.DataFrame, items: pd.DataFrame, thresholds: pd.DataFrame
) -> dict[tuple[str, str, str], tuple[int, datetime]]:
    """The longest run of each branch x checklist x item, walked audit by audit."""
    limit = {
        (r.checklist_id, r.checklist_version, r.item_id): r.threshold
        for r in thresholds.itertuples()
    }
    scores = {(r.audit_id, r.item_id): r.score for r in items.itertuples()}
    found: dict[tuple[str, str, str], tuple[int, datetime]] = {}
    item_ids = sorted(items["item_id"].unique())
    for (branch, checklist), mine in audits.groupby(["branch_code", "checklist_id"]):
        mine = mine.sort_values(["visited_at", "audit_id"])
        for item in item_ids:
            run = 0
            for audit in mine.itertuples():
                score = scores.get((audit.audit_id, item))
                cut = limit.get((checklist, audit.checklist_version, item), 1.0)
                fails = score is not None and not pd.isna(score) and score < min(1.0, cut)
                run = run + 1 if fails else 0
                best = found.get((branch, checklist, item), (0, datetime.min))
                if run >= 2 and (run, audit.visited_at) > best:
                    found[(branch, checklist, item)] = (run, audit.visited_at)
    return found


def test_runs_match_a_walk_through_every_audit_on_a_random_chain() -> None:
    rng = np.random.default_rng(21)
    count = 400
    audits = pd.DataFrame(
        {
            "audit_id": rng.permutation(count) + 1,
            "branch_code": rng.choice(["ÇA-1", "ŞB-2", "ȚC-3", "D-4"], count),
            "checklist_id": rng.choice(["c", "d"], count),
            "checklist_version": rng.choice([1, 2], count),
            "visited_at": [
                datetime(2026, 1, 1) + timedelta(hours=int(h))
                for h in rng.choice(2000, count, replace=False)
            ],
        }
    )
    rows = [
        (audit, item, float(rng.choice([0.0, 0.4, 0.8, 1.0, np.nan])))
        for audit in audits["audit_id"]
        for item in ("x", "y", "z")
        if rng.random() < 0.9  # an item not asked now and then ends a run
    ]
    items = pd.DataFrame(rows, columns=["audit_id", "item_id", "score"])
    thresholds = pd.DataFrame(
        [("c", 1, "x", 0.5), ("c", 2, "y", 0.9), ("d", 1, "z", 0.3)],
        columns=["checklist_id", "checklist_version", "item_id", "threshold"],
    )
    found = repeated_failures(audits, items, thresholds)
    expected = _runs_by_hand(audits, items, thresholds)
    assert len(expected) > 10  # the chain has runs to find
    assert {
        (r.branch_code, r.checklist_id, r.item_id): (r.consecutive, r.last_failed)
        for r in found.itertuples()
    } == expected
    assert list(found["consecutive"]) == sorted(found["consecutive"], reverse=True)


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(st.sampled_from(["A", "B", "Ç", "a b"]), st.integers(1, 3)), max_size=30
    )
)
def test_pair_codes_are_the_factorized_pairs(pairs: list[tuple[str, int]]) -> None:
    """Coding two columns' pairs without a tuple per row gives what factorizing the pairs
    does: the same codes, the same pairs in order of first appearance."""
    frame = pd.DataFrame(pairs, columns=["first", "second"]).astype({"first": "str"})
    codes, found = pair_codes(frame["first"], frame["second"])
    want_codes, want = pd.factorize(pd.MultiIndex.from_frame(frame)) if pairs else ([], [])
    assert codes.tolist() == list(want_codes)
    assert found == list(want)


def test_categorical_item_ids_find_the_same_repeats_as_text() -> None:
    """The storage reads item ids as categories; the search finds the same runs, the item
    ids given back as text."""
    audits = _audits((1, "A", "c", 1), (2, "A", "c", 2), (3, "B", "c", 3), (4, "B", "c", 4))
    items = _items({a: {"x": 0.0, "y": 0.5 if a % 2 else 1.0} for a in (1, 2, 3, 4)})
    coded = items.assign(item_id=items["item_id"].astype("category"))
    found = repeated_failures(audits, coded)
    pd.testing.assert_frame_equal(found, repeated_failures(audits, items))
    assert found["item_id"].tolist() == ["x", "x"] and found["item_id"].dtype == "str"
