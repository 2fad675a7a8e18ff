"""Fixtures for the public pages: the booking library (locations, topics, staff), with the
municipality's phone and service SMS number set and a place described the way a
resident needs it (address, bus, ramp)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from inclusion.booking.models import HelpSession
from inclusion.extensions import db
from inclusion.org.models import Location, Organisation
from inclusion.outbox.models import NotificationSettings

PHONE = "0304-66 00 00"
SMS_NUMBER = "076-686 00 00"
DIRECTIONS = "Buss 302 till Öckerö centrum, sedan två minuters promenad."
ACCESSIBILITY = "Ramp vid entrén och hiss till andra våningen."


@dataclass
class Door:
    """What the public page of Öckerö is built from."""

    organisation_id: int
    location_id: int
    slug: str = "ockero"


def set_numbers(app, organisation_id: int, phone: str | None, sms: str | None) -> None:
    with app.app_context():
        db.session.get(Organisation, organisation_id).phone_number = phone
        if sms is not None:
            db.session.merge(NotificationSettings(organisation_id=organisation_id, sms_number=sms))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def door(app, library) -> Door:
    """Öckerö with a phone number, an SMS number, and its library's directions."""
    set_numbers(app, library.organisation_id, "+46304660000", "+46766860000")
    with app.app_context():
        location = db.session.get(Location, library.location_id)
        location.area = "Öckerö"
        location.directions = DIRECTIONS
        location.accessibility_notes = ACCESSIBILITY
        db.session.commit()
        db.session.remove()
    return Door(library.organisation_id, library.location_id)


def move_session(app, session_id: int, **values) -> None:
    """Change a stored session directly (past times and states the services refuse)."""
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        for name, value in values.items():
            setattr(session, name, value)
        db.session.commit()
        db.session.remove()
