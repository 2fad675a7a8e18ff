"""Reception journeys through a real browser: a phone-in from a new resident taken and
booked with the keyboard alone (its keystrokes and page loads counted and printed for the
issue note), the as-you-type list finding a resident already in the registry, and two
receptionists opening the same request from the queue where one claim race is lost."""

from __future__ import annotations

import re
import time as clock
from collections.abc import Iterator
from datetime import time
from urllib.parse import parse_qs, urlparse

import pytest
from babel.dates import format_date
from conftest import PASSWORD
from helpers import working_day
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Response, expect

from inclusion.core.access import Role

# The reception folder's fixtures (its conftest does not reach this folder).

KARIN = "Karin Berg"
KARIN_PHONE = "070-555 12 34"
ANNA = "Anna Andersson"
ANNA_PHONE = "070-174 06 31"

# Bounds for the keyboard journey: a call should not need more than this.
MOST_PAGE_LOADS = 4
MOST_KEYSTROKES = 60
MOST_NAVIGATION_KEYS = 25  # Tab, Space and Enter: the keys that are not the caller's details
SECONDS_PER_KEYSTROKE = 0.28  # the keystroke-level model's average typist


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Swedish, as the receptionists' own browsers are."""
    return {**browser_context_args, "locale": "sv-SE", "timezone_id": "Europe/Stockholm"}


def main_menu(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Huvudmeny")


def flash(page: Page) -> Locator:
    return page.locator(".flash-messages")


def is_focused(target: Locator) -> bool:
    return target.evaluate("element => element === document.activeElement")


class CountedKeyboard:
    """The keyboard of one person: every key press counts, typed text one per character."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.keystrokes = 0
        self.navigation_keys = 0

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keystrokes += 1
        self.navigation_keys += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.keystrokes += len(text)

    def tab_to(self, target: Locator, most: int = 30) -> int:
        """Press Tab until ``target`` has the focus; returns how many presses it took."""
        presses = 0
        while not is_focused(target) and presses < most:
            self.press("Tab")
            presses += 1
        expect(target).to_be_focused()
        return presses


def count_page_loads(page: Page) -> list[str]:
    """The address of every page the browser loads from now on (a form posted and
    redirected is one load: the page the person then sees)."""
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    return loads


def callers_list(page: Page) -> Locator:
    return page.locator("#callers")


def type_number_and_wait_for_the_list(page: Page, keyboard: CountedKeyboard, number: str) -> str:
    """Type the number as a receptionist would, and wait for the as-you-type list that
    answers the whole number (the script asks once the typing pauses); returns that answer."""

    def answers_the_number(response: Response) -> bool:
        asked = parse_qs(urlparse(response.url).query).get("phone", [""])[0]
        return urlparse(response.url).path == "/reception/callers" and asked == number

    with page.expect_response(answers_the_number) as answered:
        keyboard.type(number)
    assert answered.value.ok
    return answered.value.text()


def test_a_new_caller_is_taken_and_booked_with_the_keyboard_alone(
    page: Page, sign_in_as, library, make_session
):
    day = working_day()
    # An earlier time that does not fit (Swish only), and the one that does (BankID).
    make_session(day=day, starts=time(9), ends=time(9, 30), topic_ids=[library.topic_ids["Swish"]])
    make_session(day=day, starts=time(10), ends=time(10, 30), topic_ids=[library.topic_ids["BankID"]])

    # The start of the shift: signed in, the queue open between calls. The phone rings.
    sign_in_as(Role.RECEPTION)
    main_menu(page).get_by_role("link", name="Förfrågningar").click()
    expect(page.get_by_role("heading", name="Förfrågningar", level=1)).to_be_visible()

    keyboard = CountedKeyboard(page)
    loads = count_page_loads(page)
    callers_asked: list[str] = []
    page.on("request", lambda sent: "/reception/callers" in sent.url and callers_asked.append(sent.url))
    started = clock.monotonic()

    # "Nytt samtal" in the main menu, reached with Tab from the top of the page.
    menu_tabs = keyboard.tab_to(main_menu(page).get_by_role("link", name="Nytt samtal"))
    keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Nytt samtal", level=1)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/reception/requests/new$"))

    # The number field has the focus at once: the receptionist just types.
    phone = page.get_by_label("Telefonnummer")
    expect(phone).to_be_focused()
    answer = type_number_and_wait_for_the_list(page, keyboard, KARIN_PHONE)
    assert 'type="radio"' not in answer and 'name="resident_choice" value="new"' in answer
    expect(callers_list(page)).to_contain_text("Numret finns inte i registret")
    expect(callers_list(page).get_by_role("radio")).to_have_count(0)
    expect(callers_list(page).locator("input[name=resident_choice]")).to_have_value("new")

    keyboard.press("Tab")
    expect(page.get_by_label("Namn (om invånaren är ny)")).to_be_focused()
    keyboard.type(KARIN)

    # Topics come in alphabetical order (1177, BankID, Swish): two Tabs and Space.
    topics = page.get_by_role("group", name="Vad vill invånaren ha hjälp med?")
    bankid = topics.get_by_label("BankID")
    topic_tabs = keyboard.tab_to(bankid)
    keyboard.press("Space")
    expect(bankid).to_be_checked()

    # Onward to the first text field after the topics, where Enter saves the form.
    wishes = page.get_by_label("Önskad plats och tid, med invånarens egna ord")
    wishes_tabs = keyboard.tab_to(wishes)
    page.screenshot(path="/tmp/reception-quick-entry.png", full_page=True)
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/reception/requests/\d+$"))
    expect(page.get_by_role("heading", name=f"Förfrågan från {KARIN}", level=1)).to_be_visible()
    expect(flash(page)).to_contain_text(f"Förfrågan från {KARIN} är sparad.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(KARIN_PHONE)
    expect(facts).to_contain_text("BankID")

    # Only the BankID time fits. Skip link, then Tab to its "Boka", then Enter.
    fitting = page.get_by_role("region", name="Lediga tider som passar")
    expect(fitting.get_by_role("row")).to_have_count(2)  # the header and the 10.00 time
    expect(fitting.get_by_role("row").nth(1)).to_contain_text("10.00–10.30")
    page.screenshot(path="/tmp/reception-request.png", full_page=True)
    keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hoppa till innehållet")).to_be_focused()
    keyboard.press("Enter")
    boka = fitting.get_by_role("button", name=re.compile(r"^Boka")).first
    boka_tabs = keyboard.tab_to(boka)
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/bookings/\d+$"))
    expect(flash(page)).to_contain_text(f"{KARIN} är bokad. Förfrågan är klar.")
    expect(page.get_by_role("heading", name=KARIN, level=1)).to_be_visible()
    weekday_and_date = format_date(day, "EEEE d MMMM", locale="sv")
    expect(page.locator(".lead")).to_have_text(
        re.compile(rf"Enskild hjälp, {weekday_and_date}( \d{{4}})? kl\. 10\.00–10\.30,\s+Öckerö bibliotek")
    )
    booked = page.locator("dl.facts")
    expect(booked).to_contain_text("Bokad")
    expect(booked).to_contain_text(KARIN_PHONE)
    expect(booked).to_contain_text("BankID")
    elapsed = clock.monotonic() - started

    typed = len(KARIN_PHONE) + len(KARIN)
    assert keyboard.keystrokes == typed + keyboard.navigation_keys
    print(
        f"\nReception, new caller booked with the keyboard alone: {keyboard.keystrokes} keystrokes "
        f"({typed} typed characters: the number and the name; {keyboard.navigation_keys} Tab, Space "
        f"and Enter: {menu_tabs} Tab + Enter to open Nytt samtal from the menu, 1 Tab to the name, "
        f"{topic_tabs} Tab + Space for the topic, {wishes_tabs} Tab + Enter to save, "
        f"Tab + Enter on the skip link and {boka_tabs} Tab + Enter on the first fitting time); "
        f"{len(loads)} page loads ({', '.join(re.sub(r'^https?://[^/]+', '', url) for url in loads)}); "
        f"{len(callers_asked)} as-you-type lookup(s) in the background; about "
        f"{keyboard.keystrokes * SECONDS_PER_KEYSTROKE:.0f} s of keying at {SECONDS_PER_KEYSTROKE} s "
        f"a key, {elapsed:.1f} s in this browser."
    )
    assert len(loads) <= MOST_PAGE_LOADS, loads
    assert keyboard.keystrokes <= MOST_KEYSTROKES
    assert keyboard.navigation_keys <= MOST_NAVIGATION_KEYS


def test_the_list_shows_a_resident_already_in_the_registry_as_the_number_is_typed(
    page: Page, sign_in_as, library, make_resident
):
    make_resident(name=ANNA, phone=ANNA_PHONE)
    sign_in_as(Role.RECEPTION)
    page.goto("/reception/requests/new")

    phone = page.get_by_label("Telefonnummer")
    expect(phone).to_be_focused()
    keyboard = CountedKeyboard(page)
    type_number_and_wait_for_the_list(page, keyboard, "070-174 06")  # enough digits to look up

    callers = callers_list(page)
    anna = callers.get_by_role("radio", name=f"{ANNA}, {ANNA_PHONE}")
    expect(anna).to_be_checked()
    expect(callers.get_by_role("radio", name="Ny invånare (inte i registret)")).not_to_be_checked()
    expect(callers).not_to_contain_text("Numret finns inte i registret")

    # Tab order: the number, then who is calling (the checked one), then the name.
    keyboard.press("Tab")
    expect(anna).to_be_focused()
    keyboard.press("Tab")
    expect(page.get_by_label("Namn (om invånaren är ny)")).to_be_focused()


# --- Two receptionists, one request ---------------------------------------------------------


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(main_menu(page)).to_be_visible()


@pytest.fixture
def second_context(browser: Browser, browser_context_args: dict) -> Iterator[BrowserContext]:
    """A second receptionist's browser: its own cookies, so its own session."""
    context = browser.new_context(**browser_context_args)
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(15_000)
    yield context
    context.close()


def open_from_queue(page: Page, name: str) -> None:
    main_menu(page).get_by_role("link", name="Förfrågningar").click()
    page.get_by_role("table").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=f"Förfrågan från {name}", level=1)).to_be_visible()


def test_two_receptionists_claim_the_same_request_and_the_second_loses_cleanly(
    page: Page, second_context: BrowserContext, world, library, make_session, make_request
):
    day = working_day()
    make_session(day=day, starts=time(10), ends=time(10, 30), topic_ids=[library.topic_ids["BankID"]])
    make_session(day=day, starts=time(14), ends=time(14, 30), topic_ids=[library.topic_ids["BankID"]])
    make_request()  # Karin Berg, new, on 070-555 12 34: BankID
    emails = world.ockero.emails
    first_name = "Reception Öckerö kommun"  # the world's accounts are named after their role

    # Reception in one browser, a staff member (who also answers the phone) in another.
    first = page
    second = second_context.new_page()
    sign_in(first, emails[Role.RECEPTION])
    sign_in(second, emails[Role.STAFF])
    open_from_queue(first, KARIN)
    open_from_queue(second, KARIN)
    for either in (first, second):
        expect(either.get_by_role("button", name="Jag tar den")).to_be_visible()
    request_url = second.url

    # Both press; the first one gets it.
    first.get_by_role("button", name="Jag tar den").click()
    expect(flash(first)).to_contain_text("Du arbetar nu med förfrågan. Andra ser att den är din.")
    expect(first.get_by_role("button", name="Släpp förfrågan")).to_be_visible()

    second.get_by_role("button", name="Jag tar den").click()
    refusal = second.get_by_role("alert")
    expect(refusal).to_contain_text(
        re.compile(rf"{first_name} arbetar redan med den här förfrågan \(sedan \d\d\.\d\d\)")
    )
    expect(second.locator(".claim")).to_have_text(f"{first_name} arbetar med förfrågan nu.")
    expect(second.get_by_role("button", name="Jag tar den")).to_have_count(0)
    expect(second.get_by_role("button", name="Släpp förfrågan")).to_have_count(0)
    second.screenshot(path="/tmp/reception-claim-lost.png", full_page=True)

    # While the first one holds it, the second one is offered nothing to press: no times
    # to book, no call to log, no closing; only who has it and when it frees up.
    expect(second.get_by_role("button", name=re.compile(r"^Boka"))).to_have_count(0)
    expect(second.get_by_role("button", name="Spara samtalet")).to_have_count(0)
    expect(second.get_by_role("button", name="Avsluta förfrågan")).to_have_count(0)
    expect(
        second.get_by_text(f"Du kan boka, ringa och avsluta när {first_name} har släppt förfrågan")
    ).to_be_visible()
    expect(second.locator(".tag--new")).to_have_text("Ny")

    # The first one books the first fitting time.
    fitting_first = first.get_by_role("region", name="Lediga tider som passar")
    expect(fitting_first.get_by_role("row")).to_have_count(3)  # both times still free
    fitting_first.get_by_role("button", name=re.compile(r"^Boka")).first.click()
    expect(first).to_have_url(re.compile(r"/bookings/\d+$"))
    expect(flash(first)).to_contain_text(f"{KARIN} är bokad. Förfrågan är klar.")
    expect(first.locator(".lead")).to_contain_text("10.00–10.30")
    expect(first.locator("dl.facts")).to_contain_text(f"av {first_name}")

    # The queue: gone from the open ones, listed as booked.
    main_menu(first).get_by_role("link", name="Förfrågningar").click()
    expect(first.get_by_text("Inga förfrågningar att visa.")).to_be_visible()
    filters = first.locator("form.filters")
    filters.get_by_label("Läge").select_option(label="Bokad")
    filters.get_by_role("button", name="Visa").click()
    row = first.get_by_role("table").get_by_role("row").filter(has_text=KARIN)
    expect(row).to_have_count(1)
    expect(row.locator(".tag--booked")).to_have_text("Bokad")
    expect(row.get_by_role("cell").last).to_have_text("–")  # nobody holds it any more
    expect(first.locator(".day-counts")).to_contain_text("1 bokade i dag")

    # The second one, opening the request again, sees it booked and linked to the booking.
    second.goto(request_url)
    expect(second.locator(".tag--booked")).to_have_text("Bokad")
    expect(second.get_by_role("button", name=re.compile(r"^(Boka|Jag tar den)"))).to_have_count(0)
    booking_link = second.locator("dl.facts").get_by_role(
        "link", name=re.compile(r"10\.00, Öckerö bibliotek$")
    )
    booking_link.click()
    expect(second.get_by_role("heading", name=KARIN, level=1)).to_be_visible()
    expect(second.locator(".lead")).to_contain_text(format_date(day, "EEEE d MMMM", locale="sv"))
