"""The Overview's figures added up by the database (#21, ``storage.overview_totals``) equal
those it added up in pandas from every audit of the selection (``list_scores``; kept here
as the reference), on both engines, over the messy world (two versions, N/A, follow-ups,
channels, a closed branch, audits without pass or fail or without a score) and many
filters, with dates that cut months in the middle, for head office and an area manager."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select, update

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services import compare as compare_service
from audit_app.services import overview as service
from audit_app.services.actions import overdue_count
from audit_app.services.audits import list_scores
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.overview import Overview, checklist_titles
from audit_app.storage.tables import audit_scores, audits, branches
from tests.services.test_league_alone import same
from tests.storage.test_item_sums import _random_filters
from tests.storage.test_item_vectors import messy

__all__ = ["messy"]

FILTERS = [
    *_random_filters(40, seed=2105),
    AuditFilter(date_from=date(2026, 3, 14), date_to=date(2026, 5, 2)),
    AuditFilter(date_from=date(2026, 2, 27), include_follow_ups=True),
    AuditFilter(channel="email", date_to=date(2026, 4, 9)),
    AuditFilter(region="Catalonia", date_from=date(2026, 1, 17)),
    AuditFilter(region="Aegean", channel="email", include_follow_ups=True),
    AuditFilter(region="Bucharest & South", country="ro", date_to=date(2026, 6, 14)),
    AuditFilter(region="aegean"),  # matched in any case by the filter, as written here
    AuditFilter(auditor="Ann"),
    AuditFilter(reference="a"),
    AuditFilter(branch_code="ES-CAT-01"),  # no audit passed or failed
    AuditFilter(branch_code="ES-CAT-02"),  # the closed branch: nothing
    AuditFilter(date_from=date(1990, 1, 1), date_to=date(1990, 1, 31)),  # nothing
]
MANAGER = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona", "Sud"))


def reference_overview(
    ctx: AppContext, audit_filter: AuditFilter, latest: int = 15, language: str | None = None
) -> Overview:
    """``services.overview.overview`` as it was before #21: every audit of the selection
    read and added up in pandas."""
    branch_list = [
        branch
        for branch in list_branches(ctx)
        if (audit_filter.region is None or branch.region == audit_filter.region)
        and (audit_filter.country is None or branch.country == audit_filter.country.upper())
    ]
    scores = list_scores(ctx, audit_filter)
    active = {b.code for b in branch_list if b.active}
    if not scores.empty:
        scores = scores[scores["overall"].notna() & scores["branch_code"].isin(active)]
    if scores.empty:
        empty = pd.DataFrame()
        return Overview(
            len(branch_list),
            sum(b.active for b in branch_list),
            0,
            None,
            None,
            0,
            None,
            empty,
            empty,
            empty,
        )
    by_region = (
        scores.groupby("region")
        .agg(
            branches=("branch_code", "nunique"),
            audits=("audit_id", "count"),
            mean_score=("overall", "mean"),
            pass_rate=("passed", lambda s: 100 * s.astype(float).mean()),
            critical_failures=("critical_failure", "sum"),
        )
        .sort_values("mean_score", ascending=False)
        .reset_index()
    )
    by_month = (
        scores.assign(month=scores["visited_at"].dt.to_period("M").dt.to_timestamp())
        .groupby("month")
        .agg(audits=("audit_id", "count"), mean_score=("overall", "mean"))
        .reset_index()
    )
    titles = checklist_titles(ctx, language)
    latest_rows = (
        scores.sort_values(["visited_at", "audit_id"], ascending=False)
        .head(latest)
        .assign(checklist=lambda frame: frame["checklist_id"].map(titles))
    )
    compared = compare_service.comparison(
        ctx, ComparisonRequest(audit_filter, items=False, auditors=False)
    )
    return Overview(
        branches=len(branch_list),
        active_branches=sum(b.active for b in branch_list),
        audits=len(scores),
        mean_score=compared.mean_score,
        pass_rate=float(100 * scores["passed"].astype(float).mean()),
        critical_failures=int(scores["critical_failure"].sum()),
        consistency_index=compared.consistency_index,
        by_region=by_region,
        by_month=by_month,
        latest=latest_rows[
            [
                "audit_id",
                "visited_at",
                "branch_name",
                "branch_code",
                "checklist",
                "auditor",
                "overall",
                "grade",
                "critical_failure",
            ]
        ].reset_index(drop=True),
        overdue_actions=overdue_count(ctx, audit_filter),
    )


@pytest.fixture(scope="module")
def world(messy: AppContext) -> Iterator[AppContext]:
    """The messy world (this module's own copy) made messier: ES-CAT-02 closed, every
    audit of ES-CAT-01 and every seventh other one without pass or fail (no pass mark
    reached a verdict), every thirteenth without an overall score."""
    with messy.engine.begin() as conn:
        conn.execute(update(branches).where(branches.c.code == "ES-CAT-02").values(active=False))
        es_cat_01 = select(audits.c.id).join(branches).where(branches.c.code == "ES-CAT-01")
        conn.execute(
            update(audit_scores)
            .where(audit_scores.c.audit_id.in_(es_cat_01) | (audit_scores.c.audit_id % 7 == 3))
            .values(passed=None)
        )
        conn.execute(
            update(audit_scores).where(audit_scores.c.audit_id % 13 == 5).values(overall=None)
        )
    yield messy


@pytest.fixture
def cheap_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compare's mean and consistency are read from Compare as before, unchanged by #21:
    a stand-in keeps sixty filters quick (one test below calls the real one)."""

    def stand_in(ctx: AppContext, request: ComparisonRequest) -> Any:
        return headline_stand_in(ctx, request.audit_filter)

    def headline_stand_in(ctx: AppContext, audit_filter: AuditFilter, version: Any = None) -> Any:
        return SimpleNamespace(mean_score=len(repr(audit_filter)) / 7, consistency_index=None)

    monkeypatch.setattr(compare_service, "comparison", stand_in)  # the reference's
    monkeypatch.setattr(service, "headline", headline_stand_in)  # the Overview's


def assert_same_overview(got: Overview, want: Overview, where: str) -> None:
    """Equal field by field, floats to 1e-9 (the database adds in another order), and the
    frames' columns of the same types."""
    same(got, want, where)
    for name in ("by_region", "by_month", "latest"):
        got_frame, want_frame = getattr(got, name), getattr(want, name)
        assert list(got_frame.dtypes) == list(want_frame.dtypes), f"{where}.{name}"
        assert got_frame.index.equals(want_frame.index), f"{where}.{name}"


@pytest.mark.usefixtures("cheap_comparison")
@pytest.mark.parametrize("who", ["head office", "area manager"])
def test_the_database_s_figures_equal_those_added_up_from_every_audit(
    world: AppContext, who: str
) -> None:
    ctx = world.as_user(MANAGER) if who == "area manager" else world
    selected = 0
    for audit_filter in FILTERS:
        want = reference_overview(ctx, audit_filter, language="ca")
        got = service.overview(ctx, audit_filter, language="ca")
        assert_same_overview(got, want, repr(audit_filter))
        selected += not want.empty
    assert selected >= 20


def test_the_messy_world_has_what_the_figures_must_get_right(world: AppContext) -> None:
    scores = list_scores(world, AuditFilter(include_follow_ups=True))
    regions = service.overview(world).by_region
    assert len(regions) >= 3 and regions["pass_rate"].isna().sum() == 0
    assert scores["passed"].isna().any() and scores["overall"].isna().any()
    assert scores["kind"].nunique() == 2 and scores["channel"].nunique() >= 2
    assert "ES-CAT-02" in set(scores["branch_code"])
    assert "ES-CAT-02" not in set(service.overview(world, latest=10_000).latest["branch_code"])
    unjudged = service.overview(world, AuditFilter(branch_code="ES-CAT-01"))
    assert unjudged.audits > 0 and unjudged.by_region["pass_rate"].isna().all()


@pytest.mark.usefixtures("cheap_comparison")
@pytest.mark.parametrize("latest", [0, 1, 40, 100, 300, 10_000])
def test_any_number_of_latest_audits(world: AppContext, latest: int) -> None:
    for audit_filter in (AuditFilter(), AuditFilter(checklist_id="greeting_email")):
        assert_same_overview(
            service.overview(world, audit_filter, latest),
            reference_overview(world, audit_filter, latest),
            f"{latest} latest",
        )


@pytest.mark.parametrize(
    "audit_filter",
    [AuditFilter(), AuditFilter(region="Catalonia", date_from=date(2026, 2, 11))],
    ids=["everything", "region from mid-month"],
)
def test_with_compare_s_own_mean_and_consistency(
    world: AppContext, audit_filter: AuditFilter
) -> None:
    want = reference_overview(world, audit_filter)
    assert want.consistency_index is not None
    assert_same_overview(service.overview(world, audit_filter), want, "with Compare")


def test_a_region_written_in_another_case_selects_nothing_as_before(world: AppContext) -> None:
    """The Overview counts a region's branches as written; the audits are theirs."""
    region = str(service.overview(world).by_region["region"].iloc[0])
    shouted = service.overview(world, AuditFilter(region=region.upper()))
    assert shouted.branches == 0 and shouted.empty
    assert not service.overview(world, AuditFilter(region=region)).empty


@pytest.mark.parametrize(
    "audit_filter",
    [
        AuditFilter(checklist_id="no_such_checklist"),
        AuditFilter(date_from=date(2026, 5, 2), date_to=date(2026, 5, 1)),
    ],
    ids=["unknown checklist", "reversed period"],
)
def test_a_filter_no_list_can_answer_is_refused_as_before(
    world: AppContext, audit_filter: AuditFilter
) -> None:
    with pytest.raises(AuditAppError):
        service.overview(world, audit_filter)


def test_an_empty_selection_gives_the_empty_overview(world: AppContext) -> None:
    nothing = replace(AuditFilter(), date_from=date(1990, 1, 1), date_to=date(1990, 1, 31))
    got = service.overview(world, nothing)
    assert got.empty and got.by_region.empty and got.latest.empty
    assert got.branches == len(list_branches(world)) > got.active_branches > 0
    assert_same_overview(got, reference_overview(world, nothing), "nothing")
