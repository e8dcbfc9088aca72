"""Calibration on a small stored world: pairs found among the stored audits, agreement
computed from the stored item scores, only the paired audits' answers read, and an area
manager's scoped frame giving only the pairs in their areas."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from audit_app.domain import compare
from audit_app.domain.audit import Answer, AuditRecord, Branch, Visit
from audit_app.domain.checklist import Checklist
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role, User
from audit_app.services.access import scoped
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.calibration import calibration_from
from audit_app.services.context import AppContext, open_context
from audit_app.storage import compare_queries as queries
from audit_app.storage import database
from tests.databases import drop_database, make_settings

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
BRANCHES = [
    Branch(code="BCN-1", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="BCN-2", name="Sants", region="Catalonia", area="Barcelona", country="ES"),
    Branch(code="IZM-1", name="Alsancak", region="Aegean", area="Izmir", country="TR"),
]
FIRST_DAY = datetime(2026, 2, 2, 10, 0)


@dataclass(frozen=True)
class World:
    ctx: AppContext
    phone: Checklist
    greeting: dict[tuple[str, str], bool]
    """(branch and day, auditor) -> the answer.greeting answer of every paired visit."""
    voicemail_na: dict[tuple[str, str], bool]
    """The same key -> voicemail.greeting_current answered N/A."""


def answers(rng: np.random.Generator, greeting: bool, *, voicemail_na: bool) -> tuple[Answer, ...]:
    voicemail = (
        (Answer("voicemail.greeting_current", na=True), Answer("voicemail.return_hours", na=True))
        if voicemail_na
        else (
            Answer("voicemail.greeting_current", bool(rng.random() < 0.8)),
            Answer("voicemail.return_hours", int(rng.integers(1, 30))),
        )
    )
    return (
        Answer("answer.rings", int(rng.integers(1, 9))),
        Answer("answer.greeting", greeting),
        Answer("call.clear_speech", bool(rng.random() < 0.8)),
        Answer("call.tone", int(rng.integers(2, 6))),
        Answer("call.hold", str(rng.choice(["never", "asked_first", "without_asking"]))),
        Answer("call.all_answered", True),
        Answer("call.anything_else", bool(rng.random() < 0.7)),
        *voicemail,
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[World]:
    """Eight calibration visits in Barcelona (Anna and Pau; Joan joins the first), four in
    Izmir (Ayşe and Kerem), a lone visit, and two visits one day with different agency
    references (not one visit, so not a pair)."""
    ctx = open_context(make_settings(engine_kind, tmp_path_factory.mktemp("calibration")))
    phone = ctx.catalogue.get("greeting_phone", 1)
    save_branches(ctx, BRANCHES)
    rng = np.random.default_rng(17)
    records: list[AuditRecord] = []
    greeting: dict[tuple[str, str], bool] = {}
    voicemail_na: dict[tuple[str, str], bool] = {}

    def visit(code: str, day: int, names: list[str], hours: int = 0) -> None:
        truth = bool(rng.random() < 0.75)
        na = {name: bool(rng.random() < 0.2) for name in names}
        for k, name in enumerate(names):
            said = truth if rng.random() < 0.85 else not truth
            greeting[(f"{code}/{day}", name)] = said
            voicemail_na[(f"{code}/{day}", name)] = na[name]
            at = FIRST_DAY + timedelta(days=day, hours=hours + k)
            record = AuditRecord(
                Visit(code, "greeting_phone", 1, at, name),
                answers(rng, said, voicemail_na=na[name]),
            )
            records.append(record)

    for day in range(8):
        visit(
            "BCN-1" if day % 2 else "BCN-2",
            day,
            ["Anna", "Pau", "Joan"] if day == 0 else ["Anna", "Pau"],
        )
    for day in range(4):
        visit("IZM-1", day, ["Ayşe", "Kerem"])
    records.append(
        AuditRecord(
            Visit("BCN-1", "greeting_phone", 1, FIRST_DAY + timedelta(days=20), "Anna"),
            answers(rng, True, voicemail_na=False),
        )
    )
    for name, reference in (("Anna", "RV-1"), ("Pau", "RV-2")):
        records.append(
            AuditRecord(
                Visit(
                    "BCN-2",
                    "greeting_phone",
                    1,
                    FIRST_DAY + timedelta(days=30),
                    name,
                    reference=reference,
                ),
                answers(rng, True, voicemail_na=False),
            )
        )
    assert store_audits(ctx, records).skipped == 0
    yield World(ctx, phone, greeting, voicemail_na)
    ctx.engine.dispose()
    drop_database(ctx.settings.resolved_database_url)


def calibration_for(world: World, user: User | None = None) -> compare.Calibration:
    ctx = world.ctx.as_user(user)
    with database.snapshot(ctx.engine) as conn:
        audits = queries.audit_frame(conn, scoped(ctx, AuditFilter()))
        return calibration_from(conn, audits, {("greeting_phone", 1): world.phone})


def paired(answers: dict[tuple[str, str], bool]) -> list[tuple[bool, bool]]:
    """The answers of every pair of auditors on one visit, as generated (a sorts first)."""
    visits: dict[str, dict[str, bool]] = {}
    for (key, name), said in answers.items():
        visits.setdefault(key, {})[name] = said
    return [
        (answered[a], answered[b])
        for answered in visits.values()
        for i, a in enumerate(sorted(answered))
        for b in sorted(answered)[i + 1 :]
    ]


def expected_ac1(world: World) -> float:
    """AC1 of answer.greeting from the answers as generated."""
    pairs = paired(world.greeting)
    cells = [pairs.count(cell) for cell in ((True, True), (True, False), (False, True))]
    ac1, _ = compare.gwet_ac1(*cells, len(pairs) - sum(cells))
    return float(ac1)


def test_pairs_and_agreement_from_the_stored_audits(world: World) -> None:
    result = calibration_for(world)
    # Barcelona: 7 two-auditor days + 3 pairs on the first; Izmir: 4. Lone and
    # different-reference visits do not pair.
    assert len(result.pairs) == 14
    assert {(p.auditor_a, p.auditor_b) for p in result.pairs} == {
        ("Anna", "Pau"),
        ("Anna", "Joan"),
        ("Joan", "Pau"),
        ("Ayşe", "Kerem"),
    }
    assert all(p.audit_id_a != p.audit_id_b for p in result.pairs)
    items = {i.item_id: i for i in result.items}
    assert set(items) == {i.id for i in world.phone.items if i.scored}
    greeting = items["answer.greeting"]
    assert (greeting.statistic, greeting.pairs, greeting.left_out_na) == ("AC1", 14, 0)
    assert greeting.value == pytest.approx(expected_ac1(world))
    assert greeting.low is not None and greeting.low <= greeting.value <= greeting.high  # type: ignore[operator]
    voicemail = items["voicemail.greeting_current"]
    left_out = sum(a or b for a, b in paired(world.voicemail_na))
    assert (voicemail.pairs, voicemail.left_out_na) == (14 - left_out, left_out)
    assert left_out >= 1
    assert items["call.tone"].statistic == "ICC" and items["call.hold"].statistic == "ICC"
    assert [p.pairs for p in result.auditor_pairs] == [8, 4, 1, 1]
    assert result.overall is not None and result.overall.pairs == 14


def test_an_area_manager_sees_only_the_pairs_in_their_areas(world: World) -> None:
    mine = calibration_for(world, MARTA)
    assert len(mine.pairs) == 10
    assert {p.branch_code for p in mine.pairs} == {"BCN-1", "BCN-2"}
    assert "Kerem" not in {p.auditor_b for p in mine.auditor_pairs}
    greeting = next(i for i in mine.items if i.item_id == "answer.greeting")
    assert greeting.pairs == 10


def test_only_the_paired_audits_answers_are_read_in_chunks(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queries, "_ID_CHUNK", 3)
    with database.snapshot(world.ctx.engine) as conn:
        audits = queries.audit_frame(conn, AuditFilter())
        wanted = audits["audit_id"].head(7).tolist()
        rows = queries.item_rows_for(conn, [*wanted, wanted[0]])
        every = queries.item_rows(conn, AuditFilter(), ["greeting_phone"])
    assert sorted(set(rows["audit_id"])) == sorted(wanted)
    expected = every[every["audit_id"].isin(wanted)]
    key = ["audit_id", "item_id"]
    pd.testing.assert_frame_equal(
        rows.sort_values(key, ignore_index=True),
        # item_rows gives item ids as categories (the repeated-failure search codes them)
        expected.sort_values(key, ignore_index=True).astype({"audit_id": int, "item_id": "str"}),
    )


def test_no_pairs_reads_no_answers(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise AssertionError("answers read without a pair")

    monkeypatch.setattr(queries, "item_rows_for", refuse)
    with database.snapshot(world.ctx.engine) as conn:
        lone = queries.audit_frame(conn, AuditFilter(region="Aegean")).head(1)
        result = calibration_from(conn, lone, {("greeting_phone", 1): world.phone})
    assert result.empty and result.items == () and "No calibration pairs" in result.method


def test_every_output_shows_the_same_calibration(world: World) -> None:
    """The comparison carries the calibration; `--by calibration`, the summary under
    `--by auditor` and the PDF's calibration section all show it."""
    import io

    import pdfplumber

    from audit_app.services import compare as service
    from audit_app.services.report_compare import comparison_report

    result = service.comparison(world.ctx)
    assert result.calibration == calibration_for(world)
    (said,) = [n for n in result.notices if n.code == "calibration_pairs"]
    assert said.message.startswith("14 calibration pairs: two audits of one branch")
    rows = service.comparison_rows(service.Comparison(result, "calibration"))
    expected = result.calibration
    assert expected.overall is not None and expected.overall.value is not None
    assert [r["item_id"] for r in rows] == ["overall", *(i.item_id for i in expected.items)]
    assert rows[0]["value"] == round(expected.overall.value, 3)
    summary = service.Comparison(result, "auditor").summary()["calibration"]
    assert summary["pairs"] == 14
    assert [(p["auditor_a"], p["auditor_b"], p["pairs"]) for p in summary["auditor_pairs"]] == [
        (p.auditor_a, p.auditor_b, p.pairs) for p in expected.auditor_pairs
    ]
    pdf = comparison_report(world.ctx, result=result)
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "Calibration: two auditors on the same visit" in text
    assert (
        f"14 calibration pairs; agreement on the overall score (ICC) {expected.overall.value:.2f}"
        in text
    )
    for pair in expected.auditor_pairs:
        assert f"{pair.auditor_a} / {pair.auditor_b} {pair.pairs}" in text
