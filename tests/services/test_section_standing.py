"""The Branch page's section means (#21): the database adds up the branch's and everyone's
means in one pass, and they equal those the comparison's heatmap gives, on both engines,
for head office and for an area manager (whose "everyone" is her areas), across periods
that cut months, one checklist or all; a checklist of two versions reads the heatmap."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services import compare as service
from audit_app.services.context import AppContext
from tests.services.test_compare import demo_ctx, versions_world

__all__ = ["demo_ctx", "versions_world"]

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
FILTERS = [
    AuditFilter(),
    AuditFilter(checklist_id="greeting_phone"),
    AuditFilter(date_from=date(2026, 2, 11), date_to=date(2026, 7, 19)),
    AuditFilter(checklist_id="greeting_email", date_from=date(2026, 5, 1)),
]


def assert_same_standing(got: pd.DataFrame, want: pd.DataFrame) -> None:
    keys = ["checklist_id", "section_id"]
    got = got.sort_values(keys, ignore_index=True)
    want = want.sort_values(keys, ignore_index=True)
    assert list(got.columns) == service.SECTION_STANDING_COLUMNS
    assert got[keys].to_numpy().tolist() == want[keys].to_numpy().tolist()
    assert got["audits"].tolist() == want["audits"].tolist()
    for column in ("branch_mean", "chain_mean"):
        np.testing.assert_allclose(got[column], want[column], rtol=1e-9)


@pytest.mark.parametrize("audit_filter", FILTERS)
@pytest.mark.parametrize(("user", "code"), [(None, "TR-EGE-02"), (MARTA, "ES-CAT-03")])
def test_the_database_s_section_means_are_the_heatmap_s(
    demo_ctx: AppContext, audit_filter: AuditFilter, user: User | None, code: str
) -> None:
    ctx = demo_ctx if user is None else demo_ctx.as_user(user)
    got = service.section_standing(ctx, code, audit_filter)
    want = service._standing_from_heatmap(ctx, code, audit_filter)
    assert not got.empty
    assert_same_standing(got, want)


def test_an_area_manager_s_everyone_is_her_areas(demo_ctx: AppContext) -> None:
    chain = service.section_standing(demo_ctx, "ES-CAT-03", AuditFilter())
    hers = service.section_standing(demo_ctx.as_user(MARTA), "ES-CAT-03", AuditFilter())
    assert chain["branch_mean"].tolist() == pytest.approx(hers["branch_mean"].tolist())
    assert chain["chain_mean"].tolist() != pytest.approx(hers["chain_mean"].tolist())


def test_a_closed_branch_and_another_area_s_branch_have_no_standing(demo_ctx: AppContext) -> None:
    assert service.section_standing(demo_ctx, "RO-TRA-01", AuditFilter()).empty
    marta = demo_ctx.as_user(MARTA)
    assert service.section_standing(marta, "TR-EGE-02", AuditFilter()).empty


def test_a_checklist_of_two_versions_is_read_from_the_heatmap(
    versions_world: tuple[AppContext, object, list[object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = versions_world[0]
    code = "ES-CAT-03"
    read: list[object] = []
    monkeypatch.setattr(service, "section_totals", lambda *a: read.append(a))
    got = service.section_standing(ctx, code, AuditFilter(checklist_id="greeting_phone"))
    assert read == [] and not got.empty
    assert_same_standing(got, service._standing_from_heatmap(ctx, code, AuditFilter()))
