"""The notes staff write on a booking and after the session are cleaned as every note is
(core.validation): kept as typed, < and > allowed (they are shown to staff only,
escaped), and a character no database can keep refused next to the field. Checked at
the service, as the pages, the CLI and reception's "book from a request" all call it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from inclusion.auth.models import User
from inclusion.booking import BookingRequest, Outcome, book_resident, record_outcome
from inclusion.booking.models import Booking, HelpSession
from inclusion.core.database import utcnow
from inclusion.core.errors import DomainError
from inclusion.extensions import db

UNSAVEABLE = "Texten innehåller tecken som inte går att spara."


def _book(library, session_id: int, resident_id: int, note: str) -> Booking:
    actor = db.session.get(User, library.reception_id)
    return book_resident(library.organisation_id, session_id, resident_id, BookingRequest(note=note), actor)


def test_a_booking_note_keeps_angle_brackets_and_spacing(app, library, make_session, make_resident):
    session_id = make_session()[0]
    resident_id = make_resident(phone="070-174 06 30")

    with app.app_context():
        booking = _book(library, session_id, resident_id, "  Vill lära sig <Kivra>\n  -> ring först  ")
        assert booking.note == "Vill lära sig <Kivra>\n  -> ring först"


@pytest.mark.parametrize("note", ["Ring\x00 först", "Ring\x07 först"])
def test_a_booking_note_with_a_control_character_is_refused_next_to_it(
    app, library, make_session, make_resident, note
):
    session_id = make_session()[0]
    resident_id = make_resident(phone="070-174 06 30")

    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _book(library, session_id, resident_id, note)
        assert refused.value.errors == {"note": UNSAVEABLE}


def test_the_resident_and_the_note_are_refused_together(app, library, make_session):
    session_id = make_session()[0]

    with app.app_context():
        with pytest.raises(DomainError) as refused:
            _book(library, session_id, 999999, "x" * 501)
        assert refused.value.errors == {
            "resident_id": "Välj en invånare i registret.",
            "note": "Texten får vara högst 500 tecken.",
        }


def _started_booking(app, library, make_session, make_booking, make_resident) -> int:
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(phone="070-174 06 30"))
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        length = session.ends_at - session.starts_at
        session.starts_at = utcnow() - timedelta(minutes=30)
        session.ends_at = session.starts_at + length
        db.session.commit()
    return booking_id


def test_an_outcome_note_keeps_angle_brackets_and_refuses_a_nul(
    app, library, make_session, make_booking, make_resident
):
    booking_id = _started_booking(app, library, make_session, make_booking, make_resident)

    with app.app_context():
        staff = db.session.get(User, library.staff_id)
        with pytest.raises(DomainError) as refused:
            record_outcome(db.session.get(Booking, booking_id), Outcome("attended", note="BankID\x00"), staff)
        assert refused.value.errors == {"note": UNSAVEABLE}
        db.session.rollback()

        booking = record_outcome(
            db.session.get(Booking, booking_id), Outcome("attended", note=" Swish -> klart <3 "), staff
        )
        db.session.commit()
        assert booking.outcome_note == "Swish -> klart <3"
