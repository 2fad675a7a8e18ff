"""From a request to a booking in one step: the free times that fit what the resident
asked for, booking one, a time taken a moment ago, and the call attempts in between."""

from __future__ import annotations

from datetime import time

from helpers import field_error, working_day
from sqlalchemy import select

from inclusion.auth.models import StaffLanguage
from inclusion.booking.models import Booking
from inclusion.core.access import Role
from inclusion.core.needs import Needs
from inclusion.extensions import db
from inclusion.privacy.models import AuditEvent
from inclusion.reception.models import CallbackRequest
from tests.reception.support import calls_made_earlier, load_request, offered_sessions


def test_the_request_page_offers_only_times_that_fit(app, library, login_as, make_session, make_request):
    tuesday = working_day(weekday=1)
    bankid = library.topic_ids["BankID"]
    fits = make_session(day=tuesday, starts=time(10), ends=time(10, 30), topic_ids=[bankid])[0]
    any_topic = make_session(day=tuesday, starts=time(10, 30), ends=time(11))[0]
    wrong_topic = make_session(
        day=tuesday, starts=time(11), ends=time(11, 30), topic_ids=[library.topic_ids["Swish"]]
    )[0]
    afternoon = make_session(day=tuesday, starts=time(14), ends=time(14, 30), topic_ids=[bankid])[0]
    wednesday = make_session(day=working_day(weekday=2), starts=time(10), ends=time(10, 30))[0]
    elsewhere = make_session(
        day=tuesday,
        starts=time(10),
        ends=time(10, 30),
        location_id=library.other_location_id,
        staff_ids=[library.coordinator_id],
    )[0]
    request_id = make_request(
        topic_ids=[bankid], weekdays=[1], time_of_day="morning", preferred_location_id=library.location_id
    )

    offered = offered_sessions(
        login_as(Role.RECEPTION).get(f"/reception/requests/{request_id}").get_data(as_text=True)
    )

    assert offered == [fits, any_topic]
    assert not {wrong_topic, afternoon, wednesday, elsewhere} & set(offered)


def test_an_interpreter_language_asks_for_staff_who_speak_it(
    app, library, login_as, make_session, make_request
):
    with app.app_context():
        db.session.add(StaffLanguage(user_id=library.coordinator_id, language="ar"))
        db.session.commit()
    day = working_day()
    swedish_only = make_session(day=day, starts=time(10), ends=time(10, 30))[0]
    arabic = make_session(day=day, starts=time(11), ends=time(11, 30), staff_ids=[library.coordinator_id])[0]
    request_id = make_request(needs=Needs(interpreter_language="ar"))

    page = login_as(Role.RECEPTION).get(f"/reception/requests/{request_id}").get_data(as_text=True)

    assert offered_sessions(page) == [arabic]
    assert swedish_only not in offered_sessions(page)
    assert "tolk eller personal som talar arabiska" in page


def test_booking_from_the_request_carries_its_topics_needs_and_channel(
    app, library, login_as, make_session, make_request
):
    session_id = make_session(topic_ids=[library.topic_ids["BankID"]])[0]
    request_id = make_request(
        needs=Needs(hearing=True), channel="walk_in", wishes="Helst förmiddag", note="Tar med mobilen"
    )
    client = login_as(Role.RECEPTION)

    response = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Karin Berg är bokad. Förfrågan är klar." in page
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert booking.session_id == session_id and booking.channel == "walk_in"
        assert booking.need_hearing and [topic.name for topic in booking.topics] == ["BankID"]
        assert "Helst förmiddag" in booking.note and "Tar med mobilen" in booking.note
        request = db.session.get(CallbackRequest, request_id)
        assert (
            request.state == "booked" and request.booking_id == booking.id and request.claimed_by_id is None
        )
    request_page = client.get(f"/reception/requests/{request_id}").get_data(as_text=True)
    assert "Bokad" in request_page and f"/bookings/{booking.id}" in request_page
    assert offered_sessions(request_page) == []


def test_a_time_taken_a_moment_ago_shows_the_nearest_free_ones_and_the_request_stays_open(
    app, library, login_as, make_session, make_request, make_resident, make_booking
):
    taken, free = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    client.get(f"/reception/requests/{request_id}")
    make_booking(taken, make_resident(name="Anna Andersson", phone="070-174 06 30"))

    response = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(taken)})

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Tiden hann bokas av någon annan" in page
    assert "Närmaste lediga tider" in page and free in offered_sessions(page)
    assert load_request(app, request_id).state == "new"


def test_a_caller_with_an_unreadable_number_is_registered_before_booking(
    app, library, login_as, make_session, make_request
):
    session_id = make_session()[0]
    request_id = make_request(phone="070-12 34", save_unclear_number=True)
    client = login_as(Role.RECEPTION)

    refused = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})
    assert "Lägg först till invånaren i registret" in refused.get_data(as_text=True)

    bad = client.send_form(f"/reception/requests/{request_id}/register", {"phone": "070-12"})
    assert field_error(bad.get_data(as_text=True), "phone")

    client.send_form(f"/reception/requests/{request_id}/register", {"phone": "070-555 12 34"})
    booked = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})

    assert booked.status_code == 302
    assert load_request(app, request_id).state == "booked"


def test_call_attempts_are_kept_and_three_unanswered_flag_a_letter(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    for _attempt in range(2):
        client.send_form(f"/reception/requests/{request_id}/attempts", {"outcome": "no_answer"})
        calls_made_earlier(app, request_id)
    assert not load_request(app, request_id).needs_letter_or_visit
    third = client.send_form(
        f"/reception/requests/{request_id}/attempts", {"outcome": "wrong_number", "note": "Svarade en butik"}
    )

    page = client.get(third.headers["Location"]).get_data(as_text=True)
    assert "Tre försök utan svar: skicka ett brev eller gör ett besök." in page
    assert page.count("Inget svar") >= 2 and "Fel nummer" in page and "Svarade en butik" in page
    request = load_request(app, request_id)
    assert request.needs_letter_or_visit and request.failed_attempts == 3 and request.state == "new"
    flagged = client.get("/reception/requests?flagged=y").get_data(as_text=True)
    assert "Karin Berg" in flagged and "Brev eller besök" in flagged


def test_reaching_the_resident_makes_the_request_contacted(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    client.send_form(
        f"/reception/requests/{request_id}/attempts",
        {"outcome": "reached", "next_day": working_day(5).isoformat(), "next_time": "13:30"},
    )

    request = load_request(app, request_id)
    assert request.state == "contacted" and len(request.attempts) == 1
    page = client.get(f"/reception/requests/{request_id}").get_data(as_text=True)
    assert "Fick tag på invånaren" in page and "13.30" in page


def test_an_attempt_needs_an_outcome_and_closing_needs_a_reason(app, library, login_as, make_request):
    request_id = make_request()
    client = login_as(Role.RECEPTION)

    no_outcome = client.send_form(f"/reception/requests/{request_id}/attempts", {"note": "?"})
    no_reason = client.send_form(f"/reception/requests/{request_id}/close", {})

    assert field_error(no_outcome.get_data(as_text=True), "outcome") == "Välj hur samtalet gick."
    assert field_error(no_reason.get_data(as_text=True), "reason") == "Välj varför förfrågan avslutas."
    request = load_request(app, request_id)
    assert request.state == "new" and request.attempts == []


def test_a_closed_request_refuses_further_work(app, library, login_as, make_session, make_request):
    session_id = make_session()[0]
    request_id = make_request()
    client = login_as(Role.RECEPTION)
    client.send_form(f"/reception/requests/{request_id}/close", {"reason": "solved_on_phone"})

    attempt = client.send_form(f"/reception/requests/{request_id}/attempts", {"outcome": "reached"})
    book = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})

    assert "Förfrågan är redan avslutad." in attempt.get_data(as_text=True)
    assert "Förfrågan är redan avslutad." in book.get_data(as_text=True)
    request = load_request(app, request_id)
    assert request.state == "closed" and request.close_reason == "solved_on_phone" and request.attempts == []


def test_taking_and_working_a_request_is_audited(app, library, login_as, make_request):
    request_id = make_request()
    login_as(Role.RECEPTION).send_form(f"/reception/requests/{request_id}/attempts", {"outcome": "reached"})

    with app.app_context():
        events = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.subject_type == "request").order_by(AuditEvent.id)
            )
        )
    assert [(event.action, event.actor_id) for event in events] == [
        ("create", library.reception_id),
        ("update", library.reception_id),
    ]


def test_a_request_whose_wishes_hold_angle_brackets_can_be_booked(
    app, library, login_as, make_session, make_request
):
    session_id = make_session(topic_ids=[library.topic_ids["BankID"]])[0]
    request_id = make_request(wishes="Vill lära sig <Kivra>", note="Ring efter 10 -> mobilen")
    client = login_as(Role.RECEPTION)

    response = client.send_form(f"/reception/requests/{request_id}/book", {"session_id": str(session_id)})

    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Booking)).note == "Vill lära sig <Kivra> — Ring efter 10 -> mobilen"
