"""A staff member's sessions as an iCalendar feed, for Outlook or a phone.

The feed leaves the system and lives on in other calendars, so it names no resident:
it says where, when, what kind of session and how many are booked.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..auth.models import User
from ..core.database import utcnow
from .models import HelpSession, SessionKind


def _summary(session: HelpSession) -> str:
    if session.kind == SessionKind.GROUP:
        return f"{session.title} ({session.booked_count}/{session.capacity})"
    if session.booked_count:
        return _("Digital hjälp: bokad")
    return _("Digital hjälp: ledig tid")


def calendar_for(user: User, sessions: list[HelpSession]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Inclusion//Digital hjälp//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Inclusion: %(name)s", name=user.name))
    host = current_app.config.get("SERVER_NAME") or "inclusion"
    stamp = utcnow()
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", _summary(session))
        location = session.location
        event.add("location", f"{location.name}, {location.street_address}, {location.city}")
        if session.cancelled:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
