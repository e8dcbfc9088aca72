"""Input bounds, on the server, on both engines: every way in refuses a value past its bound
with its code and a message naming the field (or cell) and the limit, and writes nothing.

The files past the bounds come from ``tests/hostile/longest.py``."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from audit_app.config import Settings, SettingsError, load_settings
from audit_app.domain.audit import Answer, AuditRecord, Branch, Visit
from audit_app.domain.bounds import BoundCode, OutOfBounds
from audit_app.services.actions import ActionFilter, list_actions, update_action
from audit_app.services.audits import AuditRejected, score_rows, submit_audit
from audit_app.services.branches import BranchFileError, save_branches, update_branches
from audit_app.services.context import AppContext
from audit_app.services.imports import import_bytes
from audit_app.services.revisions import raise_appeal, resolve_appeal, revise_audit
from audit_app.services.scoring import AnswersFileError, read_answers, score_answers_file
from audit_app.services.users import add_user
from tests.helpers import database_snapshot
from tests.hostile.longest import PastBound, longest_name, longest_text, write_all
from tests.services.test_audits import phone_answers

BRANCH = Branch(code="ES-CAT-01", name="Gràcia", region="Catalonia", country="ES", area="BCN")


@pytest.fixture(scope="module")
def past_bounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PastBound]:
    return write_all(tmp_path_factory.mktemp("past-bounds"))


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, [BRANCH])
    return ctx


def _visit(when: datetime = datetime(2026, 3, 2, 10, 30), auditor: str = "Ann") -> Visit:
    return Visit("ES-CAT-01", "greeting_phone", 1, when, auditor)


def _refused(world: AppContext, record: AuditRecord) -> AuditRejected:
    before = database_snapshot(world)
    with pytest.raises(AuditRejected) as caught:
        submit_audit(world, record)
    assert database_snapshot(world) == before
    return caught.value


# --------------------------------------------------------------------------- visits


@pytest.mark.parametrize("when", [datetime(9999, 12, 31, 23, 59), datetime(1999, 12, 31, 12)])
def test_a_visit_dated_outside_the_range_is_refused(world: AppContext, when: datetime) -> None:
    error = _refused(world, AuditRecord(_visit(when), phone_answers(world)))
    assert error.codes == ("date_out_of_range",)
    assert f"{when:%Y-%m-%d} is outside the accepted range 2000-01-01 to" in str(error)


def test_visits_on_the_first_and_the_last_accepted_day_are_stored(world: AppContext) -> None:
    last = world.settings.bounds.latest_visit()
    for day in (date(2000, 1, 1), last):
        submit_audit(
            world,
            AuditRecord(
                _visit(datetime(day.year, day.month, day.day, 23, 59)), phone_answers(world)
            ),
        )
    assert sorted(r["visited_at"].date() for r in score_rows(world)) == [date(2000, 1, 1), last]


def test_an_auditor_over_the_name_bound_is_refused(world: AppContext) -> None:
    error = _refused(world, AuditRecord(_visit(auditor="A" * 5000), phone_answers(world)))
    assert error.codes == ("too_long",)
    assert "the auditor's name is 5,000 characters long; the limit is 200" in str(error)


def test_the_longest_auditor_is_stored_whole(world: AppContext) -> None:
    submit_audit(world, AuditRecord(_visit(auditor=longest_name()), phone_answers(world)))
    assert score_rows(world)[0]["auditor"] == longest_name()


def test_a_control_character_in_the_auditor_is_refused(world: AppContext) -> None:
    error = _refused(world, AuditRecord(_visit(auditor="Ann\x1b[2J"), phone_answers(world)))
    assert error.codes == ("control_character",)
    assert "U+001B" in str(error)


def test_line_breaks_and_tabs_in_the_auditor_become_spaces(world: AppContext) -> None:
    submit_audit(world, AuditRecord(_visit(auditor=" Ann\r\nMarie\tRoe "), phone_answers(world)))
    assert score_rows(world)[0]["auditor"] == "Ann Marie Roe"


def test_a_comment_over_the_text_bound_is_refused(world: AppContext) -> None:
    answers = list(phone_answers(world))
    first = answers[0]
    answers[0] = Answer(first.item_id, first.value, first.na, "c" * 32_000)
    error = _refused(world, AuditRecord(_visit(), tuple(answers)))
    assert error.codes == ("too_long",)
    assert (
        f"the comment on item {first.item_id} is 32,000 characters long; the limit is 2,000"
        in str(error)
    )


def test_a_comment_keeps_tabs_and_line_breaks_but_not_a_nul(world: AppContext) -> None:
    answers = list(phone_answers(world))
    first = answers[0]
    answers[0] = Answer(first.item_id, first.value, first.na, "a\tb\r\nc")
    audit_id, _ = submit_audit(world, AuditRecord(_visit(), tuple(answers)))
    from audit_app.services.audits import load_audit

    stored = {a.item_id: a for a in load_audit(world, audit_id).record.answers}
    assert stored[first.item_id].comment == "a\tb\nc"
    answers[0] = Answer(first.item_id, first.value, first.na, "a\x00b")
    error = _refused(world, AuditRecord(_visit(datetime(2026, 3, 3)), tuple(answers)))
    assert error.codes == ("control_character",) and "U+0000" in str(error)


def test_the_name_bound_is_a_setting(world: AppContext) -> None:
    from dataclasses import replace

    narrow = replace(world, settings=world.settings.model_copy(update={"max_name_chars": 10}))
    error = _refused(narrow, AuditRecord(_visit(auditor="A" * 11), phone_answers(world)))
    assert "the limit is 10" in str(error)


def test_the_settings_cannot_outgrow_the_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_MAX_NAME_CHARS", "201")
    with pytest.raises(
        SettingsError, match=r"AUDIT_MAX_NAME_CHARS='201': .*less than or equal to 200"
    ):
        load_settings()
    monkeypatch.setenv("AUDIT_MAX_NAME_CHARS", "80")
    monkeypatch.setenv("AUDIT_MAX_TEXT_CHARS", "500")
    monkeypatch.setenv("AUDIT_EARLIEST_VISIT_DATE", "2020-01-01")
    bounds = load_settings().bounds
    assert (bounds.name_chars, bounds.text_chars, bounds.earliest_visit) == (
        80,
        500,
        date(2020, 1, 1),
    )


# --------------------------------------------------------------------------- imports


@pytest.mark.parametrize(
    "case",
    [
        "auditor_201",
        "auditor_5000",
        "auditor_escape",
        "date_9999",
        "date_1999",
        "comment_32000",
        "auditor_300",
    ],
)
def test_an_import_past_a_bound_is_refused_at_the_cell(
    world: AppContext, past_bounds: dict[str, PastBound], case: str
) -> None:
    """On PostgreSQL too: the clean message, never the database's varchar(200) error."""
    bad = past_bounds[case]
    before = database_snapshot(world)
    result = import_bytes(world, bad.path.name, bad.path.read_bytes())
    assert result.status == "rejected"
    assert [p.code.value for p in result.problems] == [bad.code]
    message = str(result.problems[0])
    for word in bad.words:
        assert word in message, (word, message)
    assert "varchar" not in message.lower() and "sql" not in message.lower()
    assert database_snapshot(world) == before


# --------------------------------------------------------------------------- answers files


@pytest.mark.parametrize("case", ["nan", "infinity"])
def test_nan_and_infinity_in_a_json_answers_file_are_refused_by_name(
    world: AppContext, past_bounds: dict[str, PastBound], case: str
) -> None:
    bad = past_bounds[case]
    checklist = world.catalogue.get("greeting_phone")
    with pytest.raises(AnswersFileError) as read:
        read_answers(bad.path, checklist)
    with pytest.raises(AnswersFileError) as scored:
        score_answers_file(checklist, bad.path)
    for word in bad.words:
        assert word in str(read.value) and word in str(scored.value)


def test_a_json_answers_file_over_the_upload_cap_is_refused_unread(
    world: AppContext, past_bounds: dict[str, PastBound]
) -> None:
    bad = past_bounds["big"]
    checklist = world.catalogue.get("greeting_phone")
    with pytest.raises(AnswersFileError, match="larger than the 20 MB upload limit"):
        read_answers(bad.path, checklist)


def test_revising_with_an_answers_file_holds_the_comment_bound(
    world: AppContext, tmp_path: Path
) -> None:
    audit_id, _ = submit_audit(world, AuditRecord(_visit(), phone_answers(world)))
    first = phone_answers(world)[0]
    before = database_snapshot(world)
    with pytest.raises(OutOfBounds) as caught:
        revise_audit(
            world,
            audit_id,
            [Answer(first.item_id, first.value, False, "x" * 2001), *phone_answers(world)[1:]],
            "typo",
        )
    assert caught.value.code is BoundCode.TOO_LONG and f"audit #{audit_id}" in str(caught.value)
    assert database_snapshot(world) == before


# --------------------------------------------------------------------------- appeals, actions


def test_a_5_mb_appeal_reason_is_refused_and_a_longest_one_kept(world: AppContext) -> None:
    audit_id, _ = submit_audit(world, AuditRecord(_visit(), phone_answers(world)))
    before = database_snapshot(world)
    with pytest.raises(OutOfBounds) as caught:
        raise_appeal(world, audit_id, "r" * (5 * 2**20))
    assert caught.value.code is BoundCode.TOO_LONG
    assert "the appeal's reason is 5,242,880 characters long; the limit is 2,000" in str(
        caught.value
    )
    assert database_snapshot(world) == before
    appeal = raise_appeal(world, audit_id, longest_text(), by=longest_name())
    assert appeal.reason == longest_text() and appeal.raised_by == longest_name()
    with pytest.raises(OutOfBounds, match="the appeal's resolution is 2,001 characters"):
        resolve_appeal(world, appeal.appeal_id, False, "n" * 2001)
    with pytest.raises(OutOfBounds, match="the name given with --by is 201 characters"):
        resolve_appeal(world, appeal.appeal_id, False, "no", by="b" * 201)


def test_action_owner_and_note_are_bounded(world: AppContext) -> None:
    phone = world.catalogue.get("greeting_phone")
    critical = next(item.id for item in phone.items if item.critical)
    submit_audit(world, AuditRecord(_visit(), phone_answers(world, **{critical: False})))
    action = list_actions(world, ActionFilter(("open",), "ES-CAT-01"))[0]
    before = database_snapshot(world)
    with pytest.raises(OutOfBounds, match=rf"action #{action.id}: the note is 2,001 characters"):
        update_action(world, action.id, note="n" * 2001)
    with pytest.raises(OutOfBounds, match="the owner is 201 characters long; the limit is 200"):
        update_action(world, action.id, owner="o" * 201, note="fine")
    with pytest.raises(OutOfBounds, match="U\\+0007"):
        update_action(world, action.id, owner="Bell\x07")
    assert database_snapshot(world) == before
    update_action(world, action.id, owner=longest_name(), note=longest_text())
    changed = list_actions(world, ActionFilter(("open",), "ES-CAT-01"))[0]
    assert (changed.owner, changed.note) == (longest_name(), longest_text())


# --------------------------------------------------------------------------- branches, users


def test_branch_codes_are_unique_ignoring_case(world: AppContext) -> None:
    before = database_snapshot(world)
    twin = Branch(code="es-cat-01", name="Twin", region="Catalonia", country="ES")
    with pytest.raises(BranchFileError) as caught:
        save_branches(world, [twin])
    assert caught.value.codes == ("code_taken",)
    assert "code es-cat-01 is branch ES-CAT-01's" in str(caught.value)
    pair = [
        Branch(code="RO-01", name="A", region="R", country="RO"),
        Branch(code="ro-01", name="B", region="R", country="RO"),
    ]
    with pytest.raises(BranchFileError, match="code ro-01 is branch RO-01's"):
        save_branches(world, pair)
    assert database_snapshot(world) == before


def test_the_database_refuses_a_code_twin_behind_the_services(world: AppContext) -> None:
    """The unique index on code_key holds even for a write that skips the services."""
    from sqlalchemy.exc import IntegrityError

    from audit_app.storage import repository

    with pytest.raises(IntegrityError), world.engine.begin() as conn:
        repository.upsert_branches(
            conn, [Branch(code="Es-Cat-01", name="Twin", region="Catalonia", country="ES")]
        )


def test_a_full_width_twin_is_no_code_and_the_index_folds_width(world: AppContext) -> None:
    """``ＥＳ-ＣＡＴ-01`` is not a valid code; written behind the app with its folded key it
    meets the same unique index as ``ES-CAT-01``."""
    from datetime import datetime

    from pydantic import ValidationError
    from sqlalchemy import insert
    from sqlalchemy.exc import IntegrityError

    from audit_app.domain.bounds import code_key
    from audit_app.storage.tables import branches

    wide = "ＥＳ-ＣＡＴ-01"
    with pytest.raises(ValidationError):
        Branch(code=wide, name="Twin", region="Catalonia", country="ES")
    assert code_key(wide) == code_key("ES-CAT-01")
    now = datetime(2026, 1, 1)
    with pytest.raises(IntegrityError), world.engine.begin() as conn:
        conn.execute(
            insert(branches).values(
                code=wide,
                code_key=code_key(wide),
                name="Twin",
                region="Catalonia",
                country="ES",
                created_at=now,
                updated_at=now,
            )
        )


def test_branch_names_are_bounded_and_cleaned(world: AppContext) -> None:
    before = database_snapshot(world)
    with pytest.raises(BranchFileError) as caught:
        update_branches(world, {"ES-CAT-01": {"manager": "Boss\x00"}})
    assert caught.value.codes == ("control_character",)
    assert "branch ES-CAT-01: the manager holds the control character U+0000" in str(caught.value)
    assert database_snapshot(world) == before
    update_branches(world, {"ES-CAT-01": {"name": "Gràcia\nNord", "manager": longest_name()}})
    from audit_app.services.branches import list_branches

    stored = list_branches(world)[0]
    assert (stored.name, stored.manager) == ("Gràcia Nord", longest_name())


def test_a_branch_list_with_case_twins_is_refused(world: AppContext, tmp_path: Path) -> None:
    from audit_app.services.branches import read_branches

    path = tmp_path / "branches.csv"
    path.write_text(
        "code,name,region,country\nTR-01,Kadıköy,Istanbul,TR\ntr-01,Moda,Istanbul,TR\n",
        encoding="utf-8",
    )
    with pytest.raises(BranchFileError, match="row 3: code tr-01 repeats row 2"):
        read_branches(path)


def test_a_display_name_is_bounded(world: AppContext) -> None:
    before = database_snapshot(world)
    with pytest.raises(OutOfBounds, match="user 'eve': the display name holds the control"):
        add_user(world, "eve", "viewer", "long enough password", display_name="Eve\x1b[31m")
    with pytest.raises(OutOfBounds, match="the display name is 201 characters"):
        add_user(world, "eve", "viewer", "long enough password", display_name="e" * 201)
    assert database_snapshot(world) == before


def test_settings_bounds_match_settings(settings: Settings) -> None:
    assert settings.bounds.name_chars == 200 and settings.bounds.text_chars == 2000
