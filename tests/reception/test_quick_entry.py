"""The quick entry: a receptionist takes a call while the resident is on the line. The
number first, the caller picked or registered, and bad input answered next to the field
with nothing saved — except an unreadable number, which can be saved as typed."""

from __future__ import annotations

import re

from helpers import field_error, row_count
from sqlalchemy import select

from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.reception.support import quick_entry_form

URL = "/reception/requests/new"


def _only_request(app) -> CallbackRequest:
    with app.app_context():
        request = db.session.scalar(select(CallbackRequest))
        assert request is not None
        request.topics, request.resident  # noqa: B018  (load before leaving the context)
        db.session.expunge_all()
        return request


def test_a_new_caller_is_registered_and_the_request_saved(app, library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL,
        quick_entry_form(
            library,
            resident_choice="new",
            wishes="Helst på Hönö, inte måndagar",
            preferred_location_id=str(library.other_location_id),
            weekdays=["1", "3"],
            time_of_day="morning",
            needs=["hearing", "mobility"],
            interpreter_language="fi",
            channel="walk_in",
            sms_consent="y",
            sms_consent_method="in_person",
        ),
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Förfrågan från Karin Berg är sparad." in page
    assert "Helst på Hönö, inte måndagar" in page and "tisdag, torsdag" in page
    assert "hörsel, rörlighet, tolk eller personal som talar finska" in page
    request = _only_request(app)
    assert request.state == "new" and request.taken_by_id == library.reception_id
    assert request.channel == "walk_in" and request.time_of_day == "morning"
    assert [topic.name for topic in request.topics] == ["BankID"]
    assert request.resident.name == "Karin Berg" and request.resident.phone_e164 == "+46705551234"
    assert request.resident.sms_consent and request.resident.sms_consent_method == "in_person"
    assert request.resident.preferred_channel == "sms"


def test_a_known_number_asks_who_is_calling_then_uses_that_resident(app, library, login_as, make_resident):
    known = make_resident(name="Anna Andersson", phone="070-555 12 34")
    client = login_as(Role.RECEPTION)

    asked = client.send_form(URL, quick_entry_form(library, name=""))

    page = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "Numret finns i registret. Välj vem som ringer" in page
    assert f'value="{known}"' in page and "Anna Andersson, 070-555 12 34" in page
    assert row_count(app, CallbackRequest) == 0

    picked = client.send_form(URL, quick_entry_form(library, name="", resident_choice=str(known)))

    assert picked.status_code == 302
    assert _only_request(app).resident_id == known
    assert row_count(app, Resident) == 1


def test_new_for_a_known_number_must_be_confirmed_as_another_person(app, library, login_as, make_resident):
    make_resident(name="Anna Andersson", phone="070-555 12 34")
    client = login_as(Role.RECEPTION)

    refused = client.send_form(URL, quick_entry_form(library, resident_choice="new", name="Bo Andersson"))
    assert refused.status_code == 422
    assert "Det finns redan en invånare med det här numret" in refused.get_data(as_text=True)
    assert row_count(app, CallbackRequest) == 0

    confirmed = client.send_form(
        URL, quick_entry_form(library, resident_choice="new", name="Bo Andersson", confirm_shared_number="y")
    )
    assert confirmed.status_code == 302
    assert row_count(app, Resident) == 2


def test_an_unreadable_number_is_explained_and_can_be_saved_as_typed(app, library, login_as):
    client = login_as(Role.RECEPTION)

    refused = client.send_form(URL, quick_entry_form(library, phone="070-12 34", resident_choice="new"))

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Kontrollera siffrorna" in field_error(page, "phone")
    assert "Spara ändå" in field_error(page, "phone")
    assert 'name="save_unclear_number"' in page
    assert row_count(app, CallbackRequest) == 0

    saved = client.send_form(
        URL, quick_entry_form(library, phone="070-12 34", resident_choice="new", save_unclear_number="y")
    )

    assert saved.status_code == 302
    request = _only_request(app)
    assert request.resident is None
    assert (request.caller_name, request.caller_phone_text) == ("Karin Berg", "070-12 34")
    assert row_count(app, Resident) == 0
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Numret gick inte att tolka" in page and "Lägg till invånaren i registret" in page


def test_a_foreign_number_is_refused_next_to_the_field(app, library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL, quick_entry_form(library, phone="+44 20 7946 0958", resident_choice="new")
    )

    assert "Bara svenska telefonnummer" in field_error(response.get_data(as_text=True), "phone")
    assert row_count(app, CallbackRequest) == 0


def test_every_problem_of_a_call_is_shown_at_once_and_nothing_is_saved(app, library, other_library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL,
        quick_entry_form(
            library,
            resident_choice="new",
            name="<script>alert(1)</script>",
            topic_ids=None,
            wishes="x" * 501,
            preferred_location_id=str(other_library.location_id),
            interpreter_language="klingon",
            channel="pigeon",
            callback_day="2020-01-01",
        ),
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<script>alert(1)</script>" not in page
    assert "< eller >" in field_error(page, "name")
    assert field_error(page, "topic_ids") == "Välj minst ett ämne, så vet vi vem som kan hjälpa."
    assert "500" in field_error(page, "wishes")
    assert field_error(page, "preferred_location_id") == "Välj en plats i listan."
    assert field_error(page, "interpreter_language") == "Välj ett språk i listan."
    assert field_error(page, "channel") == "Välj hur förfrågan kom in."
    assert field_error(page, "callback_day") == "Tiden har redan varit. Välj en tid framåt."
    assert row_count(app, CallbackRequest) == 0 and row_count(app, Resident) == 0


def test_a_topic_of_another_municipality_is_refused(app, library, other_library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL,
        quick_entry_form(library, resident_choice="new", topic_ids=[str(other_library.topic_ids["BankID"])]),
    )

    assert field_error(response.get_data(as_text=True), "topic_ids") == "Välj ämnen i listan."
    assert row_count(app, CallbackRequest) == 0


def test_sms_consent_needs_a_mobile_number(app, library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL,
        quick_entry_form(
            library, phone="031-123 45 67", resident_choice="new", sms_consent="y", sms_consent_method="phone"
        ),
    )

    assert field_error(response.get_data(as_text=True), "sms_consent") == "Sms kräver ett mobilnummer."
    assert row_count(app, Resident) == 0


def test_consent_given_on_the_call_is_recorded_on_a_known_resident(app, library, login_as, make_resident):
    known = make_resident(name="Anna Andersson", phone="070-555 12 34", preferred_channel="staff_call")
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL,
        quick_entry_form(library, resident_choice=str(known), sms_consent="y", sms_consent_method="phone"),
    )

    assert response.status_code == 302
    with app.app_context():
        resident = db.session.get(Resident, known)
        assert resident.sms_consent and resident.sms_consent_method == "phone"
        assert resident.sms_consent_recorded_by_id == library.reception_id


def test_the_as_you_type_list_shows_own_residents_once_six_digits_are_typed(
    app, library, login_as, make_resident
):
    make_resident(name="Anna Andersson", phone="070-555 12 34")
    make_resident(municipality="bracke", name="Bo Berg", phone="070-555 12 35")
    client = login_as(Role.RECEPTION)

    too_short = client.get("/reception/callers?phone=07055").get_data(as_text=True)
    assert "Anna Andersson" not in too_short and "Skriv minst sex siffror" in too_short

    typed = client.get("/reception/callers?phone=070-5551").get_data(as_text=True)
    assert "Anna Andersson" in typed and "Bo Berg" not in typed

    unknown = client.get("/reception/callers?phone=0709999999").get_data(as_text=True)
    assert "Numret finns inte i registret" in unknown


def test_the_page_opens_with_the_number_field_focused_and_a_callback_time_suggested(library, login_as):
    page = login_as(Role.RECEPTION).get(URL).get_data(as_text=True)

    assert page.index('id="phone"') < page.index('id="name"') < page.index('id="topic_ids"')
    phone_input = re.search(r'<input[^>]*id="phone"[^>]*>', page).group(0)
    assert "autofocus" in phone_input
    callback_time = re.search(r'<input[^>]*id="callback_time"[^>]*>', page).group(0)
    assert re.search(r'value="\d\d:\d\d"', callback_time)


def test_volunteers_cannot_take_calls_and_other_municipalities_see_nothing(
    app, library, login_as, make_request
):
    request_id = make_request()

    assert login_as(Role.VOLUNTEER).get(URL).status_code == 403
    stranger = login_as(Role.RECEPTION, municipality="bracke")
    assert stranger.get(f"/reception/requests/{request_id}").status_code == 404
    assert stranger.send_form(f"/reception/requests/{request_id}/claim").status_code == 404
    assert "Karin Berg" not in stranger.get("/reception/requests").get_data(as_text=True)
