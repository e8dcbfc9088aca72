"""Every PDF and every spreadsheet stays up with the longest values the bounds accept.

One world holds, in every field people type, the longest accepted value with hostile
characters in it (``tests/hostile/longest.py``: RTL override, emoji, CJK, a formula start,
markup): a 200-character branch name, manager, franchisee and auditor, a 500-character
address, 2,000-character comments on every answer, a 2,000-character text answer, action
owners and notes, a correction's reason, an appeal and its resolution; visits on the first
and the last accepted day. The audit PDF, the branch PDF, the comparison PDF and the
``report audits`` batch are rendered and read back; the Excel exports are read back cell
for cell.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pdfplumber
import pytest

from audit_app.config import Settings, default_checklists_dir
from audit_app.domain.compare import ComparisonRequest
from audit_app.domain.filters import AuditFilter
from audit_app.intake.export import to_xlsx
from audit_app.services import compare as compare_service
from audit_app.services.audits import score_rows
from audit_app.services.context import AppContext, open_context
from audit_app.services.report_compare import comparison_report
from audit_app.services.reports import audit_report, audit_reports_batch, branch_report
from tests.hostile.longest import (
    CODE,
    FIRST_DAY,
    MARK,
    LongestWorld,
    build_world,
    longest_name,
    longest_text,
)

NAME = longest_name()
TEXT = longest_text()


class World:
    def __init__(self, ctx: AppContext, built: LongestWorld) -> None:
        self.ctx, self.audit_id, self.sourcing_id = ctx, built.audit_id, built.sourcing_id


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("longest"), checklists_dir=default_checklists_dir()
    )
    ctx = open_context(settings)
    yield World(ctx, build_world(ctx))
    ctx.engine.dispose()


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "\n".join(page.extract_text() or "" for page in pdf.pages)


def test_the_world_holds_the_longest_values(world: World) -> None:
    """Guard: the values really are at the bounds, and were stored whole."""
    assert len(NAME) == 200 and len(TEXT) == 2000
    assert "\u202e" in NAME and "\u202e" in TEXT and "\t" in TEXT and "\n" in TEXT
    rows = [r for r in score_rows(world.ctx) if r["branch_code"] == CODE]
    assert {r["auditor"] for r in rows} == {NAME}
    assert {r["visited_at"].date() for r in rows} >= {
        FIRST_DAY,
        world.ctx.settings.bounds.latest_visit(),
    }


def test_the_audit_pdf_prints_the_longest_values(world: World) -> None:
    text = _pdf_text(audit_report(world.ctx, world.audit_id))
    assert text.count(MARK) >= 10  # auditor, branch, comments, reason, appeal, resolution
    assert "Çağlar-Ștefănescu" in text


def test_the_audit_pdf_prints_the_longest_text_answer(world: World) -> None:
    text = _pdf_text(audit_report(world.ctx, world.sourcing_id))
    assert text.count(MARK) >= 2


def test_the_branch_pdf_prints_the_longest_values(world: World) -> None:
    text = _pdf_text(branch_report(world.ctx, CODE))
    assert MARK in text and "Çağlar-Ștefănescu" in text


def test_the_comparison_pdf_prints_the_longest_values(world: World) -> None:
    text = _pdf_text(comparison_report(world.ctx, AuditFilter(), 1))
    assert CODE in text and "Çağlar" in text


def test_the_report_audits_batch_writes_every_pdf(world: World, tmp_path: Path) -> None:
    paths = audit_reports_batch(world.ctx, AuditFilter(), tmp_path / "batch", workers=2)
    assert len(paths) == 4
    for path in paths:
        assert MARK in _pdf_text(path.read_bytes())


def test_the_excel_exports_hold_the_longest_values_cell_for_cell(world: World) -> None:
    rows = score_rows(world.ctx)
    columns = list(rows[0])
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows, columns, "Scores"))).active
    assert sheet is not None
    cells = {cell.value for row in sheet.iter_rows() for cell in row}
    assert NAME in cells
    for by, longest in (("auditor", NAME), ("branch", NAME)):
        comparison = compare_service.compare(world.ctx, AuditFilter(), by=by, min_audits=1)
        book = openpyxl.load_workbook(io.BytesIO(compare_service.comparison_workbook(comparison)))
        values = {c.value for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
        assert longest in values, by


def test_an_export_of_a_control_character_stored_before_the_bounds_still_opens() -> None:
    """A database restored from before the bounds may hold one; the workbook shows U+FFFD
    in its place instead of failing (openpyxl's IllegalCharacterError)."""
    data = to_xlsx([{"auditor": "Ann\x1b[31m\x00"}], ["auditor"], "Scores")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None and sheet["A2"].value == "Ann\ufffd[31m\ufffd"


def test_the_first_and_last_accepted_days_compare(world: World) -> None:
    """The Compare service over the whole accepted range: first day to tomorrow."""
    tomorrow = world.ctx.settings.bounds.latest_visit()
    selection = AuditFilter(date_from=FIRST_DAY, date_to=tomorrow)
    table = compare_service.league_table(world.ctx, selection, min_audits=1)
    assert {row.branch_code for row in table.rows} >= {CODE}
    trend = compare_service.comparison(world.ctx, ComparisonRequest(selection, min_audits=1)).trend
    assert not trend.empty
