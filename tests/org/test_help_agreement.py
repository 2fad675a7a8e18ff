"""The coordinator's help agreement: their own plain words in Swedish and English, and
whether staff tick that it was read aloud. Without their own words the built-in ones
hold. Switched off, the agreement is still shown but nobody is asked to tick."""

from __future__ import annotations

import html
import re

import pytest
from helpers import field_error, followed, page_of
from sqlalchemy import func, select

from inclusion.booking.models import Booking
from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.org.models import HelpAgreement
from inclusion.org.services import DEFAULT_HELP_AGREEMENT

PAGE = "/organisation/help-agreement"
OWN_SV = "Du gör allt själv.\nSäg aldrig dina koder till oss."
OWN_EN = "You do it all yourself.\nNever tell us your codes."
TICK = "Avtalet är uppläst för invånaren"
BOOK_FORM_TICK = "Jag har berättat hur hjälpen går till"


def _rows(app) -> list[HelpAgreement]:
    with app.app_context():
        rows = list(db.session.scalars(select(HelpAgreement)))
        db.session.expunge_all()
        return rows


def _form_value(page: str, field_id: str) -> str:
    match = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, field_id
    return html.unescape(match.group(1)).strip()


def test_the_built_in_text_is_in_the_form_until_the_coordinator_writes_their_own(app, world, coordinator):
    page = page_of(coordinator.get(PAGE))

    assert _form_value(page, "text_sv") == DEFAULT_HELP_AGREEMENT["sv"]
    assert _form_value(page, "text_en") == DEFAULT_HELP_AGREEMENT["en"]
    assert re.search(r'<input[^>]*checked[^>]*id="tick_required"|id="tick_required"[^>]*checked', page)
    assert "Ni använder standardtexten." in page
    assert _rows(app) == []
    assert 'href="/organisation/help-agreement"' in page_of(coordinator.get("/organisation"))


def test_the_coordinator_saves_their_own_words(app, world, coordinator):
    page = followed(
        coordinator, coordinator.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN, "tick_required": "y"})
    )

    (row,) = _rows(app)
    assert (row.organisation_id, row.text_sv, row.text_en, row.tick_required) == (
        world.ockero.id,
        OWN_SV,
        OWN_EN,
        True,
    )
    assert "Hjälpavtalet är sparat." in page and "Ni använder er egen text." in page
    assert _form_value(page, "text_sv") == OWN_SV


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"text_sv": "  "}, "text_sv", "Skriv avtalet på svenska."),
        ({"text_en": ""}, "text_en", "Skriv avtalet på engelska."),
        ({"text_sv": "Du gör allt själv. " * 60}, "text_sv", "Högst 1000 tecken."),
        ({"text_en": "<script>alert(1)</script>"}, "text_en", "Får inte innehålla tecknen < eller >."),
    ],
    ids=["empty-swedish", "empty-english", "too-long", "markup"],
)
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(
    app, world, coordinator, fields, field_id, message
):
    response = coordinator.send_form(
        PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN, "tick_required": "y", **fields}
    )

    assert field_error(page_of(response, 422), field_id) == message
    assert _rows(app) == []


@pytest.mark.parametrize("role", [Role.STAFF, Role.RECEPTION, Role.VOLUNTEER])
def test_only_the_coordinator_may_change_it(app, login_as, role):
    client = login_as(role)

    assert client.get(PAGE).status_code == 403
    assert client.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN}).status_code == 403
    assert _rows(app) == []


def test_the_built_in_text_comes_back(app, world, coordinator):
    coordinator.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN, "tick_required": "y"})

    page = followed(
        coordinator, coordinator.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN, "restore": "y"})
    )

    assert "Standardtexten är tillbaka." in page
    assert _rows(app) == []
    assert _form_value(page, "text_sv") == DEFAULT_HELP_AGREEMENT["sv"]


def test_the_built_in_text_comes_back_with_the_tick_still_off(app, world, coordinator):
    coordinator.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN})

    coordinator.send_form(PAGE, {"restore": "y"})

    (row,) = _rows(app)
    assert (row.text_sv, row.tick_required) == (DEFAULT_HELP_AGREEMENT["sv"], False)


def test_each_municipality_has_its_own_agreement(app, world, coordinator, login_as):
    coordinator.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN})

    bracke = page_of(login_as(Role.COORDINATOR, municipality="bracke").get(PAGE))

    assert _form_value(bracke, "text_sv") == DEFAULT_HELP_AGREEMENT["sv"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(HelpAgreement)) == 1


# --- What staff see at a booking ------------------------------------------------------------------


def test_own_words_are_read_at_the_booking(coordinator, login_as, make_session, make_booking, make_resident):
    coordinator.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN, "tick_required": "y"})
    booking_id = make_booking(make_session()[0], make_resident(name="Anna Andersson", phone="070-174 06 30"))

    page = html.unescape(page_of(login_as(Role.STAFF).get(f"/bookings/{booking_id}")))

    assert OWN_SV in page and DEFAULT_HELP_AGREEMENT["sv"] not in page
    assert TICK in page


def test_with_the_tick_switched_off_the_agreement_is_shown_but_nobody_ticks(
    app, coordinator, login_as, make_session, make_booking, make_resident
):
    coordinator.send_form(PAGE, {"text_sv": OWN_SV, "text_en": OWN_EN})  # the box left unticked
    session_id = make_session()[0]
    resident_id = make_resident(name="Anna Andersson", phone="070-174 06 30")
    staff = login_as(Role.STAFF)

    book_form = page_of(staff.get(f"/sessions/{session_id}/book?resident={resident_id}"))
    booking_id = make_booking(session_id, resident_id)
    booking_page = html.unescape(page_of(staff.get(f"/bookings/{booking_id}")))
    refused = page_of(staff.send_form(f"/bookings/{booking_id}/help-agreement"), 422)

    assert BOOK_FORM_TICK not in book_form and 'name="help_agreement_read"' not in book_form
    assert OWN_SV in booking_page
    assert TICK not in booking_page and "Inte uppläst ännu" not in booking_page
    assert "Er kommun har stängt av bocken för hjälpavtalet." in html.unescape(refused)
    with app.app_context():
        assert not db.session.get(Booking, booking_id).help_agreement_read
