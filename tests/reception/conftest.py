"""Fixtures for reception tests: the booking library (locations, topics, staff) and a
factory for requests that goes through the quick entry's service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.core.database import utcnow
from inclusion.core.needs import Needs
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.reception import RequestDetails, take_request
from tests.booking import conftest as booking_fixtures
from tests.booking.conftest import Library

# The booking fixtures (a library with locations, topics and staff; sessions; bookings).
library = booking_fixtures.library
other_library = booking_fixtures.other_library
make_session = booking_fixtures.make_session
make_booking = booking_fixtures.make_booking


@pytest.fixture
def make_request(app, library):
    """Take a request through the service; returns its id. Defaults: a new caller
    Karin Berg on 070-555 12 34 who wants help with BankID, call back in an hour."""

    def make(lib: Library | None = None, actor_id: int | None = None, **fields) -> int:
        lib = lib or library
        fields.setdefault("phone", "070-555 12 34")
        fields.setdefault("resident_choice", "new")
        fields.setdefault("name", "Karin Berg")
        fields.setdefault("topic_ids", [lib.topic_ids["BankID"]])
        fields.setdefault("callback_due", utcnow() + timedelta(hours=1))
        fields.setdefault("needs", Needs())
        with app.app_context():
            organisation = db.session.get(Organisation, lib.organisation_id)
            actor = db.session.scalar(select(User).where(User.id == (actor_id or lib.reception_id)))
            taken = take_request(organisation, RequestDetails(**fields), actor)
            db.session.commit()
            request_id = taken.id
            db.session.remove()
        return request_id

    return make
