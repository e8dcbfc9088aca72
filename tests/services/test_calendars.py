"""Calendar files of planned visits, parsed back with the icalendar library."""

from __future__ import annotations

from datetime import UTC, date, datetime

import icalendar
import pytest

from audit_app.services import calendars
from audit_app.services.access import AccessDenied
from audit_app.services.context import AppContext
from tests.coverage_world import MARTA, World, build


@pytest.fixture
def world(ctx: AppContext) -> World:
    return build(ctx)


def _events(data: bytes) -> list[dict[str, object]]:
    calendar = icalendar.Calendar.from_ical(data)
    return [
        {
            "uid": str(event["UID"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "stamp": event.decoded("DTSTAMP"),
            "summary": str(event["SUMMARY"]),
            "location": str(event["LOCATION"]),
            "description": str(event["DESCRIPTION"]),
        }
        for event in calendar.walk("VEVENT")
    ]


def _event(
    slot: int, day: date, summary: str, location: str, due: str, auditor: str | None, done: int
) -> dict[str, object]:
    lines = ["Checklist: Greeting: telephone", f"Due by: {due}", "Plan: Q1 phone shops"]
    if auditor:
        lines.append(f"Auditor: {auditor}")
    if done:
        lines.append(f"Done: audit {done}")
    return {
        "uid": f"planned-visit-{slot}@audit-app",
        "start": day,
        "end": date(day.year, day.month, day.day + 1),
        "stamp": datetime(2026, 1, 3, 8, 30, tzinfo=UTC),
        "summary": summary,
        "location": location,
        "description": "\n".join(lines),
    }


GRACIA = "Carrer Gran de Gràcia 1, Barcelona"


def test_an_auditors_calendar_holds_her_published_visits(world: World) -> None:
    made = calendars.auditor_calendar(world.ctx, "laura  FERNANDEZ")
    assert made.title == "Planned visits: Laura Fernández"
    assert made.file_name == "visits-laura-fernandez.ics"
    calendar = icalendar.Calendar.from_ical(made.data)
    assert str(calendar["X-WR-CALNAME"]) == "Planned visits: Laura Fernández"
    assert str(calendar["PRODID"]) == calendars.PRODID
    s1, s2 = world.slots[:2]
    assert _events(made.data) == [
        _event(
            s1,
            date(2026, 1, 12),
            "Gràcia (ES-01): Phone call",
            GRACIA,
            "Jan 31, 2026",
            "Laura Fernández",
            world.audits[0],
        ),
        _event(
            s2,
            date(2026, 2, 3),
            "Gràcia (ES-01): Phone call",
            GRACIA,
            "Feb 9, 2026",
            "Laura Fernández",
            0,
        ),
    ]  # the draft plan's visit in April is left out
    by_number = calendars.auditor_calendar(world.ctx, str(world.laura))
    assert by_number.data == made.data  # the same plan gives the same bytes


def test_an_areas_calendar_holds_every_visit_of_its_branches(world: World) -> None:
    made = calendars.area_calendar(world.ctx, "Barcelona")
    assert [e["uid"] for e in _events(made.data)] == [
        f"planned-visit-{world.slots[i]}@audit-app" for i in (0, 3, 1, 2)
    ]
    unassigned = _events(made.data)[1]
    assert unassigned == _event(
        world.slots[3],
        date(2026, 1, 26),
        "Eixample (ES-02): Phone call",
        "Carrer d'Aragó 2, Barcelona",
        "Feb 6, 2026",
        None,
        0,
    )
    assert made.to_dict()["events"] == 4
    assert made.to_dict()["first_day"] == "2026-01-12"


def test_an_area_manager_gets_her_areas_only(world: World) -> None:
    marta = world.ctx.as_user(MARTA)
    assert len(calendars.area_calendar(marta, "Barcelona").visits) == 4
    with pytest.raises(AccessDenied):
        calendars.area_calendar(marta, "İstanbul Asya")
    assert calendars.auditor_calendar(marta, "Mehmet Kaya").visits == ()


def test_an_unknown_auditor_is_refused_in_a_sentence(world: World) -> None:
    with pytest.raises(calendars.UnknownAuditor, match="no auditor called Laura Smith"):
        calendars.auditor_calendar(world.ctx, "Laura Smith")


def test_an_area_with_a_dotted_capital_i_is_found(world: World) -> None:
    made = calendars.area_calendar(world.ctx, "İstanbul Asya")
    assert [v.visit.id for v in made.visits] == list(world.slots[4:6])
