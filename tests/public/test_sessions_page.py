"""A municipality's public page: the open group sessions of the coming weeks per place,
in plain Swedish, with how to book and how to get a call, for anyone without logging in."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import time, timedelta

from babel.dates import format_date
from helpers import counting_statements, page_of, working_day

from inclusion.booking.models import SessionState
from inclusion.core.access import Role
from inclusion.core.database import utcnow

from .conftest import ACCESSIBILITY, DIRECTIONS, move_session, set_numbers


def text_of(page: str) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def public_page(app, slug: str = "ockero") -> str:
    return page_of(app.test_client().get(f"/kommun/{slug}"))


def test_a_future_group_session_is_shown_with_its_place_and_places_left(app, door, make_session):
    day = working_day(weekday=1)
    make_session(kind="group", title="Digital fika", capacity=8, day=day, starts=time(10), ends=time(12))

    page = text_of(public_page(app))

    expected_day = format_date(day, "EEEE d MMMM", locale="sv")
    assert f"{expected_day} kl. 10.00–12.00" in page
    assert "Digital fika" in page
    assert "8 platser kvar" in page
    assert "Öckerö bibliotek" in page and "Almvägen 2" in page and "475 31 Öckerö" in page
    assert DIRECTIONS in page and ACCESSIBILITY in page


def test_booked_places_are_counted_and_a_full_session_points_to_the_waitlist(
    app, door, make_session, make_booking, make_resident
):
    (few_left,) = make_session(kind="group", title="Swish-kurs", capacity=2)
    (full,) = make_session(kind="group", title="Digital fika", capacity=1, starts=time(13), ends=time(14))
    make_booking(few_left, make_resident(name="Rut Ek", phone="070-111 22 33"))
    make_booking(full, make_resident(name="Per Ek", phone="070-111 22 44"))

    page = text_of(public_page(app))

    assert "Swish-kurs" in page and "1 plats kvar" in page
    assert "Fullt – ring oss så skriver vi upp dig på väntelistan." in page
    # Residents' names never reach the public page.
    assert "Rut Ek" not in page and "Per Ek" not in page


def test_only_open_future_group_sessions_of_this_municipality_are_listed(
    app, door, other_library, make_session
):
    make_session(kind="group", title="Öppen fika")
    make_session(kind="one_to_one", starts=time(11), ends=time(11, 30))
    (cancelled,) = make_session(kind="group", title="Inställd fika", starts=time(14), ends=time(15))
    move_session(app, cancelled, state=SessionState.CANCELLED, cancelled_reason="Sjuk")
    (past,) = make_session(kind="group", title="Gammal fika", starts=time(16), ends=time(17))
    move_session(
        app, past, starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(days=2, hours=-1)
    )
    make_session(kind="group", title="Långt bort-fika", day=working_day(days_ahead=70))
    make_session(other_library, kind="group", title="Bräcke-fika")

    page = text_of(public_page(app))

    assert "Öppen fika" in page
    for hidden in ("Inställd fika", "Gammal fika", "Långt bort-fika", "Bräcke-fika"):
        assert hidden not in page, hidden
    assert page.count("kl. ") == 1  # not the one-to-one appointment either


def test_unknown_municipality_is_not_found(app, door):
    response = app.test_client().get("/kommun/ingenstans")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_page_says_how_to_book_what_to_bring_and_how_to_text_us(app, door, make_session):
    make_session(kind="group")

    page = text_of(public_page(app))

    assert "Ring oss på 0304-66 00 00" in page
    # the number is kept on one line in its own element, so the page text has a space before the full stop
    assert "Skicka ett sms med ordet HJÄLP till 076-686 00 00" in page and "Då ringer vi upp dig." in page
    assert "Du kan också komma direkt om det finns plats." in page
    assert "BankID-dosan" in page and "Legitimation" in page
    assert "Vi skickar aldrig länkar i sms" in page


def test_without_a_service_number_the_sms_sentence_is_left_out(app, library, make_session):
    set_numbers(app, library.organisation_id, "+46304660000", None)
    make_session(kind="group")

    page = text_of(public_page(app))

    assert "Ring oss på 0304-66 00 00" in page
    assert "Skicka ett sms" not in page and "HJÄLP" not in page


def test_links_to_the_calendar_file_and_the_help_form(app, door):
    raw = public_page(app)

    assert 'href="/kommun/ockero/traffar.ics"' in raw
    assert 'href="/kommun/ockero/hjalp"' in raw
    assert "Just nu har vi inga träffar de närmaste veckorna" in text_of(raw)


def test_staff_menu_is_not_shown_even_to_signed_in_staff(app, door, login_as):
    client = login_as(Role.STAFF)
    assert 'aria-label="Huvudmeny"' in page_of(client.get("/"))

    page = page_of(client.get("/kommun/ockero"))

    assert 'aria-label="Huvudmeny"' not in page
    assert "Logga ut" not in page
    assert "Öckerö kommun" in page


def test_page_costs_the_same_queries_for_one_session_and_many(app, door, library, make_session):
    client = app.test_client()
    make_session(kind="group", title="Första fika")
    client.get("/kommun/ockero")  # warm up (first-request work)
    with counting_statements(app) as few:
        one = client.get("/kommun/ockero")

    make_session(
        kind="group",
        title="Veckofika",
        day=working_day(days_ahead=4),
        repeat_weekdays=list(range(5)),
        last_day=working_day(days_ahead=30),
        starts=time(13),
        ends=time(14),
        topic_ids=[library.topic_ids["Swish"]],
    )
    make_session(
        kind="group", title="Hönöfika", location_id=library.other_location_id, starts=time(11), ends=time(12)
    )
    with counting_statements(app) as many:
        lots = client.get("/kommun/ockero")

    assert text_of(page_of(lots)).count("kl. ") > 10
    assert "Hönö bibliotek" in text_of(page_of(lots)) and "Första fika" in text_of(page_of(one))
    extra = Counter(many) - Counter(few)
    assert len(many) == len(few), f"{len(few)} statements for one session, {len(many)} for many: {extra}"
