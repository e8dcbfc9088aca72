"""The access-control matrix: for each role and each service the app and the CLI call (read,
enter, import, compare, download, revise, plan, admin), whether it is allowed or refused.

Head office does everything; an area manager reads, enters, imports, compares, downloads,
revises and plans visits in her areas only, and opens only her own home; a viewer reads,
compares and downloads everything and changes nothing. Auditors are head office's to add,
change and merge. A refusal is an :class:`AccessDenied` (or, for an import, a rejected file naming
the cell), never a partial write. The README's security section prints this table, and
``test_the_app_reaches_data_only_through_these_services`` checks that the pages cannot go
around it.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from audit_app.domain.audit import AuditRecord, Branch, Visit
from audit_app.domain.filters import AuditFilter
from audit_app.domain.plans import ChannelNeed, PlanRequest, PlanScope
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services import auditors, calendars, compare, coverage, evidence, home, plans
from audit_app.services.access import AccessDenied
from audit_app.services.actions import list_actions, update_action
from audit_app.services.audits import list_scores, load_audit, submit_audit
from audit_app.services.backup import export_database
from audit_app.services.branches import list_branches, save_branches, set_branch_active
from audit_app.services.context import AppContext, open_context
from audit_app.services.demo import load_demo
from audit_app.services.drafts import save_draft
from audit_app.services.imports import import_bytes
from audit_app.services.report_compare import comparison_report
from audit_app.services.reports import audit_report, branch_report
from audit_app.services.revisions import raise_appeal, resolve_appeal, revise_audit
from audit_app.services.templates import make_template
from audit_app.services.users import add_user
from audit_app.services.verify import verify
from tests.conftest import REPO
from tests.databases import drop_database, make_settings
from tests.services.test_evidence import jpeg
from tests.services.test_revisions import good_answers

HQ = User(username="hq", role=Role.HEAD_OFFICE)
MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
GUEST = User(username="guest", role=Role.VIEWER)
ROLES = {"head office": HQ, "area manager": MARTA, "viewer": GUEST}
MINE, OTHER = "ES-CAT-01", "TR-EGE-01"  # Barcelona (Marta's) and Ege (not hers)


@dataclass
class World:
    ctx: AppContext
    own_audit: int
    other_audit: int
    folder: Path
    moments: Iterator[int]
    plan_both: int = 0
    """A published plan over Barcelona (Marta's) and Ege (not hers)."""
    plan_other: int = 0
    """A published plan over Ege only."""
    photo_own: tuple[int, str] = (0, "")
    """An audit in Barcelona carrying a photo, and the photo's hash."""
    photo_other: tuple[int, str] = (0, "")
    """The same in Ege."""

    def visit(self, code: str) -> Visit:
        """A new visit each time (each case writes its own)."""
        at = datetime(2020, 2, 1, 8) + timedelta(minutes=next(self.moments))  # in the range
        return Visit(code, "greeting_phone", 1, at, "Ann")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, engine_kind: str) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("matrix")
    ctx = open_context(make_settings(engine_kind, folder / "data"))
    load_demo(ctx)
    made = World(ctx, 0, 0, folder, itertools.count())
    # Fresh audits (inside the 7-day correction window), one in each area.
    made.own_audit = submit_audit(ctx, AuditRecord(made.visit(MINE), tuple(good_answers(ctx))))[0]
    made.other_audit = submit_audit(ctx, AuditRecord(made.visit(OTHER), tuple(good_answers(ctx))))[
        0
    ]
    made.photo_own = _audit_with_photo(made, MINE, (200, 30, 30))
    made.photo_other = _audit_with_photo(made, OTHER, (30, 30, 200))
    made.plan_both = _plan(ctx, "Barcelona", "Ege")
    made.plan_other = _plan(ctx, "Ege")
    for plan_id in (made.plan_both, made.plan_other):
        plans.publish_plan(ctx, plan_id)
    yield made
    ctx.engine.dispose()
    drop_database(ctx.settings.resolved_database_url)


def _audit_with_photo(w: World, code: str, colour: tuple[int, int, int]) -> tuple[int, str]:
    photo = evidence.store_photo(w.ctx, jpeg(colour), f"{code}.jpg")
    answers = [
        replace(a, photos=(photo.sha256,)) if n == 0 else a
        for n, a in enumerate(good_answers(w.ctx))
    ]
    return submit_audit(w.ctx, AuditRecord(w.visit(code), tuple(answers)))[0], photo.sha256


def _photo(which: str) -> Callable[[AppContext, World], Any]:
    def run(ctx: AppContext, w: World) -> Any:
        audit_id, sha = w.photo_own if which == "own" else w.photo_other
        assert evidence.photo_info(ctx, audit_id).keys() == {sha}
        return evidence.photo_bytes(ctx, audit_id, sha, edge=evidence.THUMBNAIL_EDGE)

    return run


QUARTER = (date(2030, 7, 1), date(2030, 9, 30))  # no visit made yet fills its slots


def _plan(ctx: AppContext, *areas: str) -> int:
    """A draft plan over ``areas`` (one visit per branch), made by ``ctx``'s user."""
    request = PlanRequest(
        "matrix", "greeting_phone", *QUARTER, PlanScope(areas=areas), (ChannelNeed(None, 1),)
    )
    return plans.create_plan(ctx, request)


def _publish(*areas: str) -> Callable[[AppContext, World], Any]:
    return lambda ctx, w: plans.publish_plan(ctx, _plan(w.ctx, *areas))


def _move_visit(area: str) -> Callable[[AppContext, World], Any]:
    def run(ctx: AppContext, w: World) -> Any:
        slot = next(s for s in plans.show_plan(w.ctx, w.plan_both).slots if s.area == area)
        return plans.move_visit(ctx, slot.id, unassign=True)

    return run


def _auditor(w: World) -> str:
    """A new auditor's name (each case changes its own)."""
    name = f"Matrix Auditor {next(w.moments):05d}"
    auditors.add_auditor(w.ctx, name, force=True)
    return name


def _merge(ctx: AppContext, w: World) -> Any:
    source, into = _auditor(w), _auditor(w)
    return auditors.merge_auditors(ctx, source, into)


def _submit(code: str) -> Callable[[AppContext, World], Any]:
    return lambda ctx, w: submit_audit(ctx, AuditRecord(w.visit(code), tuple(good_answers(ctx))))


def _draft(code: str) -> Callable[[AppContext, World], Any]:
    return lambda ctx, w: save_draft(ctx, AuditRecord(w.visit(code), tuple(good_answers(ctx))))


def _import(code: str) -> Callable[[AppContext, World], Any]:
    def run(ctx: AppContext, w: World) -> Any:
        visit = w.visit(code)
        rows = ["branch_code,checklist_id,visited_at,auditor,item_id,value"]
        rows += [
            f"{code},greeting_phone,{visit.visited_at:%Y-%m-%dT%H:%M},Ann,{a.item_id},"
            + ("N/A" if a.na else str(a.value).replace("True", "Yes").replace("False", "No"))
            for a in good_answers(ctx)
        ]
        result = import_bytes(ctx, f"{code}-{visit.visited_at:%H%M}.csv", "\n".join(rows).encode())
        if result.status == "rejected":
            raise AccessDenied("; ".join(str(e) for e in result.problems))
        assert result.status == "imported", result
        return result

    return run


def _revise(which: str) -> Callable[[AppContext, World], Any]:
    def run(ctx: AppContext, w: World) -> Any:
        audit_id = w.own_audit if which == "own" else w.other_audit
        tone = 1 + next(w.moments) % 4
        return revise_audit(ctx, audit_id, good_answers(ctx, **{"call.tone": tone}), "matrix")

    return run


def _appeal_and_resolve(ctx: AppContext, w: World) -> Any:
    audit_id = _submit(MINE)(w.ctx, w)[0]  # by the operator, as the appeal below
    appeal = raise_appeal(w.ctx, audit_id, "branch disagrees")
    return resolve_appeal(ctx, appeal.appeal_id, False, "kept as it is")


def _update_action(which: str) -> Callable[[AppContext, World], Any]:
    def run(ctx: AppContext, w: World) -> Any:
        area = "Barcelona" if which == "own" else "Ege"
        action = next(a for a in list_actions(w.ctx) if a.area == area)
        return update_action(ctx, action.id, owner=f"owner {next(w.moments)}")

    return run


def _add_user(ctx: AppContext, w: World) -> Any:
    name = f"user{next(w.moments)}"
    return add_user(ctx, name, "viewer", "a-long-enough-password")


def _export(ctx: AppContext, w: World) -> Any:
    return export_database(ctx, w.folder / f"backup-{next(w.moments)}.zip")


Case = Callable[[AppContext, World], Any]
ALL, HQ_AM, HQ_ONLY = (
    ("head office", "area manager", "viewer"),
    ("head office", "area manager"),
    ("head office",),
)
MATRIX: dict[str, tuple[str, Case, tuple[str, ...]]] = {
    # service: (kind, what it does, who may)
    "list branches and scores": ("read", lambda c, w: list_scores(c), ALL),
    "open an audit in her area": ("read", lambda c, w: load_audit(c, w.own_audit), ALL),
    "open an audit of another area": (
        "read",
        lambda c, w: load_audit(c, w.other_audit),
        (
            "head office",
            "viewer",
        ),
    ),
    "submit a visit in her area": ("enter", _submit(MINE), HQ_AM),
    "submit a visit in another area": ("enter", _submit(OTHER), HQ_ONLY),
    "save a draft in her area": ("enter", _draft(MINE), HQ_AM),
    "save a draft in another area": ("enter", _draft(OTHER), HQ_ONLY),
    "import a file for her area": ("import", _import(MINE), HQ_AM),
    "import a file for another area": ("import", _import(OTHER), HQ_ONLY),
    "attach a photo": (
        "enter",
        lambda c, w: evidence.store_photo(c, jpeg((next(w.moments) % 250, 9, 9)), "new.jpg"),
        HQ_AM,
    ),
    "see a photo of an audit in her area": ("read", _photo("own"), ALL),
    "see a photo of an audit of another area": ("read", _photo("other"), ("head office", "viewer")),
    "compare branches (scoped)": (
        "compare",
        lambda c, w: compare.league_table(c, AuditFilter(), min_audits=1),
        ALL,
    ),
    "audit report PDF in her area": ("download", lambda c, w: audit_report(c, w.own_audit), ALL),
    "audit report PDF of another area": (
        "download",
        lambda c, w: audit_report(c, w.other_audit),
        ("head office", "viewer"),
    ),
    "branch report PDF of another area": (
        "download",
        lambda c, w: branch_report(c, OTHER),
        ("head office", "viewer"),
    ),
    "comparison report PDF (scoped)": (
        "download",
        lambda c, w: comparison_report(c, AuditFilter(checklist_id="greeting_phone")),
        ALL,
    ),
    "template for another area's branch": (
        "download",
        lambda c, w: make_template(c, "greeting_phone", branch_codes=[OTHER]),
        ("head office", "viewer"),
    ),
    "revise an audit in her area": ("revise", _revise("own"), HQ_AM),
    "revise an audit of another area": ("revise", _revise("other"), HQ_ONLY),
    "resolve an appeal": ("revise", _appeal_and_resolve, HQ_ONLY),
    "update a corrective action in her area": ("revise", _update_action("own"), HQ_AM),
    "update a corrective action of another area": ("revise", _update_action("other"), HQ_ONLY),
    "add a user": ("admin", _add_user, HQ_ONLY),
    "add or change a branch": (
        "admin",
        lambda c, w: save_branches(
            c, [Branch(code="ES-NEW-01", name="New", region="X", country="ES")]
        ),
        HQ_ONLY,
    ),
    "deactivate a branch": ("admin", lambda c, w: set_branch_active(c, MINE, True), HQ_ONLY),
    "verify the audit trail": ("admin", lambda c, w: verify(c), HQ_ONLY),
    "export the whole database": ("admin", _export, HQ_ONLY),
    # visit plans: an area manager plans her areas only; a viewer plans nothing
    "plan visits in her area": ("plan", lambda c, w: _plan(c, "Barcelona"), HQ_AM),
    "plan visits in another area": ("plan", lambda c, w: _plan(c, "Ege"), HQ_ONLY),
    "plan visits everywhere (hers, as she asks)": ("plan", lambda c, w: _plan(c), HQ_AM),
    "publish a plan of her area": ("plan", _publish("Barcelona"), HQ_AM),
    "publish a plan of another area": ("plan", _publish("Ege"), HQ_ONLY),
    "publish a plan over hers and another area": ("plan", _publish("Barcelona", "Ege"), HQ_ONLY),
    "delete a draft plan of another area": (
        "plan",
        lambda c, w: plans.delete_draft(c, _plan(w.ctx, "Ege")),
        HQ_ONLY,
    ),
    "move a planned visit in her area": ("plan", _move_visit("Barcelona"), HQ_AM),
    "move a planned visit of another area": ("plan", _move_visit("Ege"), HQ_ONLY),
    "list visit plans (scoped)": ("read", lambda c, w: plans.list_plans(c), ALL),
    "show a plan of another area": (
        "read",
        lambda c, w: plans.show_plan(c, w.plan_other),
        ("head office", "viewer"),
    ),
    # coverage and calendars: read, scoped to her areas
    "coverage of a plan (scoped)": (
        "read",
        lambda c, w: coverage.plan_coverage(c, w.plan_both, today=QUARTER[0]),
        ALL,
    ),
    "coverage of a plan of another area": (
        "read",
        lambda c, w: coverage.plan_coverage(c, w.plan_other, today=QUARTER[0]),
        ("head office", "viewer"),
    ),
    "coverage of her area": (
        "read",
        lambda c, w: coverage.plan_coverage(c, w.plan_both, area="Barcelona", today=QUARTER[0]),
        ALL,
    ),
    "coverage of another area": (
        "read",
        lambda c, w: coverage.plan_coverage(c, w.plan_both, area="Ege", today=QUARTER[0]),
        ("head office", "viewer"),
    ),
    "coverage of a period (scoped)": (
        "read",
        lambda c, w: coverage.period_coverage(c, *QUARTER),
        ALL,
    ),
    "coverage of a period in another area": (
        "read",
        lambda c, w: coverage.period_coverage(c, *QUARTER, area="Ege"),
        ("head office", "viewer"),
    ),
    "calendar of her area": ("download", lambda c, w: calendars.area_calendar(c, "Barcelona"), ALL),
    "calendar of another area": (
        "download",
        lambda c, w: calendars.area_calendar(c, "Ege"),
        ("head office", "viewer"),
    ),
    "calendar of an auditor (scoped)": (
        "download",
        lambda c, w: calendars.auditor_calendar(c, _auditor(w)),
        ALL,
    ),
    # auditors: head office manages them (the form links typed names by itself)
    "add an auditor": (
        "admin",
        lambda c, w: auditors.add_auditor(c, f"New Auditor {next(w.moments):05d}", force=True),
        HQ_ONLY,
    ),
    "change an auditor": (
        "admin",
        lambda c, w: auditors.update_auditor(c, _auditor(w), areas=["Ege"]),
        HQ_ONLY,
    ),
    "deactivate an auditor": (
        "admin",
        lambda c, w: auditors.update_auditor(c, _auditor(w), active=False),
        HQ_ONLY,
    ),
    "merge two auditors": ("admin", _merge, HQ_ONLY),
    "count every auditor's audits": ("admin", lambda c, w: auditors.audit_counts(c), HQ_ONLY),
    "list the auditors": ("read", lambda c, w: auditors.list_auditors(c), ALL),
    # the area manager's home: her own, never another's or the whole chain's
    "open her own home": ("read", lambda c, w: home.area_home(c, c.user, QUARTER[0]), ALL),
    "open the chain's home (no one's)": (
        "read",
        lambda c, w: home.area_home(c, None, QUARTER[0]),
        HQ_ONLY,
    ),
    "open another area manager's home": (
        "read",
        lambda c, w: home.area_home(
            c, User(username="pau", role=Role.AREA_MANAGER, areas=("Ege",)), QUARTER[0]
        ),
        ("head office",),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("service", MATRIX)
def test_the_access_matrix(world: World, service: str, role: str) -> None:
    _kind, case, allowed = MATRIX[service]
    ctx = world.ctx.as_user(ROLES[role])
    if role in allowed:
        case(ctx, world)
    else:
        assert_refused(lambda: case(ctx, world))


HIDDEN = re.compile(r"unknown branch code|no branch with code|unknown or inactive branch")


def assert_refused(attempt: Callable[[], Any]) -> None:
    """Refused: AccessDenied saying why, or, for a branch outside her areas, the message of
    a branch that does not exist (the scope hides other areas rather than naming them)."""
    with pytest.raises(AuditAppError) as refused:
        attempt()
    if not isinstance(refused.value, AccessDenied):
        assert HIDDEN.search(str(refused.value)), refused.value
    assert str(refused.value), "a refusal says why"


def test_a_refusal_writes_nothing(world: World) -> None:
    from tests.helpers import database_snapshot

    before = database_snapshot(world.ctx)
    guest, marta = world.ctx.as_user(GUEST), world.ctx.as_user(MARTA)
    for refused in (
        lambda: _submit(MINE)(guest, world),
        lambda: _import(OTHER)(marta, world),
        lambda: _revise("other")(marta, world),
        lambda: _add_user(marta, world),
        lambda: _plan(marta, "Ege"),
        lambda: _plan(guest, "Barcelona"),
        lambda: auditors.add_auditor(marta, "Marta's Own Auditor"),
        lambda: auditors.update_auditor(guest, "Ann", active=False),
    ):
        assert_refused(refused)
    assert database_snapshot(world.ctx) == before


def test_the_app_reaches_data_only_through_these_services() -> None:
    """The pages import services, never storage or SQLAlchemy (the import-linter contract),
    so every page and download goes through the checks above."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout
    assert "Pages and the CLI go through services, never storage KEPT" in result.stdout


def test_the_area_managers_lists_hold_only_her_branches(world: World) -> None:
    marta = world.ctx.as_user(MARTA)
    assert {b.area for b in list_branches(marta)} == {"Barcelona"}
    assert set(list_scores(marta)["branch_code"]) <= {
        b.code for b in list_branches(world.ctx) if b.area == "Barcelona"
    }


def test_the_area_managers_plans_are_those_of_her_areas(world: World) -> None:
    """The plans page and the coverage page offer her the same plans: none only elsewhere."""
    marta = world.ctx.as_user(MARTA)
    hers = {p.id for p in coverage.plans(marta, published_only=False)}
    assert world.plan_both in hers and world.plan_other not in hers
    assert hers == {p.id for p in plans.list_plans(marta)}
    everyone = {p.id for p in coverage.plans(world.ctx.as_user(GUEST), published_only=False)}
    assert {world.plan_both, world.plan_other} <= everyone
