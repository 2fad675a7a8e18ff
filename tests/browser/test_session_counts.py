"""Help that is never booked, at the session: staff count who came to a drop-in that has
started, with a tally per topic, and see the figures after saving; before one-to-one help
they read the help agreement to the resident and tick that it was read."""

from __future__ import annotations

from datetime import time, timedelta

from playwright.sync_api import Locator, Page, expect

from inclusion.booking.models import Attendance, Booking, HelpSession
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.org.services import DEFAULT_HELP_AGREEMENT

# The booking folder's fixtures (its conftest does not reach this folder).

ANNA = "Anna Andersson"


def flash(page: Page) -> Locator:
    return page.locator(".flash-messages")


def _started_half_an_hour_ago(app, session_id: int) -> None:
    with app.app_context():
        session = db.session.get(HelpSession, session_id)
        session.starts_at = utcnow() - timedelta(minutes=30)
        session.ends_at = session.starts_at + timedelta(hours=2)
        db.session.commit()


def test_staff_count_who_came_to_a_drop_in(
    page: Page, app, sign_in_as, library, make_session, make_booking, make_resident
):
    fika = make_session(kind="group", title="Digital fika", capacity=8, starts=time(14), ends=time(16))[0]
    booking_id = make_booking(fika, make_resident(name=ANNA, phone="070-174 06 31"))
    _started_half_an_hour_ago(app, fika)
    with app.app_context():
        db.session.get(Booking, booking_id).attendance = Attendance.ATTENDED
        db.session.commit()

    sign_in_as(Role.STAFF)
    page.goto(f"/sessions/{fika}")
    counts = page.locator("#head-count")
    expect(counts.get_by_role("heading", name="Antal besökare", level=2)).to_be_visible()

    counts.get_by_label("Hur många kom?").fill("12")
    tallies = counts.get_by_role("group", name="Vad fick de hjälp med?")
    tallies.get_by_label("Hjälp med BankID").fill("5")
    tallies.get_by_label("Hjälp med Swish").fill("3")
    counts.get_by_role("button", name="Spara antalet").click()

    expect(flash(page)).to_contain_text("Antalet är sparat.")
    counts = page.locator("#head-count")
    expect(counts.get_by_text("12 kom, varav 1 bokad.")).to_be_visible()
    figures = counts.locator("dl.facts")
    expect(figures.locator("dt")).to_have_text(["BankID", "Swish"])
    expect(figures.locator("dd")).to_have_text(["5", "3"])
    expect(counts.get_by_text("av Staff Öckerö kommun")).to_be_visible()
    # the form keeps the figures, to be corrected later in the day
    expect(counts.get_by_label("Hur många kom?")).to_have_value("12")
    expect(counts.get_by_label("Hjälp med BankID")).to_have_value("5")


def test_staff_read_the_help_agreement_and_tick_it(
    page: Page, app, sign_in_as, library, make_session, make_booking, make_resident
):
    booking_id = make_booking(make_session()[0], make_resident(name=ANNA, phone="070-174 06 31"))

    sign_in_as(Role.STAFF)
    page.goto(f"/bookings/{booking_id}")
    agreement = page.locator("#help-agreement")
    expect(agreement.get_by_role("heading", name="Läs upp hjälpavtalet för invånaren")).to_be_visible()
    expect(agreement.get_by_text(DEFAULT_HELP_AGREEMENT["sv"])).to_be_visible()
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Inte uppläst ännu")

    agreement.get_by_role("button", name="Avtalet är uppläst för invånaren").click()

    expect(flash(page)).to_contain_text("Det är sparat att avtalet är uppläst.")
    expect(facts).to_contain_text("Uppläst för invånaren")
    expect(facts).to_contain_text("av Staff Öckerö kommun")
    expect(page.get_by_role("button", name="Avtalet är uppläst för invånaren")).to_have_count(0)
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        assert booking.help_agreement_read and booking.help_agreement_read_by_id == library.staff_id
