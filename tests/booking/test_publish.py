"""Publishing availability: staff put in one-to-one appointments, group sessions and
weekly series on /sessions/new; days that cannot be used (holidays, closed, the staff
member busy elsewhere) are refused with the reason next to the field, or skipped and
listed in a series. A refused form never leaves anything saved."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from helpers import field_error, row_count, working_day
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.booking.models import HelpSession, SessionSeries
from inclusion.core.access import Role
from inclusion.core.clock import holiday_name, local_today, week_start
from inclusion.extensions import db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _form(library, **fields) -> dict:
    """What a staff member fills in: one-to-one help 10–12 in 30-minute appointments."""
    data = {
        "kind": "one_to_one",
        "location_id": str(library.location_id),
        "title": "",
        "day": working_day().isoformat(),
        "starts": "10:00",
        "ends": "12:00",
        "appointment_minutes": "30",
        "capacity": "",
        "staff_ids": [str(library.staff_id)],
        "topic_ids": [],
        "repeat_weekdays": [],
        "last_day": "",
        "description": "",
    }
    data.update(fields)
    return data


def _sessions(app) -> list[dict]:
    """Every session in the database, in time order, as plain values."""
    with app.app_context():
        found = [
            {
                "id": session.id,
                "kind": session.kind,
                "title": session.title,
                "location_id": session.location_id,
                "series_id": session.series_id,
                "capacity": session.capacity,
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "local_day": session.starts_at.astimezone(STOCKHOLM).date(),
                "local_start": session.starts_at.astimezone(STOCKHOLM).strftime("%H:%M"),
                "local_end": session.ends_at.astimezone(STOCKHOLM).strftime("%H:%M"),
                "staff_ids": sorted(user.id for user in session.staff),
                "topic_ids": sorted(topic.id for topic in session.topics),
            }
            for session in db.session.scalars(
                select(HelpSession).order_by(HelpSession.starts_at, HelpSession.id)
            )
        ]
        db.session.remove()
    return found


def _quiet_monday(weeks: int) -> date:
    """A Monday at least a week ahead that starts ``weeks`` weeks without a Swedish holiday."""
    monday = week_start(local_today("Europe/Stockholm")) + timedelta(days=7)
    while any(holiday_name(monday + timedelta(days=offset)) for offset in range(weeks * 7)):
        monday += timedelta(days=7)
    return monday


def _next_christmas_eve() -> date:
    """Christmas Eve at least three weeks ahead, so the two weeks before it are future too."""
    today = local_today("Europe/Stockholm")
    eve = date(today.year, 12, 24)
    if (eve - today).days < 21:
        eve = date(today.year + 1, 12, 24)
    return eve


def _next(month: int, day: int) -> date:
    today = local_today("Europe/Stockholm")
    found = date(today.year, month, day)
    return found if found > today else date(today.year + 1, month, day)


def _past_day() -> date:
    day = local_today("Europe/Stockholm") - timedelta(days=2)
    while holiday_name(day):
        day -= timedelta(days=1)
    return day


def _swedish(day: date) -> str:
    return format_date(day, "EEEE d MMMM yyyy", locale="sv")


# --- One session ----------------------------------------------------------------------------


def test_one_to_one_morning_is_split_into_four_half_hour_appointments(app, library, login_as):
    client = login_as(Role.STAFF)
    day = working_day()

    response = client.send_form(
        "/sessions/new",
        _form(library, day=day.isoformat(), topic_ids=[str(library.topic_ids["BankID"])]),
    )

    assert response.status_code == 302
    assert f"/schedule/day?date={day.isoformat()}" in response.headers["Location"]
    sessions = _sessions(app)
    assert [(s["local_start"], s["local_end"]) for s in sessions] == [
        ("10:00", "10:30"),
        ("10:30", "11:00"),
        ("11:00", "11:30"),
        ("11:30", "12:00"),
    ]
    assert all(s["local_day"] == day for s in sessions)
    assert all(s["kind"] == "one_to_one" and s["capacity"] == 1 for s in sessions)
    assert all(s["staff_ids"] == [library.staff_id] for s in sessions)
    assert all(s["topic_ids"] == [library.topic_ids["BankID"]] for s in sessions)
    assert all(s["series_id"] is None for s in sessions)
    assert row_count(app, SessionSeries) == 0

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 tider är inlagda." in page
    for label in ("10.00–10.30", "10.30–11.00", "11.00–11.30", "11.30–12.00"):
        assert label in page


def test_one_to_one_without_splitting_is_one_appointment_for_the_whole_time(app, library, login_as):
    response = login_as(Role.STAFF).send_form(
        "/sessions/new", _form(library, starts="13", ends="14.30", appointment_minutes="")
    )

    assert response.status_code == 302
    sessions = _sessions(app)
    assert [(s["local_start"], s["local_end"], s["capacity"]) for s in sessions] == [("13:00", "14:30", 1)]


def test_group_session_gets_its_title_capacity_and_staff(app, library, login_as):
    client = login_as(Role.COORDINATOR)
    day = working_day()

    response = client.send_form(
        "/sessions/new",
        _form(
            library,
            kind="group",
            title="  Digital   fika ",
            capacity="8",
            day=day.isoformat(),
            starts="14:00",
            ends="15:30",
            staff_ids=[str(library.staff_id), str(library.volunteer_id)],
            description="Vi går igenom Swish.",
        ),
    )

    assert response.status_code == 302
    (session,) = _sessions(app)
    assert session["kind"] == "group"
    assert session["title"] == "Digital fika"
    assert session["capacity"] == 8
    assert (session["local_start"], session["local_end"]) == ("14:00", "15:30")
    assert session["staff_ids"] == sorted([library.staff_id, library.volunteer_id])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passet är inlagt." in page
    assert "Digital fika" in page
    assert "0 av 8 platser bokade" in page


# --- Weekly series --------------------------------------------------------------------------


def test_weekly_series_every_tuesday_creates_each_appointment_and_one_series(app, library, login_as):
    monday = _quiet_monday(weeks=3)
    first_day, last_day = monday, monday + timedelta(days=20)  # three Tuesdays in between

    response = login_as(Role.STAFF).send_form(
        "/sessions/new",
        _form(
            library,
            day=first_day.isoformat(),
            last_day=last_day.isoformat(),
            repeat_weekdays=["1"],
        ),
    )

    assert response.status_code == 302
    sessions = _sessions(app)
    tuesdays = [monday + timedelta(days=1 + 7 * week) for week in range(3)]
    assert sorted({s["local_day"] for s in sessions}) == tuesdays
    assert len(sessions) == 3 * 4
    assert {s["local_start"] for s in sessions} == {"10:00", "10:30", "11:00", "11:30"}
    with app.app_context():
        (series,) = db.session.scalars(select(SessionSeries)).all()
        assert (series.weekdays, series.first_day, series.last_day) == ("1", first_day, last_day)
        assert (series.starts, series.ends, series.appointment_minutes) == (time(10), time(12), 30)
        series_id = series.id
    assert {s["series_id"] for s in sessions} == {series_id}


def test_weekly_group_series_on_two_weekdays(app, library, login_as):
    monday = _quiet_monday(weeks=2)

    response = login_as(Role.COORDINATOR).send_form(
        "/sessions/new",
        _form(
            library,
            kind="group",
            title="Digital fika",
            capacity="6",
            day=monday.isoformat(),
            last_day=(monday + timedelta(days=13)).isoformat(),
            repeat_weekdays=["1", "3"],
        ),
    )

    assert response.status_code == 302
    sessions = _sessions(app)
    assert [s["local_day"] for s in sessions] == [monday + timedelta(days=offset) for offset in (1, 3, 8, 10)]
    assert all(s["capacity"] == 6 and s["title"] == "Digital fika" for s in sessions)
    assert all((s["local_start"], s["local_end"]) == ("10:00", "12:00") for s in sessions)
    with app.app_context():
        assert db.session.scalars(select(SessionSeries.weekdays)).all() == ["1,3"]


def test_series_skips_holidays_and_lists_them_with_the_reason(app, library, login_as):
    eve = _next_christmas_eve()
    weekday = eve.weekday()
    first_day, last_day = eve - timedelta(days=14), eve + timedelta(days=14)
    new_years_eve = eve + timedelta(days=7)
    assert holiday_name(eve) == "Julafton" and holiday_name(new_years_eve) == "Nyårsafton"

    response = login_as(Role.STAFF).send_form(
        "/sessions/new",
        _form(
            library,
            kind="group",
            title="Digital fika",
            capacity="8",
            day=first_day.isoformat(),
            last_day=last_day.isoformat(),
            repeat_weekdays=[str(weekday)],
        ),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "3 tider lades in. Några dagar hoppades över:" in page
    assert f"{_swedish(eve)}: Julafton, en helgdag" in page
    assert f"{_swedish(new_years_eve)}: Nyårsafton, en helgdag" in page
    assert [s["local_day"] for s in _sessions(app)] == [first_day, first_day + timedelta(days=7), last_day]
    assert row_count(app, SessionSeries) == 1


def test_series_skips_the_weekdays_a_location_is_closed(app, library, login_as):
    monday = _quiet_monday(weeks=2)
    saturdays = [monday + timedelta(days=5), monday + timedelta(days=12)]

    response = login_as(Role.STAFF).send_form(
        "/sessions/new",
        _form(
            library,
            location_id=str(library.other_location_id),
            day=monday.isoformat(),
            last_day=(monday + timedelta(days=13)).isoformat(),
            repeat_weekdays=["1", "5"],
            appointment_minutes="",
        ),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for saturday in saturdays:
        assert f"{_swedish(saturday)}: Hönö bibliotek har stängt den veckodagen" in page
    sessions = _sessions(app)
    assert [s["local_day"] for s in sessions] == [monday + timedelta(days=1), monday + timedelta(days=8)]
    assert all(s["location_id"] == library.other_location_id for s in sessions)


def test_series_where_no_day_can_be_used_is_refused_and_says_why(app, library, login_as):
    monday = _quiet_monday(weeks=2)

    response = login_as(Role.STAFF).send_form(
        "/sessions/new",
        _form(
            library,
            location_id=str(library.other_location_id),
            day=monday.isoformat(),
            last_day=(monday + timedelta(days=13)).isoformat(),
            repeat_weekdays=["5", "6"],
        ),
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "repeat_weekdays") == (
        "Inga pass kunde läggas in. Se listan över dagar som inte gick."
    )
    # The list the message points to is on the page.
    assert f"{_swedish(monday + timedelta(days=5))}: Hönö bibliotek har stängt den veckodagen" in page
    assert f"{_swedish(monday + timedelta(days=13))}: Hönö bibliotek har stängt den veckodagen" in page
    assert row_count(app, HelpSession) == 0
    assert row_count(app, SessionSeries) == 0


def test_series_skips_the_days_the_staff_member_is_busy_elsewhere(app, library, login_as, make_session):
    monday = _quiet_monday(weeks=3)
    busy_tuesday = monday + timedelta(days=8)
    make_session(day=busy_tuesday, starts=time(11), ends=time(11, 30), location_id=library.other_location_id)

    response = login_as(Role.STAFF).send_form(
        "/sessions/new",
        _form(
            library,
            day=monday.isoformat(),
            last_day=(monday + timedelta(days=20)).isoformat(),
            repeat_weekdays=["1"],
        ),
    )

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"{_swedish(busy_tuesday)}: Staff Öckerö kommun är redan bokad 11.00 på Hönö bibliotek" in page
    new = [s for s in _sessions(app) if s["location_id"] == library.location_id]
    assert sorted({s["local_day"] for s in new}) == [monday + timedelta(days=1), monday + timedelta(days=15)]
    assert len(new) == 8


# --- Days and times that cannot be used -------------------------------------------------------


@pytest.mark.parametrize(("month", "day_of_month"), [(12, 25), (1, 6)])
def test_single_session_on_a_holiday_is_refused(app, library, login_as, month, day_of_month):
    holiday = _next(month, day_of_month)

    response = login_as(Role.STAFF).send_form("/sessions/new", _form(library, day=holiday.isoformat()))

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "day") == (
        f"Det går inte: {holiday_name(holiday)}, en helgdag."
    )
    assert row_count(app, HelpSession) == 0


def test_single_session_outside_opening_hours_is_refused(app, library, login_as):
    client = login_as(Role.STAFF)

    early = client.send_form(
        "/sessions/new",
        _form(library, location_id=str(library.other_location_id), starts="09:00", ends="10:30"),
    )
    assert early.status_code == 422
    assert field_error(early.get_data(as_text=True), "starts") == (
        "Det går inte: Hönö bibliotek har öppet 10.00–16.00 den dagen."
    )

    saturday = working_day() + timedelta(days=(5 - working_day().weekday()) % 7)
    closed = client.send_form(
        "/sessions/new",
        _form(library, location_id=str(library.other_location_id), day=saturday.isoformat()),
    )
    assert closed.status_code == 422
    assert field_error(closed.get_data(as_text=True), "day") == (
        "Det går inte: Hönö bibliotek har stängt den veckodagen."
    )
    assert row_count(app, HelpSession) == 0


def test_staff_member_cannot_be_in_two_places_at_once(app, library, login_as, make_session):
    day = working_day()
    make_session(day=day, starts=time(10), ends=time(10, 30))
    client = login_as(Role.STAFF)

    elsewhere = client.send_form(
        "/sessions/new",
        _form(
            library,
            location_id=str(library.other_location_id),
            day=day.isoformat(),
            starts="10:15",
            ends="11:15",
            appointment_minutes="",
        ),
    )

    assert elsewhere.status_code == 422
    assert field_error(elsewhere.get_data(as_text=True), "staff_ids") == (
        "Det går inte: Staff Öckerö kommun är redan bokad 10.00 på Öckerö bibliotek."
    )
    assert row_count(app, HelpSession) == 1

    # Someone else can take that time at the other library.
    other_person = login_as(Role.COORDINATOR).send_form(
        "/sessions/new",
        _form(
            library,
            location_id=str(library.other_location_id),
            day=day.isoformat(),
            starts="10:15",
            ends="11:15",
            appointment_minutes="",
            staff_ids=[str(library.coordinator_id)],
        ),
    )
    assert other_person.status_code == 302
    assert row_count(app, HelpSession) == 2


def test_back_to_back_sessions_for_the_same_staff_member_are_fine(app, library, login_as, make_session):
    day = working_day()
    make_session(day=day, starts=time(10), ends=time(10, 30))
    client = login_as(Role.STAFF)

    after = client.send_form(
        "/sessions/new",
        _form(library, day=day.isoformat(), starts="10:30", ends="11:00"),
    )
    before = client.send_form(
        "/sessions/new",
        _form(library, day=day.isoformat(), starts="09:30", ends="10:00"),
    )

    assert (after.status_code, before.status_code) == (302, 302)
    assert [(s["local_start"], s["local_end"]) for s in _sessions(app)] == [
        ("09:30", "10:00"),
        ("10:00", "10:30"),
        ("10:30", "11:00"),
    ]


def test_a_cancelled_session_does_not_keep_the_staff_member_busy(app, library, login_as, make_session):
    day = working_day()
    (session_id,) = make_session(day=day, starts=time(10), ends=time(10, 30))
    client = login_as(Role.STAFF)
    assert client.send_form(f"/sessions/{session_id}/cancel", {"reason": "Sjuk"}).status_code == 302

    response = client.send_form(
        "/sessions/new", _form(library, day=day.isoformat(), starts="10:00", ends="10:30")
    )

    assert response.status_code == 302
    assert row_count(app, HelpSession) == 2


# --- Bad input ----------------------------------------------------------------------------------

_NEXT_DAY = working_day()


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        pytest.param(
            {"starts": "12:00", "ends": "10:00"},
            "ends",
            "Sluttiden måste vara efter starttiden.",
            id="end-before-start",
        ),
        pytest.param(
            {"starts": "10:00", "ends": "10:00"},
            "ends",
            "Sluttiden måste vara efter starttiden.",
            id="end-same-as-start",
        ),
        pytest.param(
            {"day": _past_day().isoformat()},
            "day",
            "Det går inte: tiden har redan varit.",
            id="in-the-past",
        ),
        pytest.param(
            {"kind": "group", "title": "Digital fika", "capacity": "0"},
            "capacity",
            "En gruppträff behöver minst 1 plats.",
            id="capacity-zero",
        ),
        pytest.param(
            {"kind": "group", "title": "Digital fika", "capacity": "-3"},
            "capacity",
            "En gruppträff behöver minst 1 plats.",
            id="capacity-negative",
        ),
        pytest.param(
            {"kind": "group", "title": "Digital fika", "capacity": "abc"},
            "capacity",
            "Skriv ett heltal, till exempel 8.",
            id="capacity-not-a-number",
        ),
        pytest.param(
            {"kind": "group", "title": "Digital fika", "capacity": ""},
            "capacity",
            "En gruppträff behöver minst 1 plats.",
            id="capacity-empty",
        ),
        pytest.param(
            {"kind": "group", "title": "Digital fika", "capacity": "201"},
            "capacity",
            "Högst 200 platser.",
            id="capacity-too-large",
        ),
        pytest.param(
            {"kind": "group", "title": "   ", "capacity": "8"},
            "title",
            "Ge gruppträffen ett namn, till exempel Digital fika.",
            id="group-without-title",
        ),
        pytest.param(
            {"location_id": "999999"},
            "location_id",
            "Välj en plats i listan.",
            id="unknown-location",
        ),
        pytest.param(
            {"location_id": ""},
            "location_id",
            "Välj en plats i listan.",
            id="no-location",
        ),
        pytest.param(
            {"staff_ids": ["999999"]},
            "staff_ids",
            "Välj vem eller vilka som håller i passet.",
            id="unknown-staff",
        ),
        pytest.param(
            {"staff_ids": []},
            "staff_ids",
            "Välj vem eller vilka som håller i passet.",
            id="no-staff",
        ),
        pytest.param(
            {"day": "32/13"},
            "day",
            "Skriv datumet som år-månad-dag, till exempel 2026-12-01.",
            id="unparsable-date",
        ),
        pytest.param(
            {"day": ""},
            "day",
            "Skriv ett datum, till exempel 2026-12-01.",
            id="no-date",
        ),
        pytest.param(
            {"starts": "25:99"},
            "starts",
            "Skriv klockslaget som timmar och minuter, till exempel 10:00.",
            id="unparsable-time",
        ),
        pytest.param(
            {"ends": "kvart i tolv"},
            "ends",
            "Skriv klockslaget som timmar och minuter, till exempel 10:00.",
            id="unparsable-end-time",
        ),
        pytest.param(
            {
                "repeat_weekdays": ["1"],
                "day": _NEXT_DAY.isoformat(),
                "last_day": (_NEXT_DAY - timedelta(days=1)).isoformat(),
            },
            "last_day",
            "Det sista datumet måste vara samma dag eller efter det första.",
            id="series-ends-before-it-starts",
        ),
        pytest.param(
            {"repeat_weekdays": ["1"], "last_day": ""},
            "last_day",
            "Skriv det sista datumet för serien.",
            id="series-without-last-day",
        ),
        pytest.param(
            {
                "repeat_weekdays": ["1"],
                "day": _NEXT_DAY.isoformat(),
                "last_day": (_NEXT_DAY + timedelta(days=400)).isoformat(),
            },
            "last_day",
            "En serie kan vara högst ett år lång.",
            id="series-longer-than-a-year",
        ),
        pytest.param(
            {"repeat_weekdays": ["7"], "last_day": (_NEXT_DAY + timedelta(days=14)).isoformat()},
            "repeat_weekdays",
            "Välj veckodagar i listan.",
            id="unknown-weekday",
        ),
        pytest.param(
            {"starts": "10:00", "ends": "11:45", "appointment_minutes": "30"},
            "appointment_minutes",
            "105 minuter går inte jämnt upp i tider om 30 minuter.",
            id="appointments-do-not-divide-the-time",
        ),
        pytest.param(
            {"appointment_minutes": "25"},
            "appointment_minutes",
            "Välj en längd i listan.",
            id="unknown-appointment-length",
        ),
        pytest.param(
            {"kind": "group", "title": "<script>alert('hej')</script>", "capacity": "8"},
            "title",
            "Får inte innehålla tecknen < eller >.",
            id="html-in-title",
        ),
        pytest.param(
            {"topic_ids": ["999999"]},
            "topic_ids",
            "Välj ämnen i listan.",
            id="unknown-topic",
        ),
        pytest.param(
            {"description": "Ta med mobilen\x00"},
            "description",
            "Texten innehåller tecken som inte går att spara.",
            id="nul-in-description",
        ),
        pytest.param(
            {"description": "Ta med\x07 mobilen"},
            "description",
            "Texten innehåller tecken som inte går att spara.",
            id="control-character-in-description",
        ),
        pytest.param(
            {"description": "x" * 1001},
            "description",
            "Högst 1000 tecken.",
            id="description-too-long",
        ),
    ],
)
def test_bad_input_is_refused_next_to_the_field_and_nothing_is_saved(
    app, library, login_as, fields, field_id, message
):
    response = login_as(Role.STAFF).send_form("/sessions/new", _form(library, **fields))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, field_id) == message
    assert "Något behöver rättas" in page
    assert "<script>alert" not in page
    assert row_count(app, HelpSession) == 0
    assert row_count(app, SessionSeries) == 0


def test_another_municipalitys_location_staff_and_topics_are_refused(app, library, other_library, login_as):
    response = login_as(Role.COORDINATOR).send_form(
        "/sessions/new",
        _form(
            library,
            location_id=str(other_library.location_id),
            staff_ids=[str(other_library.staff_id)],
            topic_ids=[str(other_library.topic_ids["BankID"])],
        ),
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "location_id") == "Välj en plats i listan."
    assert field_error(page, "staff_ids") == "Välj vem eller vilka som håller i passet."
    assert field_error(page, "topic_ids") == "Välj ämnen i listan."
    assert row_count(app, HelpSession) == 0


def test_a_mix_of_ours_and_another_municipalitys_staff_is_refused(app, library, other_library, login_as):
    response = login_as(Role.COORDINATOR).send_form(
        "/sessions/new",
        _form(
            library,
            kind="group",
            title="Digital fika",
            capacity="8",
            staff_ids=[str(library.staff_id), str(other_library.staff_id)],
        ),
    )

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "staff_ids") == (
        "Välj vem eller vilka som håller i passet."
    )
    assert row_count(app, HelpSession) == 0


def test_every_problem_in_the_form_is_shown_at_once(app, library, login_as):
    response = login_as(Role.STAFF).send_form(
        "/sessions/new",
        _form(library, kind="group", title="", capacity="0", starts="12:00", ends="11:00"),
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert field_error(page, "title") == "Ge gruppträffen ett namn, till exempel Digital fika."
    assert field_error(page, "capacity") == "En gruppträff behöver minst 1 plats."
    assert field_error(page, "ends") == "Sluttiden måste vara efter starttiden."
    assert row_count(app, HelpSession) == 0


def test_reception_and_deactivated_accounts_cannot_hold_a_session(app, library, login_as):
    with app.app_context():
        db.session.get(User, library.volunteer_id).active = False
        db.session.commit()
    client = login_as(Role.COORDINATOR)

    for person in (library.reception_id, library.volunteer_id):
        response = client.send_form("/sessions/new", _form(library, staff_ids=[str(person)]))
        assert response.status_code == 422
        assert field_error(response.get_data(as_text=True), "staff_ids") == (
            "Välj vem eller vilka som håller i passet."
        )
    assert row_count(app, HelpSession) == 0


def test_one_to_one_help_has_exactly_one_staff_member(app, library, login_as):
    response = login_as(Role.COORDINATOR).send_form(
        "/sessions/new", _form(library, staff_ids=[str(library.staff_id), str(library.coordinator_id)])
    )

    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "staff_ids") == (
        "Enskild hjälp ska ha exakt en person från personalen."
    )
    assert row_count(app, HelpSession) == 0


def test_a_refused_form_keeps_what_was_typed(app, library, login_as):
    response = login_as(Role.STAFF).send_form(
        "/sessions/new",
        _form(library, day="32/13", starts="10.30", ends="25:99", description="Ta med mobilen"),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="32/13"' in page
    assert 'value="10:30"' in page
    assert 'value="25:99"' in page
    assert "Ta med mobilen" in page


# --- Who may publish -----------------------------------------------------------------------------


def test_reception_cannot_publish_sessions(app, library, login_as):
    client = login_as(Role.RECEPTION)

    assert client.get("/sessions/new").status_code == 403
    assert client.send_form("/sessions/new", _form(library)).status_code == 403
    assert row_count(app, HelpSession) == 0


def test_staff_member_publishes_only_sessions_they_are_part_of(app, library, login_as):
    client = login_as(Role.STAFF)

    for_someone_else = client.send_form(
        "/sessions/new", _form(library, staff_ids=[str(library.coordinator_id)])
    )
    assert for_someone_else.status_code == 422
    assert field_error(for_someone_else.get_data(as_text=True), "staff_ids") == (
        "Du kan bara lägga in pass där du själv är med."
    )
    assert row_count(app, HelpSession) == 0

    together = client.send_form(
        "/sessions/new",
        _form(
            library,
            kind="group",
            title="Digital fika",
            capacity="8",
            staff_ids=[str(library.staff_id), str(library.coordinator_id)],
        ),
    )
    assert together.status_code == 302
    assert [s["staff_ids"] for s in _sessions(app)] == [sorted([library.staff_id, library.coordinator_id])]


def test_coordinator_publishes_for_anyone(app, library, login_as):
    response = login_as(Role.COORDINATOR).send_form(
        "/sessions/new", _form(library, staff_ids=[str(library.volunteer_id)])
    )

    assert response.status_code == 302
    sessions = _sessions(app)
    assert len(sessions) == 4
    assert all(s["staff_ids"] == [library.volunteer_id] for s in sessions)


def test_volunteer_publishes_for_themself_and_sees_the_new_times(app, library, login_as):
    client = login_as(Role.VOLUNTEER)
    day = working_day()

    refused = client.send_form("/sessions/new", _form(library, staff_ids=[str(library.staff_id)]))
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "staff_ids") == (
        "Du kan bara lägga in pass där du själv är med."
    )

    response = client.send_form(
        "/sessions/new", _form(library, day=day.isoformat(), staff_ids=[str(library.volunteer_id)])
    )

    assert response.status_code == 302
    assert [s["staff_ids"] for s in _sessions(app)] == [[library.volunteer_id]] * 4
    # The volunteer lands on a page they may open, showing what they just put in.
    landing = client.get(response.headers["Location"])
    assert landing.status_code == 200
    page = landing.get_data(as_text=True)
    assert "10.00–10.30" in page and "11.30–12.00" in page


def test_the_form_offers_only_the_municipalitys_own_places_and_people(app, library, other_library, login_as):
    page = login_as(Role.STAFF).get("/sessions/new").get_data(as_text=True)

    assert "Öckerö bibliotek" in page and "Hönö bibliotek" in page
    assert "Bräcke bibliotek" not in page and "Kälarne bibliotek" not in page
    assert "Staff Öckerö kommun" in page
    assert "Bräcke kommun" not in page
    # Reception books but does not help; other volunteers are not offered to staff.
    assert "Reception Öckerö kommun" not in page
    assert "Volunteer Öckerö kommun" not in page


def test_times_are_stored_in_utc(app, library, login_as):
    day = working_day()
    login_as(Role.STAFF).send_form("/sessions/new", _form(library, day=day.isoformat(), ends="10:30"))

    (session,) = _sessions(app)
    expected = datetime.combine(day, time(10), tzinfo=STOCKHOLM).astimezone(UTC)
    assert session["starts_at"] == expected
    assert session["starts_at"].utcoffset() == timedelta(0)
