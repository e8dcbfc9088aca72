"""The comparison's auditor effects count people, not spellings: once two names are merged
(or written with another case), one auditor has every visit."""

from __future__ import annotations

from datetime import datetime

import pytest

from audit_app.domain.audit import AuditRecord
from audit_app.services import auditors
from audit_app.services import compare as service
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from tests.services.test_audits import BRANCHES, phone_answers, phone_visit

VISITS = [
    # (branch, day, auditor as written, rings: 3 is full marks, more costs points)
    ("ES-01", 2, "Jordi Puig", 3),
    ("ES-01", 3, "Jordi Puigg", 4),
    ("ES-01", 4, "Ann Vidal", 6),
    ("TR-01", 2, "jordi puig", 3),
    ("TR-01", 3, "Ann Vidal", 5),
    ("TR-01", 4, "Jordi Puigg", 4),
    ("ES-01", 5, "ann vidal", 7),
]


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    store_audits(
        ctx,
        [
            AuditRecord(
                phone_visit(code, datetime(2026, 3, day, 10), name),
                phone_answers(ctx, **{"answer.rings": rings}),
            )
            for code, day, name, rings in VISITS
        ],
    )
    return ctx


def _effects(ctx: AppContext) -> dict[str, int]:
    return {row.auditor: row.audits for row in service.comparison(ctx).auditors.rows}


def test_two_spellings_merged_are_one_auditor_in_the_leniency_table(world: AppContext) -> None:
    # Case and spaces are one key already; the typo is another person until merged.
    assert _effects(world) == {"Ann Vidal": 3, "Jordi Puig": 2, "Jordi Puigg": 2}
    auditors.merge_auditors(world, "Jordi Puigg", "Jordi Puig")
    assert _effects(world) == {"Ann Vidal": 3, "Jordi Puig": 4}


def test_a_renamed_auditor_is_shown_by_the_current_name(world: AppContext) -> None:
    auditors.update_auditor(world, "Ann Vidal", name="Anna Vidal")
    assert _effects(world) == {"Anna Vidal": 3, "Jordi Puig": 2, "Jordi Puigg": 2}
