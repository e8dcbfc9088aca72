"""An area manager's scope is enforced by the services themselves, for every kind of read,
download and write; head office and viewers see everything, viewers change nothing."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pandas as pd
import pytest
from pypdf import PdfReader

from audit_app.domain.audit import AuditRecord
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services import compare as comparing
from audit_app.services.access import AccessDenied, scoped
from audit_app.services.audits import list_scores, load_audit, submit_audit
from audit_app.services.branches import list_branches, save_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import demo_data, load_demo
from audit_app.services.overview import overview
from audit_app.services.report_compare import comparison_report
from audit_app.services.reports import audit_report, branch_report
from audit_app.services.templates import make_template
from audit_app.services.users import add_user, list_users
from tests.databases import drop_database, make_settings, point_environment_at

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
GUEST = User(username="guest", role=Role.VIEWER)
HQ = User(username="hq", role=Role.HEAD_OFFICE)


@pytest.fixture(scope="module")
def demo_world(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[AppContext]:
    from audit_app.services.context import open_context

    ctx = open_context(make_settings(engine_kind, tmp_path_factory.mktemp("access")))
    load_demo(ctx)
    yield ctx
    ctx.engine.dispose()
    drop_database(ctx.settings.resolved_database_url)


@pytest.fixture
def world(demo_world: AppContext, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    point_environment_at(demo_world.settings, monkeypatch)
    return demo_world


def _codes(ctx: AppContext) -> tuple[set[str], set[str]]:
    """(Barcelona branch codes, every other branch code)."""
    everything = list_branches(ctx)
    mine = {b.code for b in everything if b.area == "Barcelona"}
    return mine, {b.code for b in everything} - mine


def test_branch_lists_and_scores_stay_inside_the_area(world: AppContext) -> None:
    mine, others = _codes(world)
    assert len(mine) == 6 and len(others) == 42
    marta = world.as_user(MARTA)
    assert {b.code for b in list_branches(marta)} == mine
    assert set(list_scores(marta)["branch_code"]) == mine
    # Asking for another region explicitly gives nothing rather than their audits.
    assert list_scores(marta, AuditFilter(region="Aegean")).empty
    assert len(list_scores(world.as_user(GUEST))) == len(list_scores(world))
    assert overview(marta).branches == 6


def test_a_filter_cannot_widen_the_scope(world: AppContext) -> None:
    widened = scoped(world.as_user(MARTA), AuditFilter(areas=("Barcelona", "Izmir")))
    assert widened.areas == ("Barcelona",)
    assert scoped(world.as_user(HQ), AuditFilter()) == AuditFilter()


def test_every_comparison_view_is_scoped(world: AppContext) -> None:
    mine, others = _codes(world)
    marta = world.as_user(MARTA)
    table = comparing.league_table(marta)
    assert {row.branch_code for row in table.rows} == mine
    heatmap = comparing.section_heatmap(marta)
    assert set(heatmap["branch_code"]) <= mine
    result = comparing.comparison(marta)
    assert result.scope.areas == ("Barcelona",) and result.scope.label.startswith("Area Barcelona")
    assert {row.branch_code for row in result.league.rows} == mine
    assert int(result.trend["audits"].sum()) == result.audits
    comparison = comparing.compare(marta)
    csv = comparing.comparison_csv(comparison).decode()
    workbook = pd.read_excel(
        io.BytesIO(comparing.comparison_workbook(comparison)), engine="calamine"
    )
    for code in others:
        assert code not in csv
        assert code not in workbook.to_csv()
    assert all(code in csv for code in mine)
    regions = {summary.region for summary in result.regions}
    assert regions == {"Catalonia"}


def test_pdf_downloads_hold_only_the_area(world: AppContext) -> None:
    mine, others = _codes(world)
    marta = world.as_user(MARTA)
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(comparison_report(marta))).pages
    )
    assert any(code in text for code in mine)
    assert not any(code in text for code in others)
    other_code = sorted(others)[0]
    with pytest.raises(AuditAppError, match=f"no branch with code '{other_code}'"):
        branch_report(marta, other_code)
    assert branch_report(marta, sorted(mine)[0])[:4] == b"%PDF"


def test_another_areas_audit_reads_as_missing(world: AppContext) -> None:
    mine, others = _codes(world)
    scores = list_scores(world)
    theirs = int(scores[scores["branch_code"].isin(others)]["audit_id"].iloc[0])
    ours = int(scores[scores["branch_code"].isin(mine)]["audit_id"].iloc[0])
    marta = world.as_user(MARTA)
    for read in (load_audit, audit_report):
        with pytest.raises(AccessDenied, match=f"no audit #{theirs}"):
            read(marta, theirs)
    assert load_audit(marta, ours).audit_id == ours


def test_templates_offer_only_the_area(world: AppContext) -> None:
    mine, others = _codes(world)
    marta = world.as_user(MARTA)
    assert make_template(marta, "returns").branches == len(mine)
    with pytest.raises(AuditAppError, match="unknown or inactive branch"):
        make_template(marta, "returns", branch_codes=[sorted(others)[0]])


def _new_visit(world: AppContext, code: str) -> AuditRecord:
    """A demo audit of ``code`` moved to a visit time no demo audit uses."""
    record = next(r for r in demo_data(world).audits if r.visit.branch_code == code)
    # Moved to 2001: inside the accepted visit range, before any demo visit.
    visit = replace(record.visit, visited_at=record.visit.visited_at.replace(year=2001))
    return replace(record, visit=visit)


def test_writes_outside_the_scope_are_refused(world: AppContext) -> None:
    mine, others = _codes(world)
    before = len(list_scores(world))
    with pytest.raises(AuditAppError, match="unknown branch code"):
        submit_audit(world.as_user(MARTA), _new_visit(world, sorted(others)[0]))
    with pytest.raises(AccessDenied, match="a viewer cannot"):
        submit_audit(world.as_user(GUEST), _new_visit(world, sorted(mine)[0]))
    assert len(list_scores(world)) == before


def test_only_head_office_manages_branches_and_users(world: AppContext) -> None:
    branch = list_branches(world)[0]
    for user in (MARTA, GUEST):
        acting = world.as_user(user)
        with pytest.raises(AccessDenied, match="only head office"):
            save_branches(acting, [branch])
        with pytest.raises(AccessDenied, match="only head office"):
            add_user(acting, "eve", "head_office", "long enough password")
        with pytest.raises(AccessDenied, match="only head office"):
            list_users(acting)
    assert "eve" not in {u.username for u in list_users(world.as_user(HQ))}


def test_an_empty_selection_names_only_the_area_managers_own_regions_and_visits(
    world: AppContext,
) -> None:
    """Why a selection is empty is told from the user's own branches: another area's
    regions and the chain's span of visits stay unnamed."""
    marta = world.as_user(MARTA)
    mine = sorted({b.region for b in list_branches(marta)})
    everyone = sorted({b.region for b in list_branches(world)})
    assert set(mine) < set(everyone)
    with pytest.raises(comparing.SelectionError) as refused:
        comparing.comparison(marta, ComparisonRequest(AuditFilter(region="Nowhere")))
    assert f"(regions: {', '.join(mine)})" in str(refused.value)
    for region in set(everyone) - set(mine):
        assert region not in str(refused.value)
    own = pd.to_datetime(list_scores(marta)["visited_at"]).tolist()
    quiet = AuditFilter(date_from=date(1999, 1, 1), date_to=date(1999, 1, 31))
    result = comparing.comparison(marta, ComparisonRequest(quiet))
    assert result.empty and result.scope.label == "Area Barcelona: 0 branches"
    span = f"stored audits run from {min(own):%Y-%m-%d} to {max(own):%Y-%m-%d}"
    assert result.message is not None and span in result.message
