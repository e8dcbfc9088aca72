"""The PDF and the audit page mark unscored questions and questions skip logic left out,
and print option labels, never the short values."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pdfplumber
import yaml

from audit_app.config import Settings
from audit_app.domain.audit import Answer, AuditRecord, Branch, Visit
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import open_context
from audit_app.services.reports import audit_report, audit_report_data
from audit_app.ui.components.audit_answers import section_answers
from tests.domain.checklist_programme import programme


def test_unscored_and_not_asked_items_are_marked(tmp_path: Path) -> None:
    folder = tmp_path / "checklists"
    folder.mkdir()
    (folder / "fitting.v1.yaml").write_text(yaml.safe_dump(programme()), encoding="utf-8")
    ctx = open_context(Settings(data_dir=tmp_path / "data", checklists_dir=folder))
    save_branches(ctx, [Branch(code="ES-01", name="Gràcia", region="Catalonia", country="ES")])
    answers = (
        Answer("floor.open", False),
        Answer("floor.fitting", "partly"),
        Answer("floor.clean", True),  # given anyway: kept, not scored
        Answer("floor.info", "web"),
        Answer("floor.tone", 5),
    )
    visit = Visit("ES-01", "fitting", 1, datetime(2026, 3, 2, 10, 15), "Ann")
    audit_id, _ = submit_audit(ctx, AuditRecord(visit, answers))
    data = audit_report_data(ctx, audit_id)
    [(floor, frame), (till, till_frame)] = section_answers(
        data.checklist, data.answers, data.card.item_scores, "en"
    )
    assert (floor, till) == ("Floor", "Till")
    shown = frame[["item", "answer", "score"]].astype(object).where(frame.notna(), None)
    assert shown.to_dict("records") == [
        {"item": "Were the fitting rooms open?", "answer": "No", "score": 0.0},
        {"item": "How was the shopper helped?", "answer": "Only when asked", "score": 50.0},
        {"item": "Was the fitting room clean? (not asked)", "answer": "Yes", "score": None},
        {
            "item": "How did the shopper hear of the offer? (unscored)",
            "answer": "On the web site",
            "score": None,
        },
        {"item": "Tone of the help", "answer": "5 / 5", "score": 100.0},
    ]
    assert list(till_frame["item"]) == [
        "Queue under 3 people (not asked)",
        "Bag offered (not asked)",
    ]
    with pdfplumber.open(io.BytesIO(audit_report(ctx, audit_id, "en"))) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    lines = [
        line for line in text.splitlines() if "fitting room clean" in line or "hear of" in line
    ]
    assert lines == [
        "Was the fitting room clean? Yes not asked",
        "How did the shopper hear of the offer? On the web site unscored",
    ]
