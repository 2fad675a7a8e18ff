"""Each helper's own calendar feed: a secret .ics address for Outlook or a phone that
lists their sessions in UTC, never names a resident, and stops working when a new
address is made."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from helpers import working_day
from icalendar import Calendar

from inclusion.auth.models import User
from inclusion.booking.models import HelpSession
from inclusion.core.access import Role
from inclusion.core.clock import holiday_name
from inclusion.extensions import db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ADDRESS = re.compile(r'id="calendar-address"[^>]*value="([^"]+)"')


def _feed_path(client) -> str:
    """The address shown on /calendar, as a path the test client can fetch."""
    page = client.get("/calendar")
    assert page.status_code == 200
    match = ADDRESS.search(page.get_data(as_text=True))
    assert match, "no calendar address on the page"
    address = match.group(1)
    assert address.endswith(".ics")
    assert address.startswith("http")
    return urlsplit(address).path


def _events(response) -> dict[str, dict]:
    """The feed's events by UID, with start, end, summary, status and location."""
    calendar = Calendar.from_ical(response.data)
    return {
        str(event["uid"]): {
            "start": event.decoded("dtstart"),
            "end": event.decoded("dtend"),
            "summary": str(event["summary"]),
            "status": str(event["status"]),
            "location": str(event["location"]),
        }
        for event in calendar.walk("VEVENT")
    }


def _unfolded(response) -> str:
    """The feed's text with long lines joined again (iCalendar folds them at 75 octets)."""
    return response.get_data(as_text=True).replace("\r\n ", "").replace("\n ", "")


def _uid(session_id: int) -> str:
    return f"session-{session_id}@"


def _event_of(events: dict[str, dict], session_id: int) -> dict:
    (found,) = [event for uid, event in events.items() if uid.startswith(_uid(session_id))]
    return found


def _utc_times(app, session_id: int) -> tuple[datetime, datetime]:
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        times = (session.starts_at, session.ends_at)
        db.session.remove()
    return times


def test_calendar_page_shows_a_secret_ics_address(app, library, login_as):
    first = _feed_path(login_as(Role.STAFF))
    again = _feed_path(login_as(Role.STAFF))
    coordinators = _feed_path(login_as(Role.COORDINATOR))

    assert first == again  # the same address each time the page is opened
    assert first != coordinators
    assert re.fullmatch(r"/calendar/[A-Za-z0-9_-]{40,64}\.ics", first)


def test_feed_lists_the_staff_members_sessions_in_utc_without_residents(
    app, library, login_as, make_session, make_resident, make_booking
):
    day = working_day()
    booked, free = make_session(day=day, starts=time(10), ends=time(11), appointment_minutes=30)
    (group,) = make_session(
        day=day, kind="group", title="Digital fika", capacity=5, starts=time(13), ends=time(14)
    )
    (someone_elses,) = make_session(
        day=day, staff_ids=[library.coordinator_id], starts=time(15), ends=time(15, 30)
    )
    make_booking(booked, make_resident(name="Greta Hemlig", phone="070-174 06 50"))
    make_booking(group, make_resident(name="Olle Okänd", phone="070-174 06 51"))
    path = _feed_path(login_as(Role.STAFF))

    response = app.test_client().get(path)  # a calendar program, not signed in

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = _unfolded(response)
    assert "Greta Hemlig" not in body and "Hemlig" not in body
    assert "Olle Okänd" not in body and "Okänd" not in body
    assert "+4670" not in body and "174 06" not in body
    events = _events(response)
    assert len(events) == 3
    assert not [uid for uid in events if uid.startswith(_uid(someone_elses))]
    for session_id in (booked, free, group):
        start, end = _utc_times(app, session_id)
        event = _event_of(events, session_id)
        assert (event["start"], event["end"]) == (start, end)
        assert event["start"].utcoffset() == timedelta(0)
        assert event["status"] == "CONFIRMED"
        assert event["location"] == "Öckerö bibliotek, Almvägen 2, Öckerö"
    # 10:00 in Stockholm is 08:00 or 09:00 UTC depending on the season, never 10:00.
    assert _event_of(events, booked)["start"].hour in (8, 9)
    assert _event_of(events, booked)["summary"] == "Digital hjälp: bokad"
    assert _event_of(events, free)["summary"] == "Digital hjälp: ledig tid"
    assert _event_of(events, group)["summary"] == "Digital fika (1/5)"


def _coming_day_with_offset(hours: int):
    """The first coming day (not a holiday) when Stockholm is ``hours`` ahead of UTC."""
    day = working_day()
    while True:
        moment = datetime.combine(day, time(10), tzinfo=STOCKHOLM)
        if moment.utcoffset() == timedelta(hours=hours) and not holiday_name(day):
            return day
        day += timedelta(days=1)


def test_feed_time_is_the_exact_utc_moment_in_winter_and_summer_time(app, library, login_as, make_session):
    winter_day, summer_day = _coming_day_with_offset(1), _coming_day_with_offset(2)
    (winter,) = make_session(day=winter_day, starts=time(10), ends=time(10, 30))
    (summer,) = make_session(day=summer_day, starts=time(10), ends=time(10, 30))
    path = _feed_path(login_as(Role.STAFF))

    events = _events(app.test_client().get(path))

    assert _event_of(events, winter)["start"] == datetime.combine(winter_day, time(9), tzinfo=UTC)
    assert _event_of(events, summer)["start"] == datetime.combine(summer_day, time(8), tzinfo=UTC)
    assert _event_of(events, summer)["end"] == datetime.combine(summer_day, time(8, 30), tzinfo=UTC)


def test_a_new_address_replaces_the_old_one(app, library, login_as, make_session):
    make_session()
    client = login_as(Role.STAFF)
    old = _feed_path(client)
    assert app.test_client().get(old).status_code == 200

    response = client.send_form("/calendar", {})

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Du har fått en ny kalenderadress. Den gamla fungerar inte längre." in page
    new = _feed_path(client)
    assert new != old
    outsider = app.test_client()
    assert outsider.get(old).status_code == 404
    fresh = outsider.get(new)
    assert fresh.status_code == 200
    assert len(_events(fresh)) == 1


def test_unknown_or_malformed_addresses_answer_404(app, library, login_as, make_session):
    make_session()
    _feed_path(login_as(Role.STAFF))
    client = app.test_client()

    assert client.get("/calendar/not-a-real-token.ics").status_code == 404
    assert client.get("/calendar/" + "a" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/" + "a" * 200 + ".ics").status_code == 404
    assert client.get("/calendar/.ics").status_code == 404


def test_cancelled_session_stays_in_the_feed_marked_cancelled(
    app, library, login_as, make_session, make_resident, make_booking
):
    cancelled, kept = make_session(starts=time(10), ends=time(11), appointment_minutes=30)
    make_booking(cancelled, make_resident(name="Greta Hemlig", phone="070-174 06 52"))
    client = login_as(Role.STAFF)
    assert (
        client.send_form(f"/sessions/{cancelled}/cancel", {"reason": "Personalen är sjuk"}).status_code == 302
    )
    path = _feed_path(client)

    response = app.test_client().get(path)

    assert "STATUS:CANCELLED" in response.get_data(as_text=True)
    events = _events(response)
    assert _event_of(events, cancelled)["status"] == "CANCELLED"
    assert _event_of(events, kept)["status"] == "CONFIRMED"
    assert "Hemlig" not in _unfolded(response)


def test_feed_of_a_deactivated_account_stops_working(app, library, login_as, make_session):
    make_session()
    path = _feed_path(login_as(Role.STAFF))
    with app.app_context():
        db.session.get(User, library.staff_id).active = False
        db.session.commit()

    assert app.test_client().get(path).status_code == 404


def test_reception_has_no_calendar_feed(app, library, login_as):
    client = login_as(Role.RECEPTION)

    assert client.get("/calendar").status_code == 403
    assert client.send_form("/calendar", {}).status_code == 403


def test_volunteer_feed_lists_only_their_own_sessions(app, library, login_as, make_session):
    (theirs,) = make_session(staff_ids=[library.volunteer_id])
    (staffs,) = make_session(starts=time(11), ends=time(11, 30))
    path = _feed_path(login_as(Role.VOLUNTEER))

    events = _events(app.test_client().get(path))

    assert [uid.split("@")[0] for uid in events] == [f"session-{theirs}"]
    assert not [uid for uid in events if uid.startswith(_uid(staffs))]
