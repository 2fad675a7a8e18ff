"""A landline gets a call that reads the reminder in Swedish and asks for 1 (coming) or
2 (cancel). The TwiML is served only to Twilio's signed requests."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest
from helpers import stored, working_day

from inclusion.booking.models import Booking, BookingStatus
from inclusion.extensions import db
from inclusion.outbox.models import Kind, State
from tests.fake_twilio import sign
from tests.fixtures.outbox import LANDLINE_RESIDENT, PUBLIC_BASE_URL


@pytest.fixture
def reminder_call(make_session, make_booking, make_resident, outbox):
    """A landline resident booked on a Tuesday at 10; returns (booking id, the voice reminder)."""
    booking_id = make_booking(
        make_session(day=working_day(5, weekday=1))[0], make_resident(**LANDLINE_RESIDENT)
    )
    reminder = [m for m in outbox(booking_id=booking_id) if m.kind == Kind.REMINDER][0]
    return booking_id, reminder


def _call(webhooks, token: str, digits: str | None = None, method: str = "POST"):
    path = f"/twilio/voice/reminder/{token}"
    if method == "GET":
        return webhooks.client.get(path, headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, {})})
    params = {"CallSid": "CA1", "AccountSid": "AC1"}
    if digits is not None:
        params["Digits"] = digits
    return webhooks.post(path, params)


def _twiml(response) -> ElementTree.Element:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    return ElementTree.fromstring(response.get_data())


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_call_reads_the_reminder_in_swedish_and_asks_for_a_key(webhooks, reminder_call, method):
    _booking_id, reminder = reminder_call

    twiml = _twiml(_call(webhooks, reminder.voice_token, method=method))

    gather = twiml.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == f"{PUBLIC_BASE_URL}/twilio/voice/reminder/{reminder.voice_token}"
    said = [say.text for say in gather.findall("Say")]
    assert all(say.get("language") == "sv-SE" for say in gather.findall("Say"))
    assert said[0].startswith("Hej Karl. Det här är en påminnelse från Öckerö kommun.")
    assert "klockan 10:00" in said[0]
    assert said[1] == "Tryck 1 om du kommer. Tryck 2 om du inte kan komma."
    assert twiml.find("Hangup") is not None


def test_pressing_1_confirms(app, webhooks, reminder_call, outbox):
    booking_id, reminder = reminder_call

    twiml = _twiml(_call(webhooks, reminder.voice_token, "1"))

    assert twiml.find("Say").text.startswith("Tack! Vi ses tisdag")
    assert stored(app, Booking, booking_id).resident_confirmed_at is not None
    assert outbox(id=reminder.id)[0].voice_answer == "confirmed"


def test_pressing_2_cancels_once_even_when_twilio_asks_twice(app, webhooks, reminder_call, outbox):
    booking_id, reminder = reminder_call

    first = _twiml(_call(webhooks, reminder.voice_token, "2"))
    second = _twiml(_call(webhooks, reminder.voice_token, "2"))

    booking = stored(app, Booking, booking_id)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Avbokad av invånaren i ett påminnelsesamtal."
    assert first.find("Say").text.startswith("Din tid är avbokad.")
    assert ElementTree.tostring(first) == ElementTree.tostring(second)
    # Told in the call: no cancellation call on top of it.
    assert [m.state for m in outbox(booking_id=booking_id, kind=Kind.CANCELLATION)] == [State.SKIPPED]


def test_another_key_asks_again(webhooks, reminder_call):
    _booking_id, reminder = reminder_call

    twiml = _twiml(_call(webhooks, reminder.voice_token, "7"))

    assert twiml.find("Gather") is not None


def test_a_call_about_a_cancelled_booking_only_reads_its_message(app, webhooks, reminder_call, outbox):
    from inclusion.booking import cancel_booking

    booking_id, _reminder = reminder_call
    with app.app_context():
        cancel_booking(db.session.get(Booking, booking_id), "Stängt", None)
        db.session.commit()
    (cancellation,) = outbox(booking_id=booking_id, kind=Kind.CANCELLATION)

    twiml = _twiml(_call(webhooks, cancellation.voice_token))

    assert twiml.find("Gather") is None
    said = [say.text for say in twiml.findall("Say")]
    assert len(said) == 2 and said[0] == said[1] and "är avbokad" in said[0]


def test_an_unknown_token_is_not_found(webhooks, reminder_call):
    assert _call(webhooks, "not-a-token").status_code == 404


def test_a_forged_request_for_the_twiml_is_refused(app, webhooks, reminder_call):
    booking_id, reminder = reminder_call
    path = f"/twilio/voice/reminder/{reminder.voice_token}"

    response = webhooks.post(path, {"Digits": "2"}, signature="forged")

    assert response.status_code == 403
    assert stored(app, Booking, booking_id).status == BookingStatus.BOOKED
