"""The public sessions as a calendar file: a resident (or a relative) adds it to a phone's
calendar and sees the sessions with their place, in the right local time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from helpers import working_day
from icalendar import Calendar

from inclusion.booking.models import SessionState

from .conftest import move_session

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def events_of(response) -> dict[str, object]:
    calendar = Calendar.from_ical(response.data)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_calendar_file_has_the_open_group_sessions_with_place_and_phone(app, door, make_session):
    day = working_day(weekday=1)
    (fika,) = make_session(kind="group", title="Digital fika", day=day, starts=time(10), ends=time(12))
    (cancelled,) = make_session(kind="group", title="Inställd", day=day, starts=time(13), ends=time(14))
    move_session(app, cancelled, state=SessionState.CANCELLED)
    make_session(kind="one_to_one", day=day, starts=time(15), ends=time(15, 30))

    response = app.test_client().get("/kommun/ockero/traffar.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = events_of(response)
    assert list(events) == ["Digital fika"]
    event = events["Digital fika"]
    starts = event.decoded("dtstart")
    assert starts == datetime.combine(day, time(10), tzinfo=STOCKHOLM)
    assert starts.utcoffset() == timedelta(0), "times are given in UTC"
    assert event.decoded("dtend").astimezone(UTC) == datetime.combine(day, time(12), tzinfo=STOCKHOLM)
    assert str(event["location"]) == "Öckerö bibliotek, Almvägen 2, 475 31 Öckerö"
    assert "0304-66 00 00" in str(event["description"])
    assert str(event["uid"]).startswith(f"public-session-{fika}@")


def test_uids_stay_the_same_from_one_download_to_the_next(app, door, make_session):
    make_session(kind="group", title="Digital fika")
    make_session(kind="group", title="Swish-kurs", starts=time(13), ends=time(14))
    client = app.test_client()

    first = {
        title: str(event["uid"])
        for title, event in events_of(client.get("/kommun/ockero/traffar.ics")).items()
    }
    again = {
        title: str(event["uid"])
        for title, event in events_of(client.get("/kommun/ockero/traffar.ics")).items()
    }

    assert first == again and len(set(first.values())) == 2


def test_unknown_municipality_has_no_calendar(app, door):
    assert app.test_client().get("/kommun/ingenstans/traffar.ics").status_code == 404
