"""Invitations go out through the real Twilio client to the fake Twilio, and what residents
answer books them: JA takes a seat while there are seats, then the waitlist; NEJ is
noted; a late answer, an answer about a cancelled session and a JA from someone who was
never invited change nothing. Landlines answer with a key, the call list by staff."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import UTC, datetime, time, timedelta

import pytest
from helpers import stored, working_day
from sqlalchemy import select, update

from inclusion.auth.models import User
from inclusion.booking import cancel_session
from inclusion.booking.models import Booking, BookingChannel, BookingStatus, HelpSession
from inclusion.core.database import utcnow
from inclusion.extensions import db
from inclusion.org.models import Organisation
from inclusion.outbox.models import InboundMessage, Kind, Message, State
from inclusion.outreach.audience import AudienceRules
from inclusion.outreach.models import Answer, Invitation
from inclusion.outreach.services import (
    CampaignDetails,
    default_texts,
    figures_of,
    save_campaign,
    send_campaign,
)
from inclusion.reception.models import CallbackRequest
from tests.fake_twilio import sign
from tests.fixtures.outbox import CALL_RESIDENT, LANDLINE_RESIDENT, LETTER_RESIDENT, PUBLIC_BASE_URL

MOBILES = ["+46701112201", "+46701112202", "+46701112203"]


def _sms_resident(number: str, name: str) -> dict:
    return {
        "name": name,
        "phone": number,
        "preferred_channel": "sms",
        "sms_consent": True,
        "sms_consent_method": "phone",
        "invitations_consent": True,
    }


@pytest.fixture
def fika(make_session) -> int:
    """Digital fika with two seats, a few working days ahead."""
    return make_session(
        kind="group", title="Digital fika", capacity=2, day=working_day(4), starts=time(10), ends=time(12)
    )[0]


@pytest.fixture
def residents(make_resident) -> dict[str, int]:
    made = {
        f"sms{index}": make_resident(**_sms_resident(number, f"Sms{index} Person"))
        for index, number in enumerate(MOBILES)
    }
    made["landline"] = make_resident(**LANDLINE_RESIDENT, invitations_consent=True)
    made["call"] = make_resident(**CALL_RESIDENT, invitations_consent=True)
    made["letter"] = make_resident(**LETTER_RESIDENT, invitations_consent=True)
    # said no to invitations, so the campaign passes them by
    made["uninvited"] = make_resident(
        **{**_sms_resident("+46701112299", "Utan Inbjudan"), "invitations_consent": False}
    )
    return made


def _send(app, library, session_id: int, per_minute: int = 600) -> int:
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        coordinator = db.session.get(User, library.coordinator_id)
        campaign = save_campaign(
            organisation,
            CampaignDetails(
                name="Fika på Öckerö",
                session_id=session_id,
                audience=AudienceRules(),
                per_minute=per_minute,
                **default_texts(organisation),
            ),
            coordinator,
        )
        send_campaign(campaign, coordinator)
        db.session.commit()
        campaign_id = campaign.id
        db.session.remove()
    return campaign_id


@pytest.fixture
def sent(app, library, fika, residents, fake_twilio, dispatch) -> int:
    """The campaign sent and dispatched: SMS and the landline call have gone to Twilio."""
    campaign_id = _send(app, library, fika)
    dispatch()
    return campaign_id


def _reply_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)
    return "".join(ElementTree.fromstring(response.get_data()).itertext())


def _bookings(app, session_id: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(
            select(Booking.resident_id, Booking.status).where(Booking.session_id == session_id)
        ).all()
        return {resident_id: status for resident_id, status in rows}


def _invitation(app, resident_id: int) -> Invitation:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.resident_id == resident_id))
        db.session.expunge(invitation)
        return invitation


def test_invitations_go_out_by_sms_and_by_call(sent, fake_twilio, outbox):
    texts = {received.to: received.body for received in fake_twilio.accepted("Messages")}
    calls = [received.to for received in fake_twilio.accepted("Calls")]

    assert sorted(texts) == sorted(MOBILES)
    assert texts[MOBILES[0]].startswith("Hej Sms0! Välkommen till Digital fika")
    assert "Svara JA" in texts[MOBILES[0]]
    assert calls == ["+4630012345"]
    manual = {message.channel for message in outbox(kind=Kind.CAMPAIGN_INVITATION, state=State.PENDING)}
    assert manual == {"staff_call", "letter"}  # for people, not the dispatcher


def test_two_yes_answers_take_the_two_seats_and_the_third_is_waitlisted(
    app, sent, fika, residents, webhooks, outbox
):
    first = _reply_text(webhooks.sms_from(MOBILES[0], "Ja", "SMin1"))
    second = _reply_text(webhooks.sms_from(MOBILES[1], " ja!", "SMin2"))
    third = _reply_text(webhooks.sms_from(MOBILES[2], "JA", "SMin3"))

    assert first.startswith("Tack! Du har en plats på Digital fika")
    assert "kl. 10.00" in first and "Svara NEJ" in first
    assert second.startswith("Tack! Du har en plats")
    assert "du står på väntelistan som nummer 1" in third
    bookings = _bookings(app, fika)
    assert bookings == {
        residents["sms0"]: BookingStatus.BOOKED,
        residents["sms1"]: BookingStatus.BOOKED,
        residents["sms2"]: BookingStatus.WAITLISTED,
    }
    assert stored(app, HelpSession, fika).booked_count == 2
    with app.app_context():
        channels = set(db.session.scalars(select(Booking.channel).where(Booking.session_id == fika)))
    assert channels == {BookingChannel.SMS}
    # The reply was the confirmation: no second SMS saying the same is queued.
    assert not [m for m in outbox(kind=Kind.CONFIRMATION) if m.state == State.PENDING]
    assert not [m for m in outbox(kind=Kind.WAITLISTED) if m.state == State.PENDING]
    figures = _figures(app, sent)
    assert (figures.answered_yes, figures.booked, figures.waitlisted) == (3, 2, 1)


def _figures(app, campaign_id: int):
    with app.app_context():
        return figures_of([campaign_id])[campaign_id]


def test_a_second_yes_changes_nothing(app, sent, fika, residents, webhooks):
    _reply_text(webhooks.sms_from(MOBILES[0], "Ja", "SMin1"))
    again = _reply_text(webhooks.sms_from(MOBILES[0], "JA", "SMin2"))

    assert again.startswith("Tack! Vi ses")  # now about the booking: a plain "yes, I am coming"
    assert list(_bookings(app, fika).values()) == [BookingStatus.BOOKED]
    assert stored(app, HelpSession, fika).booked_count == 1


def test_no_is_recorded_and_books_nothing(app, sent, fika, residents, webhooks):
    reply = _reply_text(webhooks.sms_from(MOBILES[0], "Nej tack", "SMin1"))

    assert reply.startswith("Tack för ditt svar! Vi hör av oss nästa gång")
    assert _bookings(app, fika) == {}
    assert _invitation(app, residents["sms0"]).answer == Answer.NO
    assert _figures(app, sent).answered_no == 1


def test_yes_then_no_gives_the_seat_back(app, sent, fika, residents, webhooks):
    _reply_text(webhooks.sms_from(MOBILES[0], "Ja", "SMin1"))
    reply = _reply_text(webhooks.sms_from(MOBILES[0], "Nej", "SMin2"))

    assert "är avbokad" in reply
    assert _bookings(app, fika) == {residents["sms0"]: BookingStatus.CANCELLED}
    assert stored(app, HelpSession, fika).booked_count == 0


def test_a_yes_after_the_session_is_answered_politely(app, sent, fika, residents, webhooks):
    with app.app_context():
        now = utcnow()
        db.session.execute(
            update(HelpSession)
            .where(HelpSession.id == fika)
            .values(starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))
        )
        db.session.commit()

    reply = _reply_text(webhooks.sms_from(MOBILES[0], "JA", "SMin1"))

    assert reply.startswith("Tack för ditt svar. Digital fika")
    assert "har redan varit" in reply
    assert _bookings(app, fika) == {}
    assert _invitation(app, residents["sms0"]).answer == Answer.TOO_LATE


def test_a_yes_to_a_cancelled_session_books_nothing(app, library, sent, fika, residents, webhooks):
    with app.app_context():
        cancel_session(
            db.session.get(HelpSession, fika), "Sjukdom", db.session.get(User, library.coordinator_id)
        )
        db.session.commit()

    reply = _reply_text(webhooks.sms_from(MOBILES[0], "Ja", "SMin1"))

    assert "inställd" in reply
    assert _bookings(app, fika) == {}


def test_a_yes_from_someone_never_invited_books_nothing(app, sent, fika, residents, webhooks):
    reply = _reply_text(webhooks.sms_from("+46701112299", "JA", "SMin1"))

    assert "Vi ringer upp dig" in reply
    assert _bookings(app, fika) == {}
    with app.app_context():
        inbound = db.session.scalar(select(InboundMessage))
        assert inbound.outcome == "request"
        assert db.session.scalar(select(CallbackRequest.resident_id)) == residents["uninvited"]


def test_a_forged_yes_changes_nothing(app, sent, fika, webhooks):
    params = {"MessageSid": "SMforged", "From": MOBILES[0], "To": "+46766860000", "Body": "JA"}
    response = webhooks.post(
        "/twilio/sms/inbound", params, signature=sign(PUBLIC_BASE_URL + "/elsewhere", params)
    )

    assert response.status_code == 403
    assert _bookings(app, fika) == {}


def _invitation_call(app, resident_id: int) -> Message:
    with app.app_context():
        message = db.session.scalar(
            select(Message).where(
                Message.resident_id == resident_id, Message.kind == Kind.CAMPAIGN_INVITATION
            )
        )
        db.session.expunge(message)
        return message


def test_a_landline_hears_the_invitation_and_presses_1_for_a_seat(app, sent, fika, residents, webhooks):
    call = _invitation_call(app, residents["landline"])
    path = f"/twilio/voice/reminder/{call.voice_token}"

    asked = ElementTree.fromstring(
        webhooks.client.get(path, headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + path, {})}).get_data()
    )
    said = [say.text for say in asked.find("Gather").findall("Say")]
    assert said[0].startswith(
        "Hej Karl. Det här är ett meddelande från Öckerö kommun. Vi vill bjuda in dig till Digital fika"
    )
    assert said[1] == "Tryck 1 om du vill ha en plats. Tryck 2 om du inte vill komma."

    answer = ElementTree.fromstring(webhooks.post(path, {"CallSid": "CA1", "Digits": "1"}).get_data())

    assert answer.find("Say").text.startswith("Tack! Du har en plats")
    assert _bookings(app, fika) == {residents["landline"]: BookingStatus.BOOKED}
    assert (
        stored(app, Booking, _invitation(app, residents["landline"]).booking_id).channel
        == BookingChannel.PHONE
    )


def test_staff_book_from_the_campaign_call_list(app, sent, fika, residents, login_as):
    from inclusion.core.access import Role

    staff = login_as(Role.STAFF)
    invitation = _invitation(app, residents["call"])
    page = staff.get(f"/campaigns/{sent}/calls").get_data(as_text=True)
    assert "Stina Ring" in page and "Vi vill bjuda in dig" in page

    response = staff.send_form(f"/campaigns/invitations/{invitation.id}/call", {"outcome": "will_come"})

    assert response.status_code == 302
    assert _bookings(app, fika) == {residents["call"]: BookingStatus.BOOKED}
    after = staff.get(f"/campaigns/{sent}/calls").get_data(as_text=True)
    assert "Stina Ring är bokad på träffen." in after
    assert '<li class="call">' not in after
    with app.app_context():
        assert db.session.get(Message, invitation.message_id).state == State.DELIVERED


def test_the_letters_of_a_campaign_print_one_per_page(app, sent, residents, login_as):
    from inclusion.core.access import Role

    page = login_as(Role.STAFF).get(f"/campaigns/{sent}/letters").get_data(as_text=True)

    assert page.count('<article class="letter"') == 1
    assert "Olof Brev" in page and "Storgatan 1" in page
    assert "Vill du komma? Ring oss på" in page


def test_a_campaign_call_is_not_on_the_general_call_list(app, sent, login_as):
    from inclusion.core.access import Role

    page = login_as(Role.STAFF).get("/messages/calls").get_data(as_text=True)

    assert "Stina Ring" not in page


def test_invitations_are_paced(app, library, fika, residents, outbox):
    _send(app, library, fika, per_minute=2)

    automatic = [m for m in outbox(kind=Kind.CAMPAIGN_INVITATION) if m.channel in ("sms", "voice")]
    first = min(m.send_after for m in automatic)
    offsets = [round((m.send_after - first).total_seconds() / 60) for m in automatic]
    assert offsets == [0, 0, 1, 1]


def test_a_campaign_sent_late_in_the_evening_goes_on_in_the_morning_at_the_same_pace(
    app, library, fika, residents, outbox
):
    from zoneinfo import ZoneInfo

    from tests.fixtures.outbox import set_quiet_hours

    set_quiet_hours(app, library.organisation_id, time(21), time(8))
    stockholm = ZoneInfo("Europe/Stockholm")
    evening = datetime.combine(working_day(1), time(20, 59), stockholm)
    with app.app_context():
        organisation = db.session.get(Organisation, library.organisation_id)
        coordinator = db.session.get(User, library.coordinator_id)
        campaign = save_campaign(
            organisation,
            CampaignDetails("Kväll", fika, AudienceRules(), per_minute=1, **default_texts(organisation)),
            coordinator,
        )
        send_campaign(campaign, coordinator, now=evening.astimezone(UTC))
        db.session.commit()

    automatic = [m for m in outbox(kind=Kind.CAMPAIGN_INVITATION) if m.channel in ("sms", "voice")]
    local = [m.send_after.astimezone(stockholm).strftime("%d %H:%M") for m in automatic]
    next_day = (evening + timedelta(days=1)).strftime("%d")
    assert local == [
        evening.strftime("%d 20:59"),
        f"{next_day} 08:00",
        f"{next_day} 08:01",
        f"{next_day} 08:02",
    ]


def test_each_resident_reads_the_invitation_in_their_language_or_else_swedish(
    app, library, fika, make_resident, fake_twilio, dispatch
):
    make_resident(**{**_sms_resident("+46701112211", "Emma English"), "preferred_language": "en"})
    make_resident(**{**_sms_resident("+46701112212", "Aino Suomi"), "preferred_language": "fi"})

    _send(app, library, fika)
    dispatch()

    texts = {received.to: received.body for received in fake_twilio.accepted("Messages")}
    assert texts["+46701112211"].startswith("Hello Emma! Welcome to Digital fika. It is on")
    assert "Reply JA" in texts["+46701112211"]
    assert texts["+46701112212"].startswith("Hej Aino! Välkommen till Digital fika")
