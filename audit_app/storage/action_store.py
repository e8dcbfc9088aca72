"""Corrective actions and their change events in the database (SQLAlchemy Core)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from audit_app.storage import ledger
from audit_app.storage.repository import branch_stamp, utcnow
from audit_app.storage.tables import action_events, audits, branches, corrective_actions

NEW_ACTION_COLUMNS = (
    "audit_id",
    "branch_id",
    "checklist_id",
    "item_id",
    "critical",
    "score",
    "due_on",
    "owner",
    "status",
    "created_at",
    "updated_at",
)
OPEN_STATUSES = ("open", "in_progress")


def insert_actions(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert new actions (``NEW_ACTION_COLUMNS`` tuples) with the driver's executemany.

    A demo load creates about 20,000 actions in one go; Core with dictionaries took several
    times longer. The column types' own bind processors keep dates in SQLAlchemy's format.
    """
    if not rows:
        return
    processors = [
        corrective_actions.c[name].type.bind_processor(conn.dialect) for name in NEW_ACTION_COLUMNS
    ]
    if any(processors):
        rows = [
            tuple(p(v) if p else v for p, v in zip(processors, row, strict=True)) for row in rows
        ]
    before = conn.execute(select(func.max(corrective_actions.c.id))).scalar() or 0
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {corrective_actions.name} ({', '.join(NEW_ACTION_COLUMNS)}) "
        f"VALUES ({', '.join(marker for _ in NEW_ACTION_COLUMNS)})"
    )
    conn.exec_driver_sql(sql, list(rows))
    ledger.seal_where(conn, corrective_actions, corrective_actions.c.id > before)


def branch_managers(conn: Connection) -> dict[str, str]:
    """Branch code -> manager: the default owner of a branch's actions."""
    return {
        code: manager for code, manager in conn.execute(select(branches.c.code, branches.c.manager))
    }


def _joined() -> Any:
    return corrective_actions.join(branches, corrective_actions.c.branch_id == branches.c.id).join(
        audits, corrective_actions.c.audit_id == audits.c.id
    )


_COLUMNS = (
    *corrective_actions.c,
    branches.c.code.label("branch_code"),
    branches.c.name.label("branch_name"),
    branches.c.area.label("branch_area"),
    branches.c.region.label("region"),
    audits.c.checklist_version.label("checklist_version"),
    audits.c.visited_at.label("visited_at"),
)


def action_rows(
    conn: Connection,
    *,
    areas: Sequence[str] | None = None,
    status: Sequence[str] | None = None,
    branch_code: str | None = None,
    overdue_on: date | None = None,
    action_id: int | None = None,
    audit_id: int | None = None,
) -> list[dict[str, Any]]:
    """Actions with their branch and audit, most urgent first (earliest due, critical first).

    ``areas`` limits to those areas (None: every area); ``overdue_on`` keeps the actions still
    open or in progress that were due before that day.
    """
    query = select(*_COLUMNS).select_from(_joined())
    if areas is not None:
        query = query.where(branches.c.area.in_(list(areas)))
    if status:
        query = query.where(corrective_actions.c.status.in_(list(status)))
    if branch_code:
        query = query.where(func.lower(branches.c.code) == branch_code.strip().lower())
    if overdue_on is not None:
        query = query.where(
            and_(
                corrective_actions.c.status.in_(OPEN_STATUSES),
                corrective_actions.c.due_on < overdue_on,
            )
        )
    if action_id is not None:
        query = query.where(corrective_actions.c.id == action_id)
    if audit_id is not None:
        query = query.where(corrective_actions.c.audit_id == audit_id)
    query = query.order_by(
        corrective_actions.c.due_on,
        corrective_actions.c.critical.desc(),
        corrective_actions.c.id,
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def count_overdue(
    conn: Connection,
    today: date,
    areas: Sequence[str] | None = None,
    *,
    region: str | None = None,
    country: str | None = None,
    checklist_id: str | None = None,
) -> int:
    """Actions still open or in progress that were due before ``today``."""
    query = (
        select(func.count())
        .select_from(_joined())
        .where(
            corrective_actions.c.status.in_(OPEN_STATUSES),
            corrective_actions.c.due_on < today,
        )
    )
    if areas is not None:
        query = query.where(branches.c.area.in_(list(areas)))
    if region:
        query = query.where(branches.c.region == region)
    if country:
        query = query.where(branches.c.country == country.upper())
    if checklist_id:
        query = query.where(corrective_actions.c.checklist_id == checklist_id)
    return int(conn.execute(query).scalar_one())


def update_action(
    conn: Connection,
    action_id: int,
    changes: dict[str, tuple[Any, Any]],
    by: str | None,
    at: datetime | None = None,
) -> None:
    """Apply ``field -> (old, new)`` and record one event per field, in the caller's
    transaction (so a change and its record are written together or not at all)."""
    if not changes:
        return
    ledger.check_unchanged(conn, corrective_actions, [action_id])
    at = at or utcnow()
    conn.execute(
        update(corrective_actions)
        .where(corrective_actions.c.id == action_id)
        .values(
            {name: new for name, (_old, new) in changes.items()}
            | {"updated_at": at, "updated_by": by}
        )
    )
    events = conn.execute(
        insert(action_events).returning(action_events.c.id, sort_by_parameter_order=True),
        [
            {
                "action_id": action_id,
                "at": at,
                "by": by,
                "field": name,
                "old": _text(old),
                "new": _text(new),
            }
            for name, (old, new) in changes.items()
        ],
    ).scalars()
    ledger.seal(conn, corrective_actions, [action_id])
    ledger.seal(conn, action_events, list(events))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def event_rows(conn: Connection, action_id: int) -> list[dict[str, Any]]:
    query = (
        select(action_events)
        .where(action_events.c.action_id == action_id)
        .order_by(action_events.c.at, action_events.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def unverified_for_items(
    conn: Connection, audit_id: int, item_ids: Iterable[str]
) -> list[dict[str, Any]]:
    """The audit's actions on these items that are not verified yet."""
    wanted = list(item_ids)
    if not wanted:
        return []
    query = select(corrective_actions.c.id, corrective_actions.c.status).where(
        corrective_actions.c.audit_id == audit_id,
        corrective_actions.c.item_id.in_(wanted),
        corrective_actions.c.status != "verified",
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def audit_action_states(conn: Connection, audit_id: int) -> list[dict[str, Any]]:
    """Every action of one audit (id, item id, status, note), whatever its status, oldest first."""
    query = (
        select(
            corrective_actions.c.id,
            corrective_actions.c.item_id,
            corrective_actions.c.status,
            corrective_actions.c.note,
        )
        .where(corrective_actions.c.audit_id == audit_id)
        .order_by(corrective_actions.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def close_actions(
    conn: Connection,
    rows: Iterable[dict[str, Any]],
    status: str,
    note: str,
    by: str | None,
    at: datetime | None = None,
) -> int:
    """Give these actions (``id``, ``status``, ``note``) ``status`` and add ``note`` to their
    notes, each with its events (:func:`update_action`), in the caller's transaction."""
    at = at or utcnow()
    count = 0
    for row in rows:
        old_note = row.get("note")
        new_note = f"{old_note}\n{note}" if old_note else note
        changes: dict[str, tuple[Any, Any]] = {"note": (old_note, new_note)}
        if row["status"] != status:
            changes = {"status": (row["status"], status)} | changes
        update_action(conn, row["id"], changes, by, at)
        count += 1
    return count


def close_before(
    conn: Connection, visited_before: datetime, status: str, by: str, at: datetime
) -> int:
    """Give every open action of audits visited before a moment ``status`` (demo history)."""
    old_audits = select(audits.c.id).where(audits.c.visited_at < visited_before)
    ids = list(
        conn.execute(
            select(corrective_actions.c.id).where(
                corrective_actions.c.status.in_(OPEN_STATUSES),
                corrective_actions.c.audit_id.in_(old_audits),
            )
        ).scalars()
    )
    ledger.check_unchanged(conn, corrective_actions, ids)
    for start in range(0, len(ids), ledger.CHUNK):
        conn.execute(
            update(corrective_actions)
            .where(corrective_actions.c.id.in_(ids[start : start + ledger.CHUNK]))
            .values(status=status, updated_at=at, updated_by=by)
        )
    ledger.seal(conn, corrective_actions, ids)
    return len(ids)


def postpone_open(
    conn: Connection, audit_ids: Sequence[int], days: int, by: str, at: datetime
) -> int:
    """Move the due dates of these audits' open actions ``days`` later (a demo loaded after
    its own day); one update per distinct due date, sealed like every change."""
    if days <= 0 or not audit_ids:
        return 0
    ids: list[int] = []
    by_due: dict[date, list[int]] = {}
    wanted = list(audit_ids)
    for start in range(0, len(wanted), ledger.CHUNK):
        for action_id, due_on in conn.execute(
            select(corrective_actions.c.id, corrective_actions.c.due_on).where(
                corrective_actions.c.status.in_(OPEN_STATUSES),
                corrective_actions.c.audit_id.in_(wanted[start : start + ledger.CHUNK]),
            )
        ):
            ids.append(action_id)
            by_due.setdefault(due_on, []).append(action_id)
    ledger.check_unchanged(conn, corrective_actions, ids)
    later = timedelta(days=days)
    for due_on, group in by_due.items():
        for start in range(0, len(group), ledger.CHUNK):
            conn.execute(
                update(corrective_actions)
                .where(corrective_actions.c.id.in_(group[start : start + ledger.CHUNK]))
                .values(due_on=due_on + later, updated_at=at, updated_by=by)
            )
    ledger.seal(conn, corrective_actions, ids)
    return len(ids)


def stamp(conn: Connection) -> tuple[Any, ...]:
    """Changes whenever an action is added or changed, or a branch is (renamed, moved to
    another area or region, closed): a cache key for action lists, which show each action
    with its branch and narrow them by the branches' areas and regions."""
    actions_part = conn.execute(
        select(
            func.count(),
            func.max(corrective_actions.c.id),
            func.max(corrective_actions.c.updated_at),
        ).select_from(corrective_actions)
    ).one()
    return (*actions_part, *branch_stamp(conn))
