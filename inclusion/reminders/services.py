"""What staff do with messages: read the outbox, send a failed message again, work the
call list and post the letters. Services add to the session; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, text, tuple_
from sqlalchemy.orm import selectinload

from ..auth import User
from ..booking import Booking, HelpSession
from ..core.clock import local_day_bounds
from ..core.database import locked, utcnow
from ..core.errors import DomainError
from ..core.ids import is_possible_id
from ..extensions import db
from ..org import Organisation
from ..outbox import (
    FAILED_CONDITION,
    MANUAL_CHANNELS,
    Channel,
    Kind,
    Message,
    MessageEvent,
    Recipient,
    State,
    channel_for,
    copy_on_channel,
)
from .planning import copy_to_trusted_contact, queue_for_booking

OUTBOX_PAGE_SIZE = 50
#: a message standing in for a failed one in these states means it needs no resending
UNDER_WAY = (State.PENDING, State.SENDING, State.SENT, State.DELIVERED)


def _event(message: Message, state: State, note: str, actor: User | None) -> None:
    db.session.add(
        MessageEvent(message_id=message.id, state=state, note=note[:300], actor_id=getattr(actor, "id", None))
    )


# --- The outbox ------------------------------------------------------------------------------


@dataclass
class OutboxFilter:
    state: str = ""
    channel: str = ""
    kind: str = ""
    day: date | None = None
    #: the next page: messages older than this (created_at, id) ...
    before: tuple[datetime, int] | None = None
    #: ... or the previous one: messages newer than this
    after: tuple[datetime, int] | None = None


@dataclass
class OutboxPage:
    messages: list[Message]
    #: where the "older" and "newer" links continue from, None when there is nothing there
    older: str | None
    newer: str | None


def outbox_cursor(message: Message) -> str:
    """A page boundary for a link: the row's creation time in microseconds and its id."""
    moment = message.created_at
    micros = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    return f"{micros}-{message.id}"


def parse_outbox_cursor(value: str | None) -> tuple[datetime, int] | None:
    try:
        micros, message_id = (int(part) for part in (value or "").split("-"))
        moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=micros)
    except (ValueError, OverflowError):
        return None
    return (moment, message_id) if is_possible_id(message_id) else None


def outbox(organisation: Organisation, filters: OutboxFilter) -> OutboxPage:
    """A page of messages, newest first, with links to the older and newer pages.

    Keyset paging on (created_at, id), served by the (organisation, created_at, id)
    index: a page deep in a million rows costs what the first one costs, where OFFSET
    would read every row before it."""
    query = (
        select(Message)
        .where(Message.organisation_id == organisation.id)
        .options(
            selectinload(Message.resident),
            selectinload(Message.booking).selectinload(Booking.session).selectinload(HelpSession.location),
        )
    )
    if filters.state in set(State):
        query = query.where(Message.state == filters.state)
    if filters.channel in set(Channel):
        query = query.where(Message.channel == filters.channel)
    if filters.kind in set(Kind):
        query = query.where(Message.kind == filters.kind)
    if filters.day is not None:
        start, end = local_day_bounds(filters.day, organisation.timezone)
        query = query.where(Message.send_after >= start, Message.send_after < end)
    key = tuple_(Message.created_at, Message.id)
    if filters.after and not filters.before:
        newer_first = query.where(key > tuple_(*filters.after)).order_by(Message.created_at, Message.id)
        rows = list(db.session.scalars(newer_first.limit(OUTBOX_PAGE_SIZE + 1)))
        more_newer = len(rows) > OUTBOX_PAGE_SIZE
        rows = rows[:OUTBOX_PAGE_SIZE][::-1]
        return OutboxPage(
            rows,
            older=outbox_cursor(rows[-1]) if rows else None,
            newer=outbox_cursor(rows[0]) if rows and more_newer else None,
        )
    if filters.before:
        query = query.where(key < tuple_(*filters.before))
    rows = list(
        db.session.scalars(
            query.order_by(Message.created_at.desc(), Message.id.desc()).limit(OUTBOX_PAGE_SIZE + 1)
        )
    )
    more_older = len(rows) > OUTBOX_PAGE_SIZE
    rows = rows[:OUTBOX_PAGE_SIZE]
    return OutboxPage(
        rows,
        older=outbox_cursor(rows[-1]) if rows and more_older else None,
        newer=outbox_cursor(rows[0]) if rows and filters.before else None,
    )


def resend(message: Message, actor: User) -> Message:
    """A failed message goes again, as a new message on the way that reaches the resident
    now (a corrected number, another channel); the failed one stays as it was.

    Pressed twice at once, the second waits for the first and then finds its message
    on the way: the resident is reached once."""
    locked(Message, message.id)
    if message.state != State.FAILED:
        raise DomainError(_("Bara ett meddelande som inte kom fram kan skickas igen."), "resend")
    if message.resident is None:
        raise DomainError(_("Mottagaren finns inte längre i registret."), "resend")
    if _goes_again_already(message):
        raise DomainError(
            _("Meddelandet har redan skickats igen på annat sätt eller står på ringlistan."), "resend"
        )
    note = _("Skickas igen av %(name)s.", name=actor.name)
    if message.booking is not None:
        if message.kind != Kind.CANCELLATION and not message.booking.is_live:
            raise DomainError(_("Bokningen är avbokad, så meddelandet behövs inte längre."), "resend")
        if message.booking.session.starts_at <= utcnow():
            raise DomainError(_("Tiden har redan varit."), "resend")
        if message.recipient == Recipient.TRUSTED_CONTACT:
            # a copy to the relative goes to the relative again, not to the resident
            again = copy_to_trusted_contact(message.booking, message.kind, utcnow(), actor)
            if again is not None:
                again.replaces = message
        else:
            again = queue_for_booking(
                message.booking, message.kind, utcnow(), actor, replaces=message, note=note
            )
    elif message.recipient == Recipient.TRUSTED_CONTACT:
        again = None  # a copy about a booking that is gone
    else:
        channel = channel_for(message.resident) or Channel.STAFF_CALL
        again = copy_on_channel(message, channel, note, actor)
    if again is None:
        raise DomainError(_("Det finns inget sätt att nå invånaren just nu."), "resend")
    _event(message, State.FAILED, note, actor)
    return again


def _goes_again_already(message: Message) -> bool:
    """Whether something stands in for the message already and is on its way or arrived:
    sent again by staff, or moved by the dispatcher to a call or the call list (and maybe
    moved on from there). Sending it again then would reach the resident twice."""
    frontier, seen = [message.id], {message.id}
    while frontier:
        rows = db.session.execute(
            select(Message.id, Message.state).where(Message.replaces_id.in_(frontier))
        ).all()
        if any(state in UNDER_WAY for _id, state in rows):
            return True
        frontier = [row_id for row_id, _state in rows if row_id not in seen]
        seen.update(frontier)
    return False


# --- The call list and the letters --------------------------------------------------------------


def _manual_due(organisation: Organisation, channel: Channel, day: date):
    _start, end = local_day_bounds(day, organisation.timezone)
    return (
        select(Message)
        .where(
            Message.organisation_id == organisation.id,
            Message.state == State.PENDING,
            Message.channel == channel,
            Message.send_after < end,
        )
        .options(
            selectinload(Message.resident),
            selectinload(Message.events),
            selectinload(Message.booking).selectinload(Booking.session).selectinload(HelpSession.location),
        )
        .order_by(Message.send_after, Message.id)
    )


def _at_place(query, location_id: int | None):
    """Messages about a booking at this place, and those about no booking at all."""
    if not location_id:
        return query
    return (
        query.outerjoin(Booking, Message.booking_id == Booking.id)
        .outerjoin(HelpSession, Booking.session_id == HelpSession.id)
        .where(or_(HelpSession.location_id == location_id, Message.booking_id.is_(None)))
    )


def call_list(organisation: Organisation, day: date, location_id: int | None) -> list[Message]:
    """The calls to make on a day (and any left from earlier days) at one place; messages
    not about a booking at a place are on every place's list."""
    query = _manual_due(organisation, Channel.STAFF_CALL, day).where(Message.kind != Kind.CAMPAIGN_INVITATION)
    return list(db.session.scalars(_at_place(query, location_id)))


def calls_done(organisation: Organisation, day: date, location_id: int | None) -> list[Message]:
    start, end = local_day_bounds(day, organisation.timezone)
    query = (
        select(Message)
        .where(
            Message.organisation_id == organisation.id,
            Message.channel == Channel.STAFF_CALL,
            Message.handled_by_id.is_not(None),
            Message.updated_at >= start,
            Message.updated_at < end,
        )
        .options(selectinload(Message.resident), selectinload(Message.handled_by))
        .order_by(Message.updated_at.desc())
    )
    return list(db.session.scalars(_at_place(query, location_id)))


def letters_to_post(organisation: Organisation, day: date) -> list[Message]:
    return list(db.session.scalars(_manual_due(organisation, Channel.LETTER, day)))


def counts_waiting(organisation: Organisation, now: datetime | None = None) -> dict[str, int]:
    """For the start of the outbox page: what waits for a person today."""
    now = now or utcnow()
    end = now + timedelta(days=1)
    rows = db.session.execute(
        select(Message.channel, func.count())
        .where(
            Message.organisation_id == organisation.id,
            Message.state == State.PENDING,
            Message.channel.in_(MANUAL_CHANNELS),
            Message.send_after < end,
            # a campaign's calls are on the campaign's own call list
            or_(Message.channel == Channel.LETTER, Message.kind != Kind.CAMPAIGN_INVITATION),
        )
        .group_by(Message.channel)
    ).all()
    failed = db.session.scalar(
        select(func.count()).where(
            Message.organisation_id == organisation.id,
            text(FAILED_CONDITION),  # as written in the partial index, so that it is used
            Message.updated_at >= now - timedelta(days=7),
        )
    )
    found = {channel: count for channel, count in rows}
    return {
        "calls": found.get(Channel.STAFF_CALL, 0),
        "letters": found.get(Channel.LETTER, 0),
        "failed_this_week": failed or 0,
    }
