"""The desk-help log with the keyboard alone: a staff member opens the form from the
header button on the start page, logs three residents helped at the desk (the common
case is Tab, Space and Enter: a topic ticked, the defaults kept), and sees them in the
day's counts beside the form. And axe-core on the desk-help pages, the form showing its
errors included."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from inclusion.core.access import Role
from tests.browser.axe import check_page, skip_without_axe

# The booking library's places and topics (1177, BankID, Swish in Öckerö).


def flash(page: Page) -> Locator:
    return page.locator(".flash-messages")


def counts(page: Page) -> Locator:
    return page.locator("#today-counts")


def topic_row(page: Page, name: str) -> Locator:
    return (
        page.locator("#today-topics").get_by_role("row").filter(has=page.get_by_role("rowheader", name=name))
    )


def test_three_residents_logged_at_the_desk_with_the_keyboard_alone(page: Page, sign_in_as, library):
    sign_in_as(Role.STAFF)

    # The header button, reached with Tab from the top of the start page, Enter.
    page.get_by_role("link", name="Logga hjälp vid disken").click()
    expect(page.get_by_role("heading", name="Logga hjälp vid disken", level=1)).to_be_visible()
    expect(counts(page)).to_contain_text("0 invånare fick hjälp")

    # The first topic has the focus as the form opens (topics in order: 1177, BankID, Swish).
    topics = page.get_by_role("group", name="Vad gällde det?")
    expect(topics.get_by_label("1177")).to_be_focused()

    # 1. BankID, solved, 15 minutes: the defaults. Tab, Space, Enter.
    page.keyboard.press("Tab")
    expect(topics.get_by_label("BankID")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("Sparat: BankID, löst, 15 min. Tack!")
    expect(counts(page)).to_contain_text("1 invånare fick hjälp")

    # 2. Swish, partly solved, 30 minutes: the arrow keys in the outcome and time groups.
    expect(topics.get_by_label("1177")).to_be_focused()
    topics.get_by_label("Swish").check()
    page.get_by_role("group", name="Hur gick det?").get_by_label("Delvis löst").check()
    thirty = page.get_by_role("group", name="Ungefär hur lång tid?").get_by_label("30 min", exact=True)
    thirty.check()
    expect(thirty).to_be_focused()
    page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("Sparat: Swish, delvis löst, 30 min. Tack!")

    # 3. 1177, solved, 5 minutes: Space on the box that has the focus, the time, Enter.
    expect(topics.get_by_label("1177")).to_be_focused()
    page.keyboard.press("Space")
    page.get_by_role("group", name="Ungefär hur lång tid?").get_by_label("5 min", exact=True).check()
    page.keyboard.press("Enter")
    expect(flash(page)).to_contain_text("Sparat: 1177, löst, 5 min. Tack!")

    # The day's counts beside the form.
    expect(counts(page)).to_contain_text("3 invånare fick hjälp")
    expect(counts(page)).to_contain_text("50 minuter")
    for name in ("1177", "BankID", "Swish"):
        expect(topic_row(page, name)).to_have_text(re.compile(rf"{name}\s*1$"))
    outcomes = page.locator("#today-outcomes")
    expect(outcomes.get_by_role("row").filter(has_text="Delvis löst")).to_have_text(re.compile(r"1$"))
    expect(page.locator("#own-entries tbody tr")).to_have_count(3)
    # Saved at the same place each time: the place is remembered.
    expect(page.locator("#today-places tbody tr")).to_have_count(1)


@pytest.mark.input_modes("mouse")  # a check of pages, not a journey
def test_the_desk_help_pages_pass_axe(page: Page, sign_in_as, library):
    skip_without_axe()
    sign_in_as(Role.STAFF)
    page.goto("/desk-help/?next=/")
    page.get_by_role("button", name="Spara").click()  # nothing ticked: the errors show
    expect(page.locator("#topic_ids-error")).to_contain_text("Kryssa i minst ett ämne.")
    findings = check_page(page, "deskhelp.log")

    page.get_by_label("BankID").check()
    page.get_by_role("button", name="Spara").click()
    expect(flash(page)).to_contain_text("Sparat: BankID, löst, 15 min. Tack!")
    findings += check_page(page, "deskhelp.log")
    page.locator("#own-entries").get_by_role("link", name=re.compile("^Ändra")).click()
    expect(page.get_by_role("heading", name="Ändra det du loggade", level=1)).to_be_visible()
    findings += check_page(page, "deskhelp.edit")
    page.get_by_role("link", name="Ta bort", exact=True).click()
    expect(page.get_by_role("heading", name="Ta bort det du loggade?", level=1)).to_be_visible()
    findings += check_page(page, "deskhelp.delete")

    assert findings == [], "\n".join(finding.describe() for finding in findings)
