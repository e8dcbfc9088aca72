"""Service functions added for the Import and Admin pages: uploads as bytes, branch edits,
user re-enabling and log-in times, and the mapping wizard's draft -> corrected profile."""

from __future__ import annotations

import io

import openpyxl
import pytest

from audit_app.domain.audit import Branch
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services.access import AccessDenied
from audit_app.services.branches import (
    BranchFileError,
    list_branches,
    read_branches_bytes,
    save_branches,
    set_branch_active,
    update_branches,
)
from audit_app.services.context import AppContext
from audit_app.services.imports import import_bytes, layout_not_recognised
from audit_app.services.mappings import (
    Assignment,
    apply_assignments,
    guess_checklist,
    load_mapping,
    mapping_targets,
    role_target,
    save_mapping,
    suggest_mapping_bytes,
    unassigned_required,
)
from audit_app.services.users import (
    add_user,
    authenticate,
    disable_user,
    enable_user,
    known_areas,
    last_logins,
)

GRACIA = Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES")
REUS = Branch(code="ES-02", name="Reus", region="Catalonia", area="Tarragona", country="ES")
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
HQ = User(username="hq", role=Role.HEAD_OFFICE)

AGENCY_CSV = (
    b"Store code,Visit date,Inspector,Rings before the call is answered,"
    b"Greeting gives own name company name and offers help,Employee speaks clearly,"
    b"Tone is friendly,Putting the caller on hold,Employee checks every question was answered,"
    b"Employee asks whether anything else is needed,Voicemail greeting is current,"
    b"Voicemail call back (hrs)\n"
    b"ES-01,2026-05-04,Agency One,3,Yes,Yes,4,Not put on hold,Yes,No,N/A,5\n"
)


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, [GRACIA, REUS])
    return ctx


# --------------------------------------------------------------------------- branches


def test_branches_read_from_uploaded_csv_and_excel_bytes() -> None:
    csv = "code;name;region;country\nES-01;Gràcia;Catalonia;es\n".encode("utf-8-sig")
    assert [(b.code, b.country) for b in read_branches_bytes("b.csv", csv)] == [("ES-01", "ES")]
    workbook = openpyxl.Workbook()
    workbook.active.append(["code", "name", "region", "country", "active"])
    workbook.active.append(["RO-01", "Brașov", "Transylvania", "RO", "no"])
    out = io.BytesIO()
    workbook.save(out)
    [branch] = read_branches_bytes("list.xlsx", out.getvalue())
    assert (branch.code, branch.name, branch.active) == ("RO-01", "Brașov", False)


def test_a_bad_uploaded_branch_file_names_the_upload_not_a_temporary_path() -> None:
    with pytest.raises(BranchFileError) as caught:
        read_branches_bytes("mine.csv", b"code,name,region,country\nES 01,X,Y,ES\n")
    assert str(caught.value).startswith("mine.csv: row 2, column code")
    with pytest.raises(AuditAppError) as empty:
        read_branches_bytes("empty.csv", b"")
    assert "empty.csv" in str(empty.value) and "/tmp" not in str(empty.value)


def test_update_branches_changes_only_the_fields_given(world: AppContext) -> None:
    result = update_branches(world, {"ES-01": {"manager": "Núria", "area": "Maresme"}})
    assert (result.updated, result.inserted) == (1, 0)
    stored = {b.code: b for b in list_branches(world)}
    assert stored["ES-01"] == GRACIA.model_copy(update={"manager": "Núria", "area": "Maresme"})
    assert stored["ES-02"] == REUS


def test_update_branches_checks_every_row_and_writes_nothing_on_a_problem(
    world: AppContext,
) -> None:
    with pytest.raises(BranchFileError) as caught:
        update_branches(
            world,
            {
                "ES-01": {"manager": "fine"},
                "ES-02": {"name": ""},
                "XX-01": {"name": "nowhere"},
                "ES-03": {},
            },
        )
    message = str(caught.value)
    assert "ES-02, name: needs at least 1 character" in message
    assert "XX-01: no such branch" in message
    assert list_branches(world) == [GRACIA, REUS]
    with pytest.raises(BranchFileError, match="code cannot be changed"):
        update_branches(world, {"ES-01": {"code": "ES-09"}})


def test_deactivate_and_reactivate_a_branch(world: AppContext) -> None:
    set_branch_active(world, "ES-02", False)
    assert [b.active for b in list_branches(world)] == [True, False]
    set_branch_active(world, "ES-02", True)
    assert [b.active for b in list_branches(world)] == [True, True]


def test_only_head_office_edits_branches(world: AppContext) -> None:
    with pytest.raises(AccessDenied):
        update_branches(world.as_user(MARTA), {"ES-01": {"manager": "me"}})
    assert update_branches(world.as_user(HQ), {"ES-01": {"manager": "HQ"}}).updated == 1


# --------------------------------------------------------------------------- users


def test_a_disabled_user_is_enabled_again_with_the_same_password(world: AppContext) -> None:
    add_user(world, "guest", "viewer", "first password")
    disable_user(world, "guest")
    assert authenticate(world, "guest", "first password") is None
    enable_user(world, "guest")
    assert authenticate(world, "guest", "first password") is not None
    with pytest.raises(AuditAppError, match="no user named 'nobody'"):
        enable_user(world, "nobody")
    with pytest.raises(AccessDenied):
        enable_user(world.as_user(MARTA), "guest")


def test_last_logins_and_known_areas(world: AppContext) -> None:
    add_user(world, "guest", "viewer", "first password")
    add_user(world, "hq", "head_office", "second password")
    assert last_logins(world) == {"guest": None, "hq": None}
    authenticate(world, "hq", "second password")
    logins = last_logins(world)
    assert logins["guest"] is None and logins["hq"] is not None
    assert known_areas(world) == ["Barcelona", "Tarragona"]
    with pytest.raises(AccessDenied):
        last_logins(world.as_user(MARTA))


# --------------------------------------------------------------------------- mapping wizard


def test_a_draft_lists_every_column_with_what_it_was_taken_for(world: AppContext) -> None:
    draft = suggest_mapping_bytes("agency.csv", AGENCY_CSV, "greeting_phone")
    rows = {a.text: a.target for a in draft.assignments()}
    assert rows["Store code"] == role_target("branch_code")
    assert rows["Inspector"] == role_target("auditor")
    assert rows["Tone is friendly"] == "call.tone"
    assert rows["Voicemail call back (hrs)"] is None
    assert draft.profile.name == "agency"
    checklist = world.catalogue.get("greeting_phone")
    assert unassigned_required(checklist, draft.assignments()) == ["voicemail.return_hours"]


def test_corrected_assignments_make_a_profile_that_imports(world: AppContext) -> None:
    draft = suggest_mapping_bytes("agency.csv", AGENCY_CSV, "greeting_phone")
    checklist = world.catalogue.get("greeting_phone")
    fixed = [
        Assignment(a.text, a.place, "voicemail.return_hours")
        if a.text == "Voicemail call back (hrs)"
        else a
        for a in draft.assignments()
    ]
    assert unassigned_required(checklist, fixed) == []
    profile = apply_assignments(draft.profile, checklist, fixed, "agency-phone")
    assert profile.name == "agency-phone"
    assert profile.columns.visit_date == "Visit date"
    assert profile.items["Voicemail call back (hrs)"] == "voicemail.return_hours"  # type: ignore[index]
    save_mapping(world, profile)
    assert load_mapping("agency-phone", world.settings) == profile
    rejected = import_bytes(world, "agency.csv", AGENCY_CSV, dry_run=True)
    assert layout_not_recognised(rejected)
    result = import_bytes(
        world, "agency.csv", AGENCY_CSV, mapping_name="agency-phone", dry_run=True
    )
    assert result.status == "checked", [str(e) for e in result.problems]
    assert [a.branch_code for a in result.audits] == ["ES-01"]
    assert not layout_not_recognised(result)


def test_the_wizard_keeps_the_visit_reference_column_it_found(world: AppContext) -> None:
    """A review number drafted as the visit reference stays one through the page's wizard
    (assignments -> profile), so two visits of a store on one day stay two visits."""
    csv_bytes = b"Review Number," + AGENCY_CSV.replace(b"\nES-01,", b"\nRV-100231,ES-01,")
    draft = suggest_mapping_bytes("agency.csv", csv_bytes, "greeting_phone")
    rows = {a.text: a.target for a in draft.assignments()}
    assert rows["Review Number"] == role_target("visit_reference")
    checklist = world.catalogue.get("greeting_phone")
    assert mapping_targets(checklist)[role_target("visit_reference")] == "[visit reference]"
    profile = apply_assignments(draft.profile, checklist, draft.assignments(), "agency-ref")
    assert profile.columns.visit_reference == "Review Number"


def test_an_item_or_role_given_twice_or_a_bad_name_is_refused(world: AppContext) -> None:
    draft = suggest_mapping_bytes("agency.csv", AGENCY_CSV, "greeting_phone")
    checklist = world.catalogue.get("greeting_phone")
    twice = [
        Assignment(a.text, a.place, "call.tone") if a.text == "Employee speaks clearly" else a
        for a in draft.assignments()
    ]
    with pytest.raises(AuditAppError, match=r"both question call\.tone"):
        apply_assignments(draft.profile, checklist, twice)
    with pytest.raises(AuditAppError, match="name"):
        apply_assignments(draft.profile, checklist, draft.assignments(), "has spaces!")
    unknown = [Assignment("Store code", "column", "no.such_item")]
    with pytest.raises(AuditAppError, match="is not a question of "):
        apply_assignments(draft.profile, checklist, unknown)


def test_targets_name_the_roles_and_every_item(world: AppContext) -> None:
    checklist = world.catalogue.get("greeting_phone")
    targets = mapping_targets(checklist)
    assert targets[role_target("branch_code")] == "[branch code]"
    assert targets["call.tone"] == "Tone is friendly (call.tone)"
    assert {t for t in targets if not t.startswith("role:")} == set(checklist.items_by_id)
    assert role_target("item_column") in mapping_targets(checklist, "long")


def test_a_file_with_cell_problems_is_not_an_unknown_layout(world: AppContext) -> None:
    bad_csv = (
        b"branch_code,visit_date,auditor,checklist_id,answer.rings\n"
        b"XX,2026-01-01,A,greeting_phone,3\n"
    )
    result = import_bytes(world, "ours.csv", bad_csv, dry_run=True)
    assert result.status == "rejected" and not layout_not_recognised(result)


def test_the_wizard_guesses_the_checklist_a_file_answers(world: AppContext) -> None:
    latest = world.catalogue.latest()
    assert guess_checklist("agency.csv", AGENCY_CSV, latest) == "greeting_phone"
    assert guess_checklist("other.csv", b"Shop,Day\nES-01,2026-01-01\n", latest) is None
    assert guess_checklist("broken.xlsx", b"not a workbook", latest) is None
