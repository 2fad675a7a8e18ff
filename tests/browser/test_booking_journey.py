"""Booking journeys through a real browser: staff publish a weekly series and see which
days were skipped; reception books a resident from the free times with the keyboard
alone, fills a group session until the next resident lands on the waitlist, cancels a
booking so the waitlisted resident moves up, and prints the day list."""

from __future__ import annotations

import re
from datetime import time, timedelta

from babel.dates import format_date
from helpers import working_day
from playwright.sync_api import Locator, Page, expect

from inclusion.core.access import Role
from inclusion.core.clock import holiday_name

# The booking folder's fixtures (its conftest does not reach this folder).

ANNA = "Anna Andersson"
BERTIL = "Bertil Berg"
CECILIA = "Cecilia Carlsson"
DAGNY = "Dagny Dahl"


def main_menu(page: Page):
    return page.get_by_role("navigation", name="Huvudmeny")


def flash(page: Page) -> Locator:
    return page.locator(".flash-messages")


def tab_to(page: Page, target: Locator, most: int = 15) -> None:
    """Press Tab until ``target`` has the focus, as someone without a mouse would."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    expect(target).to_be_focused()


def test_staff_publishes_a_weekly_series_and_sees_the_skipped_days(page: Page, sign_in_as, library):
    # Hönö bibliotek is open on weekdays only: every Saturday of the series is skipped
    # (a Saturday that is also a holiday is listed as the holiday, as is a Monday one).
    first_monday = working_day(weekday=0)
    last_monday = first_monday + timedelta(weeks=4)
    mondays = [first_monday + timedelta(weeks=week) for week in range(5)]
    usable_mondays = [day for day in mondays if not holiday_name(day)]
    saturdays = [monday + timedelta(days=5) for monday in mondays[:4]]
    plain_saturday = next(day for day in saturdays if not holiday_name(day))

    sign_in_as(Role.STAFF)
    main_menu(page).get_by_role("link", name="Nytt pass").click()
    expect(page.get_by_role("heading", name="Lägg in ett pass", level=1)).to_be_visible()

    page.get_by_label("Enskild hjälp").check()
    page.get_by_label("Plats", exact=True).select_option(label="Hönö bibliotek")
    page.get_by_label("Datum", exact=True).fill(first_monday.isoformat())
    page.get_by_label("Börjar klockan").fill("10:00")
    page.get_by_label("Slutar klockan").fill("12:00")
    page.get_by_label("Dela upp i tider om").select_option(label="30 minuter")
    repeat = page.get_by_role("group", name="Upprepa varje vecka på")
    repeat.get_by_label("måndag").check()
    repeat.get_by_label("lördag").check()
    page.get_by_label("Sista datum i serien").fill(last_monday.isoformat())
    page.get_by_role("button", name="Lägg in passet").click()

    appointments = 4 * len(usable_mondays)  # 10:00–12:00 in times of 30 minutes
    expect(flash(page)).to_contain_text(f"{appointments} tider är inlagda.")
    skipped = page.locator("#skipped-days")
    expect(skipped.get_by_role("heading", level=2)).to_have_text(
        f"{appointments} tider lades in. Några dagar hoppades över:"
    )
    expect(skipped.get_by_role("listitem")).to_have_count(4 + len(mondays) - len(usable_mondays))
    saturday = format_date(plain_saturday, "EEEE d MMMM yyyy", locale="sv")
    expect(skipped.get_by_role("listitem").filter(has_text=saturday)).to_have_text(
        f"{saturday}: Hönö bibliotek har stängt den veckodagen"
    )
    page.screenshot(path="/tmp/booking-session-form.png", full_page=True)

    skipped.get_by_role("link", name="Se veckan med de nya passen").click()
    expect(page).to_have_url(re.compile(r"/schedule/week\?"))
    expect(page.get_by_text("Enskild hjälp").first).to_be_visible()


def test_reception_books_a_free_time_with_the_keyboard(page: Page, sign_in_as, make_session, make_resident):
    make_session(starts=time(10), ends=time(10, 30))
    make_resident(name=ANNA, phone="070-174 06 31")

    sign_in_as(Role.RECEPTION)
    main_menu(page).get_by_role("link", name="Lediga tider").click()
    free = page.get_by_role("table", name="1 ledig tid")
    free.get_by_role("row").filter(has_text="Enskild hjälp").get_by_role("link", name="Boka").click()
    expect(page.get_by_role("heading", name="Boka: Enskild hjälp", level=1)).to_be_visible()

    # Search by pressing Enter in the field, choose her, then only the keyboard.
    search = page.get_by_label("Sök på namn eller telefonnummer")
    search.fill("anna")
    search.press("Enter")
    page.get_by_role("list", name="Träffar").get_by_role("link", name=f"Välj {ANNA}").click()
    expect(page.get_by_role("heading", name=f"Bokning för {ANNA}", level=2)).to_be_visible()

    bankid = page.get_by_role("group", name="Vad vill invånaren ha hjälp med?").get_by_label("BankID")
    bankid.focus()
    page.keyboard.press("Space")
    expect(bankid).to_be_checked()
    agreement = page.get_by_label("Jag har berättat hur hjälpen går till")
    tab_to(page, agreement)
    page.keyboard.press("Space")
    expect(agreement).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Boka", exact=True))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/bookings/\d+$"))
    expect(flash(page)).to_contain_text(f"{ANNA} är bokad.")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Bokad")
    expect(facts).to_contain_text("BankID")
    expect(facts).to_contain_text("Uppläst för invånaren")


def book_from_session_page(page: Page, button: str, name: str) -> None:
    page.get_by_role("link", name=button).click()
    page.get_by_label("Sök på namn eller telefonnummer").fill(name)
    page.get_by_role("button", name="Sök", exact=True).click()
    page.get_by_role("link", name=f"Välj {name}").click()
    page.get_by_role("group", name="Vad vill invånaren ha hjälp med?").get_by_label("Swish").check()
    page.get_by_role("button", name="Boka", exact=True).click()


def test_reception_fills_a_group_and_a_cancellation_moves_up_the_waitlist(
    page: Page, sign_in_as, make_session, make_resident
):
    make_session(kind="group", title="Digital fika", capacity=2, starts=time(14), ends=time(15))
    for name, phone in ((BERTIL, "070-174 06 32"), (CECILIA, "070-174 06 33"), (DAGNY, "070-174 06 34")):
        make_resident(name=name, phone=phone)

    sign_in_as(Role.RECEPTION)
    main_menu(page).get_by_role("link", name="Lediga tider").click()
    page.get_by_role("row").filter(has_text="Digital fika").get_by_role("link", name="Boka").click()
    page.get_by_role("link", name="Tillbaka till passet").click()
    session_url = page.url

    book_from_session_page(page, "Boka en invånare", BERTIL)
    expect(flash(page)).to_contain_text(f"{BERTIL} är bokad.")
    page.get_by_role("link", name="Tillbaka till passet").click()
    book_from_session_page(page, "Boka en invånare", CECILIA)
    expect(flash(page)).to_contain_text(f"{CECILIA} är bokad.")
    page.get_by_role("link", name="Tillbaka till passet").click()
    expect(page.get_by_text("2 av 2 platser bokade").first).to_be_visible()

    page.get_by_role("link", name="Sätt en invånare på väntelistan").click()
    page.get_by_label("Sök på namn eller telefonnummer").fill(DAGNY)
    page.get_by_role("button", name="Sök", exact=True).click()
    page.get_by_role("link", name=f"Välj {DAGNY}").click()
    expect(page.get_by_label("Sätt invånaren på väntelistan om passet är fullt")).to_be_checked()
    page.get_by_role("button", name="Boka", exact=True).click()
    expect(flash(page)).to_contain_text(f"{DAGNY} står nu på väntelistan, plats 1.")
    expect(page.locator("dl.facts")).to_contain_text("På väntelistan, plats 1")

    # Bertil cannot come: cancel with a reason, and Dagny gets his place.
    page.goto(session_url)
    page.get_by_role("table").get_by_role("link", name=BERTIL).click()
    expect(page.get_by_role("heading", name=BERTIL, level=1)).to_be_visible()
    page.get_by_label("Varför?").fill("Invånaren är sjuk")
    page.get_by_role("button", name="Avboka").click()

    expect(page).to_have_url(session_url)
    expect(flash(page)).to_contain_text(f"Bokningen för {BERTIL} är avbokad.")
    expect(flash(page)).to_contain_text(f"{DAGNY} fick platsen från väntelistan.")
    expect(page.get_by_role("heading", name="Bokade (2)", level=2)).to_be_visible()
    booked = page.get_by_role("table")
    expect(booked.get_by_role("link", name=DAGNY)).to_be_visible()
    expect(booked.get_by_role("link", name=CECILIA)).to_be_visible()
    expect(booked.get_by_role("link", name=BERTIL)).to_have_count(0)
    expect(page.get_by_role("heading", name="Väntelista (0)", level=2)).to_be_visible()
    expect(page.get_by_text(f"{BERTIL}: Invånaren är sjuk")).to_be_attached()


def test_reception_prints_the_day_list(
    page: Page, sign_in_as, library, make_session, make_booking, make_resident
):
    day = working_day()
    appointment = make_session(day=day, starts=time(10), ends=time(10, 30))[0]
    group = make_session(
        day=day, kind="group", title="Digital fika", capacity=2, starts=time(14), ends=time(15)
    )[0]
    make_booking(
        appointment, make_resident(name=ANNA, phone="070-174 06 31"), topic_ids=[library.topic_ids["BankID"]]
    )
    make_booking(group, make_resident(name=BERTIL, phone="070-174 06 32"))

    sign_in_as(Role.RECEPTION)
    main_menu(page).get_by_role("link", name="Schema").click()
    filters = page.locator("form.filters")
    filters.get_by_label("Datum").fill(day.isoformat())
    filters.get_by_role("button", name="Visa").click()
    heading = page.get_by_role("heading", name=f"Schema: {format_date(day, 'EEEE d MMMM yyyy', locale='sv')}")
    expect(heading).to_be_visible()
    print_button = page.get_by_role("button", name="Skriv ut dagslistan")
    expect(print_button).to_be_visible()
    page.screenshot(path="/tmp/booking-day-view.png", full_page=True)

    # The button opens the browser's print dialogue (replaced here: headless has none).
    page.evaluate("() => { window.print = () => { window.printRequested = true; }; }")
    print_button.click()
    assert page.evaluate("() => window.printRequested === true")

    page.emulate_media(media="print")
    expect(main_menu(page)).to_be_hidden()
    expect(filters).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(heading).to_be_visible()
    day_list = page.locator("section.day-location")
    expect(day_list.get_by_role("heading", name="Öckerö bibliotek", level=2)).to_be_visible()
    expect(day_list.get_by_text("Digital fika")).to_be_visible()
    expect(day_list.get_by_text(ANNA)).to_be_visible()
    expect(day_list.get_by_text(BERTIL)).to_be_visible()
    expect(day_list.get_by_text("Ämnen: BankID")).to_be_visible()
    page.screenshot(path="/tmp/booking-day-list-print.png", full_page=True)
