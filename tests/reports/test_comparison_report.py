"""The comparison report read back as text: the consistency index and league table match
``audit-app compare --format json``; auditor flags, Turkish and Romanian names, repeatable
output, and a many-branch chain whose table repeats its header and whose charts summarise."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pdfplumber
import pytest
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.config import Settings, default_checklists_dir
from audit_app.domain import compare as stats
from audit_app.reports.comparison_report import (
    CHART_TOP,
    HEATMAP_SIDE,
    LABELS,
    ComparisonReportData,
    render_comparison_report,
)
from audit_app.services.context import AppContext, open_context
from audit_app.services.demo import load_demo
from audit_app.services.report_compare import comparison_report

runner = CliRunner()
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 17, 45, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("report-compare-demo")
    ctx = open_context(Settings(data_dir=folder, checklists_dir=default_checklists_dir()))
    load_demo(ctx)
    ctx.engine.dispose()
    yield folder


@pytest.fixture(scope="module")
def demo_ctx(demo_dir: Path) -> Iterator[AppContext]:
    ctx = open_context(Settings(data_dir=demo_dir, checklists_dir=default_checklists_dir()))
    yield ctx
    ctx.engine.dispose()


@pytest.fixture(scope="module")
def pdf(demo_ctx: AppContext) -> bytes:
    from audit_app.domain.filters import AuditFilter

    return comparison_report(demo_ctx, AuditFilter(), 3, generated_at=WHEN)


@pytest.fixture(scope="module")
def phone_pdf(demo_ctx: AppContext) -> bytes:
    """Phone audits only: two late-opening branches have too few to rank."""
    from audit_app.domain.filters import AuditFilter

    return comparison_report(demo_ctx, AuditFilter(checklist_id="greeting_phone"), 3)


def pages_text(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [page.extract_text() or "" for page in document.pages]


def compare_json(demo_dir: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> dict:
    monkeypatch.setenv("AUDIT_DATA_DIR", str(demo_dir))
    result = runner.invoke(app, ["compare", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cover_shows_the_consistency_index_of_compare_json(
    pdf: bytes, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = compare_json(demo_dir, monkeypatch)["summary"]
    cover = pages_text(pdf)[0]
    assert LABELS["index"] in cover
    assert f"{summary['consistency_index']:.1f}" in cover.split(LABELS["index"], 1)[1]
    assert f"{summary['audits']:,} audits at {summary['branches']} branches" in cover
    assert "all submitted audits" in cover


def test_league_rows_match_compare_json(
    phone_pdf: bytes, demo_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = compare_json(demo_dir, monkeypatch, "--checklist", "greeting_phone")
    rows = data["rows"]
    pages = pages_text(phone_pdf)
    assert f"{data['summary']['consistency_index']:.1f}" in pages[0]
    lines = "\n".join(pages).splitlines()
    sample = [rows[0], rows[len(rows) // 3], rows[len(rows) // 2], rows[-2], rows[-1]]
    for row in sample:
        found = [line for line in lines if re.search(rf"\b{re.escape(row['branch_code'])}\b", line)]
        table_line = [line for line in found if f"{row['low']:.1f}–{row['high']:.1f}" in line]
        assert table_line, (row, found)
        line = table_line[0]
        assert f" {row['mean']:.1f} " in line and f" {row['shrunk']:.1f} " in line, line
        if row["too_few_to_rank"]:
            assert line.startswith(LABELS["too_few_short"])
        else:
            assert line.startswith(f"{row['rank']} {row['tie_band']} ")
    assert any(row["too_few_to_rank"] for row in rows)
    assert LABELS["too_few"].format(min_audits=3) in "\n".join(lines)


def test_the_lenient_auditor_is_flagged_in_words(pdf: bytes) -> None:
    text = "\n".join(pages_text(pdf))
    auditors = text.split(LABELS["auditors"], 1)[1]
    kaya = next(line for line in auditors.splitlines() if line.startswith("Mehmet Kaya"))
    assert LABELS["flag_lenient"] in kaya


def test_turkish_and_romanian_names_letter_for_letter(pdf: bytes) -> None:
    text = "\n".join(pages_text(pdf))
    for name in ("Verd Natural Kadıköy", "Verd Natural Brașov", "Verd Natural Şişli"):
        assert name in text


def test_rendering_twice_gives_the_same_text_apart_from_the_time(
    demo_ctx: AppContext, pdf: bytes
) -> None:
    from audit_app.domain.filters import AuditFilter

    again = comparison_report(demo_ctx, AuditFilter(), 3, generated_at=LATER)

    def without_time(pages: list[str]) -> list[str]:
        return [re.sub(r"generated \S+ \S+ UTC", "generated ?", p) for p in pages]

    first, second = pages_text(pdf), pages_text(again)
    assert first != second  # the generation time is printed...
    assert without_time(first) == without_time(second)  # ...and nothing else differs


def test_an_empty_selection_gives_a_cover_with_the_reason(demo_ctx: AppContext) -> None:
    from audit_app.domain.filters import AuditFilter

    quiet = AuditFilter(date_from=datetime(2001, 1, 1).date(), date_to=datetime(2001, 2, 1).date())
    pages = pages_text(comparison_report(demo_ctx, quiet, generated_at=WHEN))
    assert len(pages) == 1 and "No submitted audits match" in pages[0]


def test_the_cli_writes_the_pdf(
    demo_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("AUDIT_DATA_DIR", str(demo_dir))
    out = tmp_path / "compare.pdf"
    result = runner.invoke(
        app, ["report", "compare", "--country", "TR", "--min-audits", "5", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = "\n".join(pages_text(out.read_bytes()))
    assert "country TR" in text and "Kadıköy" in text and "Brașov" not in text
    wrong = runner.invoke(app, ["report", "compare", "-o", str(tmp_path / "compare.txt")])
    assert wrong.exit_code == 2 and ".pdf" in wrong.output


# ---------------------------------------------------------------------------
# Many branches, built through the domain functions
# ---------------------------------------------------------------------------

MANY = 400


def many_branches() -> ComparisonReportData:
    rng = np.random.default_rng(5)
    n = rng.integers(1, 12, MANY)
    true = rng.normal(80, 6, MANY)
    sums, sum_sq = np.zeros(MANY), np.zeros(MANY)
    for i in range(MANY):
        scores = np.clip(true[i] + rng.normal(0, 8, n[i]), 0, 100)
        sums[i], sum_sq[i] = scores.sum(), (scores**2).sum()
    totals = pd.DataFrame(
        {
            "branch_code": [f"SC-{i:04d}" for i in range(MANY)],
            "branch_name": [f"Branch {i}" for i in range(MANY)],
            "region": [f"Region {i % 7}" for i in range(MANY)],
            "country": "ES",
            "audits": n,
            "sum": sums,
            "sum_sq": sum_sq,
            "passed": n // 2,
            "judged": n,
            "critical_failures": 0,
        }
    )
    table = stats.rank_branches(totals)
    cells = pd.DataFrame(
        {
            "branch_code": np.repeat(totals["branch_code"], 3),
            "checklist_id": "visit",
            "standard": ["greeting", "advice", "close"] * MANY,
            "n": np.repeat(n, 3),
            "sum": np.repeat(sums, 3),
            "sum_sq": np.repeat(sum_sq, 3),
        }
    )
    return ComparisonReportData(
        selection="synthetic chain",
        audits=int(n.sum()),
        branches=MANY,
        min_audits=3,
        consistency_index=91.25,
        league=table.rows,
        chain_mean=table.chain_mean,
        heatmap=stats.heatmap_grid(stats.section_heatmap(cells)),
        regions=stats.roll_up_regions(table),
        method=(table.method,),
    )


def test_many_branches_repeat_the_header_and_summarise_the_charts() -> None:
    data = many_branches()
    pages = pages_text(render_comparison_report(data, WHEN))
    header = f"{LABELS['col_rank']} {LABELS['col_band']} {LABELS['col_code']}"
    codes = re.compile(r"^(?:\d+ \d+|too few) (SC-\d{4}) ", re.M)
    table_pages = [p for p in pages if codes.search(p)]
    assert len(table_pages) >= MANY // 80
    assert all(header in p for p in table_pages)
    listed = [c for p in table_pages for c in codes.findall(p)]
    assert sorted(listed) == sorted(r.branch_code for r in data.league)  # every branch once
    text = " ".join(" ".join(pages).split())  # paragraphs wrap: compare words
    ranked = sum(not r.too_few_to_rank for r in data.league)
    assert LABELS["chart_top_bottom"].format(top=CHART_TOP, ranked=ranked) in text
    assert LABELS["distribution"].format(ranked=ranked) in text
    assert LABELS["heatmap_some"].format(n=HEATMAP_SIDE, total=ranked) in text
    hidden = LABELS["heatmap_gap"].format(n=ranked - 2 * HEATMAP_SIDE)
    assert hidden in text


def test_the_last_page_names_the_trail_head_that_verify_checks_later(
    pdf: bytes, demo_ctx: AppContext
) -> None:
    from audit_app.services.trail_head import Head
    from audit_app.services.verify import verify

    last = " ".join(pages_text(pdf)[-1].split())
    found = re.search(r"Audit trail head when this report was made: (\d+:[0-9a-f]{64})\.", last)
    assert found, last
    head = Head.parse(found.group(1))
    report = verify(demo_ctx, head=head)
    assert report.ok and str(report.head) == str(head)  # nothing sealed since
    assert f"audit-app verify --head {head}" in last
