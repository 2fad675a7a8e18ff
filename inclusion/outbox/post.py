"""Putting messages in the outbox and taking them out before they go: the post office's
counter. Any feature queues and cancels through these (see ``outbox/__init__.py``);
what a message says and why it is sent is the feature's own business."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, insert, update
from sqlalchemy.orm.util import identity_key

from ..auth import User
from ..core.database import utcnow
from ..extensions import db
from ..residents import ContactChannel, Resident
from .models import Channel, Kind, Medium, Message, MessageEvent, Recipient, State

MEDIUM_OF = {
    Channel.SMS: Medium.SMS,
    Channel.VOICE: Medium.VOICE,
    Channel.STAFF_CALL: Medium.VOICE,
    Channel.LETTER: Medium.LETTER,
}

#: a resident's number that failed for good ("invalid") or cannot take SMS ("no_sms")
PHONE_INVALID = "invalid"
PHONE_NO_SMS = "no_sms"


def channel_for(resident: Resident) -> Channel | None:
    """The way this resident can be reached now; None when there is no way at all."""
    number_works = bool(resident.phone_e164) and resident.phone_problem != PHONE_INVALID
    can_sms = resident.can_receive_sms and resident.phone_problem not in (PHONE_INVALID, PHONE_NO_SMS)
    has_address = resident.has_postal_address
    preferred = resident.preferred_channel
    if preferred == ContactChannel.SMS and can_sms:
        return Channel.SMS
    if preferred == ContactChannel.SMS and resident.phone_problem == PHONE_NO_SMS and number_works:
        return Channel.VOICE  # the "mobile" turned out to be a landline: call it instead
    if preferred == ContactChannel.LETTER and has_address:
        return Channel.LETTER
    if preferred == ContactChannel.VOICE and number_works:
        return Channel.VOICE
    if preferred == ContactChannel.STAFF_CALL and number_works:
        return Channel.STAFF_CALL
    # The preferred way does not work (opted out, number broken, no address): a person
    # calls if there is a number that works, else a letter, else someone must look.
    if number_works:
        return Channel.STAFF_CALL
    if has_address:
        return Channel.LETTER
    if resident.phone_e164:
        return Channel.STAFF_CALL
    return None


def record(message: Message, state: State, note: str | None = None, actor: User | None = None) -> None:
    """An event in the message's history (through the relationship, for a row not yet flushed)."""
    message.events.append(MessageEvent(state=state, note=note, actor_id=getattr(actor, "id", None)))


def queue(
    *,
    organisation_id: int,
    resident: Resident | None,
    booking: Any = None,
    kind: Kind,
    channel: Channel,
    body: str,
    language: str,
    due_at: datetime,
    recipient: Recipient = Recipient.RESIDENT,
    to_number: str | None = None,
    replaces: Message | None = None,
    state: State = State.PENDING,
    note: str | None = None,
    actor: User | None = None,
    session_id: int | None = None,
) -> Message:
    """A new message in the outbox, with the event that planned it.

    ``booking``: the booking row it is about (the ``Message.booking`` relationship; the
    outbox reads only its ``session_id``); ``session_id``: the session a message without
    a booking is about (an invitation)."""
    message = Message(
        organisation_id=organisation_id,
        resident=resident,
        booking=booking,
        session_id=booking.session_id if booking is not None else session_id,
        recipient=recipient,
        to_number=to_number if to_number is not None else getattr(resident, "phone_e164", None),
        channel=channel,
        kind=kind,
        language=language,
        body=body,
        due_at=due_at,
        send_after=due_at,
        state=state,
        voice_token=secrets.token_urlsafe(24) if channel == Channel.VOICE else None,
        replaces=replaces,
    )
    db.session.add(message)
    record(message, state, note or _("Planerat"), actor)
    return message


def copy_on_channel(message: Message, channel: Channel, note: str, actor: User | None = None) -> Message:
    """The same words to the same resident another way, for a message that is not about a
    booking (nothing to write it again from)."""
    return queue(
        organisation_id=message.organisation_id,
        resident=message.resident,
        kind=message.kind,
        channel=channel,
        body=message.body,
        language=message.language,
        due_at=utcnow(),
        replaces=message,
        note=note,
        actor=actor,
    )


def cancel(
    *conditions: ColumnElement[bool], note: str, actor: User | None = None, state: State = State.CANCELLED
) -> list[int]:
    """Move the messages matching ``conditions`` that are still pending to ``state``
    (cancelled, or skipped) with an event each, in one conditional UPDATE; returns their ids.

    Only rows still pending change, whatever was read before: a message the dispatcher
    claimed a moment ago is on its way and is recorded as sent, not marked cancelled
    behind its back; and of two requests cancelling the same messages at once (a double
    click on "Stoppa"), each message is cancelled, and counted, by one of them."""
    settled = list(
        db.session.scalars(
            update(Message)
            .where(Message.state == State.PENDING, *conditions)
            .values(state=state)
            .returning(Message.id)
            .execution_options(synchronize_session="fetch")
        )
    )
    if settled:
        now, actor_id = utcnow(), getattr(actor, "id", None)
        db.session.execute(
            insert(MessageEvent),
            [
                {
                    "message_id": message_id,
                    "at": now,
                    "state": state,
                    "note": note[:300],
                    "actor_id": actor_id,
                }
                for message_id in settled
            ],
        )
        for message_id in settled:  # a history already read shows the new event too
            message = db.session.identity_map.get(identity_key(Message, message_id))
            if message is not None:
                db.session.expire(message, ["events"])
    return settled
