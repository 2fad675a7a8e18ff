"""Fixtures for booking tests: a library with opening hours and topics in each
municipality, and factories for sessions and bookings that go through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest
from helpers import working_day  # noqa: F401  (re-exported for booking tests)
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.booking import BookingRequest, SessionPlan, book_resident, publish_sessions
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.org.services import LocationDetails, TopicDetails, create_location, create_topic

OPEN_EVERY_DAY = {weekday: (time(9), time(19)) for weekday in range(7)}


@dataclass
class Library:
    organisation_id: int
    location_id: int
    other_location_id: int
    topic_ids: dict[str, int]
    staff_id: int
    coordinator_id: int
    reception_id: int
    volunteer_id: int


def _library(slug: str, emails: dict) -> Library:
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    main = create_location(
        organisation.id,
        LocationDetails(
            name="Öckerö bibliotek" if slug == "ockero" else "Bräcke bibliotek",
            street_address="Almvägen 2",
            postal_code="475 31",
            city="Öckerö",
            hours=OPEN_EVERY_DAY,
        ),
    )
    other = create_location(
        organisation.id,
        LocationDetails(
            name="Hönö bibliotek" if slug == "ockero" else "Kälarne bibliotek",
            street_address="Hönö torg 1",
            postal_code="475 40",
            city="Hönö",
            hours={weekday: (time(10), time(16)) for weekday in range(5)},
        ),
    )
    topics = {
        name: create_topic(organisation.id, TopicDetails(name)).id for name in ("BankID", "Swish", "1177")
    }
    ids = {
        role: db.session.scalar(select(User.id).where(User.email == emails[role]))
        for role in (Role.STAFF, Role.COORDINATOR, Role.RECEPTION, Role.VOLUNTEER)
    }
    db.session.flush()
    return Library(
        organisation.id,
        main.id,
        other.id,
        topics,
        ids[Role.STAFF],
        ids[Role.COORDINATOR],
        ids[Role.RECEPTION],
        ids[Role.VOLUNTEER],
    )


@pytest.fixture
def library(app, world) -> Library:
    """Öckerö bibliotek (open 9–19 every day) and Hönö bibliotek (weekdays 10–16)."""
    with app.app_context():
        created = _library("ockero", world.ockero.emails)
        db.session.commit()
        db.session.remove()
    return created


@pytest.fixture
def other_library(app, world, library) -> Library:
    """The same, in Bräcke: for checking that nothing crosses between municipalities."""
    with app.app_context():
        created = _library("bracke", world.bracke.emails)
        db.session.commit()
        db.session.remove()
    return created


@pytest.fixture
def make_session(app, library):
    """Publish sessions through the service; returns the ids of the sessions created.

    ``make_session()`` is one 30-minute appointment three working days ahead at 10:00;
    ``make_session(kind="group", title="Digital fika", capacity=3)`` a group session.
    """

    def make(lib: Library | None = None, actor_id: int | None = None, **fields) -> list[int]:
        lib = lib or library
        fields.setdefault("location_id", lib.location_id)
        fields.setdefault("kind", "one_to_one")
        fields.setdefault("day", working_day())
        fields.setdefault("starts", time(10))
        fields.setdefault("ends", time(10, 30))
        fields.setdefault("staff_ids", [lib.staff_id])
        if fields["kind"] == "group":
            fields.setdefault("title", "Digital fika")
            fields.setdefault("capacity", 3)
        with app.app_context():
            organisation = db.session.get(Organisation, lib.organisation_id)
            actor = db.session.get(User, actor_id or lib.coordinator_id)
            published = publish_sessions(organisation, SessionPlan(**fields), actor)
            db.session.commit()
            ids = [session.id for session in published.sessions]
            db.session.remove()
        return ids

    return make


@pytest.fixture
def make_booking(app, library):
    """Book a resident into a session through the service; returns the booking id."""

    def make(session_id: int, resident_id: int, lib: Library | None = None, **request) -> int:
        lib = lib or library
        with app.app_context():
            actor = db.session.get(User, lib.reception_id)
            booking = book_resident(
                lib.organisation_id, session_id, resident_id, BookingRequest(**request), actor
            )
            db.session.commit()
            booking_id = booking.id
            db.session.remove()
        return booking_id

    return make
