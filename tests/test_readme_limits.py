"""The limits and defaults the README states are the code's: each number is read from the
code and looked for, in the README's own words, in the README. A test that lowers a limit
for speed (a 0.2 s lock wait, a 1 MB line) cannot tell the documented value; this can."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from audit_app.config import Settings
from audit_app.domain import throttle
from audit_app.services import kept_selections
from audit_app.serving import supervisor
from audit_app.storage import archive, database

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
FLAT = " ".join(README.split())
"""The README with its line breaks and indents made single spaces."""


def default(field: str) -> object:
    return Settings.model_fields[field].default


LIMITS: list[tuple[str, Callable[[], object], object, str]] = [
    ("log-in waits", lambda: throttle.MAX_DELAY, 300.0, "then 2, 4, … up to 5 minutes"),
    ("archive lines", lambda: archive.MAX_LINE_BYTES, 16 * 2**20, "at most 16 MB a line"),
    (
        "SQLite writer's wait",
        lambda: database.SQLITE_BUSY_TIMEOUT_S,
        30.0,
        "a writer still waiting after 30 s is refused",
    ),
    (
        "revision window",
        lambda: default("revision_window_days"),
        7,
        "how long an area manager may still correct a submitted audit [7]",
    ),
    ("session hours", lambda: default("session_hours"), 12, "also for a tab left open [12]"),
    (
        "kept selections' budget",
        lambda: kept_selections.BUDGET_BYTES,
        2**30,
        "once the kept frames pass 1 GiB per process",
    ),
    (
        "quick deaths",
        lambda: (supervisor.QUICK_DEATHS_ALLOWED, supervisor.QUICK_DEATH_SECONDS),
        (3, 30.0),
        "unless it died within 30 s of its start three times in a row",
    ),
]


@pytest.mark.parametrize(
    ("code", "value", "said"), [c[1:] for c in LIMITS], ids=[c[0] for c in LIMITS]
)
def test_the_readme_states_the_code_s_limit(
    code: Callable[[], object], value: object, said: str
) -> None:
    assert code() == value
    assert said in FLAT, f"the README no longer says {said!r}"
