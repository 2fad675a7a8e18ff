"""Fixtures for desk-help tests: the booking library (two places and three topics in each
municipality, one account per role) and a factory that logs desk help through the service."""

from __future__ import annotations

from datetime import datetime

import pytest

from inclusion.auth.models import User
from inclusion.deskhelp.services import DeskHelpDetails, log_desk_help
from inclusion.extensions import db
from inclusion.org.models import Organisation
from tests.fixtures.booking import Library


@pytest.fixture
def log_help(app, library):
    """Log one resident helped through the service; returns the entry's id. Defaults:
    BankID, solved, 15 minutes at Öckerö bibliotek, by the staff member, now.
    ``helped_at`` moves it to another moment (an earlier day, say)."""

    def log(
        lib: Library | None = None,
        by: int | None = None,
        helped_at: datetime | None = None,
        topics: tuple[str, ...] = ("BankID",),
        **fields,
    ) -> int:
        lib = lib or library
        fields.setdefault("topic_ids", [lib.topic_ids[name] for name in topics])
        fields.setdefault("location_id", lib.location_id)
        with app.app_context():
            organisation = db.session.get(Organisation, lib.organisation_id)
            user = db.session.get(User, by or lib.staff_id)
            entry = log_desk_help(organisation, user, DeskHelpDetails(**fields))
            if helped_at is not None:
                entry.helped_at = entry.created_at = helped_at
            db.session.commit()
            entry_id = entry.id
            db.session.remove()
        return entry_id

    return log
