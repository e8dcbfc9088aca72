"""Per-item consistency and failure evidence kept per data version (#21) equal a fresh
computation after hostile writes, for head office and an area manager, closed branches
counted or not, in every model: a visit in a month the selection did not have, a second
branch in it, a branch closed, a write after that, a revision, the branch reopened; each
scope asked in turn (a review's scenarios, kept as tests)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare as service
from audit_app.services.access import scoped
from audit_app.services.audits import list_scores
from audit_app.services.branches import set_branch_active
from audit_app.services.context import AppContext
from audit_app.services.freshness import data_version
from audit_app.services.revisions import revise_audit
from tests.services.test_league_alone import same
from tests.services.test_selection_patches import (
    _REVISED,
    _SUBMITTED,
    EMAIL,
    HQ,
    MANAGER,
    PHONE,
    answers,
    branch_codes,
    earliest_visit,
    messy,
    newest_visit,
    nothing_kept,
    submit,
)

__all__ = ["messy", "nothing_kept"]

MODELS: tuple[dict[str, object], ...] = (
    {},
    {"period": "quarter"},
    {"adjust_periods": False},
    {"period": "quarter", "adjust_periods": False},
)


def assert_kept_as_fresh(ctx: AppContext, request: ComparisonRequest, what: str) -> None:
    version = data_version(ctx, scoped(ctx, request.audit_filter))
    for model in MODELS:
        asked = replace(request, **model)  # type: ignore[arg-type]
        shown = service.comparison(ctx, asked, version)
        if shown.empty:
            continue
        kept = service.with_items(ctx, shown, version).items
        fresh = service.comparison(ctx, replace(asked, items=True)).items
        same(kept, fresh, f"{what}: items {model}")
    kept_evidence = service.comparison_evidence(ctx, request, version)
    assert kept_evidence == service.comparison_evidence(ctx, request), f"{what}: evidence"


@pytest.mark.parametrize("include_closed", [False, True], ids=["open", "closed too"])
@pytest.mark.parametrize("user", [HQ, MANAGER], ids=["head office", "area manager"])
def test_kept_items_and_evidence_follow_every_write(
    messy: AppContext, user: User, include_closed: bool
) -> None:
    ctx, hq = messy.as_user(user), messy.as_user(HQ)
    request = ComparisonRequest(
        AuditFilter(),
        evidence=False,
        items=False,
        auditors=False,
        include_closed=include_closed,
        min_audits=1,
    )
    assert_kept_as_fresh(ctx, request, "first read")
    assert_kept_as_fresh(hq, request, "head office's first read")
    mine = branch_codes(messy, user.areas if user.role == Role.AREA_MANAGER else None)
    before = earliest_visit(messy) - timedelta(days=45)  # a month no audit lies in
    submit(messy, mine[0], EMAIL, 1, before, worst=True)
    assert_kept_as_fresh(ctx, request, "a visit in a new month")
    assert_kept_as_fresh(hq, request, "head office, after a new month")
    submit(messy, mine[1], EMAIL, 1, before, worst=True)
    assert_kept_as_fresh(ctx, request, "a second branch in that month")
    set_branch_active(messy, mine[1], False)
    assert_kept_as_fresh(ctx, request, "a branch closed")
    submit(messy, mine[2], PHONE, 2, newest_visit(messy) - timedelta(days=3), worst=True)
    assert_kept_as_fresh(ctx, request, "a write after it")
    scores = list_scores(messy)
    revisable = scores[
        (scores["checklist_id"] == PHONE)
        & (scores["checklist_version"] == 2)
        & scores["branch_code"].isin(mine)
        & ~scores["audit_id"].isin(_REVISED | _SUBMITTED)
    ]
    audit_id = int(revisable.sort_values("visited_at")["audit_id"].iloc[0])
    _REVISED.add(audit_id)  # each run revises its own (the world is shared)
    revise_audit(messy, audit_id, list(answers(messy, PHONE, 2, worst=True)), "tone misheard")
    assert_kept_as_fresh(ctx, request, "a revision")
    assert_kept_as_fresh(hq, request, "head office, after a revision")
    set_branch_active(messy, mine[1], True)
    assert_kept_as_fresh(ctx, request, "the branch reopened")
