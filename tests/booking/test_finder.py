"""The free-time finder: reception looks for a time that fits the resident (topic, place,
day, time of day, a staff member who speaks their language) and books from the list."""

from __future__ import annotations

import re
from datetime import time, timedelta

from helpers import working_day
from sqlalchemy import select

from inclusion.auth.models import StaffLanguage, User
from inclusion.core.access import Role
from inclusion.extensions import db


def _session_links(page: str) -> list[int]:
    return [int(found) for found in re.findall(r"/sessions/(\d+)/book", page)]


def test_finder_lists_only_times_with_a_place_left(
    app, library, login_as, make_session, make_resident, make_booking
):
    taken, free = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    make_booking(taken, make_resident(name="Anna Andersson", phone="070-174 06 30"))

    page = login_as(Role.RECEPTION).get("/free-times").get_data(as_text=True)

    assert _session_links(page) == [free]
    assert "1 ledig tid" in page


def test_finder_filters_by_topic_location_and_time_of_day(app, library, login_as, make_session):
    day = working_day()
    bankid = make_session(
        day=day, starts=time(10), ends=time(10, 30), topic_ids=[library.topic_ids["BankID"]]
    )[0]
    any_topic = make_session(day=day, starts=time(10, 30), ends=time(11))[0]
    swish = make_session(day=day, starts=time(11), ends=time(11, 30), topic_ids=[library.topic_ids["Swish"]])[
        0
    ]
    afternoon_elsewhere = make_session(
        day=day, starts=time(13), ends=time(13, 30), location_id=library.other_location_id
    )[0]
    client = login_as(Role.RECEPTION)

    by_topic = client.get(f"/free-times?topic={library.topic_ids['BankID']}").get_data(as_text=True)
    assert set(_session_links(by_topic)) == {bankid, any_topic, afternoon_elsewhere}
    assert swish not in _session_links(by_topic)

    by_place = client.get(f"/free-times?location={library.other_location_id}").get_data(as_text=True)
    assert _session_links(by_place) == [afternoon_elsewhere]

    mornings = client.get("/free-times?time_of_day=morning").get_data(as_text=True)
    assert afternoon_elsewhere not in _session_links(mornings)
    afternoons = client.get("/free-times?time_of_day=afternoon").get_data(as_text=True)
    assert _session_links(afternoons) == [afternoon_elsewhere]


def test_finder_filters_by_date_range(app, library, login_as, make_session):
    first_day = working_day(3)
    later_day = working_day((first_day - working_day(0)).days + 7)
    early = make_session(day=first_day)[0]
    late = make_session(day=later_day)[0]
    client = login_as(Role.RECEPTION)

    page = client.get(f"/free-times?first_day={later_day.isoformat()}").get_data(as_text=True)
    assert _session_links(page) == [late]
    page = client.get(f"/free-times?last_day={(later_day - timedelta(days=1)).isoformat()}").get_data(
        as_text=True
    )
    assert _session_links(page) == [early]


def test_finder_finds_staff_who_speak_the_residents_language(app, library, login_as, make_session):
    with app.app_context():
        coordinator = db.session.get(User, library.coordinator_id)
        coordinator.spoken_languages.append(StaffLanguage(language="ar"))
        db.session.commit()
    swedish_only = make_session(starts=time(10), ends=time(10, 30))[0]
    arabic = make_session(starts=time(11), ends=time(11, 30), staff_ids=[library.coordinator_id])[0]

    page = login_as(Role.RECEPTION).get("/free-times?language=ar").get_data(as_text=True)

    assert _session_links(page) == [arabic]
    assert swedish_only not in _session_links(page)
    assert "talar även" in page and "العربية" in page


def test_finder_for_a_resident_books_that_resident(app, library, login_as, make_session, make_resident):
    session_id = make_session()[0]
    resident_id = make_resident(name="Greta Gran", phone="070-174 06 31")
    client = login_as(Role.RECEPTION)

    page = client.get(f"/free-times?resident={resident_id}").get_data(as_text=True)
    assert "Lediga tider för Greta Gran" in page
    assert f"/sessions/{session_id}/book?resident={resident_id}" in page

    booking_page = client.get(f"/sessions/{session_id}/book?resident={resident_id}").get_data(as_text=True)
    assert "Bokning för Greta Gran" in booking_page


def test_finder_says_what_is_wrong_with_a_date(app, library, login_as, make_session):
    make_session()
    page = login_as(Role.RECEPTION).get("/free-times?first_day=31/31").get_data(as_text=True)
    assert "Skriv datumet som år-månad-dag" in page


def test_finder_never_shows_another_municipalitys_times(app, library, other_library, login_as, make_session):
    ours = make_session()[0]
    theirs = make_session(lib=other_library, staff_ids=[other_library.staff_id])[0]
    page = login_as(Role.RECEPTION).get("/free-times").get_data(as_text=True)
    assert ours in _session_links(page)
    assert theirs not in _session_links(page)


def test_coordinator_records_the_languages_a_staff_member_helps_in(app, library, login_as, world):
    client = login_as(Role.COORDINATOR)
    with app.app_context():
        staff = db.session.get(User, library.staff_id)
        name, email = staff.name, staff.email

    response = client.send_form(
        f"/accounts/{library.staff_id}",
        {
            "name": name,
            "email": email,
            "role": "staff",
            "active": "y",
            "languages": ["sv", "fi", "ar"],
            "submit": "Spara",
        },
    )
    assert response.status_code == 302

    with app.app_context():
        assert db.session.get(User, library.staff_id).languages == ["sv", "fi", "ar"]
    form = client.get(f"/accounts/{library.staff_id}").get_data(as_text=True)
    assert re.search(r'value="fi"[^>]*checked|checked[^>]*value="fi"', form)

    refused = client.send_form(
        f"/accounts/{library.staff_id}",
        {
            "name": name,
            "email": email,
            "role": "staff",
            "active": "y",
            "languages": ["klingon"],
            "submit": "Spara",
        },
    )
    assert refused.status_code == 422
    assert "Välj språk i listan." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.id == library.staff_id)).languages == [
            "sv",
            "fi",
            "ar",
        ]
