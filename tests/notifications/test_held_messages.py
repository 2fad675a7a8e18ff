"""Messages that were held (by quiet hours, a dispatcher that stopped, an outage) go out
as if they had not been: never at night, and never a reminder in the same minute as the
confirmation that already says the time."""

from __future__ import annotations

from datetime import time, timedelta

from helpers import working_day
from sqlalchemy import update

from inclusion.core.clock import local_today
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.claiming import claim_due
from inclusion.outbox.models import Kind, Message, Recipient, State
from tests.fixtures.outbox import SMS_RESIDENT, set_quiet_hours
from tests.notifications.test_dispatcher import TZ, _at

TRUSTED_SMS_RESIDENT = {
    **SMS_RESIDENT,
    "trusted_contact_name": "Eva Dotter",
    "trusted_contact_phone": "070-555 66 77",
    "trusted_contact_consent": True,
}


def test_messages_a_stopped_dispatcher_left_wait_for_the_morning_and_go_once(
    app, library, make_session, make_booking, make_resident, fake_twilio, dispatch, outbox
):
    """The dispatcher stopped at 20:59 with a confirmation claimed (sent or not, nobody
    knows). At 21:05, in the quiet hours, the next one does not send it again: it waits,
    marked as possibly sent twice, and goes once at 08:00."""
    set_quiet_hours(app, library.organisation_id, time(21), time(8))
    booking_id = make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))
    evening, morning = (local_today(TZ) + timedelta(days=days) for days in (1, 2))
    with app.app_context():
        _recovered, claimed = claim_due(10, "stopped:1", _at(evening, 20, 59)(), quiet=[])
        db.session.commit()
    assert claimed == [outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)[0].id]

    at_night = dispatch(now=_at(evening, 21, 5))

    assert fake_twilio.accepted() == [], "a message left by a stopped dispatcher went out at night"
    assert at_night.recovered == []
    [waiting] = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)
    assert (waiting.state, waiting.possibly_duplicate, waiting.lease_until) == (State.PENDING, True, None)
    assert "tysta timmarna" in waiting.events[-1].note

    dispatch(now=_at(morning, 8, 5))

    assert len(fake_twilio.accepted()) == 1
    [sent] = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)
    assert (sent.state, sent.possibly_duplicate) == (State.SENT, True)


def _held_since_last_night(app, booking_id: int) -> None:
    """The confirmation has waited since last night (quiet hours, or an outage), and the
    reminder's moment came this minute: both are due together."""
    now = utcnow()
    with app.app_context():
        db.session.execute(
            update(Message)
            .where(Message.booking_id == booking_id, Message.kind == Kind.CONFIRMATION)
            .values(due_at=now - timedelta(hours=10), send_after=now - timedelta(minutes=2))
        )
        db.session.execute(
            update(Message)
            .where(Message.booking_id == booking_id, Message.kind == Kind.REMINDER)
            .values(due_at=now - timedelta(minutes=1), send_after=now - timedelta(minutes=1))
        )
        db.session.commit()


def test_a_held_confirmation_going_out_drops_the_reminder_it_already_covers(
    app, library, make_session, make_booking, make_resident, fake_twilio, dispatch, outbox
):
    set_quiet_hours(app, library.organisation_id, time(0), time(0), reminder_offsets="120")
    resident_id = make_resident(**TRUSTED_SMS_RESIDENT)
    booking_id = make_booking(make_session(day=working_day(5))[0], resident_id)
    _held_since_last_night(app, booking_id)

    dispatch()

    for recipient in (Recipient.RESIDENT, Recipient.TRUSTED_CONTACT):
        [confirmation] = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION, recipient=recipient)
        [reminder] = outbox(booking_id=booking_id, kind=Kind.REMINDER, recipient=recipient)
        assert confirmation.state == State.SENT
        assert reminder.state == State.SKIPPED, f"the {recipient} got the reminder with the confirmation"
        assert reminder.events[-1].note == "Bekräftelsen som skickas nu säger redan tiden."
    assert sorted(fake_twilio.count_by_number().values()) == [1, 1]


def test_a_held_confirmation_sent_by_one_dispatcher_drops_the_reminder_another_claims(
    app, library, make_session, make_booking, make_resident, fake_twilio, dispatch, outbox
):
    """The confirmation went a moment ago (another dispatcher, the tick before); the
    reminder whose moment came just before it is covered all the same."""
    set_quiet_hours(app, library.organisation_id, time(0), time(0), reminder_offsets="120")
    booking_id = make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))
    _held_since_last_night(app, booking_id)
    with app.app_context():
        db.session.execute(
            update(Message)
            .where(Message.booking_id == booking_id, Message.kind == Kind.REMINDER)
            .values(send_after=utcnow() + timedelta(minutes=5))
        )
        db.session.commit()
    dispatch()  # the confirmation only
    with app.app_context():
        db.session.execute(
            update(Message)
            .where(Message.booking_id == booking_id, Message.kind == Kind.REMINDER)
            .values(send_after=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()

    dispatch()

    [reminder] = outbox(booking_id=booking_id, kind=Kind.REMINDER)
    assert reminder.state == State.SKIPPED
    assert len(fake_twilio.accepted()) == 1


def test_a_reminder_whose_moment_comes_after_the_confirmation_went_still_goes(
    app, library, make_session, make_booking, make_resident, fake_twilio, dispatch, outbox
):
    """The usual case: confirmed when booked, reminded the day before."""
    set_quiet_hours(app, library.organisation_id, time(0), time(0), reminder_offsets="120")
    booking_id = make_booking(make_session(day=working_day(5))[0], make_resident(**SMS_RESIDENT))
    dispatch()
    with app.app_context():
        db.session.execute(
            update(Message)
            .where(Message.booking_id == booking_id, Message.kind == Kind.REMINDER)
            .values(due_at=utcnow() + timedelta(seconds=1), send_after=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()

    dispatch()

    assert [m.state for m in outbox(booking_id=booking_id, kind=Kind.REMINDER)] == [State.SENT]
    assert len(fake_twilio.accepted()) == 2
