"""A request body has a size limit: 20 MB sent to the login page is refused with a
friendly page before it is read, while the largest real form still goes through."""

from __future__ import annotations

import io

import pytest
from conftest import PASSWORD
from helpers import row_count

from inclusion.core.access import Role
from inclusion.org.models import Location

TWENTY_MB = 20 * 1024 * 1024
TOO_BIG = "Det du skickade är för stort"


def _is_the_friendly_page(response) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert TOO_BIG in page and "Inget har sparats" in page
    assert 'lang="sv"' in page and "<main" in page  # the site's own layout, in Swedish
    assert "Request Entity Too Large" not in page


def test_twenty_megabytes_posted_to_the_login_page_get_the_friendly_413(app):
    client = app.test_client()
    client.refresh_csrf_token("/login")
    body = f"csrf_token={client.csrf_token}&email=a%40b.se&password=".encode() + b"x" * TWENTY_MB

    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")

    _is_the_friendly_page(response)


def test_twenty_megabytes_as_a_file_in_a_multipart_form_get_the_friendly_413(app):
    response = app.test_client().post(
        "/kommun/ockero/hjalp",
        data={"name": "Märta", "attachment": (io.BytesIO(b"x" * TWENTY_MB), "big.bin")},
        content_type="multipart/form-data",
    )

    _is_the_friendly_page(response)


@pytest.mark.parametrize("size", [200_000, 900_000])
def test_a_large_sign_in_under_a_megabyte_is_read_as_usual(app, world, size):
    """The limit is the documented megabyte, not anything a real form comes near."""
    client = app.test_client()
    client.refresh_csrf_token("/login")
    response = client.send_form(
        "/login",
        {"email": world.ockero.emails[Role.STAFF], "password": PASSWORD, "padding": "å" * (size // 6)},
    )
    assert response.status_code == 302


def test_the_largest_staff_form_with_every_text_at_its_longest_is_saved(app, coordinator):
    longest = "Buss 281 till Hönö centrum, sedan färjan. Åk till ändhållplatsen. " * 40
    form = {
        "name": "Öckerö bibliotek",
        "street_address": "Hönö vägen 2",
        "postal_code": "475 31",
        "city": "Öckerö",
        "area": "Hönö",
        "directions": longest[:2000],
        "accessibility_notes": longest[:2000],
        "active": "y",
        **{f"opens_{day}": "09:00" for day in range(7)},
        **{f"closes_{day}": "19:00" for day in range(7)},
    }

    response = coordinator.send_form("/locations/new", form)

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert row_count(app, Location) == 1
