"""Fixtures for privacy tests: the booking library, and helpers that put rows in the past
(retention is about time) and add the requests and texts a resident leaves behind."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import InboundMessage, Message, State
from inclusion.reception.models import CallbackRequest, ContactAttempt, RequestState
from inclusion.residents.models import Resident

NOW = utcnow()


def ago(days: int = 0, **more) -> datetime:
    return NOW - timedelta(days=days, **more)


def set_fields(app, model, row_id: int, **values) -> None:
    """Change a row behind the services' back (to put it in the past). ``updated_at`` is
    kept as given, or as it was, so the change itself does not count as activity."""
    with app.app_context():
        if hasattr(model, "updated_at") and "updated_at" not in values:
            values["updated_at"] = model.updated_at
        db.session.execute(update(model).where(model.id == row_id).values(**values))
        db.session.commit()


@pytest.fixture
def old_resident(app, make_resident):
    """A resident registered (and last changed) ``days`` ago, with a full record."""

    def make(days: int = 3 * 365, municipality: str = "ockero", **fields) -> int:
        fields.setdefault("name", "Gamla Gunnel")
        fields.setdefault("phone", "070-555 11 22")
        fields.setdefault("trusted_contact_name", "Dottern Dagny")
        fields.setdefault("trusted_contact_phone", "070-555 33 44")
        fields.setdefault("street_address", "Hamnvägen 3")
        fields.setdefault("postal_code", "475 31")
        fields.setdefault("city", "Öckerö")
        fields.setdefault("notes", "Hörapparat, tala tydligt")
        fields.setdefault("age_band", "75_84")
        fields.setdefault("preferred_language", "fi")
        resident_id = make_resident(municipality=municipality, **fields)
        set_fields(app, Resident, resident_id, created_at=ago(days), updated_at=ago(days))
        return resident_id

    return make


@pytest.fixture
def past_booking(app, make_session, make_booking):
    """A booking in a session ``days`` ago (made a week before it), marked attended."""

    def make(resident_id: int, days: int, lib=None, **fields) -> int:
        session_id = make_session(lib, **fields)[0]
        booking_id = make_booking(session_id, resident_id, lib=lib, note="Vill lära sig Swish")
        from inclusion.booking.models import Booking, HelpSession

        with app.app_context():
            session = db.session.get(HelpSession, session_id)
            length = session.ends_at - session.starts_at
            start = ago(days)
            session.starts_at, session.ends_at = start, start + length
            db.session.commit()
        set_fields(
            app,
            Booking,
            booking_id,
            created_at=ago(days + 7),
            attendance="attended",
            outcome_note="Swish fungerar nu",
            outcome_recorded_at=ago(days),
        )
        with app.app_context():  # the messages planned for it went out long ago
            message_ids = db.session.scalars(select(Message.id).where(Message.booking_id == booking_id)).all()
        for message_id in message_ids:
            set_fields(app, Message, message_id, created_at=ago(days + 7), state=State.DELIVERED)
        return booking_id

    return make


@pytest.fixture
def add_request(app, library):
    """A phone-in request with notes and a call attempt; ``state`` and ``closed_days_ago``
    say whether and when it was closed."""

    def make(
        resident_id: int | None,
        state: RequestState = RequestState.CLOSED,
        closed_days_ago: int | None = 400,
        organisation_id: int | None = None,
        **fields,
    ) -> int:
        with app.app_context():
            created = ago((closed_days_ago or 0) + 3)
            request = CallbackRequest(
                organisation_id=organisation_id or library.organisation_id,
                resident_id=resident_id,
                state=state,
                channel="phone",
                wishes=fields.pop("wishes", "Vill ha hjälp med BankID på tisdagar"),
                note=fields.pop("note", "Har svårt att höra, ring högt"),
                callback_due_at=created,
                created_at=created,
                closed_at=ago(closed_days_ago) if closed_days_ago is not None else None,
                **fields,
            )
            request.attempts.append(
                ContactAttempt(outcome="reached", note="Sa att dottern hjälper till", attempted_at=created)
            )
            db.session.add(request)
            db.session.commit()
            request_id = request.id
            set_fields(app, CallbackRequest, request_id, updated_at=ago(closed_days_ago or 0))
            return request_id

    return make


@pytest.fixture
def add_text(app, library):
    """An SMS a resident sent, ``days`` ago, and what we answered."""

    def make(resident_id: int | None, days: int, body: str = "JA tack, jag kommer", **fields) -> int:
        with app.app_context():
            text = InboundMessage(
                organisation_id=fields.pop("organisation_id", library.organisation_id),
                provider_sid=f"SM{resident_id}x{days}x{len(body)}x{utcnow().timestamp()}",
                from_number=fields.pop("from_number", "+46705551122"),
                to_number="+46766860000",
                body=body,
                received_at=ago(days),
                resident_id=resident_id,
                outcome="confirm",
                reply_body="Tack! Vi ses på Öckerö bibliotek.",
                **fields,
            )
            db.session.add(text)
            db.session.commit()
            return text.id

    return make
