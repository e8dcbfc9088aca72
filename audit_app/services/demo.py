"""Loading the demo chain into the database; loading it again adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from audit_app import demo
from audit_app.services.actions import settle_history
from audit_app.services.audits import store_audits
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext

DEMO_USERS = (
    # username, role, areas, password: one user of each role, named in the README
    ("hq", "head_office", (), "hq-demo-2026"),
    ("marta", "area_manager", ("Barcelona",), "marta-demo-2026"),
    ("guest", "viewer", (), "guest-demo-2026"),
)
DEMO_NAMES = {"hq": "Núria Ferrer", "marta": "Marta Puig", "guest": "Guest"}


@dataclass(frozen=True)
class DemoLoad:
    branches_added: int
    audits_added: int
    audits_already_present: int
    users_added: int = 0


def demo_data(ctx: AppContext) -> demo.DemoData:
    return demo.generate(ctx.catalogue.latest())


def load_demo(ctx: AppContext) -> DemoLoad:
    data = demo_data(ctx)
    branches = save_branches(ctx, data.branches)
    stored = store_audits(ctx, data.audits, skip_existing=True)
    if stored.ids:
        _settle_demo_actions(ctx, data)
    return DemoLoad(branches.inserted, len(stored.ids), stored.skipped, _add_demo_users(ctx))


VERIFIED_AFTER = timedelta(days=60)
DONE_AFTER = timedelta(days=21)


def _settle_demo_actions(ctx: AppContext, data: demo.DemoData) -> None:
    """A year of audits whose every action is still open would make the Overview's overdue
    count absurd: the demo's branches worked through their past. Actions of visits more than
    60 days before the demo's last visit are verified, more than 21 days done; the recent
    ones stay open (and a few are overdue, as in life)."""
    last = max(record.visit.visited_at for record in data.audits)
    settle_history(
        ctx,
        verified_before=last - VERIFIED_AFTER,
        done_before=last - DONE_AFTER,
        by="demo",
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


def demo_logins(ctx: AppContext) -> list[tuple[str, str, str]]:
    """(user name, password, role) of the demo accounts whose published password still
    works: the log-in page offers them, and stops once someone changes them."""
    from audit_app.services.users import still_has_password

    return [
        (username, password, role)
        for username, role, _areas, password in DEMO_USERS
        if still_has_password(ctx, username, password)
    ]
