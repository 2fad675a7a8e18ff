"""What staff pages read from the post office: a resident's or a booking's messages, what
went instead of one, whether the provider is down, and what a provider's error code
means. The pages need not know which provider it is."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .gateway import explain_error, sending_provider
from .models import Message
from .outage import Outage, current_outage


def outage_for(organisation_id: int, now: datetime | None = None) -> Outage | None:
    """The outage of the configured provider, as this organisation's staff should see it."""
    return current_outage(sending_provider(current_app), organisation_id, now)


def explain_failure(message: Message) -> object | None:
    """What a failed message's error code means, in words staff read (a lazy string)."""
    if not message.error_code:
        return None
    return explain_error(message.error_code, message.error_message or "").explanation


def messages_of_resident(resident_id: int, organisation_id: int, limit: int = 100) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.resident_id == resident_id, Message.organisation_id == organisation_id)
            .order_by(Message.created_at.desc(), Message.id.desc())
            .limit(limit)
        )
    )


def replacements_of(message: Message) -> list[Message]:
    """What went instead of a message that did not get through, for following the chain."""
    return list(
        db.session.scalars(select(Message).where(Message.replaces_id == message.id).order_by(Message.id))
    )


def messages_of_booking(booking_id: int, organisation_id: int) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.booking_id == booking_id, Message.organisation_id == organisation_id)
            .order_by(Message.send_after, Message.id)
        )
    )
