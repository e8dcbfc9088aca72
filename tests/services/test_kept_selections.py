"""A selection read for one comparison is kept under the page's data version (#21): the
Overview's headline and every model choice on the Compare page reuse it instead of reading
every audit again; what they compute equals a fresh read; a write moves the version and
so reads again; the kept frames are never changed by what is computed from them; on both
engines, over the messy world (two checklist versions rescored on shared items, N/A,
follow-ups), for head office and an area manager."""

from __future__ import annotations

import gc
import threading
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from audit_app.domain.audit import AuditRecord, Visit
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare as service
from audit_app.services import kept_selections
from audit_app.services.audits import list_scores, submit_audit
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.storage import compare_queries
from tests.services.test_audits import phone_answers
from tests.services.test_league_alone import same
from tests.storage.test_item_vectors import messy

__all__ = ["messy"]

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MANAGER = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona", "Sud"))
CHOICES = {
    "as the page opens": {},
    "in quarters": {"period": "quarter"},
    "without period effects": {"adjust_periods": False},
    "toward regions": {"grouping": "region"},
    "five audits to rank": {"min_audits": 5},
    "with items": {"items": True},
    "without auditors": {"auditors": False},
}


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    kept_selections.forget()
    yield
    kept_selections.forget()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[AuditFilter]:
    """Every audit frame read, by its filter."""
    seen: list[AuditFilter] = []
    real = compare_queries.audit_frame

    def counted(conn: Any, audit_filter: AuditFilter) -> pd.DataFrame:
        seen.append(audit_filter)
        return real(conn, audit_filter)

    monkeypatch.setattr(compare_queries, "audit_frame", counted)
    return seen


def fingerprint(frame: pd.DataFrame) -> tuple[Any, ...]:
    return (
        tuple(frame.columns),
        tuple(map(str, frame.dtypes)),
        len(frame),
        int(pd.util.hash_pandas_object(frame, index=True).sum()),
    )


@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
def test_every_model_choice_reuses_the_selection_and_equals_a_fresh_read(
    messy: AppContext, reads: list[AuditFilter], user: User
) -> None:
    ctx = messy.as_user(user)
    selection = AuditFilter()
    version = data_version(ctx, selection)
    service.headline(ctx, selection, version)  # the Overview reads it first
    assert len(reads) == 1
    for name, choice in CHOICES.items():
        request = replace(ComparisonRequest(selection, evidence=False), **choice)
        kept = service.comparison(ctx, request, version)
        assert len(reads) == 1, f"{name}: the audits were read again"
        fresh = service.comparison(ctx, request)
        assert len(reads) == 2, f"{name}: no version, no keeping"
        reads.pop()
        same(kept, fresh, name)


def test_closed_branches_asked_for_are_another_selection(
    messy: AppContext, reads: list[AuditFilter]
) -> None:
    selection = AuditFilter()
    version = data_version(messy, selection)
    request = ComparisonRequest(selection, evidence=False)
    service.comparison(messy, request, version)
    with_closed = service.comparison(messy, replace(request, include_closed=True), version)
    assert len(reads) == 2
    same(with_closed, service.comparison(messy, replace(request, include_closed=True)))


def test_the_kept_frames_are_not_changed_by_what_is_computed_from_them(
    messy: AppContext,
) -> None:
    selection = AuditFilter()
    version = data_version(messy, selection)
    service.headline(messy, selection, version)
    (entry,) = [value.selection for value, _weight in kept_selections._kept.values()]
    before = [fingerprint(getattr(entry, name)) for name in ("audits", "months", "section_cells")]
    for choice in CHOICES.values():
        service.comparison(messy, replace(ComparisonRequest(selection), **choice), version)
    after = [fingerprint(getattr(entry, name)) for name in ("audits", "months", "section_cells")]
    assert after == before


def test_a_visit_entered_moves_the_version_and_is_counted(
    messy: AppContext, reads: list[AuditFilter]
) -> None:
    selection = AuditFilter()
    request = ComparisonRequest(selection, evidence=False, items=False)
    before = service.comparison(messy, request, data_version(messy, selection))
    checklist = messy.catalogue.get("greeting_phone")
    when = datetime.combine(list_scores(messy)["visited_at"].max().date(), datetime.min.time())
    visit = Visit("ES-CAT-01", "greeting_phone", checklist.version, when, "Ann")
    submit_audit(messy, AuditRecord(visit, phone_answers(messy)))
    after = service.comparison(messy, request, data_version(messy, selection))
    assert len(reads) == 2
    assert after.audits == before.audits + 1


def test_sessions_asking_at_once_read_the_selection_once(
    messy: AppContext, reads: list[AuditFilter]
) -> None:
    selection = AuditFilter()
    version = data_version(messy, selection)
    request = ComparisonRequest(selection, evidence=False, items=False)
    results: list[Any] = []
    start = threading.Barrier(4)

    def session() -> None:
        start.wait()
        results.append(service.comparison(messy, request, version).audits)

    threads = [threading.Thread(target=session) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1 and len(set(results)) == 1 and len(results) == 4


def test_the_least_recently_used_go_first_and_no_selection_outgrows_the_budget(
    messy: AppContext, reads: list[AuditFilter], monkeypatch: pytest.MonkeyPatch
) -> None:
    phone, email = (
        AuditFilter(checklist_id="greeting_phone"),
        AuditFilter(checklist_id="greeting_email"),
    )
    version = data_version(messy, AuditFilter())
    service.headline(messy, phone, version)
    (weight,) = [w for _value, w in kept_selections._kept.values()]
    assert kept_selections.kept_bytes() == weight > 0
    monkeypatch.setattr(kept_selections, "BUDGET_BYTES", weight + 1)
    service.headline(messy, email, version)  # the phone selection makes room for it
    service.headline(messy, email, version)
    assert len(reads) == 2
    service.headline(messy, phone, version)
    assert len(reads) == 3
    monkeypatch.setattr(kept_selections, "BUDGET_BYTES", 1)
    service.headline(messy, AuditFilter(), version)
    service.headline(messy, AuditFilter(), version)
    assert len(reads) == 5
    assert [key[1] for key in kept_selections._kept] == [phone]  # too big to keep
    assert kept_selections.kept_bytes() == weight


def test_what_the_kept_selections_hold_stays_within_what_they_weigh(messy: AppContext) -> None:
    """The budget bounds the memory only if an entry weighs what it holds: a small selection
    (a branch's month) holds its frames' objects besides their values, and an empty one
    (a month without visits) holds its key; weighed by their values alone, a branch's month
    passed for 1 KiB while holding 64 KiB, and an empty one for nothing."""
    scores = list_scores(messy)
    codes = sorted(set(scores["branch_code"]))[:8]
    last = pd.Period(scores["visited_at"].max(), freq="M")
    months = [last + step for step in range(-3, 3)]  # the last two months have no visits
    version = data_version(messy, AuditFilter())
    service.headline(messy, AuditFilter(branch_code=codes[0]), version)  # imports, caches
    kept_selections.forget()
    gc.collect()
    tracemalloc.start()
    try:
        for code in codes:
            for month in months:
                dates = {"date_from": month.start_time.date(), "date_to": month.end_time.date()}
                service.headline(messy, AuditFilter(branch_code=code, **dates), version)
        weights = [weight for _value, weight in kept_selections._kept.values()]
        gc.collect()
        holding = tracemalloc.get_traced_memory()[0] + pa.total_allocated_bytes()
        kept_selections.forget()
        gc.collect()
        held = holding - tracemalloc.get_traced_memory()[0] - pa.total_allocated_bytes()
    finally:
        tracemalloc.stop()
    assert len(weights) == len(codes) * len(months)
    assert held <= sum(weights), f"{held} bytes held by entries weighing {sum(weights)}"


def test_a_family_s_new_version_is_made_from_its_kept_one_which_then_goes() -> None:
    """``kept(..., family=, patch=)``: a miss hands the family's kept entry to ``patch``;
    what it makes is kept and the earlier entry dropped; None from it loads afresh; another
    family is never handed over; an entry too big to keep leaves its family without one."""
    loads: list[str] = []
    patches: list[Any] = []

    def load(name: str) -> Any:
        return lambda: loads.append(name) or name

    def patch(earlier: Any) -> Any:
        patches.append(earlier)
        return f"{earlier}+patched"

    assert kept_selections.kept("v1", load("v1"), lambda _v: 1, family="f", patch=patch) == "v1"
    got = kept_selections.kept("v2", load("v2"), lambda _v: 1, family="f", patch=patch)
    assert got == "v1+patched" and patches == ["v1"] and loads == ["v1"]
    assert list(kept_selections._kept) == ["v2"]
    assert kept_selections.kept("other", load("other"), lambda _v: 1, family="g", patch=patch)
    assert patches == ["v1"] and loads == ["v1", "other"]
    refused = kept_selections.kept(
        "v3", load("v3"), lambda _v: 1, family="f", patch=lambda _e: None
    )
    assert refused == "v3" and "v2" not in kept_selections._kept
    huge = kept_selections.BUDGET_BYTES + 1
    kept_selections.kept("v4", load("v4"), lambda _v: huge, family="f", patch=lambda _e: None)
    assert "v4" not in kept_selections._kept and "v3" in kept_selections._kept
    kept_selections.kept("v5", load("v5"), lambda _v: 1, family="f", patch=patch)
    assert patches[-1] == "v3"  # the family's kept entry is still the one kept
