"""Residents answer by SMS: JA confirms, NEJ cancels and gives the seat to the waitlist,
STOPP stops SMS and START starts them, anything else reaches reception. However they
write it, from whatever way their number is written, once each, and only when Twilio
signed the request."""

from __future__ import annotations

from datetime import time

import pytest
from helpers import row_count, stored, working_day
from sqlalchemy import select

from inclusion.booking.models import Booking, BookingStatus
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Kind, Message, State
from inclusion.reception.models import CallbackRequest, RequestChannel
from inclusion.residents.models import Resident
from tests.fixtures.outbox import SERVICE_NUMBER, SMS_RESIDENT

GRETA = "+46701112233"


@pytest.fixture
def greta_booked(make_session, make_booking, make_resident):
    """Greta (SMS) with a time on Tuesday at 10; returns (resident id, booking id)."""
    resident_id = make_resident(**SMS_RESIDENT)
    session_id = make_session(day=working_day(5, weekday=1), starts=time(10), ends=time(10, 30))[0]
    return resident_id, make_booking(session_id, resident_id)


def _requests(app) -> list[CallbackRequest]:
    with app.app_context():
        rows = list(db.session.scalars(select(CallbackRequest).order_by(CallbackRequest.id)))
        db.session.expunge_all()
        return rows


def _reply(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/xml"
    page = response.get_data(as_text=True)
    assert page.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    return page.split("<Message>")[1].split("</Message>")[0]


@pytest.mark.parametrize("text", ["JA", "ja!", " Ja.", "OK", "ja tack", "Ja, jag kommer"])
def test_ja_in_any_writing_confirms_the_booking(app, webhooks, greta_booked, text):
    _resident_id, booking_id = greta_booked

    reply = _reply(webhooks.sms_from(GRETA, text, sid="SM1"))

    assert stored(app, Booking, booking_id).resident_confirmed_at is not None
    assert reply.startswith("Tack! Vi ses tisdag ")
    assert "klockan 10.00 på Öckerö bibliotek" in reply


@pytest.mark.parametrize("text", ["NEJ", " Nej tack", "nej!", "AVBOKA", "avboka tack"])
def test_nej_in_any_writing_cancels_the_booking(app, webhooks, greta_booked, outbox, text):
    _resident_id, booking_id = greta_booked

    reply = _reply(webhooks.sms_from(GRETA, text, sid="SM1"))

    booking = stored(app, Booking, booking_id)
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "Avbokad av invånaren med sms."
    assert "är avbokad" in reply and "Ring" in reply
    # The reply was the message: no separate cancellation SMS, and no reminders.
    waiting = [m for m in outbox(booking_id=booking_id) if m.state == State.PENDING]
    assert waiting == []
    replies = outbox(kind=Kind.REPLY)
    assert [(m.to_number, m.state, m.body) for m in replies] == [
        (GRETA, State.SENT, reply.replace("&amp;", "&"))
    ]


@pytest.mark.parametrize("written", ["0701112233", "+46 70-111 22 33", "0046701112233", "070-111 22 33"])
def test_the_sender_is_found_however_the_number_is_written(app, webhooks, greta_booked, written):
    _resident_id, booking_id = greta_booked

    webhooks.sms_from(written, "Ja", sid="SM1")

    assert stored(app, Booking, booking_id).resident_confirmed_at is not None


def test_nej_gives_the_seat_to_the_first_on_the_waitlist(
    app, webhooks, make_session, make_booking, make_resident, outbox
):
    session_id = make_session(day=working_day(5), kind="group", capacity=1, starts=time(14), ends=time(16))[0]
    seated = make_booking(session_id, make_resident(**SMS_RESIDENT))
    waiting = make_booking(
        session_id, make_resident(name="Bo Väntar", phone="070-444 55 66"), join_waitlist=True
    )

    _reply(webhooks.sms_from(GRETA, "nej", sid="SM1"))

    assert stored(app, Booking, seated).status == BookingStatus.CANCELLED
    assert stored(app, Booking, waiting).status == BookingStatus.BOOKED
    promoted = [m for m in outbox(booking_id=waiting) if m.kind == Kind.WAITLIST_PROMOTION]
    assert [m.state for m in promoted] == [State.PENDING]


def test_the_same_sms_delivered_twice_is_acted_on_once(app, webhooks, greta_booked, outbox):
    _resident_id, booking_id = greta_booked

    first = _reply(webhooks.sms_from(GRETA, "Nej", sid="SMdup"))
    second = _reply(webhooks.sms_from(GRETA, "Nej", sid="SMdup"))

    assert first == second
    assert row_count(app, InboundMessage) == 1
    assert len(outbox(kind=Kind.REPLY)) == 1
    assert stored(app, Booking, booking_id).status == BookingStatus.CANCELLED


def test_a_second_nej_after_cancelling_says_the_time_is_cancelled_already(app, webhooks, greta_booked):
    webhooks.sms_from(GRETA, "Nej", sid="SM1")

    reply = _reply(webhooks.sms_from(GRETA, "Nej", sid="SM2"))

    assert reply.startswith("Din tid tisdag ")
    assert "klockan 10.00 är redan avbokad" in reply


def test_nej_without_any_time_ahead_says_there_is_nothing_to_cancel(app, webhooks, make_resident):
    make_resident(**SMS_RESIDENT)

    reply = _reply(webhooks.sms_from(GRETA, "Nej", sid="SM1"))

    assert "Vi hittar ingen tid som vi kan avboka" in reply


def test_stopp_stops_sms_and_start_brings_them_back(app, webhooks, greta_booked, outbox):
    resident_id, booking_id = greta_booked

    stopped = _reply(webhooks.sms_from(GRETA, "STOPP", sid="SM1"))

    assert stored(app, Resident, resident_id).opted_out
    assert "Du får inga fler sms från oss" in stopped and "START" in stopped
    # Waiting reminders now go to the staff call list instead.
    assert {m.channel for m in outbox(booking_id=booking_id, state=State.PENDING)} == {"staff_call"}

    started = _reply(webhooks.sms_from(GRETA, "start", sid="SM2"))

    assert not stored(app, Resident, resident_id).opted_out
    assert "Välkommen tillbaka" in started
    assert {m.channel for m in outbox(booking_id=booking_id, state=State.PENDING)} == {"sms"}


@pytest.mark.parametrize("text", ["stop", "Sluta", "UNSUBSCRIBE"])
def test_twilios_english_and_swedish_stop_words_all_opt_out(app, webhooks, greta_booked, text):
    resident_id, _booking_id = greta_booked

    webhooks.sms_from(GRETA, text, sid="SM1")

    assert stored(app, Resident, resident_id).opted_out


@pytest.mark.parametrize(
    "text",
    [
        "ＳＴＯＰＰ",  # full width, as some phones write in a Chinese or Japanese keyboard
        "ｓｔｏｐ！",
        "S\u0336T\u0336O\u0336P\u0336P\u0336",  # combining strike-through
        "Sto\u0301pp",  # a combining accent
        "STO\u200bPP",  # a zero-width space
        "\ufeffStopp",  # a byte-order mark first
        "S\u00adTOPP",  # a soft hyphen
        "𝐒𝐓𝐎𝐏𝐏",  # mathematical bold
        "\u0405\u0422\u041e\u0420\u0420",  # ЅТОРР in Cyrillic letters
        "S T O P P",
    ],
    ids=[
        "full-width",
        "full-width-lower",
        "strike-through",
        "accent",
        "zero-width",
        "bom",
        "soft-hyphen",
        "bold",
        "cyrillic",
        "spelt-out",
    ],
)
def test_stopp_written_with_other_characters_still_stops_sms(app, webhooks, greta_booked, text):
    resident_id, _booking_id = greta_booked

    reply = _reply(webhooks.sms_from(GRETA, text, sid="SM1"))

    assert stored(app, Resident, resident_id).opted_out
    assert "Du får inga fler sms från oss" in reply


@pytest.mark.parametrize(
    ("text", "status"), [("ＮＥＪ", BookingStatus.CANCELLED), ("Ｊａ", BookingStatus.BOOKED)]
)
def test_ja_and_nej_in_full_width_are_understood(app, webhooks, greta_booked, text, status):
    _resident_id, booking_id = greta_booked

    webhooks.sms_from(GRETA, text, sid="SM1")

    booking = stored(app, Booking, booking_id)
    assert booking.status == status
    assert (booking.resident_confirmed_at is not None) == (status == BookingStatus.BOOKED)
    assert _requests(app) == []


@pytest.mark.parametrize("text", ["Stoppade bussen?", "Nejlikor", "Jättebra", "Нет"])
def test_words_that_only_look_alike_are_for_a_person(app, webhooks, greta_booked, text):
    resident_id, booking_id = greta_booked

    webhooks.sms_from(GRETA, text, sid="SM1")

    assert not stored(app, Resident, resident_id).opted_out
    assert stored(app, Booking, booking_id).status == BookingStatus.BOOKED
    assert [request.wishes for request in _requests(app)] == [text]


def test_anything_else_becomes_a_callback_request_with_the_text(app, webhooks, greta_booked):
    resident_id, booking_id = greta_booked

    reply = _reply(webhooks.sms_from(GRETA, "Kan jag ta med min dotter? <b>", sid="SM1"))

    (request,) = _requests(app)
    assert (request.resident_id, request.channel, request.state) == (resident_id, RequestChannel.SMS, "new")
    assert request.wishes == "Kan jag ta med min dotter? <b>"
    assert "Vi ringer upp dig" in reply
    assert stored(app, Booking, booking_id).status == BookingStatus.BOOKED


def test_a_text_from_an_unknown_number_reaches_reception_with_the_number(app, webhooks, library):
    reply = _reply(webhooks.sms_from("+46709998877", "Hjälp med BankID", sid="SM1"))

    (request,) = _requests(app)
    assert request.resident_id is None
    assert request.caller_phone_text == "+46709998877"
    assert request.wishes == "Hjälp med BankID"
    assert "Vi ringer upp dig" in reply


def test_a_text_from_a_sender_that_is_no_phone_number_is_kept_and_answered(app, webhooks, library):
    """Twilio writes a WhatsApp sender as "whatsapp:+46…", longer than a phone number."""
    reply = _reply(webhooks.sms_from("whatsapp:+46709998877", "Hej", sid="SM1"))

    assert "Vi ringer upp dig" in reply
    (request,) = _requests(app)
    assert request.caller_phone_text == "whatsapp:+46709998877"
    with app.app_context():
        assert db.session.scalar(select(InboundMessage.from_number)) == "whatsapp:+46709998877"


def test_ja_from_an_unknown_number_confirms_nothing_and_asks_a_person_to_call(app, webhooks, greta_booked):
    _resident_id, booking_id = greta_booked

    webhooks.sms_from("+46709998877", "JA", sid="SM1")

    assert stored(app, Booking, booking_id).resident_confirmed_at is None
    (request,) = _requests(app)
    assert request.caller_phone_text == "+46709998877"


def test_the_reply_is_in_the_residents_language(app, webhooks, make_session, make_booking, make_resident):
    resident_id = make_resident(**{**SMS_RESIDENT, "preferred_language": "en"})
    make_booking(make_session(day=working_day(5, weekday=1))[0], resident_id)

    reply = _reply(webhooks.sms_from(GRETA, "Ja", sid="SM1"))

    assert reply.startswith("Thank you! See you on Tuesday")


def test_the_reply_answers_for_the_booking_the_last_sms_was_about(
    app, webhooks, make_session, make_booking, make_resident, dispatch
):
    """Two bookings ahead: NEJ after the reminder for the later one cancels that one."""
    resident_id = make_resident(**SMS_RESIDENT)
    sooner = make_booking(make_session(day=working_day(4))[0], resident_id)
    later = make_booking(make_session(day=working_day(9))[0], resident_id)
    with app.app_context():
        for message in db.session.scalars(select(Message).where(Message.booking_id == sooner)):
            message.state = State.CANCELLED  # only the later booking's messages go out
        db.session.commit()
    dispatch()

    webhooks.sms_from(GRETA, "Nej", sid="SM1")

    assert stored(app, Booking, later).status == BookingStatus.CANCELLED
    assert stored(app, Booking, sooner).status == BookingStatus.BOOKED


@pytest.mark.parametrize("signature", ["", "forged", None])
def test_a_forged_or_unsigned_sms_is_refused_and_changes_nothing(app, webhooks, greta_booked, signature):
    _resident_id, booking_id = greta_booked
    params = {"MessageSid": "SM1", "From": GRETA, "To": SERVICE_NUMBER, "Body": "Nej"}
    if signature is None:
        response = webhooks.client.post("/twilio/sms/inbound", data=params)
    else:
        response = webhooks.post("/twilio/sms/inbound", params, signature=signature)

    assert response.status_code == 403
    assert stored(app, Booking, booking_id).status == BookingStatus.BOOKED
    assert row_count(app, InboundMessage) == 0


def test_a_signature_for_other_parameters_is_refused(app, webhooks, greta_booked):
    """Signed for "Ja" but carrying "Nej": the body is part of what Twilio signs."""
    from tests.fake_twilio import sign
    from tests.fixtures.outbox import PUBLIC_BASE_URL

    _resident_id, booking_id = greta_booked
    signed = {"MessageSid": "SM1", "From": GRETA, "To": SERVICE_NUMBER, "Body": "Ja"}
    signature = sign(PUBLIC_BASE_URL + "/twilio/sms/inbound", signed)

    response = webhooks.post("/twilio/sms/inbound", {**signed, "Body": "Nej"}, signature=signature)

    assert response.status_code == 403
    assert stored(app, Booking, booking_id).status == BookingStatus.BOOKED


def test_without_an_auth_token_every_webhook_is_refused(app, webhooks, greta_booked):
    app.config["TWILIO_AUTH_TOKEN"] = None
    try:
        response = webhooks.sms_from(GRETA, "Nej", sid="SM1")
    finally:
        app.config["TWILIO_AUTH_TOKEN"] = "fake-twilio-auth-token"
    assert response.status_code == 403


@pytest.mark.commits  # threads of its own read what it commits
def test_the_same_sms_delivered_at_the_same_instant_is_acted_on_once(app, webhooks, greta_booked):
    """Twilio retrying while the first delivery is still being handled: four at once."""
    from concurrent.futures import ThreadPoolExecutor

    _resident_id, booking_id = greta_booked

    def deliver(_number):
        return webhooks.sms_from(GRETA, "Nej", sid="SMsame")

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(deliver, range(4)))

    answered = [_reply(response) for response in responses if response.status_code == 200]
    assert answered and all(reply == answered[0] for reply in answered)
    assert {response.status_code for response in responses} <= {200, 503}
    assert row_count(app, InboundMessage) == 1
    assert stored(app, Booking, booking_id).status == BookingStatus.CANCELLED
    with app.app_context():
        replies = db.session.scalars(select(Message).where(Message.kind == Kind.REPLY)).all()
    assert len(replies) == 1
