"""Helpers the reception tests share: a request read back from the database, and what
a page says after a form redirected."""

from __future__ import annotations

import re
from datetime import timedelta

from helpers import working_day
from sqlalchemy import select

from inclusion.extensions import db
from inclusion.reception.models import CallbackRequest, ContactAttempt


def load_request(app, request_id: int) -> CallbackRequest:
    """The request as stored, with its attempts and resident loaded for use outside the
    app context."""
    with app.app_context():
        request = db.session.get(CallbackRequest, request_id)
        request.attempts  # noqa: B018  (load before leaving the context)
        request.resident  # noqa: B018
        db.session.expunge_all()
        return request


def calls_made_earlier(app, request_id: int, minutes: int = 5) -> None:
    """Move the request's calls back in time, as between real calls: the same call noted
    again within seconds by the same person is a double click and is kept once."""
    with app.app_context():
        for attempt in db.session.scalars(
            select(ContactAttempt).where(ContactAttempt.request_id == request_id)
        ):
            attempt.attempted_at -= timedelta(minutes=minutes)
        db.session.commit()


def offered_sessions(page: str) -> list[int]:
    """The session ids a request's page offers to book, in order."""
    return [int(found) for found in re.findall(r'name="session_id" value="(\d+)"', page)]


def quick_entry_form(library, **fields) -> dict:
    """What the receptionist sends for a typical call: BankID, any time, call back at
    10:00 in a few working days. A field given as None is left out."""
    data = {
        "phone": "070-555 12 34",
        "name": "Karin Berg",
        "topic_ids": [str(library.topic_ids["BankID"])],
        "time_of_day": "",
        "channel": "phone",
        "callback_day": working_day().isoformat(),
        "callback_time": "10:00",
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}
