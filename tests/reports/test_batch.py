"""A batch of audit reports: one whole PDF per audit, no temporary file left behind,
the same through the command line."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pdfplumber
import pytest
from typer.testing import CliRunner

from audit_app.cli import app
from audit_app.domain.filters import AuditFilter
from audit_app.services.audits import list_scores
from audit_app.services.context import AppContext
from audit_app.services.reports import audit_reports_batch, report_file_name, write_atomically

SELECTION = AuditFilter(checklist_id="greeting_phone", date_from=date(2026, 10, 1))


def expected_names(ctx: AppContext) -> set[str]:
    frame = list_scores(ctx, SELECTION)
    return {
        report_file_name(int(r.audit_id), r.branch_code, r.visited_at) for r in frame.itertuples()
    }


def titles_of(ctx: AppContext) -> set[str]:
    """The selection's checklist title in each of its languages."""
    checklist = ctx.catalogue.get("greeting_phone")
    return {checklist.title_in(language) for language in ("en", "ca", "ro", "tr")}


def assert_valid_pdfs(folder: Path, names: set[str], titles: set[str]) -> None:
    """Every PDF whole, and naming its checklist by title (in the audit's language)."""
    assert {p.name for p in folder.iterdir()} == names  # nothing else: no temporary files
    for name in names:
        content = (folder / name).read_bytes()
        assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
        with pdfplumber.open(io.BytesIO(content)) as pdf:
            first = pdf.pages[0].extract_text() or ""
            assert any(title in first for title in titles), first[:200]


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_writes_one_whole_pdf_per_audit(
    demo_ctx: AppContext, tmp_path: Path, workers: int
) -> None:
    seen: list[tuple[int, int]] = []
    paths = audit_reports_batch(
        demo_ctx,
        SELECTION,
        tmp_path / "out",
        workers=workers,
        progress=lambda done, total: seen.append((done, total)),
    )
    names = expected_names(demo_ctx)
    assert len(names) > 10
    assert {p.name for p in paths} == names
    assert_valid_pdfs(tmp_path / "out", names, titles_of(demo_ctx))
    assert seen[-1] == (len(names), len(names))
    assert [done for done, _ in seen] == list(range(1, len(names) + 1))


def test_an_interrupted_write_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(self: Path, target: Path) -> None:
        raise OSError("interrupted before the rename")

    monkeypatch.setattr(Path, "replace", interrupted)
    with pytest.raises(OSError, match="interrupted"):
        write_atomically(tmp_path / "a.pdf", b"%PDF-1.4 half")
    assert list(tmp_path.iterdir()) == []


def test_report_commands(
    demo_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_DATA_DIR", str(demo_ctx.settings.data_dir))
    runner = CliRunner()
    out = tmp_path / "batch"
    result = runner.invoke(
        app,
        [
            "report",
            "audits",
            "--checklist",
            "greeting_phone",
            "--from",
            "2026-10-01",
            "-o",
            str(out),
            "--workers",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert_valid_pdfs(out, expected_names(demo_ctx), titles_of(demo_ctx))

    audit_id = int(list_scores(demo_ctx, SELECTION)["audit_id"].iloc[0])
    one = tmp_path / "one.pdf"
    result = runner.invoke(app, ["report", "audit", str(audit_id), "-o", str(one)])
    assert result.exit_code == 0, result.output
    assert one.read_bytes().startswith(b"%PDF-")

    branch = tmp_path / "branch.pdf"
    result = runner.invoke(
        app, ["report", "branch", "RO-TRA-02", "-o", str(branch), "--from", "2026-06-01"]
    )
    assert result.exit_code == 0, result.output
    assert branch.read_bytes().startswith(b"%PDF-")

    result = runner.invoke(app, ["report", "audit", str(audit_id), "-o", str(tmp_path / "x.txt")])
    assert result.exit_code != 0 and "PDF" in result.output
    result = runner.invoke(app, ["report", "audit", "999999", "-o", str(tmp_path / "y.pdf")])
    assert result.exit_code != 0 and "no audit #999999" in result.output
    assert not (tmp_path / "y.pdf").exists()
