"""A coordinator invites the demo residents to a Digital fika: writes the campaign, sees
who gets an SMS, a call, a place on the call list or a letter, sends it, and finds the
call list and the letters to print."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from inclusion.demo.data import DEMO_PASSWORD


def test_a_coordinator_sends_a_campaign_to_the_demo_residents(page: Page, demo):
    page.goto("/login")
    page.get_by_label("E-postadress").fill("koordinator@ockero.example")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()

    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Kampanjer").click()
    page.get_by_role("link", name="Ny kampanj").click()
    expect(page.get_by_label("Sms", exact=True)).to_have_value(re.compile(r"^Hej \{namn\}! Välkommen till"))

    # Saving without a name or a session says what is missing and saves nothing.
    page.get_by_role("button", name="Spara och visa vilka som får inbjudan").click()
    expect(page.locator("#name-error")).to_contain_text("Ge kampanjen ett namn")
    expect(page.locator("#session_id-error")).to_contain_text("Välj en träff i listan.")

    page.get_by_label("Kampanjens namn").fill("Digital fika i december")
    session = page.get_by_label("Träff att bjuda in till")
    first_fika = session.locator("option", has_text="Digital fika").first.get_attribute("value")
    session.select_option(first_fika)
    page.get_by_role("button", name="Spara och visa vilka som får inbjudan").click()

    expect(page.get_by_role("heading", name="Vilka får inbjudan?")).to_be_visible()
    total = int(page.locator('[data-count="total"]').inner_text())
    assert total >= 3
    for channel in ("sms", "voice", "staff_call", "letter"):
        assert int(page.locator(f'[data-count="{channel}"]').inner_text()) >= 1, channel
    expect(page.get_by_role("heading", name="Så här blir det: sms")).to_be_visible()

    page.get_by_role("button", name="Skicka inbjudan nu").click()

    expect(page.get_by_text(f"Inbjudan går till {total} invånare.")).to_be_visible()
    expect(page.locator('[data-figure="invited"]')).to_have_text(str(total))
    page.get_by_role("link", name=re.compile(r"^Brev: 1 att skriva ut")).click()
    expect(page.locator("article.letter")).to_have_count(1)
    expect(page.locator("article.letter")).to_contain_text("Vill du komma? Ring oss på")
    page.go_back()
    page.get_by_role("link", name=re.compile(r"^Ringlista: 1 samtal")).click()
    page.get_by_role("button", name="Nådd – vill komma").click()
    expect(page.get_by_text("är bokad på träffen.")).to_be_visible()
