"""Issue 17's nine findings, tried again as the head-office analyst tried them: on stored
worlds shaped like the real ones (a five-wave programme, inspections of chains with a
ceiling, a chain with no real difference), through the service, the command line and
the PDF. One test per finding, numbered as in the issue."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.config import Settings
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.compare.result import ComparisonResult
from audit_app.domain.filters import AuditFilter
from audit_app.domain.scoring import display
from audit_app.domain.users import Role, User
from audit_app.reports.comparison_report import HEATMAP_SIDE, LABELS
from audit_app.services import compare as service
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.report_compare import comparison_report
from tests import comparison_worlds as worlds
from tests.databases import drop_database, environment_for, make_settings
from tests.reports.conftest import flat, pdf_text

runner = CliRunner()


@dataclass
class Stored:
    ctx: AppContext
    settings: Settings
    world: worlds.World

    def cli(self, *args: str) -> str:
        env = {
            **environment_for(self.settings),
            "AUDIT_CHECKLISTS_DIR": str(self.settings.checklists_dir),
        }
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == 0, result.output
        return result.output

    def json(self, *args: str) -> dict:
        return json.loads(self.cli("compare", *args, "--format", "json"))

    def pdf(self, request: ComparisonRequest, user: User | None = None) -> str:
        return pdf_text(comparison_report(self.ctx.as_user(user), request=request))


def _store(folder: Path, engine_kind: str, world: worlds.World, *checklists) -> Iterator[Stored]:
    checklists_dir = worlds.write_checklists(folder / "checklists", *checklists)
    settings = make_settings(engine_kind, folder / "data", checklists_dir)
    ctx = open_context(settings)
    save_branches(ctx, world.branches)
    assert store_audits(ctx, world.records).skipped == 0
    yield Stored(ctx, settings, world)
    ctx.engine.dispose()
    drop_database(settings.resolved_database_url)


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[Stored]:
    yield from _store(tmp_path_factory.mktemp("programme"), engine_kind, worlds.programme())


@pytest.fixture(scope="module")
def inspections(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[Stored]:
    yield from _store(tmp_path_factory.mktemp("inspections"), engine_kind, worlds.inspections())


@pytest.fixture(scope="module")
def null_world(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[Stored]:
    yield from _store(tmp_path_factory.mktemp("null"), engine_kind, worlds.no_difference())


def ranked_rows(result: ComparisonResult) -> list:
    return [r for r in result.league.rows if not r.too_few_to_rank]


def notice(result: ComparisonResult, code: str) -> str:
    found = [n.message for n in result.notices if n.code == code]
    assert found, f"no {code} notice among {[n.code for n in result.notices]}"
    return found[0]


# 1 -------------------------------------------------------------------------------------


def test_1_no_detectable_difference_is_one_state_one_band_one_rank(null_world: Stored) -> None:
    result = service.comparison(null_world.ctx, ComparisonRequest(items=False))
    league = result.league
    assert league.state == "no_difference"
    assert league.components.between is None or league.components.between <= 0
    ranked = ranked_rows(result)
    assert len(ranked) == sum(len(v) >= 3 for v in null_world.world.overall.values()) > 30
    assert {(r.rank, r.tie_band) for r in ranked} == {(1, 1)}
    # Ordered by mean, then audits; never by code (codes here follow the means upward).
    expected = sorted(ranked, key=lambda r: (-round(r.mean, 9), -r.audits))
    assert [r.branch_code for r in ranked] == [r.branch_code for r in expected]
    assert ranked[0].branch_code == "NB-039"
    # The region table agrees: nothing found, so its spreads are not findings.
    assert result.regions and {r.differs for r in result.regions} == {False}
    regions = flat(null_world.pdf(ComparisonRequest(items=False))).split(LABELS["regions"])[-1]
    assert LABELS["regions_no_difference"] in regions
    assert {row["differs"] for row in null_world.json("--by", "region")["rows"]} == {False}
    message = notice(result, "no_detectable_difference")
    assert message in flat(null_world.cli("compare"))
    summary = null_world.json()["summary"]
    assert summary["state"] == "no_difference"
    assert message in [n["message"] for n in summary["notices"]]


# 2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("world", ["programme", "inspections", "null_world"])
def test_2_every_estimate_is_inside_its_own_interval(
    world: str, request: pytest.FixtureRequest
) -> None:
    stored: Stored = request.getfixturevalue(world)
    result = service.comparison(stored.ctx, ComparisonRequest(items=False))
    outside = [
        (r.branch_code, r.mean, r.shrunk_low, r.shrunk, r.shrunk_high)
        for r in result.league.rows
        if not (r.shrunk_low is not None and r.shrunk_low <= r.shrunk <= r.shrunk_high)
    ]
    assert outside == []
    # The raw mean has its own interval beside it, named plainly.
    assert all(r.low is None or r.low <= r.mean <= r.high for r in result.league.rows)
    rows = stored.json()["rows"]
    assert all(row["shrunk_low"] <= row["shrunk"] <= row["shrunk_high"] for row in rows)
    ranks = {row["branch_code"]: row["rank"] for row in rows}
    assert ranks == {r.branch_code: r.rank for r in result.league.rows}


# 3 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("world", ["programme", "inspections"])
def test_3_bands_are_contiguous_and_never_split_equal_estimates(
    world: str, request: pytest.FixtureRequest
) -> None:
    stored: Stored = request.getfixturevalue(world)
    result = service.comparison(stored.ctx, ComparisonRequest(items=False))
    ranked = ranked_rows(result)
    bands = [r.tie_band for r in ranked]
    assert bands[0] == 1 and all(b - a in (0, 1) for a, b in itertools.pairwise(bands))
    assert len(set(bands)) > 1, "a world with real differences has more than one band"
    splits = [
        (a.branch_code, b.branch_code, display(a.shrunk))
        for a, b in itertools.pairwise(ranked)
        if display(a.shrunk) == display(b.shrunk) and a.tie_band != b.tie_band
    ]
    assert splits == []
    # Estimates that show the same share a rank too (58 locations at 100.0 are not 1 to 58).
    shown_ranks: dict[float | None, set[int]] = {}
    for r in ranked:
        shown_ranks.setdefault(display(r.shrunk), set()).add(r.rank)
    assert {shown: ranks for shown, ranks in shown_ranks.items() if len(ranks) > 1} == {}
    if world == "programme":
        twins = [r for r in ranked if r.branch_code in worlds.TWINS]
        assert twins[0].shrunk == pytest.approx(twins[1].shrunk)
        assert twins[0].rank == twins[1].rank and twins[0].tie_band == twins[1].tie_band


# 4 -------------------------------------------------------------------------------------


def test_4_period_effects_are_removed_and_the_index_is_net_of_them(programme: Stored) -> None:
    adjusted = service.comparison(programme.ctx, ComparisonRequest(items=False))
    raw = service.comparison(programme.ctx, ComparisonRequest(items=False, adjust_periods=False))
    effects = {e.label: e.effect for e in adjusted.league.period_effects}
    assert sorted(effects) == ["2025-03", "2025-06", "2025-09", "2025-12", "2026-03"]
    assert effects["2026-03"] - effects["2025-03"] == pytest.approx(9.0, abs=1.5)

    def pair(result: ComparisonResult) -> tuple:
        rows = {r.branch_code: r for r in result.league.rows}
        return rows[worlds.GOOD_WAVES_ONLY], rows[worlds.BAD_WAVES_ONLY]

    good, bad = pair(raw)
    assert good.shrunk - bad.shrunk > 3 and good.rank < bad.rank  # the old table's story
    good, bad = pair(adjusted)
    assert good.mean - bad.mean > 6  # the plain means still differ by the waves ...
    assert abs(good.shrunk - bad.shrunk) < 1.0  # ... the estimates no longer
    assert good.tie_band == bad.tie_band

    # The consistency index net of period effects differs from the raw one, shown beside it.
    assert adjusted.raw_consistency_index == pytest.approx(raw.consistency_index, abs=0.05)
    assert adjusted.consistency_index - adjusted.raw_consistency_index > 0.2
    summary = programme.json()["summary"]
    assert summary["consistency_index"] == round(adjusted.consistency_index, 1)
    assert summary["raw_consistency_index"] == round(adjusted.raw_consistency_index, 1)
    index, raw_index = f"{adjusted.consistency_index:.1f}", f"{adjusted.raw_consistency_index:.1f}"
    text = flat(programme.cli("compare"))
    assert f"consistency index {index} ({raw_index} with period effects left in)" in text
    pdf = flat(programme.pdf(ComparisonRequest(items=False)))
    assert f"{index} " in pdf and f"with them left in the index reads {raw_index}." in pdf


# 5 -------------------------------------------------------------------------------------


def test_5_a_one_wave_selection_warns_that_its_noise_rests_on_one_store(programme: Stored) -> None:
    wave = AuditFilter(date_from=date(2025, 9, 1), date_to=date(2025, 9, 30))
    result = service.comparison(programme.ctx, ComparisonRequest(wave, items=False))
    repeated = [r.branch_code for r in result.league.rows if r.audits > 1]
    assert repeated == [worlds.TWICE_IN_WAVE_3]
    message = notice(result, "few_noise_degrees")
    args = ("--from", "2025-09-01", "--to", "2025-09-30")
    assert flat(message) in flat(programme.cli("compare", *args))
    summary = programme.json(*args)["summary"]
    assert message in [n["message"] for n in summary["notices"] if n["code"] == "few_noise_degrees"]
    assert flat(message) in flat(programme.pdf(ComparisonRequest(wave)))


# 6 -------------------------------------------------------------------------------------


def test_6_a_ceiling_is_said_in_every_output(inspections: Stored) -> None:
    result = service.comparison(inspections.ctx, ComparisonRequest(items=False))
    at_top = [r for r in ranked_rows(result) if r.mean >= 99.95]
    assert len(at_top) > len(ranked_rows(result)) / 2
    message = notice(result, "ceiling")
    assert f"{len(at_top)} of {len(ranked_rows(result))}" in message
    assert flat(message) in flat(inspections.cli("compare"))
    assert message in [n["message"] for n in inspections.json()["summary"]["notices"]]
    assert flat(message) in flat(inspections.pdf(ComparisonRequest()))


# 7 -------------------------------------------------------------------------------------


def test_7_each_location_is_pulled_toward_its_own_chain(inspections: Stored) -> None:
    result = service.comparison(inspections.ctx, ComparisonRequest(items=False, grouping="region"))
    league = result.league
    assert league.grouping == "region"
    targets = {r.group: r.target for r in league.rows}
    assert set(targets) == {f"Chain {c}" for c in "ABCDEF"}
    assert all(r.group == r.region and r.target == targets[r.region] for r in league.rows)
    # The chains' levels order as their means do and span more than a point or two.
    means = {r.region: r.mean for r in result.regions}
    order = sorted(targets, key=targets.get)
    assert order == sorted(means, key=means.get)
    assert max(targets.values()) - min(targets.values()) > 1.5
    # A one-audit location is pulled toward its chain, not past it, not toward the pool.
    once = [r for r in league.rows if r.audits == 1 and r.mean < 99.95]
    assert once and all(min(r.mean, r.target) <= r.shrunk <= max(r.mean, r.target) for r in once)
    assert "region" in notice(result, "group_targets")
    summary = inspections.json("--target", "region")["summary"]
    assert summary["grouping"] == "region"
    # Left to itself the comparison says which target it chose and why.
    auto = service.comparison(inspections.ctx, ComparisonRequest(items=False)).league
    chosen = "region" if auto.group_test and auto.group_test.p < 0.10 else None
    assert auto.grouping == chosen


# 8 -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def versions_world(
    tmp_path_factory: pytest.TempPathFactory, engine_kind: str
) -> Iterator[tuple[Stored, dict]]:
    world, expected = worlds.versions()
    for stored in _store(
        tmp_path_factory.mktemp("versions"), engine_kind, world, *worlds.version_checklists()
    ):
        yield stored, expected


def test_8_the_reference_version_is_the_latest_in_time(versions_world: tuple[Stored, dict]) -> None:
    stored, expected = versions_world
    result = service.comparison(stored.ctx, ComparisonRequest(items=False))
    (alignment,) = result.versions
    assert alignment.versions == (1, 2) and alignment.reference_version == 1
    assert alignment.left_out == ("till.bag", "till.wait")
    means = {r.branch_code: r.mean for r in result.league.rows}
    assert means == pytest.approx({code: float(np.mean(v)) for code, v in expected.items()})
    assert "v1" in notice(result, "reference_version")


# 9 -------------------------------------------------------------------------------------


HEATMAP_ROW = re.compile(r"^(ST-[A-Z0-9]+) ", re.M)


def test_9_the_heatmap_shows_what_its_caption_names_and_the_scope_is_named(
    programme: Stored,
) -> None:
    request = ComparisonRequest(items=False)
    result = service.comparison(programme.ctx, request)
    ranked = ranked_rows(result)
    assert len(ranked) > 2 * HEATMAP_SIDE and len(result.league.rows) > len(ranked)
    text = programme.pdf(request)
    caption = LABELS["heatmap_some"].format(n=HEATMAP_SIDE, total=f"{len(ranked):,}")
    assert caption in flat(text)
    heatmap = text.split(LABELS["heatmap"], 1)[1].split(LABELS["regions"], 1)[0]
    codes = HEATMAP_ROW.findall(heatmap)
    by_rank = sorted(ranked, key=lambda r: (r.rank, -r.shrunk))
    assert codes[:HEATMAP_SIDE] == [r.branch_code for r in by_rank[:HEATMAP_SIDE]]
    assert codes[-HEATMAP_SIDE:] == [r.branch_code for r in by_rank[-HEATMAP_SIDE:]]
    assert len(codes) == 2 * HEATMAP_SIDE

    manager = User(username="sari", role=Role.AREA_MANAGER, areas=("Denpasar",))
    in_bali = sum(b.region == "Bali" for b in programme.world.branches)
    area = flat(programme.pdf(request, manager))
    assert f"Area Denpasar: {in_bali} branches" in area
    assert "Chain:" not in area
