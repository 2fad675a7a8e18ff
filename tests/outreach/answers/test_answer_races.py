"""Two JA to one invitation at the same instant (a resident who sends JA twice, or whose
phone sends it twice with two message ids): one booking, and both replies tell them the
seat (or the waitlist place) is theirs, never "Vi kunde inte boka dig automatiskt".

Each answer is a real thread with its own connection. The instant that matters is when
both have looked for a booking of the resident and found none, before either has made
one: a barrier holds each answer right after that look until the other has looked too,
so every run meets it. Then the second booking is refused (the resident is booked on
the session by now) and the second answer must report the first one's booking.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import time

import pytest
from helpers import stored, working_day
from sqlalchemy import select

from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage
from inclusion.outreach import answers
from inclusion.outreach.models import Answer, AnsweredVia, Invitation
from tests.at_once import BARRIER_SECONDS, race_in_threads
from tests.fixtures.outbox import Webhooks
from tests.outreach.conftest import SMS_INVITEE

# Threads or processes of their own read what these tests commit (tests/isolation.py).
pytestmark = pytest.mark.commits

PERSON = "+46701112233"  # SMS_INVITEE's number
SEAT = "Tack! Du har en plats på Digital fika"
WAITLIST = "Tack! Alla platser är tagna, så du står på väntelistan som nummer 1."


@pytest.fixture
def both_look_first(monkeypatch):
    """Each answer, having looked for the resident's booking once, waits until the other
    has looked too: both find none, and both go on to book."""
    barrier = threading.Barrier(2)
    looked = threading.local()
    real = answers._live_booking

    def live_booking(invitation: Invitation) -> Booking | None:
        found = real(invitation)
        if not getattr(looked, "once", False):
            looked.once = True
            barrier.wait(timeout=BARRIER_SECONDS)
        return found

    monkeypatch.setattr(answers, "_live_booking", live_booking)


@pytest.fixture(params=["seat", "waitlist"])
def invited(
    request, app, library, make_session, make_booking, make_resident, make_campaign, dispatch, fake_twilio
):
    """Greta got an SMS invitation to a Digital fika with one seat, still free ("seat") or
    taken by Anna ("waitlist"); returns (session id, invitation id, the reply's start)."""
    session_id = make_session(
        kind="group", title="Digital fika", capacity=1, day=working_day(4), starts=time(10), ends=time(12)
    )[0]
    if request.param == "waitlist":
        make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    resident_id = make_resident(**SMS_INVITEE)
    make_campaign(session_id, send=True, per_minute=600)
    dispatch()
    with app.app_context():
        invitation_id = db.session.scalar(select(Invitation.id).where(Invitation.resident_id == resident_id))
        db.session.remove()
    return session_id, invitation_id, SEAT if request.param == "seat" else WAITLIST


def _greta_booked_once(app, session_id: int, invitation_id: int) -> int:
    """Exactly one live booking of Greta, counted once in the session and kept on her
    invitation as a yes; returns its id."""
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        live = db.session.scalars(
            select(Booking).where(
                Booking.resident_id == invitation.resident_id,
                Booking.session_id == session_id,
                Booking.status != BookingStatus.CANCELLED,
            )
        ).all()
        assert len(live) == 1
        assert (invitation.answer, invitation.booking_id) == (Answer.YES, live[0].id)
        booked = db.session.scalar(
            select(db.func.count()).where(
                Booking.session_id == session_id, Booking.status == BookingStatus.BOOKED
            )
        )
        booking_id = live[0].id
        db.session.remove()
    assert stored(app, HelpSession, session_id).booked_count == booked == 1
    return booking_id


def test_two_yes_to_one_invitation_at_once_book_once_and_both_say_so(app, invited, both_look_first):
    session_id, invitation_id, told = invited

    def yes(go):
        invitation = db.session.get(Invitation, invitation_id)  # the answer is being read
        invitation.campaign.session  # noqa: B018
        go()
        return answers.answer_invitation(invitation, True, AnsweredVia.SMS, "sv").text

    replies = race_in_threads(app, [yes, yes])

    assert replies[0] == replies[1]
    assert replies[0].startswith(told)
    _greta_booked_once(app, session_id, invitation_id)


def test_two_ja_sms_with_two_message_ids_at_once_book_once_and_both_say_so(
    app, invited, twilio_settings, both_look_first
):
    """The same, through Twilio's webhook. PostgreSQL only: on SQLite the first answer's
    stored inbound message holds the one write lock until it is answered, so the second
    cannot look before the first has booked (the test above races the answers there)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite answers two texts one after the other")
    session_id, invitation_id, told = invited
    start = threading.Barrier(2)

    def text_ja(sid: str):
        webhooks = Webhooks(app.test_client())
        start.wait(timeout=BARRIER_SECONDS)
        return webhooks.sms_from(PERSON, "JA", sid)

    with ThreadPoolExecutor(max_workers=2) as pool:
        responses = list(pool.map(text_ja, ["SMja1", "SMja2"]))

    assert [response.status_code for response in responses] == [200, 200]
    replies = [response.get_data(as_text=True).split("<Message>")[1] for response in responses]
    assert replies[0] == replies[1]
    assert replies[0].startswith(told)
    booking_id = _greta_booked_once(app, session_id, invitation_id)
    with app.app_context():
        assert sorted(db.session.scalars(select(InboundMessage.booking_id))) == [booking_id, booking_id]
