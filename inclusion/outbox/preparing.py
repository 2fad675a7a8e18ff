"""Preparing a claimed message: is it still right to send, and what the gateway needs."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from . import signals
from .gateway import Gateway, Outgoing, SendFailed
from .models import Channel, Message, NotificationSettings, Recipient, State
from .outcomes import (
    DispatchReport,
    deadline,
    fail,
    move_to_channel,
    skip_message,
    what_changed,
    why_outdated,
)
from .post import cancel, channel_for
from .signals import answers


def prepare(
    message: Message, now: datetime, report: DispatchReport, own_number: str | None, gateway: Gateway
) -> Outgoing | None:
    """Turn a claimed row into what the gateway needs, or settle it here: skipped when
    the booking changed, moved to another channel when the resident cannot be reached
    this way any more."""
    tried_in_vain = message.error_code is not None and message.attempts > 1
    if tried_in_vain and now >= deadline(message) and what_changed(message) is None:
        # Held by a fault (an outage) until it was of no use: a failure staff should see.
        error = message.error_message or message.error_code
        late = SendFailed(
            _("Kom inte iväg i tid: %(error)s", error=error), temporary=False, code=message.error_code
        )
        fail(message, late, report)
        return None
    reason = why_outdated(message, now)
    if reason:
        skip_message(message, reason, report)
        return None
    resident = message.resident
    if message.recipient == Recipient.TRUSTED_CONTACT:
        if resident is None or not resident.trusted_contact_consent:
            skip_message(message, _("Invånaren vill inte längre att kontaktpersonen får kopior."), report)
            return None
    elif resident is not None:
        channel = channel_for(resident)
        if channel != message.channel and message.booking is not None:
            move_to_channel(message, channel, _("Invånaren nås inte längre på det här sättet."), report)
            return None
        message.to_number = resident.phone_e164
    if not message.to_number:
        fail(message, SendFailed(_("Inget telefonnummer."), temporary=False), report)
        return None
    voice_token = message.voice_token if message.channel == Channel.VOICE else None
    return Outgoing(
        message_id=message.id,
        channel=message.channel,
        to=message.to_number,
        body=message.body,
        own_number=own_number,
        voice_token=voice_token,
        addressing=gateway.addressing(message.channel, own_number, voice_token),
        booking_id=message.booking_id,
    )


def expire_manual_messages(now: datetime, report: DispatchReport, limit: int = 500) -> None:
    """Call-list entries and letters for appointments that have begun are of no use (the
    feature that queued them says which, ``signals.expired_manual``). Only those still
    waiting: a call marked as made at this instant stays made."""
    stale = [
        message_id for ids in answers(signals.expired_manual, now=now, limit=limit) for message_id in ids
    ]
    if stale:
        skipped = cancel(Message.id.in_(stale), state=State.SKIPPED, note=_("Tiden har redan varit."))
        report.expired += len(skipped)


def load_messages(ids: list[int]) -> dict[int, Message]:
    """The messages with their residents and bookings, in a few statements for the whole
    batch instead of several for each message."""
    query = (
        select(Message)
        .where(Message.id.in_(ids))
        .options(
            joinedload(Message.resident),
            *(option for options in answers(signals.load_options) for option in options),
        )
    )
    return {message.id: message for message in db.session.scalars(query)}


def prepare_all(ids: list[int], moment: datetime, report: DispatchReport, gateway: Gateway) -> list[Outgoing]:
    if not ids:
        return []
    messages = load_messages(ids)
    organisations = {message.organisation_id for message in messages.values()}
    own_numbers = dict(
        db.session.execute(
            select(NotificationSettings.organisation_id, NotificationSettings.sms_number).where(
                NotificationSettings.organisation_id.in_(organisations)
            )
        ).all()
    )
    outgoing = []
    for message_id in ids:
        message = messages[message_id]
        prepared = prepare(message, moment, report, own_numbers.get(message.organisation_id), gateway)
        if prepared is not None:
            outgoing.append(prepared)
    return outgoing
