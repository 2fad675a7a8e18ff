"""Who may act on which session is decided by the services, not only by the pages: a
volunteer acts only on the sessions they hold, bookings are made, moved and cancelled by
the roles that use the registry, and nobody acts on another municipality's sessions.

Each rule is checked by calling the service directly, as the CLI, the demo or another
feature would. (The pages refuse the same earlier, with a 404 or 403: tests/core.)"""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from helpers import working_day

from inclusion.auth.models import User
from inclusion.booking import (
    BookingRequest,
    Outcome,
    SessionPlan,
    book_resident,
    cancel_booking,
    cancel_session,
    publish_sessions,
    rebook_booking,
    record_head_count,
    record_help_agreement_read,
    record_outcome,
)
from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.database import utcnow
from inclusion.core.errors import DomainError, NotAllowed
from inclusion.extensions import db
from inclusion.org.models import Organisation


def _start(app, session_id: int) -> None:
    """Move a session so that it began half an hour ago (sessions are published ahead)."""
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        length = session.ends_at - session.starts_at
        session.starts_at = utcnow() - timedelta(minutes=30)
        session.ends_at = session.starts_at + length
        db.session.commit()


def _as(user_id: int) -> User:
    return db.session.get(User, user_id)


@pytest.fixture
def held_by_staff(app, library, make_session, make_booking, make_resident):
    """A one-to-one session held by the staff member (not the volunteer), with a booking."""
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(phone="070-174 06 30"))
    return session_id, booking_id


def test_a_volunteer_records_attendance_only_in_sessions_they_hold(
    app, library, make_session, make_booking, make_resident
):
    others = make_session(staff_ids=[library.staff_id])[0]
    own = make_session(staff_ids=[library.volunteer_id], starts=time(11), ends=time(11, 30))[0]
    in_others = make_booking(others, make_resident(phone="070-174 06 30"))
    in_own = make_booking(own, make_resident(name="Bo Berg", phone="070-174 06 31"))
    _start(app, others)
    _start(app, own)

    with app.app_context():
        volunteer = _as(library.volunteer_id)
        with pytest.raises(NotAllowed):
            record_outcome(db.session.get(Booking, in_others), Outcome(attendance="attended"), volunteer)
        db.session.rollback()
        assert db.session.get(Booking, in_others).attendance is None

        record_outcome(db.session.get(Booking, in_own), Outcome(attendance="attended"), volunteer)
        db.session.commit()
        assert db.session.get(Booking, in_own).attendance == "attended"


def test_a_volunteer_ticks_the_help_agreement_only_in_sessions_they_hold(app, library, held_by_staff):
    _session_id, booking_id = held_by_staff
    with app.app_context():
        with pytest.raises(NotAllowed):
            record_help_agreement_read(db.session.get(Booking, booking_id), _as(library.volunteer_id))
        db.session.rollback()
        assert db.session.get(Booking, booking_id).help_agreement_read_by_id is None

        record_help_agreement_read(db.session.get(Booking, booking_id), _as(library.staff_id))
        assert db.session.get(Booking, booking_id).help_agreement_read_by_id == library.staff_id


def test_head_counts_are_noted_by_those_who_help_a_volunteer_only_in_their_own_sessions(
    app, library, make_session
):
    others = make_session(kind="group", staff_ids=[library.staff_id])[0]
    own = make_session(kind="group", staff_ids=[library.volunteer_id], starts=time(11), ends=time(12))[0]
    _start(app, others)
    _start(app, own)

    with app.app_context():
        for actor_id in (library.volunteer_id, library.reception_id):
            with pytest.raises(NotAllowed):
                record_head_count(db.session.get(HelpSession, others), 4, {}, _as(actor_id))
            db.session.rollback()
        assert db.session.get(HelpSession, others).head_count is None

        record_head_count(db.session.get(HelpSession, own), 4, {}, _as(library.volunteer_id))
        assert db.session.get(HelpSession, own).head_count == 4


def test_nobody_calls_off_another_municipality_s_session(app, library, other_library, held_by_staff):
    session_id, booking_id = held_by_staff
    with app.app_context():
        with pytest.raises(NotAllowed):
            cancel_session(db.session.get(HelpSession, session_id), "Sjuk", _as(other_library.coordinator_id))
        db.session.rollback()
        assert not db.session.get(HelpSession, session_id).cancelled
        assert db.session.get(Booking, booking_id).status == BookingStatus.BOOKED


def test_a_volunteer_neither_books_nor_moves_nor_cancels_a_booking(
    app, library, make_session, make_resident, held_by_staff
):
    session_id, booking_id = held_by_staff
    free = make_session(starts=time(13), ends=time(13, 30))[0]
    resident_id = make_resident(name="Bo Berg", phone="070-174 06 31")

    with app.app_context():
        volunteer = _as(library.volunteer_id)
        with pytest.raises(NotAllowed):
            book_resident(library.organisation_id, free, resident_id, BookingRequest(), volunteer)
        db.session.rollback()
        with pytest.raises(NotAllowed):
            rebook_booking(db.session.get(Booking, booking_id), free, volunteer)
        db.session.rollback()
        with pytest.raises(NotAllowed):
            cancel_booking(db.session.get(Booking, booking_id), "Sjuk", volunteer)
        db.session.rollback()

        booking = db.session.get(Booking, booking_id)
        assert (booking.status, booking.session_id) == (BookingStatus.BOOKED, session_id)
        assert db.session.get(HelpSession, free).booked_count == 0


def test_nobody_books_or_cancels_in_another_municipality(
    app, library, other_library, make_session, make_resident, held_by_staff
):
    _session_id, booking_id = held_by_staff
    free = make_session(starts=time(13), ends=time(13, 30))[0]
    resident_id = make_resident(name="Bo Berg", phone="070-174 06 31")

    with app.app_context():
        stranger = _as(other_library.reception_id)
        with pytest.raises(NotAllowed):
            book_resident(library.organisation_id, free, resident_id, BookingRequest(), stranger)
        db.session.rollback()
        with pytest.raises(NotAllowed):
            cancel_booking(db.session.get(Booking, booking_id), "Sjuk", stranger)
        db.session.rollback()
        assert db.session.get(Booking, booking_id).status == BookingStatus.BOOKED


def test_only_a_coordinator_puts_volunteers_other_than_themselves_on_a_session(app, library):
    plan = SessionPlan(
        location_id=library.location_id,
        kind="group",
        title="Digital fika",
        capacity=5,
        day=working_day(),
        starts=time(14),
        ends=time(15),
        staff_ids=[library.staff_id, library.volunteer_id],
    )
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        with pytest.raises(DomainError) as refused:
            publish_sessions(organisation, plan, _as(library.staff_id))
        assert list(refused.value.errors) == ["staff_ids"]
        db.session.rollback()

        published = publish_sessions(organisation, plan, _as(library.coordinator_id))
        assert [user.id for user in published.sessions[0].staff] == sorted(
            [library.staff_id, library.volunteer_id]
        )
