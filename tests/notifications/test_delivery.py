"""Twilio's status callbacks move a message forward (sent, delivered, failed) and never
back; the same callback twice changes nothing; a failure that is the number's fault
hands the message to another channel; forged callbacks are refused."""

from __future__ import annotations

import pytest
from helpers import working_day

from inclusion.extensions import db
from inclusion.outbox.models import Channel, Kind, Message, MessageEvent, State
from inclusion.residents.models import Resident
from tests.fixtures.outbox import LANDLINE_RESIDENT, SMS_RESIDENT


@pytest.fixture
def sent_confirmation(fake_twilio, make_session, make_booking, make_resident, dispatch, outbox):
    """Book a resident and send the confirmation through the fake Twilio; returns it."""

    def send(resident: dict = SMS_RESIDENT) -> Message:
        make_booking(make_session(day=working_day(5))[0], make_resident(**resident))
        dispatch()
        (message,) = outbox(kind=Kind.CONFIRMATION)
        assert message.state == State.SENT
        return message

    return send


def _message(app, message_id: int) -> Message:
    with app.app_context():
        message = db.session.get(Message, message_id)
        message.events  # noqa: B018
        db.session.expunge_all()
        return message


def _event_count(app) -> int:
    from helpers import row_count

    return row_count(app, MessageEvent)


def test_delivered_is_recorded_and_never_goes_back_to_sent(app, webhooks, sent_confirmation):
    message = sent_confirmation()

    assert webhooks.sms_status(message.provider_sid, "sent").status_code == 204
    assert webhooks.sms_status(message.provider_sid, "delivered").status_code == 204
    events = _event_count(app)
    webhooks.sms_status(message.provider_sid, "sent")  # late and out of order
    webhooks.sms_status(message.provider_sid, "delivered")  # delivered twice

    stored = _message(app, message.id)
    assert stored.state == State.DELIVERED and stored.delivered_at is not None
    assert _event_count(app) == events


def test_a_callback_for_an_unknown_message_changes_nothing(app, webhooks, sent_confirmation):
    message = sent_confirmation()
    events = _event_count(app)

    assert webhooks.sms_status("SMunknown", "failed", "30005").status_code == 204

    assert _message(app, message.id).state == State.SENT
    assert _event_count(app) == events


def test_a_landline_found_by_delivery_gets_a_voice_call(app, webhooks, sent_confirmation, outbox, dispatch):
    message = sent_confirmation()

    webhooks.sms_status(message.provider_sid, "undelivered", "30006")
    webhooks.sms_status(message.provider_sid, "undelivered", "30006")  # Twilio retried

    stored = _message(app, message.id)
    assert (stored.state, stored.error_code) == (State.FAILED, "30006")
    with app.app_context():
        assert db.session.get(Resident, stored.resident_id).phone_problem == "no_sms"
    replacements = [m for m in outbox(kind=Kind.CONFIRMATION) if m.replaces_id == message.id]
    assert [m.channel for m in replacements] == [Channel.VOICE]
    dispatch()
    assert outbox(id=replacements[0].id)[0].state == State.SENT


def test_an_unreachable_handset_is_tried_again_later(app, webhooks, sent_confirmation):
    message = sent_confirmation()

    webhooks.sms_status(message.provider_sid, "undelivered", "30003")

    stored = _message(app, message.id)
    assert stored.state == State.PENDING and stored.attempts == 1
    assert "Telefonen är avstängd eller utom täckning" in stored.events[-1].note


def test_an_unknown_error_ends_on_the_call_list_for_a_person_to_look_at(
    app, webhooks, sent_confirmation, outbox
):
    message = sent_confirmation()

    webhooks.sms_status(message.provider_sid, "failed", "39999")

    assert _message(app, message.id).state == State.FAILED
    assert [m.channel for m in outbox(kind=Kind.CONFIRMATION) if m.replaces_id == message.id] == [
        Channel.STAFF_CALL
    ]


def test_an_answered_call_is_delivered(app, webhooks, sent_confirmation):
    message = sent_confirmation(LANDLINE_RESIDENT)

    webhooks.call_status(message.provider_sid, "completed")

    assert _message(app, message.id).state == State.DELIVERED


def test_a_call_nobody_answers_is_tried_three_times_then_goes_to_staff(
    app, webhooks, sent_confirmation, dispatch, outbox
):
    from datetime import timedelta

    from sqlalchemy import update

    from inclusion.core.database import utcnow

    message = sent_confirmation(LANDLINE_RESIDENT)
    for attempt in range(3):
        stored = _message(app, message.id)
        webhooks.call_status(stored.provider_sid, "no-answer")
        stored = _message(app, message.id)
        if attempt < 2:
            assert stored.state == State.PENDING
            assert stored.send_after > utcnow() + timedelta(minutes=15)
            with app.app_context():
                db.session.execute(
                    update(Message).where(Message.id == message.id).values(send_after=utcnow())
                )
                db.session.commit()
            dispatch()

    assert _message(app, message.id).state == State.FAILED
    handed_over = [m for m in outbox(kind=Kind.CONFIRMATION) if m.replaces_id == message.id]
    assert [(m.channel, m.state) for m in handed_over] == [(Channel.STAFF_CALL, State.PENDING)]


@pytest.mark.parametrize("path", ["/twilio/sms/status", "/twilio/voice/status"])
def test_forged_status_callbacks_are_refused(app, webhooks, sent_confirmation, path):
    message = sent_confirmation()
    params = {"MessageSid": message.provider_sid, "CallSid": message.provider_sid, "MessageStatus": "failed"}

    response = webhooks.post(path, params, signature="bm90IGEgc2lnbmF0dXJl")

    assert response.status_code == 403
    assert _message(app, message.id).state == State.SENT


def test_a_signature_made_for_another_host_is_refused(app, webhooks, sent_confirmation):
    """Behind a proxy Flask may see another host; only PUBLIC_BASE_URL counts."""
    from tests.fake_twilio import sign

    message = sent_confirmation()
    params = {"MessageSid": message.provider_sid, "MessageStatus": "delivered"}
    signature = sign("http://localhost/twilio/sms/status", params)

    assert webhooks.post("/twilio/sms/status", params, signature=signature).status_code == 403
    assert _message(app, message.id).state == State.SENT
