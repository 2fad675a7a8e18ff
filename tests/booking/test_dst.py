"""Times are stored in UTC and shown in Swedish time, also on the nights the clocks change.

The spring change in 2027 (28 March) falls on Easter Sunday, a holiday on which nothing
can be published, so the spring tests use the next change, 26 March 2028 (02:00 → 03:00).
The autumn change is 31 October 2027 (03:00 → 02:00).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from helpers import field_error, row_count
from sqlalchemy import select

from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.access import Role
from inclusion.core.clock import holiday_name, local_day_bounds
from inclusion.extensions import db
from inclusion.org.services import LocationDetails, create_location

SPRING_2027 = date(2027, 3, 28)
SPRING = date(2028, 3, 26)
AUTUMN = date(2027, 10, 31)
TZ = "Europe/Stockholm"


def _form(location_id: int, staff_id: int, day: date, starts: str, ends: str, **fields) -> dict:
    return {
        "kind": "one_to_one",
        "location_id": str(location_id),
        "day": day.isoformat(),
        "starts": starts,
        "ends": ends,
        "appointment_minutes": "",
        "staff_ids": [str(staff_id)],
        **fields,
    }


def _utc_times(app) -> list[tuple[datetime, datetime]]:
    with app.app_context():
        found = [
            (session.starts_at, session.ends_at)
            for session in db.session.scalars(select(HelpSession).order_by(HelpSession.starts_at))
        ]
        db.session.remove()
    return found


def _night_location(app, library) -> int:
    """A place open around the clock, so that the small hours can be tried."""
    with app.app_context():
        location = create_location(
            library.organisation_id,
            LocationDetails(
                name="Jourcentralen",
                street_address="Nattvägen 1",
                postal_code="475 31",
                city="Öckerö",
                hours={weekday: (time(0, 0), time(23, 59)) for weekday in range(7)},
            ),
        )
        db.session.commit()
        location_id = location.id
        db.session.remove()
    return location_id


def _publish_and_book(app, login_as, library, make_resident, day: date) -> tuple[int, str]:
    """Publish 10:00–10:30 on the day through the page, book a resident into it through
    the page; returns the session id and the booking page."""
    coordinator = login_as(Role.COORDINATOR)
    published = coordinator.send_form(
        "/sessions/new", _form(library.location_id, library.staff_id, day, "10:00", "10:30")
    )
    assert published.status_code == 302, published.get_data(as_text=True)
    with app.app_context():
        session_id = db.session.scalar(select(HelpSession.id))
    resident_id = make_resident(name="Stig Sommartid", phone="070-174 06 40")
    reception = login_as(Role.RECEPTION)
    booked = reception.send_form(
        f"/sessions/{session_id}/book", {"resident_id": str(resident_id), "channel": "phone"}
    )
    assert booked.status_code == 302, booked.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Booking.status)) == BookingStatus.BOOKED
    return session_id, reception.get(booked.headers["Location"]).get_data(as_text=True)


def test_the_days_the_clocks_change_are_23_and_25_hours_long():
    spring_start, spring_end = local_day_bounds(SPRING_2027, TZ)
    assert spring_start == datetime(2027, 3, 27, 23, 0, tzinfo=UTC)
    assert spring_end == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)
    assert spring_end - spring_start == timedelta(hours=23)

    autumn_start, autumn_end = local_day_bounds(AUTUMN, TZ)
    assert autumn_start == datetime(2027, 10, 30, 22, 0, tzinfo=UTC)
    assert autumn_end == datetime(2027, 10, 31, 23, 0, tzinfo=UTC)
    assert autumn_end - autumn_start == timedelta(hours=25)

    start, end = local_day_bounds(SPRING, TZ)
    assert end - start == timedelta(hours=23)
    ordinary_start, ordinary_end = local_day_bounds(SPRING - timedelta(days=1), TZ)
    assert ordinary_end - ordinary_start == timedelta(hours=24)
    assert ordinary_end == start


def test_spring_2027_change_is_easter_sunday_so_the_spring_tests_use_2028():
    assert holiday_name(SPRING_2027) == "Påskdagen"
    assert holiday_name(SPRING) is None


def test_spring_forward_day_session_is_stored_in_summer_time_shown_and_bookable(
    app, library, login_as, make_resident
):
    session_id, booking_page = _publish_and_book(app, login_as, library, make_resident, SPRING)

    assert _utc_times(app) == [
        (datetime(2028, 3, 26, 8, 0, tzinfo=UTC), datetime(2028, 3, 26, 8, 30, tzinfo=UTC))
    ]
    day_page = login_as(Role.RECEPTION).get(f"/schedule/day?date={SPRING.isoformat()}").get_data(as_text=True)
    assert "10.00–10.30" in day_page
    assert "08.00" not in day_page and "09.00–" not in day_page
    assert "Stig Sommartid" in day_page
    assert "10.00–10.30" in booking_page
    assert f"/sessions/{session_id}" in day_page


def test_half_past_two_on_the_spring_night_does_not_exist_and_is_refused(app, library, login_as):
    night = _night_location(app, library)
    client = login_as(Role.COORDINATOR)

    response = client.send_form("/sessions/new", _form(night, library.staff_id, SPRING, "02:30", "03:30"))

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "starts") == (
        "Det går inte: Klockan 02.30 finns inte den dagen, eftersom klockan ställs om."
    )
    assert row_count(app, HelpSession) == 0

    # The same time a week earlier exists (winter time, UTC+1).
    week_before = client.send_form(
        "/sessions/new", _form(night, library.staff_id, SPRING - timedelta(days=7), "02:30", "03:30")
    )
    assert week_before.status_code == 302
    assert _utc_times(app) == [
        (datetime(2028, 3, 19, 1, 30, tzinfo=UTC), datetime(2028, 3, 19, 2, 30, tzinfo=UTC))
    ]


def test_a_series_through_the_spring_night_skips_the_missing_hour_and_says_so(app, library, login_as):
    night = _night_location(app, library)

    response = login_as(Role.COORDINATOR).send_form(
        "/sessions/new",
        _form(
            night,
            library.staff_id,
            SPRING - timedelta(days=7),
            "02:30",
            "03:00",
            repeat_weekdays=["6"],
            last_day=(SPRING + timedelta(days=7)).isoformat(),
        ),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "söndag 26 mars 2028: Klockan 02.30 finns inte den dagen, eftersom klockan ställs om" in page
    starts = [start for start, _end in _utc_times(app)]
    assert starts == [datetime(2028, 3, 19, 1, 30, tzinfo=UTC), datetime(2028, 4, 2, 0, 30, tzinfo=UTC)]


def test_the_short_spring_day_shows_its_whole_night_and_nothing_of_the_next(app, library, login_as):
    night = _night_location(app, library)
    client = login_as(Role.COORDINATOR)
    for day, starts, ends in (
        (SPRING, "00:30", "01:00"),  # 23:30 UTC the day before
        (SPRING, "23:00", "23:30"),
        (SPRING + timedelta(days=1), "00:30", "01:00"),
    ):
        response = client.send_form("/sessions/new", _form(night, library.staff_id, day, starts, ends))
        assert response.status_code == 302, response.get_data(as_text=True)

    page = client.get(f"/schedule/day?date={SPRING.isoformat()}").get_data(as_text=True)

    assert "00.30–01.00" in page
    assert "23.00–23.30" in page
    assert page.count("00.30–01.00") == 1
    next_day = client.get(f"/schedule/day?date={(SPRING + timedelta(days=1)).isoformat()}").get_data(
        as_text=True
    )
    assert "00.30–01.00" in next_day and "23.00–23.30" not in next_day


def test_autumn_back_day_session_is_stored_in_winter_time_shown_and_bookable(
    app, library, login_as, make_resident
):
    session_id, booking_page = _publish_and_book(app, login_as, library, make_resident, AUTUMN)

    assert _utc_times(app) == [
        (datetime(2027, 10, 31, 9, 0, tzinfo=UTC), datetime(2027, 10, 31, 9, 30, tzinfo=UTC))
    ]
    day_page = login_as(Role.RECEPTION).get(f"/schedule/day?date={AUTUMN.isoformat()}").get_data(as_text=True)
    assert "10.00–10.30" in day_page
    assert "09.00" not in day_page and "11.00–" not in day_page
    assert "Stig Sommartid" in day_page
    assert "10.00–10.30" in booking_page


def test_the_long_autumn_day_shows_its_late_evening(app, library, login_as):
    night = _night_location(app, library)
    client = login_as(Role.COORDINATOR)
    response = client.send_form("/sessions/new", _form(night, library.staff_id, AUTUMN, "23:00", "23:30"))
    assert response.status_code == 302
    assert _utc_times(app)[0][0] == datetime(2027, 10, 31, 22, 0, tzinfo=UTC)

    page = client.get(f"/schedule/day?date={AUTUMN.isoformat()}").get_data(as_text=True)
    assert "23.00–23.30" in page
    next_day = client.get(f"/schedule/day?date={(AUTUMN + timedelta(days=1)).isoformat()}").get_data(
        as_text=True
    )
    assert "23.00–23.30" not in next_day
    assert "Inga pass den här dagen." in next_day


def test_weekly_series_across_the_spring_change_keeps_ten_oclock_local(app, library, login_as):
    first_day, last_day = date(2027, 3, 16), date(2027, 4, 6)  # four Tuesdays, none a holiday
    client = login_as(Role.COORDINATOR)

    response = client.send_form(
        "/sessions/new",
        _form(
            library.location_id,
            library.staff_id,
            first_day,
            "10:00",
            "10:30",
            repeat_weekdays=["1"],
            last_day=last_day.isoformat(),
        ),
    )

    assert response.status_code == 302
    starts = [start for start, _end in _utc_times(app)]
    assert [(start.date(), start.hour, start.minute) for start in starts] == [
        (date(2027, 3, 16), 9, 0),
        (date(2027, 3, 23), 9, 0),
        (date(2027, 3, 30), 8, 0),
        (date(2027, 4, 6), 8, 0),
    ]
    for tuesday in (date(2027, 3, 23), date(2027, 3, 30)):
        page = client.get(f"/schedule/day?date={tuesday.isoformat()}").get_data(as_text=True)
        assert "10.00–10.30" in page
    week = client.get("/schedule/week?date=2027-03-29").get_data(as_text=True)
    assert "10.00–10.30" in week and "08.00–08.30" not in week and "09.00–09.30" not in week


def test_weekly_series_across_the_autumn_change_keeps_ten_oclock_local(app, library, login_as):
    response = login_as(Role.COORDINATOR).send_form(
        "/sessions/new",
        _form(
            library.location_id,
            library.staff_id,
            date(2027, 10, 24),
            "10:00",
            "10:30",
            repeat_weekdays=["6"],
            last_day="2027-11-07",
        ),
    )

    assert response.status_code == 302
    starts = [start for start, _end in _utc_times(app)]
    assert [(start.date(), start.hour) for start in starts] == [
        (date(2027, 10, 24), 8),
        (date(2027, 10, 31), 9),
        (date(2027, 11, 7), 9),
    ]
