"""The activity log for head office: who logged in, submitted, imported, corrected, and when.

Every entry is also one structured log line (logger ``audit_app.activity``, JSON) for the
operator's log collection. Entries name people, files and audits, never a secret: callers
pass only plain facts, and any detail whose name speaks of a password, token or secret is
dropped before it is written anywhere.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from audit_app.i18n import N_, _
from audit_app.services.access import check_head_office
from audit_app.services.context import AppContext
from audit_app.storage import activity_store, database
from audit_app.storage.repository import CHECKLIST_REPLACED, utcnow

ACTIONS = (
    "log-in",
    "log-in refused",
    "submission",
    "import",
    "revision",
    "appeal",
    "appeal resolved",
    "user",
    "restore",
    "mapping profile",
    "visit plan",
    CHECKLIST_REPLACED,
    "auditor",
)
ACTION_LABELS = {
    "log-in": N_("Log-in"),
    "log-in refused": N_("Log-in refused"),
    "submission": N_("Submission"),
    "import": N_("Import"),
    "revision": N_("Correction"),
    "appeal": N_("Appeal"),
    "appeal resolved": N_("Appeal resolved"),
    "user": N_("User change"),
    "restore": N_("Restore"),
    "mapping profile": N_("Mapping profile"),
    "visit plan": N_("Visit plan"),
    CHECKLIST_REPLACED: N_("Checklist version replaced"),
    "auditor": N_("Auditor change"),
}
COMMAND_LINE = "command line"
_SECRET_WORDS = ("password", "token", "secret", "hash", "key")
logger = logging.getLogger("audit_app.activity")


def action_label(action: str) -> str:
    """An activity as people say it, in the current language (the stored code is English)."""
    word = ACTION_LABELS.get(action)
    return _(word) if word is not None else action


@dataclass(frozen=True)
class Activity:
    at: datetime
    """UTC."""
    actor: str | None
    action: str
    subject: str
    detail: dict[str, Any]


def record(
    ctx: AppContext, action: str, subject: str, *, actor: str | None = None, **detail: Any
) -> None:
    """Write one entry (after the work it describes has committed). A failure to write it
    is logged, never raised: the user's work is done and must not look failed."""
    assert action in ACTIONS, action
    who = actor if actor is not None else (ctx.user.username if ctx.user else COMMAND_LINE)
    facts = {k: _plain(v) for k, v in detail.items() if not _secret(k)}
    at = utcnow()
    logger.info(
        json.dumps(
            {"at": at.isoformat(timespec="seconds"), "actor": who, "action": action}
            | {"subject": subject, **facts},
            ensure_ascii=False,
        )
    )
    try:
        with database.transaction(ctx.engine) as conn:
            activity_store.add(conn, at=at, actor=who, action=action, subject=subject, detail=facts)
    except SQLAlchemyError as error:
        logger.warning("the activity log could not be written: %s", type(error).__name__)


def acting(ctx: AppContext, by: str | None) -> dict[str, Any]:
    """Who an entry names for work done "by" someone: the logged-in user when there is one;
    on the command line the user ``--by`` named, marked as given there (``via``)."""
    if ctx.user is not None:
        return {"actor": ctx.user.username}
    if by:
        return {"actor": by, "via": COMMAND_LINE}
    return {"actor": COMMAND_LINE}


def list_activity(
    ctx: AppContext,
    *,
    actions: tuple[str, ...] = (),
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[Activity]:
    """The newest entries first; head office only."""
    check_head_office(ctx, N_("read the activity log"))
    with database.snapshot(ctx.engine) as conn:
        found = activity_store.rows(conn, actions=actions, actor=actor, since=since, limit=limit)
    return [
        Activity(r["at"], r["actor"], r["action"], r["subject"], dict(r["detail"] or {}))
        for r in found
    ]


def _secret(name: str) -> bool:
    return any(word in name.lower() for word in _SECRET_WORDS)


def _plain(value: Any) -> Any:
    """JSON-friendly: numbers, text, booleans, lists of them; anything else as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)
