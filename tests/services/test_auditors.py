"""Auditors as people, on both engines: listed, added without duplicates, merged in one
transaction, and resolved from the names visits are stored with."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from audit_app.domain.audit import AuditRecord
from audit_app.domain.auditors import AuditorKind
from audit_app.services import auditors
from audit_app.services.activity import list_activity
from audit_app.services.auditors import AuditorCode, AuditorRefused
from audit_app.services.audits import submit_audit
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.drafts import save_draft, submit_draft
from audit_app.storage import database
from audit_app.storage.tables import audits
from tests.services.test_audits import BRANCHES, phone_answers, phone_visit


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, BRANCHES)
    return ctx


def _links(ctx: AppContext) -> dict[int, int | None]:
    with database.snapshot(ctx.engine) as conn:
        return {r.id: r.auditor_id for r in conn.execute(select(audits.c.id, audits.c.auditor_id))}


def _submit(ctx: AppContext, auditor: str, hour: int) -> int:
    visit = phone_visit(when=datetime(2026, 3, 2, hour, 0), auditor=auditor)
    return submit_audit(ctx, AuditRecord(visit, phone_answers(ctx)))[0]


def test_add_list_and_refuse_a_duplicate_key_naming_the_auditor(world: AppContext) -> None:
    laura = auditors.add_auditor(
        world, "  Laura   Fernández ", kind="agency", organisation="Client Ocult SL"
    )
    assert (laura.name, laura.kind, laura.organisation) == (
        "Laura Fernández",
        AuditorKind.AGENCY,
        "Client Ocult SL",
    )
    with pytest.raises(AuditorRefused, match="'Laura Fernández'") as refused:
        auditors.add_auditor(world, "laura FERNÁNDEZ")
    assert refused.value.code == AuditorCode.EXISTS
    assert auditors.list_auditors(world) == [laura]


def test_a_near_duplicate_is_refused_unless_forced(world: AppContext) -> None:
    auditors.add_auditor(world, "Laura Fernández")
    with pytest.raises(AuditorRefused) as refused:
        auditors.add_auditor(world, "Laura Fernandez")
    assert refused.value.code == AuditorCode.NEAR_MISS
    assert refused.value.near == ("Laura Fernández",)
    assert str(refused.value) == (
        "'Laura Fernandez' is close to the auditor 'Laura Fernández': same person?"
    )
    forced = auditors.add_auditor(world, "Laura Fernandez", force=True)
    assert [a.name for a in auditors.list_auditors(world)] == [forced.name, "Laura Fernández"]


def test_bad_fields_are_refused_with_a_code(world: AppContext) -> None:
    with pytest.raises(AuditorRefused) as refused:
        auditors.add_auditor(world, "Ann", kind="freelance")
    assert refused.value.code == AuditorCode.INVALID
    with pytest.raises(AuditorRefused) as refused:
        auditors.add_auditor(world, "   ")
    assert refused.value.code == AuditorCode.INVALID
    assert auditors.list_auditors(world) == []


def test_update_changes_fields_and_keeps_keys_unique(world: AppContext) -> None:
    ann = auditors.add_auditor(world, "Ann")
    auditors.add_auditor(world, "Bob Smith")
    changed = auditors.update_auditor(
        world, str(ann.id), name="Ann Vidal", kind="agency", areas=["Nord"], email="a@x.es"
    )
    assert (changed.name, changed.kind, changed.areas, changed.email) == (
        "Ann Vidal",
        AuditorKind.AGENCY,
        ("Nord",),
        "a@x.es",
    )
    with pytest.raises(AuditorRefused) as refused:
        auditors.update_auditor(world, "Ann Vidal", name="bob smith")
    assert refused.value.code == AuditorCode.EXISTS
    auditors.update_auditor(world, "Ann Vidal", active=False)
    assert [a.name for a in auditors.list_auditors(world)] == ["Bob Smith"]
    assert [a.name for a in auditors.list_auditors(world, include_inactive=True)] == [
        "Ann Vidal",
        "Bob Smith",
    ]


def test_a_submission_links_its_audit_to_the_person(world: AppContext) -> None:
    laura = auditors.add_auditor(world, "Laura Fernández")
    first = _submit(world, "laura fernández", 9)
    second = _submit(world, "Jordi Puig", 10)
    jordi = auditors.find_auditor(world, "jordi puig")
    assert jordi.kind == AuditorKind.STAFF  # a name met first on a visit: staff
    assert _links(world) == {first: laura.id, second: jordi.id}


def test_a_draft_is_linked_when_it_is_submitted(world: AppContext) -> None:
    draft = save_draft(world, AuditRecord(phone_visit(auditor="Ann"), phone_answers(world)))
    assert _links(world) == {draft: None}
    assert auditors.list_auditors(world) == []
    record = AuditRecord(phone_visit(auditor="Ann"), phone_answers(world))
    audit_id, _card = submit_draft(world, draft, record)
    assert _links(world) == {audit_id: auditors.find_auditor(world, "Ann").id}


def test_merge_moves_the_audits_in_one_step_and_logs_it(world: AppContext) -> None:
    right = _submit(world, "Jordi Puig", 9)
    typo = _submit(world, "Jordi Puigg", 10)
    kept = auditors.find_auditor(world, "Jordi Puig")
    result = auditors.merge_auditors(world, "Jordi Puigg", "Jordi Puig")
    assert (result.into, result.audits_moved, result.planned_visits_moved) == (kept, 1, 0)
    assert result.source.merged_into == kept.id and not result.source.active
    assert _links(world) == {right: kept.id, typo: kept.id}
    assert [a.name for a in auditors.list_auditors(world, include_inactive=True)] == ["Jordi Puig"]
    # The merged name still resolves to the person, and a third visit joins them.
    third = _submit(world, "jordi puigg", 11)
    assert _links(world)[third] == kept.id
    entry = list_activity(world, actions=("auditor",))[0]
    assert (entry.subject, entry.detail["change"], entry.detail["into"]) == (
        "Jordi Puigg",
        "merged",
        "Jordi Puig",
    )
    with pytest.raises(AuditorRefused) as refused:
        auditors.merge_auditors(world, "Jordi Puigg", "Jordi Puig")
    assert refused.value.code == AuditorCode.MERGE_SELF


def test_a_merge_of_an_unknown_auditor_changes_nothing(world: AppContext) -> None:
    auditors.add_auditor(world, "Ann")
    with pytest.raises(AuditorRefused) as refused:
        auditors.merge_auditors(world, "Nobody", "Ann")
    assert refused.value.code == AuditorCode.UNKNOWN
    assert [a.merged_into for a in auditors.list_auditors(world)] == [None]


def test_resolve_finds_follows_merges_and_creates_with_near_misses(world: AppContext) -> None:
    laura = auditors.add_auditor(world, "Laura Fernández")
    assert auditors.resolve(world.engine, "LAURA FERNÁNDEZ") == (laura.id, [])
    new_id, near = auditors.resolve(world.engine, "Laura Fernandez")
    assert near == ["Laura Fernández"] and new_id != laura.id
    auditors.merge_auditors(world, str(new_id), str(laura.id))
    with database.transaction(world.engine) as conn:
        assert auditors.resolve(conn, "laura fernandez") == (laura.id, [])


def test_link_all_links_every_unlinked_audit(world: AppContext) -> None:
    first = _submit(world, "Ann", 9)
    second = _submit(world, "ann", 10)
    with database.transaction(world.engine) as conn:
        conn.execute(audits.update().values(auditor_id=None))
    assert auditors.link_all(world.engine) == 2
    ann = auditors.find_auditor(world, "Ann")
    assert _links(world) == {first: ann.id, second: ann.id}
    assert auditors.link_all(world.engine) == 0


def test_own_auditor_is_the_one_naming_the_user(world: AppContext) -> None:
    from audit_app.services.users import add_user, list_users

    add_user(world, "marta", "head_office", "long-password")
    mine = auditors.add_auditor(world, "Marta Puig", username="marta")
    user = next(u for u in list_users(world) if u.username == "marta")
    assert auditors.own_auditor(world.as_user(user)) == mine
    assert auditors.own_auditor(world) is None


def test_a_revision_keeps_the_link_and_verify_stays_clean_after_a_merge(
    world: AppContext,
) -> None:
    from audit_app.services.revisions import revise_audit
    from audit_app.services.verify import verify

    audit_id = _submit(world, "Jordi Puigg", 9)
    _submit(world, "Jordi Puig", 10)
    auditors.merge_auditors(world, "Jordi Puigg", "Jordi Puig")
    kept = auditors.find_auditor(world, "Jordi Puig").id
    revise_audit(world, audit_id, phone_answers(world, **{"call.tone": 3}), "tone misheard")
    assert _links(world)[audit_id] == kept
    assert verify(world).ok  # the link is not sealed: moving it breaks no seal
