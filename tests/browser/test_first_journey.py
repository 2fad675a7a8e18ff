"""First journeys through a real browser: register and find a resident, a volunteer kept
out of the accounts, and the login page used with the keyboard alone."""

from __future__ import annotations

import re

from conftest import PASSWORD
from playwright.sync_api import Page, expect

from inclusion.core.access import Role
from tests.browser.keyboard import focus_top_of_document

RESIDENT = "Astrid Lindqvist"


def main_menu(page: Page):
    return page.get_by_role("navigation", name="Huvudmeny")


def test_coordinator_registers_a_resident_and_finds_her_by_number(page: Page, sign_in_as):
    sign_in_as(Role.COORDINATOR)
    expect(main_menu(page).get_by_role("link", name="Konton")).to_be_visible()

    main_menu(page).get_by_role("link", name="Invånare").click()
    expect(page.get_by_role("heading", name="Invånare", level=1)).to_be_visible()
    page.get_by_role("link", name="Registrera invånare").click()

    page.get_by_label("Namn", exact=True).fill(RESIDENT)
    page.get_by_label("Telefonnummer", exact=True).fill("070-123 45 67")
    page.get_by_label("Hur vill invånaren bli påmind?").select_option("sms")
    page.get_by_label("Invånaren har sagt ja till sms").check()
    page.get_by_label("Hur gavs samtycket?").select_option("phone")
    page.get_by_role("button", name="Spara").click()

    expect(page).to_have_url(re.compile(r"/residents/\d+$"))
    expect(page.get_by_role("heading", name=RESIDENT, level=1)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("070-123 45 67")
    resident_url = page.url

    main_menu(page).get_by_role("link", name="Invånare").click()
    expect(page).to_have_url(re.compile(r"/residents$"))
    page.get_by_label("Sök på namn eller telefonnummer").fill("+46701234567")
    page.get_by_role("button", name="Sök", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("1 invånare hittades")
    results = page.get_by_role("table")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and her
    results.get_by_role("link", name=RESIDENT).click()
    expect(page).to_have_url(resident_url)
    expect(page.get_by_role("heading", name=RESIDENT, level=1)).to_be_visible()


def test_volunteer_sees_no_accounts_and_is_refused_them(page: Page, sign_in_as):
    sign_in_as(Role.VOLUNTEER)
    expect(main_menu(page).get_by_role("link", name="Start")).to_be_visible()
    expect(main_menu(page).get_by_role("link", name="Konton")).to_have_count(0)

    response = page.goto("/accounts")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Du har inte behörighet", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Konton")).to_have_count(0)


def test_login_page_works_with_the_keyboard_alone(page: Page, world):
    page.goto("/login")
    focus_top_of_document(page)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Hoppa till innehållet")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-postadress")).to_be_focused()
    page.keyboard.type(world.ockero.emails[Role.COORDINATOR])
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lösenord")).to_be_focused()
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(main_menu(page)).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"/login"))
