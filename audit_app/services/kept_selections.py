"""A selection's loaded audits and section cells, kept in this process while the data
version a page computed for them stays the same.

A comparison reads its selection (every scored audit, rescored where a checklist spans
versions, and the section scores added up per branch and month) and then computes its
figures from it. The Overview's headline and the Compare page read the same selection, and
every model choice on the Compare page (periods, targets, the minimum audits, months or
quarters) reads it again although nothing it depends on changed: on the ten-times set's
twelve months the reading was 1.1 s of the comparison's 1.9 s (#21).

Only callers that hold a data version (the app's pages, from ``freshness.data_version``)
keep selections; the key is that version, the database, the user's scoped filter and
whether closed branches count. The version is taken before the selection is read, so a
kept selection is never older than its key. The least recently used go first once the
kept frames pass :data:`BUDGET_BYTES`; a selection larger than the budget is not kept.
Callers must not change what they are handed (every frame is shared).

A new data version need not read a selection whole: the entries of one selection under its
successive versions form a family, and the caller may make the new entry from the family's
kept one (``services.selections.patched``: only the branches written since are read), which
then goes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

import pandas as pd

BUDGET_BYTES = 1024 * 1024 * 1024
"""Per server process. The ten-times set's whole history is about 120 MiB of frames, and
what a server process reads ahead there (``AUDIT_READ_AHEAD=history``: two selections, their
item sums and failure evidence) about 500 MiB, which leaves room for the selections people
ask for."""
COLUMN_BYTES = 3 * 1024
"""What each column of a kept frame holds besides its values (its array and their Python
objects): a branch's month held about 64 KiB in its selection's 35 columns for 1 KiB of
values, so counted by their values alone the budget let hundreds of thousands be kept."""
ENTRY_BYTES = 1024
"""What an entry holds besides its value (its key: the data version and the filter); an
empty selection, kept as None, weighs this much and not nothing."""

T = TypeVar("T")

_kept: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
_lock = threading.Lock()
_loading: dict[Hashable, threading.Lock] = {}
_families: dict[Hashable, Hashable] = {}
"""A selection's family (:func:`kept`) -> the key of its latest kept entry."""


def kept(
    key: Hashable,
    load: Callable[[], T],
    size: Callable[[T], int],
    *,
    family: Hashable | None = None,
    patch: Callable[[T], T | None] | None = None,
) -> T:
    """What ``load()`` returns for ``key``, loaded once while it is kept: sessions asking
    at once for the same key wait for the one that loads it.

    ``family``: what the entries of one selection under its successive data versions share.
    On a miss, ``patch`` is given the family's kept entry and may return the new value made
    from it (None: ``load()``); the family's earlier entry goes once the new one is kept."""
    with _lock:
        if key in _kept:
            _kept.move_to_end(key)
            return _kept[key][0]  # type: ignore[return-value]
        loading = _loading.setdefault(key, threading.Lock())
    with loading:
        with _lock:
            if key in _kept:
                _kept.move_to_end(key)
                return _kept[key][0]  # type: ignore[return-value]
            earlier_key = None if family is None else _families.get(family)
            earlier = _kept.get(earlier_key) if earlier_key is not None else None
        try:
            value = None if earlier is None or patch is None else patch(earlier[0])  # type: ignore[arg-type]
            if value is None:
                value = load()
            weight = size(value) + ENTRY_BYTES
        except BaseException:
            with _lock:
                _loading.pop(key, None)
            raise
        with _lock:  # kept and no longer loading at once: a late asker finds one or the other
            _loading.pop(key, None)
            if weight <= BUDGET_BYTES:
                if family is not None:
                    superseded = _families.get(family)
                    if superseded is not None and superseded != key:
                        _kept.pop(superseded, None)
                    _families[family] = key
                _kept[key] = (value, weight)
                while sum(w for _value, w in _kept.values()) > BUDGET_BYTES:
                    _kept.popitem(last=False)
            for name, latest in list(_families.items()):
                if latest not in _kept:
                    del _families[name]
        return value


def families() -> list[Hashable]:
    """The families with a kept entry (:func:`kept`), for a caller looking for a wider
    selection's."""
    with _lock:
        return list(_families)


def latest(family: Hashable) -> object | None:
    """The family's latest kept entry, whatever its data version (None: none kept): what a
    selection inside it may be taken from and brought up to date (``services.kept_item_sums``)."""
    with _lock:
        key = _families.get(family)
        if key is None or key not in _kept:
            return None
        _kept.move_to_end(key)
        return _kept[key][0]


def frame_bytes(*frames: pd.DataFrame) -> int:
    """The frames' memory, their text and each column's own objects counted (what keeping
    them costs)."""
    return int(
        sum(
            frame.memory_usage(deep=True, index=True).sum() + COLUMN_BYTES * frame.shape[1]
            for frame in frames
        )
    )


def kept_bytes() -> int:
    """What the kept entries weigh together, as weighed against :data:`BUDGET_BYTES`."""
    with _lock:
        return sum(weight for _value, weight in _kept.values())


def forget() -> None:
    """Drop every kept selection (tests)."""
    with _lock:
        _kept.clear()
        _families.clear()
