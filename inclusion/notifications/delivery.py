"""Delivery reports from Twilio's status callbacks.

Twilio retries a callback it thinks failed, and callbacks can arrive out of order, so an
update is applied only when it moves a message forward: a delivered message never
becomes "sent" again, and the same report twice changes nothing the second time.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.database import locked, utcnow
from ..extensions import db
from .gateway import SendFailed
from .models import Channel, Message, MessageEvent, State
from .outcomes import MAX_ATTEMPTS, DispatchReport, fail, retry_later
from .twilio_gateway import explain

#: provider states that say nothing new to us: the message is on its way
_ON_ITS_WAY = {"queued", "accepted", "scheduled", "sending", "ringing", "in-progress", "initiated"}
_OPEN = (State.SENDING, State.SENT)

VOICE_RETRY_AFTER = timedelta(minutes=20)


def _message_with_sid(sid: str | None) -> Message | None:
    """The message, held until the report is recorded: the same report delivered twice
    at once (Twilio retries) is applied by one, and the other then finds it applied."""
    if not sid:
        return None
    return locked(Message, db.session.scalar(select(Message.id).where(Message.provider_sid == sid)))


def _note(message: Message, state: State, text: str) -> None:
    db.session.add(MessageEvent(message_id=message.id, state=state, note=text[:300]))


def _delivered(message: Message, provider_status: str) -> None:
    message.state = State.DELIVERED
    message.delivered_at = utcnow()
    message.provider_status = provider_status
    _note(message, State.DELIVERED, _("Framme hos mottagaren."))


def apply_sms_status(sid: str | None, status: str, error_code: str | None) -> bool:
    """Returns True when the report changed something."""
    message = _message_with_sid(sid)
    status = (status or "").strip().lower()
    if message is None or message.state not in _OPEN or status in _ON_ITS_WAY:
        return False
    if status == "sent":
        if message.provider_status == "sent":
            return False
        message.provider_status = "sent"
        return True
    if status in ("delivered", "read"):
        _delivered(message, status)
        return True
    if status in ("undelivered", "failed"):
        message.provider_status = status
        known = explain(error_code, _("Meddelandet kom inte fram."))
        failure = SendFailed(
            str(known.explanation),
            temporary=known.temporary,
            code=error_code or status,
            problem=known.problem,
        )
        if known.temporary and message.attempts < MAX_ATTEMPTS[Channel.SMS]:
            retry_later(message, failure, DispatchReport())
        else:
            fail(message, failure, DispatchReport())
        return True
    if status == "canceled":
        message.state = State.CANCELLED
        message.provider_status = status
        _note(message, State.CANCELLED, _("Stoppat hos Twilio."))
        return True
    return False


def apply_call_status(sid: str | None, status: str) -> bool:
    """A call answered is a message delivered; busy or no answer is tried again a little
    later, then handed to staff; a call that could not be made at all goes to staff."""
    message = _message_with_sid(sid)
    status = (status or "").strip().lower()
    if message is None or message.channel != Channel.VOICE or message.state not in _OPEN:
        return False
    if status in _ON_ITS_WAY:
        return False
    if status == "completed":
        _delivered(message, status)
        return True
    message.provider_status = status
    if status in ("busy", "no-answer"):
        reason = _("Upptaget.") if status == "busy" else _("Ingen svarade.")
        if message.attempts < MAX_ATTEMPTS[Channel.VOICE]:
            message.state = State.PENDING
            message.send_after = utcnow() + VOICE_RETRY_AFTER
            message.error_code = status
            message.error_message = reason
            _note(message, State.PENDING, reason + " " + _("Ringer igen om en stund."))
        else:
            fail(message, SendFailed(reason, temporary=False, code=status), DispatchReport())
        return True
    if status == "failed":
        fail(
            message,
            SendFailed(_("Samtalet gick inte att koppla."), temporary=False, code=status),
            DispatchReport(),
        )
        return True
    if status == "canceled":
        message.state = State.CANCELLED
        _note(message, State.CANCELLED, _("Samtalet avbröts."))
        return True
    return False
