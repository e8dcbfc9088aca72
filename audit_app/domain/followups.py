"""Follow-up audits: re-check only the items an audit failed.

A follow-up is scored on its own items with the normal scoring rules, so its checklist is
the original checklist version cut down to those items (sections left without items are
dropped). Pure: no database, no framework.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from audit_app.domain.checklist import Checklist
from audit_app.errors import AuditAppError
from audit_app.i18n import _, current_language


class NothingToFollowUp(AuditAppError):
    """The audit failed no item, or a follow-up names no item of its checklist."""


def failed_items(checklist: Checklist, item_scores: Mapping[str, float | None]) -> tuple[str, ...]:
    """Items scored below 1 (a failure), in checklist order."""
    return tuple(
        item.id
        for item in checklist.items
        if (score := item_scores.get(item.id)) is not None and score < 1
    )


def passed_items(item_scores: Mapping[str, float | None]) -> tuple[str, ...]:
    """Items given full marks (score 1): their corrective actions can be verified."""
    return tuple(sorted(i for i, score in item_scores.items() if score is not None and score >= 1))


def restricted_to(checklist: Checklist, item_ids: Iterable[str]) -> Checklist:
    """The checklist with only these items (asked unconditionally); sections without any of
    them are dropped.

    Ids not in the checklist are ignored here (scoring then names them as unknown items).
    """
    wanted = set(item_ids)
    # Skip logic is dropped: a failed item was asked in the original audit, and the item its
    # condition names may not be among those followed up.
    sections = [
        section.model_copy(
            update={
                "items": [
                    i.model_copy(update={"applies_if": None})
                    for i in section.items
                    if i.id in wanted
                ],
                "applies_if": None,
            }
        )
        for section in checklist.sections
        if any(item.id in wanted for item in section.items)
    ]
    if not any(item.scored for section in sections for item in section.items):
        raise NothingToFollowUp(
            _("a follow-up needs at least one scored item of checklist {title}").format(
                title=checklist.title_in(current_language())
            )
        )
    return checklist.model_copy(update={"sections": sections})


def follow_up_checklist(
    checklist: Checklist, item_scores: Mapping[str, float | None]
) -> tuple[Checklist, tuple[str, ...]]:
    """The follow-up's checklist and the failed item ids it asks, from the original's scores."""
    failed = failed_items(checklist, item_scores)
    if not failed:
        raise NothingToFollowUp(_("this audit failed no item: there is nothing to follow up"))
    return restricted_to(checklist, failed), failed
