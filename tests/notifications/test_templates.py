"""A coordinator's own wording of the messages: the SMS segment counter (GSM-7 or UCS-2),
the preview, saving a text that new messages then use, per language with Swedish for the
rest, going back to the built-in text, and refusing what would go wrong in front of a
resident (unknown placeholders, links, markup, an SMS of many parts, nothing at all)."""

from __future__ import annotations

import html
import re
from datetime import time

import pytest
from babel.dates import format_date
from helpers import field_error, followed, page_of, row_count, working_day
from sqlalchemy import select

from inclusion.core.access import Role
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.outbox.models import Kind, MessageTemplate
from inclusion.reminders.texts import DEFAULT_TEXTS
from inclusion.reminders.wording import sms_length
from tests.fixtures.outbox import LANDLINE_RESIDENT, SMS_RESIDENT

CONFIRMATION_SMS = "/messages/templates/confirmation/sms"
OWN_TEXT = "Hej {namn}! Välkommen {datum} kl. {tid} till {plats}. Frågor? Ring {telefon}. /{kommun}"
ENGLISH_TEXT = "Hi {namn}! See you on {datum} at {tid} at {plats}. Questions? Call {telefon}. /{kommun}"


# --- The SMS segment counter -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("Hej Åsa! Välkommen till Öckerö bibliotek.", "GSM-7", 41, 1),
        ("å" * 160, "GSM-7", 160, 1),
        ("ö" * 161, "GSM-7", 161, 2),
        ("Ä" * 306, "GSM-7", 306, 2),
        ("ä" * 307, "GSM-7", 307, 3),
        ("Pris: 20 €", "GSM-7", 11, 1),
        ("a" * 158 + "€", "GSM-7", 160, 1),
        ("a" * 159 + "€", "GSM-7", 161, 2),
        ("Välkommen på torsdag’", "UCS-2", 21, 1),
        ("Öppet 10–12", "UCS-2", 11, 1),
        ("Välkommen 😊", "UCS-2", 12, 1),
        ("a" * 69 + "’", "UCS-2", 70, 1),
        ("a" * 70 + "’", "UCS-2", 71, 2),
        ("a" * 133 + "’", "UCS-2", 134, 2),
        ("a" * 134 + "’", "UCS-2", 135, 3),
    ],
    ids=[
        "swedish-letters-stay-gsm",
        "160-fit-one-sms",
        "161-need-two",
        "306-fit-two",
        "307-need-three",
        "euro-counts-twice",
        "euro-at-160",
        "euro-at-161",
        "curly-quote-is-ucs2",
        "en-dash-is-ucs2",
        "emoji-is-ucs2-and-counts-twice",
        "70-ucs2-fit-one-sms",
        "71-ucs2-need-two",
        "134-ucs2-fit-two",
        "135-ucs2-need-three",
    ],
)
def test_the_sms_counter_knows_gsm7_from_ucs2(text, encoding, units, segments):
    length = sms_length(text)

    assert (length.encoding, length.units, length.segments) == (encoding, units, segments)


@pytest.mark.parametrize(
    ("text", "per_segment"),
    [("a" * 160, 160), ("a" * 161, 153), ("a’", 70), ("a" * 70 + "’", 67)],
    ids=["one-gsm", "parts-gsm", "one-ucs2", "parts-ucs2"],
)
def test_an_sms_in_parts_has_less_room_in_each(text, per_segment):
    assert sms_length(text).per_segment == per_segment


# --- Set-up and reading pages -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _municipality_phone(app, library) -> None:
    """Öckerö's own number, which every message ends with."""
    with app.app_context():
        db.session.get(Organisation, library.organisation_id).phone_number = "+4631976200"
        db.session.commit()


@pytest.fixture
def confirmation_of(library, make_session, make_booking, make_resident, outbox):
    """Book a newly registered resident five working days ahead at 10:00 (each at its
    own time) and return the text of the confirmation they get."""
    hours = iter(range(10, 19))

    def book(resident: dict, municipality: str = "ockero", lib=None) -> str:
        lib = lib or library
        hour = next(hours)
        session_id = make_session(lib=lib, day=working_day(5), starts=time(hour), ends=time(hour, 30))[0]
        booking_id = make_booking(session_id, make_resident(municipality=municipality, **resident), lib=lib)
        return outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)[0].body

    return book


def spoken_day(language: str = "sv") -> str:
    return format_date(working_day(5), "EEEE d MMMM", locale=language)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def preview_shown(page: str) -> str:
    """What the preview box on the template page says."""
    found = re.search(r'<div id="preview-text"[^>]*>(.*?)</div>', page, re.S)
    return html.unescape(found.group(1)) if found else ""


def length_shown(page: str) -> str:
    found = re.search(r'<p id="preview-length"[^>]*>(.*?)</p>', page, re.S)
    return text_of(found.group(1)) if found else ""


def text_in_form(page: str) -> str:
    found = re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", page, re.S)
    return html.unescape(found.group(1)) if found else ""


def listed_row(page: str, kind_label: str, medium_label: str) -> str:
    """The row of the templates list for one kind of message and medium, as it reads."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        text = text_of(row)
        if text.startswith(f"{kind_label} {medium_label} "):
            return text
    raise AssertionError(f"no row for {kind_label} {medium_label}")


def own_templates(app) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return [
            (row.kind, row.medium, row.language, row.body)
            for row in db.session.scalars(select(MessageTemplate).order_by(MessageTemplate.id))
        ]


def save(client, url: str, body: str):
    return client.send_form(url, {"body": body, "submit": "Spara texten"})


# --- Saving a text, and the messages that use it ----------------------------------------------------


def test_a_saved_text_is_used_for_new_messages(app, coordinator, confirmation_of, library):
    before = confirmation_of(SMS_RESIDENT)

    page = followed(coordinator, save(coordinator, f"{CONFIRMATION_SMS}/sv", OWN_TEXT))

    assert "Texten är sparad. Nya meddelanden använder den." in text_of(page)
    assert listed_row(page, "Bekräftelse", "Sms").endswith("Egen text")
    assert listed_row(page, "Bekräftelse", "Brev").endswith("Standard")
    after = confirmation_of({**SMS_RESIDENT, "name": "Maj Nilsson", "phone": "070-444 55 66"})
    assert after == (
        f"Hej Maj! Välkommen {spoken_day()} kl. 11.00 till Öckerö bibliotek. "
        "Frågor? Ring 031-97 62 00. /Öckerö kommun"
    )
    assert before.startswith("Hej Greta! Du har en tid hos oss")
    assert own_templates(app) == [("confirmation", "sms", "sv", OWN_TEXT)]


def test_the_form_shows_the_text_in_use(coordinator):
    built_in = DEFAULT_TEXTS[(Kind.CONFIRMATION, "sms")]["en"]
    assert text_in_form(page_of(coordinator.get(f"{CONFIRMATION_SMS}/en"))) == built_in
    save(coordinator, f"{CONFIRMATION_SMS}/en", ENGLISH_TEXT)

    assert text_in_form(page_of(coordinator.get(f"{CONFIRMATION_SMS}/en"))) == ENGLISH_TEXT


def test_an_english_speaking_resident_gets_the_english_text(coordinator, confirmation_of):
    save(coordinator, f"{CONFIRMATION_SMS}/en", ENGLISH_TEXT)

    english = confirmation_of({**SMS_RESIDENT, "preferred_language": "en"})
    swedish = confirmation_of({**SMS_RESIDENT, "name": "Maj Nilsson", "phone": "070-444 55 66"})

    assert english == (
        f"Hi Greta! See you on {spoken_day('en')} at 10:00 at Öckerö bibliotek. "
        "Questions? Call 031-97 62 00. /Öckerö kommun"
    )
    assert swedish.startswith("Hej Maj! Du har en tid hos oss")
    english_list = page_of(coordinator.get("/messages/templates?language=en"))
    assert listed_row(english_list, "Bekräftelse", "Sms") == f"Bekräftelse Sms {ENGLISH_TEXT} Egen text"
    swedish_list = page_of(coordinator.get("/messages/templates?language=sv"))
    assert listed_row(swedish_list, "Bekräftelse", "Sms").endswith("Standard")


def test_a_resident_whose_language_has_no_text_gets_swedish(coordinator, confirmation_of):
    finnish = {**SMS_RESIDENT, "preferred_language": "fi"}
    assert confirmation_of(finnish).startswith("Hej Greta! Du har en tid hos oss")

    save(coordinator, f"{CONFIRMATION_SMS}/sv", OWN_TEXT)

    later = confirmation_of({**finnish, "name": "Aino Virtanen", "phone": "070-444 55 66"})
    assert later.startswith(f"Hej Aino! Välkommen {spoken_day()} kl. 11.00")


def test_the_list_says_when_a_language_falls_back_to_swedish(coordinator):
    page = page_of(coordinator.get("/messages/templates?language=fi"))

    row = listed_row(page, "Bekräftelse", "Sms")
    assert row.startswith("Bekräftelse Sms Hej {namn}! Du har en tid")
    assert "(på svenska, eftersom det inte finns någon text på det här språket)" in row


def test_a_voice_text_is_read_in_calls_and_on_the_call_list(coordinator, confirmation_of):
    save(
        coordinator,
        "/messages/templates/confirmation/voice/sv",
        "Hej {namn}. {kommun} ringer om din tid {datum} klockan {tid} på {plats}.",
    )

    spoken = confirmation_of(LANDLINE_RESIDENT)

    assert (
        spoken
        == f"Hej Karl. Öckerö kommun ringer om din tid {spoken_day()} klockan 10:00 på Öckerö bibliotek."
    )


def test_one_municipalitys_text_is_not_used_by_another(coordinator, login_as, confirmation_of, other_library):
    save(coordinator, f"{CONFIRMATION_SMS}/sv", OWN_TEXT)

    in_bracke = confirmation_of(
        {**SMS_RESIDENT, "name": "Bertil Bräcke"}, municipality="bracke", lib=other_library
    )

    assert in_bracke.startswith("Hej Bertil! Du har en tid hos oss")
    bracke_list = page_of(login_as(Role.COORDINATOR, municipality="bracke").get("/messages/templates"))
    assert listed_row(bracke_list, "Bekräftelse", "Sms").endswith("Standard")


# --- Going back to the built-in text ------------------------------------------------------------------


def test_reset_brings_back_the_built_in_text(app, coordinator, confirmation_of):
    save(coordinator, f"{CONFIRMATION_SMS}/sv", OWN_TEXT)
    save(coordinator, f"{CONFIRMATION_SMS}/en", ENGLISH_TEXT)
    assert "Återställ till standardtexten" in page_of(coordinator.get(f"{CONFIRMATION_SMS}/sv"))

    page = followed(coordinator, coordinator.send_form(f"{CONFIRMATION_SMS}/sv/reset"))

    assert "Standardtexten gäller igen." in text_of(page)
    assert listed_row(page, "Bekräftelse", "Sms").endswith("Standard")
    assert own_templates(app) == [("confirmation", "sms", "en", ENGLISH_TEXT)]
    assert confirmation_of(SMS_RESIDENT).startswith("Hej Greta! Du har en tid hos oss")
    form = page_of(coordinator.get(f"{CONFIRMATION_SMS}/sv"))
    assert text_in_form(form) == DEFAULT_TEXTS[(Kind.CONFIRMATION, "sms")]["sv"]
    assert "Återställ till standardtexten" not in form


# --- The preview ----------------------------------------------------------------------------------------


def test_the_live_preview_answers_with_the_filled_in_text_and_what_it_costs(app, coordinator):
    response = coordinator.send_form(f"{CONFIRMATION_SMS}/sv/preview", {"body": OWN_TEXT})

    answer = response.get_json()
    assert response.status_code == 200
    assert answer["ok"] is True
    assert answer["text"].startswith("Hej Margareta! Välkommen tisdag ")
    assert answer["text"].endswith(
        " kl. 10.00 till Öckerö bibliotek. Frågor? Ring 031-97 62 00. /Öckerö kommun"
    )
    units = len(answer["text"])
    assert answer["length"] == {
        "encoding": "GSM-7",
        "units": units,
        "segments": 1,
        "summary": f"{units} tecken, 1 sms, vanliga tecken (GSM-7, 160 per sms).",
    }
    assert own_templates(app) == []


def test_the_live_preview_warns_when_a_character_makes_the_sms_short(coordinator):
    answer = coordinator.send_form(
        f"{CONFIRMATION_SMS}/sv/preview", {"body": "Hej {namn}! Välkommen på torsdag’ /{kommun}"}
    ).get_json()

    assert answer["length"]["encoding"] == "UCS-2"
    assert answer["length"]["summary"].endswith("specialtecken eller emoji (UCS-2, bara 70 per sms).")


def test_the_live_preview_of_a_spoken_text_has_no_sms_length(coordinator):
    answer = coordinator.send_form(
        "/messages/templates/reminder/voice/sv/preview", {"body": "Hej {namn}. Välkommen klockan {tid}."}
    ).get_json()

    assert answer == {"ok": True, "text": "Hej Margareta. Välkommen klockan 10:00.", "length": None}


def test_the_live_preview_explains_a_bad_text_and_saves_nothing(app, coordinator):
    answer = coordinator.send_form(f"{CONFIRMATION_SMS}/sv/preview", {"body": "Hej {förnamn}!"}).get_json()

    assert answer == {
        "ok": False,
        "error": "Okänd platshållare: {förnamn}. Använd bara de som står i listan.",
    }
    assert own_templates(app) == []


def test_the_live_preview_needs_the_forms_token(app, coordinator):
    response = coordinator.post(f"{CONFIRMATION_SMS}/sv/preview", data={"body": OWN_TEXT})

    assert response.status_code == 400


def test_the_preview_button_shows_the_text_without_saving_it(app, coordinator):
    response = coordinator.send_form(
        f"{CONFIRMATION_SMS}/sv", {"body": OWN_TEXT, "preview": "Förhandsgranska"}
    )

    page = page_of(response)
    assert preview_shown(page).startswith("Hej Margareta! Välkommen tisdag ")
    assert re.fullmatch(r"\d+ tecken, 1 sms, vanliga tecken \(GSM-7, 160 per sms\)\.", length_shown(page))
    assert text_in_form(page) == OWN_TEXT
    assert own_templates(app) == []


# --- Refusing what would go wrong in front of a resident ------------------------------------------------

#: 452 characters as written, 473 once a long name and the place are filled in: four parts
LONG_SMS = "Hej {namn}! Välkommen till {plats}, {adress}. " + (
    "Vi hjälper dig med BankID, Swish och 1177 på biblioteket. " * 7
)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Skriv texten."),
        ("   \n  ", "Skriv texten."),
        (
            "Hej {förnamn}! Välkommen {datum}.",
            "Okänd platshållare: {förnamn}. Använd bara de som står i listan.",
        ),
        ("Hej {namn}! Välkommen {dag} kl. {klocka}.", "Okänd platshållare: {dag}, {klocka}."),
        ("Hej {namn! Välkommen {datum}.", "En klammerparentes saknar sin andra halva"),
        ("Hej {namn}! Läs mer på https://ockero.se/hjalp", "Skriv inga länkar."),
        ("Hej {namn}! Läs mer på www.ockero.se", "Skriv inga länkar."),
        ("Hej {namn}! Logga in på bankid.com", "Skriv inga länkar."),
        ("Hej {namn}! Läs mer på öckerö.se", "Skriv inga länkar."),
        ("Hej {namn}! Svara här: bit.ly/3xYz", "Skriv inga länkar."),
        ("Hej <b>{namn}</b>!", "Texten får inte innehålla tecknen < eller >."),
        ("<script>alert(1)</script> {namn}", "Texten får inte innehålla tecknen < eller >."),
        (LONG_SMS, "blir sms:et 4 delar. Korta texten till högst 3."),
        ("Hej {namn}! " + "😊" * 200, "delar. Korta texten till högst 3."),
        ("x" * 481, "Texten får vara högst 480 tecken."),
    ],
    ids=[
        "empty",
        "only-spaces",
        "unknown-placeholder",
        "two-unknown-placeholders",
        "unclosed-brace",
        "https-link",
        "www-link",
        "bare-domain",
        "domain-with-ö",
        "link-shortener",
        "html",
        "script",
        "four-sms",
        "emoji-many-parts",
        "too-long",
    ],
)
def test_a_bad_text_is_refused_next_to_the_field_and_the_saved_one_kept(app, coordinator, body, message):
    save(coordinator, f"{CONFIRMATION_SMS}/sv", OWN_TEXT)
    before = own_templates(app)

    response = save(coordinator, f"{CONFIRMATION_SMS}/sv", body)

    page = page_of(response, 422)
    assert message in field_error(page, "body")
    assert own_templates(app) == before
    assert 'id="preview-error"' in page and "Rätta texten för att se hur den blir." in preview_shown(page)


def test_a_bad_text_is_refused_by_the_preview_button_too(app, coordinator):
    response = coordinator.send_form(
        f"{CONFIRMATION_SMS}/sv", {"body": "Gå till www.1177.se", "preview": "Förhandsgranska"}
    )

    assert "Skriv inga länkar." in field_error(page_of(response, 422), "body")
    assert own_templates(app) == []


def test_a_letter_may_be_longer_than_an_sms(app, coordinator):
    letter = "Hej {namn}!\n\n" + "Välkommen till en förmiddag med digital hjälp på biblioteket.\n" * 10

    assert save(coordinator, "/messages/templates/confirmation/letter/sv", letter).status_code == 302
    assert own_templates(app) == [("confirmation", "letter", "sv", letter.strip())]


@pytest.mark.parametrize(
    "url",
    [
        "/messages/templates/reminder/letter/sv",
        "/messages/templates/reply/sms/sv",
        "/messages/templates/party/sms/sv",
        "/messages/templates/confirmation/fax/sv",
        "/messages/templates/confirmation/sms/xx",
    ],
    ids=["reminder-letter", "reply", "unknown-kind", "unknown-medium", "unknown-language"],
)
def test_a_template_that_does_not_exist_is_not_found(app, coordinator, url):
    assert coordinator.get(url).status_code == 404
    assert save(coordinator, url, OWN_TEXT).status_code == 404
    assert coordinator.send_form(url + "/preview", {"body": OWN_TEXT}).status_code == 404
    assert coordinator.send_form(url + "/reset").status_code == 404
    assert row_count(app, MessageTemplate) == 0


@pytest.mark.parametrize("role", [Role.STAFF, Role.RECEPTION, Role.VOLUNTEER])
def test_only_the_coordinator_may_change_or_try_texts(app, coordinator, login_as, role):
    save(coordinator, f"{CONFIRMATION_SMS}/sv", OWN_TEXT)
    client = login_as(role)

    assert save(client, f"{CONFIRMATION_SMS}/sv", "Hej {namn}!").status_code == 403
    assert client.send_form(f"{CONFIRMATION_SMS}/sv/reset").status_code == 403
    assert client.send_form(f"{CONFIRMATION_SMS}/sv/preview", {"body": OWN_TEXT}).status_code == 403
    assert own_templates(app) == [("confirmation", "sms", "sv", OWN_TEXT)]
