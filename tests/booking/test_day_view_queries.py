"""No query per row: the schedule pages cost the same number of SQL statements whether a
day has 5 bookings or 50.

A quiet day (one group session with 5 bookings, two free appointments) and, the week
after, a busy day (50 bookings in full group sessions of 10 and one-to-one appointments,
at three locations with four staff members) are published and booked through the
services. Each page is fetched once for each and the statements counted on the engine.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from helpers import counting_statements, working_day
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.auth.services import AccountDetails, create_account
from inclusion.booking import BookingRequest, SessionPlan, book_resident, publish_sessions
from inclusion.booking.models import Booking, BookingStatus
from inclusion.core.access import Role
from inclusion.core.clock import holiday_name, week_start
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.org.services import LocationDetails, create_location
from inclusion.residents.services import ResidentDetails, create_resident

PASSWORD = "correct horse battery"


@dataclass
class Days:
    quiet_day: date
    busy_day: date
    #: the quiet day's group session (5 of 10 places booked) and a full one on the busy day
    quiet_group_id: int
    full_group_id: int
    #: residents booked on each day, by name, to check the page shows them all
    quiet_names: list[str]
    busy_names: list[str]
    #: the staff member's own bookings on each day (for /my-day)
    staff_quiet_names: list[str]
    staff_busy_names: list[str]


def _working_day_in_week_after(day: date) -> date:
    candidate = week_start(day) + timedelta(days=7)
    while candidate.weekday() > 4 or holiday_name(candidate):
        candidate += timedelta(days=1)
    return candidate


@pytest.fixture
def days(app, library) -> Days:
    """Everything created through the services in one app context and one commit."""
    quiet_day = working_day()
    busy_day = _working_day_in_week_after(quiet_day)
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        coordinator = db.session.get(User, library.coordinator_id)
        reception = db.session.get(User, library.reception_id)
        second_staff = create_account(
            organisation, AccountDetails("Tove Staff", "tove@ockero.example", Role.STAFF), PASSWORD
        )
        harbour = create_location(
            organisation.id,
            LocationDetails(
                name="Hamnens medborgarkontor",
                street_address="Hamngatan 1",
                postal_code="475 30",
                city="Öckerö",
                hours={weekday: (time(8), time(18)) for weekday in range(7)},
            ),
        )
        db.session.flush()
        staff, volunteer, tove = library.staff_id, library.volunteer_id, second_staff.id
        main, hono = library.location_id, library.other_location_id
        topics = library.topic_ids
        topic_sets = [
            [topics["BankID"]],
            [topics["Swish"], topics["1177"]],
            [topics["BankID"], topics["Swish"]],
        ]

        def publish(day, location_id, starts, ends, staff_ids, **fields) -> list[int]:
            plan = SessionPlan(
                location_id=location_id,
                day=day,
                starts=starts,
                ends=ends,
                staff_ids=staff_ids,
                topic_ids=[topics["BankID"]],
                **fields,
            )
            return [s.id for s in publish_sessions(organisation, plan, coordinator).sessions]

        residents = [
            create_resident(
                organisation.id,
                ResidentDetails(
                    name=f"Invånare {number:02d}",
                    phone=f"070-200 00 {number:02d}",
                    sms_consent=True,
                    sms_consent_method="phone",
                ),
            )
            for number in range(50)
        ]
        booked: dict[int, str] = {}

        def book(session_ids: list[int], first_resident: int) -> list[str]:
            names = []
            for offset, session_id in enumerate(session_ids):
                resident = residents[first_resident + offset]
                request = BookingRequest(topic_ids=topic_sets[offset % 3], note=f"Tar med sin mobil {offset}")
                book_resident(organisation.id, session_id, resident.id, request, reception)
                names.append(resident.name)
                booked[resident.id] = resident.name
            return names

        group = {"kind": "group", "capacity": 10}
        # The quiet day: one group session half booked, two free appointments.
        quiet_group = publish(quiet_day, main, time(10), time(11), [staff], title="Digital fika", **group)[0]
        publish(
            quiet_day,
            hono,
            time(10),
            time(11),
            [library.coordinator_id],
            kind="one_to_one",
            appointment_minutes=30,
        )
        quiet_names = book([quiet_group] * 5, 0)

        # The busy day: 30 places in three full group sessions, 20 appointments.
        full_group = publish(
            busy_day, main, time(9), time(10), [staff, volunteer], title="Digital fika", **group
        )[0]
        other_group = publish(
            busy_day, hono, time(10), time(11), [library.coordinator_id], title="Swish", **group
        )[0]
        third_group = publish(busy_day, harbour.id, time(13), time(14), [tove], title="1177", **group)[0]
        staff_slots = publish(
            busy_day, main, time(10), time(15), [staff], kind="one_to_one", appointment_minutes=30
        )
        hono_slots = publish(
            busy_day,
            hono,
            time(11),
            time(13),
            [library.coordinator_id],
            kind="one_to_one",
            appointment_minutes=30,
        )
        harbour_slots = publish(
            busy_day, harbour.id, time(9), time(12), [tove], kind="one_to_one", appointment_minutes=30
        )
        staff_busy = book([full_group] * 10, 0)
        busy_names = list(staff_busy)
        busy_names += book([other_group] * 10, 10)
        busy_names += book([third_group] * 10, 20)
        staff_busy += book(staff_slots, 30)
        busy_names += staff_busy[10:]
        busy_names += book(hono_slots, 40)
        busy_names += book(harbour_slots, 44)
        db.session.commit()
        db.session.remove()
    assert len(quiet_names) == 5
    assert len(busy_names) == 50
    return Days(
        quiet_day=quiet_day,
        busy_day=busy_day,
        quiet_group_id=quiet_group,
        full_group_id=full_group,
        quiet_names=quiet_names,
        busy_names=busy_names,
        staff_quiet_names=quiet_names,
        staff_busy_names=staff_busy,
    )


def _fetch(app, client, url: str) -> tuple[list[str], str]:
    with counting_statements(app) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return list(statements), response.get_data(as_text=True)


def _assert_same_count(few: list[str], many: list[str]) -> None:
    """Equal counts; otherwise name the statements the bigger page ran more often."""
    extra = Counter(many) - Counter(few)
    details = "\n\n".join(f"{times} more times:\n{statement}" for statement, times in extra.items())
    assert len(many) == len(few), f"{len(few)} statements for few rows, {len(many)} for many:\n{details}"


def _shows_all(page: str, names: list[str]) -> None:
    missing = [name for name in names if name not in page]
    assert not missing, f"the page does not show {missing}"


def test_day_view_costs_the_same_queries_for_5_and_50_bookings(app, days, login_as):
    client = login_as(Role.RECEPTION)
    client.get(f"/schedule/day?date={days.quiet_day.isoformat()}")  # warm up (first-request work)

    few, quiet_page = _fetch(app, client, f"/schedule/day?date={days.quiet_day.isoformat()}")
    many, busy_page = _fetch(app, client, f"/schedule/day?date={days.busy_day.isoformat()}")

    _shows_all(quiet_page, days.quiet_names)
    _shows_all(busy_page, days.busy_names)
    assert "Hamnens medborgarkontor" in busy_page and "Tove Staff" in busy_page
    _assert_same_count(few, many)


def test_week_view_costs_the_same_queries_for_a_quiet_and_a_busy_week(app, days, login_as):
    client = login_as(Role.RECEPTION)
    client.get(f"/schedule/week?date={days.quiet_day.isoformat()}")

    few, quiet_page = _fetch(app, client, f"/schedule/week?date={days.quiet_day.isoformat()}")
    many, busy_page = _fetch(app, client, f"/schedule/week?date={days.busy_day.isoformat()}")

    _shows_all(quiet_page, days.quiet_names)
    _shows_all(busy_page, days.busy_names)
    _assert_same_count(few, many)


def test_my_day_costs_the_same_queries_for_5_and_20_own_bookings(app, days, login_as):
    client = login_as(Role.STAFF)
    client.get(f"/my-day?date={days.quiet_day.isoformat()}")

    few, quiet_page = _fetch(app, client, f"/my-day?date={days.quiet_day.isoformat()}")
    many, busy_page = _fetch(app, client, f"/my-day?date={days.busy_day.isoformat()}")

    _shows_all(quiet_page, days.staff_quiet_names)
    _shows_all(busy_page, days.staff_busy_names)
    assert len(days.staff_busy_names) == 20
    assert "Invånare 10" not in busy_page  # another staff member's group session
    _assert_same_count(few, many)


def test_session_page_costs_the_same_queries_for_5_and_10_bookings(app, days, login_as):
    client = login_as(Role.RECEPTION)
    client.get(f"/sessions/{days.quiet_group_id}")

    few, half_page = _fetch(app, client, f"/sessions/{days.quiet_group_id}")
    many, full_page = _fetch(app, client, f"/sessions/{days.full_group_id}")

    _shows_all(half_page, days.quiet_names)
    _shows_all(full_page, days.staff_busy_names[:10])
    with app.app_context():
        booked = db.session.scalars(
            select(Booking.session_id).where(Booking.status == BookingStatus.BOOKED)
        ).all()
    assert Counter(booked)[days.quiet_group_id] == 5
    assert Counter(booked)[days.full_group_id] == 10
    _assert_same_count(few, many)
