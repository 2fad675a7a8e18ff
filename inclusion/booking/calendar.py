"""A staff member's sessions as an iCalendar feed, for Outlook or a phone.

The feed leaves the system and lives on in other calendars, so it names no resident:
it says where, when, what kind of session and how many are booked.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..auth import User
from ..core.database import utcnow
from .models import HelpSession, SessionKind


def _summary(session: HelpSession) -> str:
    if session.kind == SessionKind.GROUP:
        return f"{session.title} ({session.booked_count}/{session.capacity})"
    if session.booked_count:
        return _("Digital hjälp: bokad")
    return _("Digital hjälp: ledig tid")


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Inclusion//Digital hjälp//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def session_event(
    session: HelpSession,
    *,
    uid_prefix: str,
    summary: str,
    location: str,
    stamp: datetime,
    description: str | None = None,
) -> Event:
    """One session as an event: times in UTC, and a UID that stays the same for as long as
    the session exists, so that a calendar app updates the event instead of adding it twice."""
    host = current_app.config.get("SERVER_NAME") or "inclusion"
    event = Event()
    event.add("uid", f"{uid_prefix}-{session.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at)
    event.add("dtend", session.ends_at)
    event.add("summary", summary)
    event.add("location", location)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    return event


def calendar_for(user: User, sessions: list[HelpSession]) -> bytes:
    calendar = new_calendar(_("Inclusion: %(name)s", name=user.name))
    stamp = utcnow()
    for session in sessions:
        location = session.location
        calendar.add_component(
            session_event(
                session,
                uid_prefix="session",
                summary=_summary(session),
                location=f"{location.name}, {location.street_address}, {location.city}",
                stamp=stamp,
            )
        )
    return calendar.to_ical()
