"""Who may see and change what: every service that reads or writes branches, audits or
users asks here, so an area manager's scope holds on every page and in every download."""

from __future__ import annotations

from dataclasses import replace

from audit_app.domain.audit import Branch
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
from audit_app.i18n import _
from audit_app.services.context import AppContext


class AccessDenied(AuditAppError):
    """The acting user may not do this; the message says what and why."""


def scoped(ctx: AppContext, audit_filter: AuditFilter) -> AuditFilter:
    """The filter narrowed to the branches the acting user may see."""
    user = ctx.user
    if user is None or user.role != Role.AREA_MANAGER:
        return audit_filter
    areas = user.areas
    if audit_filter.areas is not None:
        areas = tuple(area for area in audit_filter.areas if area in user.areas)
    return replace(audit_filter, areas=areas)


def sees(ctx: AppContext, branch: Branch) -> bool:
    return ctx.user is None or ctx.user.sees(branch)


def sees_area(ctx: AppContext, area: str) -> bool:
    user = ctx.user
    return user is None or user.role != Role.AREA_MANAGER or area in user.areas


def check_branch(ctx: AppContext, branch: Branch) -> None:
    """Refuse a branch outside the user's areas as if it did not exist for them."""
    if not sees(ctx, branch):
        raise AccessDenied(_("branch {code} is not in your areas").format(code=branch.code))


def check_can_write(ctx: AppContext, what: str) -> None:
    """Refuse a viewer; ``what`` is the refused deed ("save drafts"), marked with ``N_`` by
    the caller so it is translated here."""
    if ctx.user is not None and not ctx.user.can_write:
        raise AccessDenied(_("a viewer cannot {what}").format(what=_(what)))


def check_head_office(ctx: AppContext, what: str) -> None:
    """Refuse anyone but head office; ``what`` as in :func:`check_can_write`."""
    if ctx.user is not None and ctx.user.role != Role.HEAD_OFFICE:
        raise AccessDenied(_("only head office can {what}").format(what=_(what)))
