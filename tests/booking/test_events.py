"""The seam other features hang on: each booking change sends its signal once, with the
booking and what changed, and a refused change sends nothing. Notifications will send
confirmations and reminders from exactly these events."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import time, timedelta

import pytest

from inclusion import signals
from inclusion.auth.models import User
from inclusion.booking import (
    BookingRequest,
    Outcome,
    SlotTaken,
    book_resident,
    cancel_booking,
    rebook_booking,
    record_outcome,
)
from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.database import utcnow
from inclusion.extensions import db

BOOKING_SIGNALS = {
    "created": signals.booking_created,
    "rebooked": signals.booking_rebooked,
    "cancelled": signals.booking_cancelled,
    "promoted": signals.booking_promoted,
    "outcome": signals.booking_outcome_recorded,
}


class Heard:
    """Every booking signal received while listening, in order, as (name, booking id, kwargs)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, int, dict]] = []
        self._stack = ExitStack()

    def __enter__(self) -> Heard:
        for name, signal in BOOKING_SIGNALS.items():
            self._stack.enter_context(signal.connected_to(self._receiver(name)))
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    def _receiver(self, name: str):
        def receive(booking, **kwargs) -> None:
            self.events.append((name, booking.id, kwargs))

        return receive

    @property
    def names(self) -> list[str]:
        return [name for name, _id, _kwargs in self.events]


@pytest.fixture
def services_context(app):
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()


def _reception(library) -> User:
    return db.session.get(User, library.reception_id)


def test_booking_sends_created_once_with_the_actor(library, make_session, make_resident, services_context):
    session_id = make_session()[0]
    resident_id = make_resident(name="Anna Andersson", phone="070-174 06 30")
    actor = _reception(library)

    with Heard() as heard:
        booking = book_resident(library.organisation_id, session_id, resident_id, BookingRequest(), actor)

    assert heard.names == ["created"]
    _name, booking_id, kwargs = heard.events[0]
    assert booking_id == booking.id
    assert kwargs["actor"] is actor


def test_a_refused_booking_sends_nothing(
    library, make_session, make_resident, make_booking, services_context
):
    session_id = make_session()[0]
    make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    latecomer = make_resident(name="Bo Berg", phone="070-174 06 31")

    with Heard() as heard, pytest.raises(SlotTaken):
        book_resident(library.organisation_id, session_id, latecomer, BookingRequest(), _reception(library))

    assert heard.events == []


def test_rebooking_names_the_previous_session(
    library, make_session, make_resident, make_booking, services_context
):
    first, second = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    booking_id = make_booking(first, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    booking = db.session.get(Booking, booking_id)

    with Heard() as heard:
        rebook_booking(booking, second, _reception(library))

    assert heard.names == ["rebooked"]
    assert heard.events[0][2]["previous_session"].id == first
    assert booking.session_id == second


def test_cancelling_sends_the_reason_and_promotes_the_first_in_line(
    library, make_session, make_resident, make_booking, services_context
):
    fika = make_session(kind="group", title="Digital fika", capacity=1, starts=time(14), ends=time(16))[0]
    seated = make_booking(fika, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    waiting = make_booking(fika, make_resident(name="Bo Berg", phone="070-174 06 31"), join_waitlist=True)
    booking = db.session.get(Booking, seated)

    with Heard() as heard:
        cancel_booking(booking, "Är sjuk", _reception(library))

    assert heard.names == ["cancelled", "promoted"]
    assert heard.events[0][1] == seated and heard.events[0][2]["reason"] == "Är sjuk"
    assert heard.events[1][1] == waiting
    assert db.session.get(Booking, waiting).status == BookingStatus.BOOKED


def test_a_cancellation_without_reason_sends_nothing(
    library, make_session, make_resident, make_booking, services_context
):
    booking_id = make_booking(make_session()[0], make_resident(name="Anna Andersson", phone="070-174 06 30"))
    booking = db.session.get(Booking, booking_id)

    with Heard() as heard, pytest.raises(Exception, match="avbokas"):
        cancel_booking(booking, "  ", _reception(library))

    assert heard.events == []
    assert booking.status == BookingStatus.BOOKED


def test_outcome_sends_only_the_fields_that_changed(
    library, make_session, make_resident, make_booking, services_context
):
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    # The session has taken place: move it into the past, as time would.
    session = db.session.get(HelpSession, session_id)
    session.starts_at, session.ends_at = (
        utcnow() - timedelta(hours=2),
        utcnow() - timedelta(hours=1, minutes=30),
    )
    db.session.flush()
    booking = db.session.get(Booking, booking_id)
    staff = db.session.get(User, library.staff_id)

    with Heard() as heard:
        record_outcome(
            booking, Outcome(attendance="attended", helped_topic_ids=[library.topic_ids["BankID"]]), staff
        )
        record_outcome(
            booking,
            Outcome(
                attendance="attended", helped_topic_ids=[library.topic_ids["BankID"]], follow_up_needed=True
            ),
            staff,
        )

    assert heard.names == ["outcome", "outcome"]
    first_changes, second_changes = heard.events[0][2]["changed_fields"], heard.events[1][2]["changed_fields"]
    assert "attendance" in first_changes
    assert second_changes == ["follow_up_needed"]
