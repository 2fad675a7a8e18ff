"""An SMS is answered by the municipality that owns the number texted, and only with
its own data: its residents, its bookings, its queue. The deployment's shared number
(TWILIO_FROM, used by every municipality without a number of its own) is answered for
the one that last texted the sender from it, or the only one that knows the number,
and otherwise by nobody; a STOPP to it holds for every municipality sending from it.

Öckerö has its own number (SERVICE_NUMBER); Bräcke sends from the shared one."""

from __future__ import annotations

from datetime import time

import pytest
from helpers import stored, working_day
from sqlalchemy import select

from inclusion.booking.models import Booking, BookingStatus
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Kind, Message, State
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.fixtures.outbox import SERVICE_NUMBER, SHARED_NUMBER, SMS_RESIDENT, set_quiet_hours

PERSON = "+46701112233"  # SMS_RESIDENT's number


@pytest.fixture(autouse=True)
def _bracke_sends_at_any_hour(app, world) -> None:
    set_quiet_hours(app, world.bracke.id, time(0), time(0))


@pytest.fixture
def in_both(make_resident) -> dict[str, int]:
    """One person registered in both municipalities with the same mobile number."""
    return {
        "ockero": make_resident(**SMS_RESIDENT),
        "bracke": make_resident(municipality="bracke", **SMS_RESIDENT),
    }


def _reply(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return page.split("<Message>")[1].split("</Message>")[0] if "<Message>" in page else ""


def _inbound(app) -> list[tuple]:
    with app.app_context():
        return [
            (row.organisation_id, row.resident_id, row.booking_id, row.request_id, row.outcome)
            for row in db.session.scalars(select(InboundMessage).order_by(InboundMessage.id))
        ]


def _requests(app) -> list[tuple]:
    with app.app_context():
        return [
            (row.organisation_id, row.resident_id, row.caller_phone_text, row.wishes)
            for row in db.session.scalars(select(CallbackRequest).order_by(CallbackRequest.id))
        ]


def _opted_out(app, *resident_ids: int) -> list[bool]:
    return [stored(app, Resident, resident_id).opted_out for resident_id in resident_ids]


def _book_and_send(make_session, make_booking, dispatch, lib, resident_id: int, days: int) -> int:
    """A time ahead in ``lib``'s municipality, its confirmation sent by SMS."""
    session_id = make_session(lib, day=working_day(days), starts=time(11), ends=time(11, 30))[0]
    booking_id = make_booking(session_id, resident_id, lib=lib)
    assert dispatch().sent >= 1
    return booking_id


def _replies(app, organisation_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Message.body).where(
                    Message.kind == Kind.REPLY, Message.organisation_id == organisation_id
                )
            )
        )


# --- A municipality's own number: only its own data ------------------------------------------


@pytest.fixture
def booked_in_both(app, library, other_library, in_both, make_session, make_booking, dispatch, fake_twilio):
    """A time in Öckerö, then one in Bräcke whose confirmation went out last."""
    ockero = _book_and_send(make_session, make_booking, dispatch, library, in_both["ockero"], 4)
    bracke = _book_and_send(make_session, make_booking, dispatch, other_library, in_both["bracke"], 6)
    return {"ockero": ockero, "bracke": bracke}


@pytest.mark.parametrize("text", ["Nej", "Ja"])
def test_an_answer_to_oeckeroes_number_touches_only_oeckeroes_booking(
    app, webhooks, library, world, booked_in_both, text
):
    reply = _reply(webhooks.sms_from(PERSON, text, sid="SM1", to=SERVICE_NUMBER))

    ockero = stored(app, Booking, booked_in_both["ockero"])
    bracke = stored(app, Booking, booked_in_both["bracke"])
    assert bracke.status == BookingStatus.BOOKED and bracke.resident_confirmed_at is None
    if text == "Nej":
        assert ockero.status == BookingStatus.CANCELLED
    else:
        assert ockero.resident_confirmed_at is not None
    assert "Bräcke" not in reply and "Kälarne" not in reply
    assert _inbound(app)[0][:3] == (world.ockero.id, ockero.resident_id, ockero.id)
    assert _replies(app, world.bracke.id) == []


def test_a_text_to_oeckeroes_number_is_a_request_in_oeckeroes_queue_only(
    app, webhooks, world, booked_in_both, in_both
):
    _reply(webhooks.sms_from(PERSON, "Kan ni ringa mig?", sid="SM1", to=SERVICE_NUMBER))

    assert _requests(app) == [(world.ockero.id, in_both["ockero"], None, "Kan ni ringa mig?")]


def test_stopp_and_start_to_oeckeroes_number_change_only_oeckeroe(app, webhooks, in_both):
    webhooks.sms_from(PERSON, "STOPP", sid="SM1", to=SERVICE_NUMBER)

    assert _opted_out(app, in_both["ockero"], in_both["bracke"]) == [True, False]

    with app.app_context():
        db.session.get(Resident, in_both["bracke"]).sms_opted_out_at = utcnow()
        db.session.commit()
    webhooks.sms_from(PERSON, "START", sid="SM2", to=SERVICE_NUMBER)

    assert _opted_out(app, in_both["ockero"], in_both["bracke"]) == [False, True]


# --- The shared number ----------------------------------------------------------------------------


def test_a_reply_to_the_shared_number_is_not_for_a_municipality_that_claimed_it(
    app, webhooks, library, world, make_resident
):
    """Öckerö once set the shared number as its own: Bräcke's residents' texts to it
    still reach Bräcke."""
    set_quiet_hours(app, library.organisation_id, time(0), time(0), sms_number=SHARED_NUMBER)
    resident_id = make_resident(municipality="bracke", **SMS_RESIDENT)

    _reply(webhooks.sms_from(PERSON, "Ring mig", sid="SM1", to=SHARED_NUMBER))

    assert _requests(app) == [(world.bracke.id, resident_id, None, "Ring mig")]
    assert _inbound(app)[0][:2] == (world.bracke.id, resident_id)


def test_the_shared_number_answers_for_whoever_last_texted_the_sender_from_it(
    app, webhooks, library, other_library, world, in_both, make_session, make_booking, dispatch, fake_twilio
):
    """Bräcke texted from the shared number, Öckerö later from its own: an SMS to the
    shared number is an answer to Bräcke."""
    bracke = _book_and_send(make_session, make_booking, dispatch, other_library, in_both["bracke"], 6)
    _book_and_send(make_session, make_booking, dispatch, library, in_both["ockero"], 4)

    reply = _reply(webhooks.sms_from(PERSON, "Nej", sid="SM1", to=SHARED_NUMBER))

    assert stored(app, Booking, bracke).status == BookingStatus.CANCELLED
    assert reply.endswith("/Bräcke kommun")
    assert _inbound(app)[0][:3] == (world.bracke.id, in_both["bracke"], bracke)


def test_a_text_to_the_shared_number_that_no_one_can_place_goes_to_no_queue(app, webhooks, library, world):
    set_quiet_hours(app, library.organisation_id, time(0), time(0), sms_number=None)

    reply = _reply(webhooks.sms_from("+46709998877", "Hej", sid="SM1", to=SHARED_NUMBER))

    assert "Vi kunde inte se vilken kommun det gäller" in reply
    assert _requests(app) == []
    assert _inbound(app) == [(None, None, None, None, "nothing")]


def test_stopp_to_the_shared_number_holds_for_every_municipality_sending_from_it(
    app, webhooks, library, in_both, make_session, make_booking, other_library, dispatch, fake_twilio
):
    """Both send from the shared number; Bräcke texted last. STOPP stops both, START
    starts both."""
    set_quiet_hours(app, library.organisation_id, time(0), time(0), sms_number=None)
    _book_and_send(make_session, make_booking, dispatch, other_library, in_both["bracke"], 6)

    webhooks.sms_from(PERSON, "STOPP", sid="SM1", to=SHARED_NUMBER)

    assert _opted_out(app, in_both["ockero"], in_both["bracke"]) == [True, True]

    webhooks.sms_from(PERSON, "START", sid="SM2", to=SHARED_NUMBER)

    assert _opted_out(app, in_both["ockero"], in_both["bracke"]) == [False, False]


def test_stopp_to_the_shared_number_from_someone_nobody_texted_is_still_honoured(
    app, webhooks, library, in_both
):
    set_quiet_hours(app, library.organisation_id, time(0), time(0), sms_number=None)

    reply = _reply(webhooks.sms_from(PERSON, "Stopp", sid="SM1", to=SHARED_NUMBER))

    assert _opted_out(app, in_both["ockero"], in_both["bracke"]) == [True, True]
    assert "Du får inga fler sms från oss" in reply


def test_stopp_to_the_shared_number_leaves_a_municipality_with_its_own_number_alone(app, webhooks, in_both):
    webhooks.sms_from(PERSON, "STOPP", sid="SM1", to=SHARED_NUMBER)

    assert _opted_out(app, in_both["ockero"], in_both["bracke"]) == [False, True]


def test_a_text_to_the_shared_number_from_someone_both_know_is_for_the_one_sending_from_it(
    app, webhooks, world, in_both
):
    """Öckerö has a number of its own, so a text to the shared number is Bräcke's; the
    answer is in Bräcke's outbox, sent."""
    webhooks.sms_from(PERSON, "Hej", sid="SM1", to=SHARED_NUMBER)

    with app.app_context():
        rows = db.session.execute(select(Message.organisation_id, Message.state, Message.to_number)).all()
    assert rows == [(world.bracke.id, State.SENT, PERSON)]
