"""The dispatcher sends through the real ``twilio`` client to a fake Twilio on
127.0.0.1: SMS and calls with E.164 numbers and Swedish text, retries with back-off on
429 and 500, and permanent refusals that mark the number and hand the message to staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import stored, working_day
from sqlalchemy import update

from inclusion.booking.models import Booking
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import Channel, Kind, Message, State
from inclusion.residents.models import Resident
from tests.fixtures.outbox import LANDLINE_RESIDENT, PUBLIC_BASE_URL, SERVICE_NUMBER, SMS_RESIDENT


@pytest.fixture
def booked(make_session, make_booking, make_resident):
    """Book a resident three working days ahead; returns (resident id, booking id)."""

    def book(resident: dict, **booking):
        resident_id = make_resident(**resident)
        return resident_id, make_booking(make_session(day=working_day(5))[0], resident_id, **booking)

    return book


def _all_due_now(app) -> None:
    with app.app_context():
        db.session.execute(update(Message).where(Message.state == State.PENDING).values(send_after=utcnow()))
        db.session.commit()


def test_a_confirmation_goes_out_as_sms_with_the_number_in_e164_and_swedish_text(
    fake_twilio, booked, dispatch, outbox
):
    _resident_id, booking_id = booked(SMS_RESIDENT)

    report = dispatch()

    assert report.sent == 1
    (request,) = fake_twilio.accepted("Messages")
    assert request.to == "+46701112233"
    assert request.sender == SERVICE_NUMBER
    assert request.body.startswith("Hej Greta! Du har en tid hos oss")
    assert request.status_callback == PUBLIC_BASE_URL + "/twilio/sms/status"
    confirmation = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)[0]
    assert (confirmation.state, confirmation.provider_sid, confirmation.attempts) == (
        State.SENT,
        request.sid,
        1,
    )
    assert [m.state for m in outbox(kind=Kind.REMINDER)] == [State.PENDING, State.PENDING]


def test_a_landline_gets_a_voice_call_that_fetches_its_twiml(fake_twilio, booked, dispatch, outbox):
    booked(LANDLINE_RESIDENT)

    dispatch()

    (call,) = fake_twilio.accepted("Calls")
    message = outbox(kind=Kind.CONFIRMATION)[0]
    assert call.to == "+4630012345"
    assert call.url == f"{PUBLIC_BASE_URL}/twilio/voice/reminder/{message.voice_token}"
    assert call.status_callback == PUBLIC_BASE_URL + "/twilio/voice/status"
    assert (message.state, message.provider_sid) == (State.SENT, call.sid)


def test_nothing_is_sent_twice_when_the_dispatcher_runs_again(fake_twilio, booked, dispatch):
    booked(SMS_RESIDENT)

    dispatch()
    again = dispatch()

    assert again.sent == 0
    assert len(fake_twilio.accepted()) == 1


@pytest.mark.parametrize(
    ("status", "code", "duplicate"), [(429, 20429, False), (500, None, True), (503, None, True)]
)
def test_a_temporary_fault_is_retried_later_with_back_off(
    app, fake_twilio, booked, dispatch, outbox, status, code, duplicate
):
    booked(SMS_RESIDENT)
    fake_twilio.fail_next(1, status, code)

    first = dispatch()

    (message,) = outbox(kind=Kind.CONFIRMATION)
    assert (first.sent, first.retrying) == (0, 1)
    assert message.state == State.PENDING and message.attempts == 1
    assert timedelta(seconds=40) < message.send_after - utcnow() < timedelta(seconds=80)
    assert message.possibly_duplicate is duplicate
    assert "Försöker igen" in message.events[-1].note

    assert dispatch().sent == 0  # not before its time
    _all_due_now(app)
    later = dispatch()
    # The confirmation now; of the two reminders made due at once only the later one.
    assert (later.sent, later.skipped) == (2, 1)
    assert outbox(kind=Kind.CONFIRMATION)[0].state == State.SENT


def test_back_off_grows_to_the_longest_wait_and_a_fault_is_tried_until_the_messages_time_has_passed(
    app, fake_twilio, booked, dispatch, outbox
):
    """However many tries an outage takes, a message is not used up by them: it is tried
    again (60 s doubled each time, at most 5 minutes apart) until it is of no use, and
    only then fails, with the reason it never went."""
    _resident_id, booking_id = booked(SMS_RESIDENT)
    fake_twilio.fail_next(8, 500)
    waits = []
    for _attempt in range(8):
        with app.app_context():
            db.session.execute(
                update(Message).where(Message.kind == Kind.CONFIRMATION).values(send_after=utcnow())
            )
            db.session.commit()
        dispatch(limit=1)
        message = outbox(kind=Kind.CONFIRMATION)[0]
        waits.append(message.send_after - utcnow())

    message = outbox(kind=Kind.CONFIRMATION)[0]
    assert message.state == State.PENDING and message.attempts == 8
    # 60 s doubled for each attempt up to 300, give or take a quarter so that retries spread out.
    for attempt, wait in enumerate(waits):
        expected = min(60 * 2**attempt, 300)
        assert expected * 0.74 < wait.total_seconds() < expected * 1.26, (attempt, wait)

    with app.app_context():  # the appointment has begun while the provider was down
        session = db.session.get(Booking, booking_id).session
        session.starts_at, session.ends_at = utcnow() - timedelta(minutes=1), utcnow() + timedelta(minutes=29)
        db.session.execute(
            update(Message).where(Message.kind == Kind.CONFIRMATION).values(send_after=utcnow())
        )
        db.session.commit()
    dispatch()

    message = outbox(kind=Kind.CONFIRMATION)[0]
    assert message.state == State.FAILED
    assert message.events[-1].note.startswith("Kom inte iväg i tid: Fel hos Twilio (500).")
    assert outbox(booking_id=booking_id, channel=Channel.STAFF_CALL) == [], "too late to call about it"
    assert len(fake_twilio.received) == 8


def test_an_invalid_number_is_marked_and_the_message_goes_to_the_call_list(
    app, fake_twilio, booked, dispatch, outbox
):
    resident_id, booking_id = booked(SMS_RESIDENT)
    fake_twilio.refuse("+46701112233", 400, 21211)

    report = dispatch()

    assert (report.failed, report.moved) == (1, 1)
    failed, on_call_list = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)
    assert (failed.state, failed.error_code) == (State.FAILED, "21211")
    assert (on_call_list.channel, on_call_list.state, on_call_list.replaces_id) == (
        Channel.STAFF_CALL,
        State.PENDING,
        failed.id,
    )
    assert stored(app, Resident, resident_id).phone_problem == "invalid"
    # The reminders waiting for the same number go the same way now.
    assert {m.channel for m in outbox(booking_id=booking_id, kind=Kind.REMINDER, state=State.PENDING)} == {
        Channel.STAFF_CALL
    }


def test_an_unsubscribed_recipient_is_opted_out(app, fake_twilio, booked, dispatch, outbox):
    resident_id, booking_id = booked(SMS_RESIDENT)
    fake_twilio.refuse("+46701112233", 400, 21610)

    dispatch()

    assert stored(app, Resident, resident_id).opted_out
    assert outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)[1].channel == Channel.STAFF_CALL


def test_a_number_that_cannot_take_sms_gets_a_voice_call_instead(app, fake_twilio, booked, dispatch, outbox):
    resident_id, booking_id = booked(SMS_RESIDENT)
    fake_twilio.refuse("+46701112233", 400, 21614, resource="Messages")

    dispatch()

    assert stored(app, Resident, resident_id).phone_problem == "no_sms"
    confirmation = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)
    assert [(m.channel, m.state) for m in confirmation] == [
        (Channel.SMS, State.FAILED),
        (Channel.VOICE, State.SENT),
    ]
    assert [r.to for r in fake_twilio.accepted("Calls")] == ["+46701112233"]


def test_wrong_credentials_are_retried_not_blamed_on_the_resident(app, fake_twilio, booked, dispatch, outbox):
    resident_id, _booking_id = booked(SMS_RESIDENT)
    app.config["TWILIO_AUTH_TOKEN"] = "wrong"
    from inclusion.outbox.gateway import forget_gateway

    forget_gateway(app)

    report = dispatch()

    assert report.retrying == 1
    message = outbox(kind=Kind.CONFIRMATION)[0]
    assert message.state == State.PENDING and message.error_code == "20003"
    assert stored(app, Resident, resident_id).phone_problem is None


def test_twilio_out_of_reach_is_a_temporary_fault(app, fake_twilio, booked, dispatch, outbox):
    booked(SMS_RESIDENT)
    fake_twilio.stop()

    report = dispatch()

    assert report.retrying == 1
    message = outbox(kind=Kind.CONFIRMATION)[0]
    assert (message.state, message.error_code, message.possibly_duplicate) == (
        State.PENDING,
        "connection",
        False,
    )


def test_the_console_backend_records_what_would_have_gone_out(app, booked, dispatch, outbox, caplog):
    booked(SMS_RESIDENT)

    with caplog.at_level("INFO", logger="inclusion.outbox"):
        report = dispatch()

    assert report.sent == 1
    message = outbox(kind=Kind.CONFIRMATION)[0]
    assert message.state == State.SENT and message.provider_sid.startswith("CONSOLE-")
    assert "+46701112233" not in caplog.text and "+4670…33" in caplog.text
    assert "Hej Greta" not in caplog.text
