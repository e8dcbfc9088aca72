"""Every section of the comparison PDF shows what its caption says: the heatmap's and the
interval chart's "highest and lowest of N ranked branches" are the ranked branches with
the highest and lowest shrunken estimates, never the table's last rows (the branches with
too few audits to rank, some of them above the mean)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from audit_app.domain import compare as stats
from audit_app.reports.comparison_report import (
    CHART_TOP,
    HEATMAP_SIDE,
    LABELS,
    STANDARDS_SHOWN,
    ComparisonReportData,
    _Names,
    render_comparison_report,
    score,
)
from tests.reports.conftest import flat, pdf_text

WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
RANKED = 70
UNRANKED = 16
CODE = re.compile(r"^(SC-\d{4}) ", re.M)


def world(ranked: int = RANKED, unranked: int = UNRANKED) -> ComparisonReportData:
    """``ranked`` branches audited 3 to 12 times, then ``unranked`` audited once or twice,
    half of these far above the mean: the league table's last rows are unranked."""
    rng = np.random.default_rng(17)
    total = ranked + unranked
    n = np.concatenate([rng.integers(3, 13, ranked), rng.integers(1, 3, unranked)])
    true = np.concatenate([rng.normal(80, 6, ranked), np.where(np.arange(unranked) % 2, 97, 60)])
    sums, sum_sq = np.zeros(total), np.zeros(total)
    for i in range(total):
        scores = np.clip(true[i] + rng.normal(0, 6, n[i]), 0, 100)
        sums[i], sum_sq[i] = scores.sum(), (scores**2).sum()
    codes = [f"SC-{i:04d}" for i in rng.permutation(total)]  # the code says nothing of rank
    totals = pd.DataFrame(
        {
            "branch_code": codes,
            "branch_name": [f"Branch {c[-4:]}" for c in codes],
            "region": [f"Region {i % 4}" for i in range(total)],
            "country": "ES",
            "audits": n,
            "sum": sums,
            "sum_sq": sum_sq,
            "passed": n // 2,
            "judged": n,
            "critical_failures": 0,
        }
    )
    table = stats.rank_branches(totals, min_audits=3)
    cells = pd.DataFrame(
        {
            "branch_code": np.repeat(totals["branch_code"], 3),
            "checklist_id": "visit",
            "standard": ["greeting", "advice", "close"] * total,
            "n": np.repeat(n, 3),
            "sum": np.repeat(sums, 3),
            "sum_sq": np.repeat(sum_sq, 3),
        }
    )
    sections = stats.section_consistency(cells, {"visit": 80.0})
    return ComparisonReportData(
        selection="synthetic chain",
        audits=int(n.sum()),
        branches=total,
        min_audits=3,
        consistency_index=stats.consistency_index(sections),
        league=table.rows,
        chain_mean=table.chain_mean,
        heatmap=stats.heatmap_grid(stats.section_heatmap(cells)),
        regions=stats.roll_up_regions(table),
        standards=stats.least_consistent(sections, None),
        method=(table.method,),
    )


def between(text: str, start: str, end: str) -> str:
    """The text from the first ``start`` to the next ``end``."""
    _, found, rest = text.partition(start)
    assert found, start
    return rest.partition(end)[0]


def highest_first(data: ComparisonReportData) -> list[str]:
    """The ranked branches by shrunken estimate, highest first, computed here."""
    ranked = [r for r in data.league if not r.too_few_to_rank]
    return [r.branch_code for r in sorted(ranked, key=lambda r: -r.shrunk)]


@pytest.fixture(scope="module")
def data() -> ComparisonReportData:
    return world()


@pytest.fixture(scope="module")
def text(data: ComparisonReportData) -> str:
    return pdf_text(render_comparison_report(data, WHEN))


def test_the_world_ends_with_unranked_branches_above_the_mean(data: ComparisonReportData) -> None:
    last = data.league[-UNRANKED:]
    assert all(r.too_few_to_rank for r in last)
    assert data.chain_mean is not None
    assert sum(r.mean > data.chain_mean for r in last) >= UNRANKED // 2


def test_the_heatmap_lists_the_highest_and_lowest_ranked_branches(
    data: ComparisonReportData, text: str
) -> None:
    heatmap = between(text, LABELS["heatmap"], LABELS["regions"])
    expected = highest_first(data)
    assert CODE.findall(heatmap) == expected[:HEATMAP_SIDE] + expected[-HEATMAP_SIDE:]
    caption = LABELS["heatmap_some"].format(n=HEATMAP_SIDE, total=RANKED)
    caption += " " + LABELS["heatmap_rest"].format(limit=2 * HEATMAP_SIDE)
    caption += " " + LABELS["heatmap_unranked"].format(n=UNRANKED)
    assert caption in flat(heatmap)
    assert LABELS["heatmap_gap"].format(n=RANKED - 2 * HEATMAP_SIDE) in heatmap


def test_a_small_heatmap_lists_every_ranked_branch_and_no_unranked_one() -> None:
    small = world(ranked=20, unranked=5)
    heatmap = between(
        pdf_text(render_comparison_report(small, WHEN)), LABELS["heatmap"], LABELS["regions"]
    )
    assert CODE.findall(heatmap) == highest_first(small)
    caption = LABELS["heatmap_all"].format(total=20) + " "
    caption += LABELS["heatmap_unranked"].format(n=5)
    assert caption in flat(heatmap)


def test_the_interval_chart_shows_the_highest_and_lowest_ranked_branches(
    data: ComparisonReportData, text: str
) -> None:
    chart = between(text, LABELS["chart"], LABELS["league_note"][:30])
    shown = re.findall(r"(\d+)\. (SC-\d{4})", chart)
    expected = highest_first(data)
    assert [code for _, code in shown] == expected[:CHART_TOP] + expected[-CHART_TOP:]
    ranks = {r.branch_code: r.rank for r in data.league}
    assert all(int(rank) == ranks[code] for rank, code in shown)
    words = flat(text)
    assert LABELS["chart_top_bottom"].format(top=CHART_TOP, ranked=RANKED) in words
    assert LABELS["distribution"].format(ranked=RANKED) in words
    mean = f"{data.chain_mean:.1f}"
    assert LABELS["chart_line"].format(pool="Chain level (model)", mean=mean) in chart


def test_the_standards_caption_counts_what_the_table_lists(
    data: ComparisonReportData, text: str
) -> None:
    part = between(text, LABELS["standards"], LABELS["method"])
    names = _Names(data.checklists)
    shown_names = [
        names.section(s.checklist_id, s.standard) for s in data.standards[:STANDARDS_SHOWN]
    ]
    at = [flat(part).index(name) for name in shown_names]  # named, not by id, in order
    assert at == sorted(at)
    assert "visit /" not in part
    shown = min(STANDARDS_SHOWN, len(data.standards))
    top = LABELS["standards_top"].format(shown=shown, total=len(data.standards))
    assert top in flat(part)


def test_the_contents_name_only_the_sections_that_follow(text: str) -> None:
    cover = flat(text.split(LABELS["league"], 1)[0])
    names = ["league", "chart", "heatmap", "regions", "standards", "method"]
    listed = ", ".join(LABELS[f"contents_{k}"] for k in names)
    assert LABELS["contents"].format(sections=listed) in cover


def test_the_regions_best_and_worst_are_their_ranked_extremes(
    data: ComparisonReportData, text: str
) -> None:
    part = between(text, LABELS["regions"], LABELS["regions_note"][:30])
    for region in {r.region for r in data.league}:
        ranked = [r for r in data.league if r.region == region and not r.too_few_to_rank]
        best = max(ranked, key=lambda r: r.shrunk)
        worst = min(ranked, key=lambda r: r.shrunk)
        line = next(line for line in part.splitlines() if line.startswith(region + " "))
        assert f"{best.branch_code} ({score(best.shrunk)})" in line, line
        assert f"{worst.branch_code} ({score(worst.shrunk)})" in line, line
