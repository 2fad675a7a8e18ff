"""A group session's poster for the library's notice board: big title, day and time,
place, and the numbers to call and text, on one A4 sheet. Staff print it for their own
municipality's sessions only."""

from __future__ import annotations

from datetime import time

from babel.dates import format_date
from helpers import flashed, page_of, working_day

from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.org.models import Location

from .conftest import ACCESSIBILITY, DIRECTIONS, set_numbers
from .test_sessions_page import text_of


def test_poster_shows_what_when_where_and_the_numbers(app, door, make_session, login_as):
    day = working_day(weekday=1)
    (session_id,) = make_session(kind="group", title="Digital fika", day=day, starts=time(10), ends=time(12))

    page = text_of(page_of(login_as(Role.RECEPTION).get(f"/sessions/{session_id}/affisch")))

    assert "Digital fika" in page
    assert f"{format_date(day, 'EEEE d MMMM', locale='sv')} kl. 10.00–12.00" in page
    assert "Öckerö bibliotek" in page and "Almvägen 2, 475 31 Öckerö" in page
    assert DIRECTIONS in page and ACCESSIBILITY in page
    assert "Boka en plats: ring 0304-66 00 00" in page
    assert "Du kan också komma direkt om det finns plats." in page
    assert "Skicka ett sms med ordet HJÄLP till 076-686 00 00. Då ringer vi upp dig." in page
    assert "Ta med legitimation" in page and "BankID-dosa" in page
    assert "Vi skickar aldrig länkar i sms." in page


def test_long_texts_warn_that_the_poster_may_need_a_second_sheet(app, door, make_session, login_as):
    (session_id,) = make_session(kind="group", description="Kaffe, kaka och hjälp med mobilen. " * 28)
    client = login_as(Role.STAFF)
    assert "kan bli två sidor" not in text_of(page_of(client.get(f"/sessions/{session_id}/affisch")))

    with app.app_context():
        db.session.get(Location, door.location_id).directions = "Färjan från Hjuvik, sedan buss 302. " * 12
        db.session.commit()
        db.session.remove()

    assert "kan bli två sidor" in text_of(page_of(client.get(f"/sessions/{session_id}/affisch")))


def test_without_a_service_number_the_poster_leaves_the_sms_line_out(app, library, make_session, login_as):
    set_numbers(app, library.organisation_id, "+46304660000", None)
    (session_id,) = make_session(kind="group")

    page = text_of(page_of(login_as(Role.STAFF).get(f"/sessions/{session_id}/affisch")))

    assert "Boka en plats: ring 0304-66 00 00" in page and "Skicka ett sms" not in page


def test_session_page_links_to_the_poster_for_group_sessions_only(app, door, make_session, login_as):
    (group,) = make_session(kind="group")
    (alone,) = make_session(kind="one_to_one", starts=time(13), ends=time(13, 30))
    client = login_as(Role.STAFF)

    assert f'href="/sessions/{group}/affisch"' in page_of(client.get(f"/sessions/{group}"))
    assert "Skriv ut affisch" not in page_of(client.get(f"/sessions/{alone}"))
    response = client.get(f"/sessions/{alone}/affisch")
    assert "Affischer finns bara för gruppträffar." in flashed(client, response)


def test_another_municipalitys_session_is_not_found(app, door, other_library, make_session, login_as):
    (theirs,) = make_session(other_library, kind="group", title="Bräcke-fika")

    response = login_as(Role.COORDINATOR).get(f"/sessions/{theirs}/affisch")

    assert response.status_code == 404
    assert "Bräcke-fika" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_the_login(app, door, make_session):
    (session_id,) = make_session(kind="group")

    response = app.test_client().get(f"/sessions/{session_id}/affisch")

    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_volunteers_do_not_print_posters(app, door, make_session, login_as):
    (session_id,) = make_session(kind="group")

    assert login_as(Role.VOLUNTEER).get(f"/sessions/{session_id}/affisch").status_code == 403
