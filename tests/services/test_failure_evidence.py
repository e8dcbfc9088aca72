"""Evidence per failed item: how many answers failed and how many of them carry a photo,
counted for the comparison's scope (an area manager's areas only), and matching a count
made the slow way, answer by answer."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.evidence import EvidenceCount
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services.audits import list_scores
from audit_app.services.compare import comparison, comparison_evidence, failure_evidence
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.kept_evidence import action_thresholds, evidence_counts
from audit_app.storage import compare_queries, database
from tests.services.photo_world import GREETING, SPEECH, evidence_world, recount

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
PHONE = "greeting_phone"


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    evidence_world(ctx)
    return ctx


def test_the_chain_counts_every_failure_and_those_with_photos(world: AppContext) -> None:
    counts = failure_evidence(world, AuditFilter())
    assert counts == {
        (PHONE, GREETING): EvidenceCount(4, 3),
        (PHONE, SPEECH): EvidenceCount(2, 1),
    }
    assert counts == recount(world)


def test_an_area_managers_counts_leave_other_areas_out(world: AppContext) -> None:
    marta = replace(world, user=MARTA)
    counts = failure_evidence(marta, AuditFilter())
    assert counts == {
        (PHONE, GREETING): EvidenceCount(3, 2),
        (PHONE, SPEECH): EvidenceCount(1, 0),
    }
    assert counts == recount(marta)


def test_the_comparison_carries_the_same_counts_most_failed_first(world: AppContext) -> None:
    chain = comparison(world, ComparisonRequest(AuditFilter(), min_audits=1))
    area = comparison(replace(world, user=MARTA), ComparisonRequest(AuditFilter(), min_audits=1))

    assert chain.evidence == recount(world)
    assert [(item, n) for _c, item, n in chain.failed_items] == [
        (GREETING, EvidenceCount(4, 3)),
        (SPEECH, EvidenceCount(2, 1)),
    ]
    assert area.evidence == recount(replace(world, user=MARTA))


def test_the_counts_follow_the_period_and_branch(world: AppContext) -> None:
    from datetime import date

    later = failure_evidence(world, AuditFilter(date_from=date(2026, 3, 5)))
    assert later == {(PHONE, GREETING): EvidenceCount(1, 0)}
    one = failure_evidence(world, AuditFilter(branch_code="TR-01"))
    assert one == {(PHONE, GREETING): EvidenceCount(1, 1), (PHONE, SPEECH): EvidenceCount(1, 1)}


def test_the_counts_kept_per_branch_are_each_branchs_own(world: AppContext) -> None:
    """What a server keeps so that a visit re-reads only its branch (services.kept_evidence)
    adds up to the chain's counts, and each branch's rows are that branch's recount."""
    scores = list_scores(world)
    branch_of = pd.Series(scores["branch_code"].to_numpy(), index=scores["audit_id"])
    with database.snapshot(world.engine) as conn:
        frame = compare_queries.failure_evidence_by_branch(
            conn, AuditFilter(), action_thresholds(world), branch_of
        )
    assert evidence_counts(frame) == recount(world)
    assert frame["branch_code"].nunique() > 1
    for code in scores["branch_code"].unique():
        mine = frame[frame["branch_code"] == code]
        assert evidence_counts(mine) == recount(world, AuditFilter(branch_code=code)), code
    request = ComparisonRequest(AuditFilter(), min_audits=1)
    version = data_version(world, AuditFilter())
    assert comparison_evidence(world, request, version) == recount(world)
