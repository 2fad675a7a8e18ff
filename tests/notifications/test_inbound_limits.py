"""Many texts from one number: every one is kept, repeated texts join one request, and
only a few automatic replies go out an hour (each costs, and two automatic responders
would otherwise answer each other for ever)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import row_count, stored, working_day
from sqlalchemy import select, update

from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Kind, Message
from inclusion.reception.models import CallbackRequest, RequestState
from inclusion.residents.models import Resident
from tests.fixtures.outbox import SMS_RESIDENT

STRANGER = "+46709998877"
GRETA = "+46701112233"


def _reply(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return page.split("<Message>")[1].split("</Message>")[0] if "<Message>" in page else ""


def _requests(app) -> list[tuple]:
    with app.app_context():
        return [
            (row.resident_id, row.caller_phone_text, row.wishes)
            for row in db.session.scalars(select(CallbackRequest).order_by(CallbackRequest.id))
        ]


def _paid_replies(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Message).where(Message.kind == Kind.REPLY)).all())


def _an_hour_passes(app) -> None:
    with app.app_context():
        db.session.execute(update(InboundMessage).values(received_at=utcnow() - timedelta(minutes=61)))
        db.session.commit()


def test_ten_identical_texts_make_one_request_and_three_replies(app, webhooks, library):
    replies = [
        _reply(webhooks.sms_from(STRANGER, "Hjälp med BankID", sid=f"SM{number}")) for number in range(10)
    ]

    assert [bool(reply) for reply in replies] == [True] * 3 + [False] * 7
    assert _requests(app) == [(None, STRANGER, "Hjälp med BankID")]
    assert _paid_replies(app) == 3
    assert row_count(app, InboundMessage) == 10  # every text is kept
    with app.app_context():
        request_ids = set(db.session.scalars(select(InboundMessage.request_id)))
    assert len(request_ids) == 1 and None not in request_ids


def test_two_automatic_responders_stop_answering_each_other(app, webhooks, library):
    """Their "I am away" answers our reply, and we would answer that: three times, then quiet."""
    answers = []
    for number in range(8):
        answers.append(
            _reply(webhooks.sms_from(STRANGER, "Jag är på semester till 3 juli.", sid=f"SM{number}"))
        )

    assert sum(bool(answer) for answer in answers) == 3
    assert len(_requests(app)) == 1


def test_replies_go_out_again_after_an_hour(app, webhooks, library):
    for number in range(4):
        webhooks.sms_from(STRANGER, "Hej", sid=f"SM{number}")

    _an_hour_passes(app)

    assert _reply(webhooks.sms_from(STRANGER, "Hej igen", sid="SMlater"))


def test_the_limit_is_a_setting(app, webhooks, library):
    app.config["INBOUND_AUTO_REPLIES_PER_HOUR"] = 1
    try:
        first = _reply(webhooks.sms_from(STRANGER, "Hej", sid="SM1"))
        second = _reply(webhooks.sms_from(STRANGER, "Hej", sid="SM2"))
    finally:
        app.config["INBOUND_AUTO_REPLIES_PER_HOUR"] = 3
    assert (bool(first), bool(second)) == (True, False)


def test_the_limit_is_per_number(app, webhooks, library):
    for number in range(4):
        webhooks.sms_from(STRANGER, "Hej", sid=f"SM{number}")

    assert _reply(webhooks.sms_from("+46709998866", "Hej", sid="SMother"))


def test_a_stopp_beyond_the_limit_still_stops_sms(app, webhooks, make_resident):
    resident_id = make_resident(**SMS_RESIDENT)
    for number in range(3):
        webhooks.sms_from(GRETA, "Hej", sid=f"SM{number}")

    reply = _reply(webhooks.sms_from(GRETA, "STOPP", sid="SMstop"))

    assert reply == ""
    assert stored(app, Resident, resident_id).opted_out


def test_different_texts_from_one_resident_join_the_open_request(app, webhooks, make_resident):
    resident_id = make_resident(**SMS_RESIDENT)

    webhooks.sms_from(GRETA, "Kan ni hjälpa mig med Swish?", sid="SM1")
    webhooks.sms_from(GRETA, "Helst efter lunch", sid="SM2")
    webhooks.sms_from(GRETA, "Kan ni hjälpa mig med Swish?", sid="SM3")

    assert _requests(app) == [(resident_id, None, "Kan ni hjälpa mig med Swish? / Helst efter lunch")]


@pytest.mark.parametrize("why", ["closed", "a day old"])
def test_a_text_after_the_request_is_closed_or_a_day_old_makes_a_new_one(app, webhooks, library, why):
    webhooks.sms_from(STRANGER, "Hej", sid="SM1")
    with app.app_context():
        if why == "closed":
            db.session.execute(update(CallbackRequest).values(state=RequestState.CLOSED))
        else:
            db.session.execute(update(CallbackRequest).values(created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()

    webhooks.sms_from(STRANGER, "Hej", sid="SM2")

    assert len(_requests(app)) == 2


def test_texts_joining_a_request_are_kept_within_the_length_of_the_wishes(app, webhooks, library):
    for number in range(6):
        webhooks.sms_from(
            STRANGER, f"{number} " + "Lång text om vad jag behöver hjälp med. " * 3, sid=f"SM{number}"
        )

    ((_resident, _phone, wishes),) = _requests(app)
    assert len(wishes) == 500 and wishes.endswith("…")
    assert wishes.startswith("0 Lång text")


def test_the_same_sms_delivered_twice_after_the_limit_is_still_acted_on_once(
    app, webhooks, make_session, make_booking, make_resident
):
    resident_id = make_resident(**SMS_RESIDENT)
    make_booking(make_session(day=working_day(5))[0], resident_id)
    for number in range(3):
        webhooks.sms_from(GRETA, "Hej", sid=f"SM{number}")

    webhooks.sms_from(GRETA, "Hej", sid="SMdup")
    webhooks.sms_from(GRETA, "Hej", sid="SMdup")

    assert row_count(app, InboundMessage) == 4
    assert len(_requests(app)) == 1
