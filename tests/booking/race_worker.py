"""What one process does in the booking races (tests/booking/test_race.py and
test_change_races.py), in a module of its own so that a process started with "spawn" can
import it without pytest's fixtures."""

from __future__ import annotations

from tests.process_race import BARRIER_SECONDS


def book_in_process(barrier, organisation_id: int, session_id: int, resident_id: int, actor_id: int) -> str:
    """Book the resident once the others are ready: "ok" or "taken"."""
    from inclusion.auth.models import User
    from inclusion.booking import BookingRequest, SlotTaken, book_resident
    from inclusion.extensions import db

    actor = db.session.get(User, actor_id)
    barrier.wait(timeout=BARRIER_SECONDS)
    try:
        book_resident(organisation_id, session_id, resident_id, BookingRequest(), actor)
        db.session.commit()
        return "ok"
    except SlotTaken:
        db.session.rollback()
        return "taken"


def cancel_in_process(barrier, booking_id: int, actor_id: int) -> str:
    """Cancel the booking once the others are ready: "ok" or "already cancelled"."""
    from inclusion.auth.models import User
    from inclusion.booking import AlreadyCancelled, cancel_booking
    from inclusion.booking.models import Booking
    from inclusion.extensions import db

    actor = db.session.get(User, actor_id)
    booking = db.session.get(Booking, booking_id)
    booking.session  # noqa: B018  (loaded before the others go, as an open page has it)
    barrier.wait(timeout=BARRIER_SECONDS)
    try:
        cancel_booking(booking, "Är sjuk", actor)
        db.session.commit()
        return "ok"
    except AlreadyCancelled:
        db.session.rollback()
        return "already cancelled"
