"""The campaign pages as a coordinator uses them: the form starts from the municipality's
invitation texts, a draft shows how many each way reaches and what they would read,
bad input is refused next to its field with nothing saved, sending puts one invitation
per resident in the outbox at the campaign's pace, a sent campaign is history, stopping
it stops what has not gone out; the campaign's call list books those who say yes, its
letters are printed and marked posted, and the figures follow. Who may do what, and
nothing of another municipality's can be opened."""

from __future__ import annotations

import html
import re
from datetime import time, timedelta

import pytest
from helpers import field_error, followed, page_of, row_count, stored, working_day
from sqlalchemy import select

from inclusion.auth.models import User
from inclusion.booking import cancel_session
from inclusion.booking.models import Booking, BookingStatus, HelpSession
from inclusion.core.access import Role
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.outbox import dispatch_due
from inclusion.outbox.models import Channel, Kind, Medium, Message, State
from inclusion.outreach.models import Answer, AnsweredVia, Campaign, CampaignState, Invitation
from inclusion.reminders.wording import save_wording
from tests.outreach.conftest import (
    CALL_INVITEE,
    LETTER_INVITEE,
    SMS_INVITEE,
    VOICE_INVITEE,
    call_invitee,
    fika_day,
    move_into_the_past,
    sms_invitee,
)

SWEDISH_WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
SWEDISH_MONTHS = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)
SAVE_DRAFT = "Spara och visa vilka som får inbjudan"
SEND = "Skicka inbjudan nu"


# --- Reading pages and rows -------------------------------------------------------------------


def text_of(page: str) -> str:
    """A page as it reads: tags gone, entities decoded, white space closed up."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def fika_day_in_words() -> str:
    """The Digital fika's day as the invitation writes it, e.g. "tisdag 8 december"."""
    day = fika_day()
    return f"{SWEDISH_WEEKDAYS[day.weekday()]} {day.day} {SWEDISH_MONTHS[day.month - 1]}"


def counts_on(page: str) -> dict[str, int]:
    """The draft page's residents per channel (and the total)."""
    return {name: int(value) for name, value in re.findall(r'data-count="(\w+)">\s*(\d+)\s*<', page)}


def figures_on(page: str) -> dict[str, int]:
    return {name: int(value) for name, value in re.findall(r'data-figure="(\w+)">\s*(\d+)\s*<', page)}


def textarea(page: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, f"no textarea {name}"
    return html.unescape(match.group(1)).strip()


def has_button(page: str, label: str) -> bool:
    return f'value="{label}"' in page or re.search(rf">\s*{re.escape(label)}\s*</button>", page) is not None


def called(page: str) -> list[str]:
    """The names still on a call list, in order."""
    return re.findall(r'<li class="call">\s*<h2>(.*?)</h2>', page)


def letters_on(page: str) -> list[str]:
    """Each printed letter's text."""
    return [text_of(letter) for letter in re.findall(r'<article class="letter".*?</article>', page, re.S)]


def invitations_in_outbox(app) -> list[Message]:
    """The campaign invitations in the outbox, read back and detached, oldest first."""
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(Message).where(Message.kind == Kind.CAMPAIGN_INVITATION).order_by(Message.id)
            )
        )
        db.session.expunge_all()
        db.session.remove()
    return rows


def invitation_of(app, resident_id: int) -> Invitation:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.resident_id == resident_id))
        invitation.message  # noqa: B018  (load before leaving)
        db.session.expunge_all()
        db.session.remove()
    return invitation


def bookings_of(app, resident_id: int) -> list[Booking]:
    with app.app_context():
        rows = list(db.session.scalars(select(Booking).where(Booking.resident_id == resident_id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def save_draft(client, data: dict) -> int:
    """Post the campaign form; returns the new draft's id."""
    response = client.send_form("/campaigns/new", data)
    assert response.status_code == 302, text_of(response.get_data(as_text=True))[:3000]
    match = re.fullmatch(r".*/campaigns/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


def send(client, campaign_id: int):
    return client.send_form(f"/campaigns/{campaign_id}/send")


@pytest.fixture
def other_sessions(app, library, other_library, make_session, islands) -> dict[str, int]:
    """Sessions a campaign cannot invite to: one that has been, a cancelled one, a one-to-one
    appointment, and a Bräcke group session."""
    past = make_session(kind="group", capacity=5, day=working_day(2), starts=time(13), ends=time(14))[0]
    cancelled = make_session(kind="group", capacity=5, day=working_day(6), starts=time(13), ends=time(14))[0]
    with app.app_context():
        move_into_the_past(past, days_ago=1)
        coordinator = db.session.get(User, library.coordinator_id)
        cancel_session(db.session.get(HelpSession, cancelled), "Ledaren är sjuk", coordinator)
        db.session.commit()
        db.session.remove()
    return {
        "past": past,
        "cancelled": cancelled,
        "one_to_one": make_session(day=working_day(6), starts=time(15), ends=time(15, 30))[0],
        "bracke": make_session(
            other_library, kind="group", capacity=5, day=working_day(6), starts=time(10), ends=time(12)
        )[0],
    }


# --- Writing a draft -------------------------------------------------------------------------


def test_the_form_starts_from_the_municipalitys_own_invitation_texts(
    app, library, coordinator, group_session
):
    own_sms = (
        "Hej {namn}! Fika och mobilhjälp {datum} kl. {tid} på {plats}. Vill du komma? Svara JA. /{kommun}"
    )
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        save_wording(
            organisation,
            Kind.CAMPAIGN_INVITATION,
            Medium.SMS,
            "sv",
            own_sms,
            db.session.get(User, library.coordinator_id),
        )
        db.session.commit()
        db.session.remove()

    page = page_of(coordinator.get(f"/campaigns/new?session={group_session}"))

    assert textarea(page, "sms_text") == own_sms
    # the texts the municipality has not changed are the built-in ones
    assert textarea(page, "voice_text").startswith("Hej {namn}. Det här är ett meddelande från {kommun}.")
    assert textarea(page, "letter_text").startswith("Hej {namn}!\n\nVi vill bjuda in dig till {aktivitet}.")
    assert re.search(
        rf'<option selected value="{group_session}">|<option value="{group_session}" selected', page
    )
    assert re.search(r'name="per_minute"[^>]*value="30"', page)
    assert has_button(page, SAVE_DRAFT)


def test_only_group_sessions_ahead_of_the_own_municipality_are_offered(
    coordinator, group_session, other_sessions
):
    page = page_of(coordinator.get("/campaigns/new"))
    offered = {int(value) for value in re.findall(r'<option (?:selected )?value="(\d+)"', page)}

    assert group_session in offered
    assert offered.isdisjoint(other_sessions.values())


def test_a_saved_draft_shows_how_many_each_way_reaches_and_what_they_would_read(
    app, coordinator, group_session, invited_residents, make_resident, campaign_data
):
    # one more each way than the way before, so no two counts are the same
    for name, number in (
        ("Sune Sms", "070-111 22 34"),
        ("Siv Sms", "070-111 22 35"),
        ("Saga Sms", "070-111 22 36"),
    ):
        make_resident(**sms_invitee(name, number))
    make_resident(**call_invitee("Rune Ring", "070-222 33 45"))
    for name, street in (("Lisa Brev", "Hönö hamn 3"), ("Lars Brev", "Kyrkvägen 9")):
        make_resident(**{**LETTER_INVITEE, "name": name, "street_address": street})
    make_resident(**sms_invitee("Nils Nej", "070-111 22 37", invitations_consent=False))

    campaign_id = save_draft(coordinator, campaign_data(group_session))
    page = page_of(coordinator.get(f"/campaigns/{campaign_id}"))
    text = text_of(page)

    assert counts_on(page) == {"sms": 4, "voice": 1, "staff_call": 2, "letter": 3, "total": 10}
    day = fika_day_in_words()
    assert (
        f"Hej Greta! Välkommen till Digital fika. Det är {day} klockan 10.00 på Hönö bibliotek, "
        "Hönö torg 1, Hönö." in text
    )
    assert f"Vi vill bjuda in dig till Digital fika. Det är {day}, klockan 10:00, på Hönö bibliotek" in text
    assert f"När: {day} klockan 10.00 Var: Hönö bibliotek, Hönö torg 1, Hönö" in text
    assert has_button(page, SEND)
    # nothing has gone anywhere yet
    assert stored(app, Campaign, campaign_id).state == CampaignState.DRAFT
    assert row_count(app, Invitation) == 0
    assert invitations_in_outbox(app) == []


BAD_INPUT = [
    ("empty name", lambda ids: {"name": "   "}, "name", "Ge kampanjen ett namn"),
    (
        "markup in the name",
        lambda ids: {"name": "<b>Fika</b>"},
        "name",
        "Namnet får inte innehålla tecknen < eller >.",
    ),
    (
        "a NUL in the name",
        lambda ids: {"name": "Fika\x00"},
        "name",
        "Namnet får inte innehålla tecknen < eller >.",
    ),
    ("a long name", lambda ids: {"name": "F" * 121}, "name", "Namnet får vara högst 120 tecken."),
    ("no session", lambda ids: {"session_id": ""}, "session_id", "Välj en träff i listan."),
    (
        "a session that has been",
        lambda ids: {"session_id": str(ids["past"])},
        "session_id",
        "Träffen har redan börjat eller varit. Välj en träff längre fram.",
    ),
    (
        "a cancelled session",
        lambda ids: {"session_id": str(ids["cancelled"])},
        "session_id",
        "Träffen är inställd. Välj en annan träff.",
    ),
    (
        "a one-to-one session",
        lambda ids: {"session_id": str(ids["one_to_one"])},
        "session_id",
        "Bara gruppträffar kan ha inbjudningar. Välj en gruppträff.",
    ),
    (
        "a Bräcke session",
        lambda ids: {"session_id": str(ids["bracke"])},
        "session_id",
        "Välj en träff i listan.",
    ),
    (
        "a link in the SMS",
        lambda ids: {"sms_text": "Hej {namn}! Fika {datum} kl. {tid}. Läs mer på www.example.se"},
        "sms_text",
        "Skriv inga länkar.",
    ),
    (
        "markup in the letter",
        lambda ids: {"letter_text": "Hej {namn}! <script>alert(1)</script>"},
        "letter_text",
        "Texten får inte innehålla tecknen < eller >.",
    ),
    (
        "an unknown placeholder",
        lambda ids: {"voice_text": "Hej {efternamn}, välkommen till {aktivitet} {datum}."},
        "voice_text",
        "Okänd platshållare: {efternamn}.",
    ),
    ("pace 0", lambda ids: {"per_minute": "0"}, "per_minute", "Skriv ett antal mellan 1 och 600."),
    ("pace 10000", lambda ids: {"per_minute": "10000"}, "per_minute", "Skriv ett antal mellan 1 och 600."),
    (
        "a Bräcke place",
        lambda ids: {"place": f"location:{ids['bracke_location']}"},
        "place",
        "Platsen finns inte. Välj en plats i listan.",
    ),
    (
        "a Bräcke topic",
        lambda ids: {"topic_ids": [str(ids["bracke_topic"])]},
        "topic_ids",
        "Välj ämnen i listan.",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [pytest.param(overrides, field, message, id=name) for name, overrides, field, message in BAD_INPUT],
)
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_saved(
    app,
    coordinator,
    group_session,
    other_sessions,
    other_library,
    invited_residents,
    campaign_data,
    overrides,
    field,
    message,
):
    ids = {
        **other_sessions,
        "bracke_location": other_library.location_id,
        "bracke_topic": other_library.topic_ids["BankID"],
    }
    response = coordinator.send_form("/campaigns/new", campaign_data(group_session, **overrides(ids)))

    page = page_of(response, 422)
    assert message in field_error(page, field)
    # only that field is wrong
    others = {
        "name",
        "session_id",
        "place",
        "topic_ids",
        "sms_text",
        "voice_text",
        "letter_text",
        "per_minute",
    }
    assert [name for name in sorted(others - {field}) if field_error(page, name)] == []
    assert "<script>alert(1)</script>" not in page
    assert row_count(app, Campaign) == 0


def test_a_draft_edited_with_bad_input_stays_as_it_was_and_good_input_changes_it(
    app, coordinator, group_session, other_sessions, invited_residents, campaign_data
):
    campaign_id = save_draft(coordinator, campaign_data(group_session, name="Fika för alla"))

    refused = coordinator.send_form(
        f"/campaigns/{campaign_id}/edit",
        campaign_data(other_sessions["past"], name="Fika för de som hörde av sig", languages=["ar"]),
    )

    assert "Träffen har redan börjat" in field_error(page_of(refused, 422), "session_id")
    kept = stored(app, Campaign, campaign_id)
    assert (kept.name, kept.session_id, kept.audience["languages"]) == ("Fika för alla", group_session, [])

    changed = followed(
        coordinator,
        coordinator.send_form(
            f"/campaigns/{campaign_id}/edit",
            campaign_data(group_session, name="Fika på Hönö", place="area:Hönö"),
        ),
    )
    assert "Ändringarna är sparade." in text_of(changed)
    assert stored(app, Campaign, campaign_id).name == "Fika på Hönö"
    # nobody of the four has been to Hönö or lives there
    assert counts_on(changed)["total"] == 0


# --- Sending ---------------------------------------------------------------------------------


def test_sending_to_nobody_says_so_and_sends_nothing(
    app, coordinator, group_session, invited_residents, campaign_data
):
    campaign_id = save_draft(coordinator, campaign_data(group_session, languages=["fi"]))
    draft = page_of(coordinator.get(f"/campaigns/{campaign_id}"))
    assert "Ingen invånare matchar urvalet" in text_of(draft)
    assert not has_button(draft, SEND)

    page = page_of(send(coordinator, campaign_id), 422)

    assert "Ingen invånare matchar urvalet, så inget skickas." in text_of(page)
    assert invitations_in_outbox(app) == []
    assert row_count(app, Invitation) == 0
    assert stored(app, Campaign, campaign_id).state == CampaignState.DRAFT


@pytest.mark.parametrize(("per_minute", "minutes"), [(1, [0, 1, 2, 3]), (2, [0, 0, 1, 1])])
def test_sending_puts_one_invitation_per_resident_in_the_outbox_at_the_campaigns_pace(
    app, coordinator, group_session, make_resident, campaign_data, per_minute, minutes
):
    # created in this order, so the SMS come first in the queue and the landline last
    residents = {
        "sms1": make_resident(**SMS_INVITEE),
        "sms2": make_resident(**sms_invitee("Sune Sms", "070-111 22 34")),
        "sms3": make_resident(**sms_invitee("Siv Sms", "070-111 22 35")),
        "call": make_resident(**CALL_INVITEE),
        "letter": make_resident(**LETTER_INVITEE),
        "voice": make_resident(**VOICE_INVITEE),
    }
    make_resident(**sms_invitee("Nils Nej", "070-111 22 36", invitations_consent=False))
    campaign_id = save_draft(coordinator, campaign_data(group_session, per_minute=str(per_minute)))

    before = utcnow().replace(microsecond=0)
    response = send(coordinator, campaign_id)
    after = utcnow()
    page = followed(coordinator, response)

    assert "Inbjudan går till 6 invånare." in text_of(page)
    messages = invitations_in_outbox(app)
    by_resident = {message.resident_id: message for message in messages}
    assert len(messages) == 6
    assert set(by_resident) == set(residents.values())
    assert {name: by_resident[resident_id].channel for name, resident_id in residents.items()} == {
        "sms1": Channel.SMS,
        "sms2": Channel.SMS,
        "sms3": Channel.SMS,
        "call": Channel.STAFF_CALL,
        "letter": Channel.LETTER,
        "voice": Channel.VOICE,
    }
    assert {message.state for message in messages} == {State.PENDING}
    start = by_resident[residents["sms1"]].send_after
    assert before <= start <= after
    # SMS and calls spread out to the pace; the call list and the letters are for now
    spread = [by_resident[residents[name]].send_after - start for name in ("sms1", "sms2", "sms3", "voice")]
    assert spread == [timedelta(minutes=minute) for minute in minutes]
    assert by_resident[residents["call"]].send_after == start
    assert by_resident[residents["letter"]].send_after == start
    assert by_resident[residents["sms1"]].body.startswith(
        f"Hej Greta! Välkommen till Digital fika. Det är {fika_day_in_words()}"
    )
    # one invitation per resident, each with its message
    with app.app_context():
        invitations = list(
            db.session.scalars(select(Invitation).where(Invitation.campaign_id == campaign_id))
        )
        assert {(i.resident_id, i.message_id, i.channel) for i in invitations} == {
            (m.resident_id, m.id, m.channel) for m in messages
        }
        db.session.remove()
    assert figures_on(page)["invited"] == 6
    assert figures_on(page)["waiting"] == 6
    assert "Ringlista: 1 samtal att ringa" in text_of(page)
    assert "Brev: 1 att skriva ut och posta" in text_of(page)


def test_a_sent_campaign_cannot_be_changed_sent_again_or_deleted(
    app, coordinator, group_session, invited_residents, make_resident, campaign_data
):
    campaign_id = save_draft(coordinator, campaign_data(group_session, name="Fika för alla"))
    followed(coordinator, send(coordinator, campaign_id))
    sent_at = stored(app, Campaign, campaign_id).sent_at
    # someone new says yes to invitations after the campaign went out
    make_resident(**sms_invitee("Sen Anmäld", "070-111 22 37"))

    assert "Kampanjen är redan skickad och kan inte ändras." in text_of(
        followed(coordinator, coordinator.get(f"/campaigns/{campaign_id}/edit"))
    )
    edited = coordinator.send_form(
        f"/campaigns/{campaign_id}/edit", campaign_data(group_session, name="Något annat", per_minute="5")
    )
    assert "Kampanjen är redan skickad och kan inte ändras." in text_of(followed(coordinator, edited))
    assert send(coordinator, campaign_id).status_code == 422
    deleted = coordinator.send_form(f"/campaigns/{campaign_id}/delete")
    assert "En skickad kampanj kan inte tas bort" in text_of(followed(coordinator, deleted))

    campaign = stored(app, Campaign, campaign_id)
    assert (campaign.name, campaign.per_minute, campaign.state) == ("Fika för alla", 30, CampaignState.SENT)
    assert campaign.sent_at == sent_at
    assert len(invitations_in_outbox(app)) == 4
    assert row_count(app, Invitation) == 4


def test_sending_a_sent_campaign_again_says_why(coordinator, sent_campaign):
    page = page_of(send(coordinator, sent_campaign), 422)

    assert "Kampanjen är redan skickad." in text_of(page)


def test_stopping_a_campaign_stops_only_what_has_not_gone_out(
    app, coordinator, group_session, invited_residents, make_resident, campaign_data
):
    second_letter = make_resident(
        **{
            **LETTER_INVITEE,
            "name": "Lisa Brev",
            "street_address": "Hönö hamn 3",
            "postal_code": "475 40",
            "city": "Hönö",
        }
    )
    campaign_id = save_draft(coordinator, campaign_data(group_session, per_minute="1"))
    assert has_button(
        followed(coordinator, send(coordinator, campaign_id)), "Stoppa det som inte har skickats"
    )
    # The first SMS goes out at once (the landline's call waits a minute, at this pace),
    # and one letter is posted.
    with app.app_context():
        dispatch_due()
        db.session.remove()
    posted = invitation_of(app, invited_residents["letter"]).message_id
    followed(
        coordinator,
        coordinator.send_form(f"/campaigns/{campaign_id}/letters", {"message_ids": [str(posted)]}),
    )
    assert invitation_of(app, invited_residents["sms"]).message.state in (State.SENT, State.DELIVERED)

    page = followed(coordinator, coordinator.send_form(f"/campaigns/{campaign_id}/stop"))

    assert "3 inbjudningar som inte hade gått iväg är stoppade." in text_of(page)
    states = {
        name: invitation_of(app, resident_id).message.state for name, resident_id in invited_residents.items()
    }
    assert states["sms"] in (State.SENT, State.DELIVERED)
    assert states["letter"] == State.SENT
    assert (states["voice"], states["call"]) == (State.CANCELLED, State.CANCELLED)
    assert invitation_of(app, second_letter).message.state == State.CANCELLED
    assert stored(app, Campaign, campaign_id).state == CampaignState.STOPPED
    assert figures_on(page)["waiting"] == 0
    assert not has_button(page, "Stoppa det som inte har skickats")
    assert called(page_of(coordinator.get(f"/campaigns/{campaign_id}/calls"))) == []
    assert letters_on(page_of(coordinator.get(f"/campaigns/{campaign_id}/letters"))) == []
    # the dispatcher sends none of the stopped ones later
    with app.app_context():
        dispatch_due(now=lambda: utcnow() + timedelta(minutes=10))
        db.session.remove()
    assert invitation_of(app, invited_residents["voice"]).message.state == State.CANCELLED


def test_a_draft_leaves_the_sessions_seats_and_waitlist_alone(
    app, coordinator, group_session, invited_residents, make_resident, make_booking, campaign_data
):
    for number, name in enumerate(("Anna Först", "Bo Tvåa", "Cilla Väntar")):
        make_booking(
            group_session,
            make_resident(
                name=name,
                phone=f"070-444 00 0{number}",
                preferred_channel="sms",
                sms_consent=True,
                sms_consent_method="phone",
            ),
            join_waitlist=True,
        )

    def seats_and_waitlist() -> str:
        text = text_of(page_of(coordinator.get(f"/sessions/{group_session}")))
        return text[text.index("Bokade (") : text.index("Ställa in passet?")]

    before = seats_and_waitlist()
    assert "Väntelista (1)" in before and "Cilla Väntar" in before

    campaign_id = save_draft(coordinator, campaign_data(group_session))
    assert counts_on(page_of(coordinator.get(f"/campaigns/{campaign_id}")))["total"] == 4

    assert seats_and_waitlist() == before


# --- Who may ---------------------------------------------------------------------------------


def test_staff_follow_a_campaign_but_do_not_write_or_send_one(
    app, login_as, coordinator, group_session, invited_residents, campaign_data
):
    campaign_id = save_draft(coordinator, campaign_data(group_session, name="Fika för alla"))
    staff = login_as(Role.STAFF)

    assert "Fika för alla" in text_of(page_of(staff.get("/campaigns/")))
    shown = page_of(staff.get(f"/campaigns/{campaign_id}"))
    assert "Vilka får inbjudan?" in text_of(shown)
    assert counts_on(shown)["total"] == 4
    assert not has_button(shown, SEND)
    assert not has_button(shown, "Ta bort utkastet")
    assert staff.get("/campaigns/new").status_code == 403
    assert (
        staff.send_form("/campaigns/new", campaign_data(group_session, name="Staffs egen")).status_code == 403
    )
    assert staff.get(f"/campaigns/{campaign_id}/edit").status_code == 403
    assert staff.send_form(f"/campaigns/{campaign_id}/send").status_code == 403
    assert staff.send_form(f"/campaigns/{campaign_id}/delete").status_code == 403

    assert row_count(app, Campaign) == 1
    assert stored(app, Campaign, campaign_id).state == CampaignState.DRAFT
    assert invitations_in_outbox(app) == []


@pytest.mark.parametrize("role", [Role.RECEPTION, Role.VOLUNTEER])
def test_reception_and_volunteers_cannot_open_campaigns(
    app, login_as, coordinator, group_session, invited_residents, campaign_data, role
):
    campaign_id = save_draft(coordinator, campaign_data(group_session))
    followed(coordinator, send(coordinator, campaign_id))
    invitation_id = invitation_of(app, invited_residents["call"]).id
    client = login_as(role)

    for url in (
        "/campaigns/",
        "/campaigns/new",
        f"/campaigns/{campaign_id}",
        f"/campaigns/{campaign_id}/edit",
        f"/campaigns/{campaign_id}/figures.json",
        f"/campaigns/{campaign_id}/calls",
        f"/campaigns/{campaign_id}/letters",
    ):
        assert client.get(url).status_code == 403, url
    assert client.send_form(f"/campaigns/{campaign_id}/stop").status_code == 403
    assert (
        client.send_form(f"/campaigns/invitations/{invitation_id}/call", {"outcome": "will_come"}).status_code
        == 403
    )

    assert invitation_of(app, invited_residents["call"]).message.state == State.PENDING
    assert stored(app, Campaign, campaign_id).state == CampaignState.SENT


def test_another_municipalitys_campaigns_cannot_be_reached(
    app, other_library, coordinator, make_session, make_resident, make_campaign, group_session
):
    bracke_fika = make_session(
        other_library,
        kind="group",
        title="Bräcke-fika",
        capacity=5,
        day=working_day(5),
        starts=time(10),
        ends=time(12),
    )[0]
    make_resident(municipality="bracke", **{**CALL_INVITEE, "name": "Bertil Bräcke"})
    make_resident(municipality="bracke", **{**LETTER_INVITEE, "name": "Berit Bräcke"})
    sent = make_campaign(bracke_fika, lib=other_library, send=True, name="Bräckes fika")
    draft = make_campaign(bracke_fika, lib=other_library, name="Bräckes utkast")
    with app.app_context():
        bracke_call = db.session.scalar(select(Invitation.id).where(Invitation.channel == Channel.STAFF_CALL))
        db.session.remove()

    for campaign_id in (sent, draft):
        for url in ("", "/edit", "/figures.json", "/calls", "/letters"):
            assert coordinator.get(f"/campaigns/{campaign_id}{url}").status_code == 404, url
        for url in ("/send", "/stop", "/delete", "/edit"):
            assert coordinator.send_form(f"/campaigns/{campaign_id}{url}").status_code == 404, url
    assert (
        coordinator.send_form(
            f"/campaigns/invitations/{bracke_call}/call", {"outcome": "will_come"}
        ).status_code
        == 404
    )
    assert "Bräcke" not in text_of(page_of(coordinator.get("/campaigns/")))

    assert stored(app, Campaign, draft).state == CampaignState.DRAFT
    assert stored(app, Campaign, sent).state == CampaignState.SENT
    with app.app_context():
        assert (
            db.session.scalar(
                select(Message.state)
                .join(Invitation, Invitation.message_id == Message.id)
                .where(Invitation.id == bracke_call)
            )
            == State.PENDING
        )
        db.session.remove()
    assert row_count(app, Booking) == 0


# --- The campaign's call list ----------------------------------------------------------------


@pytest.fixture
def sent_campaign(coordinator, group_session, invited_residents, campaign_data) -> int:
    """A campaign to the four residents of each channel, sent by the coordinator."""
    campaign_id = save_draft(coordinator, campaign_data(group_session))
    followed(coordinator, send(coordinator, campaign_id))
    return campaign_id


def record_call(client, app, resident_id: int, outcome: str) -> str:
    """Press one of the call list's buttons for a resident; returns the call list after."""
    invitation_id = invitation_of(app, resident_id).id
    return followed(
        client, client.send_form(f"/campaigns/invitations/{invitation_id}/call", {"outcome": outcome})
    )


def test_the_call_list_shows_who_to_ring_and_what_to_read_to_them(
    coordinator, sent_campaign, invited_residents
):
    page = page_of(coordinator.get(f"/campaigns/{sent_campaign}/calls"))

    assert called(page) == ["Stina Ring"]
    call = text_of(page[page.index('<li class="call">') :])
    assert "070-222 33 44" in call
    assert 'href="tel:+46702223344"' in page
    assert (
        f"Hej Stina. Det här är ett meddelande från Öckerö kommun. Vi vill bjuda in dig till Digital fika. "
        f"Det är {fika_day_in_words()}, klockan 10:00, på Hönö bibliotek, Hönö torg 1, Hönö." in call
    )


def test_will_come_on_the_call_list_books_them_and_the_call_is_done(
    app, coordinator, sent_campaign, invited_residents, group_session
):
    resident_id = invited_residents["call"]

    page = record_call(coordinator, app, resident_id, "will_come")

    assert "Stina Ring är bokad på träffen." in text_of(page)
    (booking,) = bookings_of(app, resident_id)
    assert (booking.session_id, booking.status) == (group_session, BookingStatus.BOOKED)
    invitation = invitation_of(app, resident_id)
    assert (invitation.answer, invitation.answered_via, invitation.booking_id) == (
        Answer.YES,
        AnsweredVia.STAFF_CALL,
        booking.id,
    )
    assert invitation.message.state == State.DELIVERED
    assert called(page) == []
    assert "Stina Ring: svarade ja (bokad)" in text_of(page)
    # one of two seats is taken
    assert stored(app, HelpSession, group_session).places_left == 1
    # they heard it on the phone: no confirmation call on top
    with app.app_context():
        confirmations = db.session.scalars(
            select(Message.state).where(Message.booking_id == booking.id, Message.kind == Kind.CONFIRMATION)
        ).all()
        db.session.remove()
    assert State.PENDING not in confirmations


def test_declined_on_the_call_list_records_the_no_and_books_nothing(
    app, coordinator, sent_campaign, invited_residents
):
    resident_id = invited_residents["call"]

    page = record_call(coordinator, app, resident_id, "declined")

    assert "Stina Ring tackade nej. Det är antecknat." in text_of(page)
    assert bookings_of(app, resident_id) == []
    invitation = invitation_of(app, resident_id)
    assert (invitation.answer, invitation.answered_via) == (Answer.NO, AnsweredVia.STAFF_CALL)
    assert invitation.message.state == State.DELIVERED
    assert called(page) == []
    assert "Stina Ring: tackade nej" in text_of(page)


def test_no_answer_three_times_takes_them_off_the_call_list(
    app, coordinator, sent_campaign, invited_residents
):
    resident_id = invited_residents["call"]

    first = record_call(coordinator, app, resident_id, "no_answer")
    assert "Stina Ring svarade inte. Hen står kvar på listan." in text_of(first)
    assert called(first) == ["Stina Ring"]
    assert "1 samtal utan svar hittills" in text_of(first)
    second = record_call(coordinator, app, resident_id, "no_answer")
    assert called(second) == ["Stina Ring"]
    assert "2 samtal utan svar hittills" in text_of(second)

    third = record_call(coordinator, app, resident_id, "no_answer")

    assert "Stina Ring svarade inte på tre samtal och är borttagen från listan." in text_of(third)
    assert called(third) == []
    invitation = invitation_of(app, resident_id)
    assert invitation.message.state == State.FAILED
    assert invitation.answer is None
    assert bookings_of(app, resident_id) == []
    # a fourth press (an old tab) changes nothing
    fourth = record_call(coordinator, app, resident_id, "will_come")
    assert "Samtalet är redan markerat." in text_of(fourth)
    assert bookings_of(app, resident_id) == []


# --- The campaign's letters ------------------------------------------------------------------


def test_the_letters_page_prints_one_letter_per_resident_and_posted_ones_leave_it(
    app, coordinator, group_session, invited_residents, make_resident, campaign_data
):
    lisa = make_resident(
        **{
            **LETTER_INVITEE,
            "name": "Lisa Brev",
            "street_address": "Hönö hamn 3",
            "postal_code": "475 40",
            "city": "Hönö",
        }
    )
    campaign_id = save_draft(coordinator, campaign_data(group_session))
    followed(coordinator, send(coordinator, campaign_id))

    letters = letters_on(page_of(coordinator.get(f"/campaigns/{campaign_id}/letters")))

    assert len(letters) == 2
    (olof,) = [letter for letter in letters if "Olof Brev" in letter]
    (lisa_letter,) = [letter for letter in letters if "Lisa Brev" in letter]
    assert "Olof Brev Storgatan 1 475 31 Öckerö" in olof
    assert "Lisa Brev Hönö hamn 3 475 40 Hönö" in lisa_letter
    assert (
        f"Hej Olof! Vi vill bjuda in dig till Digital fika. När: {fika_day_in_words()} klockan 10.00" in olof
    )
    # neither the SMS nor the call-list resident gets a letter
    assert not any("Greta" in letter or "Stina" in letter for letter in letters)

    nothing_chosen = coordinator.send_form(f"/campaigns/{campaign_id}/letters", {})
    assert "Välj vilka brev som är skickade." in field_error(page_of(nothing_chosen, 422), "message_ids")
    posted = invitation_of(app, invited_residents["letter"]).message_id
    page = followed(
        coordinator,
        coordinator.send_form(f"/campaigns/{campaign_id}/letters", {"message_ids": [str(posted)]}),
    )

    assert "1 brev är markerat som postat." in text_of(page)
    (left,) = letters_on(page)
    assert "Lisa Brev" in left
    assert invitation_of(app, invited_residents["letter"]).message.state == State.SENT
    assert invitation_of(app, lisa).message.state == State.PENDING
    assert "Brev: 1 att skriva ut och posta" in text_of(page_of(coordinator.get(f"/campaigns/{campaign_id}")))


def test_the_campaign_letters_form_posts_only_its_own_letters(
    app, coordinator, group_session, invited_residents, make_session, make_booking, campaign_data
):
    campaign_id = save_draft(coordinator, campaign_data(group_session))
    followed(coordinator, send(coordinator, campaign_id))
    # The letter resident also has a one-to-one booking: its confirmation is a letter too.
    make_booking(make_session(starts=time(15), ends=time(15, 30))[0], invited_residents["letter"])
    with app.app_context():
        confirmation = db.session.scalar(
            select(Message.id).where(Message.kind == Kind.CONFIRMATION, Message.channel == Channel.LETTER)
        )

    response = coordinator.send_form(
        f"/campaigns/{campaign_id}/letters", {"message_ids": [str(confirmation)]}
    )

    assert "Välj vilka brev som är skickade." in field_error(page_of(response, 422), "message_ids")
    assert stored(app, Message, confirmation).state == State.PENDING


# --- Figures ---------------------------------------------------------------------------------


def test_the_figures_follow_what_happened(app, coordinator, group_session, make_resident, campaign_data):
    callers = {
        name: make_resident(**call_invitee(name, f"070-300 00 0{number}"))
        for number, name in enumerate(
            ("Anna Kommer", "Bo Kommer", "Cilla Vill", "Dan Avböjer", "Erik Svarar Inte")
        )
    }
    letters = [
        make_resident(**LETTER_INVITEE),
        make_resident(**{**LETTER_INVITEE, "name": "Lisa Brev", "street_address": "Hönö hamn 3"}),
    ]
    make_resident(**SMS_INVITEE)
    make_resident(**sms_invitee("Sune Sms", "070-111 22 34"))
    campaign_id = save_draft(coordinator, campaign_data(group_session))
    figures_url = f"/campaigns/{campaign_id}/figures.json"
    assert coordinator.get(figures_url).get_json()["invited"] == 0
    followed(coordinator, send(coordinator, campaign_id))

    record_call(coordinator, app, callers["Anna Kommer"], "will_come")
    record_call(coordinator, app, callers["Bo Kommer"], "will_come")
    full = record_call(coordinator, app, callers["Cilla Vill"], "will_come")
    assert "Träffen är full. Cilla Vill står på väntelistan." in text_of(full)
    record_call(coordinator, app, callers["Dan Avböjer"], "declined")
    for _ in range(3):
        record_call(coordinator, app, callers["Erik Svarar Inte"], "no_answer")
    posted = coordinator.send_form(
        f"/campaigns/{campaign_id}/letters", {"message_ids": [str(invitation_of(app, letters[0]).message_id)]}
    )
    assert posted.status_code == 302

    figures = coordinator.get(figures_url).get_json()

    assert figures == {
        "invited": 9,
        "waiting": 3,  # the two SMS (nothing has dispatched them) and one letter
        "sent": 5,  # four calls answered and the letter posted
        "delivered": 4,
        "failed": 1,
        "answered_yes": 3,
        "answered_no": 1,
        "too_late": 0,
        "booked": 2,
        "waitlisted": 1,
    }
    assert figures_on(page_of(coordinator.get(f"/campaigns/{campaign_id}"))) == figures
    assert [booking.status for booking in bookings_of(app, callers["Cilla Vill"])] == [
        BookingStatus.WAITLISTED
    ]
    assert stored(app, HelpSession, group_session).places_left == 0
