"""The public door: what a resident sees of a municipality's digital help without
signing in (its open group sessions, per place, and how to reach a person), the same
sessions as a calendar file, and the words for a printed poster.

Only group sessions are shown: they are open to anyone, and one-to-one appointments
would tell strangers when a resident is alone with a helper.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..booking import HelpSession, SessionKind, SessionState, new_calendar, session_event
from ..core.clock import local_today, to_local
from ..core.database import utcnow
from ..core.i18n import day_words, when_range
from ..core.phone import format_national
from ..extensions import db
from ..org import Location, Organisation
from ..outbox import settings_of

#: how far ahead the public page and the calendar file look
WEEKS_AHEAD = 8
#: characters of directions, accessibility notes and description that still fit on one
#: A4 poster beside the rest (measured in Chromium with poster.css)
POSTER_TEXT_FITS = 1200
#: the word the page and posters teach; any word starts a callback, this one is easy to say
SMS_WORD = "HJÄLP"


@dataclass(frozen=True)
class Contact:
    """The numbers a resident can use, as Swedes write them; "" when one is not set."""

    phone: str
    sms: str


def contact_of(organisation: Organisation) -> Contact:
    """The organisation's phone and its service SMS number (texting it any word makes
    reception call back: see ``reminders.replies``)."""
    return Contact(
        phone=format_national(organisation.phone_number),
        sms=format_national(settings_of(organisation.id).sms_number),
    )


def upcoming_group_sessions(
    organisation: Organisation, now: datetime | None = None, weeks: int = WEEKS_AHEAD
) -> list[HelpSession]:
    """Scheduled group sessions that have not started, the next few weeks, earliest
    first; places and topics loaded with them, so the page costs the same queries
    however many there are."""
    now = now or utcnow()
    statement = (
        select(HelpSession)
        .where(
            HelpSession.organisation_id == organisation.id,
            HelpSession.kind == SessionKind.GROUP,
            HelpSession.state == SessionState.SCHEDULED,
            HelpSession.starts_at > now,
            HelpSession.starts_at < now + timedelta(weeks=weeks),
        )
        .options(selectinload(HelpSession.location), selectinload(HelpSession.topics))
        .order_by(HelpSession.starts_at, HelpSession.id)
    )
    return list(db.session.scalars(statement))


@dataclass
class Place:
    location: Location
    sessions: list[HelpSession]


def by_place(sessions: list[HelpSession]) -> list[Place]:
    """Sessions grouped per location, places by name: residents look for the library
    nearest them first, then for a day."""
    places: dict[int, Place] = {}
    for session in sessions:
        places.setdefault(session.location_id, Place(session.location, [])).sessions.append(session)
    return sorted(places.values(), key=lambda place: place.location.name)


def address_of(location: Location) -> str:
    """``Almvägen 2, 475 31 Öckerö``: what goes on an envelope and into a map app."""
    town = " ".join(part for part in (location.postal_code, location.city) if part)
    return ", ".join(part for part in (location.street_address, town) if part)


def spoken_when(session: HelpSession, timezone: str) -> str:
    """``tisdag 3 december kl. 10.00–12.00``, in the organisation's own time zone, the way
    a Swede writes a day and a time (a dot in the time, the weekday spelled out)."""
    return when_range(session.starts_at, session.ends_at, timezone, year=False)


def spoken_day(moment: datetime, timezone: str) -> str:
    """``i dag``, or ``tisdag 3 december``: when reception will call back."""
    if to_local(moment, timezone).date() == local_today(timezone):
        return _("i dag")
    return day_words(moment, timezone, year=False)


def poster_may_overflow(session: HelpSession) -> bool:
    """Whether the long texts may push the poster onto a second sheet, so staff are told
    to check the print preview before printing a pile."""
    location = session.location
    texts = (location.directions, location.accessibility_notes, session.description)
    return sum(len(text or "") for text in texts) > POSTER_TEXT_FITS


def _event_description(session: HelpSession, contact: Contact) -> str:
    lines = [session.description or ""]
    if contact.phone:
        lines.append(_("Boka en plats: ring %(phone)s.", phone=contact.phone))
    lines.append(_("Du kan också komma direkt om det finns plats."))
    lines.append(_("Vi skickar aldrig länkar i sms."))
    return "\n".join(line for line in lines if line)


def public_calendar(organisation: Organisation, sessions: list[HelpSession], contact: Contact) -> bytes:
    """The public sessions as an iCalendar file. Its UIDs differ from the staff feed's, so
    a helper who subscribes to both does not see one event overwrite the other."""
    calendar = new_calendar(_("Digital hjälp i %(name)s", name=organisation.name))
    stamp = utcnow()
    for session in sessions:
        location = session.location
        calendar.add_component(
            session_event(
                session,
                uid_prefix="public-session",
                summary=session.display_title,
                location=f"{location.name}, {address_of(location)}",
                stamp=stamp,
                description=_event_description(session, contact),
            )
        )
    return calendar.to_ical()
