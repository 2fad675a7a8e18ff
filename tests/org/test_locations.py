"""Coordinators describe where help is given: address, directions and opening hours."""

import re
from datetime import time

import pytest
from helpers import field_error
from sqlalchemy import func, select

from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.org import services
from inclusion.org.models import Location


def location_form(**changes) -> dict:
    data = {
        "name": "Öckerö bibliotek",
        "street_address": "Hönö vägen 2",
        "postal_code": "475 31",
        "city": "Öckerö",
        "area": "Hönö",
        "directions": "Buss 281 till Hönö centrum.",
        "accessibility_notes": "Ramp vid entrén, hörslinga.",
        "active": "y",
        "opens_1": "10:00",
        "closes_1": "12:00",
        "opens_3": "13:00",
        "closes_3": "16:30",
        **changes,
    }
    return {key: value for key, value in data.items() if value is not None}


def stored(app, name: str = "Öckerö bibliotek") -> Location | None:
    with app.app_context():
        location = db.session.scalar(select(Location).where(Location.name == name))
        if location is not None:
            location.hours = {h.weekday: (h.opens, h.closes) for h in location.opening_hours}
        db.session.expunge_all()
        return location


def location_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Location))


def make_location(app, organisation_id: int, name: str = "Bräcke bibliotek") -> int:
    with app.app_context():
        location = services.create_location(
            organisation_id,
            services.LocationDetails(name, "Storgatan 1", "843 31", "Bräcke", hours={0: (time(9), time(12))}),
        )
        db.session.commit()
        return location.id


def test_coordinator_creates_a_location_with_opening_hours(app, coordinator):
    response = coordinator.send_form("/locations/new", location_form())
    location = stored(app)
    assert response.status_code == 302
    assert response.location == f"/locations/{location.id}"
    assert location.hours == {1: (time(10), time(12)), 3: (time(13), time(16, 30))}
    assert location.area == "Hönö"
    page = coordinator.get(response.location).get_data(as_text=True)
    assert "Platsen Öckerö bibliotek är skapad." in page
    assert "10.00–12.00" in page
    assert "13.00–16.30" in page


def test_every_role_can_read_a_location(app, world, login_as):
    location_id = make_location(app, world.ockero.id, "Kälarne bygdegård")
    for role in Role:
        page = login_as(role).get(f"/locations/{location_id}")
        assert page.status_code == 200
        assert "09.00–12.00" in page.get_data(as_text=True)


def test_coordinator_edits_a_location_and_its_hours(app, coordinator):
    coordinator.send_form("/locations/new", location_form())
    location_id = stored(app).id
    changes = location_form(name="Hönö bibliotek", opens_1="", closes_1="", opens_4="09:00", closes_4="11:00")
    response = coordinator.send_form(f"/locations/{location_id}/edit", changes)
    assert response.status_code == 302
    location = stored(app, "Hönö bibliotek")
    assert location.id == location_id
    assert location.hours == {3: (time(13), time(16, 30)), 4: (time(9), time(11))}


def test_edit_form_shows_the_stored_hours(app, coordinator):
    coordinator.send_form("/locations/new", location_form())
    page = coordinator.get(f"/locations/{stored(app).id}/edit").get_data(as_text=True)
    assert re.search(r'name="opens_3"[^>]*value="13:00"', page)
    assert re.search(r'name="closes_3"[^>]*value="16:30"', page)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"opens_2": "15:00", "closes_2": "09:00"},
            "closes_2",
            "Stängningstiden måste vara efter öppningstiden.",
        ),
        (
            {"opens_2": "09:00", "closes_2": "09:00"},
            "closes_2",
            "Stängningstiden måste vara efter öppningstiden.",
        ),
        ({"opens_5": "09:00"}, "closes_5", "Fyll i både öppnar och stänger"),
        ({"opens_5": "09:00", "closes_5": ""}, "closes_5", "Fyll i både öppnar och stänger"),
        ({"closes_5": "17:00"}, "closes_5", "Fyll i både öppnar och stänger"),
        ({"opens_0": "nine"}, "opens_0", "Inte ett giltigt tidsvärde."),
        ({"postal_code": "ABCDE"}, "postal_code", "Skriv postnumret med fem siffror"),
        ({"postal_code": "4753"}, "postal_code", "Skriv postnumret med fem siffror"),
        ({"name": ""}, "name", "Skriv ett namn."),
        ({"name": "<b>Bibliotek</b>"}, "name", "Får inte innehålla tecknen < eller >."),
        ({"name": "B" * 10_000}, "name", "längre än 120 tecken"),
        ({"street_address": ""}, "street_address", "Skriv en adress."),
    ],
    ids=[
        "closes-before-opens",
        "closes-when-opens",
        "only-opens",
        "only-opens-closes-blank",
        "only-closes",
        "not-a-time",
        "letters-in-postal-code",
        "short-postal-code",
        "empty-name",
        "markup-in-name",
        "long-name",
        "no-address",
    ],
)
def test_bad_location_details_are_refused_next_to_the_field(app, coordinator, changes, field, message):
    response = coordinator.send_form("/locations/new", location_form(**changes))
    assert response.status_code == 422
    assert message in field_error(response.get_data(as_text=True), field)
    assert location_count(app) == 0


def test_a_refused_edit_keeps_the_old_hours(app, coordinator):
    coordinator.send_form("/locations/new", location_form())
    location_id = stored(app).id
    response = coordinator.send_form(
        f"/locations/{location_id}/edit", location_form(opens_1="12:00", closes_1="10:00")
    )
    assert response.status_code == 422
    assert stored(app).hours[1] == (time(10), time(12))


def test_duplicate_location_name_is_refused(app, world, coordinator):
    make_location(app, world.bracke.id, "Öckerö bibliotek")  # the same name elsewhere is fine
    assert coordinator.send_form("/locations/new", location_form()).status_code == 302
    response = coordinator.send_form("/locations/new", location_form(street_address="Annan väg 1"))
    assert response.status_code == 422
    assert "Det finns redan en plats med det namnet." in field_error(response.get_data(as_text=True), "name")
    assert location_count(app) == 2


def test_renaming_to_a_taken_name_is_refused(app, world, coordinator):
    make_location(app, world.ockero.id, "Hönö bibliotek")
    coordinator.send_form("/locations/new", location_form())
    response = coordinator.send_form(
        f"/locations/{stored(app).id}/edit", location_form(name="Hönö bibliotek")
    )
    assert response.status_code == 422
    assert "Det finns redan en plats med det namnet." in field_error(response.get_data(as_text=True), "name")


def test_locations_of_another_municipality_answer_404(app, world, coordinator):
    other = make_location(app, world.bracke.id)
    assert coordinator.get(f"/locations/{other}").status_code == 404
    assert coordinator.get(f"/locations/{other}/edit").status_code == 404
    response = coordinator.send_form(f"/locations/{other}/edit", location_form(name="Stulen"))
    assert response.status_code == 404
    assert stored(app, "Bräcke bibliotek") is not None
    assert "Bräcke bibliotek" not in coordinator.get("/locations").get_data(as_text=True)
