"""The help agreement before one-to-one help: the booking page shows it to the staff
member, who ticks that it was read to the resident; who and when is kept. Group sessions
have no tick. The confirmation SMS and call say in one sentence that the resident does
the steps themselves."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, time, timedelta

from helpers import followed, page_of
from sqlalchemy import select

from inclusion.booking.models import Booking
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.org.services import DEFAULT_HELP_AGREEMENT
from inclusion.outbox.models import Kind, Message
from tests.fixtures import outbox as notification_fixtures

SWEDISH_SENTENCE = "Vi hjälper dig, men du gör stegen själv."
ENGLISH_SENTENCE = "We help you, but you do the steps yourself."
TICK = "Avtalet är uppläst för invånaren"


def _text(page: str) -> str:
    """What the page says, as one line (no space before a colon or full stop)."""
    flat = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    return re.sub(r" ([:.,])", r"\1", flat)


def _booking(app, booking_id: int) -> Booking:
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        db.session.expunge(booking)
        return booking


def _one_to_one(make_session, make_booking, make_resident, lib=None, at: time = time(10), **resident) -> int:
    """A one-to-one appointment three working days ahead, booked without the tick."""
    resident.setdefault("name", "Anna Andersson")
    resident.setdefault("phone", "070-174 06 30")
    municipality = "bracke" if lib is not None else "ockero"
    resident_id = make_resident(municipality=municipality, **resident)
    end = (datetime.combine(date.today(), at) + timedelta(minutes=30)).time()
    return make_booking(make_session(lib=lib, starts=at, ends=end)[0], resident_id, lib=lib)


def test_the_booking_page_shows_the_agreement_and_the_tick_records_who_and_when(
    app, library, login_as, make_session, make_booking, make_resident
):
    booking_id = _one_to_one(make_session, make_booking, make_resident)
    staff = login_as(Role.STAFF)

    before = page_of(staff.get(f"/bookings/{booking_id}"))
    assert "Läs upp hjälpavtalet för invånaren" in before
    assert DEFAULT_HELP_AGREEMENT["sv"] in html.unescape(before)
    assert TICK in before
    assert "Hjälpavtalet Inte uppläst ännu" in _text(before)

    after = followed(staff, staff.send_form(f"/bookings/{booking_id}/help-agreement"))

    booking = _booking(app, booking_id)
    assert booking.help_agreement_read
    assert booking.help_agreement_read_by_id == library.staff_id
    assert utcnow() - timedelta(minutes=1) < booking.help_agreement_read_at <= utcnow()
    text = _text(after)
    assert "Det är sparat att avtalet är uppläst." in text
    assert re.search(r"Hjälpavtalet Uppläst för invånaren .+ kl\. \d\d\.\d\d av Staff Öckerö kommun", text)
    assert TICK not in after
    # the text stays a click away
    assert DEFAULT_HELP_AGREEMENT["sv"] in html.unescape(after)


def test_a_second_tick_keeps_the_first_reader(
    app, library, login_as, make_session, make_booking, make_resident
):
    booking_id = _one_to_one(make_session, make_booking, make_resident)
    login_as(Role.STAFF).send_form(f"/bookings/{booking_id}/help-agreement")
    first = _booking(app, booking_id).help_agreement_read_at

    response = login_as(Role.COORDINATOR).send_form(f"/bookings/{booking_id}/help-agreement")

    assert response.status_code == 302
    booking = _booking(app, booking_id)
    assert (booking.help_agreement_read_by_id, booking.help_agreement_read_at) == (library.staff_id, first)


def test_an_english_speaking_resident_hears_the_english_text(
    login_as, make_session, make_booking, make_resident
):
    booking_id = _one_to_one(make_session, make_booking, make_resident, preferred_language="en")

    page = html.unescape(page_of(login_as(Role.STAFF).get(f"/bookings/{booking_id}")))

    assert f'<p class="prose big-line" lang="en">{DEFAULT_HELP_AGREEMENT["en"]}</p>' in page
    assert f'<p class="prose" lang="sv">{DEFAULT_HELP_AGREEMENT["sv"]}</p>' in page


def test_the_tick_on_the_booking_form_records_who_and_when(
    app, library, login_as, make_session, make_resident
):
    session_id = make_session()[0]
    resident_id = make_resident(name="Anna Andersson", phone="070-174 06 30")
    reception = login_as(Role.RECEPTION)
    form = page_of(reception.get(f"/sessions/{session_id}/book?resident={resident_id}"))
    assert "Jag har berättat hur hjälpen går till" in form and DEFAULT_HELP_AGREEMENT["sv"] in html.unescape(
        form
    )

    response = reception.send_form(
        f"/sessions/{session_id}/book",
        {"resident_id": str(resident_id), "channel": "phone", "help_agreement_read": "y"},
    )

    assert response.status_code == 302
    with app.app_context():
        booking = db.session.scalar(select(Booking).where(Booking.session_id == session_id))
        assert booking.help_agreement_read and booking.help_agreement_read_by_id == library.reception_id
        assert booking.help_agreement_read_at is not None


def test_a_group_booking_has_no_tick(app, login_as, make_session, make_booking, make_resident):
    session_id = make_session(kind="group")[0]
    booking_id = make_booking(session_id, make_resident(name="Anna Andersson", phone="070-174 06 30"))
    staff = login_as(Role.STAFF)

    page = page_of(staff.get(f"/bookings/{booking_id}"))
    refused = page_of(staff.send_form(f"/bookings/{booking_id}/help-agreement"), 422)

    assert TICK not in page and "Hjälpavtalet" not in page
    assert "Hjälpavtalet bockas bara i vid enskild hjälp." in _text(refused)
    assert not _booking(app, booking_id).help_agreement_read


def test_a_cancelled_booking_cannot_be_ticked(app, login_as, make_session, make_booking, make_resident):
    booking_id = _one_to_one(make_session, make_booking, make_resident)
    staff = login_as(Role.STAFF)
    staff.send_form(f"/bookings/{booking_id}/cancel", {"reason": "Sjuk"})

    assert TICK not in page_of(staff.get(f"/bookings/{booking_id}"))
    refused = page_of(staff.send_form(f"/bookings/{booking_id}/help-agreement"), 422)

    assert "Bokningen är avbokad." in _text(refused)
    assert not _booking(app, booking_id).help_agreement_read


def test_another_municipality_s_booking_answers_404(
    app, other_library, login_as, make_session, make_booking, make_resident
):
    theirs = _one_to_one(make_session, make_booking, make_resident, lib=other_library)
    staff = login_as(Role.STAFF)

    assert staff.get(f"/bookings/{theirs}").status_code == 404
    assert staff.send_form(f"/bookings/{theirs}/help-agreement").status_code == 404
    assert not _booking(app, theirs).help_agreement_read


def test_the_session_page_of_one_to_one_help_shows_the_agreement_and_its_tick(
    login_as, make_session, make_booking, make_resident
):
    booking_id = _one_to_one(make_session, make_booking, make_resident)
    staff = login_as(Role.STAFF)
    with staff.application.app_context():
        session_id = db.session.get(Booking, booking_id).session_id

    before = _text(page_of(staff.get(f"/sessions/{session_id}")))
    staff.send_form(f"/bookings/{booking_id}/help-agreement")
    after = _text(page_of(staff.get(f"/sessions/{session_id}")))

    assert "Hjälpavtalet Anna Andersson: Inte uppläst ännu" in before
    assert DEFAULT_HELP_AGREEMENT["sv"] in before
    assert re.search(r"Anna Andersson: Uppläst för invånaren .+ av Staff Öckerö kommun", after)


# --- What the resident is told -----------------------------------------------------------------


def test_the_confirmation_sms_says_the_resident_does_the_steps(
    app, library, fake_twilio, dispatch, make_session, make_booking, make_resident
):
    # sent at any hour of the test run, from the service number
    notification_fixtures.set_quiet_hours(
        app, library.organisation_id, time(0), time(0), sms_number=notification_fixtures.SERVICE_NUMBER
    )
    _one_to_one(make_session, make_booking, make_resident, name="Greta Sms", phone="070-111 22 33")
    _one_to_one(
        make_session,
        make_booking,
        make_resident,
        at=time(11),
        name="Greta Smith",
        phone="070-222 33 44",
        preferred_language="en",
    )

    dispatch()

    sent = {request.to: request.body for request in fake_twilio.accepted("Messages")}
    assert "Ta med legitimation och din mobil. " + SWEDISH_SENTENCE in sent["+46701112233"]
    assert "Bring your ID and your phone. " + ENGLISH_SENTENCE in sent["+46702223344"]


def test_the_confirmation_call_says_it_too(app, make_session, make_booking, make_resident):
    booking_id = _one_to_one(
        make_session,
        make_booking,
        make_resident,
        name="Karl Fast",
        phone="0300-123 45",
        preferred_channel="voice",
    )

    with app.app_context():
        spoken = db.session.scalar(
            select(Message.body).where(Message.booking_id == booking_id, Message.kind == Kind.CONFIRMATION)
        )

    assert SWEDISH_SENTENCE in spoken
