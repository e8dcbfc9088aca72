"""Versions of a checklist in the catalogue, and what changed between two of them."""

from __future__ import annotations

from audit_app.domain.checklist_diff import ChecklistDiff, diff_checklists
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services.context import AppContext


def checklist_versions(ctx: AppContext, checklist_id: str) -> list[int]:
    """The versions of one checklist that the catalogue holds, oldest first."""
    versions = sorted(c.version for c in ctx.catalogue if c.id == checklist_id)
    if not versions:
        ctx.catalogue.get(checklist_id)  # raises, naming the known checklists
    return versions


def diff_versions(
    ctx: AppContext, checklist_id: str, old_version: int, new_version: int
) -> ChecklistDiff:
    """What changed from ``old_version`` to ``new_version`` of one checklist."""
    if old_version == new_version:
        raise AuditAppError(
            _("Pick two different versions of {checklist} to compare.").format(
                checklist=checklist_id
            )
        )
    old = ctx.catalogue.get(checklist_id, old_version)
    new = ctx.catalogue.get(checklist_id, new_version)
    return diff_checklists(old, new)
