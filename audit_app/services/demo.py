"""Loading the demo chain into the database; loading it again adds nothing.

The demo comes with three users whose passwords are published. It therefore loads only
into an empty database or one that holds the demo alone (``--force`` overrides, with a
warning), and the log-in page offers those passwords only there; anywhere else an active
account that still has one is a warning, on the log-in page and in ``audit-app serve``'s log.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from audit_app import demo, demo_photos
from audit_app.domain import home as home_rules
from audit_app.domain.auditors import AuditorKind
from audit_app.domain.plans import ChannelNeed, PlanRequest
from audit_app.errors import AuditAppError
from audit_app.i18n import ngettext
from audit_app.services import auditors, evidence
from audit_app.services import plans as plan_service
from audit_app.services.actions import postpone_open, settle_history
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.storage import auditor_store, database, plan_store, population, repository

DEMO_USERS = (
    # username, role, areas, password: one user of each role, named in the README
    ("hq", "head_office", (), "hq-demo-2026"),
    ("marta", "area_manager", ("Barcelona",), "marta-demo-2026"),
    ("guest", "viewer", (), "guest-demo-2026"),
)
DEMO_NAMES = {"hq": "Núria Ferrer", "marta": "Marta Puig", "guest": "Guest"}
_DEMO_ROLES = {username: role for username, role, _areas, _password in DEMO_USERS}
_DEMO_PASSWORDS = {username: password for username, _role, _areas, password in DEMO_USERS}
SHOWN = 3
"""Names listed in a refusal; the count says how many more there are."""


@dataclass(frozen=True)
class Survey:
    """What a database holds besides the demo: users (by name) and branches (by code)."""

    other_users: tuple[str, ...] = ()
    other_user_count: int = 0
    other_branches: tuple[str, ...] = ()
    other_branch_count: int = 0
    published: tuple[str, ...] = field(default=())
    """Active demo-named accounts that still have their published password."""

    @property
    def demo_only(self) -> bool:
        """Empty, or the demo alone: every user a demo user, every branch a demo branch."""
        return not self.other_user_count and not self.other_branch_count

    def describe(self) -> str:
        """``3 users not in the demo (ana, …) and 12 branches not in the demo (X-1, …)``."""
        parts = []
        if self.other_user_count:
            parts.append(_counted(self.other_user_count, "user", self.other_users))
        if self.other_branch_count:
            parts.append(_counted(self.other_branch_count, "branch", self.other_branches))
        return " and ".join(parts)


def _counted(count: int, word: str, names: tuple[str, ...]) -> str:
    words = word + ("" if count == 1 else "es" if word.endswith("ch") else "s")
    listed = ", ".join(names) + (", …" if count > len(names) else "")
    return f"{count:,} {words} not in the demo ({listed})"


class DemoRefused(AuditAppError):
    """The database holds more than the demo; ``survey`` says what."""

    def __init__(self, survey: Survey) -> None:
        super().__init__(
            f"this database holds {survey.describe()}; audit-app demo only loads into an "
            "empty database or one that holds the demo alone, so that its published "
            "passwords never reach a database in real use; --force loads anyway"
        )
        self.survey = survey


def survey(ctx: AppContext) -> Survey:
    """Two small queries (the users, a count of other branches) and at most one password
    check per demo account and password hash, remembered: cheap enough for every render
    of the log-in page."""
    with database.snapshot(ctx.engine) as conn:
        accounts = population.accounts(conn)
        branch_count, branches = population.branches_besides(conn, demo.branch_codes(), SHOWN)
    others = [a.username for a in accounts if _DEMO_ROLES.get(a.username) != a.role]
    published = tuple(
        a.username
        for a in accounts
        if a.active
        and a.username in _DEMO_PASSWORDS
        and _has_password(a.password_hash, _DEMO_PASSWORDS[a.username])
    )
    return Survey(tuple(others[:SHOWN]), len(others), tuple(branches), branch_count, published)


def _has_password(password_hash: str, password: str) -> bool:
    """Keyed on the hash: a changed password is a new key, so the answer is never stale.
    One check at a time: twenty log-in forms opened at once would otherwise each hash the
    same three passwords before the first answer is remembered (#21)."""
    with _CHECKING:
        return _checked(password_hash, password)


_CHECKING = threading.Lock()


@lru_cache(maxsize=64)
def _checked(password_hash: str, password: str) -> bool:
    from audit_app.services.users import hash_matches

    return hash_matches(password_hash, password)


@dataclass(frozen=True)
class DemoLoad:
    branches_added: int
    audits_added: int
    audits_already_present: int
    users_added: int = 0
    plans_added: int = 0


def demo_data(ctx: AppContext) -> demo.DemoData:
    return demo.generate(ctx.catalogue.latest())


def load_demo(
    ctx: AppContext, *, force: bool = False, today: date | None = None, plans: bool = True
) -> DemoLoad:
    """Load the demo; refused (``DemoRefused``) unless the database is empty or holds the
    demo alone, or ``force``. Loading it again adds nothing. ``today`` (the load day, by
    default the calendar's) dates the plan that runs from now (:func:`_add_demo_plans`) and
    the open actions' due dates (:func:`_settle_demo_actions`); ``plans=False`` leaves the
    plans out (tests that plan the demo chain themselves)."""
    found = survey(ctx)
    if not found.demo_only and not force:
        raise DemoRefused(found)
    day = today or date.today()
    data = demo_data(ctx)
    branches = save_branches(ctx, data.branches)
    _add_demo_auditors(ctx, data)
    records = data.audits
    with database.snapshot(ctx.engine) as conn:
        fresh = repository.count_rows(conn)["audits"] == 0
    if fresh:  # drawn and stored once: `make run` loads the demo again at every start
        records = demo_photos.with_photos(
            data.audits, lambda data, name: evidence.store_photo(ctx, data, name).sha256
        )
    stored = store_audits(ctx, records, skip_existing=True)
    auditors.link_all(ctx.engine)  # audits an older demo stored before auditors were people
    if stored.ids:
        _settle_demo_actions(ctx, data, stored.ids, day)
    users_added = _add_demo_users(ctx)
    plans_added = _add_demo_plans(ctx, day) if plans else 0
    return DemoLoad(branches.inserted, len(stored.ids), stored.skipped, users_added, plans_added)


PAST_PLAN = ("Complaint handling, autumn 2026", "complaints", date(2026, 9, 1), date(2026, 11, 30))
"""The demo's last quarter, whose visits were made (or missed) before the demo ends."""
PAST_NEEDS = (ChannelNeed("in_person", 2), ChannelNeed("phone", 1))
AHEAD_PLAN = ("Telephone greeting, monthly", "greeting_phone")
AHEAD_NEEDS = (ChannelNeed("phone", 3),)
AHEAD_WEEKS = 13
PAST_LOCKOUT_DAYS = 7
AHEAD_LOCKOUT_DAYS = 21
SHOWCASE_AREA = "Barcelona"
"""Marta's area (``DEMO_USERS``): her home always shows a visit due in the load week."""


def _add_demo_plans(ctx: AppContext, today: date) -> int:
    """Two published visit plans, made by the real planner, so that Coverage and an area
    manager's home have something to show; only into a database without any plan yet
    (loading the demo again adds none). Their names are data, in English like the rest of
    the demo's (its branches, its notes).

    - The demo's last quarter (1 Sep to 30 Nov 2026, fixed): complaint handling, 2 visits
      in person and 1 by phone per branch. Publishing fills its slots from the demo's
      audits; the rest are overdue.
    - A plan that runs **from the week the demo is loaded** (its Monday, ``today``'s week)
      for 13 weeks: a telephone greeting a month per branch. Its dates are relative to the
      load day, so the homes show "visits due this week" whenever the demo is loaded; if
      the planner put none of Barcelona's in the load week, one is moved to ``today`` with
      an auditor the lockout and the own-manager rule allow.

    Everything else is fixed by the planner's seed: the same load day gives the same plans.
    """
    known = {checklist.id for checklist in ctx.catalogue.latest()}
    with database.snapshot(ctx.engine) as conn:
        if plan_store.plan_rows(conn):
            return 0
    added = 0
    name, checklist, starts_on, ends_on = PAST_PLAN
    if checklist in known:
        past = plan_service.create_plan(
            ctx,
            PlanRequest(
                name=name,
                checklist_id=checklist,
                starts_on=starts_on,
                ends_on=ends_on,
                needs=PAST_NEEDS,
                lockout_days=PAST_LOCKOUT_DAYS,
            ),
        )
        plan_service.publish_plan(ctx, past)
        added += 1
    name, checklist = AHEAD_PLAN
    if checklist in known:
        monday = home_rules.week_of(today)[0]
        ahead = plan_service.create_plan(
            ctx,
            PlanRequest(
                name=name,
                checklist_id=checklist,
                starts_on=monday,
                ends_on=monday + timedelta(weeks=AHEAD_WEEKS, days=-1),
                needs=AHEAD_NEEDS,
                lockout_days=AHEAD_LOCKOUT_DAYS,
            ),
        )
        _one_due_this_week(ctx, ahead, today)
        plan_service.publish_plan(ctx, ahead)
        added += 1
    return added


def _one_due_this_week(ctx: AppContext, plan_id: int, today: date) -> None:
    """Make sure Barcelona has a visit with an auditor planned in ``today``'s week: else
    move its earliest one that someone may take on ``today`` there (checked like any move)."""
    sunday = home_rules.week_of(today)[1]
    mine = sorted(
        (s for s in plan_service.show_plan(ctx, plan_id).slots if s.area == SHOWCASE_AREA),
        key=lambda s: (s.planned_on, s.branch_code),
    )
    if any(s.planned_on <= sunday and s.auditor_id is not None for s in mine):
        return
    for slot in mine:
        allowed = [
            c.auditor_id
            for c in plan_service.auditor_choices(ctx, slot.id, planned_on=today)
            if c.allowed
        ]
        if allowed:
            who = slot.auditor_id if slot.auditor_id in allowed else allowed[0]
            plan_service.move_visit(ctx, slot.id, planned_on=today, auditor_id=who)
            return


VERIFIED_AFTER = timedelta(days=60)
DONE_AFTER = timedelta(days=21)
OWN_DAY_AFTER = timedelta(days=1)
"""The demo's own day, the day after its last visit: its open actions are read as on it."""


def _settle_demo_actions(
    ctx: AppContext, data: demo.DemoData, audit_ids: Sequence[int], today: date
) -> None:
    """A year of audits whose every action is still open would make the Overview's overdue
    count absurd: the demo's branches worked through their past. Actions of visits more than
    60 days before the demo's last visit are verified, more than 21 days done; the recent
    ones stay open (and a few are overdue, as in life).

    The open ones stand to the load day as they stood to the demo's own day, the day after
    its last visit (about a quarter overdue, the rest due within a fortnight): loaded later,
    their due dates move later by the days between the two (never earlier, never the closed
    ones), so a demo loaded on any day shows the same. The visits keep their dates."""
    last = max(record.visit.visited_at for record in data.audits)
    settle_history(
        ctx,
        verified_before=last - VERIFIED_AFTER,
        done_before=last - DONE_AFTER,
        by="demo",
    )
    late = (today - (last.date() + OWN_DAY_AFTER)).days
    postpone_open(ctx, audit_ids, late, by="demo")


def _add_demo_auditors(ctx: AppContext, data: demo.DemoData) -> None:
    """The demo's auditors as people (kind, organisation, areas), before their visits."""
    with database.transaction(ctx.engine) as conn:
        for name, (kind, organisation, username) in demo.AUDITOR_PEOPLE.items():
            if auditor_store.by_key(conn, name) is not None:
                continue
            regions = demo.auditor_regions(name)
            areas = sorted({b.area for b in data.branches if b.region in regions and b.area})
            auditor_store.add(
                conn,
                name,
                kind=AuditorKind(kind),
                organisation=organisation,
                username=username,
                areas=areas,
            )


def _add_demo_users(ctx: AppContext) -> int:
    from audit_app.services.users import add_user, list_users

    present = {user.username for user in list_users(ctx)}
    added = 0
    for username, role, areas, password in DEMO_USERS:
        if username not in present:
            add_user(ctx, username, role, password, areas=areas, display_name=DEMO_NAMES[username])
            added += 1
    return added


@dataclass(frozen=True)
class DemoHint:
    """What the log-in page says about the demo accounts."""

    logins: tuple[tuple[str, str, str], ...] = ()
    """(user name, password, role) to offer: only in a demo-only database."""
    exposed: tuple[str, ...] = ()
    """Active accounts of a database in real use that keep a published demo password."""


def demo_hint(ctx: AppContext) -> DemoHint:
    found = survey(ctx)
    if found.demo_only:
        return DemoHint(
            logins=tuple(
                (username, password, role)
                for username, role, _areas, password in DEMO_USERS
                if username in found.published
            )
        )
    return DemoHint(exposed=found.published)


def exposed_warning(exposed: tuple[str, ...]) -> str:
    """The warning for accounts that keep a published demo password."""
    return ngettext(
        "the account {accounts} still has the demo password published in the README, in a "
        "database that holds more than the demo; anyone can log in as it. Change its "
        "password (audit-app users set-password NAME) or disable it (audit-app users "
        "disable NAME)",
        "the accounts {accounts} still have the demo password published in the README, in a "
        "database that holds more than the demo; anyone can log in as them. Change their "
        "passwords (audit-app users set-password NAME) or disable them (audit-app users "
        "disable NAME)",
        len(exposed),
    ).format(accounts=", ".join(exposed))


def demo_logins(ctx: AppContext) -> list[tuple[str, str, str]]:
    """(user name, password, role) of the demo accounts the log-in page may offer."""
    return list(demo_hint(ctx).logins)
