"""Who may see and change what: every service that reads or writes branches, audits or
users asks here, so an area manager's scope holds on every page and in every download."""

from __future__ import annotations

from dataclasses import replace

from audit_app.domain.audit import Branch
from audit_app.domain.filters import AuditFilter
from audit_app.domain.users import Role
from audit_app.errors import AuditAppError
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
        raise AccessDenied(f"branch {branch.code} is not in your areas")


def check_can_write(ctx: AppContext, what: str) -> None:
    if ctx.user is not None and not ctx.user.can_write:
        raise AccessDenied(f"a viewer cannot {what}")


def check_head_office(ctx: AppContext, what: str) -> None:
    if ctx.user is not None and ctx.user.role != Role.HEAD_OFFICE:
        raise AccessDenied(f"only head office can {what}")
