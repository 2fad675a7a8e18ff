"""A receptionist's session ends while she types a call into "Nytt samtal" (the browser
drops the idle session's cookie): Spara takes her to the login page, which says her text
is kept; after signing in she is back on the form with everything as she typed it, and
Spara saves the request once."""

from __future__ import annotations

import re

from conftest import PASSWORD
from helpers import row_count
from playwright.sync_api import Page, expect

from inclusion.core.access import Role
from inclusion.reception.models import CallbackRequest

# The reception folder's fixtures (its conftest does not reach this folder).

WISHES = "Helst på Hönö, inte måndagar"


def test_a_call_typed_when_the_session_ended_comes_back_after_signing_in(
    app, page: Page, sign_in_as, world, library
):
    sign_in_as(Role.RECEPTION)
    page.goto("/reception/requests/new")
    with page.expect_response(lambda answer: "/reception/callers" in answer.url):  # the list as typed
        page.get_by_label("Telefonnummer").fill("070-555 12 34")
    page.get_by_label("Namn (om invånaren är ny)").fill("Karin Berg")
    topics = page.get_by_role("group", name="Vad vill invånaren ha hjälp med?")
    topics.get_by_label("BankID").check()
    page.get_by_label("Önskad plats och tid, med invånarens egna ord").fill(WISHES)
    page.wait_for_load_state("networkidle")  # no answer still on its way to renew the cookie
    page.context.clear_cookies(name="session")  # the idle time-out passed: the browser drops it

    page.get_by_role("button", name="Spara förfrågan").click()

    expect(page).to_have_url(re.compile(r"/login\?next="))
    expect(page.locator(".flash-messages")).to_contain_text("Logga in igen så kommer det du skrev tillbaka")
    assert row_count(app, CallbackRequest) == 0
    page.get_by_label("E-postadress").fill(world.ockero.emails[Role.RECEPTION])
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    expect(page).to_have_url(re.compile(r"/reception/requests/new$"))
    expect(page.locator(".flash-messages")).to_contain_text("Det du skrev finns kvar men är inte sparat än")
    expect(page.get_by_label("Telefonnummer")).to_have_value("070-555 12 34")
    expect(page.get_by_label("Namn (om invånaren är ny)")).to_have_value("Karin Berg")
    expect(topics.get_by_label("BankID")).to_be_checked()
    expect(page.get_by_label("Önskad plats och tid, med invånarens egna ord")).to_have_value(WISHES)
    assert row_count(app, CallbackRequest) == 0

    page.get_by_role("button", name="Spara förfrågan").click()

    expect(page.locator(".flash-messages")).to_contain_text("Förfrågan från Karin Berg är sparad.")
    assert row_count(app, CallbackRequest) == 1
