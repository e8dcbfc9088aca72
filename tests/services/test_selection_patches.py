"""A kept selection brought up to date from the branches written since it was read (#21):
after each submission and revision its frames equal a fresh read of the same snapshot (the
same rows, order, types and categories), only the written branches are read again, and it is
read whole when something else moved: a branch changed, more branches written than
:data:`selections.MOST_BRANCHES`, a checklist version that changes the alignments. On both
engines, over the messy world (two phone versions rescored on shared items, N/A,
follow-ups), for head office and an area manager, over the whole history and a quarter."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select, update

from audit_app.domain import compare as stats
from audit_app.domain.audit import Answer, AuditRecord, Visit
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare as service
from audit_app.services import kept_selections, selections
from audit_app.services.access import scoped
from audit_app.services.auditors import update_auditor
from audit_app.services.audits import list_scores, submit_audit
from audit_app.services.branches import list_branches, set_branch_active, update_branches
from audit_app.services.context import AppContext
from audit_app.services.drafts import discard_draft, save_draft
from audit_app.services.followups import submit_follow_up
from audit_app.services.freshness import data_version
from audit_app.services.kept_item_sums import KeptSums, kept_item_sums
from audit_app.services.revisions import revise_audit
from audit_app.storage import compare_queries, database
from audit_app.storage.tables import audit_scores, branches
from tests.services.test_league_alone import same
from tests.storage.test_database import _good_value
from tests.storage.test_item_vectors import EMAIL, PHONE, messy

__all__ = ["messy"]

_MINUTES = itertools.count(1)
_REVISED: set[int] = set()
_SUBMITTED: set[int] = set()
HQ = User(username="hq", role=Role.HEAD_OFFICE)
MANAGER = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona", "Sud"))


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    kept_selections.forget()
    yield
    kept_selections.forget()


@pytest.fixture
def full_item_reads(monkeypatch: pytest.MonkeyPatch) -> list[AuditFilter]:
    """The filters of every selection's item figures read whole: its item sums (kept), or
    its item cells (a test's fresh read; not those an item sums read makes)."""
    seen: list[AuditFilter] = []
    real_sums, real_cells = selections.item_sums, selections.item_cells
    in_sums: list[bool] = []

    def sums(conn: Any, request: ComparisonRequest, *a: Any, **k: Any) -> Any:
        if request.audit_filter.branches is None:
            seen.append(request.audit_filter)
        in_sums.append(True)
        try:
            return real_sums(conn, request, *a, **k)
        finally:
            in_sums.pop()

    def cells(conn: Any, request: ComparisonRequest, *a: Any, **k: Any) -> Any:
        if request.audit_filter.branches is None and not in_sums:
            seen.append(request.audit_filter)
        return real_cells(conn, request, *a, **k)

    monkeypatch.setattr(selections, "item_sums", sums)
    monkeypatch.setattr(selections, "item_cells", cells)
    return seen


@pytest.fixture
def full_evidence_reads(monkeypatch: pytest.MonkeyPatch) -> list[AuditFilter]:
    """The filters of every selection's failure evidence kept per branch read whole."""
    seen: list[AuditFilter] = []
    real = compare_queries.failure_evidence_by_branch

    def counted(conn: Any, audit_filter: AuditFilter, *a: Any, **k: Any) -> Any:
        if audit_filter.branches is None:
            seen.append(audit_filter)
        return real(conn, audit_filter, *a, **k)

    monkeypatch.setattr(compare_queries, "failure_evidence_by_branch", counted)
    return seen


def kept_and_fresh_evidence(ctx: AppContext, request: ComparisonRequest) -> tuple[Any, Any]:
    """The failure evidence kept under the current data version, and a fresh read (of
    every branch: one read whole)."""
    version = data_version(ctx, scoped(ctx, request.audit_filter))
    return (
        service.comparison_evidence(ctx, request, version),
        service.comparison_evidence(ctx, request),
    )


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> list[AuditFilter]:
    """The filters of every selection read whole (not narrowed to written branches)."""
    seen: list[AuditFilter] = []
    real = selections.read_selection

    def counted(ctx: AppContext, conn: Any, audit_filter: AuditFilter, *a: Any, **k: Any) -> Any:
        if audit_filter.branches is None:
            seen.append(audit_filter)
        return real(ctx, conn, audit_filter, *a, **k)

    monkeypatch.setattr(selections, "read_selection", counted)
    return seen


def answers(ctx: AppContext, checklist_id: str, version: int, worst: bool) -> tuple[Answer, ...]:
    """Every scored item of a checklist version at its best (or its first item failed)."""
    checklist = ctx.catalogue.get(checklist_id, version)
    out = []
    for index, item in enumerate(item for item in checklist.items if item.scored):
        value = _good_value(item)
        if worst and index == 0:
            value = False if item.type == "yes_no" else 1
        out.append(Answer(item.id, value))
    return tuple(out)


def submit(
    ctx: AppContext, code: str, checklist_id: str, version: int, when: datetime, worst: bool
) -> int:
    known = str(list_scores(ctx)["auditor"].dropna().iloc[0])  # a new name adds an auditor
    when += timedelta(minutes=next(_MINUTES))  # each visit its own (the world is shared)
    visit = Visit(code, checklist_id, version, when, known)
    audit_id, _ = submit_audit(ctx, AuditRecord(visit, answers(ctx, checklist_id, version, worst)))
    _SUBMITTED.add(audit_id)  # revised only if the world's own (their answers are not these)
    return audit_id


def kept_and_fresh(ctx: AppContext, request: ComparisonRequest) -> tuple[Any, Any]:
    """The kept selection under the current data version, and a fresh read of the same
    snapshot."""
    request = request.scoped(scoped(ctx, request.audit_filter))
    version = data_version(ctx, request.audit_filter)
    with database.snapshot(ctx.engine) as conn:
        kept = selections.kept_selection(ctx, conn, request, version)
        fresh = selections.read_selection(ctx, conn, request.audit_filter, request.include_closed)
    return kept, fresh


def kept_and_fresh_sums(ctx: AppContext, request: ComparisonRequest) -> tuple[Any, Any]:
    """The item sums kept under the current data version (``services.kept_item_sums``),
    and those of a fresh read of the same snapshot's cells, added up as cells (the kept
    ones, from the vectors, are added up without them)."""
    request = request.scoped(scoped(ctx, request.audit_filter))
    version = data_version(ctx, request.audit_filter)
    with database.snapshot(ctx.engine) as conn:
        entry = selections.kept_entry(ctx, conn, request, version)
        assert entry.selection is not None
        kept = kept_item_sums(ctx, conn, request, version, entry)
        cells = selections.item_cells(conn, request, entry.selection)
    return kept, stats.item_sums(stats.scale_cells(cells, 100))


def assert_same_sums(kept: Any, fresh: Any, where: str) -> None:
    """Row for row and column for column; a pair's sum and sum of squares to 1e-12 (its
    cells may be added in another order: the versions of a checklist one after the other,
    or compensated, as pandas adds them)."""
    assert (kept is None) == (fresh is None), where
    if fresh is None:
        return
    pd.testing.assert_frame_equal(kept.group_keys, fresh.group_keys, obj=f"{where}: groups")
    for name in ("branch_labels", "periods", "pair_group", "pair_branch", "count"):
        np.testing.assert_array_equal(getattr(kept, name), getattr(fresh, name), f"{where}: {name}")
    np.testing.assert_allclose(kept.sums, fresh.sums, rtol=1e-12, err_msg=where)
    np.testing.assert_allclose(kept.sum_sq, fresh.sum_sq, rtol=1e-12, err_msg=where)


def _by_keys(cells: pd.DataFrame) -> pd.DataFrame:
    keys = ["branch_code", "checklist_id", "standard", "period"]
    text = cells.astype({key: str for key in keys})
    return text.sort_values(keys, ignore_index=True)


def assert_same_selection(kept: Any, fresh: Any, where: str) -> None:
    assert (kept is None) == (fresh is None), where
    if fresh is None:
        return
    for name in ("audits", "months", "section_cells"):
        pd.testing.assert_frame_equal(
            getattr(kept, name), getattr(fresh, name), check_exact=True, obj=f"{where}: {name}"
        )
    assert kept.checklists == fresh.checklists, where
    assert kept.alignments == fresh.alignments, where
    assert (kept.dropped is None) == (fresh.dropped is None), where
    if fresh.dropped is not None:
        pd.testing.assert_frame_equal(kept.dropped, fresh.dropped, obj=f"{where}: dropped")


def phone_version(selection: Any) -> int:
    """The phone checklist's latest version in a selection (its last visit's)."""
    (version,) = [c.version for c in selection.checklists if c.id == PHONE]
    return int(version)


def earliest_visit(ctx: AppContext) -> datetime:
    return list_scores(ctx)["visited_at"].min().to_pydatetime()


def newest_visit(ctx: AppContext) -> datetime:
    return list_scores(ctx)["visited_at"].max().to_pydatetime()


def branch_codes(ctx: AppContext, areas: tuple[str, ...] | None = None) -> list[str]:
    return sorted(
        b.code for b in list_branches(ctx) if b.active and (areas is None or b.area in areas)
    )


@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
@pytest.mark.parametrize("span", ["whole history", "last quarter"])
def test_each_write_is_spliced_in_as_a_fresh_read_would_give_it(
    messy: AppContext,
    full_reads: list[AuditFilter],
    full_item_reads: list[AuditFilter],
    full_evidence_reads: list[AuditFilter],
    user: User,
    span: str,
) -> None:
    ctx = messy.as_user(user)
    newest = newest_visit(messy)
    audit_filter = (
        AuditFilter()
        if span == "whole history"
        else AuditFilter(date_from=(newest - timedelta(days=90)).date(), date_to=newest.date())
    )
    request = ComparisonRequest(audit_filter, evidence=False, items=False, auditors=False)
    kept, fresh = kept_and_fresh(ctx, request)
    assert_same_selection(kept, fresh, "first read")
    assert len(full_reads) == 2  # the kept one and the fresh one
    assert_same_sums(*kept_and_fresh_sums(ctx, request), "first read")
    kept_evidence, fresh_evidence = kept_and_fresh_evidence(ctx, request)
    assert kept_evidence == fresh_evidence and len(full_evidence_reads) == 2
    mine = branch_codes(messy, user.areas if user.role == Role.AREA_MANAGER else None)
    others = [code for code in branch_codes(messy) if code not in mine]
    scores = list_scores(messy)
    latest = phone_version(kept)
    other = 3 - latest  # the messy world's phone checklist has versions 1 and 2
    revisable = scores[
        (scores["checklist_id"] == PHONE)
        & (scores["checklist_version"] == 2)
        & scores["branch_code"].isin(mine)
    ]
    latest_phone = revisable["visited_at"].max().to_pydatetime()
    writes = [
        ("a phone visit of the latest version, the newest day", mine[0], PHONE, latest, newest),
        (
            "an e-mail visit in the middle of the span",
            mine[1],
            EMAIL,
            1,
            newest - timedelta(days=40),
        ),
        (
            "a failing e-mail visit, a new month for the branch",
            mine[0],
            EMAIL,
            1,
            newest - timedelta(days=61),
        ),
        (
            "a phone visit of the other version before the latest",
            mine[2],
            PHONE,
            other,
            latest_phone - timedelta(days=3),
        ),
        (
            "a visit outside the manager's areas",
            (others or mine)[0],
            EMAIL,
            1,
            newest - timedelta(days=5),
        ),
    ]
    evidence_before = kept_evidence
    for step, (what, code, checklist_id, version, when) in enumerate(writes):
        submit(messy, code, checklist_id, version, when, worst=step % 2 == 1)
        full_reads.clear()
        kept, fresh = kept_and_fresh(ctx, request)
        assert_same_selection(kept, fresh, what)
        assert len(full_reads) == 1, f"{what}: the kept selection was read whole"
        full_item_reads.clear()
        assert_same_sums(*kept_and_fresh_sums(ctx, request), f"{what}: item sums")
        assert len(full_item_reads) == 1, f"{what}: the kept item sums were read whole"
        version = data_version(ctx, audit_filter)
        shown = service.comparison(ctx, request, version)
        for model in ({}, {"period": "quarter"}, {"adjust_periods": False}):
            asked = replace(request, **model)  # type: ignore[arg-type]
            same(
                service.with_items(ctx, replace(shown, request=asked), version).items,
                service.comparison(ctx, replace(asked, items=True)).items,
                f"{what}: items {model}",
            )
        full_evidence_reads.clear()
        kept_evidence, fresh_evidence = kept_and_fresh_evidence(ctx, request)
        assert kept_evidence == fresh_evidence, f"{what}: evidence"
        assert len(full_evidence_reads) == 1, f"{what}: the kept evidence was read whole"
        with_items = replace(request, items=True, auditors=True)
        same(
            service.comparison(ctx, with_items, data_version(ctx, audit_filter)),
            service.comparison(ctx, with_items),
            what,
        )
    unrevised = revisable[~revisable["audit_id"].isin(_REVISED | _SUBMITTED)]
    audit_id = int(unrevised.sort_values("visited_at")["audit_id"].iloc[-1])
    _REVISED.add(audit_id)  # each run revises its own (the world is shared)
    revise_audit(messy, audit_id, list(answers(messy, PHONE, 2, worst=True)), "tone misheard")
    full_reads.clear()
    kept, fresh = kept_and_fresh(ctx, request)
    assert_same_selection(kept, fresh, "a revision")
    assert len(full_reads) == 1, "a revision: the kept selection was read whole"
    full_evidence_reads.clear()
    kept_evidence, fresh_evidence = kept_and_fresh_evidence(ctx, request)
    assert kept_evidence == fresh_evidence, "a revision: evidence"
    assert kept_evidence != evidence_before, "the writes changed the evidence"
    assert len(full_evidence_reads) == 1, "a revision: the kept evidence was read whole"
    kept_now = list(kept_selections._kept.values())
    # one selection and its item cells: their earlier versions are gone
    ((entry, weight),) = [e for e in kept_now if isinstance(e[0], selections.KeptSelection)]
    ((sums, sums_weight),) = [e for e in kept_now if isinstance(e[0], KeptSums)]
    assert entry.selection is kept
    # the selection's weight, scaled from the first read's by rows, stays near what it holds
    assert 0.8 < weight / selections.selection_bytes(fresh) < 1.25
    assert sums.sums is not None and 1 <= sums_weight / sums.sums.nbytes < 1.25


def test_a_branch_closed_reads_the_selection_whole(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    request = ComparisonRequest(AuditFilter(), evidence=False, items=False)
    kept_and_fresh(messy, request)
    code = branch_codes(messy)[0]
    submit(messy, code, EMAIL, 1, newest_visit(messy), worst=False)
    set_branch_active(messy, code, False)
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy, request)
    assert_same_selection(kept, fresh, "a branch closed")
    assert len(full_reads) == 2, "a branch's change must read the selection whole"
    assert code not in set(kept.audits["branch_code"])


def test_more_branches_written_than_the_patch_takes_reads_it_whole(
    messy: AppContext, full_reads: list[AuditFilter], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selections, "MOST_BRANCHES", 1)
    request = ComparisonRequest(AuditFilter(), evidence=False, items=False)
    kept_and_fresh(messy, request)
    first, second = branch_codes(messy)[:2]
    submit(messy, first, EMAIL, 1, newest_visit(messy), worst=False)
    full_reads.clear()
    assert_same_selection(*kept_and_fresh(messy, request), "one branch")
    assert len(full_reads) == 1
    submit(messy, first, EMAIL, 1, newest_visit(messy), worst=True)
    submit(messy, second, EMAIL, 1, newest_visit(messy), worst=True)
    full_reads.clear()
    assert_same_selection(*kept_and_fresh(messy, request), "two branches")
    assert len(full_reads) == 2


def test_a_new_latest_version_reads_it_whole(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """The other phone version visited after every audit becomes the latest: the
    alignments change, so the written branches cannot be read alone."""
    request = ComparisonRequest(AuditFilter(), evidence=False, items=False)
    kept, _fresh = kept_and_fresh(messy, request)
    other = 3 - phone_version(kept)
    later = newest_visit(messy) + timedelta(days=1)
    submit(messy, branch_codes(messy)[0], PHONE, other, later, worst=False)
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy, request)
    assert_same_selection(kept, fresh, "the other version latest")
    assert phone_version(kept) == other
    assert len(full_reads) == 2


def test_a_written_branch_with_no_audit_of_a_rescored_checklist_is_spliced_in(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """Found by a review: the branches read again are rescored with their selection's
    alignments. A branch whose only audit in these days is an e-mail one has nothing of the
    rescored phone checklist, and writing that nothing into the audits' bool column failed
    (pandas refuses an empty float array for it), so the page failed."""
    later = newest_visit(messy) + timedelta(days=3)
    codes = branch_codes(messy)
    # days after every visit, with both phone versions in them: the phone is rescored
    submit(messy, codes[0], PHONE, 1, later, worst=False)
    submit(messy, codes[1], PHONE, 2, later + timedelta(days=1), worst=True)
    submit(messy, codes[3], EMAIL, 1, later, worst=True)  # the e-mail checklist known too
    request = ComparisonRequest(AuditFilter(date_from=later.date()), evidence=False, items=False)
    kept, _fresh = kept_and_fresh(messy, request)
    assert kept is not None and kept.alignments
    submit(messy, codes[2], EMAIL, 1, later + timedelta(days=2), worst=False)
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy, request)
    assert_same_selection(kept, fresh, "an e-mail visit alone")
    assert codes[2] in set(kept.audits["branch_code"])
    assert len(full_reads) == 1  # the fresh read: the written branch was read alone


def test_writes_outside_a_selection_keep_it_as_it_is(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    newest = newest_visit(messy)
    march = AuditFilter(date_from=date(newest.year, newest.month, 1), date_to=newest.date())
    request = ComparisonRequest(march, evidence=False, items=False)
    before, _fresh = kept_and_fresh(messy, request)
    submit(messy, branch_codes(messy)[0], EMAIL, 1, newest - timedelta(days=120), False)
    full_reads.clear()
    after, fresh = kept_and_fresh(messy, request)
    assert_same_selection(after, fresh, "a visit months before")
    assert after is before and len(full_reads) == 1  # the fresh one only


def test_a_mark_is_followed_only_by_additions(messy: AppContext) -> None:
    then = datetime(2026, 3, 1)
    with messy.engine.connect() as conn:
        mark = selections.Mark.read(conn)
        mark = replace(mark, newest_id=100, newest_scoring=then, head=50)
        assert mark.followed_by(replace(mark, newest_id=101, head=51), conn)
        assert mark.followed_by(mark, conn)
        went_back = [
            replace(mark, newest_id=99),
            replace(mark, newest_scoring=then - timedelta(seconds=1)),
            replace(mark, head=49),
            replace(mark, branches="another"),
            replace(mark, newest_id=None),
            replace(mark, last_person=mark.last_person - 1),
        ]
        assert not any(mark.followed_by(later, conn) for later in went_back)
        assert not replace(mark, newest_id=None).followed_by(mark, conn)


def test_a_write_that_commits_after_a_later_scoring_is_found_by_the_trail(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """On PostgreSQL two sessions take their ids and scoring times before the trail's lock
    and may commit in the other order: a revision whose scoring time is older than the
    mark's newest is still found, by its seal's place in the trail."""
    request = ComparisonRequest(AuditFilter(), evidence=False, items=False)
    kept, _fresh = kept_and_fresh(messy, request)
    scores = list_scores(messy)
    phone = scores[
        (scores["checklist_id"] == PHONE)
        & (scores["checklist_version"] == 2)
        & ~scores["audit_id"].isin(_REVISED | _SUBMITTED)
    ]
    audit_id = int(phone["audit_id"].iloc[0])
    _REVISED.add(audit_id)
    with messy.engine.connect() as conn:
        before = conn.execute(select(func.min(audit_scores.c.scored_at))).scalar_one()
    revise_audit(messy, audit_id, list(answers(messy, PHONE, 2, worst=True)), "late commit")
    with messy.engine.begin() as conn:  # as if scored before the mark was taken
        conn.execute(
            update(audit_scores).where(audit_scores.c.audit_id == audit_id).values(scored_at=before)
        )
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy, request)
    assert_same_selection(kept, fresh, "a revision sealed late")
    assert len(full_reads) == 1


def test_a_visit_whose_rescoring_drops_it_still_decides_the_latest_version(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """A follow-up of the other phone version, the newest visit of all, re-checking only an
    item the versions do not share: scored on its own, so in a full read it makes its
    version the latest (the alignment's reference), but rescored on the shared items it has
    no score and is dropped. The patch decides the latest before the rescoring too
    (found by a review, with the follow-up below)."""
    audit_filter = AuditFilter(include_follow_ups=True)
    request = ComparisonRequest(audit_filter, evidence=False, items=False)
    kept, _fresh = kept_and_fresh(messy, request)
    other = 3 - phone_version(kept)
    only = "call.tone" if other == 1 else "call.callback"
    code = branch_codes(messy)[0]
    first = list_scores(messy).query("checklist_id == @PHONE")["visited_at"].min()
    failed = [
        Answer(a.item_id, False if a.item_id == "call.callback" else 1)
        if a.item_id == only
        else Answer(a.item_id, False)
        if a.item_id == "voicemail.greeting_current"
        else a
        for a in answers(messy, PHONE, other, worst=False)
    ]
    known = str(list_scores(messy)["auditor"].dropna().iloc[0])
    visit = Visit(code, PHONE, other, first.to_pydatetime() + timedelta(hours=1), known)
    original, _card = submit_audit(messy, AuditRecord(visit, tuple(failed)))
    _SUBMITTED.add(original)
    assert_same_selection(*kept_and_fresh(messy, request), "the original")
    later = newest_visit(messy) + timedelta(days=1)
    fixed = Answer(only, True if only == "call.callback" else 4)
    not_applicable = Answer("voicemail.greeting_current", None, na=True)
    submit_follow_up(
        messy,
        original,
        AuditRecord(Visit(code, PHONE, other, later, known), (fixed, not_applicable)),
    )
    version = data_version(messy, audit_filter)
    same(service.comparison(messy, request, version), service.comparison(messy, request))
    kept, fresh = kept_and_fresh(messy, request)
    assert_same_selection(kept, fresh, "a dropped follow-up, the newest visit")
    assert phone_version(kept) == other


def test_a_branch_edit_that_commits_late_is_still_seen(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """On PostgreSQL an edit whose transaction took its time before another edit committed
    first leaves the newest ``updated_at`` where it was: the mark holds a digest of the
    branches, so a branch moved out of an area manager's areas goes from her selection."""
    ctx = messy.as_user(MANAGER)
    request = ComparisonRequest(AuditFilter(), evidence=False, items=False)
    mine = branch_codes(messy, MANAGER.areas)
    elsewhere = next(b.area for b in list_branches(messy) if b.area not in MANAGER.areas)
    update_branches(messy, {mine[1]: {"name": "Edited first, committed first"}})
    kept, _fresh = kept_and_fresh(ctx, request)
    assert mine[0] in set(kept.audits["branch_code"])
    with messy.engine.connect() as conn:
        newest = conn.execute(select(func.max(branches.c.updated_at))).scalar_one()
    update_branches(messy, {mine[0]: {"area": elsewhere}})
    moved = branches.c.code == mine[0]
    with messy.engine.begin() as conn:  # as if its time were taken before the other edit
        sealed_at = conn.execute(select(branches.c.updated_at).where(moved)).scalar_one()
        conn.execute(update(branches).where(moved).values(updated_at=newest))
    submit(messy, mine[2], EMAIL, 1, newest_visit(messy), worst=False)
    full_reads.clear()
    kept, fresh = kept_and_fresh(ctx, request)
    assert_same_selection(kept, fresh, "a branch moved out, committed late")
    assert mine[0] not in set(kept.audits["branch_code"])
    assert len(full_reads) == 2, "a branch's change must read the selection whole"
    with messy.engine.begin() as conn:  # its sealed time again (the trail checks it)
        conn.execute(update(branches).where(moved).values(updated_at=sealed_at))
    update_branches(messy, {mine[0]: {"area": MANAGER.areas[0]}})  # back, for the others


def test_drafts_and_new_auditors_do_not_read_the_selection_whole(
    messy: AppContext, full_reads: list[AuditFilter]
) -> None:
    """A draft saved and discarded changes no submitted audit, and a new auditor's name can
    only be on the visits written since: the selection is brought up to date, not read
    whole. Renaming an auditor changes names on audits of any branch: read whole."""
    request = ComparisonRequest(AuditFilter(), evidence=False, items=False)
    kept_and_fresh(messy, request)
    code = branch_codes(messy)[3]
    draft = save_draft(messy, AuditRecord(Visit(code, EMAIL, 1, newest_visit(messy), "A"), ()))
    discard_draft(messy, draft)
    visit = Visit(code, EMAIL, 1, newest_visit(messy) + timedelta(minutes=7), "Nova Auditora")
    _SUBMITTED.add(submit_audit(messy, AuditRecord(visit, answers(messy, EMAIL, 1, False)))[0])
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy, request)
    assert_same_selection(kept, fresh, "a draft discarded and a new auditor")
    assert "Nova Auditora" in set(kept.audits["auditor"])
    assert len(full_reads) == 1, "the selection was read whole"
    update_auditor(messy, "Nova Auditora", name="Nova Auditora Puig")
    full_reads.clear()
    kept, fresh = kept_and_fresh(messy, request)
    assert_same_selection(kept, fresh, "an auditor renamed")
    assert "Nova Auditora Puig" in set(kept.audits["auditor"])
    assert len(full_reads) == 2


def test_an_area_manager_s_selection_ignores_the_other_areas_writes(
    messy: AppContext, full_reads: list[AuditFilter], monkeypatch: pytest.MonkeyPatch
) -> None:
    """At month end every area writes: only her areas' branches count toward the branches
    read again (here at most one)."""
    monkeypatch.setattr(selections, "MOST_BRANCHES", 1)
    ctx = messy.as_user(MANAGER)
    request = ComparisonRequest(AuditFilter(), evidence=False, items=False)
    kept_and_fresh(ctx, request)
    mine = branch_codes(messy, MANAGER.areas)
    others = [code for code in branch_codes(messy) if code not in mine][:3]
    for code in [mine[0], *others]:
        submit(messy, code, EMAIL, 1, newest_visit(messy), worst=False)
    full_reads.clear()
    kept, fresh = kept_and_fresh(ctx, request)
    assert_same_selection(kept, fresh, "her area's visit among the others'")
    assert len(full_reads) == 1


def test_item_cells_read_after_a_later_write_are_kept_by_their_selection_s_mark(
    messy: AppContext,
) -> None:
    """The Compare page shows its comparison (the selection kept under the version), then
    reads the item cells in a later snapshot: a branch's first visit committed in between is
    left out of those cells by the selection's branches, and must come back at the next
    version (found by a review: it stayed out for good)."""
    day = (earliest_visit(messy) - timedelta(days=30)).date()  # a day with no visit yet
    start = datetime.combine(day, datetime.min.time())
    audit_filter = AuditFilter(date_from=day, date_to=day + timedelta(days=1))
    late, first = branch_codes(messy)[4:6]
    submit(messy, first, EMAIL, 1, start, worst=False)
    request = ComparisonRequest(audit_filter, evidence=False, items=False, auditors=False)
    version = data_version(messy, audit_filter)
    shown = service.comparison(messy, request, version)
    assert late not in {row.branch_code for row in shown.league.rows}
    submit(messy, late, EMAIL, 1, start, worst=True)  # another session's, in between
    service.with_items(messy, shown, version)
    got, want = kept_and_fresh_sums(messy, request)
    assert late in set(want.branch_labels)
    assert_same_sums(got, want, "the next version")
    with_items = replace(request, items=True)
    now = data_version(messy, audit_filter)
    same(
        service.comparison(messy, with_items, now).items,
        service.comparison(messy, with_items).items,
    )


def test_a_small_first_read_grown_by_visits_weighs_what_it_holds(messy: AppContext) -> None:
    """Weights are scaled by rows from the first read's values, its columns' fixed part
    apart: a month that starts with one visit and grows is not weighed as thousands of
    bytes a row (found by a review: 30-40 times what it held), which would push other
    selections out and, past the budget, keep it from being kept at all."""
    day = (earliest_visit(messy) - timedelta(days=40)).date()  # a day with no visit yet
    start = datetime.combine(day, datetime.min.time())
    audit_filter = AuditFilter(date_from=day, date_to=day + timedelta(days=1))
    request = ComparisonRequest(audit_filter, evidence=False, items=False, auditors=False)
    codes = branch_codes(messy)
    submit(messy, codes[0], EMAIL, 1, start, worst=False)
    kept_and_fresh_sums(messy, request)
    for code in codes[1:16]:
        submit(messy, code, EMAIL, 1, start, worst=False)
        kept_and_fresh_sums(messy, request)
    entries = list(kept_selections._kept.values())
    ((sums, sums_weight),) = [e for e in entries if isinstance(e[0], KeptSums)]
    ((entry, weight),) = [e for e in entries if isinstance(e[0], selections.KeptSelection)]
    assert sums.sums is not None and 1 <= sums_weight / sums.sums.nbytes < 2
    assert 0.5 < weight / selections.selection_bytes(entry.selection) < 2
