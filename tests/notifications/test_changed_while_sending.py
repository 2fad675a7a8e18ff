"""A booking cancelled or moved while the dispatcher is busy: the reminder with the old
time is not sent once the change has been made. The statement that claims a message
checks that its booking is still live and at the session its text names, and a message
is claimed only when a thread is free to send it at once (nothing claimed waits in a
queue while the booking changes).

The change comes at the worst moment a real dispatcher leaves: while another message is
being sent (the fake Twilio runs it between accepting a request and answering it), and,
on PostgreSQL, in the middle of the cancelling transaction while the dispatcher claims."""

from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
from helpers import working_day
from sqlalchemy import event, select, update

from inclusion.booking import cancel_booking, rebook_booking
from inclusion.booking.models import Booking
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import Kind, Message, State
from tests.fixtures.outbox import SMS_RESIDENT, set_quiet_hours

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

OTHER_MOBILE = {**SMS_RESIDENT, "name": "Sven Sms", "phone": "070-999 88 77"}


@pytest.fixture
def two_booked(app, library, make_session, make_booking, make_resident, dispatch, fake_twilio):
    """Two residents booked in the coming week with one reminder each, their
    confirmations sent; returns the booking ids and the residents' numbers."""
    set_quiet_hours(app, library.organisation_id, time(0), time(0), reminder_offsets="120")
    day = working_day(5)
    first = make_booking(
        make_session(day=day, starts=time(10), ends=time(10, 30))[0], make_resident(**SMS_RESIDENT)
    )
    second = make_booking(
        make_session(day=day, starts=time(11), ends=time(11, 30))[0], make_resident(**OTHER_MOBILE)
    )
    dispatch()
    fake_twilio.reset()
    with app.app_context():
        numbers = [db.session.get(Booking, booking_id).resident.phone_e164 for booking_id in (first, second)]
    return (first, second), numbers


def _reminders_due_now(app) -> None:
    """The reminders' moment has come."""
    with app.app_context():
        db.session.execute(
            update(Message)
            .where(Message.kind == Kind.REMINDER)
            .values(send_after=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()


def _once(act):
    """A fake-Twilio hook that acts at the first request only."""
    done = []

    def hook(_received) -> None:
        if not done:
            done.append(True)
            act()

    return hook


def _states(outbox, booking_id: int, kind: Kind) -> set[State]:
    return {message.state for message in outbox(booking_id=booking_id, kind=kind)}


def test_a_booking_cancelled_while_another_reminder_is_being_sent_gets_no_reminder(
    app, two_booked, fake_twilio, dispatch, outbox
):
    (first, second), (first_number, second_number) = two_booked
    _reminders_due_now(app)

    def cancel_second() -> None:
        with app.app_context():
            cancel_booking(db.session.get(Booking, second), "Sjuk", None)
            db.session.commit()
            db.session.remove()

    fake_twilio.on_accepted = _once(cancel_second)
    dispatch(concurrency=1)

    assert _states(outbox, first, Kind.REMINDER) >= {State.SENT}
    assert State.SENT not in _states(outbox, second, Kind.REMINDER), "the cancelled booking's reminder went"
    assert _states(outbox, second, Kind.CANCELLATION) == {State.SENT}
    # the second resident heard only that the time is cancelled
    assert fake_twilio.count_by_number("Messages") == {first_number: 1, second_number: 1}


def test_a_booking_moved_while_another_reminder_is_being_sent_gets_no_reminder_of_the_old_time(
    app, two_booked, make_session, fake_twilio, dispatch, outbox
):
    (first, second), (_first_number, second_number) = two_booked
    new_session = make_session(day=working_day(6), starts=time(13), ends=time(13, 30))[0]
    with app.app_context():
        old_reminders = {
            m.id
            for m in db.session.scalars(
                select(Message).where(Message.booking_id == second, Message.kind == Kind.REMINDER)
            )
        }
    _reminders_due_now(app)

    def move_second() -> None:
        with app.app_context():
            rebook_booking(db.session.get(Booking, second), new_session, None)
            db.session.commit()
            db.session.remove()

    fake_twilio.on_accepted = _once(move_second)
    dispatch(concurrency=1)

    went = [m for m in outbox(booking_id=second) if m.state == State.SENT and m.id in old_reminders]
    assert went == [], "a reminder of the old time went after the booking was moved"
    assert _states(outbox, second, Kind.REBOOKED) == {State.SENT}
    to_second = [r.body for r in fake_twilio.accepted("Messages") if r.to == second_number]
    assert len(to_second) == 1 and "klockan 13.00" in to_second[0], to_second


def test_a_cancellation_in_progress_while_the_dispatcher_claims_stops_the_reminder(
    app, two_booked, fake_twilio, dispatch, outbox
):
    """PostgreSQL: the cancelling request has changed the booking and not yet its
    messages when the dispatcher claims. The claim leaves that reminder (its booking row
    is locked), and the cancellation then cancels it. SQLite lets one writer in at a
    time, so there the claim comes wholly before or after the cancellation."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: no claim can come inside a cancellation")
    (first, second), (first_number, second_number) = two_booked
    _reminders_due_now(app)
    booking_changed, dispatched = threading.Event(), threading.Event()

    def pause_after_the_booking_update(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE BOOKING") and not booking_changed.is_set():
            booking_changed.set()
            assert dispatched.wait(timeout=30), "the dispatcher did not finish"

    def cancel_second() -> None:
        with app.app_context():
            connection = db.session.connection()
            event.listen(connection, "after_cursor_execute", pause_after_the_booking_update)
            cancel_booking(db.session.get(Booking, second), "Sjuk", None)
            db.session.commit()
            db.session.remove()

    cancelling = threading.Thread(target=cancel_second)
    cancelling.start()
    assert booking_changed.wait(timeout=30)
    try:
        dispatch(concurrency=4)
    finally:
        dispatched.set()
        cancelling.join(timeout=30)

    assert _states(outbox, first, Kind.REMINDER) >= {State.SENT}
    assert State.SENT not in _states(outbox, second, Kind.REMINDER), (
        "the reminder went during the cancellation"
    )
    assert State.CANCELLED in _states(outbox, second, Kind.REMINDER)
    assert fake_twilio.count_by_number("Messages") == {first_number: 1}
    dispatch()
    assert _states(outbox, second, Kind.CANCELLATION) == {State.SENT}
