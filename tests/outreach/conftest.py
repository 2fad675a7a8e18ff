"""Fixtures for campaign tests: the booking library (Öckerö bibliotek and Hönö bibliotek,
topics, one account per role) with each library on its island, a Digital fika with two
seats on Hönö, residents of every kind of reach who said yes to invitations, earlier
visits, and campaigns written and sent through the services.

Sessions, bookings, outcomes and requests all go through the services; only the clock is
moved by hand (a session "has taken place" once its time is in the past). Tests run at any
hour, so quiet hours are off unless a test is about them."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from helpers import working_day
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.booking import Outcome, record_outcome
from inclusion.booking.models import Booking, HelpSession
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.org.models import Location, Organisation
from inclusion.org.services import LocationDetails, update_location
from inclusion.outreach.audience import AudienceRules
from inclusion.outreach.services import CampaignDetails, default_texts, save_campaign, send_campaign
from inclusion.reception import RequestDetails, take_request
from tests.fixtures.booking import Library
from tests.fixtures.outbox import set_quiet_hours

# The booking fixtures: a library with two places, topics and staff in each municipality;
# sessions and bookings made through the services.

#: the Digital fika is this many working days ahead, 10–12 at Hönö bibliotek
FIKA_DAYS_AHEAD = 4

#: residents who said yes to invitations, one for each way of reaching them
SMS_INVITEE = {
    "name": "Greta Sms",
    "phone": "070-111 22 33",
    "preferred_channel": "sms",
    "sms_consent": True,
    "sms_consent_method": "phone",
    "invitations_consent": True,
}
VOICE_INVITEE = {
    "name": "Karl Fast",
    "phone": "0300-123 45",
    "preferred_channel": "voice",
    "invitations_consent": True,
}
CALL_INVITEE = {
    "name": "Stina Ring",
    "phone": "070-222 33 44",
    "preferred_channel": "staff_call",
    "invitations_consent": True,
}
LETTER_INVITEE = {
    "name": "Olof Brev",
    "preferred_channel": "letter",
    "street_address": "Storgatan 1",
    "postal_code": "475 31",
    "city": "Öckerö",
    "invitations_consent": True,
}


@pytest.fixture(autouse=True)
def _no_quiet_hours(app, world) -> None:
    """A campaign's SMS and calls wait for the end of quiet hours (21–08 by default); the
    tests here are about the pace, so quiet hours are off in both municipalities."""
    for organisation_id in (world.ockero.id, world.bracke.id):
        set_quiet_hours(app, organisation_id, time(0), time(0))


def sms_invitee(name: str, phone: str, **fields) -> dict:
    """Another resident on SMS who said yes to invitations (every one needs its own number)."""
    return {**SMS_INVITEE, "name": name, "phone": phone, **fields}


def call_invitee(name: str, phone: str, **fields) -> dict:
    return {**CALL_INVITEE, "name": name, "phone": phone, **fields}


def fika_day() -> date:
    return working_day(FIKA_DAYS_AHEAD)


def set_area(location_id: int, area: str) -> None:
    location = db.session.get(Location, location_id)
    update_location(
        location,
        LocationDetails(
            name=location.name,
            street_address=location.street_address,
            postal_code=location.postal_code,
            city=location.city,
            area=area,
            directions=location.directions or "",
            accessibility_notes=location.accessibility_notes or "",
            active=location.active,
            hours={hours.weekday: (hours.opens, hours.closes) for hours in location.opening_hours},
        ),
    )


@pytest.fixture
def islands(app, library) -> Library:
    """Öckerö bibliotek is on the island Öckerö, Hönö bibliotek on Hönö (the places'
    "area", what a campaign's audience can be chosen by)."""
    with app.app_context():
        set_area(library.location_id, "Öckerö")
        set_area(library.other_location_id, "Hönö")
        db.session.commit()
        db.session.remove()
    return library


@pytest.fixture
def group_session(make_session, islands) -> int:
    """Digital fika with two seats at Hönö bibliotek, a few working days ahead, 10–12."""
    return make_session(
        location_id=islands.other_location_id,
        kind="group",
        title="Digital fika",
        capacity=2,
        day=fika_day(),
        starts=time(10),
        ends=time(12),
    )[0]


@pytest.fixture
def invited_residents(make_resident) -> dict[str, int]:
    """One resident per channel who said yes to invitations: "sms", "voice" (a landline),
    "call" (on the staff's call list) and "letter"."""
    return {
        "sms": make_resident(**SMS_INVITEE),
        "voice": make_resident(**VOICE_INVITEE),
        "call": make_resident(**CALL_INVITEE),
        "letter": make_resident(**LETTER_INVITEE),
    }


@pytest.fixture
def campaign_data(app, world):
    """``campaign_data(session_id, **overrides)``: what the campaign form posts, starting
    from Öckerö's invitation texts as the form does."""

    def data(session_id: int | None, /, **overrides) -> dict:
        with app.app_context():
            texts = default_texts(db.session.get(Organisation, world.ockero.id))
            db.session.remove()
        return {
            "name": "Digital fika på Hönö",
            "session_id": "" if session_id is None else str(session_id),
            "place": "",
            "attended": "any",
            "per_minute": "30",
            **texts,
            **overrides,
        }

    return data


@pytest.fixture
def make_campaign(app, library):
    """Write a campaign through the service (and send it with ``send=True``); returns its id.
    ``audience`` takes AudienceRules' fields."""

    def make(
        session_id: int,
        lib: Library | None = None,
        send: bool = False,
        per_minute: int = 30,
        name: str = "Digital fika på Hönö",
        **audience,
    ) -> int:
        lib = lib or library
        with app.app_context():
            organisation = db.session.get(Organisation, lib.organisation_id)
            actor = db.session.get(User, lib.coordinator_id)
            campaign = save_campaign(
                organisation,
                CampaignDetails(
                    name=name,
                    session_id=session_id,
                    audience=AudienceRules(**audience),
                    per_minute=per_minute,
                    **default_texts(organisation),
                ),
                actor,
            )
            if send:
                send_campaign(campaign, actor)
            db.session.commit()
            campaign_id = campaign.id
            db.session.remove()
        return campaign_id

    return make


def move_into_the_past(session_id: int, days_ago: int = 7) -> None:
    """The session has taken place: its time is in the past, as time would have it."""
    session = db.session.get(HelpSession, session_id)
    length = session.ends_at - session.starts_at
    session.starts_at = utcnow().replace(microsecond=0) - timedelta(days=days_ago)
    session.ends_at = session.starts_at + length
    db.session.flush()


@pytest.fixture
def make_visit(app, library, make_session, make_booking):
    """An earlier visit: the resident was booked (with topics) at a place, the time has
    passed, and staff recorded whether they came (and what they were helped with).
    Returns the booking id."""

    def make(
        resident_id: int,
        location_id: int | None = None,
        topic_ids: list[int] | None = None,
        attendance: str | None = None,
        helped_topic_ids: list[int] | None = None,
        lib: Library | None = None,
        days_ago: int = 7,
    ) -> int:
        lib = lib or library
        session_id = make_session(
            lib,
            location_id=location_id or lib.location_id,
            day=working_day(2),
            starts=time(15),
            ends=time(15, 30),
        )[0]
        booking_id = make_booking(session_id, resident_id, lib=lib, topic_ids=list(topic_ids or []))
        with app.app_context():
            move_into_the_past(session_id, days_ago)
            if attendance is not None:
                record_outcome(
                    db.session.get(Booking, booking_id),
                    Outcome(attendance=attendance, helped_topic_ids=list(helped_topic_ids or [])),
                    db.session.get(User, lib.staff_id),
                )
            db.session.commit()
            db.session.remove()
        return booking_id

    return make


@pytest.fixture
def make_request(app, library):
    """A resident phoned reception and asked for help with some topics; returns the request id."""

    def make(resident_id: int, topic_ids: list[int], lib: Library | None = None) -> int:
        lib = lib or library
        with app.app_context():
            organisation = db.session.get(Organisation, lib.organisation_id)
            actor = db.session.scalar(select(User).where(User.id == lib.reception_id))
            request = take_request(
                organisation,
                RequestDetails(
                    resident_choice=str(resident_id),
                    topic_ids=topic_ids,
                    callback_due=utcnow() + timedelta(hours=1),
                ),
                actor,
            )
            db.session.commit()
            request_id = request.id
            db.session.remove()
        return request_id

    return make
