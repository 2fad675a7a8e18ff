"""The sending thread's part: the last check and the provider call, holding no locks."""

from __future__ import annotations

from sqlalchemy import Engine, select

from .claiming import still_wanted
from .gateway import Accepted, Gateway, Outgoing
from .models import Message


class ChangedMeanwhile(Exception):
    """What a claimed message is about (its booking) was cancelled or moved while the
    message waited for a thread: it is not sent."""


def send_unless_changed(gateway: Gateway, item: Outgoing, engine: Engine) -> Accepted:
    """In the sending thread, right before the send: a message about a booking goes only
    if the booking is still as its text says (``signals.claim_conditions`` with
    ``lock="wait"``). A change being committed at this instant is waited for (a share
    lock on the booking), so the message either sees it or is on its way before it."""
    if item.booking_id is not None:
        check = select(Message.id).where(Message.id == item.message_id, *still_wanted(lock="wait"))
        with engine.begin() as connection:
            if connection.execute(check).first() is None:
                raise ChangedMeanwhile()
    return gateway.send(item)
