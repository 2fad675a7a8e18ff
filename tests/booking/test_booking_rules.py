"""Booking through the pages, as reception does it: book with topics, needs and channel,
rebook in one step, cancel with a reason, the waitlist, attendance and outcome in the
audit log, and every kind of bad input answered next to the field with nothing saved."""

from __future__ import annotations

from datetime import time, timedelta

from helpers import field_error, row_count
from sqlalchemy import select

from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent


def _booking(app, booking_id: int) -> Booking:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        db.session.expunge(booking)
        return booking


def _booked_count(app, session_id: int) -> int:
    with app.app_context():
        return db.session.get(HelpSession, session_id).booked_count


def _book(client, session_id: int, resident_id: int, **fields):
    data = {"resident_id": str(resident_id), "channel": "phone", **fields}
    return client.send_form(f"/sessions/{session_id}/book?resident={resident_id}", data)


def test_reception_books_with_topics_needs_and_channel(app, library, login_as, make_session, make_resident):
    session_id = make_session()[0]
    resident = make_resident(name="Anna Andersson", phone="070-174 06 30")
    client = login_as(Role.RECEPTION)

    response = _book(
        client,
        session_id,
        resident,
        topic_ids=[str(library.topic_ids["BankID"])],
        needs=["hearing"],
        interpreter_language="ar",
        note="Tar med sin egen mobil.",
        channel="walk_in",
        help_agreement_read="y",
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anna Andersson är bokad." in page
    assert "besök på plats" in page and "BankID" in page
    assert "hörsel, tolk eller personal som talar arabiska" in page
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert booking.booked_by_id == library.reception_id
        assert booking.channel == "walk_in" and booking.help_agreement_read
    # The day list tells the person who meets her what she needs.
    day = client.get(f"/schedule/day?date={_session_day(app, session_id)}").get_data(as_text=True)
    assert "Anna Andersson" in day and "hörsel" in day


def _session_day(app, session_id: int) -> str:
    from inclusion.core.clock import to_local

    with app.app_context():
        return (
            to_local(db.session.get(HelpSession, session_id).starts_at, "Europe/Stockholm").date().isoformat()
        )


def test_the_same_resident_cannot_be_booked_twice_at_the_same_time(
    app, library, login_as, make_session, make_resident, make_booking
):
    here, elsewhere = (
        make_session()[0],
        make_session(location_id=library.other_location_id, staff_ids=[library.coordinator_id])[0],
    )
    resident = make_resident(name="Anna Andersson", phone="070-174 06 30")
    make_booking(here, resident)
    client = login_as(Role.RECEPTION)

    response = _book(client, elsewhere, resident)

    assert response.status_code == 422
    assert "Anna Andersson har redan en bokning" in response.get_data(as_text=True)
    assert _booked_count(app, elsewhere) == 0


def test_a_full_group_puts_the_resident_on_the_waitlist_and_a_cancellation_moves_them_up(
    app, library, login_as, make_session, make_resident, make_booking
):
    fika = make_session(kind="group", capacity=1, starts=time(14), ends=time(16))[0]
    seated = make_booking(fika, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    waiting = make_resident(name="Bo Berg", phone="070-174 06 31")
    client = login_as(Role.RECEPTION)

    refused = _book(client, fika, waiting)
    assert refused.status_code == 422
    assert "Platserna på Digital fika hann ta slut" in refused.get_data(as_text=True)

    queued = _book(client, fika, waiting, join_waitlist="y")
    page = client.get(queued.headers["Location"]).get_data(as_text=True)
    assert "Bo Berg står nu på väntelistan, plats 1." in page

    cancelled = client.send_form(f"/bookings/{seated}/cancel", {"reason": "Är sjuk"})
    assert "Bo Berg fick platsen från väntelistan." in client.get(cancelled.headers["Location"]).get_data(
        as_text=True
    )
    assert _booking(app, seated).status == BookingStatus.CANCELLED
    assert _booked_count(app, fika) == 1


def test_rebooking_moves_in_one_step_and_frees_the_old_time(
    app, library, login_as, make_session, make_resident, make_booking
):
    first, second = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    booking_id = make_booking(first, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    client = login_as(Role.RECEPTION)

    response = client.send_form(f"/bookings/{booking_id}/rebook", {"session_id": str(second)})

    assert response.status_code == 302
    assert _booking(app, booking_id).session_id == second
    assert (_booked_count(app, first), _booked_count(app, second)) == (0, 1)
    # Somebody else can now have the old time.
    other = make_resident(name="Bo Berg", phone="070-174 06 31")
    assert _book(client, first, other).status_code == 302


def test_rebooking_into_a_full_time_is_refused_and_the_booking_stays(
    app, library, login_as, make_session, make_resident, make_booking
):
    first, second = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    booking_id = make_booking(first, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    make_booking(second, make_resident(name="Bo Berg", phone="070-174 06 31"))
    client = login_as(Role.RECEPTION)

    response = client.send_form(f"/bookings/{booking_id}/rebook", {"session_id": str(second)})

    assert response.status_code in (409, 422)
    assert "hann bokas av någon annan" in response.get_data(as_text=True)
    assert _booking(app, booking_id).session_id == first
    assert (_booked_count(app, first), _booked_count(app, second)) == (1, 1)


def test_cancelling_needs_a_reason(app, library, login_as, make_session, make_resident, make_booking):
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    client = login_as(Role.RECEPTION)

    response = client.send_form(f"/bookings/{booking_id}/cancel", {"reason": "   "})

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "reason") == "Skriv varför bokningen avbokas."
    assert _booking(app, booking_id).status == BookingStatus.BOOKED
    assert _booked_count(app, session_id) == 1


def test_booking_a_cancelled_session_is_refused(app, library, login_as, make_session, make_resident):
    session_id = make_session()[0]
    client = login_as(Role.COORDINATOR)
    client.send_form(f"/sessions/{session_id}/cancel", {"reason": "Personalen är sjuk"})

    response = _book(client, session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))

    assert response.status_code == 422
    assert "Passet är inställt och går inte att boka." in response.get_data(as_text=True)
    assert row_count(app, Booking) == 0


def test_bad_booking_input_is_answered_next_to_each_field(
    app, library, other_library, login_as, make_session, make_resident
):
    session_id = make_session()[0]
    resident = make_resident(name="Anna Andersson", phone="070-174 06 30")
    client = login_as(Role.RECEPTION)

    response = _book(
        client,
        session_id,
        resident,
        topic_ids=[str(other_library.topic_ids["BankID"])],
        channel="carrier pigeon",
        note="x" * 501,
        interpreter_language="klingon",
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "topic_ids") == "Välj ämnen i listan."
    assert field_error(page, "channel") == "Välj hur bokningen kom in."
    assert "500" in field_error(page, "note")
    assert field_error(page, "interpreter_language") == "Välj ett språk i listan."
    assert row_count(app, Booking) == 0 and _booked_count(app, session_id) == 0


def test_a_resident_of_another_municipality_cannot_be_booked(
    app, library, login_as, make_session, make_resident
):
    session_id = make_session()[0]
    stranger = make_resident(municipality="bracke", name="Bo Berg", phone="070-174 06 31")
    client = login_as(Role.RECEPTION)

    assert client.get(f"/sessions/{session_id}/book?resident={stranger}").status_code == 404
    assert _book(client, session_id, stranger).status_code == 404
    assert row_count(app, Booking) == 0


def test_sessions_and_bookings_of_another_municipality_answer_404(
    app, library, login_as, make_session, make_resident, make_booking
):
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    stranger = login_as(Role.COORDINATOR, municipality="bracke")

    assert stranger.get(f"/sessions/{session_id}").status_code == 404
    assert stranger.get(f"/bookings/{booking_id}").status_code == 404
    assert stranger.send_form(f"/bookings/{booking_id}/cancel", {"reason": "x"}).status_code == 404
    assert _booking(app, booking_id).status == BookingStatus.BOOKED


def test_attendance_and_outcome_are_kept_in_the_audit_log(
    app, library, login_as, make_session, make_resident, make_booking
):
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        session.starts_at, session.ends_at = utcnow() - timedelta(hours=1), utcnow() - timedelta(minutes=30)
        db.session.commit()
    client = login_as(Role.STAFF)
    bankid = str(library.topic_ids["BankID"])

    client.send_form(
        f"/bookings/{booking_id}/outcome", {"attendance": "attended", "helped_topic_ids": [bankid]}
    )
    client.send_form(
        f"/bookings/{booking_id}/outcome",
        {"attendance": "attended", "helped_topic_ids": [bankid], "follow_up_needed": "y"},
    )

    booking = _booking(app, booking_id)
    assert booking.attendance == "attended" and booking.follow_up_needed
    with app.app_context():
        updates = list(
            db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.subject_type == "booking", AuditEvent.action == "update")
                .order_by(AuditEvent.id)
            )
        )
    assert [event.actor_id for event in updates] == [library.staff_id, library.staff_id]
    assert "attendance" in updates[0].changed_fields
    assert updates[1].changed_fields == ["follow_up_needed"]
