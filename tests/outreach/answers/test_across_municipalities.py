"""An answer to an invitation counts only at the municipality that invited: a Bräcke
resident invited by Bräcke who texts JA or NEJ to Öckerö's number books nothing in
Bräcke, and Öckerö's reply says nothing of Bräcke's session. Öckerö has its own number
(SERVICE_NUMBER); Bräcke sends from the shared one (SHARED_NUMBER)."""

from __future__ import annotations

from datetime import time

import pytest
from helpers import working_day
from sqlalchemy import select

from inclusion.booking.models import Booking, BookingStatus
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Kind, Message
from inclusion.outreach.models import Answer, Invitation
from inclusion.reception.models import CallbackRequest
from tests.fixtures.outbox import SERVICE_NUMBER, SHARED_NUMBER
from tests.outreach.conftest import SMS_INVITEE

PERSON = "+46701112233"  # SMS_INVITEE's number


@pytest.fixture
def bracke_invited(app, other_library, make_session, make_campaign, make_resident, fake_twilio, dispatch):
    """Bräcke invited its resident to a Digital fika in Kälarne, by SMS from the shared number."""
    session_id = make_session(
        other_library,
        location_id=other_library.other_location_id,
        kind="group",
        title="Digital fika",
        capacity=5,
        day=working_day(4),
        starts=time(10),
        ends=time(12),
    )[0]
    resident_id = make_resident(municipality="bracke", **SMS_INVITEE)
    make_campaign(session_id, lib=other_library, send=True, per_minute=600)
    dispatch()
    (invitation,) = fake_twilio.accepted("Messages")
    assert (invitation.to, invitation.sender) == (PERSON, SHARED_NUMBER)
    return {"session_id": session_id, "resident_id": resident_id}


def _reply(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return page.split("<Message>")[1].split("</Message>")[0] if "<Message>" in page else ""


def _state(app, session_id: int) -> dict:
    with app.app_context():
        return {
            "bookings": db.session.execute(
                select(Booking.organisation_id, Booking.status).where(Booking.session_id == session_id)
            ).all(),
            "answers": list(db.session.scalars(select(Invitation.answer))),
            "inbound": db.session.execute(
                select(InboundMessage.organisation_id, InboundMessage.booking_id)
            ).all(),
            "replies": db.session.execute(
                select(Message.organisation_id, Message.body).where(Message.kind == Kind.REPLY)
            ).all(),
            "requests": db.session.execute(
                select(CallbackRequest.organisation_id, CallbackRequest.resident_id, CallbackRequest.wishes)
            ).all(),
        }


@pytest.mark.parametrize("text", ["JA", "NEJ"])
def test_an_answer_to_another_municipalitys_number_answers_no_invitation(
    app, world, webhooks, bracke_invited, text
):
    reply = _reply(webhooks.sms_from(PERSON, text, sid="SM1", to=SERVICE_NUMBER))

    state = _state(app, bracke_invited["session_id"])
    assert state["bookings"] == []
    assert state["answers"] == [None]
    assert state["inbound"] == [(world.ockero.id, None)]
    assert "Kälarne" not in reply and "Digital fika" not in reply and "Bräcke" not in reply
    assert [organisation for organisation, _body in state["replies"]] == [world.ockero.id]
    if text == "JA":
        # Someone Öckerö does not know said yes to something: a person calls back.
        assert state["requests"] == [(world.ockero.id, None, "JA")]


@pytest.mark.parametrize(("text", "answer"), [("JA", Answer.YES), ("NEJ", Answer.NO)])
def test_the_same_answer_to_the_number_that_invited_answers_the_invitation(
    app, world, webhooks, bracke_invited, text, answer
):
    reply = _reply(webhooks.sms_from(PERSON, text, sid="SM1", to=SHARED_NUMBER))

    state = _state(app, bracke_invited["session_id"])
    assert state["answers"] == [answer]
    if answer == Answer.YES:
        assert state["bookings"] == [(world.bracke.id, BookingStatus.BOOKED)]
        assert "Kälarne bibliotek" in reply
    else:
        assert state["bookings"] == []
    assert [organisation for organisation, _booking in state["inbound"]] == [world.bracke.id]
