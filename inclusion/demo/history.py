"""Demo history: the past six weeks of help, so that the reports have something to show
after a fresh start (residents helped, topics, no-shows with and without reminders).

The sessions are published and booked through the services like any other, on a day
ten weeks ahead with the same weekday, and then moved back to the day they "were held",
as if time had passed; their outcomes are recorded through the service too. The messages
the bookings planned are settled as they would have ended: SMS and calls delivered,
nothing left waiting for the dispatcher.

Loaded once per municipality: when it already has sessions in the past, nothing is added.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ..auth import User
from ..booking import (
    Booking,
    BookingRequest,
    BookingStatus,
    HelpSession,
    Outcome,
    book_resident,
    publish_sessions,
    record_outcome,
)
from ..core.access import Role
from ..core.clock import holiday_name, local_to_utc, local_today, to_local
from ..core.database import utcnow
from ..core.errors import DomainError
from ..extensions import db
from ..org import Organisation, Topic
from ..outbox import Channel, Kind, Message, MessageEvent, State
from ..residents import Resident
from .sessions import CHANNELS, _plans_for

HISTORY_DAYS = 42
#: published this many weeks ahead (beyond the demo's own sessions), then moved back
STAGING_WEEKS = 10
#: the main library had help every working day, the second place on Thursdays
SECOND_PLACE_WEEKDAY = 3


def _people(organisation: Organisation) -> dict[Role, User]:
    return {
        role: db.session.scalar(
            select(User).where(User.organisation_id == organisation.id, User.role == role).order_by(User.id)
        )
        for role in (Role.COORDINATOR, Role.STAFF, Role.VOLUNTEER, Role.RECEPTION)
    }


def _has_past(organisation: Organisation) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(HelpSession)
            .where(HelpSession.organisation_id == organisation.id, HelpSession.starts_at < utcnow())
        )
    )


def _move_back(session: HelpSession, weeks: int, timezone: str) -> timedelta:
    """Put the session on the same local clock time ``weeks`` earlier; returns the shift."""
    local = to_local(session.starts_at, timezone)
    starts = local_to_utc(local.date() - timedelta(weeks=weeks), local.time(), timezone)
    shift = starts - session.starts_at
    session.starts_at += shift
    session.ends_at += shift
    return shift


def _settle_messages(booking: Booking, shift: timedelta) -> None:
    """What the dispatcher would have done back then: SMS and calls went out and arrived;
    call-list rows and letters are no longer worth doing."""
    for message in db.session.scalars(
        select(Message).where(Message.booking_id == booking.id, Message.state == State.PENDING)
    ):
        message.due_at += shift
        message.send_after += shift
        if message.channel in (Channel.SMS, Channel.VOICE):
            message.state = State.DELIVERED
            message.sent_at = message.delivered_at = message.send_after
        else:
            message.state = State.SKIPPED
        db.session.add(MessageEvent(message=message, at=message.send_after, state=message.state, note="demo"))


def _reminded(booking: Booking) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(
                Message.booking_id == booking.id,
                Message.kind == Kind.REMINDER,
                Message.state == State.DELIVERED,
            )
        )
    )


def _book_guests(
    organisation: Organisation,
    session: HelpSession,
    residents: list[Resident],
    topics: list[Topic],
    people: dict[Role, User],
    number: int,
) -> tuple[list[Booking], int]:
    """Book a few residents, taken in turn, into the session; returns the bookings and the
    running number that picks the next residents, topics and channels."""
    start = number % len(residents)
    rotated = residents[start:] + residents[:start]
    guests = rotated if session.kind == "group" else rotated[:1]
    booked = []
    for seat, resident in enumerate(guests[: 3 + number % 3]):
        number += 1
        if session.kind == "one_to_one" and number % 2 == 0:
            continue  # half of the appointments stayed free
        request = BookingRequest(
            topic_ids=[topics[number % len(topics)].id],
            channel=CHANNELS[(number + seat) % len(CHANNELS)],
            help_agreement_read=session.kind == "one_to_one",
        )
        try:
            booked.append(
                book_resident(organisation.id, session.id, resident.id, request, people[Role.RECEPTION])
            )
        except DomainError:
            continue
    return booked, number


def _settle_and_record(booked: list[Booking], shift: timedelta, staff: User) -> None:
    """Settle each booking's messages, then record whether the resident came: some stayed
    away, more often without a reminder."""
    for booking in booked:
        _settle_messages(booking, shift)
        db.session.flush()
        stayed_away = (booking.id % 4 == 0 and not _reminded(booking)) or booking.id % 11 == 0
        if booking.status == BookingStatus.BOOKED:
            record_outcome(
                booking,
                Outcome(
                    attendance="no_show" if stayed_away else "attended",
                    helped_topic_ids=[] if stayed_away else [t.id for t in booking.topics],
                ),
                staff,
            )


def load_demo_history(organisation: Organisation) -> tuple[int, int]:
    """Six weeks of held sessions with bookings and outcomes; (sessions, bookings) added."""
    people = _people(organisation)
    if any(user is None for user in people.values()) or _has_past(organisation):
        return 0, 0
    residents = list(
        db.session.scalars(
            select(Resident).where(Resident.organisation_id == organisation.id).order_by(Resident.id)
        )
    )
    topics = list(
        db.session.scalars(select(Topic).where(Topic.organisation_id == organisation.id).order_by(Topic.id))
    )
    locations = sorted(
        (location for location in organisation.locations if location.active), key=lambda place: place.id
    )[:2]
    if not residents or not topics:
        return 0, 0
    today = local_today(organisation.timezone)
    sessions_added = bookings_added = 0
    number = 0
    for days_ago in range(HISTORY_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        if day.weekday() > 4 or holiday_name(day):
            continue
        staging = day + timedelta(weeks=STAGING_WEEKS)
        for index, location in enumerate(locations):
            if index and day.weekday() != SECOND_PLACE_WEEKDAY:
                continue  # the second place had help once a week, which keeps loading quick
            for plan in _plans_for(location, index, staging, people):
                try:
                    published = publish_sessions(organisation, plan, people[Role.COORDINATOR]).sessions
                except DomainError:
                    continue  # a holiday ten weeks on: that day simply has no history
                for session in published:
                    booked, number = _book_guests(organisation, session, residents, topics, people, number)
                    shift = _move_back(session, STAGING_WEEKS, organisation.timezone)
                    db.session.flush()
                    _settle_and_record(booked, shift, people[Role.STAFF])
                    sessions_added += 1
                    bookings_added += len(booked)
    return sessions_added, bookings_added
