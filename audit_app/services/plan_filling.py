"""Submitted visits fill the slots of published plans by themselves, in the transaction that
stores them (a submission, an import, or a plan published after some visits were made).

An audit fills the open slot of a published plan with the same branch and checklist, a
matching channel (a slot without one takes any, a visit without one fills any) and the
visit's day inside the plan's period; of those, the one planned nearest the visit (the
earlier on a tie). A follow-up
(it re-checks only failed items) and a self-assessment fill nothing. A revision keeps the
audit's id, so it keeps its slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from audit_app.domain.audit import AuditKind
from audit_app.storage import plan_store
from audit_app.storage.repository import utcnow

NOT_PLANNED_KINDS = frozenset({AuditKind.FOLLOW_UP.value, AuditKind.SELF_ASSESSMENT.value})


def fill_slots(conn: Connection, audit_ids: Iterable[int]) -> list[tuple[int, int]]:
    """Fill the best open slot for each new submitted audit among ``audit_ids`` (drafts and
    audits already filling a slot are passed over); returns (slot id, audit id) pairs."""
    if not plan_store.has_published_plans(conn):
        return []
    placed = [
        row
        for row in plan_store.audits_to_place(conn, audit_ids)
        if row["kind"] not in NOT_PLANNED_KINDS
    ]
    if not placed:
        return []
    slots = plan_store.open_published_slots(
        conn, {row["branch_id"] for row in placed}, {row["checklist_id"] for row in placed}
    )
    pairs: list[tuple[int, int]] = []
    now = utcnow()
    for row in placed:  # oldest visit first: it takes the earliest fitting slot
        while (best := best_slot(row, slots)) is not None:
            slots.remove(best)
            if plan_store.fill(conn, best["id"], row["id"], now):
                pairs.append((best["id"], row["id"]))
                break
            # taken by a submission committed meanwhile: the next best slot, if any
    return pairs


def best_slot(audit: dict[str, Any], slots: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The open slot ``audit`` fills, if any: nearest planned day first."""
    day: date = audit["visited_at"].date()
    fitting = [
        slot
        for slot in slots
        if slot["branch_id"] == audit["branch_id"]
        and slot["checklist_id"] == audit["checklist_id"]
        and _channels_match(slot["channel"], audit["channel"])
        and slot["starts_on"] <= day <= slot["ends_on"]
    ]
    if not fitting:
        return None
    return min(fitting, key=lambda s: (abs((s["planned_on"] - day).days), s["planned_on"], s["id"]))


def _channels_match(planned: str | None, made: str | None) -> bool:
    """A slot without a channel takes any visit; a visit without one fills any slot."""
    return planned is None or made is None or planned == made
