"""The Branch page's weakest branch and the Audit page's newest visits are read through the
visit-time index, added up or cut by the database (#21: both read every audit of the
selection, 7 s on the ten-times set), and equal what reading every audit gives, on both
engines, over the messy world made messier: a closed branch holding the newest visits,
audits without a score, follow-ups, for head office and an area manager."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import select, update

from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services.audits import list_scores
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.services.reports import WeakestBranch, weakest_branch
from audit_app.storage.tables import audit_scores, audits, branches
from tests.storage.test_item_vectors import messy

__all__ = ["messy"]

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MANAGER = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona", "Sud"))


@pytest.fixture(scope="module")
def world(messy: AppContext) -> Iterator[AppContext]:
    """The branch of the newest scored visit closed; the newest audit of another branch,
    and every eleventh, without an overall score."""
    with messy.engine.begin() as conn:
        newest = (
            select(audits.c.branch_id)
            .join(audit_scores, audit_scores.c.audit_id == audits.c.id)
            .where(audits.c.kind != "follow_up")
            .order_by(audits.c.visited_at.desc())
            .limit(1)
        )
        closed = conn.execute(newest).scalar_one()
        conn.execute(update(branches).where(branches.c.id == closed).values(active=False))
        other = conn.execute(
            select(audits.c.id)
            .where(audits.c.branch_id != closed, audits.c.kind != "follow_up")
            .order_by(audits.c.visited_at.desc())
            .limit(1)
        ).scalar_one()
        unscored = (audit_scores.c.audit_id == other) | (audit_scores.c.audit_id % 11 == 4)
        conn.execute(update(audit_scores).where(unscored).values(overall=None))
    yield messy


def reference_weakest(ctx: AppContext, days: int) -> WeakestBranch | None:
    """``weakest_branch`` as it was before #21: every audit read, the window cut in pandas."""
    frame = list_scores(ctx)
    active = {b.code for b in list_branches(ctx) if b.active}
    frame = frame[frame["branch_code"].isin(active)].dropna(subset=["overall"])
    if frame.empty:
        return None
    until = frame["visited_at"].max()
    since = until - pd.Timedelta(days=days)
    recent = frame[frame["visited_at"] > since]
    means = (
        recent.groupby(["branch_code", "branch_name"])["overall"]
        .agg(["mean", "count"])
        .reset_index()
        .sort_values(["mean", "branch_code"])
    )
    worst = means.iloc[0]
    return WeakestBranch(
        code=str(worst["branch_code"]),
        name=str(worst["branch_name"]),
        mean=float(worst["mean"]),
        audits=int(worst["count"]),
        since=(since + timedelta(days=1)).date(),
        until=until.date(),
        branches=len(means),
    )


@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
@pytest.mark.parametrize("days", [1, 7, 30, 90, 400])
def test_the_weakest_branch_is_the_one_every_audit_points_to(
    world: AppContext, user: User, days: int
) -> None:
    ctx = world.as_user(user)
    got, want = weakest_branch(ctx, days), reference_weakest(ctx, days)
    assert got is not None and want is not None
    got_fields, want_fields = asdict(got), asdict(want)
    assert got_fields.pop("mean") == pytest.approx(want_fields.pop("mean"), abs=1e-9)
    assert got_fields == want_fields


def test_the_window_ends_at_the_newest_scored_visit_of_an_open_branch(world: AppContext) -> None:
    """Neither the closed branch's newer visits nor an unscored audit, nor a follow-up, set
    where the ninety days end."""
    everything = list_scores(world, AuditFilter(include_follow_ups=True))
    weakest = weakest_branch(world)
    assert weakest is not None
    assert everything["visited_at"].max().date() > weakest.until


def test_nobody_s_weakest_branch_without_a_scored_audit(world: AppContext) -> None:
    nobody = User(username="nobody", role=Role.AREA_MANAGER, areas=("No such area",))
    assert weakest_branch(world.as_user(nobody)) is None


@pytest.mark.parametrize(
    "audit_filter",
    [
        AuditFilter(),
        AuditFilter(include_follow_ups=True),
        AuditFilter(reference="a"),
        AuditFilter(region="Catalonia"),
        AuditFilter(branch_code="ES-CAT-01"),
        AuditFilter(channel="email"),
    ],
    ids=repr,
)
@pytest.mark.parametrize("newest", [1, 7, 50, 100_000])
@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
def test_the_newest_visits_are_the_last_rows_of_every_visit(
    world: AppContext, audit_filter: AuditFilter, newest: int, user: User
) -> None:
    ctx = world.as_user(user)
    every = list_scores(ctx, audit_filter)
    got = list_scores(ctx, audit_filter, newest=newest)
    assert len(got) == min(newest, len(every))
    pd.testing.assert_frame_equal(got, every.tail(newest).reset_index(drop=True))
