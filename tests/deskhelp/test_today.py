"""The day's desk help, counted on the desk-help page: entries, minutes, per topic, per
outcome and per place, for today in the municipality's own time zone only; and the
header button that opens the form from every staff page."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from helpers import page_of

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.core.clock import local_to_utc
from inclusion.core.database import utcnow
from inclusion.deskhelp.services import todays_desk_help
from inclusion.extensions import db
from inclusion.org.models import Organisation

URL = "/desk-help/"
BUTTON = "Logga hjälp vid disken"


def _table(page: str, table_id: str) -> dict[str, list[str]]:
    """A counts table as {row heading: [cells]}."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert table, f"no table {table_id}"
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table.group(0), re.S)
    return {heading: re.findall(r"<td>(.*?)</td>", cells) for heading, cells in rows}


def _counts(page: str) -> list[str]:
    counts = re.search(r'<ul class="day-counts" id="today-counts">(.*?)</ul>', page, re.S).group(1)
    return [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", counts, re.S)]


def test_todays_counts_show_the_days_help_in_the_municipality(library, other_library, login_as, log_help):
    log_help(topics=("BankID",), minutes=15)
    log_help(topics=("BankID", "Swish"), outcome="partly", minutes=30, by=library.reception_id)
    log_help(topics=("1177",), outcome="needs_booking", minutes=5, location_id=library.other_location_id)
    log_help(topics=("Swish",), minutes=60, helped_at=utcnow() - timedelta(days=1))  # yesterday
    log_help(lib=other_library, by=other_library.staff_id, minutes=60)  # Bräcke's

    page = page_of(login_as(Role.STAFF).get(URL))

    assert _counts(page) == ["<strong>3</strong> invånare fick hjälp", "<strong>50</strong> minuter"]
    assert _table(page, "today-topics") == {"BankID": ["2"], "1177": ["1"], "Swish": ["1"]}
    assert _table(page, "today-outcomes") == {
        "Löst": ["1"],
        "Delvis löst": ["1"],
        "Hänvisad vidare": ["0"],
        "Behöver bokad tid": ["1"],
    }
    assert _table(page, "today-places") == {"Hönö bibliotek": ["1", "5"], "Öckerö bibliotek": ["2", "45"]}
    # Only the staff member's own entries of today are offered to change.
    own = re.search(r'<table[^>]*id="own-entries".*?</table>', page, re.S).group(0)
    assert own.count("/edit") == 2 and "1177" in own and "Swish" not in own


def test_a_day_with_no_help_yet_says_so(library, login_as):
    page = page_of(login_as(Role.VOLUNTEER).get(URL))

    assert _counts(page) == ["<strong>0</strong> invånare fick hjälp", "<strong>0</strong> minuter"]
    assert "Du har inte loggat något idag." in page


def test_the_day_is_the_municipalitys_local_day(app, library, log_help):
    """00:15 in Stockholm is the evening before in UTC; 23:50 the day before is not today."""
    day = date(2026, 3, 10)
    log_help(helped_at=local_to_utc(day, time(0, 15), "Europe/Stockholm"), minutes=5)
    log_help(helped_at=local_to_utc(day - timedelta(days=1), time(23, 50), "Europe/Stockholm"), minutes=60)
    log_help(helped_at=local_to_utc(day, time(23, 59), "Europe/Stockholm"), minutes=30)

    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        staff = db.session.get(User, library.staff_id)
        counted = todays_desk_help(organisation, staff, day)

    assert (counted.entries, counted.minutes) == (2, 35)
    assert [entry.minutes for entry in counted.own] == [30, 5]
    assert counted.own[0].helped_at < datetime(2026, 3, 11, tzinfo=counted.own[0].helped_at.tzinfo)


# --- The button on every staff page ----------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_staff_role_has_the_button_and_may_log(library, login_as, role):
    client = login_as(role)

    home = page_of(client.get("/"))
    button = re.search(rf'<a class="header-button" href="([^"]+)">{BUTTON}</a>', home)

    assert button, f"no button for {role}"
    assert button.group(1) == "/desk-help/?next=/"
    assert "<h1>Logga hjälp vid disken</h1>" in page_of(client.get(button.group(1)))


def test_the_button_brings_one_back_to_the_page_it_was_pressed_on(library, login_as):
    client = login_as(Role.STAFF)
    page = page_of(client.get("/my-day"))
    address = re.search(rf'<a class="header-button" href="([^"]+)">{BUTTON}</a>', page).group(1)
    assert address == "/desk-help/?next=/my-day"

    form = page_of(client.get(address))
    assert 'action="/desk-help/?next=/my-day"' in form
    assert '<a href="/my-day">Tillbaka till sidan du var på</a>' in form


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_only_a_page_of_this_site_is_offered_to_go_back_to(library, login_as, target):
    page = page_of(login_as(Role.STAFF).get(URL, query_string={"next": target}))

    assert "Tillbaka till sidan du var på" not in page
    assert 'action="/desk-help/"' in page
    assert not re.search(r'href="[^"]*evil', page)


def test_a_stranger_is_sent_to_sign_in_and_sees_no_button(app, library):
    client = app.test_client()

    response = client.get(URL)

    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert BUTTON not in page_of(client.get("/login"))
