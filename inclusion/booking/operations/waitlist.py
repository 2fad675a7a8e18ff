"""The waitlist of a full group session: freed places go to those waiting, first come
first served."""

from __future__ import annotations

from sqlalchemy import select, update

from ... import signals
from ...auth import User
from ...core.database import utcnow
from ...extensions import db
from ..models import (
    Booking,
    BookingStatus,
    HelpSession,
)
from .holds import release_place, take_place


def promote_waitlist(session: HelpSession, actor: User | None) -> list[Booking]:
    """Give freed places to those waiting, first come first served."""
    if session.cancelled or session.starts_at <= utcnow():
        return []
    promoted = []
    waiting = db.session.scalars(
        select(Booking)
        .where(Booking.session_id == session.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.waitlisted_at, Booking.id)
    ).all()
    for booking in waiting:
        if not take_place(session.id):
            break
        # Claim this waiting booking; if another cancellation promoted it a moment ago,
        # give the place back and try the next one.
        claimed = db.session.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == BookingStatus.WAITLISTED)
            .values(status=BookingStatus.BOOKED, confirmed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            release_place(session.id)
            continue
        db.session.expire(booking, ["status", "confirmed_at"])
        promoted.append(booking)
        signals.booking_promoted.send(booking, actor=actor)
    return promoted


def waitlist_position(booking: Booking) -> int | None:
    if booking.status != BookingStatus.WAITLISTED:
        return None
    waiting = [b for b in booking.session.bookings if b.status == BookingStatus.WAITLISTED]
    waiting.sort(key=lambda b: (b.waitlisted_at, b.id))
    return waiting.index(booking) + 1
