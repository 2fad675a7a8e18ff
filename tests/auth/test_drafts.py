"""What a receptionist typed survives the end of her session: a form sent after the idle
time-out, after signing out on another device or after the absolute limit is kept, the
login page says so, and after signing in the form's page shows it filled in, to be
checked and sent again. Nothing is saved on its own (so nothing twice), nobody else
signing in on the same browser sees it, and it is gone after half an hour."""

from __future__ import annotations

import time
from datetime import timedelta
from urllib.parse import quote, urlsplit

import pytest
from conftest import PASSWORD, sign_in
from helpers import forms_on, page_of, row_count, working_day
from sqlalchemy import select, update

from inclusion.auth.drafts import KEEP_FOR
from inclusion.auth.models import FormDraft
from inclusion.booking.models import Booking, HelpSession
from inclusion.core.access import PUBLIC, Role
from inclusion.core.database import utcnow
from inclusion.demo.data import DEMO_PASSWORD
from inclusion.extensions import db
from inclusion.privacy.retention import purge
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.core.route_table import (
    DEMO_EMAIL,
    ROUTE_ROLES,
    arguments_of,
    load_demo_with_sent_campaigns,
    may,
    rules_of,
    url_of,
)

# The booking fixtures (a library with places, topics and staff; sessions; bookings).

QUICK_ENTRY = "/reception/requests/new"
SIGNED_OUT = "Du har loggats ut. Logga in igen så kommer det du skrev tillbaka."
KEPT = "Det du skrev finns kvar men är inte sparat än."


def _call(library) -> dict:
    """Everything a receptionist types for one call, in quick entry's field names."""
    return {
        "phone": "070-555 12 34",
        "resident_choice": "new",
        "name": "Karin Berg",
        "topic_ids": [str(library.topic_ids["BankID"]), str(library.topic_ids["Swish"])],
        "wishes": "Helst på Hönö, inte måndagar. Dottern följer med.",
        "preferred_location_id": str(library.other_location_id),
        "weekdays": ["1", "3"],
        "time_of_day": "morning",
        "needs": ["hearing"],
        "interpreter_language": "fi",
        "channel": "walk_in",
        "sms_consent": "y",
        "sms_consent_method": "in_person",
        "callback_day": working_day(4).isoformat(),
        "callback_time": "13:45",
    }


def end_session(app, client, email: str, how: str) -> None:
    """End a browser's session the way it happens at the desk."""
    if how == "idle time-out":  # the browser drops the cookie when its Expires passes
        client.delete_cookie("session")
    elif how == "signed out on another device":
        other = app.test_client()
        assert sign_in(other, email).status_code == 302
        assert other.send_form("/logout").status_code == 302
    elif how == "absolute limit":
        with client.session_transaction() as session:
            session["signed_in_at"] = time.time() - app.config["SESSION_ABSOLUTE_HOURS"] * 3600 - 60
    else:
        raise AssertionError(how)


def sign_in_from(client, login_page: str, email: str, password: str = PASSWORD):
    """Sign in on the login page the browser was sent to (it keeps its ``next``)."""
    client.refresh_csrf_token(login_page)
    return client.send_form(login_page, {"email": email, "password": password})


def _values(form) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in form.fields:
        found.setdefault(name, []).append(value)
    return found


def _quick_entry(page: str):
    return next(form for form in forms_on(page) if form.id == "quick-entry")


def _drafts(app) -> list[FormDraft]:
    with app.app_context():
        found = list(db.session.scalars(select(FormDraft)))
        db.session.expunge_all()
        return found


@pytest.mark.parametrize("how", ["idle time-out", "signed out on another device", "absolute limit"])
def test_a_call_typed_into_quick_entry_comes_back_after_signing_in_and_is_saved_once(
    app, world, library, login_as, how
):
    email = world.ockero.emails[Role.RECEPTION]
    reception = login_as(Role.RECEPTION)
    reception.refresh_csrf_token(QUICK_ENTRY)
    end_session(app, reception, email, how)

    sent = reception.send_form(QUICK_ENTRY, _call(library))

    assert sent.status_code == 302
    assert sent.location == "/login?next=" + quote(QUICK_ENTRY, safe="")
    assert SIGNED_OUT in page_of(reception.get(sent.location))
    assert row_count(app, CallbackRequest) == 0 and row_count(app, Resident) == 0

    signed_in = sign_in_from(reception, sent.location, email)

    assert signed_in.location == QUICK_ENTRY
    page = page_of(reception.get(QUICK_ENTRY))
    assert KEPT in page
    shown = _values(_quick_entry(page))
    for name, value in _call(library).items():
        assert shown.get(name) == (value if isinstance(value, list) else [value]), name
    assert row_count(app, CallbackRequest) == 0

    saved = reception.post(QUICK_ENTRY, data=_quick_entry(page).sent())

    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    assert "Förfrågan från Karin Berg är sparad." in page_of(reception.get(saved.location))
    assert row_count(app, CallbackRequest) == 1 and row_count(app, Resident) == 1
    with app.app_context():
        request = db.session.scalar(select(CallbackRequest))
        assert request.wishes == "Helst på Hönö, inte måndagar. Dottern följer med."
        assert request.channel == "walk_in" and request.time_of_day == "morning"
        assert request.preferred_location_id == library.other_location_id
        assert sorted(topic.name for topic in request.topics) == ["BankID", "Swish"]
        assert request.resident.name == "Karin Berg" and request.resident.sms_consent_method == "in_person"
    again = page_of(reception.get(QUICK_ENTRY))
    assert KEPT not in again and "Karin Berg" not in again
    assert _drafts(app) == []


# --- Every staff form ----------------------------------------------------------------------------


def _table_rows(app) -> dict[str, list]:
    """Every row the forms could change (not the audit log, which records page views, the
    drafts themselves, or the time of the last sign-in)."""
    with app.app_context():
        found = {}
        for table in db.metadata.sorted_tables:
            if table.name in ("audit_event", "audit_event_resident", "form_draft"):
                continue
            columns = [column for column in table.columns if column.name != "last_login_at"]
            found[table.name] = sorted(map(repr, db.session.execute(select(*columns)).all()))
        return found


def test_every_staff_form_with_typing_comes_back_after_a_lost_session_and_saves_nothing(app, built_once):
    """Each form a coordinator can fill in on any page of the demo: sent after the idle
    time-out, it comes back on its page after signing in, with everything typed and
    chosen, and nothing in the database has changed."""
    load_demo_with_sent_campaigns(built_once)
    email = f"{DEMO_EMAIL[Role.COORDINATOR]}@ockero.example"
    client = app.test_client()
    assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    arguments = arguments_of(app, "ockero")
    pages = [
        url_of(rule, arguments)
        for rule in rules_of(app)
        if "GET" in rule.methods
        and ROUTE_ROLES[rule.endpoint] != PUBLIC
        and may(Role.COORDINATOR, ROUTE_ROLES[rule.endpoint])
    ]
    pages = [
        url for url in pages if client.get(url).mimetype == "text/html"
    ]  # a first visit may set up a page
    before = _table_rows(app)
    covered: set[str] = set()
    for url in pages:
        page = client.get(url)
        if page.status_code != 200:
            continue
        for number, form in enumerate(forms_on(page.get_data(as_text=True))):
            if form.method != "post" or not (form.typed or form.options):
                continue
            action = form.action or url
            endpoint = app.url_map.bind("localhost").match(urlsplit(action).path, method="POST")[0]
            if ROUTE_ROLES[endpoint] == PUBLIC:
                continue
            typed: dict[str, list[str]] = {name: [f"utkast {number} {name}"] for name in form.typed}
            for name, values in form.options.items():  # every box ticked, the last radio button
                typed[name] = values if name in form.checkboxes else values[-1:]
            client.delete_cookie("session")

            sent = client.post(action, data=form.sent(**typed), headers={"Referer": f"http://localhost{url}"})

            where = f"{endpoint} on {url}"
            assert sent.status_code == 302 and sent.location.startswith("/login?next="), where
            assert SIGNED_OUT in page_of(client.get(sent.location)), where
            back = sign_in_from(client, sent.location, email, DEMO_PASSWORD).location
            assert back in (url, action), where
            shown = page_of(client.get(back))
            assert KEPT in shown, where
            kept = next(
                again
                for again in forms_on(shown)
                if again.method == "post" and (again.action or back) == action
            )
            assert {name: _values(kept).get(name) for name in typed} == typed, where
            covered.add(endpoint)
    after = _table_rows(app)
    assert {name: set(rows) ^ set(before[name]) for name, rows in after.items() if rows != before[name]} == {}
    assert _drafts(app) == []
    assert {
        "reception.new_request",
        "residents.new",
        "residents.edit",
        "deskhelp.log",
        "booking.new_session",
        "booking.cancel_booking",
        "reception.log_attempt",
        "reception.close",
        "reception.reschedule",
        "booking.rebook",
        "auth.new_account",
        "org.settings",
        "notifications.settings",
        "privacy.retention_settings",
        "outreach.new",
    } <= covered, covered


# --- The booking form, and a form that posts from another page ---------------------------------


def test_a_booking_being_made_comes_back_for_the_same_resident_and_books_once(
    app, world, library, login_as, make_session, make_resident
):
    session_id = make_session()[0]
    resident_id = make_resident(name="Anna Andersson", phone="070-174 06 30")
    email = world.ockero.emails[Role.RECEPTION]
    reception = login_as(Role.RECEPTION)
    book = f"/sessions/{session_id}/book"
    form = next(
        form for form in forms_on(page_of(reception.get(f"{book}?resident={resident_id}"))) if form.typed
    )
    end_session(app, reception, email, "idle time-out")
    typed = {
        "topic_ids": [str(library.topic_ids["Swish"])],
        "needs": ["sight"],
        "note": "Tar med sin egen surfplatta",
        "channel": "walk_in",
    }

    sent = reception.post(book, data=form.sent(**typed))

    assert sent.location == "/login?next=" + quote(book, safe="")
    assert row_count(app, Booking) == 0
    assert sign_in_from(reception, sent.location, email).location == book
    page = page_of(reception.get(book))
    assert KEPT in page and "Bokning för Anna Andersson" in page
    again = next(form for form in forms_on(page) if form.typed)
    assert {name: _values(again).get(name) for name in typed} == {
        name: value if isinstance(value, list) else [value] for name, value in typed.items()
    }

    booked = reception.post(book, data=again.sent())

    assert booked.status_code == 302, booked.get_data(as_text=True)[:2000]
    assert row_count(app, Booking) == 1
    with app.app_context():
        booking = db.session.scalar(select(Booking))
        assert booking.resident_id == resident_id and booking.note == "Tar med sin egen surfplatta"
        assert [topic.name for topic in booking.topics] == ["Swish"] and booking.channel == "walk_in"


def test_an_outcome_sent_from_a_bookings_page_comes_back_there_and_only_in_its_own_form(
    app, world, library, login_as, make_session, make_resident, make_booking
):
    session_id = make_session()[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    with app.app_context():  # the session is going on now: the page has the outcome and cancelling
        session = db.session.get(HelpSession, session_id)
        session.starts_at, session.ends_at = (
            utcnow() - timedelta(minutes=10),
            utcnow() + timedelta(minutes=20),
        )
        db.session.commit()
    email = world.ockero.emails[Role.STAFF]
    staff = login_as(Role.STAFF)
    here = f"/bookings/{booking_id}"
    forms = forms_on(page_of(staff.get(here)))
    outcome = next(form for form in forms if form.action == f"{here}/outcome")
    end_session(app, staff, email, "idle time-out")
    typed = {
        "attendance": "attended",
        "helped_topic_ids": [str(library.topic_ids["BankID"])],
        "follow_up_needed": "y",
        "note": "Mobilt BankID fungerar nu.",
    }

    sent = staff.post(
        outcome.action, data=outcome.sent(**typed), headers={"Referer": f"http://localhost{here}"}
    )

    assert sent.location == "/login?next=" + quote(here, safe="")
    assert sign_in_from(staff, sent.location, email).location == here
    page = page_of(staff.get(here))
    assert KEPT in page
    forms = forms_on(page)
    again = next(form for form in forms if form.action == f"{here}/outcome")
    assert {name: _values(again).get(name) for name in typed} == {
        name: value if isinstance(value, list) else [value] for name, value in typed.items()
    }
    cancel = next(form for form in forms if form.action == f"{here}/cancel")
    assert _values(cancel).get("reason") == [""]
    with app.app_context():
        assert db.session.get(Booking, booking_id).attendance is None

    assert staff.post(outcome.action, data=again.sent()).status_code == 302
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.attendance == "attended" and booking.outcome_note == "Mobilt BankID fungerar nu."


# --- Only for her, only for a while ----------------------------------------------------------------


def _kept_call(app, world, library, login_as):
    """A receptionist's call, sent after her session went idle; returns her browser and
    the login page it was sent to."""
    reception = login_as(Role.RECEPTION)
    end_session(app, reception, world.ockero.emails[Role.RECEPTION], "idle time-out")
    sent = reception.send_form(QUICK_ENTRY, _call(library))
    assert sent.status_code == 302 and len(_drafts(app)) == 1
    return reception, sent.location


def test_a_colleague_signing_in_on_the_same_browser_does_not_get_it_but_she_does_after(
    app, world, library, login_as
):
    browser, login_page = _kept_call(app, world, library, login_as)

    colleague = sign_in_from(browser, login_page, world.ockero.emails[Role.STAFF])

    assert colleague.location == QUICK_ENTRY
    page = page_of(browser.get(QUICK_ENTRY))
    assert KEPT not in page and "Karin Berg" not in page and "Dottern" not in page
    browser.refresh_csrf_token("/")
    assert browser.send_form("/logout").status_code == 302
    assert len(_drafts(app)) == 1

    assert sign_in_from(browser, login_page, world.ockero.emails[Role.RECEPTION]).location == QUICK_ENTRY
    page = page_of(browser.get(QUICK_ENTRY))
    assert KEPT in page and 'value="Karin Berg"' in page


def test_it_comes_back_only_on_the_browser_it_was_sent_from(app, world, library, login_as):
    browser, login_page = _kept_call(app, world, library, login_as)

    elsewhere = login_as(Role.RECEPTION)

    page = page_of(elsewhere.get(QUICK_ENTRY))
    assert KEPT not in page and "Karin Berg" not in page
    assert sign_in_from(browser, login_page, world.ockero.emails[Role.RECEPTION]).location == QUICK_ENTRY
    assert 'value="Karin Berg"' in page_of(browser.get(QUICK_ENTRY))


def test_after_half_an_hour_it_is_gone(app, world, library, login_as):
    browser, login_page = _kept_call(app, world, library, login_as)
    with app.app_context():
        purge()  # the nightly purge leaves a fresh draft alone
        db.session.commit()
    assert len(_drafts(app)) == 1
    with app.app_context():
        db.session.execute(update(FormDraft).values(created_at=utcnow() - KEEP_FOR - timedelta(minutes=1)))
        db.session.commit()

    assert sign_in_from(browser, login_page, world.ockero.emails[Role.RECEPTION]).location == QUICK_ENTRY

    page = page_of(browser.get(QUICK_ENTRY))
    assert KEPT not in page and "Karin Berg" not in page
    with app.app_context():
        purge()
        db.session.commit()
    assert _drafts(app) == []


def test_signing_out_forgets_it(app, world, library, login_as):
    browser, login_page = _kept_call(app, world, library, login_as)
    assert sign_in_from(browser, login_page, world.ockero.emails[Role.RECEPTION]).status_code == 302
    browser.refresh_csrf_token("/")

    assert browser.send_form("/logout").status_code == 302

    assert _drafts(app) == []
    assert sign_in_from(browser, login_page, world.ockero.emails[Role.RECEPTION]).location == QUICK_ENTRY
    assert KEPT not in page_of(browser.get(QUICK_ENTRY))


def test_passwords_and_csrf_tokens_are_never_kept(app, world, login_as):
    email = world.ockero.emails[Role.COORDINATOR]
    coordinator = login_as(Role.COORDINATOR)
    end_session(app, coordinator, email, "idle time-out")

    sent = coordinator.send_form(
        "/accounts/new",
        {
            "name": "Nils Holm",
            "email": "nils@ockero.example",
            "role": "staff",
            "password": "hemligt lösenord 12",
        },
    )

    assert sent.location == "/login?next=" + quote("/accounts/new", safe="")
    (draft,) = _drafts(app)
    assert sorted(name for name, _value in draft.fields) == ["email", "name", "role"]
    assert "hemligt" not in repr(draft.fields)
    assert sign_in_from(coordinator, sent.location, email).location == "/accounts/new"
    page = page_of(coordinator.get("/accounts/new"))
    assert KEPT in page and 'value="Nils Holm"' in page and "hemligt" not in page


def test_a_form_sent_from_another_site_is_not_kept(app, world, library, login_as):
    reception = login_as(Role.RECEPTION)
    end_session(app, reception, world.ockero.emails[Role.RECEPTION], "idle time-out")

    sent = reception.send_form(QUICK_ENTRY, _call(library), headers={"Origin": "https://evil.example"})

    assert sent.location.startswith("/login")
    assert SIGNED_OUT not in page_of(reception.get(sent.location))
    assert _drafts(app) == []


def test_a_form_already_saved_is_not_saved_again_by_signing_in(app, world, library, login_as):
    """A double click, or Back and Spara again after the session ended: the second one is
    kept and shown, never sent on its own."""
    email = world.ockero.emails[Role.RECEPTION]
    reception = login_as(Role.RECEPTION)
    assert reception.send_form(QUICK_ENTRY, _call(library)).status_code == 302
    end_session(app, reception, email, "idle time-out")

    again = reception.send_form(QUICK_ENTRY, _call(library))
    assert sign_in_from(reception, again.location, email).location == QUICK_ENTRY
    assert KEPT in page_of(reception.get(QUICK_ENTRY))

    assert row_count(app, CallbackRequest) == 1 and row_count(app, Resident) == 1
