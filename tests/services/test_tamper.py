"""Tampering with the database as someone with write access to it would, each way the
attacker of issue #15 tried: ``verify`` fails naming the record and what differs, on both
engines; an untouched database verifies.

The world: twelve phone visits (one corrected, with its corrective action updated, and one
appealed and resolved), the activity they logged, and the head checkpoint they moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pytest
from sqlalchemy import Connection, delete, func, select, update

from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.services import trail_head
from audit_app.services.actions import list_actions, update_action
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.revisions import raise_appeal, resolve_appeal, revise_audit
from audit_app.services.users import set_password
from audit_app.services.verify import verify
from audit_app.storage import (
    branch_sums,
    database,
    item_sums,
    item_vectors,
    ledger,
    seal_keys,
    trail,
)
from audit_app.storage.tables import (
    action_events,
    activity_log,
    answers,
    appeals,
    audit_item_scores,
    audit_revisions,
    audit_scores,
    audits,
    branches,
    corrective_actions,
    record_seals,
    section_scores,
    users,
)
from tests.services.test_revisions import BRANCHES, HQ, good_answers, submit, world  # noqa: F401


@dataclass(frozen=True)
class Chain:
    ctx: AppContext
    revised: int
    """Audit corrected to tone 2 (so it has a corrective action, changed once)."""
    appealed: int
    ledger_before_last: int
    """The ledger's sequence before the last ten audits were submitted."""
    last_ten: tuple[int, ...]


@pytest.fixture
def chain(world: AppContext) -> Chain:  # noqa: F811
    revised = submit(world, day=1)
    revise_audit(world.as_user(HQ), revised, good_answers(world, **{"call.tone": 2}), "tone")
    (action,) = list_actions(world)
    update_action(world.as_user(HQ), action.id, status="in_progress", note="calling the branch")
    appealed = submit(world, "TR-01", day=1)
    appeal = raise_appeal(world, appealed, "the line was down that day", by="marta")
    resolve_appeal(world.as_user(HQ), appeal.appeal_id, False, "the recording shows it rang")
    with database.snapshot(world.engine) as conn:
        before = ledger.head(conn)[0]
    last_ten = tuple(submit(world, day=day) for day in range(2, 12))
    report = verify(world)
    assert report.ok, report.problems  # untouched: verifies
    return Chain(world, revised, appealed, before, last_ten)


def _set(table, where, **values):  # type: ignore[no-untyped-def]
    return lambda conn, c: conn.execute(update(table).where(where(c)).values(**values))


Tamper = Callable[[Connection, Chain], object]


def _delete_newest(count: int) -> Tamper:
    """Delete the newest ``count`` audits with everything about them, their trail rows and
    their seals: the ledger's tail goes, so nothing inside the database points at them."""

    def tamper(conn: Connection, c: Chain) -> None:
        doomed = sorted(c.last_ten)[-count:]
        first_seal = conn.execute(
            select(func.min(record_seals.c.sequence)).where(
                record_seals.c.table_name == "audits",
                record_seals.c.row_key.in_([str(a) for a in doomed]),
            )
        ).scalar_one()
        # their share of the item summaries and branch-month totals too
        with item_sums.kept(conn, doomed), branch_sums.kept(conn, doomed):
            for table in (answers, audit_scores, section_scores, audit_revisions):
                conn.execute(delete(table).where(table.c.audit_id.in_(doomed)))
            conn.execute(delete(audits).where(audits.c.id.in_(doomed)))
        tail = conn.execute(
            select(record_seals.c.row_key).where(
                record_seals.c.sequence >= first_seal, record_seals.c.table_name == "activity_log"
            )
        ).scalars()
        conn.execute(delete(activity_log).where(activity_log.c.id.in_([int(k) for k in tail])))
        conn.execute(delete(record_seals).where(record_seals.c.sequence >= first_seal))

    return tamper


def _reseal_revision_with_the_code(conn: Connection, c: Chain) -> None:
    """Change an answer and seal the revision again with the trail's own (public) code."""
    audit_id = c.last_ten[0]
    conn.execute(
        update(answers)
        .where(answers.c.audit_id == audit_id, answers.c.item_id == "call.tone")
        .values(value="1")
    )
    rev = conn.execute(select(audit_revisions).where(audit_revisions.c.audit_id == audit_id)).one()
    content = dict(rev.content)
    content["answers"] = [
        [i, "1" if i == "call.tone" else v, na, note] for i, v, na, note in content["answers"]
    ]
    digest = trail.content_hash(content)
    audit_hash = trail.link(None, digest)
    conn.execute(
        update(audit_revisions)
        .where(audit_revisions.c.id == rev.id)
        .values(content=content, content_hash=digest, audit_hash=audit_hash)
    )
    rows = conn.execute(select(audit_revisions).order_by(audit_revisions.c.sequence)).all()
    chain = None
    for row in rows:
        chain = trail.link(chain, row.audit_hash)
        conn.execute(
            update(audit_revisions).where(audit_revisions.c.id == row.id).values(chain_hash=chain)
        )


def _item_vector_says_full_marks(conn: Connection, c: Chain) -> None:
    """Edit the revised audit's item-score vector so that comparisons read call.tone as met
    (its answer scores 0.25): every item figure of its branch would lie."""
    version_id = conn.execute(
        select(audits.c.checklist_version_id).where(audits.c.id == c.revised)
    ).scalar_one()
    layout = item_vectors.Layouts(conn)[version_id]
    blob = conn.execute(
        select(audit_item_scores.c.scores).where(audit_item_scores.c.audit_id == c.revised)
    ).scalar_one()
    values = np.frombuffer(blob, dtype=item_vectors.DTYPE).copy()
    values[layout.position["call.tone"]] = 1.0
    conn.execute(
        update(audit_item_scores)
        .where(audit_item_scores.c.audit_id == c.revised)
        .values(scores=values.tobytes())
    )


def _reseal_ledger_with_another_key(conn: Connection, c: Chain) -> None:
    """Move a branch to another area and seal it with the ledger's code under a guessed key."""
    conn.execute(update(branches).where(branches.c.code == "ES-01").values(area="Girona"))
    seal_keys.attach(conn.engine, b"a guess at the key")
    ledger.seal(conn, branches, [1])


CASES: dict[str, tuple[Tamper, str]] = {
    "scores": (
        _set(audit_scores, lambda c: audit_scores.c.audit_id == c.revised, overall=100.0),
        r"audit #{revised} \(ES-01, 2026-03-01 10:15\): its stored scores do not follow from "
        r"its answers \(overall score 100 stored, 92.5 from its answers\)",
    ),
    "sections": (
        _set(section_scores, lambda c: section_scores.c.audit_id == c.revised, score=100.0),
        r"audit #{revised} .*: its stored scores do not follow from its answers \(section call "
        r"score 100 stored, 85 from its answers",
    ),
    "items": (
        _set(
            answers,
            lambda c: (answers.c.audit_id == c.revised) & (answers.c.item_id == "call.tone"),
            score=1.0,
        ),
        r"audit #{revised} .*: its stored scores do not follow from its answers \(item "
        r"call.tone score 1 stored, 0.25 from its answer\)",
    ),
    "item-score vector": (
        _item_vector_says_full_marks,
        r"audit #{revised} \(ES-01, .*\): the item scores that comparisons read do not match "
        r"its answers \(item call.tone 1 in its item-score vector, 0.25 in its answers\)",
    ),
    "item-score vector deleted": (
        lambda conn, c: conn.execute(
            delete(audit_item_scores).where(audit_item_scores.c.audit_id == c.last_ten[0])
        ),
        r"audit #{first} \(ES-01, .*\): the item scores that comparisons read do not match "
        r"its answers \(no item-score vector is stored\)",
    ),
    "item-score vector cut short": (
        _set(
            audit_item_scores, lambda c: audit_item_scores.c.audit_id == c.revised, scores=b"x" * 12
        ),
        r"audit #{revised} .*: the item scores that comparisons read do not match its answers "
        r"\(its item-score vector holds 12 bytes, not \d+ \(8 for each of its \d+ items\)\)",
    ),
    "answers": (
        _set(
            answers,
            lambda c: (answers.c.audit_id == c.revised) & (answers.c.item_id == "call.tone"),
            value="5",
        ),
        r"audit #{revised} .*: the stored answers no longer match revision 2 \(answer "
        r"call.tone changed\)",
    ),
    "visit time": (
        _set(audits, lambda c: audits.c.id == c.revised, visited_at=datetime(2026, 3, 20, 10, 15)),
        r"audit #{revised} \(ES-01, 2026-03-20 10:15\): the stored answers no longer match "
        r"revision 2 \(visit visited_at changed\)",
    ),
    "branch": (
        _set(audits, lambda c: audits.c.id == c.last_ten[0], branch_id=2),
        r"audit #{first} \(TR-01, .*\): the stored answers no longer match revision 1 "
        r"\(visit branch_code changed\)",
    ),
    "submitted_at": (
        _set(audits, lambda c: audits.c.id == c.revised, submitted_at=datetime(2099, 1, 1)),
        r"audit #{revised} \(visited 2026-03-01T10:15\) was changed outside the app: "
        r"submitted_at '.*' sealed, '2099-01-01T00:00:00' now",
    ),
    "created_by": (
        _set(audits, lambda c: audits.c.id == c.revised, created_by="marta"),
        r"audit #{revised} .* was changed outside the app: created_by None sealed, 'marta' now",
    ),
    "area": (
        _set(branches, lambda c: branches.c.code == "ES-01", area="Girona"),
        r"branch ES-01 \(#1\) was changed outside the app: area 'Barcelona' sealed, 'Girona' now",
    ),
    "actions": (
        _set(
            corrective_actions,
            lambda c: corrective_actions.c.audit_id == c.revised,
            status="verified",
        ),
        r"action #1 \(audit #{revised}, call.tone\) was changed outside the app: status "
        r"'in_progress' sealed, 'verified' now",
    ),
    "action events": (
        lambda conn, c: conn.execute(delete(action_events)),
        r"action #1 event #\d+ was deleted",
    ),
    "appeals": (
        _set(appeals, lambda c: appeals.c.audit_id == c.appealed, status="upheld"),
        r"appeal #1 \(audit #{appealed}\) was changed outside the app: status 'rejected' "
        r"sealed, 'upheld' now",
    ),
    "activity": (
        lambda conn, c: conn.execute(
            delete(activity_log).where(activity_log.c.action == "appeal resolved")
        ),
        r"activity entry #\d+ \(appeal resolved .*\) was deleted",
    ),
    "newest audit deleted": (
        _delete_newest(1),
        r"the trail ends at sealed record .*, but the checkpoint .*trail\.head says it reached "
        r".*: the newest .* sealed records .* were deleted",
    ),
    "newest 10 audits deleted": (
        _delete_newest(10),
        r"the newest .* sealed records \(audits, revisions, actions, log entries\) were deleted",
    ),
    "revision re-sealed with the code": (
        _reseal_revision_with_the_code,
        r"audit #{first} revision 1 was changed outside the app: audit_hash .* sealed, .*"
        r"content_hash .* sealed",
    ),
    "ledger re-sealed without the key": (
        _reseal_ledger_with_another_key,
        r"the ledger is broken at entry \d+ \(branch ES-01 \(#1\)\): it was not sealed with "
        r"this installation's trail key",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_kind_of_tampering_fails_verify_naming_the_record(chain: Chain, case: str) -> None:
    tamper, pattern = CASES[case]
    key = seal_keys.sealing_of_engine(chain.ctx.engine)
    with chain.ctx.engine.begin() as conn:
        tamper(conn, chain)
    seal_keys.attach(chain.ctx.engine, key.key, key.on_head)  # the installation's own key
    report = verify(chain.ctx)
    assert not report.ok
    wanted = pattern.format(revised=chain.revised, appealed=chain.appealed, first=chain.last_ten[0])
    assert any(_matches(wanted, problem) for problem in report.problems), report.problems


def _matches(pattern: str, text: str) -> bool:
    import re

    return re.search(pattern, text) is not None


def test_verify_names_a_head_someone_wrote_down_that_the_trail_no_longer_reaches(
    chain: Chain,
) -> None:
    head = verify(chain.ctx).head
    assert head is not None and verify(chain.ctx, head=head).ok
    with chain.ctx.engine.begin() as conn:
        _delete_newest(3)(conn, chain)
    label = database.redact(chain.ctx.settings.resolved_database_url)
    trail_head.replace(chain.ctx.settings.data_dir, label, None)  # the checkpoint is gone too
    assert verify(chain.ctx).ok  # nothing inside the database remembers the head ...
    problems = verify(chain.ctx, head=head).problems  # ... but the head written down does
    assert len(problems) == 1 and problems[0].startswith("the trail ends at sealed record ")
    assert f"but the head given says it reached {head.sequence:,}" in problems[0]


def _guest_made_head_office(conn: Connection, c: Chain) -> None:
    from audit_app.domain.users import User
    from audit_app.storage import user_store

    user_store.add(conn, User(username="guest", role=Role.VIEWER), "hash")
    conn.execute(update(users).where(users.c.username == "guest").values(role="head_office"))


def _appeal_reworded(conn: Connection, c: Chain) -> None:
    from audit_app.storage import trail

    trail.add_appeal(conn, c.appealed, "marta", "the line was down")  # appeal #2, sealed
    conn.execute(update(appeals).where(appeals.c.id == 2).values(reason="nothing happened"))


LAUNDERING: dict[str, tuple[Tamper, Callable[[Chain], object], str]] = {
    "a user's role, then a new password": (
        _guest_made_head_office,
        lambda c: set_password(c.ctx, "guest", "a new password"),
        r"user guest \(#\d+\) differs from its last seal \(role\)",
    ),
    "an action's deadline, then a note": (
        _set(corrective_actions, lambda c: corrective_actions.c.id == 1, due_on=date(2099, 1, 1)),
        lambda c: update_action(c.ctx.as_user(HQ), 1, note="called the branch"),
        r"action #1 \(audit #\d+, call.tone\) differs from its last seal \(due_on\)",
    ),
    "an audit's answers, then a correction": (
        _set(
            answers,
            lambda c: (answers.c.audit_id == c.revised) & (answers.c.item_id == "call.tone"),
            value="5",
        ),
        lambda c: revise_audit(
            c.ctx.as_user(HQ), c.revised, good_answers(c.ctx, **{"call.tone": 3}), "tone 3"
        ),
        r"audit #{revised}: its stored answers or visit no longer match revision 2",
    ),
    "an audit's author, then a correction": (
        _set(audits, lambda c: audits.c.id == c.revised, created_by="marta"),
        lambda c: revise_audit(
            c.ctx.as_user(HQ), c.revised, good_answers(c.ctx, **{"call.tone": 3}), "tone 3"
        ),
        r"audit #{revised} \(visited .*\) differs from its last seal \(created_by\)",
    ),
    "an appeal's reason, then its resolution": (
        _appeal_reworded,
        lambda c: resolve_appeal(c.ctx.as_user(HQ), 2, False, "the line was fine"),
        r"appeal #2 \(audit #{appealed}\) differs from its last seal \(reason\)",
    ),
    "a branch's area, then a branch list": (
        _set(branches, lambda c: branches.c.code == "ES-01", area="Girona"),
        lambda c: save_branches(c.ctx, [BRANCHES[0].model_copy(update={"name": "Gràcia 2"})]),
        r"branch ES-01 \(#1\) differs from its last seal \(area\)",
    ),
}


@pytest.mark.parametrize("case", list(LAUNDERING))
def test_a_write_on_top_of_a_tampered_record_is_refused_so_the_app_never_seals_it(
    chain: Chain, case: str
) -> None:
    tamper, write, pattern = LAUNDERING[case]
    with chain.ctx.engine.begin() as conn:
        tamper(conn, chain)
    problems_before = verify(chain.ctx).problems
    assert problems_before
    wanted = pattern.format(revised=chain.revised, appealed=chain.appealed)
    with pytest.raises(AuditAppError, match=wanted):
        write(chain)
    assert verify(chain.ctx).problems == problems_before  # nothing sealed, still named


def test_a_ledger_dropped_and_re_made_by_the_upgrade_is_named(chain: Chain) -> None:
    """Drop the ledger, step the schema back and let the next start seal everything again
    over a changed record: the checkpoint's first seal is no longer the ledger's."""
    from alembic import command
    from sqlalchemy import text

    from audit_app.services.context import open_context
    from audit_app.storage import database

    with database._migrating(chain.ctx.engine) as conn:  # the schema of 0010 first
        command.downgrade(database._alembic_config(conn), "0010")
    with chain.ctx.engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == 1).values(display_name="Mallory"))
        conn.execute(update(branches).where(branches.c.code == "ES-01").values(area="Girona"))
        conn.execute(text("DROP TABLE record_seals"))
        conn.execute(text("DROP TABLE trail_state"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    again = open_context(chain.ctx.settings)  # the upgrade seals what it finds
    try:
        problems = verify(again).problems
    finally:
        again.engine.dispose()
    assert len(problems) == 1 and problems[0].startswith(
        "the ledger was replaced as a whole: its first seal is not the one the checkpoint "
    )


RAW_FORMS = {
    "a deadline in ISO-week form": (
        "UPDATE corrective_actions SET due_on = '2026-W46-4' WHERE id = 1",
        r"corrective_actions id 1: column due_on holds '2026-W46-4', not a date \(YYYY-MM-DD\)",
    ),
    "a visit time in ISO-week form": (
        "UPDATE audits SET visited_at = '2026-W05-3 10:00:00.000000' WHERE id = {revised}",
        r"audits id {revised}: column visited_at holds '2026-W05-3 10:00:00.000000', not a "
        r"date and time",
    ),
    "a critical flag of 2": (
        "UPDATE audit_scores SET critical_failure = 2 WHERE audit_id = {revised}",
        r"audit_scores audit_id {revised}: column critical_failure holds 2, not 0 or 1",
    ),
    "a score as text": (
        "UPDATE audit_scores SET overall = 'high' WHERE audit_id = {revised}",
        r"audit_scores audit_id {revised}: column overall holds 'high', not a number",
    ),
    "item scores as text": (
        "UPDATE audit_item_scores SET scores = 'all met' WHERE audit_id = {revised}",
        r"audit #{revised} .*: the item scores that comparisons read do not match its answers "
        r"\(its item-score vector is stored as str, not bytes\)",
    ),
    "a checklist that is not JSON": (
        "UPDATE checklist_versions SET definition = '{{not json' WHERE id = 1",
        r"checklist_versions id 1: column definition holds '\{{not json', not JSON text",
    ),
}


@pytest.mark.parametrize("case", list(RAW_FORMS))
def test_a_value_in_a_form_the_app_never_writes_is_named_on_sqlite(
    chain: Chain, case: str, engine_kind: str
) -> None:
    """SQLite stores what it is given; Python may read it back as the sealed value while SQL
    filters read it otherwise. PostgreSQL's column types refuse such values."""
    if engine_kind != "sqlite":
        pytest.skip("PostgreSQL's column types refuse these values")
    from sqlalchemy import text

    sql, pattern = RAW_FORMS[case]
    with chain.ctx.engine.begin() as conn:
        conn.execute(text(sql.format(revised=chain.revised)))
    problems = verify(chain.ctx).problems
    wanted = pattern.format(revised=chain.revised)
    assert any(_matches(wanted, p) for p in problems), problems
