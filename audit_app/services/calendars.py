"""Calendar files (.ics) of planned visits, per auditor and per area, for any calendar app.

Only published plans: a draft changes under the planner's hands. One all-day event per
planned visit, on its planned day. The UID is the planned visit's number, so importing the
file again after a plan changed moves the events instead of doubling them; the stamp is
when the plan was published, so the same plan gives the same file byte for byte.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, timedelta

import icalendar

from audit_app.domain.filters import AuditFilter
from audit_app.domain.labels import channel_label
from audit_app.errors import AuditAppError
from audit_app.i18n import _, formats
from audit_app.services import auditors
from audit_app.services.access import AccessDenied, scoped, sees_area
from audit_app.services.context import AppContext
from audit_app.storage import auditor_store, database
from audit_app.storage import coverage_queries as queries
from audit_app.storage.coverage_queries import CalendarVisit

__all__ = [
    "PRODID",
    "CalendarFile",
    "UnknownAuditor",
    "area_calendar",
    "auditor_calendar",
    "find_auditor",
    "visit_uid",
]

PRODID = "-//audit-app//visit plans//EN"


class UnknownAuditor(AuditAppError):
    """No auditor with that name or number."""


@dataclass(frozen=True)
class CalendarFile:
    """What a calendar holds and its bytes."""

    title: str
    file_name: str
    visits: tuple[CalendarVisit, ...]
    data: bytes

    def to_dict(self) -> dict[str, object]:
        """A summary for ``--json``: who, how many, the first and last day."""
        days = [v.visit.planned_on for v in self.visits]
        return {
            "title": self.title,
            "file_name": self.file_name,
            "events": len(self.visits),
            "first_day": min(days).isoformat() if days else None,
            "last_day": max(days).isoformat() if days else None,
            "visits": [
                {
                    "planned_visit_id": v.visit.id,
                    "uid": visit_uid(v.visit.id),
                    "planned_on": v.visit.planned_on.isoformat(),
                    "due_by": v.visit.due_by.isoformat(),
                    "branch_code": v.visit.branch_code,
                    "branch_name": v.visit.branch_name,
                    "channel": v.visit.channel,
                    "auditor": v.visit.auditor,
                    "done": v.visit.audit_id is not None,
                }
                for v in self.visits
            ],
        }


def visit_uid(planned_visit_id: int) -> str:
    return f"planned-visit-{planned_visit_id}@audit-app"


def find_auditor(ctx: AppContext, who: str) -> tuple[int, str]:
    """The auditor named or numbered ``who`` (one merged away leads to the kept one):
    (id, name)."""
    try:
        found = auditors.find_auditor(ctx, who)
    except auditors.AuditorRefused:
        raise UnknownAuditor(_("no auditor called {name}").format(name=who.strip())) from None
    with database.snapshot(ctx.engine) as conn:
        kept = auditor_store.final(conn, found)
    return kept.id, kept.name


def auditor_calendar(ctx: AppContext, who: str) -> CalendarFile:
    """The planned visits of one auditor (name or number), in the user's areas."""
    auditor_id, name = find_auditor(ctx, who)
    areas = scoped(ctx, AuditFilter()).areas
    with database.snapshot(ctx.engine) as conn:
        merged = [row[0] for row in queries.auditor_rows(conn) if row[2] == auditor_id]
        visits = []
        for one in (auditor_id, *merged):
            visits += queries.calendar_visits(conn, auditor_id=one, areas=areas)
    visits.sort(key=lambda v: (v.visit.planned_on, v.visit.branch_code, v.visit.id))
    title = _("Planned visits: {name}").format(name=name)
    return _calendar(ctx, title, f"visits-{_slug(name)}.ics", visits)


def area_calendar(ctx: AppContext, area: str) -> CalendarFile:
    """The planned visits of one area's branches, whoever makes them."""
    if not sees_area(ctx, area):
        raise AccessDenied(_("area {area} is not one of yours").format(area=area))
    areas = scoped(ctx, AuditFilter()).areas
    with database.snapshot(ctx.engine) as conn:
        visits = queries.calendar_visits(conn, area=area, areas=areas)
    title = _("Planned visits: {name}").format(name=area)
    return _calendar(ctx, title, f"visits-{_slug(area)}.ics", visits)


def _slug(text: str) -> str:
    """A file name's part: plain letters and digits ("Laura Fernández" -> laura-fernandez)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ı", "i"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "calendar"


def _calendar(
    ctx: AppContext, title: str, file_name: str, visits: list[CalendarVisit]
) -> CalendarFile:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", title)
    for entry in visits:
        calendar.add_component(_event(entry, _checklist_title(ctx, entry.checklist_id)))
    return CalendarFile(title, file_name, tuple(visits), calendar.to_ical())


def _checklist_title(ctx: AppContext, checklist_id: str) -> str:
    try:
        return ctx.catalogue.get(checklist_id).title_in()
    except (KeyError, LookupError, ValueError):
        return checklist_id


def _event(entry: CalendarVisit, checklist_title: str) -> icalendar.Event:
    visit = entry.visit
    event = icalendar.Event()
    event.add("uid", visit_uid(visit.id))
    event.add("dtstamp", entry.stamp.replace(tzinfo=UTC))
    event.add("dtstart", visit.planned_on)
    event.add("dtend", visit.planned_on + timedelta(days=1))
    event.add("summary", summary(entry))
    event.add("location", entry.address)
    event.add("description", description(entry, checklist_title))
    event.add("transp", "TRANSPARENT")
    return event


def summary(entry: CalendarVisit) -> str:
    visit = entry.visit
    return _("{branch} ({code}): {channel}").format(
        branch=visit.branch_name, code=visit.branch_code, channel=channel_label(visit.channel)
    )


def description(entry: CalendarVisit, checklist_title: str | None = None) -> str:
    visit = entry.visit
    lines = [
        _("Checklist: {title}").format(title=checklist_title or entry.checklist_id),
        _("Due by: {day}").format(day=formats.date(visit.due_by)),
        _("Plan: {name}").format(name=entry.plan_name),
    ]
    if visit.auditor:
        lines.append(_("Auditor: {name}").format(name=visit.auditor))
    if visit.audit_id is not None:
        lines.append(_("Done: audit {id}").format(id=visit.audit_id))
    return "\n".join(lines)
