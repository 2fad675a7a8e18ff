"""No web address reaches a resident's message through the words staff or residents type.

Every form whose text can end up in a message (a name in "Hej {namn}", a trusted contact,
a resident's postal address on a letter, a place, its address and directions, a session's
title, the municipality's name, a staff member's name in {personal}, a template, a
campaign's invitation) refuses a disguised web address or hidden characters next to the
field, saves nothing, and leaves no message in the outbox that carries an address. A name
saved before the check existed is left out of the message rather than sent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from helpers import NEW_RESIDENT, field_error, page_of
from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.booking.models import HelpSession
from inclusion.core.access import Role
from inclusion.core.text import reads_as_web_address
from inclusion.extensions import db
from inclusion.org.models import Location, Organisation
from inclusion.outbox.models import Message, MessageTemplate
from inclusion.outreach.models import Campaign
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.outreach import conftest as outreach_fixtures
from tests.reception.support import quick_entry_form

islands = outreach_fixtures.islands
group_session = outreach_fixtures.group_session
campaign_data = outreach_fixtures.campaign_data

#: what a fraudster types where a name or a place belongs
DISGUISES = {
    "domain": "bankid-verifiera.com Svensson",
    "hxxp": "Anna hxxps://bankid Svensson",
    "full-width": "ｂａｎｋｉｄ．ｓｅ Berg",
    "obfuscated": "bankid[.]se Berg",
    "shortener": "Anna bit.ly/bankid",
    "reversed": "Anna \u202eesrev.dikab\u202c Berg",
}


@dataclass
class Form:
    url: str
    role: Role | None  # None: the public form, no sign-in
    field: str
    data: Callable[[object, str], dict]


PUBLIC_FORM = "/kommun/ockero/hjalp"
HELP_REQUEST = {
    "phone": "070-987 65 43",
    "for_whom": "self",
    "topic_id": "",
    "wishes": "Swish",
    "consent": "y",
}
LOCATION = {
    "name": "Hönö bibliotek nya",
    "street_address": "Hönö vägen 2",
    "postal_code": "475 31",
    "city": "Öckerö",
    "area": "Hönö",
    "directions": "Buss 281 till Hönö centrum.",
    "active": "y",
    "opens_1": "10:00",
    "closes_1": "12:00",
}
ORGANISATION = {
    "name": "Öckerö kommun",
    "phone_number": "031-97 62 00",
    "sms_sender_name": "OckeroKn",
    "default_language": "sv",
    "timezone": "Europe/Stockholm",
}


def _session_form(setup, title: str) -> dict:
    return {
        "kind": "group",
        "location_id": str(setup.library.location_id),
        "title": title,
        "day": outreach_fixtures.fika_day().isoformat(),
        "starts": "13:00",
        "ends": "14:00",
        "appointment_minutes": "",
        "capacity": "5",
        "staff_ids": [str(setup.library.staff_id)],
        "topic_ids": [],
        "repeat_weekdays": [],
        "last_day": "",
        "description": "",
    }


FORMS = {
    "help form: own name": Form(
        PUBLIC_FORM, None, "name", lambda setup, value: {**HELP_REQUEST, "name": value}
    ),
    "help form: the relative's name": Form(
        PUBLIC_FORM,
        None,
        "relative_name",
        lambda setup, value: {
            **HELP_REQUEST,
            "name": "Karl Holm",
            "for_whom": "relative",
            "relative_name": value,
        },
    ),
    "resident: name": Form(
        "/residents/new", Role.RECEPTION, "name", lambda setup, value: {**NEW_RESIDENT, "name": value}
    ),
    "resident: trusted contact": Form(
        "/residents/new",
        Role.STAFF,
        "trusted_contact_name",
        lambda setup, value: {
            **NEW_RESIDENT,
            "trusted_contact_name": value,
            "trusted_contact_phone": "070-765 43 21",
        },
    ),
    "resident: postal address": Form(
        "/residents/new",
        Role.STAFF,
        "street_address",
        lambda setup, value: {
            **NEW_RESIDENT,
            "preferred_channel": "letter",
            "street_address": value,
            "postal_code": "475 31",
            "city": "Öckerö",
        },
    ),
    "quick entry: caller's name": Form(
        "/reception/requests/new",
        Role.RECEPTION,
        "name",
        lambda setup, value: quick_entry_form(setup.library, resident_choice="new", name=value),
    ),
    "location: name": Form(
        "/locations/new", Role.COORDINATOR, "name", lambda setup, value: {**LOCATION, "name": value}
    ),
    "location: address": Form(
        "/locations/new",
        Role.COORDINATOR,
        "street_address",
        lambda setup, value: {**LOCATION, "street_address": value},
    ),
    "location: directions": Form(
        "/locations/new",
        Role.COORDINATOR,
        "directions",
        lambda setup, value: {**LOCATION, "directions": f"Buss 281 till Hönö.\n{value}"},
    ),
    "organisation: name": Form(
        "/organisation", Role.COORDINATOR, "name", lambda setup, value: {**ORGANISATION, "name": value}
    ),
    "staff account: name": Form(
        "/accounts/new",
        Role.COORDINATOR,
        "name",
        lambda setup, value: {
            "name": value,
            "email": "karin.lind@ockero.example",
            "role": "staff",
            "password": "long enough password",
            "active": "y",
        },
    ),
    "session: title": Form(
        "/sessions/new", Role.STAFF, "title", lambda setup, value: _session_form(setup, value)
    ),
    "template": Form(
        "/messages/templates/confirmation/sms/sv",
        Role.COORDINATOR,
        "body",
        lambda setup, value: {
            "body": f"Hej {{namn}}! Vi ses {{datum}} kl. {{tid}}. {value}",
            "submit": "Spara texten",
        },
    ),
    "campaign: invitation": Form(
        "/campaigns/new",
        Role.COORDINATOR,
        "sms_text",
        lambda setup, value: setup.campaign_data(
            setup.group_session, sms_text=f"Hej {{namn}}! Fika {{datum}} kl. {{tid}}. {value}"
        ),
    ),
}


@dataclass
class Setup:
    library: object
    group_session: int
    campaign_data: Callable


@pytest.fixture
def setup(library, group_session, campaign_data) -> Setup:
    return Setup(library, group_session, campaign_data)


def state(app) -> dict:
    """What a refused form must leave as it was."""
    with app.app_context():
        counts = {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (
                CallbackRequest,
                Resident,
                Location,
                HelpSession,
                User,
                MessageTemplate,
                Campaign,
                Message,
            )
        }
        counts["organisation names"] = sorted(db.session.scalars(select(Organisation.name)))
        db.session.remove()
    return counts


def messages_carrying_an_address(app) -> list[str]:
    with app.app_context():
        bodies = list(db.session.scalars(select(Message.body)))
        db.session.remove()
    return [body for body in bodies if reads_as_web_address(body)]


def client_for(app, login_as, form: Form):
    if form.role is not None:
        return login_as(form.role)
    client = app.test_client()
    client.refresh_csrf_token(PUBLIC_FORM)
    return client


@pytest.mark.parametrize("disguise", list(DISGUISES), ids=list(DISGUISES))
@pytest.mark.parametrize("form_name", list(FORMS), ids=list(FORMS))
def test_a_web_address_or_hidden_text_is_refused_next_to_the_field_and_saves_nothing(
    app, login_as, setup, form_name, disguise
):
    form = FORMS[form_name]
    client = client_for(app, login_as, form)
    before = state(app)

    response = client.send_form(form.url, form.data(setup, DISGUISES[disguise]))

    error = field_error(page_of(response, 422), form.field)
    if disguise == "reversed":
        assert "osynliga tecken" in error, error
    else:
        assert "länkar" in error, error
    assert state(app) == before
    assert messages_carrying_an_address(app) == []


@pytest.mark.parametrize(
    ("form_name", "value"),
    [
        ("help form: own name", "A.B. Svensson"),
        ("resident: name", "Märta-Lisa Öberg"),
        ("resident: postal address", "S:t Eriks väg 12, lgh 1102"),
        ("quick entry: caller's name", "Karl Ek Jr."),
        ("location: address", "Storg. 5"),
        ("location: directions", "Buss 281 t.ex. kl. 10.00, av vid S:t Anna."),
        ("session: title", "Digital fika, t.ex. Swish & 1177"),
        ("template", "Ta med t.ex. legitimation. Frågor? Ring {telefon}."),
    ],
)
def test_ordinary_swedish_in_the_same_fields_is_saved(app, login_as, setup, form_name, value):
    form = FORMS[form_name]
    client = client_for(app, login_as, form)

    response = client.send_form(form.url, form.data(setup, value))

    assert response.status_code == 302, field_error(response.get_data(as_text=True), form.field)


def test_a_name_and_directions_saved_before_the_check_are_left_out_of_every_message(
    app, library, make_resident, make_session, make_booking
):
    resident_id = make_resident(name="Greta Testsson", phone="070-123 45 67")
    with app.app_context():
        # As an older version let them in: straight into the database.
        db.session.get(Resident, resident_id).name = "bankid-verifiera.com Svensson"
        db.session.get(Location, library.location_id).directions = "Logga in på bankid-verifiera.se först."
        db.session.commit()
        db.session.remove()

    make_booking(make_session()[0], resident_id)

    with app.app_context():
        bodies = list(db.session.scalars(select(Message.body)))
        db.session.remove()
    assert bodies, "the booking plans a confirmation and reminders"
    assert messages_carrying_an_address(app) == []
    assert all("bankid" not in body for body in bodies)
