"""A JA or NEJ answers the latest message the resident got. A second NEJ never cancels a
second booking; when nothing says which of several times an answer is about, nothing is
guessed: a person calls back."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from helpers import stored, working_day
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.booking import cancel_booking
from inclusion.booking.models import Booking, BookingStatus
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage
from inclusion.reception.models import CallbackRequest
from tests.fixtures.outbox import SMS_RESIDENT

GRETA = "+46701112233"


def _reply(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return page.split("<Message>")[1].split("</Message>")[0]


def _statuses(app, booking_ids: list[int]) -> list[str]:
    return [stored(app, Booking, booking_id).status for booking_id in booking_ids]


def _confirmed(app, booking_ids: list[int]) -> list[bool]:
    return [stored(app, Booking, booking_id).resident_confirmed_at is not None for booking_id in booking_ids]


@pytest.fixture
def three_times(make_session, make_booking, make_resident):
    """Greta with three coming times (in 4, 6 and 8 working days); returns a function
    that books them, dispatching each confirmation at once when ``send`` is true."""

    def book(dispatch=None) -> list[int]:
        resident_id = make_resident(**SMS_RESIDENT)
        bookings = []
        for days in (4, 6, 8):
            session_id = make_session(day=working_day(days), starts=time(10), ends=time(10, 30))[0]
            bookings.append(make_booking(session_id, resident_id))
            if dispatch is not None:
                assert dispatch().sent == 1
        return bookings

    return book


def test_three_nej_cancel_only_the_time_the_latest_message_was_about(
    app, webhooks, three_times, dispatch, fake_twilio
):
    bookings = three_times(dispatch)

    first = _reply(webhooks.sms_from(GRETA, "Nej", sid="SM1"))
    second = _reply(webhooks.sms_from(GRETA, "Nej", sid="SM2"))
    third = _reply(webhooks.sms_from(GRETA, "nej tack", sid="SM3"))

    # The last confirmation was about the third time: that one, and only that one.
    assert _statuses(app, bookings) == [BookingStatus.BOOKED, BookingStatus.BOOKED, BookingStatus.CANCELLED]
    assert "är avbokad" in first
    assert "är redan avbokad" in second and "är redan avbokad" in third


@pytest.mark.parametrize("text", ["Nej", "Ja"])
def test_an_answer_with_several_times_ahead_and_no_message_naming_one_goes_to_a_person(
    app, webhooks, three_times, library, text
):
    bookings = three_times()  # the confirmations wait (nothing sent yet)

    reply = _reply(webhooks.sms_from(GRETA, text, sid="SM1"))

    assert _statuses(app, bookings) == [BookingStatus.BOOKED] * 3
    assert _confirmed(app, bookings) == [False] * 3
    assert "Du har flera bokade tider" in reply and "vi ringer upp dig" in reply
    with app.app_context():
        (request,) = db.session.scalars(select(CallbackRequest)).all()
        assert (request.organisation_id, request.wishes) == (library.organisation_id, text)
        assert "flera bokade tider" in request.note
        assert db.session.scalar(select(InboundMessage.request_id)) == request.id


@pytest.mark.parametrize("text", ["Nej", "Ja"])
def test_an_answer_to_news_of_a_cancelled_time_touches_no_other_time(
    app, webhooks, library, make_session, make_booking, make_resident, dispatch, fake_twilio, text
):
    """Staff cancelled the sooner time and Greta was told; her answer to that message
    neither cancels nor confirms the later one."""
    resident_id = make_resident(**SMS_RESIDENT)
    later = make_booking(make_session(day=working_day(8))[0], resident_id)
    sooner = make_booking(make_session(day=working_day(4))[0], resident_id)
    dispatch()
    with app.app_context():
        cancel_booking(
            db.session.get(Booking, sooner), "Personalen är sjuk", db.session.get(User, library.staff_id)
        )
        db.session.commit()
    assert dispatch().sent == 1  # the cancellation, the latest message

    reply = _reply(webhooks.sms_from(GRETA, text, sid="SM1"))

    assert "är redan avbokad" in reply
    assert _statuses(app, [sooner, later]) == [BookingStatus.CANCELLED, BookingStatus.BOOKED]
    assert _confirmed(app, [later]) == [False]


def test_one_time_ahead_is_what_an_answer_is_about_when_no_message_names_one(
    app, webhooks, make_session, make_booking, make_resident
):
    resident_id = make_resident(**SMS_RESIDENT)
    booking_id = make_booking(make_session(day=working_day(4))[0], resident_id)

    webhooks.sms_from(GRETA, "Hej", sid="SM1")  # answered with "we will call you"
    reply = _reply(webhooks.sms_from(GRETA, "Ja", sid="SM2"))

    assert reply.startswith("Tack! Vi ses")
    assert _confirmed(app, [booking_id]) == [True]


@pytest.mark.parametrize("text", ["Nej", "Ja"])
def test_a_late_answer_to_a_reminder_for_a_time_that_has_begun_touches_no_other_time(
    app, webhooks, make_session, make_booking, make_resident, dispatch, fake_twilio, text
):
    """Greta answers today's reminder after her time began; next week's time stays as it is."""
    resident_id = make_resident(**SMS_RESIDENT)
    later = make_booking(make_session(day=working_day(8))[0], resident_id)
    assert dispatch().sent == 1
    today = make_booking(make_session(day=working_day(4))[0], resident_id)
    assert dispatch().sent == 1  # the confirmation for today's time is the latest message
    with app.app_context():
        session = db.session.get(Booking, today).session
        length = session.ends_at - session.starts_at
        session.starts_at = utcnow() - timedelta(minutes=10)
        session.ends_at = session.starts_at + length
        db.session.commit()

    reply = _reply(webhooks.sms_from(GRETA, text, sid="SM1"))

    assert "har redan varit eller pågår nu" in reply
    assert _statuses(app, [today, later]) == [BookingStatus.BOOKED, BookingStatus.BOOKED]
    assert _confirmed(app, [today, later]) == [False, False]
