"""Users: add, list, change passwords, disable, and check a log-in.

Passwords are hashed with argon2id (argon2-cffi) and never stored, logged or returned; a
log-in answer does not say whether the name or the password was wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError

from audit_app.domain.bounds import OutOfBounds
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services import activity
from audit_app.services.access import check_head_office
from audit_app.services.branches import list_branches
from audit_app.services.context import AppContext
from audit_app.storage import database, user_store

MIN_PASSWORD = 8
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def _checked_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AuditAppError(f"a password needs at least {MIN_PASSWORD} characters")
    return password


def _known_areas(ctx: AppContext, areas: Sequence[str]) -> tuple[str, ...]:
    """The areas as the branch list spells them; an unknown area is refused, not guessed."""
    known = {branch.area.casefold(): branch.area for branch in list_branches(ctx) if branch.area}
    unknown = [area for area in areas if area.strip().casefold() not in known]
    if unknown:
        listed = ", ".join(sorted(set(known.values()))) or "none yet"
        raise AuditAppError(f"unknown area(s) {', '.join(unknown)} (known areas: {listed})")
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
    check_head_office(ctx, "add users")
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
        raise AuditAppError(f"user {username!r}: {_reason(error)}") from None
    password_hash = _hasher.hash(_checked_password(password))
    try:
        with database.transaction(ctx.engine) as conn:
            if user_store.find(conn, username) is not None:
                raise AuditAppError(f"a user named {username!r} already exists")
            user_store.add(conn, user, password_hash)
    except IntegrityError:
        raise AuditAppError(f"a user named {username!r} already exists") from None
    activity.record(ctx, "user", username, change="added", role=user.role.value)
    return user


def _reason(error: ValueError) -> str:
    if isinstance(error, ValidationError):
        first = error.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        return f"{field}: {message}" if field else message
    allowed = ", ".join(role.value for role in Role)
    return f"{error} (roles: {allowed})"


def list_users(ctx: AppContext) -> list[User]:
    check_head_office(ctx, "list users")
    with database.snapshot(ctx.engine) as conn:
        return user_store.all_users(conn)


def set_password(ctx: AppContext, username: str, password: str) -> None:
    check_head_office(ctx, "set passwords")
    password_hash = _hasher.hash(_checked_password(password))
    with database.transaction(ctx.engine) as conn:
        if not user_store.change(conn, username, password_hash=password_hash):
            raise AuditAppError(f"no user named {username!r}")
    activity.record(ctx, "user", username, change="new password")


def disable_user(ctx: AppContext, username: str) -> None:
    check_head_office(ctx, "disable users")
    with database.transaction(ctx.engine) as conn:
        if not user_store.change(conn, username, active=False):
            raise AuditAppError(f"no user named {username!r}")
    activity.record(ctx, "user", username, change="disabled")


def authenticate(ctx: AppContext, username: str, password: str) -> User | None:
    """The user when the name and password match an active account, else None.

    An unknown name still costs one hash check, so timing does not tell which names exist.
    Every attempt goes to the activity log; a name that is no user's is not written down
    (people type their password into the name box).
    """
    with database.transaction(ctx.engine) as conn:
        found = user_store.find(conn, username.strip())
        if found is None:
            _verify(_DUMMY_HASH, password)
            user, why = None, "unknown user name"
        else:
            user, password_hash = found
            if not user.active:
                user, why = None, "account disabled"
            elif not _verify(password_hash, password):
                user, why = None, "wrong password"
            else:
                if _hasher.check_needs_rehash(password_hash):
                    user_store.change(conn, user.username, password_hash=_hasher.hash(password))
                user_store.logged_in(conn, user.username)
    if user is None:
        name = found[0].username if found is not None else "(unknown name)"
        activity.record(ctx, "log-in refused", name, actor=name, why=why)
        return None
    activity.record(ctx, "log-in", user.username, actor=user.username, method="password")
    return user


def still_has_password(ctx: AppContext, username: str, password: str) -> bool:
    """Whether an active account still uses this password (the demo hint asks), without
    counting as a log-in."""
    with database.snapshot(ctx.engine) as conn:
        found = user_store.find(conn, username)
    return found is not None and found[0].active and _verify(found[1], password)


def trusted_user(ctx: AppContext, username: str) -> User | None:
    """The active user a single-sign-on proxy vouched for, or None; no password asked."""
    with database.transaction(ctx.engine) as conn:
        found = user_store.find(conn, username.strip())
        if found is None or not found[0].active:
            return None
        user_store.logged_in(conn, found[0].username)
    name = found[0].username
    activity.record(ctx, "log-in", name, actor=name, method="single sign-on")
    return found[0]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def enable_user(ctx: AppContext, username: str) -> None:
    """Let a disabled user log in again (with the password they had)."""
    check_head_office(ctx, "enable users")
    with database.transaction(ctx.engine) as conn:
        if not user_store.change(conn, username, active=True):
            raise AuditAppError(f"no user named {username!r}")
    activity.record(ctx, "user", username, change="enabled")


def last_logins(ctx: AppContext) -> dict[str, datetime | None]:
    """Username -> when they last logged in (None: never), for the admin's user list."""
    check_head_office(ctx, "list users")
    from sqlalchemy import select

    from audit_app.storage.tables import users

    with database.snapshot(ctx.engine) as conn:
        rows = conn.execute(select(users.c.username, users.c.last_login_at))
        return {row.username: row.last_login_at for row in rows}


def known_areas(ctx: AppContext) -> list[str]:
    """The areas an area manager can be given: those the branch list names."""
    return sorted({branch.area for branch in list_branches(ctx) if branch.area})
