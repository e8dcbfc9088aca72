"""Comparing locations on the demo chain and on a chain whose checklist changed version."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from audit_app import demo
from audit_app.checklists import Catalogue, dump_checklist
from audit_app.config import default_checklists_dir
from audit_app.domain.checklist import Checklist
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.domain.scoring import score_audit
from audit_app.services import compare as service
from audit_app.services.audits import store_audits
from audit_app.services.branches import list_branches, save_branches
from audit_app.services.context import AppContext, open_context
from audit_app.services.demo import load_demo
from tests.databases import drop_database, make_settings


@pytest.fixture(scope="module")
def demo_ctx(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[AppContext]:
    ctx = open_context(make_settings(engine_kind, tmp_path_factory.mktemp("compare-demo")))
    load_demo(ctx)
    yield ctx
    ctx.engine.dispose()
    drop_database(ctx.settings.resolved_database_url)


PHONE = AuditFilter(checklist_id="greeting_phone")


def test_the_league_table_ranks_every_branch_with_intervals_and_bands(demo_ctx: AppContext) -> None:
    table = service.league_table(demo_ctx, PHONE)
    assert len(table.rows) == 47  # the demo's closed branch is not ranked by default
    assert "RO-TRA-01" not in {r.branch_code for r in table.rows}
    assert not any(r.closed for r in table.rows)
    ranked = [r for r in table.rows if not r.too_few_to_rank]
    assert [r.rank for r in ranked] == sorted(r.rank for r in ranked)
    assert all(r.low is not None and r.high is not None for r in table.rows)
    assert all(r.low <= r.mean <= r.high for r in table.rows)  # type: ignore[operator]
    bands = [r.tie_band for r in ranked]
    assert bands == sorted(bands) and bands[0] == 1
    # The branches that opened late have too few phone audits to rank.
    assert {r.branch_code for r in table.rows if r.too_few_to_rank} == {"ES-CAT-11", "TR-EGE-07"}
    assert all(r.grade in {"Excellent", "Good", "Fair", "Needs improvement"} for r in table.rows)
    # Shrinkage pulls toward the chain: the top shrunken estimate is below the top mean.
    assert ranked[0].shrunk < max(r.mean for r in ranked)
    assert table.components.between is not None and table.components.between > 0


@pytest.mark.parametrize(
    "audit_filter",
    [
        AuditFilter(),
        PHONE,
        AuditFilter(region="Catalonia", date_from=date(2026, 3, 1), date_to=date(2026, 8, 31)),
        AuditFilter(checklist_id="greeting_phone", include_follow_ups=True),
    ],
    ids=["every checklist", "phone", "region and period", "with follow-ups"],
)
def test_the_heatmap_alone_is_the_comparison_s_heatmap(
    demo_ctx: AppContext, audit_filter: AuditFilter
) -> None:
    """The Branch page reads the heatmap without the rest of the comparison (#21): the same
    cells, and one read for every checklist gives each checklist's own cells."""
    import pandas as pd

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        keys = ["checklist_id", "section_id", "branch_code"]
        return frame.sort_values(keys).reset_index(drop=True)

    alone = service.section_heatmap(demo_ctx, audit_filter)
    whole = service.comparison(demo_ctx, ComparisonRequest(audit_filter, items=False))
    assert not alone.empty
    pd.testing.assert_frame_equal(ordered(alone), ordered(whole.heatmap), check_dtype=False)
    for checklist_id in sorted(set(alone["checklist_id"]))[:3]:
        one = service.section_heatmap(demo_ctx, replace(audit_filter, checklist_id=checklist_id))
        pd.testing.assert_frame_equal(
            ordered(one), ordered(alone[alone["checklist_id"] == checklist_id])
        )


def test_the_heatmap_of_nothing_is_empty_with_its_columns(demo_ctx: AppContext) -> None:
    empty = service.section_heatmap(
        demo_ctx, AuditFilter(date_from=date(1990, 1, 1), date_to=date(1990, 2, 1))
    )
    assert empty.empty
    assert list(empty.columns) == ["branch_code", "checklist_id", "section_id", "audits", "mean"]


def test_a_closed_branch_is_ranked_and_marked_only_when_included(demo_ctx: AppContext) -> None:
    closed = {b.code for b in list_branches(demo_ctx) if not b.active}
    assert closed == {"RO-TRA-01"}
    default = service.comparison(demo_ctx, ComparisonRequest(PHONE, items=False))
    assert closed.isdisjoint(r.branch_code for r in default.league.rows)
    assert all(closed.isdisjoint({r.best_branch, r.worst_branch}) for r in default.regions)
    assert closed.isdisjoint(default.heatmap["branch_code"])
    included = service.comparison(
        demo_ctx, ComparisonRequest(PHONE, items=False, include_closed=True)
    )
    rows = {r.branch_code: r for r in included.league.rows}
    assert rows["RO-TRA-01"].closed and rows["RO-TRA-01"].rank is not None
    assert sum(r.closed for r in included.league.rows) == 1
    assert included.audits == default.audits + rows["RO-TRA-01"].audits


def test_the_lenient_auditor_in_istanbul_is_flagged(demo_ctx: AppContext) -> None:
    effects = service.comparison(demo_ctx).auditors
    rows = {r.auditor: r for r in effects.rows}
    kaya = rows["Mehmet Kaya"]
    assert effects.rows[0].auditor == "Mehmet Kaya"
    assert kaya.flagged and kaya.leniency is not None and kaya.leniency > 4
    assert kaya.low is not None and kaya.low > 0
    assert all(r.identified for r in effects.rows)
    assert not rows["Laura Fernández"].flagged  # the roaming auditor marks like the average


def test_consistency_of_sections_and_items_on_the_demo(demo_ctx: AppContext) -> None:
    result = service.consistency(demo_ctx, PHONE)
    phone = Catalogue.from_folder(default_checklists_dir()).get("greeting_phone")
    assert {s.standard for s in result.sections} == {s.id for s in phone.sections}
    assert {s.standard for s in result.items} == {i.id for i in phone.items if i.scored}
    assert result.index is not None and 85 < result.index < 100
    spreads = [s.between_sd for s in result.least_consistent]
    assert spreads == sorted(spreads, reverse=True)  # type: ignore[type-var]
    assert all(0 <= s.meeting_share <= 100 for s in result.sections + result.items)
    assert all(s.icc is None or 0 <= s.icc <= 1 for s in result.sections + result.items)


def test_heatmap_regions_and_trends_tell_a_story(demo_ctx: AppContext) -> None:
    heatmap = service.section_heatmap(demo_ctx, PHONE)
    assert set(heatmap.columns) == {"branch_code", "checklist_id", "section_id", "audits", "mean"}
    assert heatmap["branch_code"].nunique() == 47 and heatmap["mean"].between(0, 100).all()

    whole = service.comparison(demo_ctx)
    regions = whole.regions
    assert len(regions) == 5 and [r.mean for r in regions] == sorted(
        (r.mean for r in regions), reverse=True
    )
    assert all(r.best_branch[:6] == r.worst_branch[:6] for r in regions)  # same region prefix

    chain = whole.trend
    assert len(chain) == 12
    by_month = dict(zip(chain["period"].str[-2:], chain["mean"], strict=True))
    ordinary = np.mean([by_month[m] for m in ("02", "03", "04", "05", "06", "09", "10", "11")])
    assert by_month["08"] < ordinary - 2  # the summer dip
    quarters = service.comparison(demo_ctx, ComparisonRequest(period="quarter")).trend
    assert list(quarters["period"]) == sorted(
        {f"{p[:4]}Q{(int(p[5:]) + 2) // 3}" for p in chain["period"]}
    )

    index = whole.index_trend
    assert len(index) == 12 and index["consistency_index"].between(80, 100).all()


def test_compare_by_each_view_has_rows_and_a_summary(demo_ctx: AppContext) -> None:
    for by, first_field in (
        ("branch", "branch_code"),
        ("region", "region"),
        ("auditor", "auditor"),
        ("item", "item_id"),
    ):
        comparison = service.compare(demo_ctx, PHONE, by=by)  # type: ignore[arg-type]
        rows = service.comparison_rows(comparison)
        assert rows and first_field in rows[0], by
        summary = comparison.summary()
        assert summary["filters"]["checklist"] == "greeting_phone"
        assert summary["consistency_index"] == pytest.approx(comparison.consistency_index, abs=0.05)
        assert "Consistency index" in summary["method"]
    items = service.comparison_rows(service.compare(demo_ctx, PHONE, by="item"))
    assert {row["section_id"] for row in items} == {"answer", "call", "voicemail"}


def test_an_empty_period_says_what_is_stored(demo_ctx: AppContext) -> None:
    comparison = service.compare(demo_ctx, AuditFilter(date_from=date(2030, 1, 1)))
    assert comparison.empty and comparison.rows == ()
    assert comparison.message is not None
    assert "No submitted audits match" in comparison.message
    assert "stored audits run from 2025-12" in comparison.message


@pytest.mark.parametrize(
    ("audit_filter", "words"),
    [
        (AuditFilter(region="Atlantis"), "regions: Aegean, Bucharest & South"),
        (AuditFilter(checklist_id="nope"), "checklists: charter"),
        (AuditFilter(country="FR"), "countries: ES, RO, TR"),
        (AuditFilter(kind="guess"), "kinds: mystery_shop"),
        (AuditFilter(channel="pigeon"), "channels: in_person"),
        (AuditFilter(date_from=date(2026, 5, 1), date_to=date(2026, 4, 1)), "after it ends"),
    ],
)
def test_a_filter_that_matches_nothing_known_is_an_error(
    demo_ctx: AppContext, audit_filter: AuditFilter, words: str
) -> None:
    with pytest.raises(service.SelectionError, match=re.escape(words)):
        service.compare(demo_ctx, audit_filter)


def test_a_new_audit_is_seen_at_once(ctx: AppContext, catalogue: Catalogue) -> None:
    data = demo.generate([catalogue.get("greeting_phone")])
    save_branches(ctx, data.branches)
    store_audits(ctx, data.audits[:-1])
    before = service.league_table(ctx, PHONE)
    assert service.league_table(ctx, PHONE) == before  # computed again, equal
    store_audits(ctx, data.audits[-1:])
    after = service.league_table(ctx, PHONE)
    assert sum(r.audits for r in after.rows) == sum(r.audits for r in before.rows) + 1


# ---------------------------------------------------------------------------
# Across checklist versions
# ---------------------------------------------------------------------------


def phone_v2(v1: Checklist) -> Checklist:
    """v2 drops call.tone and adds call.callback."""
    data = v1.to_data()
    data["version"] = 2
    call = next(s for s in data["sections"] if s["id"] == "call")
    call["items"] = [i for i in call["items"] if i["id"] != "call.tone"] + [
        {"id": "call.callback", "type": "yes_no", "text": {"en": "Offered a call back"}}
    ]
    return Checklist.model_validate(data)


@pytest.fixture(scope="module")
def versions_world(
    tmp_path_factory: pytest.TempPathFactory, engine_kind: str
) -> Iterator[tuple[AppContext, Checklist, list]]:
    folder = tmp_path_factory.mktemp("checklists")
    for path in default_checklists_dir().glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    v1 = Catalogue.from_folder(folder).get("greeting_phone", 1)
    v2 = phone_v2(v1)
    (folder / "greeting_phone.v2.yaml").write_text(dump_checklist(v2), encoding="utf-8")
    ctx = open_context(make_settings(engine_kind, tmp_path_factory.mktemp("versions"), folder))
    old = demo.generate([v1])
    new = demo.generate([v2], seed=99)
    save_branches(ctx, old.branches)
    stored = store_audits(ctx, [*old.audits, *new.audits])
    assert stored.skipped == 0
    yield ctx, v2, [*old.audits, *new.audits]
    ctx.engine.dispose()
    drop_database(ctx.settings.resolved_database_url)


def test_a_comparison_across_versions_uses_the_shared_items_and_says_so(
    versions_world: tuple[AppContext, Checklist, list],
) -> None:
    ctx, v2, records = versions_world
    comparison = service.compare(ctx, request=ComparisonRequest(PHONE, include_closed=True))
    (alignment,) = comparison.versions
    assert alignment.versions == (1, 2) and alignment.left_out == ("call.callback", "call.tone")
    assert "call.callback, call.tone" in comparison.method
    assert comparison.summary()["versions"][0]["left_out"] == ["call.callback", "call.tone"]
    assert comparison.audits == len(records)

    shared = set(alignment.shared_items)
    restricted = v2.to_data()
    for section in restricted["sections"]:
        section["items"] = [i for i in section["items"] if i["id"] in shared]
    checklist = Checklist.model_validate(restricted)
    expected: dict[str, list[float]] = {}
    for record in records:
        card = score_audit(checklist, [a for a in record.answers if a.item_id in shared])
        expected.setdefault(record.visit.branch_code, []).append(card.overall)  # type: ignore[arg-type]
    table = service.league_table(ctx, PHONE)
    for row in table.rows:
        assert row.mean == pytest.approx(np.mean(expected[row.branch_code]))

    items = service.comparison_rows(service.compare(ctx, PHONE, by="item"))
    assert {row["item_id"] for row in items} == shared
    consistency = service.consistency(ctx, PHONE)
    assert {s.standard for s in consistency.sections} == {"answer", "call", "voicemail"}
    assert len(service.comparison(ctx, ComparisonRequest(PHONE)).index_trend) == 12


# ---------------------------------------------------------------------------
# The scale data set, small
# ---------------------------------------------------------------------------


def test_the_scale_generator_scores_like_score_audit_and_its_truth_is_found(
    tmp_path: Path,
) -> None:
    from scipy import stats as scipy_stats

    from sample_data.scale import generate_scale, load_scale, open_scale_context

    data = generate_scale(branches=200, seed=5)
    for record, card in data.audits[:: len(data.audits) // 40]:
        expected = score_audit(data.checklist, record.answers)
        assert card.overall == pytest.approx(expected.overall)
        assert card.item_scores == pytest.approx(expected.item_scores)
        assert (card.grade, card.passed, card.critical_failure) == (
            expected.grade,
            expected.passed,
            expected.critical_failure,
        )
        assert [s.score for s in card.sections] == pytest.approx(
            [s.score for s in expected.sections]
        )
    ctx = open_scale_context(tmp_path / "scale")
    load_scale(ctx, data)
    table = service.league_table(ctx)
    assert sum(r.audits for r in table.rows) == 1600
    truth = [data.branch_effect[r.branch_code] for r in table.rows]
    assert scipy_stats.spearmanr(truth, [r.shrunk for r in table.rows]).statistic > 0.7
    effects = [r for r in service.comparison(ctx).auditors.rows if r.leniency is not None]
    planted = [data.auditor_leniency[r.auditor] for r in effects]
    assert scipy_stats.spearmanr(planted, [r.leniency for r in effects]).statistic > 0.6
    consistency = service.consistency(ctx)
    assert len(consistency.sections) == 8 and len(consistency.items) == 60
    ctx.engine.dispose()


def test_the_reference_version_is_the_latest_in_time_not_the_highest_number(
    tmp_path: Path, engine_kind: str
) -> None:
    """Version 2 was loaded for an early wave and version 1 is what the latest wave used:
    the comparison scores both waves by version 1's rules (the latest in time)."""
    from dataclasses import replace
    from datetime import timedelta

    folder = tmp_path / "checklists"
    folder.mkdir()
    for path in default_checklists_dir().glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    v1 = Catalogue.from_folder(folder).get("greeting_phone", 1)
    v2 = phone_v2(v1)
    (folder / "greeting_phone.v2.yaml").write_text(dump_checklist(v2), encoding="utf-8")
    ctx = open_context(make_settings(engine_kind, tmp_path / "data", folder))
    try:
        latest = demo.generate([v1])
        early = demo.generate([v2], seed=99)
        year_before = [
            replace(r, visit=replace(r.visit, visited_at=r.visit.visited_at - timedelta(days=400)))
            for r in early.audits
        ]
        save_branches(ctx, latest.branches)
        store_audits(ctx, [*latest.audits, *year_before])
        result = service.comparison(ctx, ComparisonRequest(PHONE, items=False))
        (alignment,) = result.versions
        assert alignment.reference_version == 1
        shared = set(alignment.shared_items)
        restricted = v1.to_data()
        for section in restricted["sections"]:
            section["items"] = [i for i in section["items"] if i["id"] in shared]
        rules = Checklist.model_validate(restricted)
        expected: dict[str, list[float]] = {}
        for record in [*latest.audits, *year_before]:
            card = score_audit(rules, [a for a in record.answers if a.item_id in shared])
            expected.setdefault(record.visit.branch_code, []).append(card.overall)  # type: ignore[arg-type]
        for row in result.league.rows:
            assert row.mean == pytest.approx(np.mean(expected[row.branch_code]))
        assert any(n.code == "reference_version" and "v1" in n.message for n in result.notices)
    finally:
        ctx.engine.dispose()
        drop_database(ctx.settings.resolved_database_url)


def test_the_change_between_quarters_says_how_far_the_whole_chain_moved(
    demo_ctx: AppContext,
) -> None:
    result = service.comparison(demo_ctx, ComparisonRequest(period="quarter", items=False))
    changes = result.changes
    assert changes.rows and changes.earlier < changes.later  # type: ignore[operator]
    effects = {p.label: p.effect for p in result.league.period_effects}
    move = effects[changes.later] - effects[changes.earlier]  # type: ignore[index]
    (said,) = [n for n in result.changes.notices if n.code == "period_move"]
    assert f"moved by {move:+.1f} points" in said.message
    assert "period_move" not in {n.code for n in result.notices}  # not beside the league
    view = service.Comparison(result, "change")
    assert said in view.notices and said not in service.Comparison(result, "branch").notices


def test_the_index_per_period_counts_every_audit_of_every_checklist(demo_ctx: AppContext) -> None:
    result = service.comparison(demo_ctx, ComparisonRequest(items=False))
    trend = dict(zip(result.trend["period"], result.trend["audits"], strict=True))
    index = dict(zip(result.index_trend["period"], result.index_trend["audits"], strict=True))
    assert index == trend and sum(index.values()) == result.audits
