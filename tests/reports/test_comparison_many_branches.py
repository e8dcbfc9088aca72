"""A chain of 600 branches with one to three audits each, stored and compared end to end:
the comparison PDF lists every branch once in its league table (ranked ones, then the
ones with too few audits after a line that says so), says how much of the chain its
charts and heatmap show and where the rest is, numbers and heads every page, and prints
Catalan, Romanian and Turkish names letter for letter."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pdfplumber
import pytest

from audit_app.domain.filters import AuditFilter
from audit_app.i18n import _, use_language
from audit_app.reports.comparison_report import CHART_TOP, HEATMAP_SIDE, LABELS
from audit_app.services import compare as service
from audit_app.services.context import AppContext
from audit_app.services.report_compare import comparison_report
from sample_data.scale import load_scale, open_scale_context, plan_scale

BRANCHES = 600
WHEN = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
# Three visits a year each, one in each third of it: cutting into the first and the last
# third leaves a branch one, two or three of them.
SINCE = AuditFilter(date_from=date(2025, 2, 15), date_to=date(2025, 10, 15))
NAMES = ("Forn de l'Àngel", "Brutăria Ștefănești", "Çarşı Fırını", "İğdır Şubesi", "Plaça Gàl·lia")


def _name(b: int) -> str:
    return f"{NAMES[b % len(NAMES)]} {b:03d}"


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    plan = plan_scale(branches=BRANCHES, audits_per_branch=3, seed=21)
    branches = tuple(b.model_copy(update={"name": _name(i)}) for i, b in enumerate(plan.branches))
    folder: Path = tmp_path_factory.mktemp("many-branches")
    ctx = open_scale_context(folder)
    load_scale(ctx, replace(plan, branches=branches))
    yield ctx
    ctx.engine.dispose()


@pytest.fixture(scope="module")
def pages(chain: AppContext) -> list[str]:
    return _pages(comparison_report(chain, SINCE, 3, generated_at=WHEN))


def _pages(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


ROW = re.compile(r"^(?:\d+ \d+|too few) (SC-\d{5}) (.+?) Region \d\d ", re.M)


def test_the_league_table_lists_every_branch_once_with_its_name_letter_for_letter(
    chain: AppContext, pages: list[str]
) -> None:
    league = service.league_table(chain, SINCE).rows
    assert len(league) == BRANCHES
    ranked = sum(not r.too_few_to_rank for r in league)
    assert 50 < ranked < BRANCHES  # both kinds of branch are there
    listed = [m for page in pages for m in ROW.findall(page)]
    assert sorted(listed) == sorted((r.branch_code, r.branch_name) for r in league)
    assert {name for _code, name in listed} == {_name(b) for b in range(BRANCHES)}
    # the unranked ones come last, after one line that says why
    order = [code for code, _name in listed]
    first_unranked = next(i for i, r in enumerate(league) if r.too_few_to_rank)
    assert order.index(league[first_unranked].branch_code) == ranked
    text = "\n".join(pages)
    assert text.count(LABELS["too_few"].format(min_audits=3)) == 1


def test_the_charts_and_heatmap_say_what_part_of_the_chain_they_show(
    chain: AppContext, pages: list[str]
) -> None:
    league = service.league_table(chain, SINCE).rows
    ranked = sum(not r.too_few_to_rank for r in league)
    text = " ".join(" ".join(pages).split())
    assert LABELS["chart_top_bottom"].format(top=CHART_TOP, ranked=ranked) in text
    assert LABELS["distribution"].format(ranked=ranked) in text
    assert LABELS["heatmap_some"].format(n=HEATMAP_SIDE, total=ranked) in text
    # and where the rest is
    assert LABELS["heatmap_rest"].format(limit=2 * HEATMAP_SIDE) in text
    assert LABELS["heatmap_unranked"].format(n=BRANCHES - ranked) in text
    assert LABELS["heatmap_gap"].format(n=ranked - 2 * HEATMAP_SIDE) in text


@pytest.mark.parametrize("language", ["en", "ca", "ro", "tr"])
def test_every_page_has_the_title_above_and_its_number_of_the_total_below(
    chain: AppContext, language: str
) -> None:
    pages = _pages(comparison_report(chain, SINCE, 3, generated_at=WHEN, language=language))
    assert len(pages) > BRANCHES // 80  # the league table alone takes pages
    with use_language(language):
        title, label = _(LABELS["title"]), _(LABELS["page"])
    for number, page in enumerate(pages, start=1):
        lines = page.splitlines()
        assert lines[0] == title
        footer = label.format(page=number, pages=len(pages))
        assert lines[-1].startswith(footer), (number, lines[-1])
    # every page the league table reaches repeats its header
    table_pages = [p for p in pages if re.search(r"SC-\d{5} .+ Region \d\d \d", p)]
    assert len(table_pages) >= BRANCHES // 80
    with use_language(language):
        heading = " ".join(_(LABELS[f"col_{key}"]) for key in ("rank", "band", "code"))
    assert all(heading in page for page in table_pages)
