"""The command line's identity.

The command line is the operator's tool on the server: it acts as head office (its context
has no user, and sees and may change everything) and the activity log names it "command
line". Where a command records who did the work (``audits revise|appeal|resolve --by``),
the name must be an existing user's; the log keeps it as given, marked as coming from the
command line, so it is never mistaken for that user's own log-in.
"""

from __future__ import annotations

from audit_app.errors import AuditAppError
from audit_app.services.context import AppContext
from audit_app.storage import database, user_store


class UnknownActor(AuditAppError):
    """``--by`` named nobody who has an account."""


def named_user(ctx: AppContext, by: str | None) -> str | None:
    """The user name ``by`` gives, as stored; None when not given; refused when no user
    has it."""
    if by is None:
        return None
    name = by.strip()
    with database.snapshot(ctx.engine) as conn:
        found = user_store.find(conn, name) if name else None
    if found is None:
        raise UnknownActor(
            f"--by {name!r}: no user has that name; --by names an existing user "
            "(see audit-app users list)"
        )
    return found[0].username
