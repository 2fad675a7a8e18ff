"""An outage at Twilio loses nothing: the reminders due when it began wait (tried by SMS
until their own moment has passed, however many tries that takes), one message a tick
finds out whether it is over, everything goes once when Twilio answers again, and the
outbox page says what is going on while it lasts.

Time runs fast here: the waits between tries are a fraction of a second instead of one
to five minutes, and each dispatch is a tick of the scheduler."""

from __future__ import annotations

import time as clock
from datetime import time

import pytest
from helpers import working_day
from sqlalchemy import update

from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.gateway import forget_gateway
from inclusion.outbox.models import Channel, Kind, Message, State
from inclusion.outbox.outage import OUTAGE_AFTER_FAILURES
from tests.fixtures.outbox import SMS_RESIDENT, set_quiet_hours
from tests.notifications.test_pages import text_of

RESIDENTS = 20
#: ticks while Twilio is down: with a tick a minute, a quarter of an hour
TICKS_DOWN = 15
OUTAGE_NOTICE = "Sms och samtal kan inte skickas just nu."


@pytest.fixture
def quick_retries(app):
    saved = {key: app.config.get(key) for key in ("DISPATCH_RETRY_SECONDS", "DISPATCH_RETRY_MAX_SECONDS")}
    app.config.update(DISPATCH_RETRY_SECONDS=0.02, DISPATCH_RETRY_MAX_SECONDS=0.05)
    yield
    app.config.update(saved)


@pytest.fixture
def reminders_due(app, library, make_session, make_resident, make_booking, dispatch, fake_twilio):
    """Twenty residents booked into a group session, confirmed, and their reminders due
    now; returns their numbers."""
    set_quiet_hours(app, library.organisation_id, time(0), time(0), reminder_offsets="120")
    session_id = make_session(kind="group", capacity=RESIDENTS, day=working_day(5))[0]
    for n in range(RESIDENTS):
        resident = make_resident(**{**SMS_RESIDENT, "name": f"Greta Sms {n}", "phone": f"070-123 45 {n:02d}"})
        make_booking(session_id, resident)
    dispatch()
    fake_twilio.reset()
    with app.app_context():
        db.session.execute(
            update(Message).where(Message.kind == Kind.REMINDER).values(due_at=utcnow(), send_after=utcnow())
        )
        db.session.commit()
    return {f"+4670123{4500 + n}" for n in range(RESIDENTS)}


def _page(client) -> str:
    response = client.get("/messages/")
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


def _tick(dispatch):
    clock.sleep(0.06)  # longer than the longest wait between tries
    return dispatch()


def test_a_quarter_of_an_hour_outage_loses_no_reminder_and_each_goes_once(
    app, quick_retries, reminders_due, fake_twilio, dispatch, outbox
):
    fake_twilio.go_down()
    for _tick_number in range(TICKS_DOWN):
        _tick(dispatch)
    tried_while_down = len(fake_twilio.received)

    reminders = outbox(kind=Kind.REMINDER)
    assert {m.state for m in reminders} == {State.PENDING}, "a reminder was given up during the outage"
    assert outbox(channel=Channel.STAFF_CALL) == [], "reminders went to the call list during the outage"
    # The first tick tried what it had in hand (8 in flight, 2 queued) and the few more it
    # claimed before three failures in a row made it an outage; after that, one a tick.
    assert tried_while_down <= 10 + OUTAGE_AFTER_FAILURES + (TICKS_DOWN - 1)

    fake_twilio.come_back()
    report = _tick(dispatch)

    assert report.sent == RESIDENTS
    assert fake_twilio.count_by_number("Messages") == dict.fromkeys(reminders_due, 1)
    assert {m.state for m in outbox(kind=Kind.REMINDER)} == {State.SENT}


def test_the_outbox_page_shows_an_outage_while_it_lasts(
    app, quick_retries, reminders_due, other_library, fake_twilio, dispatch, login_as
):
    staff, other_municipality = login_as(Role.STAFF), login_as(Role.STAFF, "bracke")
    assert OUTAGE_NOTICE not in _page(staff)

    fake_twilio.go_down()
    _tick(dispatch)
    _tick(dispatch)

    page = _page(staff)
    assert OUTAGE_NOTICE in page
    assert "Fel hos Twilio (503)." in page
    assert f"{RESIDENTS} meddelanden väntar." in page
    # Another municipality on the same Twilio account sees the outage, with its own count.
    elsewhere = _page(other_municipality)
    assert OUTAGE_NOTICE in elsewhere and "0 meddelanden väntar." in elsewhere

    fake_twilio.come_back()
    _tick(dispatch)

    assert OUTAGE_NOTICE not in _page(staff)


def test_requests_that_hang_after_twilio_accepted_them_are_tried_again_and_flagged(
    app, quick_retries, reminders_due, fake_twilio, dispatch, outbox
):
    """Twilio accepts but answers after the client has given up: the message may have
    gone, so it is tried again, marked as possibly received twice."""
    app.config["TWILIO_TIMEOUT_SECONDS"] = 0.3
    try:
        forget_gateway(app)
        fake_twilio.hang_next(8, 1.0)
        for _tick_number in range(3):
            _tick(dispatch)
    finally:
        app.config["TWILIO_TIMEOUT_SECONDS"] = 10
        forget_gateway(app)

    reminders = outbox(kind=Kind.REMINDER)
    assert {m.state for m in reminders} == {State.SENT}
    counts = fake_twilio.count_by_number("Messages")
    assert set(counts) == reminders_due
    twice = {number for number, times in counts.items() if times == 2}
    assert len(twice) == 8 and set(counts.values()) == {1, 2}
    assert {m.to_number for m in reminders if m.possibly_duplicate} == twice
