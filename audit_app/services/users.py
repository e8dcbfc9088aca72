"""Users: add, list, change passwords, disable, and check a log-in.

Passwords are hashed with argon2id (argon2-cffi) and never stored, logged or returned; a
log-in answer does not say whether the name or the password was wrong.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from audit_app.domain.bounds import OutOfBounds
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _, ngettext
from audit_app.services import activity, sessions, throttling
from audit_app.services.access import check_head_office
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.storage import database, user_store
from audit_app.storage.repository import utcnow

MIN_PASSWORD = 8
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuditAppError(
            _("a password needs at least {count} characters").format(count=MIN_PASSWORD)
        )
    return password


def _known_areas(ctx: AppContext, areas: Sequence[str]) -> tuple[str, ...]:
    """The areas as the branch list spells them; an unknown area is refused, not guessed."""
    known = {branch.area.casefold(): branch.area for branch in list_branches(ctx) if branch.area}
    unknown = [area for area in areas if area.strip().casefold() not in known]
    if unknown:
        listed = ", ".join(sorted(set(known.values()))) or _("none yet")
        raise AuditAppError(
            ngettext(
                "unknown area {areas} (known areas: {known})",
                "unknown areas {areas} (known areas: {known})",
                len(unknown),
            ).format(areas=", ".join(unknown), known=listed)
        )
    return tuple(dict.fromkeys(known[area.strip().casefold()] for area in areas))


def add_user(
    ctx: AppContext,
    username: str,
    role: str,
    password: str,
    *,
    areas: Sequence[str] = (),
    display_name: str = "",
) -> User:
    check_head_office(ctx, N_("add users"))
    try:
        display_name = ctx.settings.bounds.name(display_name, "the display name")
    except OutOfBounds as error:
        raise error.within(f"user {username!r}") from None
    try:
        user = User(
            username=username,
            display_name=display_name,
            role=Role(role),
            areas=_known_areas(ctx, areas),
        )
    except ValueError as error:  # ValidationError and an unknown role
        raise AuditAppError(
            _("user {user}: {reason}").format(user=repr(username), reason=_reason(error))
        ) from None
    password_hash = _hasher.hash(_checked_password(password))
    try:
        with database.transaction(ctx.engine) as conn:
            if user_store.find(conn, username) is not None:
                raise AuditAppError(_exists(username))
            user_store.add(conn, user, password_hash)
    except IntegrityError:
        raise AuditAppError(_exists(username)) from None
    activity.record(ctx, "user", username, change="added", role=user.role.value)
    return user


def _exists(username: str) -> str:
    return _("a user named {user} already exists").format(user=repr(username))


def _no_user(username: str) -> str:
    return _("no user named {user}").format(user=repr(username))


def _reason(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        return f"{field}: {message}" if field else message
    allowed = ", ".join(role.value for role in Role)
    return _("{problem} (roles: {roles})").format(problem=error, roles=allowed)


def list_users(ctx: AppContext) -> list[User]:
    check_head_office(ctx, N_("list users"))
    with database.snapshot(ctx.engine) as conn:
        return user_store.all_users(conn)


def set_password(ctx: AppContext, username: str, password: str) -> None:
    """A new password; every session of the user ends with the old one."""
    check_head_office(ctx, N_("set passwords"))
    password_hash = _hasher.hash(_checked_password(password))
    with database.transaction(ctx.engine) as conn:
        if not user_store.change(conn, username, password_hash=password_hash):
            raise AuditAppError(_no_user(username))
        ended = sessions.end_user_sessions(conn, username, sessions.NEW_PASSWORD)
    activity.record(ctx, "user", username, change="new password", sessions_ended=ended)


def disable_user(ctx: AppContext, username: str) -> None:
    """Stop a user from logging in; their open sessions end at their next click."""
    check_head_office(ctx, N_("disable users"))
    with database.transaction(ctx.engine) as conn:
        if not user_store.change(conn, username, active=False):
            raise AuditAppError(_no_user(username))
        ended = sessions.end_user_sessions(conn, username, sessions.DISABLED)
    activity.record(ctx, "user", username, change="disabled", sessions_ended=ended)


def authenticate(
    ctx: AppContext, username: str, password: str, *, address: str | None = None
) -> User | None:
    """The user when the name and password match an active account, else None; raises
    ``LogInThrottled`` (without looking at the password) after too many failures for this
    name or from this ``address``.

    An unknown name, a disabled account and a wrong password cost the same: one argon2 verify
    (against a dummy hash when there is no account) and the same writes. Every attempt goes
    to the activity log; a name that is no user's is not written down (people type their
    password into the name box).
    """
    attempt = throttling.keys(username, address)
    now = utcnow()
    with database.snapshot(ctx.engine) as conn:
        found = user_store.find(conn, username.strip())
        counts = throttling.read(conn, attempt)
    name = found[0].username if found is not None else "(unknown name)"
    where = {"address": address} if address else {}
    wait = throttling.wait_seconds(counts, now)
    if wait > 0:
        activity.record(
            ctx,
            "log-in refused",
            name,
            actor=name,
            why="throttled",
            wait_seconds=math.ceil(wait),
            **where,
        )
        raise throttling.LogInThrottled(wait)
    user, password_hash = found if found is not None else (None, _DUMMY_HASH)
    matches = _verify(password_hash, password)  # always exactly one verify
    why = _refusal(user, matches)
    with database.transaction(ctx.engine) as conn:
        if user is None or why:
            throttling.failed(conn, attempt, counts, now)
        else:
            if _hasher.check_needs_rehash(password_hash):
                user_store.change(conn, user.username, password_hash=_hasher.hash(password))
            user_store.logged_in(conn, user.username)
            throttling.succeeded(conn, attempt)
    if user is None or why:
        activity.record(ctx, "log-in refused", name, actor=name, why=why, **where)
        return None
    activity.record(ctx, "log-in", user.username, actor=user.username, method="password", **where)
    return user


def _refusal(user: User | None, matches: bool) -> str:
    """Why a checked attempt is refused ("" when it is not)."""
    if user is None:
        return "unknown user name"
    if not user.active:
        return "account disabled"
    return "" if matches else "wrong password"


def still_has_password(ctx: AppContext, username: str, password: str) -> bool:
    """Whether an active account still uses this password (the demo hint asks), without
    counting as a log-in."""
    with database.snapshot(ctx.engine) as conn:
        found = user_store.find(conn, username)
    return found is not None and found[0].active and _verify(found[1], password)


def trusted_user(ctx: AppContext, header_values: Sequence[str]) -> User | None:
    """The active user a single-sign-on proxy vouched for, or None; no password asked.

    The name must be exactly a user's (no trimming, no case-folding: the proxy sends it as
    its identity provider has it), and the header must come once: a second copy means the
    proxy passed on one the client sent, so neither is believed.
    """
    if len(header_values) != 1:
        if header_values:
            activity.record(
                ctx,
                "log-in refused",
                "(single sign-on)",
                actor="(single sign-on)",
                why="header sent more than once",
                copies=len(header_values),
            )
        return None
    with database.transaction(ctx.engine) as conn:
        found = user_store.find_exact(conn, header_values[0])
        if found is None or not found.active:
            return None
        user_store.logged_in(conn, found.username)
    activity.record(ctx, "log-in", found.username, actor=found.username, method="single sign-on")
    return found


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def enable_user(ctx: AppContext, username: str) -> None:
    """Let a disabled user log in again (with the password they had)."""
    check_head_office(ctx, N_("enable users"))
    with database.transaction(ctx.engine) as conn:
        if not user_store.change(conn, username, active=True):
            raise AuditAppError(_no_user(username))
    activity.record(ctx, "user", username, change="enabled")


def last_logins(ctx: AppContext) -> dict[str, datetime | None]:
    """Username -> when they last logged in (None: never), for the admin's user list."""
    check_head_office(ctx, N_("list users"))
    from sqlalchemy import select

    from audit_app.storage.tables import users

    with database.snapshot(ctx.engine) as conn:
        rows = conn.execute(select(users.c.username, users.c.last_login_at))
        return {row.username: row.last_login_at for row in rows}


def known_areas(ctx: AppContext) -> list[str]:
    """The areas an area manager can be given: those the branch list names."""
    return sorted({branch.area for branch in list_branches(ctx) if branch.area})


def hash_matches(password_hash: str, password: str) -> bool:
    """Whether a stored hash is of this password (the demo's published ones are checked so;
    callers remember the answer by hash, argon2 being slow on purpose)."""
    return _verify(password_hash, password)
