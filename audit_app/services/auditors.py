"""Auditors as people: listed, added (never twice under one key, and near misses only on
purpose), changed, merged, and resolved from a typed name when a visit is stored.

A merge is one transaction: the audits and planned visits move, the source is marked
merged, and the activity log says so. The sealed name on each audit never changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine

from audit_app.domain.auditors import (
    DEFAULT_KIND,
    Auditor,
    AuditorDirectory,
    AuditorKind,
    display_name,
    name_key,
    near_misses,
)
from audit_app.domain.bounds import OutOfBounds
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.i18n import N_, _, ngettext
from audit_app.services import activity
from audit_app.services.access import check_head_office
from audit_app.services.context import AppContext
from audit_app.storage import activity_store, auditor_store, database
from audit_app.storage.repository import utcnow

EMAIL_CHARS = 320


class AuditorCode(StrEnum):
    """Why an auditor change was refused (callers branch on these, never on the text)."""

    EXISTS = "auditor_exists"
    NEAR_MISS = "auditor_near_miss"
    UNKNOWN = "auditor_unknown"
    INVALID = "auditor_invalid"
    MERGE_SELF = "auditor_merge_self"


class AuditorRefused(AuditAppError):
    """An auditor change the rules do not allow, with its code (and, for a near miss, the
    names it is close to)."""

    def __init__(self, code: AuditorCode, message: str, near: Sequence[str] = ()) -> None:
        self.code = code
        self.near = tuple(near)
        super().__init__(message)


@dataclass(frozen=True)
class MergeResult:
    source: Auditor
    into: Auditor
    audits_moved: int
    planned_visits_moved: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source.to_dict(),
            "into": self.into.to_dict(),
            "audits_moved": self.audits_moved,
            "planned_visits_moved": self.planned_visits_moved,
        }


# --------------------------------------------------------------------------- reading


def list_auditors(ctx: AppContext, *, include_inactive: bool = False) -> list[Auditor]:
    """The auditors people choose from: not merged, active unless asked; by name."""
    with database.snapshot(ctx.engine) as conn:
        found = auditor_store.all_auditors(conn)
    return [a for a in found if a.active or include_inactive]


def audit_counts(ctx: AppContext) -> dict[int, int]:
    """{auditor id: the audits linked to that auditor} (head office's list; what a merge
    moves)."""
    check_head_office(ctx, N_("manage auditors"))
    with database.snapshot(ctx.engine) as conn:
        return auditor_store.audit_count(conn)


def auditor_names(ctx: AppContext) -> list[str]:
    """The active auditors' names (the form's list, the template's dropdown)."""
    return [a.name for a in list_auditors(ctx)]


@dataclass(frozen=True)
class Choices:
    """What the visit form offers: names (the user's own auditor first), and the
    directory a typed new name is checked against."""

    names: tuple[str, ...]
    directory: AuditorDirectory
    own: str | None = None


def form_choices(ctx: AppContext) -> Choices:
    """The active auditors an auditor field offers: the signed-in user's own first, then
    by name; an area manager sees those who visit anywhere or in one of her areas."""
    with database.snapshot(ctx.engine) as conn:
        people = directory(conn)
        active = [a for a in auditor_store.all_auditors(conn) if a.active]
    user = ctx.user
    own = None
    if user is not None:
        own = next((a for a in active if (a.username or "").lower() == user.username.lower()), None)
        if user.areas and user.role == Role.AREA_MANAGER:
            mine = set(user.areas)
            active = [a for a in active if not a.areas or mine & set(a.areas) or a == own]
    names = [a.name for a in active if a != own]
    return Choices(tuple([own.name, *names] if own else names), people, own.name if own else None)


def own_auditor(ctx: AppContext) -> Auditor | None:
    """The signed-in user's own auditor, where one names the user."""
    if ctx.user is None:
        return None
    with database.snapshot(ctx.engine) as conn:
        return auditor_store.by_username(conn, ctx.user.username)


def find_auditor(ctx: AppContext, ref: str) -> Auditor:
    """An auditor by id (``#12`` or ``12``) or by name (its key)."""
    with database.snapshot(ctx.engine) as conn:
        return _find(conn, ref)


def _find(conn: Connection, ref: str) -> Auditor:
    plain = ref.strip().removeprefix("#")
    found = auditor_store.get(conn, int(plain)) if plain.isdigit() else None
    if found is None:
        found = auditor_store.by_key(conn, ref)
    if found is None:
        raise AuditorRefused(
            AuditorCode.UNKNOWN, _("no auditor named {name}").format(name=repr(ref))
        )
    return found


def directory(conn: Connection) -> AuditorDirectory:
    """Every known key, and the active people's names, for checking typed names."""
    every = auditor_store.all_auditors(conn, include_merged=True)
    return AuditorDirectory(
        frozenset(auditor_store.stored_key(a.name) for a in every),
        tuple(a.name for a in every if a.merged_into is None and a.active),
    )


def check_name(name: str, known: Iterable[str]) -> list[str]:
    """The known names the typed one may be a misspelling of (for the form's warning)."""
    return near_misses(name, known)


# --------------------------------------------------------------------------- writing


def add_auditor(
    ctx: AppContext,
    name: str,
    *,
    kind: str = DEFAULT_KIND.value,
    organisation: str = "",
    email: str = "",
    username: str | None = None,
    areas: Sequence[str] = (),
    force: bool = False,
) -> Auditor:
    """A new auditor. A name whose key is taken is refused, naming the auditor who has it;
    a near miss of another auditor's name is refused unless ``force``."""
    check_head_office(ctx, N_("add auditors"))
    values = _checked(ctx, name=name, kind=kind, organisation=organisation, email=email)
    with database.transaction(ctx.engine) as conn:
        _refuse_taken(conn, values["name"])
        if not force:
            _refuse_near(conn, values["name"])
        auditor_id = auditor_store.add(
            conn,
            values["name"],
            kind=values["kind"],
            organisation=values["organisation"],
            email=values["email"],
            username=username or None,
            areas=tuple(areas),
        )
        added = auditor_store.get(conn, auditor_id)
    assert added is not None
    activity.record(ctx, "auditor", added.name, change="added", kind=added.kind.value)
    return added


def update_auditor(
    ctx: AppContext,
    ref: str,
    *,
    name: str | None = None,
    kind: str | None = None,
    organisation: str | None = None,
    email: str | None = None,
    username: str | None = None,
    areas: Sequence[str] | None = None,
    active: bool | None = None,
) -> Auditor:
    """Change an auditor's fields (a new name may not take another auditor's key)."""
    check_head_office(ctx, N_("change auditors"))
    values = _checked(ctx, name=name, kind=kind, organisation=organisation, email=email)
    if username is not None:
        values["username"] = username or None
    if areas is not None:
        values["areas"] = tuple(areas)
    if active is not None:
        values["active"] = active
    with database.transaction(ctx.engine) as conn:
        auditor = _find(conn, ref)
        if "name" in values:
            taken = auditor_store.by_key(conn, values["name"])
            if taken is not None and taken.id != auditor.id:
                raise _taken(values["name"], taken)
        auditor_store.change(conn, auditor.id, **values)
        changed = auditor_store.get(conn, auditor.id)
    assert changed is not None
    activity.record(
        ctx, "auditor", changed.name, change="changed", fields=sorted(values), id=changed.id
    )
    return changed


def merge_auditors(
    ctx: AppContext, source: str, into: str, *, by: str | None = None
) -> MergeResult:
    """One person under two names: every audit and planned visit of ``source`` moves to
    ``into``, the source is kept (merged, inactive) so its name still resolves to ``into``."""
    check_head_office(ctx, N_("merge auditors"))
    who = activity.acting(ctx, by)
    with database.transaction(ctx.engine) as conn:
        moved_from = _find(conn, source)
        kept = auditor_store.final(conn, _find(conn, into))
        if auditor_store.final(conn, moved_from).id == kept.id:
            raise AuditorRefused(
                AuditorCode.MERGE_SELF,
                _("{source} is already {into}: nothing to merge").format(
                    source=repr(moved_from.name), into=repr(kept.name)
                ),
            )
        audits_moved, planned_moved = auditor_store.merge(conn, moved_from.id, kept.id)
        activity_store.add(
            conn,
            at=utcnow(),
            actor=who["actor"],
            action="auditor",
            subject=moved_from.name,
            detail={
                "change": "merged",
                "into": kept.name,
                "into_id": kept.id,
                "audits_moved": audits_moved,
                "planned_visits_moved": planned_moved,
                **({"via": who["via"]} if "via" in who else {}),
            },
        )
        merged = auditor_store.get(conn, moved_from.id)
    assert merged is not None
    return MergeResult(merged, kept, audits_moved, planned_moved)


def _checked(
    ctx: AppContext,
    *,
    name: str | None,
    kind: str | None,
    organisation: str | None,
    email: str | None,
) -> dict[str, Any]:
    bounds = ctx.settings.bounds
    values: dict[str, Any] = {}
    try:
        if name is not None:
            values["name"] = display_name(bounds.name(name, _("the auditor's name")))
            if not values["name"]:
                raise AuditorRefused(AuditorCode.INVALID, _("the auditor's name is missing"))
        if organisation is not None:
            values["organisation"] = bounds.name(organisation, _("the organisation"))
        if email is not None:
            values["email"] = bounds.name(email, _("the e-mail address"), limit=EMAIL_CHARS)
    except OutOfBounds as error:
        raise AuditorRefused(AuditorCode.INVALID, str(error)) from None
    if kind is not None:
        try:
            values["kind"] = AuditorKind(kind.strip().lower())
        except ValueError:
            raise AuditorRefused(
                AuditorCode.INVALID,
                _("unknown auditor kind {kind} (kinds: {kinds})").format(
                    kind=repr(kind), kinds=", ".join(k.value for k in AuditorKind)
                ),
            ) from None
    return values


def _refuse_taken(conn: Connection, name: str) -> None:
    taken = auditor_store.by_key(conn, name)
    if taken is not None:
        raise _taken(name, taken)


def _taken(name: str, taken: Auditor) -> AuditorRefused:
    if taken.merged_into is not None:
        message = _("{name} is already the auditor {auditor} (merged into #{into})").format(
            name=repr(name), auditor=repr(taken.name), into=taken.merged_into
        )
    else:
        message = _("{name} is already the auditor {auditor} (#{id})").format(
            name=repr(name), auditor=repr(taken.name), id=taken.id
        )
    return AuditorRefused(AuditorCode.EXISTS, message, (taken.name,))


def _refuse_near(conn: Connection, name: str) -> None:
    near = near_misses(name, [a.name for a in auditor_store.all_auditors(conn)])
    if near:
        raise AuditorRefused(AuditorCode.NEAR_MISS, near_miss_message(name, near), near)


def near_miss_message(name: str, near: Sequence[str]) -> str:
    """The question a near miss asks (a page redrawing the warning asks it again, in the
    session's language of the moment)."""
    return ngettext(
        "{name} is close to the auditor {auditors}: same person?",
        "{name} is close to the auditors {auditors}: same person?",
        len(near),
    ).format(name=repr(name), auditors=", ".join(repr(n) for n in near))


# --------------------------------------------------------------------------- linking visits


def resolve(conn_or_engine: Connection | Engine, name: str) -> tuple[int, list[str]]:
    """The auditor a typed name is: the one with its key (or the one that auditor was
    merged into); otherwise a new auditor (staff, see ``DEFAULT_KIND``) with the names
    it is close to, for a warning. Inside the caller's transaction when given one."""
    if isinstance(conn_or_engine, Engine):
        with database.transaction(conn_or_engine) as conn:
            return resolve(conn, name)
    conn = conn_or_engine
    found = auditor_store.by_key(conn, name)
    if found is not None:
        return auditor_store.final(conn, found).id, []
    near = near_misses(name, [a.name for a in auditor_store.all_auditors(conn)])
    return auditor_store.add(conn, name), near


def _auditor_id(conn: Connection, name: str) -> int:
    """:func:`resolve` without the near misses: linking stored audits warns no one, so it
    need not read every auditor and compare spellings for each new name."""
    found = auditor_store.by_key(conn, name)
    if found is not None:
        return auditor_store.final(conn, found).id
    return auditor_store.add(conn, name)


def link_audits(conn: Connection, audit_ids: Sequence[int], names: Sequence[str]) -> None:
    """Link new audits (ids and their auditors' names as written, in order) to their
    auditors, creating an auditor for a name met the first time; in the caller's
    transaction, so an audit is never stored unlinked."""
    by_key: dict[str, int] = {}
    linked: dict[int, list[int]] = {}
    for audit_id, name in zip(audit_ids, names, strict=True):
        key = name_key(name)
        if key not in by_key:
            by_key[key] = _auditor_id(conn, name)
        linked.setdefault(by_key[key], []).append(audit_id)
    auditor_store.link(conn, linked)


def link_unlinked(conn: Connection) -> int:
    """Link every audit that has no auditor yet (the demo loader, old data); returns how
    many audits were linked."""
    unlinked = auditor_store.unlinked_names(conn)
    ids = [audit_id for group in unlinked.values() for audit_id in group]
    names = [name for name, group in unlinked.items() for _audit in group]
    link_audits(conn, ids, names)
    return len(ids)


def link_all(engine: Engine) -> int:
    """:func:`link_unlinked` in its own transaction."""
    with database.transaction(engine) as conn:
        return link_unlinked(conn)
