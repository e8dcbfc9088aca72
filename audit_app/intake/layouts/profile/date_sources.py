"""Where a visit date hides when no column holds it: the file's name (``QA May 2025.xlsx``,
``audit_2025-05-14.csv``), its sheet's name, or a cell above the header (``Visit date: 7
November 2025`` in a banner). The wizard proposes a ``values:`` source
with a pattern general enough for next month's file (any month, any day), kept only when
what it finds in this file reads as a date."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from audit_app.domain.intake.dates import parse_date
from audit_app.intake.layouts.profile.profile import ValueSource

DATE_PATTERNS = (
    r"(\d{4}-\d{2}-\d{2})",
    r"(\d{1,2}[./-]\d{1,2}[./-]\d{4})",
    r"((?:\d{1,2}[ _-]+)?(?:de[ _]+)?[^\W\d_]{3,}\.?(?:[ _]+de)?[ _-]+\d{4})",
    r"([^\W\d_]{3,}\.?[ _-]+\d{1,2},?[ _-]+\d{4})",
)
"""ISO dates, day-first numbers, ``7 November 2025`` / ``May 2025`` / ``de novembre de
2025``, ``Nov 30, 2025``: each as the one group a ``values:`` pattern takes."""


def date_in_text(text: str) -> tuple[str, str] | None:
    """(pattern, the date text it finds) for the first pattern whose first match in
    ``text`` reads as a date; None when the text holds no date."""
    for pattern in DATE_PATTERNS:
        found = re.search(pattern, text)
        if found is None:
            continue
        written = re.sub(r"[_\s]+", " ", found.group(1)).strip()
        if parse_date(written) is not None:
            return pattern, written
    return None


def guess_date_source(
    file_name: str, sheet_name: str, banner: Sequence[tuple[str, Any]] = ()
) -> tuple[ValueSource, str] | None:
    """A value source for the visit date from the file name, else the sheet name, else
    a cell above the header (``banner``: (ref, value) of those cells), and what it finds
    there (for the wizard's report)."""
    for source, text in (("file_name", Path(file_name).stem), ("sheet_name", sheet_name)):
        found = date_in_text(text) if text else None
        if found is not None:
            pattern, written = found
            return ValueSource.model_validate({"from": source, "pattern": pattern}), written
    for ref, value in banner:
        if isinstance(value, date):
            return ValueSource.model_validate({"from": "cell", "cell": ref}), f"{value:%Y-%m-%d}"
        found = date_in_text(value) if isinstance(value, str) else None
        if found is not None:
            pattern, written = found
            in_cell = {"from": "cell", "cell": ref, "pattern": pattern}
            return ValueSource.model_validate(in_cell), written
    return None
