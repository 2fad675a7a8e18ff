"""Never a 500 from what a hand-edited address or form can hold: ids beyond the database's
integers (PostgreSQL's end at 2^31 - 1, SQLite's at 2^63 - 1) and dates at the ends of
Python's calendar (0001-01-01 and 9999-12-31, where the day after or local midnight in UTC
does not exist). Each answers 404, or the page again with a message next to the field.
"""

from __future__ import annotations

import html
import re
from datetime import time

import pytest
from conftest import BrowserLikeClient, sign_in
from helpers import field_error, row_count, working_day

from inclusion.booking.models import HelpSession
from inclusion.core.access import Role
from inclusion.core.ids import MAX_ID
from inclusion.demo.data import DEMO_PASSWORD
from inclusion.deskhelp.models import DeskHelpEntry
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.outreach.models import Campaign
from inclusion.outreach.services import default_texts
from inclusion.reception.models import CallbackRequest
from tests.core.route_table import (
    DEMO_EMAIL,
    ID_ARGUMENTS,
    ROUTE_ROLES,
    SIGNED_WEBHOOKS,
    arguments_of,
    load_demo_with_sent_campaigns,
    may,
    rules_of,
    url_of,
)
from tests.deskhelp.support import desk_form
from tests.public import conftest as public_fixtures
from tests.reception.support import quick_entry_form

door = public_fixtures.door

#: the first number each database cannot compare with an id, and one beyond both
HUGE_IDS = [MAX_ID + 1, 2**63, 2**64]
#: a number no database integer holds (SQLite's driver and PostgreSQL both refuse it)
HUGE = str(2**63)
#: more digits than Python's int() reads at all (4,300)
THOUSANDS_OF_DIGITS = "9" * 5000
ROUTE_IDS = set(ID_ARGUMENTS) | {"account_id"}
DATE_RANGE = "Välj ett datum mellan 2000-01-01 och 2100-12-31."


def send(client, method: str, url: str, data: dict | None = None):
    """The response to a request; an exception (a 500 in production) as its text."""
    try:
        return client.get(url) if method == "GET" else client.send_form(url, data or {})
    except Exception as error:  # noqa: BLE001  (any exception is the failure being looked for)
        return f"500 {error!r}"[:240]


def answer(client, method: str, url: str, data: dict | None = None) -> int | str:
    """The status of a request, or the exception that would have been a 500."""
    response = send(client, method, url, data)
    return response if isinstance(response, str) else response.status_code


def message_next_to(page: str, field_id: str) -> str:
    """The message shown next to a field (what ``helpers.field_error`` reads, also where a
    page writes it without the hidden "Fel:" prefix)."""
    return field_error(page, field_id) or " ".join(
        re.sub(r"<[^>]+>", " ", html.unescape(found.group(1))).split()
        if (found := re.search(rf'id="{field_id}-error"[^>]*>(.*?)</p>', page, re.S))
        else []
    )


def page_with_status(response, statuses: tuple[int, ...]) -> str:
    assert not isinstance(response, str), response
    assert response.status_code in statuses, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def demo(built_once):
    """Both demo municipalities, each with a campaign sent so that invitations exist."""
    load_demo_with_sent_campaigns(built_once)


def _demo_client(app, role: Role | None) -> BrowserLikeClient:
    client = app.test_client()
    if role is not None:
        assert sign_in(client, f"{DEMO_EMAIL[role]}@ockero.example", DEMO_PASSWORD).status_code == 302
    return client


# --- Ids in addresses -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "anonymous")
def test_an_id_beyond_the_database_in_any_address_answers_404(app, demo, role):
    """Every route of the table, each id in its address in turn too large, GET and POST,
    as every role: the same 404 as an id that does not exist."""
    client = _demo_client(app, role)
    arguments = arguments_of(app, "ockero")
    wrong, checked = [], 0
    for rule in rules_of(app):
        for name in sorted(set(rule.arguments) & ROUTE_IDS):
            for huge in HUGE_IDS:
                url = url_of(rule, {**arguments, name: huge})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    status = answer(client, method, url)
                    checked += 1
                    if status != 404:
                        wrong.append(f"{method} {url}: {status}")
    assert wrong == []
    assert checked > 150


def test_the_largest_id_the_database_holds_is_looked_up_and_not_found(app, demo):
    client = _demo_client(app, Role.COORDINATOR)
    for url in (f"/residents/{MAX_ID}", f"/sessions/{MAX_ID}", f"/bookings/{MAX_ID}", f"/accounts/{MAX_ID}"):
        assert answer(client, "GET", url) == 404, url
    # more digits than Python's int() reads
    assert answer(client, "GET", f"/residents/{THOUSANDS_OF_DIGITS}") == 404


# --- Ids in query strings -------------------------------------------------------------------------

#: the filters and links that carry an id in the query string, and what each answers
QUERY_IDS = [
    ("/schedule/day?location={huge}", 200),
    ("/schedule/day?staff={huge}", 200),
    ("/schedule/week?location={huge}&staff={huge}", 200),
    ("/free-times?topic={huge}&location={huge}", 200),
    ("/free-times?resident={huge}", 404),
    ("/sessions/{session_id}/book?resident={huge}", 404),
    ("/sessions/{session_id}/book?resident_id={huge}", 404),
    ("/bookings/{booking_id}/rebook?location={huge}", 200),
    ("/reception/requests?location={huge}&topic={huge}", 200),
    ("/reception/requests?page={huge}", 200),
    ("/messages/?before=1700000000000000-{huge}", 200),
    ("/messages/?after=1700000000000000-{huge}", 200),
    ("/messages/calls?location={huge}", 200),
    ("/privacy/log?resident={huge}", 200),
    ("/privacy/log?actor={huge}&before={huge}", 200),
    ("/reports/?from_day=2026-03-01&to_day=2026-03-31&grouping=week&location={huge}", 422),
    ("/reports/sessions.csv?from_day=2026-03-01&to_day=2026-03-31&grouping=week&location={huge}", 422),
    ("/campaigns/new?session={huge}", 200),
]


def test_an_id_beyond_the_database_in_a_query_string_is_a_404_or_filters_nothing(app, demo):
    client = _demo_client(app, Role.COORDINATOR)
    arguments = arguments_of(app, "ockero")
    wrong = []
    for template, expected in QUERY_IDS:
        for huge in HUGE_IDS:
            url = template.format(huge=huge, **arguments)
            status = answer(client, "GET", url)
            if status != expected:
                wrong.append(f"GET {url}: {status}, expected {expected}")
    assert wrong == []


def test_no_page_fails_on_huge_ids_in_any_filter_it_might_read(app, demo):
    """Every page the coordinator opens, with every id-like filter name at once: a
    filter added later that forgets the bound fails here."""
    client = _demo_client(app, Role.COORDINATOR)
    arguments = arguments_of(app, "ockero")
    names = ("location", "staff", "topic", "resident", "resident_id", "session", "session_id", "actor")
    wrong = []
    for rule in rules_of(app):
        if "GET" not in rule.methods or rule.endpoint in SIGNED_WEBHOOKS:
            continue
        if not may(Role.COORDINATOR, ROUTE_ROLES[rule.endpoint]):
            continue
        for huge in HUGE_IDS:
            query = "&".join(f"{name}={huge}" for name in (*names, "before", "page"))
            url = f"{url_of(rule, arguments)}?{query}"
            status = answer(client, "GET", url)
            if not isinstance(status, int) or status >= 500:
                wrong.append(f"GET {url}: {status}")
    assert wrong == []


# --- Ids in posted forms ---------------------------------------------------------------------------


@pytest.fixture
def places(app, library, make_session, make_resident, make_booking, make_request) -> dict:
    """A one-to-one time with a booking, a group session, a request: what the forms post to."""
    resident_id = make_resident(name="Greta Testsson", phone="070-111 22 33")
    (session_id,) = make_session()
    (group_id,) = make_session(kind="group", title="Digital fika", capacity=5, starts=time(14), ends=time(15))
    make_session(starts=time(11), ends=time(11, 30))  # a time to move to: the rebooking page lists it
    with app.app_context():
        texts = default_texts(db.session.get(Organisation, library.organisation_id))
        db.session.remove()
    return {
        "resident_id": resident_id,
        "session_id": session_id,
        "group_id": group_id,
        "booking_id": make_booking(session_id, resident_id),
        "request_id": make_request(),
        "campaign": {
            "name": "Digital fika",
            "session_id": str(group_id),
            "place": "",
            "attended": "any",
            "per_minute": "30",
            **texts,
        },
    }


def _session_form(library, **fields) -> dict:
    return {
        "kind": "one_to_one",
        "location_id": str(library.location_id),
        "day": working_day(5).isoformat(),
        "starts": "13:00",
        "ends": "14:00",
        "appointment_minutes": "30",
        "staff_ids": [str(library.staff_id)],
        **fields,
    }


#: the form's summary at the top: where a hidden field's message is shown
SUMMARY = "summary"
#: (what, the form's address, what it posts, the field that must explain)
FORM_IDS = [
    ("booking: topic", "/sessions/{session_id}/book", lambda p, lib: {"resident_id": str(p["resident_id"]), "channel": "phone", "topic_ids": [HUGE]}, "topic_ids"),
    ("quick entry: caller", "/reception/requests/new", lambda p, lib: quick_entry_form(lib, resident_choice=HUGE), "resident_choice"),
    ("quick entry: topic", "/reception/requests/new", lambda p, lib: quick_entry_form(lib, resident_choice="new", topic_ids=[HUGE]), "topic_ids"),
    ("quick entry: place", "/reception/requests/new", lambda p, lib: quick_entry_form(lib, resident_choice="new", preferred_location_id=HUGE), "preferred_location_id"),
    ("quick entry: weekday", "/reception/requests/new", lambda p, lib: quick_entry_form(lib, resident_choice="new", weekdays=[HUGE]), "weekdays"),
    ("campaign: session", "/campaigns/new", lambda p, lib: {**p["campaign"], "session_id": HUGE}, "session_id"),
    ("campaign: place", "/campaigns/new", lambda p, lib: {**p["campaign"], "place": f"location:{HUGE}"}, "place"),
    ("campaign: session of 5,000 digits", "/campaigns/new", lambda p, lib: {**p["campaign"], "session_id": THOUSANDS_OF_DIGITS}, "session_id"),
    ("campaign: topic", "/campaigns/new", lambda p, lib: {**p["campaign"], "topic_ids": [HUGE]}, "topic_ids"),
    ("desk help: topic", "/desk-help/", lambda p, lib: desk_form(lib, topic_ids=[HUGE]), "topic_ids"),
    ("desk help: place", "/desk-help/", lambda p, lib: desk_form(lib, location_id=HUGE), "location_id"),
    ("new session: place", "/sessions/new", lambda p, lib: _session_form(lib, location_id=HUGE), "location_id"),
    ("new session: staff", "/sessions/new", lambda p, lib: _session_form(lib, staff_ids=[HUGE]), "staff_ids"),
    ("new session: topic", "/sessions/new", lambda p, lib: _session_form(lib, topic_ids=[HUGE]), "topic_ids"),
    ("rebooking: time", "/bookings/{booking_id}/rebook", lambda p, lib: {"session_id": HUGE}, "session_id"),
    ("rebooking: not a number", "/bookings/{booking_id}/rebook", lambda p, lib: {"session_id": "x"}, "session_id"),
    ("request to booking: time", "/reception/requests/{request_id}/book", lambda p, lib: {"session_id": HUGE}, SUMMARY),
]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "build", "field"),
    [pytest.param(url, build, field, id=what) for what, url, build, field in FORM_IDS],
)
def test_an_id_beyond_the_database_in_a_form_is_refused_next_to_its_field(
    app, library, login_as, places, url, build, field
):
    client = login_as(Role.COORDINATOR)
    counts = {
        model: row_count(app, model) for model in (HelpSession, CallbackRequest, Campaign, DeskHelpEntry)
    }

    response = send(client, "POST", url.format(**places), build(places, library))

    page = page_with_status(response, (409, 422))
    if field == SUMMARY:  # a hidden field: its message heads the form
        assert "Något behöver rättas" in page and "Välj en tid i listan." in page
    else:
        assert message_next_to(page, field), f"no message next to {field}"
    assert {model: row_count(app, model) for model in counts} == counts


def test_an_id_beyond_the_database_in_the_public_form_is_refused_next_to_its_field(app, door):
    """The resident's own form, open to anyone: the topic is a select of ids."""
    visitor = app.test_client()
    visitor.refresh_csrf_token("/kommun/ockero/hjalp")
    form = {
        "name": "Märta Holm",
        "phone": "070-987 65 43",
        "for_whom": "self",
        "topic_id": HUGE,
        "wishes": "Jag vill lära mig Swish.",
        "consent": "y",
    }

    page = page_with_status(send(visitor, "POST", "/kommun/ockero/hjalp", form), (422,))

    assert message_next_to(page, "topic_id")
    assert row_count(app, CallbackRequest) == 0


def test_a_booking_for_a_resident_id_beyond_the_database_is_a_404(app, library, login_as, places):
    client = login_as(Role.RECEPTION)
    data = {"resident_id": HUGE, "channel": "phone"}
    assert answer(client, "POST", f"/sessions/{places['session_id']}/book", data) == 404


# --- Dates at the ends of the calendar ---------------------------------------------------------

#: every date a filter or form reads: (page, how the date is sent, the field's id)
DATE_FILTERS = [
    ("/schedule/day?date={day}", "date"),
    ("/schedule/week?date={day}", "date"),
    ("/my-day?date={day}", "date"),
    ("/free-times?first_day={day}", "first_day"),
    ("/free-times?last_day={day}", "last_day"),
    ("/messages/?day={day}", "day"),
    ("/messages/calls?day={day}", "day"),
    ("/privacy/log?date_from={day}", "date_from"),
    ("/privacy/log?date_to={day}", "date_to"),
]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31", "2101-01-01"])
@pytest.mark.parametrize(("url", "field"), DATE_FILTERS, ids=[url.split("=")[0] for url, _ in DATE_FILTERS])
def test_a_date_at_the_ends_of_the_calendar_in_a_filter_is_explained_next_to_it(
    app, library, login_as, url, field, day
):
    client = login_as(Role.COORDINATOR)
    page = page_with_status(send(client, "GET", url.format(day=day)), (200, 422))
    assert field_error(page, field) == DATE_RANGE


@pytest.mark.parametrize("day", ["2026-02-30", "99999-01-01", "", "0000-01-01", "2026-13-01"])
@pytest.mark.parametrize(("url", "field"), DATE_FILTERS, ids=[url.split("=")[0] for url, _ in DATE_FILTERS])
def test_a_date_that_does_not_exist_in_a_filter_is_no_error_page(app, library, login_as, url, field, day):
    client = login_as(Role.COORDINATOR)
    assert answer(client, "GET", url.format(day=day)) in (200, 422)


#: every form that posts a date: (address, what it posts besides the date, the date field)
DATE_FORMS = [
    ("/reception/requests/new", lambda p, lib: quick_entry_form(lib, resident_choice="new"), "callback_day"),
    ("/reception/requests/{request_id}/callback", lambda p, lib: {"callback_time": "10:00"}, "callback_day"),
    ("/reception/requests/{request_id}/attempts", lambda p, lib: {"outcome": "no_answer", "next_time": "10:00"}, "next_day"),
    ("/sessions/new", lambda p, lib: _session_form(lib), "day"),
    ("/sessions/new", lambda p, lib: _session_form(lib, repeat_weekdays=["0"]), "last_day"),
]  # fmt: skip


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    ("url", "build", "field"),
    [pytest.param(url, build, field, id=f"{url}:{field}") for url, build, field in DATE_FORMS],
)
def test_a_date_at_the_ends_of_the_calendar_in_a_form_is_explained_and_nothing_saved(
    app, library, login_as, places, url, build, field, day
):
    client = login_as(Role.COORDINATOR)
    counts = {model: row_count(app, model) for model in (HelpSession, CallbackRequest)}
    data = {**build(places, library), field: day}

    response = send(client, "POST", url.format(**places), data)

    page = page_with_status(response, (409, 422))
    assert field_error(page, field) == DATE_RANGE
    assert {model: row_count(app, model) for model in counts} == counts
