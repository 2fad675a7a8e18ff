"""The public door in a real browser: a resident, not logged in, finds the municipality's
page, follows the link to the help form, fills it in and sends it; a receptionist then
signs in and finds the request, with the resident's own words, in the queue. And a
session's poster prints on one A4 sheet without the menu."""

from __future__ import annotations

import re
from datetime import time

from playwright.sync_api import Page, expect

from inclusion.core.access import Role
from tests.public import conftest as public_fixtures

# The public folder's fixtures (its conftest does not reach this folder).
door = public_fixtures.door

NAME = "Märta Holm"
PHONE = "070-987 65 43"
WISHES = "Jag vill lära mig Swish och att ringa videosamtal med barnbarnen."


def test_a_resident_asks_for_help_and_reception_sees_it(page: Page, sign_in_as, door, make_session):
    make_session(kind="group", title="Digital fika", capacity=6, starts=time(10), ends=time(12))

    page.goto("/kommun/ockero")
    expect(page.get_by_role("heading", name="Digital hjälp i Öckerö kommun", level=1)).to_be_visible()
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_have_count(0)
    expect(page.get_by_role("region", name="Öckerö bibliotek")).to_contain_text("6 platser kvar")
    page.get_by_role("link", name="Be oss ringa upp dig").click()

    expect(page.get_by_role("heading", name="Jag vill ha hjälp", level=1)).to_be_visible()
    page.get_by_label("Ditt namn").fill(NAME)
    page.get_by_label("Ditt telefonnummer").fill(PHONE)
    expect(page.get_by_role("radio", name="Jag själv")).to_be_checked()
    page.get_by_label("Vad gäller det?").select_option(label="Swish")
    page.get_by_label("Vad vill du ha hjälp med?").fill(WISHES)
    # The robot trap is neither seen nor reached: people leave it empty.
    expect(page.get_by_label("Lämna det här fältet tomt")).not_to_be_in_viewport()
    page.get_by_label("Ni får spara uppgifterna och ringa upp mig").check()
    page.get_by_role("button", name="Skicka").click()

    expect(page).to_have_url(re.compile(r"/kommun/ockero/hjalp/tack$"))
    expect(page.get_by_role("heading", name="Tack!", level=1)).to_be_visible()
    expect(page.locator(".lead")).to_contain_text("Vi ringer upp dig senast")

    sign_in_as(Role.RECEPTION)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Förfrågningar").click()
    row = page.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(PHONE)
    expect(row).to_contain_text("Swish")
    expect(row).to_contain_text("Jag vill lära mig Swish")
    row.get_by_role("link", name=NAME).click()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(WISHES)
    expect(facts).to_contain_text("Webbformulär")


def test_the_poster_prints_on_one_a4_sheet_without_the_menu(page: Page, sign_in_as, door, make_session):
    # The longest description a session can have (1000 characters) still fits.
    description = ("Kaffe, kaka och hjälp med mobilen. " * 29)[:1000]
    (session_id,) = make_session(kind="group", title="Digital fika", description=description)

    sign_in_as(Role.STAFF)
    page.goto(f"/sessions/{session_id}")
    page.get_by_role("link", name="Skriv ut affisch").click()
    expect(page.get_by_role("heading", name="Digital fika", level=2)).to_be_visible()
    expect(page.get_by_text("kan bli två sidor")).to_have_count(0)

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Huvudmeny")).to_be_hidden()
    expect(page.get_by_role("button", name="Skriv ut affischen")).to_be_hidden()
    expect(page.locator(".poster__call")).to_contain_text("Boka en plats: ring 0304-66 00 00")
    pdf = page.pdf(prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
