"""Every bad file of the corpus through the checklist-spreadsheet reader: each comes back
as a checklist or as problems in words (never both, never an exception); a file refused on
opening names the reason the import gives. (A filled-in audit template is a sheet of
questions too: its Question column makes a checklist.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_app.intake.source.names import safe_file_name
from audit_app.services.checklist_sheets import read_checklist_sheet
from tests.hostile.corpus import CASES, BadFile

WORKBOOK_OR_CSV = [
    name for name, build in CASES.items() if not name.startswith("name_") or name == "name_nul"
]
SHEET_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods"}


@pytest.mark.parametrize("case", WORKBOOK_OR_CSV)
def test_a_bad_file_is_a_checklist_or_problems_in_words(
    case: str, corpus: dict[str, BadFile]
) -> None:
    bad = corpus[case]
    name = safe_file_name(bad.name)
    result = read_checklist_sheet(name, bad.data, checklist_id="hostile")
    assert (result.checklist is None) == bool(result.issues)
    if bad.on_open:
        assert result.checklist is None
    message = " | ".join(str(issue) for issue in result.issues)
    if bad.on_open and Path(name).suffix.lower() in SHEET_SUFFIXES:
        for word in bad.words:
            assert word in message, f"{case}: {word!r} not in {message!r}"
