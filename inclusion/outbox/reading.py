"""What staff pages read about the post office itself: whether the provider is down, and
what a provider's error code means. The pages need not know which provider it is."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from .gateway import sending_provider
from .models import Message
from .outage import Outage, current_outage
from .twilio_gateway import explain


def outage_for(organisation_id: int, now: datetime | None = None) -> Outage | None:
    """The outage of the configured provider, as this organisation's staff should see it."""
    return current_outage(sending_provider(current_app), organisation_id, now)


def explain_failure(message: Message) -> object | None:
    """What a failed message's error code means, in words staff read (a lazy string)."""
    if not message.error_code:
        return None
    return explain(message.error_code, message.error_message or "").explanation
