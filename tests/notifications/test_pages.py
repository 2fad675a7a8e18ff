"""The staff pages for messages: the outbox with its filters and pages, one message with
its history and why it failed, sending a failed message again, the call list, letters to
post and the sending rules; the messages on a resident's and a booking's page; who may
open what, and that nothing crosses from one municipality to the other."""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta

import pytest
from helpers import field_error, followed, page_of, row_count, working_day

from inclusion.booking.models import Booking, HelpSession
from inclusion.core.access import Role
from inclusion.core.clock import to_local
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.outbox.models import Channel, Kind, Message, NotificationSettings, Recipient, State
from inclusion.residents.models import Resident
from inclusion.residents.services import details_of, update_resident
from tests.fixtures.outbox import CALL_RESIDENT, LANDLINE_RESIDENT, LETTER_RESIDENT, SMS_RESIDENT

TZ = "Europe/Stockholm"
ADDRESS = {"street_address": "Storgatan 1", "postal_code": "475 31", "city": "Öckerö"}
#: a second resident on the call list, at another number
CALL_RESIDENT_TWO = {**CALL_RESIDENT, "name": "Sven Ring", "phone": "070-333 44 55"}


# --- Set-up and reading pages ----------------------------------------------------------------


@pytest.fixture
def booked(library, make_session, make_booking, make_resident):
    """Register a resident and book them five working days ahead (at Öckerö bibliotek
    unless ``location_id`` says otherwise); returns (resident id, booking id)."""

    def book(resident: dict, location_id: int | None = None, starts: time = time(10), **booking):
        day = working_day(5)
        resident_id = make_resident(**resident)
        session_id = make_session(
            day=day,
            starts=starts,
            ends=(datetime.combine(day, starts) + timedelta(minutes=30)).time(),
            location_id=location_id or library.location_id,
        )[0]
        return resident_id, make_booking(session_id, resident_id, **booking)

    return book


@pytest.fixture
def bracke(other_library, make_session, make_booking, make_resident, outbox) -> dict[str, int]:
    """A Bräcke resident on Bräcke's call list and sent a letter: ids Öckerö's staff must
    never reach."""
    resident_id = make_resident(municipality="bracke", **{**CALL_RESIDENT, "name": "Bertil Bräcke"})
    session_id = make_session(lib=other_library, day=working_day(5))[0]
    booking_id = make_booking(session_id, resident_id, lib=other_library, channel="staff")
    letter_resident = make_resident(municipality="bracke", **{**LETTER_RESIDENT, "name": "Berit Bräcke"})
    make_booking(make_session(lib=other_library, day=working_day(6))[0], letter_resident, lib=other_library)
    return {
        "resident": resident_id,
        "booking": booking_id,
        "call": first_message(outbox, booking_id=booking_id).id,
        "letter": first_message(outbox, channel=Channel.LETTER, resident_id=letter_resident).id,
    }


def first_message(outbox, **where) -> Message:
    return outbox(**where)[0]


def set_message(app, message_id: int, **values) -> None:
    """Put a message into a state directly, as the dispatcher or a webhook would have."""
    with app.app_context():
        message = db.session.get(Message, message_id)
        for name, value in values.items():
            setattr(message, name, value)
        db.session.commit()


def message_row(app, message_id: int) -> Message:
    with app.app_context():
        message = db.session.get(Message, message_id)
        db.session.expunge(message)
        return message


def listed(page: str) -> list[int]:
    """The ids of the messages a page lists, in the order shown."""
    return [int(found) for found in re.findall(r'href="/messages/(\d+)"', page)]


def text_of(page: str) -> str:
    """A page as it reads: tags gone, entities decoded, white space closed up."""
    inline_gone = re.sub(r"</?(a|strong|span|em|code)\b[^>]*>", "", page)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline_gone)).split())


def section(page: str, start: str, end: str | None = None) -> str:
    """The part of a page's text from a heading on (up to ``end``), as it reads."""
    text = text_of(page)
    assert start in text, text
    part = text[text.index(start) :]
    return part[: part.index(end)] if end and end in part else part


def called(page: str) -> list[str]:
    """The names on the call list, in order."""
    return re.findall(r'<li class="call">\s*<h2>(.*?)</h2>', page)


def form_values(page: str) -> dict[str, str]:
    """What a browser sends back from a page's text inputs when nothing is changed."""
    values = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and 'type="hidden"' not in tag and 'type="submit"' not in tag:
            values[name.group(1)] = html.unescape(value.group(1)) if value else ""
    return values


def add_messages(
    app, organisation_id: int, count: int, channel: Channel = Channel.SMS, created_at: datetime | None = None
) -> list[int]:
    """Sent campaign texts straight into the outbox, for pages that need many rows
    (all created at ``created_at`` when given)."""
    now = utcnow()
    with app.app_context():
        rows = [
            Message(
                organisation_id=organisation_id,
                to_number="+46705550000",
                channel=channel,
                kind=Kind.CAMPAIGN_INVITATION,
                body="Välkommen på digital fika på torsdag!",
                due_at=now,
                send_after=now,
                state=State.SENT,
                **({"created_at": created_at} if created_at else {}),
            )
            for _ in range(count)
        ]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def local_day(moment: datetime):
    return to_local(moment, TZ).date()


@pytest.fixture
def sample(booked, outbox) -> dict[str, int]:
    """A message of each kind of page that takes an id: an SMS and a call-list entry."""
    booked(SMS_RESIDENT)
    booked(CALL_RESIDENT, channel="staff", starts=time(11))
    return {
        "sms": first_message(outbox, channel=Channel.SMS).id,
        "call": first_message(outbox, channel=Channel.STAFF_CALL).id,
    }


# --- Who may open what ------------------------------------------------------------------------

MESSAGE_PAGES = ("/messages/", "/messages/calls", "/messages/letters", "/messages/{sms}")
COORDINATOR_PAGES = (
    "/messages/templates",
    "/messages/templates?language=en",
    "/messages/templates/reminder/sms/sv",
    "/messages/settings",
)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.STAFF, Role.RECEPTION])
def test_coordinators_staff_and_reception_open_the_message_pages(login_as, sample, role):
    client = login_as(role)
    for url in MESSAGE_PAGES:
        assert client.get(url.format(**sample)).status_code == 200, url


def test_the_coordinator_opens_the_texts_and_the_sending_rules(coordinator):
    for url in COORDINATOR_PAGES:
        assert coordinator.get(url).status_code == 200, url


def test_volunteers_are_refused_the_message_pages_and_change_nothing(app, login_as, sample, outbox):
    client = login_as(Role.VOLUNTEER)
    for url in MESSAGE_PAGES + COORDINATOR_PAGES:
        assert client.get(url.format(**sample)).status_code == 403, url
    set_message(app, sample["sms"], state=State.FAILED)
    before = row_count(app, Message)

    assert client.send_form(f"/messages/{sample['sms']}/resend").status_code == 403
    assert client.send_form(f"/messages/{sample['call']}/call", {"outcome": "reached"}).status_code == 403

    assert row_count(app, Message) == before
    assert message_row(app, sample["call"]).state == State.PENDING


@pytest.mark.parametrize("role", [Role.STAFF, Role.RECEPTION])
def test_only_the_coordinator_changes_texts_and_sending_rules(app, library, login_as, role):
    client = login_as(role)
    for url in COORDINATOR_PAGES:
        assert client.get(url).status_code == 403, url
    changed = client.send_form(
        "/messages/settings", {"reminder_hours": "1", "quiet_from": "20:00", "quiet_until": "09:00"}
    )
    assert changed.status_code == 403
    with app.app_context():
        assert db.session.get(NotificationSettings, library.organisation_id).reminder_offsets == "1440,120"


def test_someone_not_signed_in_is_sent_to_sign_in(app, sample):
    client = app.test_client()
    for url in MESSAGE_PAGES + COORDINATOR_PAGES:
        response = client.get(url.format(**sample))
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login"), url


def test_another_municipalitys_messages_are_not_found_and_not_changed(app, login_as, bracke, outbox):
    set_message(app, bracke["letter"], state=State.FAILED)
    client = login_as(Role.COORDINATOR)

    assert client.get(f"/messages/{bracke['call']}").status_code == 404
    assert client.get(f"/messages/{bracke['letter']}").status_code == 404
    assert client.send_form(f"/messages/{bracke['letter']}/resend").status_code == 404
    assert client.send_form(f"/messages/{bracke['call']}/call", {"outcome": "reached"}).status_code == 404

    outbox_page = text_of(page_of(client.get("/messages/")))
    calls_page = text_of(page_of(client.get("/messages/calls")))
    assert "Bräcke" not in outbox_page and "Bräcke" not in calls_page
    assert message_row(app, bracke["call"]).state == State.PENDING
    assert [m.state for m in outbox(resident_id=bracke["resident"])] == [State.PENDING, State.PENDING]


def test_letters_of_another_municipality_are_neither_printed_nor_marked_posted(app, login_as, bracke):
    client = login_as(Role.STAFF)
    assert "Berit Bräcke" not in page_of(client.get("/messages/letters"))

    client.send_form("/messages/letters", {"message_ids": [str(bracke["letter"])]})

    assert message_row(app, bracke["letter"]).state == State.PENDING


# --- The outbox -------------------------------------------------------------------------------


def test_the_outbox_lists_every_message_newest_first_with_who_what_how_and_state(booked, outbox, login_as):
    booked(SMS_RESIDENT)
    booked(LANDLINE_RESIDENT, starts=time(14))

    page = page_of(login_as(Role.RECEPTION).get("/messages/"))

    assert listed(page) == sorted((m.id for m in outbox()), reverse=True)
    text = text_of(page)
    assert "Greta Sms Påminnelse Sms Väntar" in text
    assert "Karl Fast Bekräftelse Röstsamtal Väntar" in text


@pytest.fixture
def mixed_outbox(app, booked, outbox) -> list[Message]:
    """An SMS resident's three messages (one failed), a landline's three calls, and one
    on the call list: enough for every filter to leave something out."""
    booked(SMS_RESIDENT)
    booked(LANDLINE_RESIDENT, starts=time(14))
    booked(CALL_RESIDENT, channel="staff", starts=time(15))
    set_message(app, first_message(outbox, channel=Channel.SMS).id, state=State.FAILED)
    return outbox()


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"state": "failed"}, lambda m, day: m.state == State.FAILED),
        ({"channel": "voice"}, lambda m, day: m.channel == Channel.VOICE),
        ({"channel": "staff_call"}, lambda m, day: m.channel == Channel.STAFF_CALL),
        ({"kind": "reminder"}, lambda m, day: m.kind == Kind.REMINDER),
        ({"day": "appointment"}, lambda m, day: local_day(m.send_after) == day),
        (
            {"channel": "sms", "kind": "reminder", "state": "pending"},
            lambda m, day: m.channel == Channel.SMS and m.kind == Kind.REMINDER,
        ),
    ],
    ids=["failed", "voice", "call-list", "reminders", "one-day", "sms-reminders-waiting"],
)
def test_the_outbox_filters_by_state_channel_kind_and_day(login_as, mixed_outbox, query, shown):
    day = working_day(5)
    if "day" in query:
        query = {**query, "day": day.isoformat()}

    page = page_of(login_as(Role.STAFF).get("/messages/", query_string=query))

    expected = sorted((m.id for m in mixed_outbox if shown(m, day)), reverse=True)
    assert expected, "the filter should leave something to show"
    assert len(expected) < len(mixed_outbox), "the filter should leave something out"
    assert listed(page) == expected


def test_an_unreadable_day_is_explained_next_to_the_field_and_everything_still_shown(login_as, mixed_outbox):
    page = page_of(login_as(Role.STAFF).get("/messages/?day=i+morgon"))

    assert "Skriv datumet som år-månad-dag" in field_error(page, "day")
    assert len(listed(page)) == len(mixed_outbox)


def test_the_outbox_counts_what_waits_for_a_person(booked, login_as, mixed_outbox):
    booked(LETTER_RESIDENT, starts=time(16))

    text = text_of(page_of(login_as(Role.STAFF).get("/messages/")))

    assert "1 samtal att ringa 1 brev att posta 1 kom inte fram senaste veckan" in text


def older_link(page: str) -> str | None:
    found = re.search(r'<nav class="pager".*?<a href="([^"]+)" rel="next">', page, re.S)
    return html.unescape(found.group(1)) if found else None


def newer_link(page: str) -> str | None:
    found = re.search(r'<nav class="pager".*?<a href="([^"]+)" rel="prev">', page, re.S)
    return html.unescape(found.group(1)) if found else None


def test_a_long_outbox_is_read_page_by_page_without_gaps_or_repeats(app, library, login_as):
    ids = add_messages(app, library.organisation_id, 64)
    client = login_as(Role.STAFF)

    first = page_of(client.get("/messages/"))
    second = page_of(client.get(older_link(first)))

    assert listed(first) == sorted(ids, reverse=True)[:50]
    assert listed(second) == sorted(ids, reverse=True)[50:]
    assert older_link(second) is None
    assert "Äldre utskick" not in second
    assert newer_link(first) is None
    assert "Nyare utskick" not in first


def test_the_newer_link_leads_back_to_the_same_pages(app, library, login_as):
    ids = add_messages(app, library.organisation_id, 120)
    client = login_as(Role.STAFF)

    first = page_of(client.get("/messages/"))
    second = page_of(client.get(older_link(first)))
    third = page_of(client.get(older_link(second)))
    back_to_second = page_of(client.get(newer_link(third)))
    back_to_first = page_of(client.get(newer_link(back_to_second)))

    newest_first = sorted(ids, reverse=True)
    assert [listed(first), listed(second), listed(third)] == [
        newest_first[:50],
        newest_first[50:100],
        newest_first[100:],
    ]
    assert listed(back_to_second) == listed(second)
    assert listed(back_to_first) == listed(first)
    assert newer_link(back_to_first) is None
    assert older_link(back_to_first) is not None


def test_messages_created_at_the_same_moment_are_paged_by_id_without_gaps_or_repeats(app, library, login_as):
    same_moment = utcnow().replace(microsecond=0)
    newer = add_messages(app, library.organisation_id, 75, created_at=same_moment)
    # added later, but created earlier: listed after the others, whatever their ids
    older = add_messages(app, library.organisation_id, 30, created_at=same_moment - timedelta(minutes=1))
    client = login_as(Role.STAFF)

    pages, link = [], "/messages/"
    while link:
        page = page_of(client.get(link))
        pages.append(listed(page))
        link = older_link(page)

    shown = [message_id for page in pages for message_id in page]
    assert [len(page) for page in pages] == [50, 50, 5]
    assert shown == sorted(newer, reverse=True) + sorted(older, reverse=True)


def test_a_message_arriving_while_reading_does_not_repeat_one_on_the_next_page(app, library, login_as):
    ids = add_messages(app, library.organisation_id, 60)
    client = login_as(Role.STAFF)

    first = page_of(client.get("/messages/"))
    arrived = add_messages(app, library.organisation_id, 1)
    second = page_of(client.get(older_link(first)))

    assert listed(first) + listed(second) == sorted(ids, reverse=True)
    back = page_of(client.get(newer_link(second)))
    assert listed(back) == listed(first)
    assert listed(page_of(client.get(newer_link(back)))) == arrived


def test_an_unreadable_page_link_shows_the_first_page(app, library, login_as):
    ids = add_messages(app, library.organisation_id, 3)

    page = page_of(login_as(Role.STAFF).get("/messages/?before=yesterday&after=1-x"))

    assert listed(page) == sorted(ids, reverse=True)


def test_the_next_page_keeps_the_filters(app, library, login_as):
    texts = add_messages(app, library.organisation_id, 53)
    letters = add_messages(app, library.organisation_id, 5, channel=Channel.LETTER)
    texts += add_messages(app, library.organisation_id, 2)
    client = login_as(Role.STAFF)

    first = page_of(client.get("/messages/?channel=sms"))
    link = older_link(first)
    second = page_of(client.get(link))

    assert "channel=sms" in link
    assert listed(first) + listed(second) == sorted(texts, reverse=True)
    assert not set(letters) & set(listed(second))


# --- One message --------------------------------------------------------------------------------


def test_a_refused_number_is_explained_in_swedish_with_the_history(
    booked, fake_twilio, dispatch, outbox, login_as
):
    fake_twilio.refuse("+46701112233", 400, 21211)
    booked(SMS_RESIDENT)
    dispatch()
    failed = first_message(outbox, state=State.FAILED)

    page = page_of(login_as(Role.STAFF).get(f"/messages/{failed.id}"))

    text = text_of(page)
    assert "Bekräftelse: sms" in text
    assert "Läge Kom inte fram" in text
    assert "Varför Numret finns inte eller är felskrivet. (kod 21211)" in text
    assert "Hej Greta! Du har en tid hos oss" in text
    history = section(page, "Historik")
    assert re.search(r"Väntar\. Planerat .* Kom inte fram\. Numret finns inte eller är felskrivet\.", history)
    assert 'value="Skicka igen"' in page


@pytest.mark.parametrize(
    ("code", "message", "explanation"),
    [
        ("21610", "Attempt to send to unsubscribed recipient", "Mottagaren har stoppat sms från oss."),
        ("30003", "Unreachable destination handset", "Telefonen är avstängd eller utom täckning."),
        ("30006", "Landline or unreachable carrier", "Numret är en fast telefon eller kan inte ta emot sms."),
        ("63999", "Något helt nytt hos operatören", "Något helt nytt hos operatören"),
    ],
)
def test_twilio_error_codes_are_explained_to_staff(app, booked, outbox, login_as, code, message, explanation):
    booked(SMS_RESIDENT)
    failed = first_message(outbox)
    set_message(app, failed.id, state=State.FAILED, error_code=code, error_message=message)

    text = text_of(page_of(login_as(Role.STAFF).get(f"/messages/{failed.id}")))

    assert f"Varför {explanation} (kod {code})" in text


def test_a_message_on_its_way_offers_no_resend(booked, outbox, login_as):
    booked(SMS_RESIDENT)

    page = page_of(login_as(Role.STAFF).get(f"/messages/{first_message(outbox).id}"))

    assert "Läge Väntar" in text_of(page)
    assert "Skicka igen" not in page


# --- Sending a failed message again --------------------------------------------------------------


ALREADY_AGAIN = "Meddelandet har redan skickats igen på annat sätt eller står på ringlistan."


def correct_number(app, resident_id: int, phone: str) -> None:
    """Staff put the resident's right number in the registry."""
    with app.app_context():
        resident = db.session.get(Resident, resident_id)
        details = details_of(resident)
        details.phone = phone
        update_resident(resident, details)
        db.session.commit()


def test_a_failed_sms_goes_again_as_sms_once_the_number_is_corrected(app, booked, outbox, login_as):
    resident_id, booking_id = booked(SMS_RESIDENT)
    failed = first_message(outbox, kind=Kind.CONFIRMATION)
    set_message(app, failed.id, state=State.FAILED, error_code="21211", error_message="Fel nummer")
    correct_number(app, resident_id, "070-999 88 77")
    client = login_as(Role.STAFF)
    before = row_count(app, Message)

    page = followed(client, client.send_form(f"/messages/{failed.id}/resend"))

    assert "Meddelandet skickas igen." in page
    assert row_count(app, Message) == before + 1
    again = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)[-1]
    assert (again.channel, again.state, again.to_number) == (Channel.SMS, State.PENDING, "+46709998877")
    assert again.replaces_id == failed.id
    assert again.body.startswith("Hej Greta! Du har en tid")
    assert "Ersätter Sms, kom inte fram" in text_of(page)
    original = outbox(id=failed.id)[0]
    assert original.state == State.FAILED
    assert "Skickas igen av Staff Öckerö kommun." in [event.note for event in original.events]


def test_a_failed_sms_to_a_wrong_number_goes_to_the_call_list_when_sent_again(app, booked, outbox, login_as):
    resident_id, booking_id = booked(SMS_RESIDENT)
    failed = first_message(outbox, kind=Kind.CONFIRMATION)
    set_message(app, failed.id, state=State.FAILED, error_code="21211")
    with app.app_context():
        db.session.get(Resident, resident_id).phone_problem = "invalid"
        db.session.commit()
    client = login_as(Role.RECEPTION)

    client.send_form(f"/messages/{failed.id}/resend")

    again = outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)[-1]
    assert (again.channel, again.state) == (Channel.STAFF_CALL, State.PENDING)
    assert "Greta Sms" in called(page_of(client.get("/messages/calls")))


def test_pressing_send_again_twice_sends_it_once(app, booked, outbox, login_as):
    _resident_id, booking_id = booked(SMS_RESIDENT)
    failed = first_message(outbox, kind=Kind.CONFIRMATION)
    set_message(app, failed.id, state=State.FAILED, error_code="30003")
    client = login_as(Role.STAFF)

    assert client.send_form(f"/messages/{failed.id}/resend").status_code == 302
    second = client.send_form(f"/messages/{failed.id}/resend")

    assert ALREADY_AGAIN in text_of(page_of(second, 422))
    assert len(outbox(booking_id=booking_id, kind=Kind.CONFIRMATION)) == 2


def test_a_failure_the_dispatcher_already_put_on_the_call_list_is_not_put_there_twice(
    app, booked, fake_twilio, dispatch, outbox, login_as
):
    fake_twilio.refuse("+46701112233", 400, 21211)
    booked(SMS_RESIDENT)
    dispatch()
    failed = first_message(outbox, state=State.FAILED)
    client = login_as(Role.STAFF)
    assert called(page_of(client.get("/messages/calls"))) == ["Greta Sms"]

    response = client.send_form(f"/messages/{failed.id}/resend")

    assert ALREADY_AGAIN in text_of(page_of(response, 422))
    assert called(page_of(client.get("/messages/calls"))) == ["Greta Sms"]


def test_a_failed_copy_to_the_trusted_contact_goes_again_to_the_contact(app, booked, outbox, login_as):
    _resident_id, booking_id = booked(
        {
            **SMS_RESIDENT,
            "trusted_contact_name": "Lisa Dotter",
            "trusted_contact_phone": "070-555 66 77",
            "trusted_contact_consent": True,
        }
    )
    copy = first_message(outbox, recipient=Recipient.TRUSTED_CONTACT)
    set_message(app, copy.id, state=State.FAILED, error_code="30003")
    before = {m.id for m in outbox()}

    login_as(Role.STAFF).send_form(f"/messages/{copy.id}/resend")

    (again,) = [m for m in outbox() if m.id not in before]
    assert (again.recipient, again.to_number) == (Recipient.TRUSTED_CONTACT, "+46705556677")
    assert again.body.startswith("Du får en kopia eftersom du är kontaktperson för Greta.")


@pytest.mark.parametrize(
    ("situation", "message"),
    [
        ("on its way", "Bara ett meddelande som inte kom fram kan skickas igen."),
        ("appointment passed", "Tiden har redan varit."),
        ("booking cancelled", "Bokningen är avbokad, så meddelandet behövs inte längre."),
    ],
)
def test_a_message_that_should_not_go_again_is_refused_and_nothing_is_made(
    app, booked, outbox, login_as, situation, message
):
    _resident_id, booking_id = booked(SMS_RESIDENT)
    reminder = first_message(outbox, kind=Kind.REMINDER)
    if situation != "on its way":
        set_message(app, reminder.id, state=State.FAILED, error_code="30003")
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        if situation == "appointment passed":
            session = db.session.get(HelpSession, booking.session_id)
            session.starts_at, session.ends_at = utcnow() - timedelta(hours=2), utcnow() - timedelta(hours=1)
        if situation == "booking cancelled":
            booking.status = "cancelled"
        db.session.commit()
    before = row_count(app, Message)

    response = login_as(Role.STAFF).send_form(f"/messages/{reminder.id}/resend")

    assert message in text_of(page_of(response, 422))
    assert row_count(app, Message) == before
    assert message_row(app, reminder.id).state == (
        State.PENDING if situation == "on its way" else State.FAILED
    )


# --- The call list --------------------------------------------------------------------------------


@pytest.fixture
def calls(library, booked, outbox) -> dict[str, Message]:
    """Stina is to be called about a time at Öckerö bibliotek, Sven about one at Hönö."""
    stina, _booking = booked(CALL_RESIDENT, channel="staff")
    sven, _booking = booked(
        CALL_RESIDENT_TWO, location_id=library.other_location_id, channel="staff", starts=time(11)
    )
    return {
        name: first_message(outbox, resident_id=resident_id, kind=Kind.CONFIRMATION)
        for name, resident_id in (("Stina", stina), ("Sven", sven))
    }


def test_the_call_list_shows_todays_calls_with_the_number_and_the_script_to_read(calls, login_as):
    page = page_of(login_as(Role.RECEPTION).get("/messages/calls"))

    assert called(page) == ["Stina Ring", "Sven Ring"]
    assert '<a href="tel:+46702223344">070-222 33 44</a>' in page
    text = text_of(page)
    assert "Bekräftelse: " in text and ", Öckerö bibliotek" in text
    assert (
        "Läs upp: Hej Stina. Det här är ett meddelande från Öckerö kommun. "
        "Du har fått en tid för hjälp med mobil och dator" in text
    )
    assert "klockan 10:00. Platsen är Öckerö bibliotek" in text


def test_the_call_list_shows_one_place_when_asked(library, calls, login_as):
    client = login_as(Role.STAFF)

    at_ockero = page_of(client.get(f"/messages/calls?location={library.location_id}"))
    at_hono = page_of(client.get(f"/messages/calls?location={library.other_location_id}"))

    assert called(at_ockero) == ["Stina Ring"]
    assert called(at_hono) == ["Sven Ring"]


def test_a_later_days_list_has_its_reminder_calls_and_what_is_left_from_before(library, calls, login_as):
    day_before = working_day(5) - timedelta(days=1)
    client = login_as(Role.STAFF)

    later = page_of(client.get(f"/messages/calls?day={day_before}&location={library.location_id}"))

    text = text_of(later)
    assert called(later) == ["Stina Ring", "Stina Ring"]
    assert "Bekräftelse: " in text and "Påminnelse: " in text
    assert "Hej Stina. Det här är en påminnelse från Öckerö kommun." in text
    assert called(page_of(client.get("/messages/calls"))) == ["Stina Ring", "Sven Ring"]


def test_reaching_the_resident_takes_the_call_off_the_list(app, library, calls, login_as):
    stina = calls["Stina"]
    client = login_as(Role.STAFF)

    response = client.send_form(
        f"/messages/{stina.id}/call",
        {"outcome": "reached", "day": "", "location": str(library.location_id)},
    )

    assert f"location={library.location_id}" in response.headers["Location"]
    page = followed(client, response)
    assert "Stina Ring är markerad som nådd." in text_of(page)
    assert called(page) == []
    assert "Redan ringda i dag Stina Ring: Framme (Staff Öckerö kommun)" in text_of(page)
    row = message_row(app, stina.id)
    assert (row.state, row.handled_by_id) == (State.DELIVERED, library.staff_id)
    assert row.delivered_at is not None


def no_answer(client, message_id: int) -> str:
    return followed(client, client.send_form(f"/messages/{message_id}/call", {"outcome": "no_answer"}))


def test_no_answer_keeps_the_call_on_the_list_and_counts_the_tries(app, calls, login_as):
    client = login_as(Role.STAFF)

    no_answer(client, calls["Stina"].id)
    page = no_answer(client, calls["Stina"].id)

    assert "Noterat: Stina Ring svarade inte. Samtalet står kvar på listan." in text_of(page)
    assert "2 samtal utan svar hittills" in text_of(page)
    assert "Stina Ring" in called(page)
    row = message_row(app, calls["Stina"].id)
    assert (row.state, row.attempts) == (State.PENDING, 2)


def test_three_calls_without_answer_give_up_and_post_a_letter_to_a_resident_with_an_address(
    app, booked, outbox, login_as
):
    _resident_id, booking_id = booked({**CALL_RESIDENT, **ADDRESS}, channel="staff")
    call = first_message(outbox, booking_id=booking_id, kind=Kind.CONFIRMATION)
    client = login_as(Role.STAFF)

    no_answer(client, call.id)
    no_answer(client, call.id)
    page = no_answer(client, call.id)

    assert "Stina Ring svarade inte på tre samtal. Ett brev är lagt bland breven att posta." in text_of(page)
    assert called(page) == []
    given_up = message_row(app, call.id)
    assert (given_up.state, given_up.error_message) == (State.FAILED, "Svarade inte på tre samtal.")
    (letter,) = outbox(booking_id=booking_id, channel=Channel.LETTER)
    assert (letter.kind, letter.state, letter.replaces_id) == (Kind.CONFIRMATION, State.PENDING, call.id)
    letters = page_of(client.get("/messages/letters"))
    assert "Stina Ring<br>Storgatan 1<br>475 31 Öckerö" in letters


def test_three_calls_without_answer_and_no_address_leave_it_failed_for_staff_to_see(
    app, calls, outbox, login_as
):
    client = login_as(Role.STAFF)
    for _ in range(3):
        page = no_answer(client, calls["Stina"].id)

    assert "Noterat" in text_of(page)
    assert message_row(app, calls["Stina"].id).state == State.FAILED
    assert outbox(channel=Channel.LETTER) == []
    failed = page_of(client.get("/messages/?state=failed"))
    assert listed(failed) == [calls["Stina"].id]
    assert "Svarade inte på tre samtal." in text_of(failed)


@pytest.mark.parametrize(
    ("outcome", "message"),
    [("", "Välj om du nådde invånaren."), ("kanske", "Välj om du nådde invånaren.")],
    ids=["no-outcome", "unknown-outcome"],
)
def test_an_unclear_outcome_is_asked_again_and_nothing_is_recorded(app, calls, login_as, outcome, message):
    client = login_as(Role.STAFF)

    page = followed(client, client.send_form(f"/messages/{calls['Stina'].id}/call", {"outcome": outcome}))

    assert message in text_of(page)
    assert called(page) == ["Stina Ring", "Sven Ring"]
    assert "Redan ringda i dag" not in text_of(page)
    row = message_row(app, calls["Stina"].id)
    assert (row.state, row.attempts, row.handled_by_id) == (State.PENDING, 0, None)


def test_a_call_already_marked_or_not_on_the_list_is_refused(app, booked, calls, outbox, login_as):
    booked(SMS_RESIDENT, starts=time(12))
    sms = first_message(outbox, channel=Channel.SMS)
    client = login_as(Role.STAFF)
    client.send_form(f"/messages/{calls['Stina'].id}/call", {"outcome": "reached"})

    again = followed(
        client, client.send_form(f"/messages/{calls['Stina'].id}/call", {"outcome": "no_answer"})
    )
    not_a_call = followed(client, client.send_form(f"/messages/{sms.id}/call", {"outcome": "reached"}))

    assert "Samtalet är redan markerat." in text_of(again)
    assert "Det här meddelandet står inte på ringlistan." in text_of(not_a_call)
    assert message_row(app, calls["Stina"].id).attempts == 0
    assert message_row(app, sms.id).state == State.PENDING


# --- Letters ----------------------------------------------------------------------------------------


@pytest.fixture
def letters(booked, outbox) -> list[Message]:
    booked(LETTER_RESIDENT)
    booked({**LETTER_RESIDENT, "name": "Ulla Brev", "street_address": "Hamnvägen 7"}, starts=time(11))
    booked(SMS_RESIDENT, starts=time(12))
    return outbox(channel=Channel.LETTER)


def printed(page: str) -> list[str]:
    """Each printed letter's address block, as it reads."""
    return [
        text_of(block.replace("<br>", " / "))
        for block in re.findall(
            r'<article class="letter".*?<address class="letter__address">(.*?)</address>', page, re.S
        )
    ]


def test_each_letter_is_printed_with_the_address_and_the_text(letters, login_as):
    page = page_of(login_as(Role.RECEPTION).get("/messages/letters"))

    assert printed(page) == [
        "Olof Brev / Storgatan 1 / 475 31 Öckerö",
        "Ulla Brev / Hamnvägen 7 / 475 31 Öckerö",
    ]
    assert page.count('<article class="letter"') == 2
    assert "Hej Olof!\n\nDu har fått en tid för hjälp med mobil och dator." in html.unescape(page)
    assert "Greta Sms" not in page


def test_marking_chosen_letters_posted_leaves_the_others_to_print(app, library, letters, login_as):
    olof, ulla = letters
    client = login_as(Role.STAFF)

    page = followed(client, client.send_form("/messages/letters", {"message_ids": [str(olof.id)]}))

    assert "1 brev är markerat som postat." in text_of(page)
    assert printed(page) == ["Ulla Brev / Hamnvägen 7 / 475 31 Öckerö"]
    posted = message_row(app, olof.id)
    assert (posted.state, posted.handled_by_id) == (State.SENT, library.staff_id)
    assert message_row(app, ulla.id).state == State.PENDING


def test_posting_without_choosing_a_letter_is_explained_next_to_the_list(app, letters, login_as):
    response = login_as(Role.STAFF).send_form("/messages/letters", {})

    page = page_of(response, 422)
    assert field_error(page, "message_ids") == "Välj vilka brev som är skickade."
    assert {message_row(app, letter.id).state for letter in letters} == {State.PENDING}


# --- The sending rules ------------------------------------------------------------------------------


def rules(app, organisation_id: int) -> tuple:
    with app.app_context():
        found = db.session.get(NotificationSettings, organisation_id)
        return found.reminder_offsets, found.quiet_from, found.quiet_until, found.sms_number


def test_the_coordinator_sets_reminders_quiet_hours_and_the_sms_number(
    app, library, coordinator, booked, outbox
):
    response = coordinator.send_form(
        "/messages/settings",
        {
            "reminder_hours": "48 och 3",
            "quiet_from": "22",
            "quiet_until": "7.30",
            "sms_number": "076-686 00 01",
        },
    )

    page = followed(coordinator, response)
    assert "Inställningarna för utskick är sparade." in text_of(page)
    assert form_values(page) == {
        "reminder_hours": "48, 3",
        "quiet_from": "22:00",
        "quiet_until": "07:30",
        "sms_number": "076-686 00 01",
    }
    assert rules(app, library.organisation_id) == ("2880,180", time(22), time(7, 30), "+46766860001")
    _resident_id, booking_id = booked(SMS_RESIDENT)
    reminders = outbox(booking_id=booking_id, kind=Kind.REMINDER)
    day = working_day(5)
    assert [to_local(m.send_after, TZ).replace(tzinfo=None) for m in reminders] == [
        datetime.combine(day - timedelta(days=2), time(10)),
        datetime.combine(day, time(7)),
    ]


def test_the_settings_page_saved_unchanged_changes_nothing(app, library, coordinator):
    with app.app_context():
        db.session.get(NotificationSettings, library.organisation_id).reminder_offsets = "1440,90"
        db.session.commit()
    before = rules(app, library.organisation_id)

    shown = form_values(page_of(coordinator.get("/messages/settings")))
    coordinator.send_form("/messages/settings", shown)

    assert rules(app, library.organisation_id) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"reminder_hours": "i morgon"}, "reminder_hours", "Skriv antal timmar före, med komma emellan"),
        ({"reminder_hours": "48, 24, 4, 2, 1"}, "reminder_hours", "Högst 4 påminnelser per bokning."),
        ({"reminder_hours": "0.25"}, "reminder_hours", "mellan en halvtimme och 14 dagar före"),
        ({"reminder_hours": "400"}, "reminder_hours", "mellan en halvtimme och 14 dagar före"),
        ({"quiet_from": ""}, "quiet_from", "till exempel 21:00"),
        ({"quiet_until": ""}, "quiet_until", "till exempel 08:00"),
        ({"quiet_from": "25:00"}, "quiet_from", "Skriv klockslaget som timmar och minuter"),
        ({"sms_number": "123"}, "sms_number", "Numret är för kort"),
        ({"sms_number": "+4915112345678"}, "sms_number", "Bara svenska telefonnummer"),
        ({"sms_number": "076-686 99 99"}, "sms_number", "Numret används redan av en annan kommun."),
    ],
    ids=[
        "hours-words",
        "five-reminders",
        "quarter-hour",
        "weeks-ahead",
        "quiet-from-empty",
        "quiet-until-empty",
        "quiet-from-25",
        "number-short",
        "number-german",
        "number-of-bracke",
    ],
)
def test_bad_sending_rules_are_explained_next_to_the_field_and_nothing_is_saved(
    app, world, library, coordinator, changes, field, message
):
    with app.app_context():
        db.session.add(NotificationSettings(organisation_id=world.bracke.id, sms_number="+46766869999"))
        db.session.commit()
    before = rules(app, library.organisation_id)
    good = {"reminder_hours": "24, 2", "quiet_from": "21:00", "quiet_until": "08:00", "sms_number": ""}

    response = coordinator.send_form("/messages/settings", {**good, **changes})

    assert message in field_error(page_of(response, 422), field)
    assert rules(app, library.organisation_id) == before


def test_every_problem_with_the_sending_rules_is_shown_at_once(app, library, coordinator):
    before = rules(app, library.organisation_id)

    response = coordinator.send_form(
        "/messages/settings",
        {"reminder_hours": "i morgon", "quiet_from": "25:00", "quiet_until": "08:00", "sms_number": "123"},
    )

    page = page_of(response, 422)
    assert "Skriv antal timmar före" in field_error(page, "reminder_hours")
    assert "Skriv klockslaget som timmar och minuter" in field_error(page, "quiet_from")
    assert "Numret är för kort" in field_error(page, "sms_number")
    assert field_error(page, "quiet_from").count("Skriv klockslaget") == 1
    assert rules(app, library.organisation_id) == before


# --- Messages on the resident's and the booking's page ----------------------------------------------


def test_the_residents_page_lists_their_messages_and_why_one_failed(app, booked, outbox, login_as):
    resident_id, _booking_id = booked(SMS_RESIDENT)
    confirmation = first_message(outbox, kind=Kind.CONFIRMATION)
    set_message(app, confirmation.id, state=State.FAILED, error_message="Telefonen är avstängd.")

    page = page_of(login_as(Role.RECEPTION).get(f"/residents/{resident_id}"))

    messages = section(page, "Meddelanden till Greta Sms")
    assert sorted(listed(page)) == sorted(m.id for m in outbox(resident_id=resident_id))
    assert "Bekräftelse Sms Kom inte fram Telefonen är avstängd." in messages
    assert messages.count("Påminnelse Sms Väntar") == 2


def test_the_booking_page_shows_its_messages_and_that_the_resident_confirmed(app, booked, outbox, login_as):
    _resident_id, booking_id = booked(SMS_RESIDENT)
    client = login_as(Role.STAFF)
    assert "har svarat att hen kommer" not in text_of(page_of(client.get(f"/bookings/{booking_id}")))
    with app.app_context():
        db.session.get(Booking, booking_id).resident_confirmed_at = utcnow()
        db.session.commit()

    page = page_of(client.get(f"/bookings/{booking_id}"))

    messages = section(page, "Meddelanden om bokningen")
    assert "Invånaren har svarat att hen kommer (" in messages
    assert listed(page) == [m.id for m in outbox(booking_id=booking_id)]
    assert "Greta Sms Bekräftelse Sms Väntar" in messages


def test_a_volunteer_sees_the_booking_but_not_its_messages(
    app, library, make_session, make_booking, make_resident, login_as
):
    session_id = make_session(day=working_day(5), staff_ids=[library.volunteer_id])[0]
    booking_id = make_booking(session_id, make_resident(**SMS_RESIDENT))

    page = page_of(login_as(Role.VOLUNTEER).get(f"/bookings/{booking_id}"))

    assert "Greta Sms" in page
    assert "Meddelanden om bokningen" not in page
    assert listed(page) == []
