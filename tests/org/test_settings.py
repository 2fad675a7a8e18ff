"""A coordinator's settings for their municipality: name, phone number, SMS sender."""

import pytest
from helpers import field_error
from sqlalchemy import select

from inclusion.extensions import db
from inclusion.org.models import Organisation


def settings(**changes) -> dict:
    return {
        "name": "Öckerö kommun",
        "phone_number": "031-97 62 00",
        "sms_sender_name": "OckeroKn",
        "default_language": "sv",
        "timezone": "Europe/Stockholm",
        **changes,
    }


def organisation(app, slug: str = "ockero") -> Organisation:
    with app.app_context():
        found = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
        db.session.expunge_all()
        return found


def test_coordinator_saves_settings_with_the_phone_number_normalised(app, coordinator):
    response = coordinator.send_form("/organisation", settings(phone_number="031 - 97 62 00"))
    assert response.status_code == 302
    saved = organisation(app)
    assert saved.phone_number == "+4631976200"
    assert saved.sms_sender_name == "OckeroKn"
    page = coordinator.get("/organisation").get_data(as_text=True)
    assert "Inställningarna är sparade." in page
    assert 'value="031-97 62 00"' in page  # shown the way staff write it


def test_phone_number_may_be_left_empty(app, coordinator):
    assert coordinator.send_form("/organisation", settings(phone_number="")).status_code == 302
    assert organisation(app).phone_number is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"sms_sender_name": "OckeroKommun"}, "sms_sender_name", "längre än 11 tecken"),
        ({"sms_sender_name": "Öckerö"}, "sms_sender_name", "utan å, ä, ö"),
        ({"sms_sender_name": "Bråcke"}, "sms_sender_name", "utan å, ä, ö"),
        ({"sms_sender_name": "12345"}, "sms_sender_name", "Avsändarnamnet får ha högst 11 tecken"),
        ({"sms_sender_name": ""}, "sms_sender_name", "Skriv ett avsändarnamn."),
        ({"phone_number": "123"}, "phone_number", "Numret är för kort"),
        ({"phone_number": "+4915112345678"}, "phone_number", "Bara svenska telefonnummer"),
        ({"phone_number": "031-ABC"}, "phone_number", "får bara innehålla siffror"),
        ({"name": ""}, "name", "Skriv ett namn."),
        ({"name": "<b>Öckerö</b>"}, "name", "Får inte innehålla tecknen < eller >."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Inte ett giltigt val"),
    ],
    ids=[
        "sender-too-long",
        "sender-with-ö",
        "sender-with-å",
        "sender-only-digits",
        "sender-empty",
        "phone-too-short",
        "phone-foreign",
        "phone-letters",
        "name-empty",
        "name-markup",
        "unknown-timezone",
    ],
)
def test_bad_settings_are_refused_next_to_the_field(app, coordinator, changes, field, message):
    response = coordinator.send_form("/organisation", settings(**changes))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    saved = organisation(app)
    assert saved.sms_sender_name == "Ockero"  # as the fixture left it
    assert saved.phone_number is None


def test_settings_change_only_the_own_municipality(app, coordinator):
    coordinator.send_form("/organisation", settings(name="Öckerö kommun (ändrad)"))
    assert organisation(app).name == "Öckerö kommun (ändrad)"
    assert organisation(app, "bracke").name == "Bräcke kommun"
