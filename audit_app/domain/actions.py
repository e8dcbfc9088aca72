"""Corrective actions: which failed items need one, by when, and how an action may move.

Pure rules, no storage: an audit that finds a failure is only useful if someone fixes it by a
known date and someone checks, so these rules must be the same on every page and command.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from audit_app.domain.audit import Answer
from audit_app.domain.checklist import ActionDueDays, ActionPolicy, Checklist, Item
from audit_app.domain.scoring import ScoreCard
from audit_app.errors import AuditAppError
from audit_app.i18n import _

DEFAULT_CRITICAL_DAYS = ActionDueDays().critical
DEFAULT_OTHER_DAYS = ActionDueDays().other


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    VERIFIED = "verified"


CLOSED = frozenset({ActionStatus.DONE, ActionStatus.VERIFIED})
"""Nothing more to do by the branch: such an action is never overdue."""

MOVES: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.DONE}),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.OPEN, ActionStatus.DONE}),
    ActionStatus.DONE: frozenset(
        {ActionStatus.OPEN, ActionStatus.IN_PROGRESS, ActionStatus.VERIFIED}
    ),
    ActionStatus.VERIFIED: frozenset(),
}
"""Forward along open -> in_progress -> done -> verified (skipping in_progress is a close),
back to reopen a fix that did not hold; verified is final: a check was made."""


class ActionRuleBroken(AuditAppError):
    """A change the action's rules do not allow; the message says which and why."""


@dataclass(frozen=True)
class FailedItem:
    item_id: str
    critical: bool
    score: float


def parse_status(value: str) -> ActionStatus:
    try:
        return ActionStatus(value.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        known = ", ".join(s.value for s in ActionStatus)
        raise ActionRuleBroken(
            _("unknown status {value}; use one of {known}").format(value=repr(value), known=known)
        ) from None


def check_move(current: ActionStatus, wanted: ActionStatus) -> None:
    """Refuse a status change the workflow does not allow (staying the same is no change)."""
    if wanted == current or wanted in MOVES[current]:
        return
    if current == ActionStatus.VERIFIED:
        raise ActionRuleBroken(_("a verified action is final; a new failure gets a new action"))
    allowed = ", ".join(sorted(s.value for s in MOVES[current]))
    raise ActionRuleBroken(
        _("an action that is {current} can move to {allowed} only").format(
            current=current.value, allowed=allowed
        )
    )


def action_threshold(policy: ActionPolicy, item: Item) -> float:
    """The item score below which a failure of ``item`` opens an action (0: never).

    Every rule comes down to one threshold per item: ``always`` is full marks (1), ``never``
    0, an item's own ``{score_below: t}`` is t; under the policy, a critical item below full
    marks and a No on a yes/no item (its only score below 1) give 1, else the policy's
    ``score_below`` when that rule is on. So a whole chain's scores are judged at once.
    """
    own = item.action
    if own is not None and own.rule != "policy":
        if own.rule == "always":
            return 1.0
        if own.rule == "never":
            return 0.0
        return float(own.score_below or 0.0)
    if "critical_below_full" in policy.opens_on and item.critical:
        return 1.0
    if "no" in policy.opens_on and item.type == "yes_no":
        return 1.0
    return policy.score_below if "score_below" in policy.opens_on else 0.0


def opens_action(
    policy: ActionPolicy, item: Item, score: float | None, answer: Answer | None = None
) -> bool:
    """Does this answer open a corrective action? Never for N/A, unanswered or full marks;
    otherwise as the item's own rule or the checklist's policy says. A yes/no answer of No
    (``answer``, when given) counts as a No whatever its score."""
    if score is None or (answer is not None and answer.na):
        return False
    if (
        answer is not None
        and item.type == "yes_no"
        and answer.value is False
        and "no" in policy.opens_on
        and (item.action is None or item.action.rule == "policy")
    ):
        return True
    return score < 1 and score < action_threshold(policy, item)


def failed_items(
    checklist: Checklist, card: ScoreCard, answers: Mapping[str, Answer] | None = None
) -> list[FailedItem]:
    """The items whose answer opens an action under the checklist's policy (N/A and
    unanswered never do), critical ones first and otherwise in checklist order, as the
    branch should work through them."""
    policy = checklist.policy
    given = answers or {}
    failed = [
        FailedItem(item.id, item.critical, score)
        for item in checklist.items
        if (score := card.item_scores.get(item.id)) is not None
        and opens_action(policy, item, score, given.get(item.id))
    ]
    return sorted(failed, key=lambda f: not f.critical)  # stable: keeps checklist order


def due_days(checklist: Checklist, critical: bool) -> int:
    """Days to fix a failure: the policy's ``due_days`` (defaults 2 / 14)."""
    days = checklist.policy.due_days
    return days.critical if critical else days.other


def due_date(checklist: Checklist, critical: bool, found_on: date) -> date:
    """Counted from the day the failure was found (the visit), not the day it was typed in."""
    return found_on + timedelta(days=due_days(checklist, critical))


def is_overdue(due_on: date, status: ActionStatus, today: date) -> bool:
    """Due before today and not done: an action due today is still on time today."""
    return status not in CLOSED and due_on < today


OPEN_STATUSES = frozenset({ActionStatus.OPEN, ActionStatus.IN_PROGRESS})
"""Still to be fixed by the branch: a correction that passes the item closes these."""


@dataclass(frozen=True)
class ActionSync:
    """What a new revision of an audit does to the audit's actions."""

    create: tuple[FailedItem, ...]
    """Items failing now that have no action for the audit yet (critical first)."""
    close: tuple[str, ...]
    """Items passing now whose action is still open or in progress: closed as done."""


def sync_actions(
    existing: Iterable[tuple[str, ActionStatus | str]], failed: Sequence[FailedItem]
) -> ActionSync:
    """Bring an audit's actions in line with a corrected score card.

    ``existing`` is the audit's actions as (item id, status), ``failed`` the new card's failed
    items (:func:`failed_items`). A failure with no action gets one; an open or in-progress
    action on an item that now passes (full marks, N/A, unanswered) is closed; an item still
    failing keeps its action as it is, and done or verified actions are never touched.
    """
    statuses: dict[str, set[ActionStatus]] = {}
    for item_id, status in existing:
        statuses.setdefault(item_id, set()).add(ActionStatus(status))
    failing = {f.item_id for f in failed}
    create = tuple(f for f in failed if f.item_id not in statuses)
    close = tuple(
        sorted(
            item_id
            for item_id, held in statuses.items()
            if item_id not in failing and held & OPEN_STATUSES
        )
    )
    return ActionSync(create, close)
