"""The resident registry: reception and staff register, find and change residents;
bad input is refused next to its field and saves nothing; only coordinators delete."""

import pytest
from helpers import NEW_RESIDENT, field_error
from sqlalchemy import func, select

from inclusion.auth.models import User
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.residents.models import Resident


def resident_form(**changes) -> dict:
    data = {
        **NEW_RESIDENT,
        "age_band": "75_84",
        "notes": "",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


def residents(app) -> list[Resident]:
    with app.app_context():
        found = list(db.session.scalars(select(Resident).order_by(Resident.id)))
        db.session.expunge_all()
        return found


def resident_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Resident))


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.STAFF, Role.RECEPTION])
def test_registering_a_resident_stores_the_number_normalised(app, world, login_as, role):
    client = login_as(role)
    response = client.send_form("/residents/new", resident_form())
    [resident] = residents(app)
    assert response.status_code == 302
    assert response.location == f"/residents/{resident.id}"
    assert resident.phone_e164 == "+46701234567"
    assert resident.phone_kind == "mobile"
    assert resident.organisation_id == world.ockero.id
    assert resident.sms_consent and resident.sms_consent_method == "phone"
    assert resident.sms_consent_at is not None
    page = client.get(response.location).get_data(as_text=True)
    assert "Åsa Nilsson är registrerad." in page
    assert "070-123 45 67 (mobil)" in page


def test_consent_records_who_took_it(app, world, coordinator):
    coordinator.send_form("/residents/new", resident_form())
    [resident] = residents(app)
    with app.app_context():
        email = db.session.scalar(select(User.email).where(User.id == resident.sms_consent_recorded_by_id))
    assert email == world.ockero.emails[Role.COORDINATOR]
    page = coordinator.get(f"/residents/{resident.id}").get_data(as_text=True)
    assert "antecknat av Coordinator Öckerö kommun" in page


def test_resident_without_any_phone_is_reached_by_letter(app, coordinator):
    data = resident_form(
        phone="",
        preferred_channel="letter",
        sms_consent=None,
        sms_consent_method="",
        street_address="Hönö Röd 12",
        postal_code="475 45",
        city="Hönö",
    )
    assert coordinator.send_form("/residents/new", data).status_code == 302
    [resident] = residents(app)
    assert resident.phone_e164 is None
    assert resident.phone_kind == "none"


@pytest.fixture
def registry(make_resident):
    make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    make_resident(name="Bengt Karlsson", phone="070-765 43 21")
    make_resident(municipality="bracke", name="Åsa i Bräcke", phone="070-123 45 67")


@pytest.mark.parametrize(
    "query",
    [
        "070-123 45 67",
        "+46701234567",
        "0046701234567",
        "0701234567",
        "070-123",
        "4567",
        "Åsa",
        "åsa",
        "ÅSA",
        "nilss",
    ],
)
def test_search_finds_a_resident_by_number_or_name(login_as, registry, query):
    response = login_as(Role.RECEPTION).get("/residents", query_string={"q": query})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Åsa Nilsson" in page
    assert "Bengt Karlsson" not in page
    assert "Åsa i Bräcke" not in page  # another municipality's resident is never found
    assert "1 invånare hittades" in page


def test_search_without_a_match_offers_to_register(login_as, registry):
    page = (
        login_as(Role.RECEPTION).get("/residents", query_string={"q": "0709 99 99 99"}).get_data(as_text=True)
    )
    assert "0 invånare hittades" in page
    assert "/residents/new?phone=0709" in page


def test_search_treats_wildcards_as_text(login_as, registry):
    page = login_as(Role.STAFF).get("/residents", query_string={"q": "%"}).get_data(as_text=True)
    assert "0 invånare hittades" in page


def test_a_second_resident_with_the_same_number_needs_confirmation(app, coordinator, make_resident):
    first = make_resident(name="Karl Berg", phone="0304-123 45", preferred_channel="staff_call")
    data = resident_form(name="Greta Berg", phone="0304 12345", preferred_channel="staff_call")
    data.pop("sms_consent")

    warned = coordinator.send_form("/residents/new", data)
    page = warned.get_data(as_text=True)
    assert warned.status_code == 422
    assert "Det finns redan en invånare med det här numret." in field_error(page, "phone")
    assert f'<a href="/residents/{first}">Karl Berg</a>' in page
    assert "confirm_shared_number" in page
    assert resident_count(app) == 1

    confirmed = coordinator.send_form("/residents/new", {**data, "confirm_shared_number": "y"})
    assert confirmed.status_code == 302
    assert [r.name for r in residents(app)] == ["Karl Berg", "Greta Berg"]
    assert "Karl Berg" in coordinator.get(confirmed.location).get_data(as_text=True)  # "shares number with"


def test_the_same_number_in_another_municipality_is_not_a_duplicate(app, coordinator, make_resident):
    make_resident(municipality="bracke", name="Åsa i Bräcke", phone="070-123 45 67")
    assert coordinator.send_form("/residents/new", resident_form()).status_code == 302


BAD_INPUT = [
    ("empty-name", {"name": ""}, "name", "Skriv ett namn."),
    ("blank-name", {"name": "   "}, "name", "Skriv ett namn."),
    ("long-name", {"name": "Å" * 10_000}, "name", "Namnet får vara högst 120 tecken."),
    ("markup-name", {"name": "<script>alert(1)</script>"}, "name", "får inte innehålla tecknen < eller >"),
    ("short-phone", {"phone": "123"}, "phone", "Numret är för kort, för långt eller finns inte i Sverige."),
    ("foreign-phone", {"phone": "+4915112345678"}, "phone", "Bara svenska telefonnummer kan användas"),
    ("letters-phone", {"phone": "070-ABC"}, "phone", "Telefonnumret får bara innehålla siffror"),
    ("sms-to-landline", {"phone": "08-123 456 78"}, "preferred_channel", "Sms kräver ett mobilnummer."),
    ("sms-without-phone", {"phone": ""}, "preferred_channel", "Sms kräver ett mobilnummer."),
    (
        "sms-without-consent",
        {"sms_consent": None},
        "sms_consent",
        "Sms kräver att invånaren har sagt ja till sms.",
    ),
    (
        "consent-without-method",
        {"sms_consent_method": ""},
        "sms_consent_method",
        "Ange hur invånaren gav sitt samtycke",
    ),
    (
        "letter-without-address",
        {"preferred_channel": "letter", "street_address": "Hönö Röd 12"},
        "street_address",
        "Brev kräver en fullständig postadress",
    ),
    (
        "call-without-phone",
        {"phone": "", "preferred_channel": "voice"},
        "preferred_channel",
        "Samtal kräver ett telefonnummer.",
    ),
    ("long-notes", {"notes": "x" * 2001}, "notes", "Anteckningen får vara högst 2000 tecken."),
    # PostgreSQL cannot store a NUL in a text: refused like in every other note, not a 500
    (
        "nul-in-notes",
        {"notes": "Ring efter 10\x00"},
        "notes",
        "Texten innehåller tecken som inte går att spara.",
    ),
    ("bad-contact-phone", {"trusted_contact_phone": "12"}, "trusted_contact_phone", "Numret är för kort"),
    (
        "copies-without-contact-phone",
        {"trusted_contact_name": "Lars", "trusted_contact_consent": "y"},
        "trusted_contact_phone",
        "En kontaktperson som ska få kopior behöver ett telefonnummer.",
    ),
    ("unknown-channel", {"preferred_channel": "pigeon"}, "preferred_channel", "Inte ett giltigt val"),
]


@pytest.mark.parametrize(
    ("changes", "field", "message"), [case[1:] for case in BAD_INPUT], ids=[case[0] for case in BAD_INPUT]
)
def test_bad_input_is_refused_next_to_the_field_and_saves_nothing(app, coordinator, changes, field, message):
    response = coordinator.send_form("/residents/new", resident_form(**changes))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert resident_count(app) == 0


def test_every_problem_is_reported_at_once(app, coordinator):
    response = coordinator.send_form("/residents/new", resident_form(name="", phone="123", notes="x" * 2001))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "name") and field_error(page, "phone") and field_error(page, "notes")


def test_html_in_notes_is_shown_as_text(app, coordinator):
    notes = "<script>alert('hej')</script> Vill ha hjälp med <b>Kivra</b>"
    response = coordinator.send_form("/residents/new", resident_form(notes=notes))
    assert response.status_code == 302
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "&lt;script&gt;" in page
    assert "<script>" not in page
    assert "<b>Kivra</b>" not in page
    assert residents(app)[0].notes == notes


def test_editing_a_resident(app, login_as, make_resident):
    resident_id = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    client = login_as(Role.STAFF)
    form = client.get(f"/residents/{resident_id}/edit").get_data(as_text=True)
    assert 'value="070-123 45 67"' in form

    changes = resident_form(
        name="Åsa Nilsson-Berg", phone="031-96 00 00", preferred_channel="voice", sms_consent=None
    )
    response = client.send_form(f"/residents/{resident_id}/edit", changes)
    assert response.status_code == 302
    [resident] = residents(app)
    assert resident.name == "Åsa Nilsson-Berg"
    assert (resident.phone_e164, resident.phone_kind) == ("+4631960000", "landline")
    assert not resident.sms_consent
    assert resident.sms_consent_at is None


def test_a_refused_edit_changes_nothing(app, coordinator, make_resident):
    resident_id = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    response = coordinator.send_form(f"/residents/{resident_id}/edit", resident_form(name="Ny", phone="123"))
    assert response.status_code == 422
    assert residents(app)[0].name == "Åsa Nilsson"


def test_editing_to_a_number_someone_else_has_needs_confirmation(app, coordinator, make_resident):
    make_resident(name="Karl Berg", phone="070-765 43 21")
    resident_id = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    url = f"/residents/{resident_id}/edit"
    response = coordinator.send_form(url, resident_form(phone="070-765 43 21"))
    assert response.status_code == 422
    assert "Karl Berg" in response.get_data(as_text=True)
    assert residents(app)[1].phone_e164 == "+46701234567"
    response = coordinator.send_form(url, resident_form(phone="070-765 43 21", confirm_shared_number="y"))
    assert response.status_code == 302
    # once confirmed, saving again without touching the number does not warn again
    assert coordinator.send_form(url, resident_form(phone="070-765 43 21", notes="Ny")).status_code == 302


def test_coordinator_deletes_a_resident_with_post(app, coordinator, make_resident):
    resident_id = make_resident(name="Åsa Nilsson", phone="070-123 45 67")
    response = coordinator.send_form(f"/residents/{resident_id}/delete")
    assert response.status_code == 302
    assert response.location == "/residents"
    assert "Åsa Nilsson är raderad ur registret." in coordinator.get("/residents").get_data(as_text=True)
    assert resident_count(app) == 0
    assert coordinator.get(f"/residents/{resident_id}").status_code == 404


@pytest.mark.parametrize("role", [Role.STAFF, Role.RECEPTION, Role.VOLUNTEER])
def test_only_coordinators_may_delete(app, login_as, make_resident, role):
    resident_id = make_resident(phone="070-123 45 67")
    client = login_as(role)
    assert client.get(f"/residents/{resident_id}/delete").status_code == 403
    assert client.send_form(f"/residents/{resident_id}/delete").status_code == 403
    assert resident_count(app) == 1


def test_delete_link_is_shown_only_to_coordinators(login_as, make_resident):
    resident_id = make_resident(phone="070-123 45 67")
    assert "Radera invånaren" in login_as(Role.COORDINATOR).get(f"/residents/{resident_id}").get_data(
        as_text=True
    )
    assert "Radera invånaren" not in login_as(Role.STAFF).get(f"/residents/{resident_id}").get_data(
        as_text=True
    )


def test_residents_of_another_municipality_answer_404(app, coordinator, make_resident):
    other = make_resident(municipality="bracke", name="Åsa i Bräcke", phone="070-123 45 67")
    assert coordinator.get(f"/residents/{other}").status_code == 404
    assert coordinator.get(f"/residents/{other}/edit").status_code == 404
    assert coordinator.send_form(f"/residents/{other}/edit", resident_form(name="Stulen")).status_code == 404
    assert coordinator.get(f"/residents/{other}/delete").status_code == 404
    assert coordinator.send_form(f"/residents/{other}/delete").status_code == 404
    [resident] = residents(app)
    assert resident.name == "Åsa i Bräcke"
