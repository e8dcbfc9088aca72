"""Mapping profiles have owners: head office manages the shared ones, an area manager saves
new profiles and replaces or deletes only her own; every change is in the activity log."""

from __future__ import annotations

import pytest

from audit_app.domain.audit import Branch
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.intake.layouts.profile import MappingProfile, parse_profile, save_profile
from audit_app.services.access import AccessDenied
from audit_app.services.activity import COMMAND_LINE, list_activity
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.mappings import (
    HEAD_OFFICE,
    delete_mapping,
    list_mappings,
    load_mapping,
    mapping_owner,
    save_mapping,
)

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
PAU = User(username="pau", role=Role.AREA_MANAGER, areas=("Girona",))
GUEST = User(username="guest", role=Role.VIEWER)


def profile(name: str = "agency", auditor: str = "Inspector") -> MappingProfile:
    return parse_profile(
        {"name": name, "checklist": "greeting_phone", "columns": {"auditor": auditor}}
    )


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(
        ctx,
        [
            Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES"),
            Branch(code="ES-02", name="Girona", region="Catalonia", area="Girona", country="ES"),
        ],
    )
    return ctx


def mapping_log(ctx: AppContext) -> list[tuple[str | None, str, str, str]]:
    entries = list_activity(ctx.as_user(HQ), actions=("mapping profile",))
    return [(e.actor, e.subject, e.detail["change"], e.detail["owner"]) for e in reversed(entries)]


def test_head_office_shares_profiles_and_may_replace_and_delete_any(world: AppContext) -> None:
    hq = world.as_user(HQ)
    save_mapping(hq, profile())
    assert mapping_owner("agency", world.settings) == HEAD_OFFICE
    save_mapping(world.as_user(MARTA), profile("martas"))
    save_mapping(hq, profile("martas", "Agent"), overwrite=True)  # head office may
    assert load_mapping("martas", world.settings).columns.auditor == "Agent"
    delete_mapping(hq, "martas")
    assert [p.name for p in list_mappings(world.settings)] == ["agency"]
    assert mapping_log(world) == [
        ("hq", "agency", "saved", HEAD_OFFICE),
        ("marta", "martas", "saved", "marta"),
        ("hq", "martas", "replaced", HEAD_OFFICE),
        ("hq", "martas", "deleted", HEAD_OFFICE),
    ]


def test_an_area_manager_cannot_replace_or_delete_head_offices_profile(world: AppContext) -> None:
    save_mapping(world.as_user(HQ), profile())
    marta = world.as_user(MARTA)
    with pytest.raises(
        AccessDenied,
        match="head office's shared profile; an area manager can "
        "replace only the profiles she saved herself",
    ):
        save_mapping(marta, profile(auditor="Hacked"), overwrite=True)
    with pytest.raises(AccessDenied, match="can delete only"):
        delete_mapping(marta, "agency")
    assert load_mapping("agency", world.settings).columns.auditor == "Inspector"
    assert mapping_log(world) == [("hq", "agency", "saved", HEAD_OFFICE)]


def test_an_area_manager_replaces_her_own_but_not_a_colleagues(world: AppContext) -> None:
    marta = world.as_user(MARTA)
    save_mapping(marta, profile("martas"))
    save_mapping(marta, profile("martas", "Agent"), overwrite=True)
    with pytest.raises(AccessDenied, match="is marta's profile"):
        save_mapping(world.as_user(PAU), profile("martas", "Pau"), overwrite=True)
    with pytest.raises(AccessDenied):
        delete_mapping(world.as_user(PAU), "martas")
    delete_mapping(marta, "martas")
    assert list_mappings(world.settings) == []
    assert [(actor, change) for actor, _, change, _ in mapping_log(world)] == [
        ("marta", "saved"),
        ("marta", "replaced"),
        ("marta", "deleted"),
    ]


def test_a_profile_without_an_owner_is_head_offices(world: AppContext) -> None:
    save_profile(profile(), world.settings.resolved_mappings_dir)  # saved before owners
    assert mapping_owner("agency", world.settings) == HEAD_OFFICE
    with pytest.raises(AccessDenied):
        save_mapping(world.as_user(MARTA), profile(), overwrite=True)


def test_a_viewer_cannot_save_and_nobody_replaces_without_saying_so(world: AppContext) -> None:
    with pytest.raises(AccessDenied, match="a viewer cannot save mapping profiles"):
        save_mapping(world.as_user(GUEST), profile())
    save_mapping(world.as_user(MARTA), profile())
    with pytest.raises(AuditAppError, match="already exists"):
        save_mapping(world.as_user(MARTA), profile())


def test_the_command_line_acts_as_head_office(world: AppContext) -> None:
    save_mapping(world.as_user(MARTA), profile("martas"))
    save_mapping(world, profile("martas", "Agent"), overwrite=True)  # no user: command line
    delete_mapping(world, "martas")
    assert mapping_log(world)[1:] == [
        (COMMAND_LINE, "martas", "replaced", HEAD_OFFICE),
        (COMMAND_LINE, "martas", "deleted", HEAD_OFFICE),
    ]


def test_the_owner_line_leaves_the_profile_and_its_identity_alone(world: AppContext) -> None:
    saved = save_mapping(world.as_user(MARTA), profile())
    assert saved.read_text(encoding="utf-8").startswith("# owner: marta\nname: agency\n")
    assert load_mapping("agency", world.settings) == profile()
    assert load_mapping("agency", world.settings).content_hash == profile().content_hash


def test_delete_takes_a_saved_name_only(world: AppContext) -> None:
    with pytest.raises(AuditAppError, match="no saved mapping profile named 'nope'"):
        delete_mapping(world, "nope")
    with pytest.raises(AuditAppError, match="give a saved profile's name"):
        delete_mapping(world, "../data/audit")
