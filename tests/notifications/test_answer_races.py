"""A JA (by SMS, or 1 pressed in a reminder call) at the instant staff cancel the booking.

The answer has read the booking (still booked) when staff's cancellation, made in their
own session and connection, is committed; then it confirms. The confirmation finds the
booking cancelled and changes nothing, and the resident must hear so: never "Vi ses"
about a time they no longer have. The cancellation is committed between the answer's
read and its confirmation, the one order that matters, so nothing is left to timing.
On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import time

import pytest
from helpers import stored, working_day

from inclusion.booking import cancel_booking
from inclusion.booking.models import Booking, BookingStatus
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Kind, Message
from inclusion.outbox.twilio_web import call_twiml
from inclusion.reminders.calls import answer_call
from inclusion.reminders.replies import handle_inbound_sms
from tests.fixtures.outbox import LANDLINE_RESIDENT, PUBLIC_BASE_URL, SERVICE_NUMBER, SMS_RESIDENT

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

GRETA = "+46701112233"


def _staff_cancel(app, booking_id: int) -> None:
    """Staff press "Avboka" in their own request: another session and connection."""
    with app.app_context():
        cancel_booking(db.session.get(Booking, booking_id), "Ringde återbud", None)
        db.session.commit()
        db.session.remove()


def _still_cancelled_and_unconfirmed(app, booking_id: int) -> None:
    booking = stored(app, Booking, booking_id)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.resident_confirmed_at is None


@pytest.fixture
def greta_told(make_session, make_booking, make_resident, dispatch, fake_twilio) -> int:
    """Greta (SMS) booked on a Tuesday at 10 and her confirmation sent, so that a JA is
    about that time; returns the booking id."""
    session_id = make_session(day=working_day(5, weekday=1), starts=time(10), ends=time(10, 30))[0]
    booking_id = make_booking(session_id, make_resident(**SMS_RESIDENT))
    assert dispatch().sent == 1
    return booking_id


def test_a_ja_by_sms_that_loses_to_staff_cancelling_is_told_the_time_is_cancelled(app, greta_told):
    booking_id = greta_told
    with app.app_context():
        answering = db.session.get(Booking, booking_id)  # the JA has read the booking...
        answering.session  # noqa: B018
        _staff_cancel(app, booking_id)  # ...when staff's "Avboka" is committed
        reply = handle_inbound_sms("SMja", GRETA, SERVICE_NUMBER, "Ja")
        db.session.commit()  # as the webhook's request does
        db.session.remove()

    assert "Vi ses" not in reply.text
    assert reply.text.startswith("Din tid tisdag ") and "är redan avbokad" in reply.text
    _still_cancelled_and_unconfirmed(app, booking_id)
    with app.app_context():
        inbound = db.session.query(InboundMessage).one()
        assert (inbound.outcome, inbound.reply_body) == ("nothing", reply.text)


@pytest.fixture
def karl_called(make_session, make_booking, make_resident, outbox) -> tuple[int, int]:
    """Karl (landline) booked on a Tuesday at 10; returns (booking id, his reminder call's id)."""
    booking_id = make_booking(
        make_session(day=working_day(5, weekday=1))[0], make_resident(**LANDLINE_RESIDENT)
    )
    reminder = [m for m in outbox(booking_id=booking_id) if m.kind == Kind.REMINDER][0]
    return booking_id, reminder.id


def test_pressing_1_in_a_call_that_loses_to_staff_cancelling_does_not_say_vi_ses(app, karl_called):
    booking_id, reminder_id = karl_called
    with app.app_context():
        call = db.session.get(Message, reminder_id)  # the call has read its booking...
        call.booking.session  # noqa: B018
        _staff_cancel(app, booking_id)  # ...when staff's "Avboka" is committed
        twiml = call_twiml(
            answer_call(call, "1"), f"{PUBLIC_BASE_URL}/twilio/voice/reminder/{call.voice_token}"
        )
        db.session.commit()
        db.session.remove()

    said = [say.text for say in ElementTree.fromstring(twiml).iter("Say")]
    assert said == ["Tack. Hej då."]
    _still_cancelled_and_unconfirmed(app, booking_id)
    assert stored(app, Message, reminder_id).voice_answer is None
