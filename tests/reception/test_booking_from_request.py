"""From a request to a booking: the request's page offers the free times that fit what
the resident asked for, one press books the resident with everything said on the call,
the staff member sees the needs in the day list, a time taken a moment ago shows the
nearest free ones, a caller with an unreadable number is registered first, and every
step leaves a line in the audit log."""

from __future__ import annotations

import re
from datetime import time

import pytest
from helpers import field_error, row_count, working_day
from sqlalchemy import select

from inclusion.auth.models import StaffLanguage
from inclusion.booking.models import Booking
from inclusion.core.access import Role
from inclusion.core.needs import Needs
from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.reception.support import load_request, offered_sessions


def _speaks(app, user_id: int, language: str) -> None:
    with app.app_context():
        db.session.add(StaffLanguage(user_id=user_id, language=language))
        db.session.commit()


def _book(client, request_id: int, session_id: int):
    return client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})


# --- Times that fit ---------------------------------------------------------------------------


def test_afternoon_and_a_weekday_offer_only_those_times(app, library, login_as, make_session, make_request):
    thursday = working_day(weekday=3)
    morning = make_session(day=thursday, starts=time(10), ends=time(10, 30))[0]
    afternoon = make_session(day=thursday, starts=time(13), ends=time(13, 30))[0]
    late = make_session(day=thursday, starts=time(17), ends=time(17, 30))[0]
    friday_afternoon = make_session(day=working_day(weekday=4), starts=time(13), ends=time(13, 30))[0]
    request_id = make_request(weekdays=[3], time_of_day="afternoon")

    page = login_as(Role.RECEPTION).get(f"/reception/requests/{request_id}").get_data(as_text=True)

    assert offered_sessions(page) == [afternoon, late]
    assert morning not in offered_sessions(page) and friday_afternoon not in offered_sessions(page)
    assert "torsdag" in page and "Eftermiddag" in page and "Lediga tider som passar" in page


def test_a_residents_own_language_asks_for_staff_who_speak_it(
    app, library, login_as, make_session, make_request, make_resident
):
    _speaks(app, library.coordinator_id, "fi")
    resident = make_resident(name="Aino Virtanen", phone="070-555 12 34", preferred_language="fi")
    day = working_day()
    swedish_only = make_session(day=day, starts=time(10), ends=time(10, 30))[0]
    finnish = make_session(day=day, starts=time(11), ends=time(11, 30), staff_ids=[library.coordinator_id])[0]
    request_id = make_request(resident_choice=str(resident), name="")

    page = login_as(Role.RECEPTION).get(f"/reception/requests/{request_id}").get_data(as_text=True)

    assert offered_sessions(page) == [finnish] and swedish_only not in offered_sessions(page)
    assert "Coordinator Öckerö kommun" in page


def test_taken_cancelled_and_foreign_times_are_never_offered(
    app, library, other_library, login_as, make_session, make_request, make_resident, make_booking
):
    taken, free = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    make_booking(taken, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    foreign = make_session(lib=other_library)[0]
    request_id = make_request()

    page = login_as(Role.RECEPTION).get(f"/reception/requests/{request_id}").get_data(as_text=True)

    assert offered_sessions(page) == [free]
    assert taken not in offered_sessions(page) and foreign not in offered_sessions(page)
    assert "Bräcke bibliotek" not in page


def test_when_nothing_fits_the_request_stays_in_the_queue_with_a_way_forward(
    app, library, login_as, make_session, make_request
):
    make_session(topic_ids=[library.topic_ids["Swish"]])
    request_id = make_request(topic_ids=[library.topic_ids["1177"]])
    client = login_as(Role.RECEPTION)

    page = client.get(f"/reception/requests/{request_id}").get_data(as_text=True)

    assert offered_sessions(page) == []
    assert "Inget passar just nu. Förfrågan ligger kvar i kön" in page
    assert "Sök bland alla lediga tider" in page and "Ändra tiden för att ringa tillbaka" in page
    assert "Karin Berg" in client.get("/reception/requests").get_data(as_text=True)


# --- Booking in one step ------------------------------------------------------------------------


def test_one_press_books_with_the_requests_topics_needs_and_channel(
    app, library, login_as, make_session, make_request
):
    _speaks(app, library.staff_id, "ar")
    bankid, swish = library.topic_ids["BankID"], library.topic_ids["Swish"]
    session_id = make_session(topic_ids=[swish])[0]
    request_id = make_request(
        topic_ids=[bankid, swish],
        needs=Needs(hearing=True, sight=True, mobility=True, interpreter_language="ar"),
        channel="sms",
        wishes="Helst på förmiddagen",
    )
    client = login_as(Role.RECEPTION)
    assert offered_sessions(client.get(f"/reception/requests/{request_id}").get_data(as_text=True)) == [
        session_id
    ]

    response = _book(client, request_id, session_id)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Karin Berg är bokad. Förfrågan är klar." in page
    assert "BankID, Swish" in page
    assert "hörsel, syn, rörlighet, tolk eller personal som talar arabiska" in page
    assert "Helst på förmiddagen" in page and "sms, av Reception Öckerö kommun" in page
    with app.app_context():
        (booking,) = db.session.scalars(select(Booking)).all()
        assert booking.session_id == session_id and booking.channel == "sms"
        assert sorted(topic.name for topic in booking.topics) == ["BankID", "Swish"]
        assert booking.needs == Needs(True, True, True, "ar")
        booking_id = booking.id
    request = load_request(app, request_id)
    assert request.state == "booked" and request.booking_id == booking_id and request.booked_at is not None
    assert request.resident.id == load_request(app, request_id).resident_id


def test_the_booked_request_links_to_its_booking_and_leaves_the_open_queue(
    app, library, login_as, make_session, make_request
):
    session_id = make_session(location_id=library.other_location_id, starts=time(11), ends=time(11, 30))[0]
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    _book(client, request_id, session_id)
    booking_id = load_request(app, request_id).booking_id

    page = client.get(f"/reception/requests/{request_id}").get_data(as_text=True)

    link = re.search(rf'<a href="/bookings/{booking_id}">([^<]+)</a>', page)
    assert link and "11.00" in link.group(1) and "Hönö bibliotek" in link.group(1)
    assert re.search(r'class="tag tag--booked">Bokad<', page)
    assert "Jag tar den" not in page and offered_sessions(page) == []
    assert "Karin Berg" not in client.get("/reception/requests").get_data(as_text=True)
    assert "Karin Berg" in client.get("/reception/requests?state=booked").get_data(as_text=True)


def test_the_day_list_shows_the_needs_to_the_staff_who_meet_the_resident(
    app, library, login_as, make_session, make_request
):
    day = working_day()
    session_id = make_session(day=day, topic_ids=[library.topic_ids["BankID"]])[0]
    request_id = make_request(needs=Needs(hearing=True, mobility=True), note="Kommer med rollator")
    _book(login_as(Role.RECEPTION), request_id, session_id)

    page = login_as(Role.STAFF).get(f"/schedule/day?date={day.isoformat()}").get_data(as_text=True)

    entry = page.split("Karin Berg")[1].split("</li>")[0]
    assert "<strong>Behov:</strong> hörsel, rörlighet" in entry
    assert "Ämnen: BankID" in entry and "Kommer med rollator" in entry
    assert "070-555 12 34" in entry


def test_booking_someone_who_already_has_that_time_is_refused(
    app, library, login_as, make_session, make_request, make_booking
):
    session_id = make_session(kind="group", capacity=5)[0]
    request_id = make_request()
    resident_id = load_request(app, request_id).resident_id
    make_booking(session_id, resident_id)

    response = _book(login_as(Role.RECEPTION), request_id, session_id)

    assert response.status_code == 422
    assert "Karin Berg är redan bokad på det här passet." in response.get_data(as_text=True)
    assert load_request(app, request_id).state == "new" and row_count(app, Booking) == 1


@pytest.mark.parametrize("session", ["", "999999", "foreign"])
def test_a_missing_or_foreign_time_is_refused_and_nothing_booked(
    app, library, other_library, login_as, make_session, make_request, session
):
    foreign = make_session(lib=other_library)[0]
    request_id = make_request()
    session_id = str(foreign) if session == "foreign" else session

    response = login_as(Role.RECEPTION).send_form(
        f"/reception/requests/{request_id}/book", {"session_id": session_id}
    )

    assert response.status_code == 422
    assert "Passet finns inte. Välj en tid i listan." in response.get_data(as_text=True)
    assert row_count(app, Booking) == 0 and load_request(app, request_id).state == "new"


# --- A time taken a moment ago ---------------------------------------------------------------------


def test_a_time_just_taken_shows_the_nearest_free_ones_and_one_of_them_can_be_booked(
    app, library, login_as, make_session, make_request, make_resident, make_booking
):
    taken, next_free = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    assert taken in offered_sessions(client.get(f"/reception/requests/{request_id}").get_data(as_text=True))
    other = make_resident(name="Anna Andersson", phone="070-174 06 30")
    make_booking(taken, other)  # another receptionist was quicker

    refused = _book(client, request_id, taken)

    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Tiden hann bokas av någon annan" in page
    notice = page.split("Närmaste lediga tider")[1].split("</table>")[0]
    assert offered_sessions(notice) == [next_free]
    request = load_request(app, request_id)
    assert request.state == "new" and request.booking_id is None and request.is_open
    with app.app_context():
        assert db.session.scalar(select(Booking.resident_id).where(Booking.session_id == taken)) == other

    booked = _book(client, request_id, next_free)

    assert "Karin Berg är bokad. Förfrågan är klar." in client.get(booked.headers["Location"]).get_data(
        as_text=True
    )
    assert load_request(app, request_id).state == "booked"


def test_a_group_session_filled_a_moment_ago_is_refused_and_the_request_stays_open(
    app, library, login_as, make_session, make_request, make_resident, make_booking
):
    full = make_session(kind="group", capacity=1, title="Digital fika")[0]
    request_id = make_request()
    make_booking(full, make_resident(name="Anna Andersson", phone="070-174 06 30"))

    response = _book(login_as(Role.RECEPTION), request_id, full)

    assert response.status_code == 409
    assert "Platserna på Digital fika hann ta slut." in response.get_data(as_text=True)
    assert load_request(app, request_id).state == "new" and row_count(app, Booking) == 1


# --- A caller not yet in the registry --------------------------------------------------------------


def test_an_unregistered_caller_is_added_with_the_right_number_then_booked(
    app, library, login_as, make_session, make_request
):
    session_id = make_session()[0]
    request_id = make_request(name="Olle Ek", phone="070-12 34", save_unclear_number=True)
    client = login_as(Role.RECEPTION)

    before = client.get(f"/reception/requests/{request_id}").get_data(as_text=True)
    refused = _book(client, request_id, session_id)

    assert "Lägg till invånaren i registret" in before and offered_sessions(before) == []
    assert "Lägg först till invånaren i registret med ett telefonnummer som fungerar." in refused.get_data(
        as_text=True
    )
    assert row_count(app, Booking) == 0

    registered = client.send_form(f"/reception/requests/{request_id}/register", {"phone": "070-555 12 40"})

    page = client.get(registered.headers["Location"]).get_data(as_text=True)
    assert "Olle Ek är tillagd i registret." in page and "070-555 12 40" in page
    assert "Numret gick inte att tolka" not in page and offered_sessions(page) == [session_id]
    request = load_request(app, request_id)
    assert request.resident.name == "Olle Ek" and request.resident.phone_e164 == "+46705551240"
    assert request.caller_name is None and request.caller_phone_text is None

    booked = _book(client, request_id, session_id)

    assert "Olle Ek är bokad." in client.get(booked.headers["Location"]).get_data(as_text=True)
    assert load_request(app, request_id).state == "booked"


def test_registering_with_a_bad_or_someone_elses_number_explains_and_saves_nothing(
    app, library, login_as, make_request, make_resident
):
    anna = make_resident(name="Anna Andersson", phone="070-555 12 40")
    request_id = make_request(name="Olle Ek", phone="070-12 34", save_unclear_number=True)
    client = login_as(Role.RECEPTION)

    empty = client.send_form(f"/reception/requests/{request_id}/register", {"phone": ""})
    foreign = client.send_form(f"/reception/requests/{request_id}/register", {"phone": "+44 20 7946 0958"})
    shared = client.send_form(f"/reception/requests/{request_id}/register", {"phone": "070-555 12 40"})

    assert field_error(empty.get_data(as_text=True), "phone")
    assert "Bara svenska telefonnummer" in field_error(foreign.get_data(as_text=True), "phone")
    shared_page = shared.get_data(as_text=True)
    assert "Det finns redan en invånare med det här numret" in field_error(shared_page, "phone")
    assert "Det är en annan person med samma nummer" in shared_page
    assert row_count(app, Resident) == 1 and load_request(app, request_id).resident_id is None

    confirmed = client.send_form(
        f"/reception/requests/{request_id}/register", {"phone": "070-555 12 40", "confirm_shared_number": "y"}
    )

    assert "Olle Ek är tillagd i registret." in client.get(confirmed.headers["Location"]).get_data(
        as_text=True
    )
    request = load_request(app, request_id)
    assert request.resident.name == "Olle Ek" and request.resident_id != anna


def test_a_caller_already_in_the_registry_is_not_registered_twice(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    response = client.send_form(f"/reception/requests/{request_id}/register", {"phone": "070-555 12 99"})

    assert response.status_code == 422  # the form is not even shown; the summary at the top says why
    assert "Rätt telefonnummer: Invånaren finns redan i registret." in response.get_data(as_text=True)
    assert row_count(app, Resident) == 1


# --- The audit log ------------------------------------------------------------------------------


def test_the_audit_log_follows_the_request_from_call_to_booking(
    app, library, login_as, make_session, make_request
):
    session_id = make_session()[0]
    request_id = make_request(name="Olle Ek", phone="070-12 34", save_unclear_number=True)
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{request_id}/register", {"phone": "070-555 12 40"})
    _book(client, request_id, session_id)
    request = load_request(app, request_id)

    with app.app_context():
        events = db.session.execute(
            select(
                AuditEvent.subject_type,
                AuditEvent.subject_id,
                AuditEvent.action,
                AuditEvent.changed_fields,
                AuditEvent.actor_id,
                AuditEvent.organisation_id,
            ).order_by(AuditEvent.id)
        ).all()

    on_request = [(action, fields) for kind, subject, action, fields, *_rest in events if kind == "request"]
    assert [action for action, _fields in on_request] == ["create", "update", "update"]
    assert on_request[1][1] == ["resident_id"] and sorted(on_request[2][1]) == ["booking_id", "state"]
    kinds = {(kind, subject, action) for kind, subject, action, *_rest in events}
    assert ("resident", request.resident_id, "create") in kinds
    assert ("booking", request.booking_id, "create") in kinds
    assert {actor for *_rest, actor, _org in events} == {library.reception_id}
    assert {org for *_rest, org in events} == {library.organisation_id}
    assert all(fields is None or "Olle" not in str(fields) for *_head, fields, _actor, _org in events)


def test_a_refused_request_leaves_nothing_in_the_audit_log(app, library, login_as):
    client = login_as(Role.RECEPTION)

    client.send_form(
        "/reception/requests/new",
        {"phone": "070-555 12 34", "resident_choice": "new", "name": "Karin Berg", "channel": "phone"},
    )

    assert row_count(app, CallbackRequest) == 0
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.subject_type.in_(("request", "resident"))))
            is None
        )
