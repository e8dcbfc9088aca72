"""The one source of the words people read for stored codes: channels, audit kinds, roles,
audit and action statuses, item types. Pages, reports, templates and the CLI all name a
channel the same way, in the reader's language."""

from __future__ import annotations

from audit_app.domain.actions import ActionStatus
from audit_app.domain.audit import AuditKind, AuditStatus, Channel
from audit_app.domain.auditors import AuditorKind
from audit_app.domain.plans import PlanProblem
from audit_app.domain.users import Role
from audit_app.i18n import N_, _

NONE = "—"

CHANNELS: dict[str, str] = {
    Channel.IN_PERSON: N_("In person"),
    Channel.PHONE: N_("Phone call"),
    Channel.EMAIL: N_("E-mail"),
    Channel.WEB_FORM: N_("Web form"),
    Channel.SOCIAL_MEDIA: N_("Social media"),
    Channel.REVIEW_SITE: N_("Review site"),
    Channel.ON_SITE: N_("On site"),
}
KINDS: dict[str, str] = {
    AuditKind.MYSTERY_SHOP: N_("Mystery shop"),
    AuditKind.SELF_ASSESSMENT: N_("Self-assessment"),
    AuditKind.IMPORT: N_("Imported"),
    AuditKind.INSPECTION: N_("Inspection"),
    AuditKind.FOLLOW_UP: N_("Follow-up"),
}
ROLES: dict[str, str] = {
    Role.HEAD_OFFICE: N_("Head office"),
    Role.AREA_MANAGER: N_("Area manager"),
    Role.VIEWER: N_("Viewer"),
}
AUDIT_STATUSES: dict[str, str] = {
    AuditStatus.DRAFT: N_("Draft"),
    AuditStatus.SUBMITTED: N_("Submitted"),
}
ACTION_STATUSES: dict[str, str] = {
    ActionStatus.OPEN: N_("Open"),
    ActionStatus.IN_PROGRESS: N_("In progress"),
    ActionStatus.DONE: N_("Done"),
    ActionStatus.VERIFIED: N_("Verified"),
}
PLAN_STATUSES: dict[str, str] = {
    "draft": N_("Draft"),
    "published": N_("Published"),
}
PLAN_PROBLEMS: dict[str, str] = {
    PlanProblem.NO_AUDITOR: N_("No active auditor"),
    PlanProblem.OUT_OF_AREA: N_("No auditor visits this area"),
    PlanProblem.OWN_MANAGER: N_("Only the branch's own manager could go"),
    PlanProblem.LOCKOUT: N_("Every auditor who could go was there too recently"),
}
"""Why the planner left a slot without an auditor."""
AUDITOR_KINDS: dict[str, str] = {
    AuditorKind.STAFF: N_("Staff"),
    AuditorKind.AGENCY: N_("Agency"),
}
ITEM_TYPES: dict[str, str] = {
    "yes_no": N_("Yes / no"),
    "scale": N_("Scale"),
    "choice": N_("Choice"),
    "number": N_("Number"),
    "percentage": N_("Percentage"),
    "text": N_("Text"),
    "date": N_("Date"),
    "photo": N_("Photo"),
}


def _label(words: dict[str, str], code: object) -> str:
    if code is None or code == "":
        return NONE
    key = str(code)
    word = words.get(key)
    return _(word) if word is not None else key.replace("_", " ").capitalize()


def channel_label(channel: object) -> str:
    """A channel as people say it, in the current language; "—" for none."""
    return _label(CHANNELS, channel)


def kind_label(kind: object) -> str:
    return _label(KINDS, kind)


def auditor_kind_label(kind: object) -> str:
    return _label(AUDITOR_KINDS, kind)


def role_label(role: object) -> str:
    return _label(ROLES, role)


def audit_status_label(status: object) -> str:
    return _label(AUDIT_STATUSES, status)


def action_status_label(status: object) -> str:
    return _label(ACTION_STATUSES, status)


def plan_status_label(status: object) -> str:
    """A visit plan's status (draft, published) in the current language."""
    return _label(PLAN_STATUSES, status)


def plan_problem_label(problem: object) -> str:
    """Why a planned visit has no auditor, in the current language."""
    return _label(PLAN_PROBLEMS, problem)


def item_type_label(item_type: object) -> str:
    return _label(ITEM_TYPES, item_type)


GRADES: dict[str, str] = {
    "Excellent": N_("Excellent"),
    "Good": N_("Good"),
    "Fair": N_("Fair"),
    "Needs improvement": N_("Needs improvement"),
}
"""The standard checklists' grade names; a checklist's own names show as written."""
UNITS: dict[str, str] = {
    "seconds": N_("seconds"),
    "minutes": N_("minutes"),
    "hours": N_("hours"),
    "days": N_("days"),
    "rings": N_("rings"),
}


def grade_label(grade: str | None) -> str:
    """A checklist's grade name in the current language; unknown names as written."""
    if not grade:
        return NONE
    return _(GRADES[grade]) if grade in GRADES else grade


def unit_label(unit: str | None) -> str:
    """A measured item's unit in the current language; an unknown unit as written."""
    if not unit:
        return ""
    return _(UNITS[unit]) if unit in UNITS else unit


MEAN_DEFINITION = N_(
    "Mean score: the plain mean of the overall scores (0–100) of the audits counted, each "
    "audit once. Follow-up audits and the audits of closed branches are left out unless "
    "included. The model's level on Compare is an estimate, not this mean."
)
"""The one definition of "mean score", the help of every "Mean score" figure."""


def mean_definition() -> str:
    """:data:`MEAN_DEFINITION` in the current language."""
    return _(MEAN_DEFINITION)
