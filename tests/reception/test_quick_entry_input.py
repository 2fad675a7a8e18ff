"""The quick entry, field by field: everything said on the call ends up on the request,
the caller is found or registered once, and every kind of bad input is answered next to
its field with nothing saved (an unreadable number can still be saved as typed)."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from helpers import field_error, row_count, working_day
from sqlalchemy import select

from inclusion.core.access import Role
from inclusion.core.clock import local_today, to_local
from inclusion.extensions import db
from inclusion.reception.models import CallbackRequest
from inclusion.residents.models import Resident
from tests.reception.support import quick_entry_form

URL = "/reception/requests/new"
TZ = "Europe/Stockholm"


def _call(library, **fields) -> dict:
    """A typical call from someone new, as quick entry sends it."""
    return quick_entry_form(library, **{"resident_choice": "new", **fields})


def _requests(app) -> list[CallbackRequest]:
    with app.app_context():
        found = list(db.session.scalars(select(CallbackRequest).order_by(CallbackRequest.id)))
        for request in found:
            request.topics, request.resident  # noqa: B018  (load before leaving the context)
        db.session.expunge_all()
        return found


def _resident(app, resident_id: int) -> Resident:
    with app.app_context():
        resident = db.session.get(Resident, resident_id)
        db.session.expunge(resident)
        return resident


def _nothing_saved(app) -> bool:
    return row_count(app, CallbackRequest) == 0 and row_count(app, Resident) == 0


# --- Everything said on the call is kept -------------------------------------------------


def test_every_part_of_a_new_callers_request_is_saved_and_shown(app, library, login_as):
    client = login_as(Role.RECEPTION)
    day = working_day(4)

    response = client.send_form(
        URL,
        _call(
            library,
            topic_ids=[str(library.topic_ids["BankID"]), str(library.topic_ids["Swish"])],
            wishes="Helst på Hönö efter lunch",
            preferred_location_id=str(library.other_location_id),
            weekdays=["0", "4"],
            time_of_day="afternoon",
            needs=["sight"],
            interpreter_language="ar",
            channel="sms",
            sms_consent="y",
            sms_consent_method="in_person",
            callback_day=day.isoformat(),
            callback_time="13:45",
            note="Har ny mobil sedan i våras",
        ),
    )

    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Förfrågan från Karin Berg är sparad." in page
    assert "BankID, Swish" in page and "Hönö bibliotek" in page
    assert "måndag, fredag" in page and "Eftermiddag" in page
    assert "syn, tolk eller personal som talar arabiska" in page
    assert "Har ny mobil sedan i våras" in page and "Helst på Hönö efter lunch" in page
    assert "13.45" in page

    (request,) = _requests(app)
    assert request.state == "new" and request.taken_by_id == library.reception_id
    assert request.channel == "sms" and request.time_of_day == "afternoon"
    assert request.preferred_weekdays == "0,4" and request.preferred_location_id == library.other_location_id
    assert sorted(topic.name for topic in request.topics) == ["BankID", "Swish"]
    assert request.needs.sight and not request.needs.hearing and request.interpreter_language == "ar"
    due = to_local(request.callback_due_at, TZ)
    assert (due.date(), due.time()) == (day, time(13, 45))
    resident = request.resident
    assert (resident.name, resident.phone_e164, resident.phone_kind) == (
        "Karin Berg",
        "+46705551234",
        "mobile",
    )
    assert resident.sms_consent and resident.sms_consent_method == "in_person"
    assert resident.sms_consent_recorded_by_id == library.reception_id and resident.sms_consent_at is not None


def test_a_new_caller_on_a_landline_without_consent_is_reached_by_voice_call(app, library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(URL, _call(library, phone="031-123 45 67", name="Olle Ek"))

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "031-123 45 67" in page and "röstsamtal" in page
    (request,) = _requests(app)
    assert request.resident.phone_kind == "landline" and request.resident.preferred_channel == "voice"
    assert not request.resident.sms_consent and request.resident.sms_consent_method is None


def test_the_form_keeps_what_was_typed_when_something_is_missing(app, library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL, _call(library, topic_ids=None, wishes="Torsdagar passar bäst", note="Ringer från jobbet")
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_error(page, "topic_ids") == "Välj minst ett ämne, så vet vi vem som kan hjälpa."
    assert 'value="Torsdagar passar bäst"' in page and "Ringer från jobbet" in page
    assert 'value="Karin Berg"' in page and 'value="070-555 12 34"' in page
    assert "Något behöver rättas" in page
    assert _nothing_saved(app)


# --- Who is calling -----------------------------------------------------------------------


def test_without_javascript_a_typed_number_lists_the_residents_to_pick_from(
    app, library, login_as, make_resident
):
    only = make_resident(name="Anna Andersson", phone="070-555 12 34")
    client = login_as(Role.RECEPTION)

    page = client.get(f"{URL}?phone=0705551234").get_data(as_text=True)

    radio = re.search(rf'<input[^>]*value="{only}"[^>]*>', page).group(0)
    assert "Anna Andersson, 070-555 12 34" in page and "checked" in radio
    assert "Ny invånare (inte i registret)" in page


def test_two_residents_on_one_number_are_both_offered_and_the_picked_one_gets_the_request(
    app, library, login_as, make_resident
):
    anna = make_resident(name="Anna Andersson", phone="031-123 45 67", preferred_channel="voice")
    bo = make_resident(
        name="Bo Andersson", phone="031-123 45 67", preferred_channel="voice", allow_shared_number=True
    )
    client = login_as(Role.RECEPTION)

    asked = client.send_form(URL, _call(library, phone="031-123 45 67", resident_choice="", name=""))

    page = asked.get_data(as_text=True)
    assert asked.status_code == 422
    assert "Välj vem som ringer" in page
    assert "Anna Andersson, 031-123 45 67" in page and "Bo Andersson, 031-123 45 67" in page
    assert row_count(app, CallbackRequest) == 0

    picked = client.send_form(URL, _call(library, phone="031-123 45 67", resident_choice=str(bo), name=""))

    assert "Förfrågan från Bo Andersson är sparad." in client.get(picked.headers["Location"]).get_data(
        as_text=True
    )
    (request,) = _requests(app)
    assert request.resident_id == bo and request.resident_id != anna
    assert row_count(app, Resident) == 2


def test_a_picked_resident_keeps_their_name_whatever_is_typed_in_the_name_field(
    app, library, login_as, make_resident
):
    known = make_resident(name="Anna Andersson", phone="070-555 12 34")
    client = login_as(Role.RECEPTION)

    client.send_form(URL, _call(library, resident_choice=str(known), name="Anna A"))

    (request,) = _requests(app)
    assert request.resident.name == "Anna Andersson" and request.caller_name is None
    assert row_count(app, Resident) == 1


def test_new_for_a_known_number_names_who_has_it_and_asks_to_confirm(app, library, login_as, make_resident):
    anna = make_resident(name="Anna Andersson", phone="031-123 45 67", preferred_channel="voice")
    client = login_as(Role.RECEPTION)

    refused = client.send_form(URL, _call(library, phone="031-123 45 67", name="Bo Andersson"))

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Det finns redan en invånare med det här numret" in field_error(page, "phone")
    assert "De här invånarna har redan numret:" in page and f"/residents/{anna}" in page
    assert 'name="confirm_shared_number"' in page
    assert row_count(app, Resident) == 1 and row_count(app, CallbackRequest) == 0

    client.send_form(
        URL, _call(library, phone="031-123 45 67", name="Bo Andersson", confirm_shared_number="y")
    )

    (request,) = _requests(app)
    assert request.resident.name == "Bo Andersson" and request.resident_id != anna
    assert request.resident.phone_e164 == _resident(app, anna).phone_e164


@pytest.mark.parametrize("choice", ["999999", "not-a-number", "{other}"])
def test_a_picked_resident_must_be_one_of_the_own_municipality(app, library, login_as, make_resident, choice):
    other = make_resident(municipality="bracke", name="Bo Berg", phone="070-555 12 34")
    client = login_as(Role.RECEPTION)

    response = client.send_form(URL, _call(library, resident_choice=choice.format(other=other)))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Välj invånaren i listan." in page and "Bo Berg" not in page
    assert row_count(app, CallbackRequest) == 0 and row_count(app, Resident) == 1


# --- The number ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("070-555 12 3x", "får bara innehålla siffror"),
        ("+46", "Det ser inte ut som ett telefonnummer"),
        ("070-12 34", "Kontrollera siffrorna"),
        ("+44 20 7946 0958", "Bara svenska telefonnummer"),
        ("+1 202 555 0143", "Bara svenska telefonnummer"),
    ],
)
def test_a_malformed_or_foreign_number_is_explained_next_to_the_field(app, library, login_as, typed, message):
    client = login_as(Role.RECEPTION)

    response = client.send_form(URL, _call(library, phone=typed))

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(page, "phone")
    assert "Spara ändå" in field_error(page, "phone")
    assert 'name="save_unclear_number"' in page
    assert _nothing_saved(app)


def test_a_foreign_number_saved_anyway_is_kept_as_typed_and_marked_in_the_queue(app, library, login_as):
    client = login_as(Role.RECEPTION)

    saved = client.send_form(URL, _call(library, phone="+44 20 7946 0958", save_unclear_number="y"))

    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Förfrågan från Karin Berg är sparad." in page
    assert "+44 20 7946 0958" in page and "Numret gick inte att tolka" in page
    (request,) = _requests(app)
    assert request.resident_id is None and request.caller_phone_text == "+44 20 7946 0958"
    assert row_count(app, Resident) == 0
    queue = client.get("/reception/requests").get_data(as_text=True)
    assert "+44 20 7946 0958 (oklart nummer)" in queue


def test_an_unclear_number_still_needs_the_callers_name(app, library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(URL, _call(library, phone="070-12 34", name="", save_unclear_number="y"))

    assert field_error(response.get_data(as_text=True), "name") == "Skriv namnet på den som ringer."
    assert _nothing_saved(app)


def test_no_number_and_no_name_are_both_asked_for(app, library, login_as):
    client = login_as(Role.RECEPTION)

    no_number = client.send_form(URL, _call(library, phone=""))
    no_name = client.send_form(URL, _call(library, name=""))

    assert field_error(no_number.get_data(as_text=True), "phone") == "Skriv numret som invånaren kan nås på."
    assert field_error(no_name.get_data(as_text=True), "name") == "Skriv namnet på den som ringer."
    assert _nothing_saved(app)


# --- Topics, places and text ----------------------------------------------------------------


def test_a_request_without_a_topic_is_refused_next_to_the_topics(app, library, login_as):
    response = login_as(Role.RECEPTION).send_form(URL, _call(library, topic_ids=None))

    page = response.get_data(as_text=True)
    assert field_error(page, "topic_ids") == "Välj minst ett ämne, så vet vi vem som kan hjälpa."
    assert 'href="#topic_ids"' in page  # the summary at the top leads to the field
    assert _nothing_saved(app)


def test_ids_of_the_other_municipality_are_refused(app, library, other_library, login_as):
    client = login_as(Role.RECEPTION)

    mixed_topics = client.send_form(
        URL,
        _call(
            library,
            topic_ids=[str(library.topic_ids["BankID"]), str(other_library.topic_ids["Swish"])],
        ),
    )
    foreign_place = client.send_form(
        URL, _call(library, preferred_location_id=str(other_library.location_id))
    )

    assert field_error(mixed_topics.get_data(as_text=True), "topic_ids") == "Välj ämnen i listan."
    assert field_error(foreign_place.get_data(as_text=True), "preferred_location_id") == (
        "Välj en plats i listan."
    )
    assert "Bräcke bibliotek" not in foreign_place.get_data(as_text=True)
    assert _nothing_saved(app)


def test_wishes_and_notes_have_a_length_limit(app, library, login_as):
    client = login_as(Role.RECEPTION)

    too_long = client.send_form(URL, _call(library, wishes="x" * 501, note="y" * 1001))

    page = too_long.get_data(as_text=True)
    assert field_error(page, "wishes") == "Texten får vara högst 500 tecken."
    assert field_error(page, "note") == "Texten får vara högst 1000 tecken."
    assert _nothing_saved(app)

    at_the_limit = client.send_form(URL, _call(library, wishes="x" * 500, note="y" * 1000))

    assert at_the_limit.status_code == 302
    (request,) = _requests(app)
    assert len(request.wishes) == 500 and len(request.note) == 1000


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("<b>Karin</b>", "Namnet får inte innehålla tecknen < eller >."),
        ("Karin <script>", "Namnet får inte innehålla tecknen < eller >."),
        ("K" * 121, "Namnet får vara högst 120 tecken."),
    ],
)
def test_a_name_with_markup_or_too_long_is_refused(app, library, login_as, name, message):
    response = login_as(Role.RECEPTION).send_form(URL, _call(library, name=name))

    page = response.get_data(as_text=True)
    assert field_error(page, "name") == message
    assert "<b>Karin</b>" not in page and "<script>" not in page.split("<main")[-1].split("</main>")[0]
    assert _nothing_saved(app)


def test_markup_in_wishes_and_notes_is_shown_as_text_never_run(app, library, login_as):
    client = login_as(Role.RECEPTION)
    script = '<script>alert("x")</script>'

    saved = client.send_form(
        URL, _call(library, wishes=script, note=f"<img src=x onerror=alert(1)> {script}")
    )

    request_page = client.get(saved.headers["Location"]).get_data(as_text=True)
    queue = client.get("/reception/requests").get_data(as_text=True)
    for page in (request_page, queue):
        assert script not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(" in request_page and "&lt;img src=x" in request_page
    (request,) = _requests(app)
    assert request.wishes == script


def test_a_control_character_in_a_note_is_refused(app, library, login_as):
    response = login_as(Role.RECEPTION).send_form(URL, _call(library, note="Ring\x07 igen"))

    assert field_error(response.get_data(as_text=True), "note") == (
        "Texten innehåller tecken som inte går att spara."
    )
    assert _nothing_saved(app)


def test_tampered_choices_are_refused_next_to_their_fields(app, library, login_as):
    client = login_as(Role.RECEPTION)

    response = client.send_form(URL, _call(library, weekdays=["9"], channel="fax", interpreter_language="xx"))
    night = client.send_form(URL, _call(library, time_of_day="night"))

    page = response.get_data(as_text=True)
    assert field_error(page, "weekdays") == "Välj veckodagar i listan."
    assert field_error(night.get_data(as_text=True), "time_of_day") == (
        "Välj förmiddag, eftermiddag eller hela dagen."
    )
    assert field_error(page, "channel") == "Välj hur förfrågan kom in."
    assert field_error(page, "interpreter_language") == "Välj ett språk i listan."
    assert _nothing_saved(app)


# --- The callback time -------------------------------------------------------------------------


def test_a_callback_time_that_has_passed_is_refused(app, library, login_as):
    client = login_as(Role.RECEPTION)
    yesterday = local_today(TZ) - timedelta(days=1)

    response = client.send_form(
        URL, _call(library, callback_day=yesterday.isoformat(), callback_time="10:00")
    )

    assert field_error(response.get_data(as_text=True), "callback_day") == (
        "Tiden har redan varit. Välj en tid framåt."
    )
    assert _nothing_saved(app)


@pytest.mark.parametrize(
    ("day", "clock", "field", "message"),
    [
        ("", "", "callback_day", "Skriv när vi ska ringa tillbaka."),
        ("{day}", "", "callback_day", "Skriv när vi ska ringa tillbaka."),
        ("{far}", "10:00", "callback_day", "Välj en tid inom ett år."),
        ("2026-13-45", "10:00", "callback_day", "Skriv datumet som år-månad-dag"),
        ("{day}", "25:00", "callback_time", "Skriv klockslaget som timmar och minuter"),
    ],
)
def test_a_missing_or_unreadable_callback_time_is_explained(
    app, library, login_as, day, clock, field, message
):
    typed_day = day.format(
        day=working_day().isoformat(), far=(local_today(TZ) + timedelta(days=400)).isoformat()
    )

    response = login_as(Role.RECEPTION).send_form(
        URL, _call(library, callback_day=typed_day, callback_time=clock)
    )

    assert message in field_error(response.get_data(as_text=True), field)
    assert _nothing_saved(app)


def test_the_suggested_callback_time_is_ahead_within_office_hours(library, login_as):
    page = login_as(Role.RECEPTION).get(URL).get_data(as_text=True)

    day = re.search(r'<input[^>]*id="callback_day"[^>]*value="([\d-]+)"', page).group(1)
    clock = re.search(r'<input[^>]*id="callback_time"[^>]*value="(\d\d:\d\d)"', page).group(1)
    assert day >= local_today(TZ).isoformat()
    assert time(9) <= time.fromisoformat(clock) <= time(16)


# --- Consent to SMS ---------------------------------------------------------------------------


def test_consent_needs_a_known_way_of_saying_yes(app, library, login_as):
    response = login_as(Role.RECEPTION).send_form(
        URL, _call(library, sms_consent="y", sms_consent_method="carrier_pigeon")
    )

    assert field_error(response.get_data(as_text=True), "sms_consent_method") == (
        "Välj hur invånaren sa ja till sms."
    )
    assert _nothing_saved(app)


def test_consent_for_a_known_resident_on_a_landline_is_refused(app, library, login_as, make_resident):
    landline = make_resident(name="Olle Ek", phone="031-123 45 67", preferred_channel="voice")
    client = login_as(Role.RECEPTION)

    response = client.send_form(
        URL,
        _call(
            library,
            phone="031-123 45 67",
            resident_choice=str(landline),
            sms_consent="y",
            sms_consent_method="phone",
        ),
    )

    assert field_error(response.get_data(as_text=True), "sms_consent") == "Sms kräver ett mobilnummer."
    assert row_count(app, CallbackRequest) == 0
    assert not _resident(app, landline).sms_consent


# --- The as-you-type list and who may use it ----------------------------------------------------


def test_the_as_you_type_list_starts_at_six_digits(app, library, login_as, make_resident):
    make_resident(name="Anna Andersson", phone="070-555 12 34")
    client = login_as(Role.RECEPTION)

    five = client.get("/reception/callers?phone=07055").get_data(as_text=True)
    six = client.get("/reception/callers?phone=070555").get_data(as_text=True)
    spaced = client.get("/reception/callers?phone=070 555 1").get_data(as_text=True)

    assert "Anna Andersson" not in five and "Skriv minst sex siffror" in five
    assert "Anna Andersson, 070-555 12 34" in six and "Anna Andersson" in spaced


def test_the_as_you_type_list_never_shows_another_municipalitys_residents(
    app, library, login_as, make_resident
):
    make_resident(municipality="bracke", name="Bo Berg", phone="070-555 12 34")
    client = login_as(Role.RECEPTION)

    whole = client.get("/reception/callers?phone=070-555 12 34").get_data(as_text=True)
    partial = client.get("/reception/callers?phone=0705551").get_data(as_text=True)

    assert "Bo Berg" not in whole and "Bo Berg" not in partial
    assert "Numret finns inte i registret" in whole
    bracke = login_as(Role.RECEPTION, municipality="bracke").get("/reception/callers?phone=0705551234")
    assert "Bo Berg" in bracke.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/reception/requests/new",
        "/reception/requests",
        "/reception/callers?phone=0705551234",
        "/reception/requests/{id}",
    ],
)
def test_volunteers_are_told_reception_pages_are_not_for_their_role(
    app, library, login_as, make_request, path
):
    request_id = make_request()

    response = login_as(Role.VOLUNTEER).get(path.format(id=request_id))

    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Du har inte behörighet" in page and "Karin Berg" not in page


def test_a_volunteer_cannot_take_a_call_by_posting_the_form(app, library, login_as):
    volunteer = login_as(Role.VOLUNTEER)

    response = volunteer.send_form(URL, _call(library))

    assert response.status_code == 403 and "Du har inte behörighet" in response.get_data(as_text=True)
    assert _nothing_saved(app)


@pytest.mark.parametrize("action", ["claim", "release", "attempts", "callback", "close", "register", "book"])
def test_another_municipality_finds_no_request_and_changes_nothing(
    app, library, login_as, make_request, action
):
    request_id = make_request()
    stranger = login_as(Role.RECEPTION, municipality="bracke")

    shown = stranger.get(f"/reception/requests/{request_id}")
    acted = stranger.send_form(
        f"/reception/requests/{request_id}/{action}",
        {"outcome": "reached", "reason": "solved_on_phone", "phone": "070-555 12 99"},
    )

    assert shown.status_code == 404 and acted.status_code == 404
    assert "Sidan finns inte" in shown.get_data(as_text=True) and "Karin Berg" not in shown.get_data(
        as_text=True
    )
    (request,) = _requests(app)
    assert request.state == "new" and request.claimed_by_id is None and request.failed_attempts == 0


def test_signed_out_visitors_are_sent_to_the_login_page(app, library):
    response = app.test_client().get(URL)

    assert response.status_code == 302 and "/login" in response.headers["Location"]
