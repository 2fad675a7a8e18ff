"""Each resident gets their messages in the language they chose, when there is a text in
it: Swedish and English for every SMS and every call. A resident whose language has no
text (Arabic, Somali) gets exactly the Swedish words, read by a Swedish voice. Sent through
the real booking, planning and dispatch to a fake Twilio, and read as the resident would
get them: the SMS as Twilio received it, the call as the TwiML Twilio fetches."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import time

import pytest
from babel.dates import format_date
from helpers import working_day

from inclusion.outbox.models import Kind, Medium
from inclusion.reminders.texts import DEFAULT_TEXTS
from tests.fake_twilio import sign
from tests.fixtures.outbox import PUBLIC_BASE_URL

SMS_KINDS_AND_VOICE_KINDS = [(kind, medium) for kind, medium in DEFAULT_TEXTS if medium != Medium.LETTER]


def _mobile(name: str, number: str, language: str) -> dict:
    return {
        "name": name,
        "phone": number,
        "preferred_channel": "sms",
        "sms_consent": True,
        "sms_consent_method": "phone",
        "preferred_language": language,
    }


def _landline(name: str, number: str, language: str) -> dict:
    return {"name": name, "phone": number, "preferred_channel": "voice", "preferred_language": language}


#: four residents called Greta, each with a language and a number of their own
SMS_RESIDENTS = {
    "sv": _mobile("Greta Sms", "070-111 22 33", "sv"),
    "en": _mobile("Greta Smith", "070-222 33 44", "en"),
    "ar": _mobile("Greta Haddad", "070-333 44 55", "ar"),
    "so": _mobile("Greta Warsame", "070-444 55 66", "so"),
}
VOICE_RESIDENTS = {
    "sv": _landline("Greta Fast", "0300-123 41", "sv"),
    "en": _landline("Greta Jones", "0300-123 42", "en"),
    "ar": _landline("Greta Nasser", "0300-123 43", "ar"),
    "so": _landline("Greta Farah", "0300-123 44", "so"),
}


@pytest.mark.parametrize(("kind", "medium"), SMS_KINDS_AND_VOICE_KINDS, ids=lambda value: str(value))
def test_every_sms_and_call_has_a_swedish_and_an_english_text(kind, medium):
    texts = DEFAULT_TEXTS[(kind, medium)]
    assert texts.get("sv", "").strip(), (kind, medium)
    assert texts.get("en", "").strip(), (kind, medium)
    assert "{datum}" in texts["sv"] and "{datum}" in texts["en"]


@pytest.fixture
def tuesday():
    return working_day(5, weekday=1)


@pytest.fixture
def book_at_ten(make_session, make_booking, make_resident, tuesday):
    """Book each resident into a Digital fika on a Tuesday at 10 (one group session for
    all, so their messages differ only in language); returns {language: booking id}."""

    def book(residents: dict[str, dict]) -> dict[str, int]:
        session_id = make_session(
            kind="group", title="Digital fika", capacity=10, day=tuesday, starts=time(10), ends=time(12)
        )[0]
        return {
            language: make_booking(session_id, make_resident(**fields))
            for language, fields in residents.items()
        }

    return book


def _e164(number: str) -> str:
    return "+46" + number.replace("-", "").replace(" ", "")[1:]


def _said(webhooks, token: str) -> tuple[str, str]:
    """(the first thing the call says, the voice's language) from the TwiML of the call."""
    path = f"/twilio/voice/reminder/{token}"
    response = webhooks.client.get(path, headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, {})})
    assert response.status_code == 200, response.get_data(as_text=True)
    say = next(ElementTree.fromstring(response.get_data()).iter("Say"))
    return say.text, say.get("language")


def test_each_resident_gets_the_sms_in_their_language_and_swedish_without_one(
    fake_twilio, dispatch, book_at_ten, tuesday
):
    book_at_ten(SMS_RESIDENTS)

    dispatch()

    sent = {request.to: request.body for request in fake_twilio.accepted("Messages")}
    text = {language: sent[_e164(fields["phone"])] for language, fields in SMS_RESIDENTS.items()}
    swedish_day = format_date(tuesday, "EEEE d MMMM", locale="sv")
    english_day = format_date(tuesday, "EEEE d MMMM", locale="en")
    assert text["sv"].startswith(DEFAULT_TEXTS[(Kind.CONFIRMATION, Medium.SMS)]["sv"].split("{")[0] + "Greta")
    assert f"{swedish_day} klockan 10.00" in text["sv"] or f"{swedish_day} kl. 10.00" in text["sv"]
    assert text["en"].startswith(DEFAULT_TEXTS[(Kind.CONFIRMATION, Medium.SMS)]["en"].split("{")[0] + "Greta")
    assert f"{english_day} at 10:00" in text["en"]
    assert swedish_day not in text["en"] and english_day not in text["sv"]
    # Arabic and Somali have no text: the same Swedish words as the Swedish-speaking Greta.
    assert text["ar"] == text["so"] == text["sv"]


def test_each_resident_is_called_in_their_language_and_in_swedish_without_one(
    fake_twilio, dispatch, outbox, webhooks, book_at_ten, tuesday
):
    bookings = book_at_ten(VOICE_RESIDENTS)

    dispatch()

    called = {call.to for call in fake_twilio.accepted("Calls")}
    assert called == {_e164(fields["phone"]) for fields in VOICE_RESIDENTS.values()}
    heard = {
        language: _said(webhooks, outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)[0].voice_token)
        for language, booking_id in bookings.items()
    }
    swedish_day = format_date(tuesday, "EEEE d MMMM", locale="sv")
    english_day = format_date(tuesday, "EEEE d MMMM", locale="en")
    swedish, swedish_voice = heard["sv"]
    english, english_voice = heard["en"]
    assert (swedish_voice, english_voice) == ("sv-SE", "en-GB")
    assert swedish.startswith(DEFAULT_TEXTS[(Kind.CONFIRMATION, Medium.VOICE)]["sv"].split("{")[0] + "Greta")
    assert swedish_day in swedish and "10:00" in swedish  # a voice reads "10:00" as "tio"
    assert english.startswith(DEFAULT_TEXTS[(Kind.CONFIRMATION, Medium.VOICE)]["en"].split("{")[0] + "Greta")
    assert english_day in english and "10:00" in english
    assert swedish_day not in english and english_day not in swedish
    assert heard["ar"] == heard["so"] == heard["sv"]


def test_the_answer_to_a_key_press_is_in_the_language_of_the_call(
    fake_twilio, dispatch, outbox, webhooks, book_at_ten, tuesday
):
    bookings = book_at_ten({language: VOICE_RESIDENTS[language] for language in ("sv", "en", "so")})
    dispatch()
    reminders = {
        language: outbox(booking_id=booking_id, kind=Kind.REMINDER)[0].voice_token
        for language, booking_id in bookings.items()
    }

    def press_1(token: str) -> str:
        path = f"/twilio/voice/reminder/{token}"
        response = webhooks.post(path, {"CallSid": "CA1", "AccountSid": "AC1", "Digits": "1"})
        return next(ElementTree.fromstring(response.get_data()).iter("Say")).text

    swedish_day = format_date(tuesday, "EEEE d MMMM", locale="sv")
    english_day = format_date(tuesday, "EEEE d MMMM", locale="en")
    assert press_1(reminders["sv"]) == f"Tack! Vi ses {swedish_day} klockan 10:00. Hej då."
    assert press_1(reminders["en"]) == f"Thank you! See you on {english_day} at 10:00. Goodbye."
    assert press_1(reminders["so"]) == f"Tack! Vi ses {swedish_day} klockan 10:00. Hej då."
