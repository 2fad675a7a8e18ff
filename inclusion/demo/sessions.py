"""Demo sessions and bookings, dated from the day the demo is loaded: the coming two
weeks, with bookings for residents of every contact channel in the next day or so,
so that reminders fall due soon after a fresh start.

Idempotent per location and day: a day that already has sessions is left alone, so
loading again later only fills in the new days.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from ..auth import User
from ..booking import BookingRequest, HelpSession, SessionPlan, book_resident, publish_sessions
from ..core.access import Role
from ..core.clock import local_day_bounds, local_to_utc, local_today
from ..core.database import utcnow
from ..core.errors import DomainError
from ..extensions import db
from ..org import Location, Organisation, Topic
from ..residents import Resident

DAYS_AHEAD = 14
FIKA_WEEKDAY = 2  # Wednesday
CHANNELS = ("phone", "walk_in", "phone", "staff", "sms")


def _sessions_on(location: Location, day: date, timezone: str) -> int:
    start, end = local_day_bounds(day, timezone)
    return db.session.scalar(
        select(func.count())
        .select_from(HelpSession)
        .where(
            HelpSession.location_id == location.id,
            HelpSession.starts_at >= start,
            HelpSession.starts_at < end,
        )
    )


def _plans_for(location: Location, index: int, day: date, people: dict[Role, User]) -> list[SessionPlan]:
    """Two hours of 30-minute appointments from opening time, and a weekly Digital fika
    in the afternoon at the main library."""
    hours = location.hours_on(day.weekday())
    if not hours:
        return []
    opens = hours[0].opens
    ends = (datetime.combine(day, opens) + timedelta(hours=2)).time()
    helper = people[Role.STAFF] if index == 0 else people[Role.COORDINATOR]
    plans = [
        SessionPlan(
            location_id=location.id,
            kind="one_to_one",
            day=day,
            starts=opens,
            ends=min(ends, hours[0].closes),
            staff_ids=[helper.id],
            appointment_minutes=30,
        )
    ]
    if index == 0 and day.weekday() == FIKA_WEEKDAY:
        plans.append(
            SessionPlan(
                location_id=location.id,
                kind="group",
                title="Digital fika",
                description="Drop-in med kaffe: ta med mobilen eller surfplattan och dina frågor.",
                day=day,
                starts=time(14),
                ends=time(16),
                capacity=8,
                staff_ids=[people[Role.STAFF].id, people[Role.VOLUNTEER].id],
            )
        )
    return plans


def _publish(organisation: Organisation, people: dict[Role, User]) -> list[HelpSession]:
    today = local_today(organisation.timezone)
    # The main library first (the first in the demo data), then the next place.
    locations = sorted(
        (location for location in organisation.locations if location.active), key=lambda place: place.id
    )[:2]
    created: list[HelpSession] = []
    for offset in range(DAYS_AHEAD + 1):
        day = today + timedelta(days=offset)
        for index, location in enumerate(locations):
            if _sessions_on(location, day, organisation.timezone):
                continue
            for plan in _plans_for(location, index, day, people):
                if local_to_utc(day, plan.starts, organisation.timezone) <= utcnow():
                    continue
                try:
                    created += publish_sessions(organisation, plan, people[Role.COORDINATOR]).sessions
                except DomainError:
                    continue  # a holiday or a closed day: the demo simply has no session then
    return created


def _book(organisation: Organisation, sessions: list[HelpSession], reception: User) -> int:
    """Book residents of every channel into the earliest appointments, then spread the
    rest, and put a few people into each Digital fika."""
    residents = list(
        db.session.scalars(
            select(Resident).where(Resident.organisation_id == organisation.id).order_by(Resident.id)
        )
    )
    topics = list(db.session.scalars(select(Topic).where(Topic.organisation_id == organisation.id)))
    if not residents or not sessions:
        return 0
    by_channel: dict[str, Resident] = {}
    for resident in residents:
        by_channel.setdefault(resident.preferred_channel, resident)
    first_in_line = list(by_channel.values())
    others = [resident for resident in residents if resident not in first_in_line]
    queue = first_in_line + others
    booked = 0
    one_to_one = sorted((s for s in sessions if s.kind == "one_to_one"), key=lambda s: s.starts_at)
    groups = [s for s in sessions if s.kind == "group"]
    for number, session in enumerate(one_to_one):
        if number >= len(first_in_line) and number % 3:
            continue  # leave most later appointments free for trying out booking
        resident = queue[number % len(queue)] if number < len(queue) else queue[(number // 3) % len(queue)]
        booked += _try_booking(organisation, session, resident, topics, number, reception)
    for session in groups:
        for number, resident in enumerate(others[:4]):
            booked += _try_booking(organisation, session, resident, topics, number, reception)
    return booked


def _try_booking(organisation, session, resident, topics, number, reception) -> int:
    request = BookingRequest(
        topic_ids=[topics[number % len(topics)].id] if topics else [],
        channel=CHANNELS[number % len(CHANNELS)],
        # coming appointments: the agreement is read aloud when the resident arrives, so
        # the demo shows staff the box and its tick (past ones have it ticked)
    )
    try:
        book_resident(organisation.id, session.id, resident.id, request, reception)
    except DomainError:
        return 0  # already booked then, or another booking at the same time
    return 1


def load_demo_sessions(organisation: Organisation) -> tuple[int, int]:
    people = {}
    for role in (Role.COORDINATOR, Role.STAFF, Role.VOLUNTEER, Role.RECEPTION):
        people[role] = db.session.scalar(
            select(User).where(User.organisation_id == organisation.id, User.role == role).order_by(User.id)
        )
    if any(user is None for user in people.values()):
        return 0, 0
    sessions = _publish(organisation, people)
    return len(sessions), _book(organisation, sessions, people[Role.RECEPTION])
